"""Seeded random streams: the playground's seedrandom stream, and a NumPy one.

What it is: `PlaygroundRandom`, a bit-exact port of seedrandom 2.4.4's ARC4 generator as
the playground uses it (`Math.seedrandom(seed)` replacing `Math.random`,
docs/playground-rules.md §2.8), and `NumpyRandom`, the same interface over NumPy's PCG64. Both
share the playground's samplers (uniform, Marsaglia polar normal, Fisher–Yates, §2.1/§2.8)
and a JSON-able state, so a checkpoint continues a stream bit for bit.

What it is not: a fast or cryptographic generator, or anything that knows about datasets
or networks; `app.playground.datasets` and the engine take these streams, never the reverse, so this
module imports neither.

Trade-off: ARC4 runs one byte at a time in pure Python (about 3 µs per draw), which is slow
next to NumPy but exact; a page load needs only a few thousand draws.
"""

import hashlib
import math
import random
from abc import ABC, abstractmethod
from collections.abc import MutableSequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")


def js_to_fixed(value: float, digits: int = 5) -> str:
    """JS `Number.prototype.toFixed(digits)` for finite |value| < 1e21.

    JS picks the n nearest to the *exact* binary value and, on a tie, the larger n, so
    Python's half-even `format` is wrong on ties. Example: 0.015625 -> "0.01563".
    """
    if not math.isfinite(value):
        raise ValueError(f"toFixed of a non-finite value: {value}")
    exact = Decimal(value if value != 0 else 0.0)  # JS prints -0 as "0.00000"
    return format(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), "f")


class RandomStream(ABC):
    """A stream of floats in [0, 1) and the playground's samplers built on it (§2.1)."""

    @abstractmethod
    def random(self) -> float:
        """The next float in [0, 1)."""

    @abstractmethod
    def get_state(self) -> dict[str, Any]:
        """A JSON-able snapshot from which `set_state` continues the stream identically."""

    @abstractmethod
    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a snapshot taken by `get_state`."""

    def uniform(self, a: float, b: float) -> float:
        """U(a, b) = r·(b − a) + a, in exactly this association (§2.1)."""
        return self.random() * (b - a) + a

    def normal(self, mean: float = 0.0, variance: float = 1.0) -> float:
        """Marsaglia polar sample; the second argument is a VARIANCE (§2.1).

        Two draws per attempt, v2 discarded. s = 0 is also rejected (JS would return NaN
        there; it needs two draws of exactly 0.5, so no seed can tell the difference).
        """
        while True:
            v1 = 2 * self.random() - 1
            v2 = 2 * self.random() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s <= 1:
                return mean + math.sqrt(variance) * (math.sqrt(-2 * math.log(s) / s) * v1)

    def shuffle(self, items: MutableSequence[T]) -> None:
        """Fisher–Yates in place, the playground's way round (§2.8).

        Swapping rows of a 2-D ndarray this way corrupts them (rows are views), so shuffle
        a list of indices and take the rows with it, as `app.playground.datasets.generate` does.
        """
        c = len(items)
        while c > 0:
            k = math.floor(self.random() * c)
            c -= 1
            items[c], items[k] = items[k], items[c]

    def next_seed(self) -> str:
        """The Regenerate button's new seed: `Math.random().toFixed(5)` (§2.8)."""
        return js_to_fixed(self.random(), 5)


def arc4_key(seed: str) -> list[int]:
    """seedrandom's key smear over the seed's UTF-16 code units (§2.8 "Key").

    Example: "" -> [0]; "a" -> [97].
    """
    raw = seed.encode("utf-16-le", "surrogatepass")  # JS strings may hold lone surrogates
    key: list[int] = []
    smear = 0
    for j in range(len(raw) // 2):
        slot = j & 255
        old = key[slot] if slot < len(key) else 0  # a missing entry counts as 0
        smear ^= old * 19
        value = (smear + (raw[2 * j] | raw[2 * j + 1] << 8)) & 255
        if slot < len(key):
            key[slot] = value
        else:
            key.append(value)
    return key or [0]


class PlaygroundRandom(RandomStream):
    """The global `Math.random` after `Math.seedrandom(seed)` (seedrandom 2.4.4, ARC4)."""

    def __init__(self, seed: str) -> None:
        if not isinstance(seed, str):
            raise TypeError(f"the seed is a string, got {type(seed).__name__}")
        self.seed = seed
        key = arc4_key(seed)
        s = list(range(256))
        j = 0
        for i in range(256):  # standard RC4 key scheduling, key indexed cyclically
            t = s[i]
            j = (j + key[i % len(key)] + t) & 255
            s[i] = s[j]
            s[j] = t
        self._s, self._i, self._j = s, 0, 0
        self._bytes(256)  # seedrandom drops the first 256 output bytes
        # Draws since seeding (None: unknown, restored from a state that lacked it). With the
        # seed, it is the stream's position: a "Link to this run" replays a reset from it.
        self.draws: int | None = 0

    def _bytes(self, count: int) -> int:
        """The next `count` RC4 output bytes as one big-endian integer."""
        s, i, j, out = self._s, self._i, self._j, 0
        for _ in range(count):
            i = (i + 1) & 255
            t = s[i]
            j = (j + t) & 255
            u = s[j]
            s[i] = u
            s[j] = t
            out = (out << 8) | s[(u + t) & 255]
        self._i, self._j = i, j
        return out

    def random(self) -> float:
        """seedrandom's 52/53-bit output loop (§2.8 "Output").

        The loop's first pass always runs (6 bytes are < 2^52), so it is folded into one
        read of 7 bytes: n = the 6 bytes · 256, x = the 7th, d = 2^56. Python ints stand in
        for JS's doubles: every value is an integer JS holds exactly (n stays a multiple of
        2^(8−k) after k halvings, so n + x < 2^53), halving k times is a shift by k, and
        int / int true division rounds as JS's double division does.
        """
        if self.draws is not None:
            self.draws += 1
        s, i, j, acc = self._s, self._i, self._j, 0
        for _ in range(7):  # RC4 output bytes, inlined: this is the hot loop
            i = (i + 1) & 255
            t = s[i]
            j = (j + t) & 255
            u = s[j]
            s[i] = u
            s[j] = t
            acc = (acc << 8) | s[(u + t) & 255]
        self._i, self._j = i, j
        x = acc & 255
        n, d = acc - x, 2**56
        while n < 2**52:  # 1 in 16 draws: the first byte was < 16
            n = (n + x) * 256
            d *= 256
            x = self._bytes(1)
        shift = n.bit_length() - 53  # the "while n >= 2^53: halve" loop, in one step
        if shift > 0:
            n, d, x = n >> shift, d >> shift, x >> shift
        return (n + x) / d

    def skip(self, count: int) -> None:
        """Draw and discard `count` values: reach a position a run link names (~3 µs each)."""
        for _ in range(count):
            self.random()

    def get_state(self) -> dict[str, Any]:
        return {"i": self._i, "j": self._j, "S": list(self._s), "draws": self.draws}

    def set_state(self, state: dict[str, Any]) -> None:
        """All or nothing; a state without "draws" (an older checkpoint) leaves it unknown."""
        s, i, j = state.get("S"), state.get("i"), state.get("j")
        draws = state.get("draws")
        if draws is not None and (isinstance(draws, bool) or not isinstance(draws, int)):
            raise ValueError("state['draws'] must be an int or null")
        if draws is not None and draws < 0:
            raise ValueError("state['draws'] must not be negative")
        if not (isinstance(s, list) and sorted(s) == list(range(256))):
            raise ValueError("state['S'] must be a permutation of 0..255")
        if not (isinstance(i, int) and isinstance(j, int) and 0 <= i <= 255 and 0 <= j <= 255):
            raise ValueError("state['i'] and state['j'] must be ints in 0..255")
        self._s, self._i, self._j = [int(v) for v in s], i, j
        self.draws = draws


class NumpyRandom(RandomStream):
    """The same interface over `np.random.Generator(PCG64(seed))`; None seeds from the OS."""

    def __init__(self, seed: int | None = None) -> None:
        self._generator = np.random.Generator(np.random.PCG64(seed))

    def random(self) -> float:
        return float(self._generator.random())

    def get_state(self) -> dict[str, Any]:
        return dict(self._generator.bit_generator.state)  # a fresh dict of ints (and a name)

    def set_state(self, state: dict[str, Any]) -> None:
        self._generator.bit_generator.state = state


_NATIVE = random.Random()  # its own instance: never disturbs (or is disturbed by) the global one


def native_seed() -> str:
    """A fresh seed like the playground's `Math.random().toFixed(5)` (§2.8)."""
    return f"{_NATIVE.random():.5f}"


def keras_generator(seed: str) -> np.random.Generator:
    """The NumPy stream for Keras initializers and shuffling, derived from the same seed."""
    digest = hashlib.sha256(seed.encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))
