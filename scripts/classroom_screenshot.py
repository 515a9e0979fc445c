"""Draw docs/img/classroom-dashboard.png: a teacher's dashboard with a class training.

Starts the app in-process with a throw-away data directory, makes a class, has eight
simulated students join it (one with a nickname made of HTML, shown as text), push one
start, train at the page's pace for a few seconds (some with wider networks, one paused),
and photographs the dashboard in Debian's Chromium at a tablet's width.

    .venv/bin/python scripts/classroom_screenshot.py
"""

import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.support.classroom import Teacher, join  # noqa: E402
from tests.support.clients import session  # noqa: E402
from tests.support.live_server import CHROMIUM_ARGS, chromium_path, start_live_server  # noqa: E402

NAMES = ["Ana", "Bo", "Chidi", "Dana", "Emil", "Farah", "<b>Gus</b>", "Hana"]
SHAPES = [[4, 2], [4, 2], [6, 4], [3], [4, 2], [8, 8, 4], [2], [5, 3]]


def main() -> None:
    server = start_live_server(data_dir=Path(tempfile.mkdtemp()), checkpoint_interval_seconds=0.5)
    teacher = Teacher(server.url)
    teacher.post(
        "choose", {"link": "#dataset=spiral&seed=0.31415&x=true&y=true&sinX=true&sinY=true"}
    )
    teacher.post("push", {"locked": ["dataset", "noise"]})
    tokens = [join(server.url, teacher.code, name)["token"] for name in NAMES]

    async def class_period() -> None:
        runs = []
        for token, shape in zip(tokens, SHAPES, strict=True):
            joined = [{"type": "join_class", "code": teacher.code, "token": token}]
            settings = {"dataset": "spiral", "seed": "0.31415", "network_shape": shape,
                        "features": ["x", "y", "sinX", "sinY"], "learning_rate": 0.03}  # fmt: skip
            runs.append(session(server.ws_url, settings, 60.0, 5.0, 60, joined))
        await asyncio.gather(*runs, return_exceptions=True)  # cut short when the server stops

    threading.Thread(target=lambda: asyncio.run(class_period()), daemon=True).start()
    time.sleep(9)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1180})
        page.goto(teacher.base)
        expect(page.locator("#roster .student[data-status=active]")).to_have_count(
            8, timeout=30_000
        )
        time.sleep(2)
        out = ROOT / "docs" / "img" / "classroom-dashboard.png"
        page.screenshot(path=str(out), full_page=False)
        browser.close()
    print(f"wrote {out}")
    server.stop()


if __name__ == "__main__":
    main()
