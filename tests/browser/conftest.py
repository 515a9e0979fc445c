"""Helpers for the playground browser tests: open the page, wait on its DOM signals, read pixels.

Everything waits on what the page shows (epoch text, `data-frames` counters, the URL hash,
`data-focus`), never on sleeps. The page's CSP forbids eval, so waits use Playwright's
`expect` (injected script) rather than `wait_for_function` with a string.
"""

import re
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
