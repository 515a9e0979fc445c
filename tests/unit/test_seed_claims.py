"""The article's main claims, pinned over the benchmark's 20 seeds (engine only, no server).

The thresholds are the article's words made numbers: "one neuron fails" is never, "three
get a much better loss" is most seeds. benchmarks/seed_claims.py prints the whole table.
"""

import pytest

from benchmarks.seed_claims import CLAIMS, SEEDS, Claim, runs

pytestmark = pytest.mark.slow


def claim(name: str) -> Claim:
    (found,) = [c for c in CLAIMS if c.name == name]
    return found


def successes(name: str) -> int:
    return sum(r.reached is not None for r in runs(claim(name)))


def test_the_seeds_are_twenty_distinct_page_seeds() -> None:
    assert len(set(SEEDS)) == 20 and all(len(s) == 7 for s in SEEDS)


@pytest.mark.timeout(600)
def test_the_circle_needs_three_neurons() -> None:
    assert successes("circle, 1 neuron fails") == 0  # never below 0.1 within 500 epochs
    assert successes("circle, 3 neurons works") >= 17


@pytest.mark.timeout(600)
def test_two_gaussian_clusters_converge_with_one_neuron_for_every_seed() -> None:
    results = runs(claim("gauss, 1 neuron converges"))
    assert all(r.reached is not None and r.reached <= 100 for r in results)
    assert all(abs(r.final_test - r.final_train) < 0.02 for r in results)  # curves overlap


@pytest.mark.timeout(600)
def test_xor_five_neurons_beat_three() -> None:
    assert successes("xor, 5 neurons works") >= 15
    assert successes("xor, 3 neurons fails in general") <= 12
