"""Front-end benchmark: frames drawn per second and main-thread time per frame in Chromium.

Starts `python -m app` on a free port, opens the page in headless Debian Chromium (the same
launch as the browser tests), presses play for configs A and B of docs/architecture.md §4 (every
thumbnail drawn) at the fastest speed, and reads, over a fixed window:
- frames drawn: the output heatmap canvas's `data-frames` counter (one per drawn frame);
- main-thread busy time: Chrome's own `TaskDuration` metric (CDP Performance.getMetrics),
  which sums every task the renderer's main thread ran — drawing, decoding, layout, GC;
- main-thread CPU time: its `ThreadTime` metric, the CPU the thread used. On a quiet machine the
  two agree; on a loaded one the busy time also counts the waits for a core, and only the CPU
  time still says what the page costs (the design's targets are busy time, measured quiet).
A third row runs config A with the CPU slowed 4× (CDP `Emulation.setCPUThrottlingRate`), a
stand-in for a student's Chromebook or phone. Prints a markdown table of medians over
repeated windows (medians), with the targets of docs/architecture.md §4; never pass/fail.
Load averages before and after are printed with it: a figure taken above ~0.5 is not one to
quote.

`--profile` also records one CDP performance trace per row and prints its top entries
(benchmarks/trace_top.py): which kind of work and which functions take the main thread.

    .venv/bin/python benchmarks/browser.py [--seconds 4] [--windows 3] [--profile]
"""

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.trace_top import summary  # noqa: E402
from tests.support.live_server import CHROMIUM_ARGS, chromium_path, free_port  # noqa: E402
from tests.support.processes import start_server  # noqa: E402

ALL = "x=true&y=true&xSquared=true&ySquared=true&xTimesY=true&sinX=true&sinY=true"
A = "dataset=circle&networkShape=4,2&batchSize=10"
B = f"dataset=spiral&networkShape=8,8,8,8,8,8&batchSize=10&{ALL}"
MAP = "#heatmap canvas"
# What the trace records: the timeline (tasks, style, layout, paint, GC) and V8's sampler.
TRACE_CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "v8.execute",
    "disabled-by-default-v8.cpu_profiler",
    "blink",
    "cc",
    "gpu",
    "v8",
]


@dataclass(frozen=True)
class Row:
    """One line of the table: a config, a CPU slowdown and its targets (docs/architecture.md §4)."""

    name: str
    hash: str
    throttle: float
    fps: float  # frames drawn per second, at least
    busy_ms: float | None  # main-thread ms per frame, at most (None: no target)

    @property
    def target(self) -> str:
        busy = f", ≤ {self.busy_ms:g} ms" if self.busy_ms is not None else ""
        return f"≥ {self.fps:g} fps{busy}"


ROWS = [
    Row("A: circle, 4×2, x,y", A, 1, 30, 4),
    Row("B: spiral, 6×8, all 7", B, 1, 30, 8),
    Row("A, CPU 4× slower", A, 4, 30, None),
]


def load() -> str:
    """The machine's load averages, as `cat /proc/loadavg` gives them."""
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load unknown"


def measure(page, cdp, seconds: float) -> tuple[float, float, float]:
    """(frames drawn per second, main-thread busy ms and CPU ms per drawn frame) over one
    window."""

    def snapshot() -> tuple[int, float, float, float]:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        frames = int(page.get_attribute(MAP, "data-frames") or 0)
        return frames, metrics["TaskDuration"], metrics["ThreadTime"], time.monotonic()

    f0, busy0, cpu0, t0 = snapshot()
    page.wait_for_timeout(seconds * 1000)
    f1, busy1, cpu1, t1 = snapshot()
    drawn = max(1, f1 - f0)
    return drawn / (t1 - t0), (busy1 - busy0) * 1000 / drawn, (cpu1 - cpu0) * 1000 / drawn


def run_row(browser, url: str, row: Row, seconds: float, windows: int, profile: bool):
    """The row's windows, and the trace summary lines when profiling."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    if row.throttle != 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": row.throttle})
    page.goto(f"{url}/#seed=bench&{row.hash}&speed=max")
    page.wait_for_selector(f"{MAP}[data-frames='1'], {MAP}[data-frames='2']", timeout=60_000)
    page.click("#play-pause-button")
    page.wait_for_timeout(1000 * row.throttle)  # warm-up: JIT, first thumbnails, layout
    results = [measure(page, cdp, seconds) for _ in range(windows)]
    lines: list[str] = []
    if profile:
        browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        page.wait_for_timeout(seconds * 1000)
        lines = summary(json.loads(browser.stop_tracing()))
    page.close()
    return results, lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print each row's trace top")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port, 1)
    profiles: dict[str, list[str]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            print(f"Chromium {browser.version}, headless, 1280×800, speed max, {load()}\n")
            print(
                "| config | frames drawn/s | main-thread ms/frame | main-thread CPU ms/frame "
                "| target |"
            )
            print("|---|---|---|---|---|")
            for row in ROWS:
                url = f"http://127.0.0.1:{port}"
                results, profiles[row.name] = run_row(
                    browser, url, row, args.seconds, args.windows, args.profile
                )
                fps, busy, cpu = (statistics.median(r[i] for r in results) for i in range(3))
                print(f"| {row.name} | {fps:.1f} | {busy:.2f} | {cpu:.2f} | {row.target} |")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\nafter: {load()}")
    for name, lines in profiles.items():
        if lines:
            print(f"\n### {name}\n")
            print("\n".join(lines))


if __name__ == "__main__":
    main()
