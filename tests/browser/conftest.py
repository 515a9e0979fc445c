"""Helpers for the playground browser tests: open the page, wait on its DOM signals, read pixels.

Everything waits on what the page shows (epoch text, `data-frames` counters, the URL hash,
`data-focus`), never on sleeps. The page's CSP forbids eval, so waits use Playwright's
`expect` (injected script) rather than `wait_for_function` with a string.
"""

import base64
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
MAP = "#heatmap canvas"


class Playground:
    """The playground page under test."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self, hash_: str = "seed=0.12345") -> "Playground":
        """Load the page with a hash and wait for its first frame."""
        self.page.goto(f"{self.base_url}/#{hash_}")
        expect(self.page.locator("#connection-status")).to_have_attribute("data-state", "connected")
        self.wait_frames(1)
        return self

    def frames(self, selector: str = MAP) -> int:
        return int(self.page.get_attribute(selector, "data-frames") or 0)

    def wait_frames(self, at_least: int, selector: str = MAP) -> None:
        """Wait until a canvas has drawn more than `at_least - 1` frames."""
        pattern = _at_least(at_least)
        expect(self.page.locator(selector)).to_have_attribute("data-frames", pattern)

    def next_frame(self, selector: str = MAP) -> None:
        """Wait for the canvas to draw at least one more frame than now."""
        self.wait_frames(self.frames(selector) + 1, selector)

    def epoch(self) -> str:
        return self.page.inner_text("#iter-number")

    def expect_epoch(self, text: str) -> None:
        expect(self.page.locator("#iter-number")).to_have_text(text)

    def expect_hash(self, fragment: str) -> None:
        expect(self.page).to_have_url(re.compile(".*#.*" + re.escape(fragment)))

    def hash_value(self, key: str) -> str:
        url = self.page.url
        match = re.search(rf"[#&]{key}=([^&]*)", url)
        assert match, f"{key} missing from {url}"
        return match.group(1)

    def step(self, times: int = 1) -> None:
        """Click Step `times` times, one epoch each, waiting for each."""
        start = int(self.epoch().replace(",", ""))
        for i in range(1, times + 1):
            self.page.click("#next-step-button")
            self.expect_epoch(_epoch_text(start + i))

    def data_draws(self) -> int:
        return int(self.page.get_attribute("#heatmap svg", "data-draws") or 0)

    def digest(self, selector: str = MAP) -> str:
        """A short fingerprint of a canvas's pixels (cheaper than reading them all back)."""
        return self.page.evaluate(
            """(sel) => { const c = document.querySelector(sel);
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let h = 2166136261;
                 for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i], 16777619);
                 return (h >>> 0).toString(16); }""",
            selector,
        )

    def colours(self, selector: str = MAP) -> tuple[set[tuple[int, ...]], set[int]]:
        """The distinct RGB colours and alpha values of a canvas."""
        rgb, alpha = self.page.evaluate(
            """(sel) => { const c = document.querySelector(sel);
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 const rgb = new Set(), alpha = new Set();
                 for (let i = 0; i < d.length; i += 4) {
                   rgb.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
                   alpha.add(d[i + 3]);
                 }
                 return [[...rgb], [...alpha]]; }""",
            selector,
        )
        return {tuple(int(v) for v in c.split(",")) for c in rgb}, set(alpha)

    def link_inks(self, *links: str) -> dict[str, dict[str, Any]]:
        """How links are drawn, read back from the screen (they are canvas pixels, not elements).

        For each link id ("layer-src-dst", as in `[data-link]`): its stroke `width` in px across
        the curve and its `color` ("rgb(r, g, b)"), measured where it runs farthest from every
        other link (`clear`, px), at three spots 3 px apart so that one dash gap cannot hide it.
        """
        png = base64.b64encode(self.page.screenshot()).decode()
        return self.page.evaluate(_LINK_INKS, [png, list(links)])

    def expect_link(self, link: str, width: float, color: str) -> None:
        """Wait until a link is drawn `width` px wide (±0.5) in `color`, as read off the screen."""
        seen: list[Any] = []

        def drawn() -> bool:
            seen[:] = [self.link_inks(link)[link]]
            ink = seen[0]
            return bool(ink) and abs(ink["width"] - width) <= 0.5 and ink["color"] == color

        self.until(drawn, lambda: f"link {link} drawn {width} px {color} (it is {seen[0]})")

    def wait_pause_saved(self) -> None:
        """After a pause: wait until the server says paused, and the checkpoint a reload or
        reconnect resumes from is the pause's own, at the epoch on screen (a periodic one
        from just before the pause may match the screen for a moment)."""
        seen: list[Any] = []

        def saved() -> bool:
            seen[:] = self.page.evaluate(
                """() => [window.__playground.server.playing, window.__playground.server.epoch,
                          document.querySelector("#connection-status").dataset.checkpointEpoch]"""
            )
            playing, epoch, checkpoint = seen
            return not playing and checkpoint == str(epoch) and self.epoch() == _epoch_text(epoch)

        self.until(saved, lambda: f"the pause's checkpoint on screen: {seen}", timeout=10.0)

    def until(self, check: Any, what: Any, timeout: float = 5.0) -> None:
        """Poll `check()` (e.g. something read off the screen) until it is true, or fail.

        `what` names the condition: a string, or a function giving one (called on failure)."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what() if callable(what) else what}")
            self.page.wait_for_timeout(100)


# Reads a viewport screenshot (base64 PNG) and measures links at their clearest spot: the
# coverage of the link's ink summed down a pixel column gives the vertical thickness, which
# times cos(slope) is the stroke width.
_LINK_INKS = """async ([png, ids]) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
  const W = bitmap.width, H = bitmap.height;
  const g = new OffscreenCanvas(W, H).getContext("2d");
  g.drawImage(bitmap, 0, 0);
  const px = g.getImageData(0, 0, W, H).data;
  const scale = W / innerWidth;
  const rgb = (x, y) => { const i = 4 * (y * W + x); return [px[i], px[i + 1], px[i + 2]]; };
  const bg = rgb(1, Math.round(H * 0.99)); // the page background, bottom left
  const at = (path, s) => {
    const q = path.getPointAtLength(s), m = path.getScreenCTM();
    return [m.a * q.x + m.c * q.y + m.e, m.b * q.x + m.d * q.y + m.f];
  };
  const paths = [...document.querySelectorAll("[data-link]")];
  const samples = paths.map((p) => {
    const L = p.getTotalLength();
    return [p, Array.from({ length: 121 }, (_, i) => at(p, (L * i) / 120))];
  });
  const out = {};
  for (const id of ids) {
    const path = document.querySelector(`[data-link="${id}"]`);
    const L = path.getTotalLength();
    let spot = null;
    for (let f = 0.2; f <= 0.8; f += 0.01) {
      const [x, y] = at(path, L * f);
      let clear = Infinity;
      for (const [other, pts] of samples) {
        if (other === path) continue;
        for (const [u, v] of pts) clear = Math.min(clear, Math.hypot(u - x, v - y));
      }
      if (!spot || clear > spot.clear) spot = { f, clear };
    }
    let best = null;
    for (const dl of [0, 3, 6]) {
      const s = L * spot.f + dl;
      const [x, y] = at(path, s), [x2, y2] = at(path, s + 0.5);
      const cos = Math.abs(x2 - x) / Math.hypot(x2 - x, y2 - y);
      const cx = Math.round(x * scale), cy = Math.round(y * scale);
      let ink = null, far = 0;
      for (let d = -1; d <= 1; d++) {
        const c = rgb(cx, cy + d);
        const e = c.reduce((a, v, k) => a + (v - bg[k]) ** 2, 0);
        if (e > far) [ink, far] = [c, e];
      }
      if (far < 64) continue; // background here: a dash gap
      const dot = (c) => c.reduce((a, v, k) => a + (v - bg[k]) * (ink[k] - bg[k]), 0);
      const cover = (c) => Math.max(0, Math.min(1, dot(c) / far));
      let t = cover(rgb(cx, cy));
      for (const dir of [-1, 1]) {
        for (let y = cy + dir, c; y >= 0 && y < H; y += dir) {
          if ((c = cover(rgb(cx, y))) <= 0.05) break;
          t += c;
        }
      }
      const width = (t * cos) / scale;
      const color = `rgb(${ink.join(", ")})`;
      if (!best || width > best.width) best = { width, color, clear: spot.clear };
    }
    out[id] = best;
  }
  return out;
}"""


def _epoch_text(n: int) -> str:
    digits = f"{n:06d}"[-6:]
    return f"{digits[:3]},{digits[3:]}"


def _at_least(n: int) -> re.Pattern[str]:
    """A regex matching decimal integers >= n (n < 10**6)."""
    if n <= 0:
        return re.compile(r"^\d+$")
    digits = str(n)
    longer = rf"[1-9]\d{{{len(digits)},}}"
    options = [longer]
    for i, d in enumerate(digits):  # same length, greater at position i
        if i == len(digits) - 1:
            options.append(digits[:i] + f"[{d}-9]")
        elif d != "9":
            rest = len(digits) - i - 1
            options.append(digits[:i] + f"[{int(d) + 1}-9]" + rf"\d{{{rest}}}")
    return re.compile("^(" + "|".join(options) + ")$")


@pytest.fixture
def playground(page: Any, live_server: Any) -> Iterator[Playground]:
    yield Playground(page, live_server.url)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
