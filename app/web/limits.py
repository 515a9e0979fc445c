"""Per-connection limits: a token bucket for message rate, and the websocket Origin check.

What it is: small, pure helpers the websocket handler consults before it does any work.
What it is not: global accounting; the per-process session cap is a set in server.py.
Trade-off: a token bucket allows short bursts (a slider drag) while bounding the sustained
rate, which is what a real browser needs and a flooding client cannot exploit.
"""

import time
from collections.abc import Mapping
from urllib.parse import urlsplit


class TokenBucket:
    """`rate` tokens per second, at most `burst` saved; `take()` spends one if it can."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def full(self) -> bool:
        return self.tokens + (time.monotonic() - self.stamp) * self.rate >= self.burst

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class PerAddress:
    """A TokenBucket per address group, made on first use; full ones are forgotten when
    there are many, so memory stays bounded however many addresses come and go."""

    PRUNE_ABOVE = 4096

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.buckets: dict[str, TokenBucket] = {}

    def take(self, address: str) -> bool:
        bucket = self.buckets.get(address)
        if bucket is None:
            if len(self.buckets) >= self.PRUNE_ABOVE:
                self.buckets = {a: b for a, b in self.buckets.items() if not b.full()}
            bucket = self.buckets[address] = TokenBucket(self.rate, self.burst)
        return bucket.take()


def origin_allowed(headers: Mapping[str, str], allowed: tuple[str, ...]) -> bool:
    """Same origin (Origin's host:port == Host), or listed; no Origin = not a browser.

    Browsers always send Origin on websockets, so a missing one means a script or the
    Python client, which a cross-site page cannot impersonate.
    """
    origin = headers.get("origin")
    if origin is None:
        return True
    if origin.rstrip("/") in allowed:
        return True
    return urlsplit(origin).netloc.lower() == headers.get("host", "").lower()
