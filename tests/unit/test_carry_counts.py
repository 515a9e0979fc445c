"""Issue 20, item 1: where a hand edit met carried rows is found in closed form, with the
same answer as training epoch by epoch, at a cost that does not grow with the epochs."""

import time
from types import SimpleNamespace
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.export.replay_source import carry_counts


def epoch_by_epoch(n_base: int, n_added: int, batch: int, epochs: int, events: list[Any],
                   datasets: list[Any]) -> dict[int, int]:  # fmt: skip
    """The playground's carry (spec §4.5) one epoch at a time: the reference."""
    pending, counts, carried = list(events), {0: 0}, 0
    for epoch in range(epochs):
        while pending and pending[0][0] == epoch:
            kind, *args = pending.pop(0)[1]
            if kind == "regenerate":
                n_base = len(datasets[args[0]][0])
            elif kind == "add_point":
                n_added += 1
            elif kind == "clear_points":
                n_added = 0
        n = n_base + n_added
        carried = (carried if n < batch else 0) + n % batch
        counts[epoch + 1] = carried
    return counts


def record(n_base: int, n_added: int, batch: int, epochs: int, events: list[Any],
           datasets: list[Any]) -> Any:  # fmt: skip
    """The parts of a RunRecord carry_counts reads."""
    return SimpleNamespace(
        settings=SimpleNamespace(mode="playground", batch_size=batch),
        Ftr=np.zeros((n_base + n_added, 2)),
        epochs=epochs,
        replay=SimpleNamespace(events=tuple(events), datasets=tuple(datasets), n_added=n_added),
    )


KINDS = ["regenerate", "add_point", "clear_points", "weight", "learning_rate"]


@settings(max_examples=300, deadline=None)
@given(
    n_base=st.integers(0, 40),
    n_added=st.integers(0, 5),
    batch=st.integers(1, 30),
    epochs=st.integers(0, 60),
    raw=st.lists(
        st.tuples(st.integers(0, 70), st.sampled_from(KINDS), st.integers(0, 2)), max_size=12
    ),  # fmt: skip
    sizes=st.lists(st.integers(0, 40), min_size=3, max_size=3),
)
def test_closed_form_agrees_with_epoch_by_epoch(n_base: int, n_added: int, batch: int,
                                                epochs: int, raw: list[Any],
                                                sizes: list[int]) -> None:  # fmt: skip
    datasets = [(np.zeros((n, 2)),) for n in sizes]
    events = sorted(
        ((e, (k, i) if k == "regenerate" else (k,)) for e, k, i in raw), key=lambda p: p[0]
    )
    expected = epoch_by_epoch(n_base, n_added, batch, epochs, events, datasets)
    got = carry_counts(record(n_base, n_added, batch, epochs, events, datasets))
    for epoch, carried in got.items():
        assert expected[epoch] == carried, (epoch, got, expected)
    # every epoch an edit can name (an event before the last epoch) is answered
    assert {e for e, _ in events if e < epochs} <= set(got)


def test_a_billion_epochs_cost_no_more_than_ten() -> None:
    events = [(e * 1000, ("weight",)) for e in range(10_000)]  # the run log's limit
    start = time.perf_counter()
    counts = carry_counts(record(497, 3, 10, 10**9, events, []))
    assert time.perf_counter() - start < 0.5
    assert counts[10**9] == 0 and counts[5000] == 0  # 500 rows, batch 10: nothing carried
    odd = carry_counts(record(7, 0, 10, 10**9, [(10**8, ("weight",))], []))
    assert odd[10**8] == 7 * 10**8  # shorter than a batch: every epoch's rows carried on
