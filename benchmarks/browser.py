"""Front-end benchmark: frames drawn per second and main-thread time per frame in Chromium.

Starts `python -m app` on a free port, opens the page in headless Debian Chromium (the same
launch as the browser tests), presses play for configs A and B of design.md §6 (every
thumbnail drawn) at the fastest speed, and reads, over a fixed window:
- frames drawn: the output heatmap canvas's `data-frames` counter (one per drawn frame);
- main-thread busy time: Chrome's own `TaskDuration` metric (CDP Performance.getMetrics),
  which sums every task the renderer's main thread ran — drawing, decoding, layout, GC.
Prints a markdown table of medians over repeated windows; never pass/fail.

    .venv/bin/python benchmarks/browser.py [--seconds 4] [--windows 3]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.live_server import CHROMIUM_ARGS, chromium_path, free_port  # noqa: E402
from tests.support.processes import start_server  # noqa: E402

ALL = "x=true&y=true&xSquared=true&ySquared=true&xTimesY=true&sinX=true&sinY=true"
CONFIGS = {
    "A: circle, 4×2, x,y": "dataset=circle&networkShape=4,2&batchSize=10",
    "B: spiral, 6×8, all 7": f"dataset=spiral&networkShape=8,8,8,8,8,8&batchSize=10&{ALL}",
}
MAP = "#heatmap canvas"


def measure(page, cdp, seconds: float) -> tuple[float, float]:
    """(frames drawn per second, main-thread ms per drawn frame) over one window."""

    def snapshot() -> tuple[int, float, float]:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        frames = int(page.get_attribute(MAP, "data-frames") or 0)
        return frames, metrics["TaskDuration"], time.monotonic()

    f0, busy0, t0 = snapshot()
    page.wait_for_timeout(seconds * 1000)
    f1, busy1, t1 = snapshot()
    drawn = max(1, f1 - f0)
    return drawn / (t1 - t0), (busy1 - busy0) * 1000 / drawn


def run_config(browser, url: str, hash_: str, seconds: float, windows: int) -> list[tuple]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(f"{url}/#seed=bench&{hash_}&speed=max")
    page.wait_for_selector(f"{MAP}[data-frames='1'], {MAP}[data-frames='2']", timeout=20_000)
    page.click("#play-pause-button")
    page.wait_for_timeout(1000)  # warm-up: JIT, first thumbnails, layout
    results = [measure(page, cdp, seconds) for _ in range(windows)]
    page.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--windows", type=int, default=3)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, 1)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            print(f"Chromium {browser.version}, headless, 1280×800, speed max\n")
            print("| config | frames drawn/s (median) | main-thread ms/frame (median) | target |")
            print("|---|---|---|---|")
            for name, hash_ in CONFIGS.items():
                rows = run_config(browser, f"http://127.0.0.1:{port}", hash_, args.seconds,
                                  args.windows)  # fmt: skip
                fps = statistics.median(r[0] for r in rows)
                busy = statistics.median(r[1] for r in rows)
                target = "≥ 30 fps, ≤ 8 ms" if name.startswith("B") else "—"
                print(f"| {name} | {fps:.1f} | {busy:.2f} | {target} |")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
