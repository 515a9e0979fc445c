"""The random streams: seedrandom test vectors, key smear, samplers, state, toFixed.

Expected numbers come from docs/playground-rules.md §2.1 and §2.8 (test vectors, formulas) or are
worked out by hand in the test, never read back from the code under test.
"""

import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from app.playground.datasets import NumpyRandom, PlaygroundRandom, RandomStream
from app.playground.rng import arc4_key, js_to_fixed

# docs/playground-rules.md §2.8 "Test vectors"
SEED_VECTORS = {
    "0.12345": [
        0.9152007406557323,
        0.4702753218035592,
        0.2736265229359467,
        0.4061024686767439,
        0.17774293688520318,
    ],
    "hello": [0.5463663768140734, 0.4397379377059223, 0.554769432473455],
}

STREAMS: dict[str, Callable[[], RandomStream]] = {
    "playground": lambda: PlaygroundRandom("0.12345"),
    "numpy": lambda: NumpyRandom(12345),
}


class StubStream(RandomStream):
    """Replays fixed values, so a sampler's arithmetic can be checked by hand."""

    def __init__(self, values: Sequence[float]) -> None:
        self.values = list(values)
        self.used = 0

    def random(self) -> float:
        self.used += 1
        return self.values[self.used - 1]

    def get_state(self) -> dict[str, Any]:
        return {"used": self.used}

    def set_state(self, state: dict[str, Any]) -> None:
        self.used = state["used"]


@pytest.mark.parametrize("seed", sorted(SEED_VECTORS))
def test_seedrandom_reproduces_spec_test_vectors_exactly(seed: str) -> None:
    rng = PlaygroundRandom(seed)
    expected = SEED_VECTORS[seed]
    assert [rng.random() for _ in expected] == expected


def test_key_smear_uses_the_code_units_directly_for_short_seeds() -> None:
    assert arc4_key("ab") == [97, 98]


def test_empty_seed_gets_the_key_zero() -> None:
    assert arc4_key("") == [0]
    assert 0 <= PlaygroundRandom("").random() < 1


def test_key_smear_folds_position_256_back_onto_slot_0() -> None:
    # 256 'a's fill slots 0..255 with 97 and leave smear at 0; the 257th code unit then
    # gives smear = 97·19 = 1843 and key[0] = (1843 + 97) & 255 = 148 (§2.8 "Key").
    key = arc4_key("a" * 257)
    assert len(key) == 256
    assert key[0] == 148
    assert key[1:] == [97] * 255


def test_key_smear_reads_utf16_code_units_not_code_points() -> None:
    # U+1F600 is the surrogate pair D83D DE00 in UTF-16: low bytes 0x3D and 0x00.
    assert arc4_key("\U0001f600") == [0x3D, 0x00]


def test_key_smear_keeps_a_lone_surrogate_as_its_code_unit() -> None:
    # JSON "\\udabc" decodes to a lone surrogate; JS would use code unit 0xDABC.
    assert arc4_key("\udabc") == [0xBC]


def spec_stream(seed: str, count: int) -> list[float]:
    """seedrandom 2.4.4 ARC4 written straight from the §2.8 bullet list, slow and plain."""
    key: dict[int, int] = {}
    smear = 0
    units = seed.encode("utf-16-le", "surrogatepass")
    for j in range(len(units) // 2):
        code = int.from_bytes(units[2 * j : 2 * j + 2], "little")
        smear ^= key.get(j & 255, 0) * 19
        key[j & 255] = (smear + code) & 255
    k = [key[idx] for idx in sorted(key)] or [0]
    S = list(range(256))
    j = 0
    for i in range(256):
        j = (j + S[i] + k[i % len(k)]) % 256
        S[i], S[j] = S[j], S[i]
    state = {"i": 0, "j": 0}

    def byte() -> int:
        state["i"] = (state["i"] + 1) % 256
        state["j"] = (state["j"] + S[state["i"]]) % 256
        S[state["i"]], S[state["j"]] = S[state["j"]], S[state["i"]]
        return S[(S[state["i"]] + S[state["j"]]) % 256]

    for _ in range(256):
        byte()
    out = []
    for _ in range(count):
        n = float(sum(byte() * 256.0 ** (5 - b) for b in range(6)))
        d, x = 2.0**48, 0
        while n < 2.0**52:
            n, d, x = (n + x) * 256, d * 256, byte()
        while n >= 2.0**53:
            n, d, x = n / 2, d / 2, x >> 1
        out.append((n + x) / d)
    return out


@pytest.mark.parametrize("seed", ["0.12345", "hello", "", "0.59934", "\u00e9t\u00e9", "x" * 300])
def test_stream_matches_a_plain_port_of_the_spec_algorithm(seed: str) -> None:
    expected = spec_stream(seed, 400)
    assert sum(r < 1 / 16 for r in expected) > 0  # the extra-byte branch is exercised
    rng = PlaygroundRandom(seed)
    assert [rng.random() for _ in range(400)] == expected


def test_same_seed_gives_the_same_stream() -> None:
    a, b = PlaygroundRandom("abc"), PlaygroundRandom("abc")
    assert [a.random() for _ in range(50)] == [b.random() for _ in range(50)]


@pytest.mark.parametrize(
    "make_pair",
    [
        lambda: (PlaygroundRandom("0.12345"), PlaygroundRandom("0.12346")),
        lambda: (NumpyRandom(1), NumpyRandom(2)),
    ],
    ids=["playground", "numpy"],
)
def test_different_seeds_give_different_streams(
    make_pair: Callable[[], tuple[RandomStream, RandomStream]],
) -> None:
    a, b = make_pair()
    assert [a.random() for _ in range(5)] != [b.random() for _ in range(5)]


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_every_draw_lies_in_the_half_open_unit_interval(name: str) -> None:
    rng = STREAMS[name]()
    draws = [rng.random() for _ in range(2000)]
    assert all(0.0 <= r < 1.0 for r in draws)
    assert 0.45 < sum(draws) / len(draws) < 0.55


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_restored_state_continues_the_stream_identically(name: str) -> None:
    rng = STREAMS[name]()
    for _ in range(10):
        rng.random()
    saved = json.loads(json.dumps(rng.get_state()))  # must survive JSON
    expected = [rng.random() for _ in range(50)]
    other = PlaygroundRandom("unrelated") if name == "playground" else NumpyRandom(999)
    other.set_state(saved)
    assert [other.random() for _ in range(50)] == expected


@pytest.mark.parametrize("name", sorted(STREAMS))
def test_state_snapshot_does_not_change_when_the_stream_moves_on(name: str) -> None:
    rng = STREAMS[name]()
    state = rng.get_state()
    frozen = json.dumps(state)
    rng.random()
    assert json.dumps(state) == frozen


def test_playground_state_is_plain_ints_and_lists_of_ints() -> None:
    state = PlaygroundRandom("x").get_state()
    assert set(state) == {"i", "j", "S", "draws"}  # draws: the position a run link names
    assert state["draws"] == 0
    assert sorted(state["S"]) == list(range(256))
    assert isinstance(state["i"], int)
    assert isinstance(state["j"], int)


@pytest.mark.parametrize(
    "bad",
    [
        {"i": 0, "j": 0, "S": [0] * 256},
        {"i": 0, "j": 256, "S": list(range(256))},
        {"i": 0, "S": list(range(256))},
    ],
    ids=["S-not-a-permutation", "j-out-of-range", "j-missing"],
)
def test_malformed_playground_state_is_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        PlaygroundRandom("x").set_state(bad)


def test_numpy_stream_is_pcg64_from_the_seed() -> None:
    reference = np.random.Generator(np.random.PCG64(7))
    rng = NumpyRandom(7)
    assert [rng.random() for _ in range(5)] == [float(reference.random()) for _ in range(5)]


def test_seed_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        PlaygroundRandom(12345)  # type: ignore[arg-type]


# ---- samplers (§2.1, §2.8) on a stub stream ----


def test_uniform_is_r_times_width_plus_a() -> None:
    rng = StubStream([0.25, 0.5])
    assert rng.uniform(-5.0, 5.0) == -2.5
    assert rng.uniform(3.5, 5.0) == 4.25


def test_normal_rejects_s_above_one_and_discards_v2() -> None:
    # (0.95, 0.95): v1 = v2 = 0.9, s = 1.62 > 1, rejected. (0.75, 0.5): v1 = 0.5, v2 = 0,
    # s = 0.25 accepted. mean + √variance · v1 · √(−2 ln s / s) with mean 2, variance 4.
    rng = StubStream([0.95, 0.95, 0.75, 0.5])
    expected = 2 + 2 * 0.5 * math.sqrt(-2 * math.log(0.25) / 0.25)
    assert rng.normal(2.0, 4.0) == pytest.approx(expected, rel=1e-15)
    assert rng.used == 4


def test_normal_accepts_s_equal_to_one() -> None:
    # v1 = −1, v2 = 0: s = 1 is accepted (spec: repeat while s > 1), and ln 1 = 0.
    rng = StubStream([0.0, 0.5])
    assert rng.normal(3.0, 9.0) == 3.0
    assert rng.used == 2


def test_shuffle_swaps_from_the_back_with_floor_r_times_c() -> None:
    # r = 0 each time: c=3 swaps a[2],a[0]; c=2 swaps a[1],a[0]; c=1 swaps a[0],a[0].
    items = ["a", "b", "c"]
    StubStream([0.0, 0.0, 0.0]).shuffle(items)
    assert items == ["b", "c", "a"]


def test_shuffle_draws_one_number_per_element() -> None:
    # r = 0.99: k = floor(0.99·c) = c − 1, so every swap is with itself.
    rng = StubStream([0.99] * 4)
    items = [1, 2, 3, 4]
    rng.shuffle(items)
    assert items == [1, 2, 3, 4]
    assert rng.used == 4


# ---- next_seed: JS toFixed(5) ----


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.015625, "0.01563"),  # exact binary tie: JS takes the larger n
        (0.078125, "0.07813"),  # another exact tie that half-even would round down
        (0.046875, "0.04688"),
        (0.59934, "0.59934"),
        (0.0, "0.00000"),
        (0.999996, "1.00000"),
    ],
)
def test_to_fixed_rounds_like_javascript(value: float, expected: str) -> None:
    assert js_to_fixed(value, 5) == expected


def test_to_fixed_uses_the_exact_binary_value_not_the_decimal_literal() -> None:
    # 1.005 is stored as 1.00499999999999989..., so JS's (1.005).toFixed(2) is "1.00".
    assert js_to_fixed(1.005, 2) == "1.00"


def test_python_format_would_get_the_tie_wrong() -> None:
    assert format(0.015625, ".5f") == "0.01562"  # why js_to_fixed exists


def test_next_seed_formats_the_next_draw_with_to_fixed() -> None:
    rng = StubStream([0.015625])
    assert rng.next_seed() == "0.01563"
    assert rng.used == 1


def test_next_seed_consumes_one_draw_of_the_seeded_stream() -> None:
    rng = PlaygroundRandom("0.12345")
    assert rng.next_seed() == "0.91520"  # first test vector 0.9152007406557323
    assert rng.random() == SEED_VECTORS["0.12345"][1]
