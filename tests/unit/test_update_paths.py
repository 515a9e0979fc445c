"""Every path an update can take equals the optimizer's reference rule, for every optimizer
and every hyperparameter in the registry (issue 21, item 3).

The reference is `Optimizer.apply` on plain lists of arrays: the rule as written, one
`_update` call per array. The other paths: `apply` on FlatParams (the rule once over the flat
vector), the Trainer's general update (update.py's `_update`), the update the Trainer picks
itself (the fused flat step, for plain SGD), and the gang (app/engine/gang.py, plain SGD).
Each case sets one hyperparameter to a value other than its default, read off the optimizer's
own fields, so a hyperparameter added later is covered without editing this file; a fast path
that ignored it would differ from the reference here, however alike the fast paths are.
"""

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pytest

from app.engine import Network, Trainer
from app.engine.gang import GangKernel, gang_key, start_of, train_together
from app.engine.optimizers import OPTIMIZERS, SGD, Optimizer
from app.engine.types import FloatArray

EPOCHS, ROWS, BATCH = 3, 40, 10
Case = tuple[type[Optimizer], dict[str, Any]]


def other_value(default: Any) -> Any:
    """A valid value that is not the default: the other bool, 0.1 for 0, else half."""
    if isinstance(default, bool):
        return not default
    return 0.1 if default == 0 else default * 0.5


def cases(registry: Mapping[str, type[Optimizer]]) -> dict[str, Case]:
    """Per optimizer its defaults, and each of its hyperparameters changed alone."""
    found: dict[str, Case] = {}
    for name, cls in registry.items():
        found[f"{name}-defaults"] = (cls, {})
        for f in dataclasses.fields(cls):
            found[f"{name}-{f.name}"] = (cls, {f.name: other_value(f.default)})
    return found


def data(seed: int) -> tuple[FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    F = rng.uniform(-1, 1, (ROWS, 2))
    return F, np.where(F[:, 0] * F[:, 1] > 0, 1.0, -1.0)


def trainer(case: Case, seed: int) -> Trainer:
    cls, options = case
    net = Network(2, [3, 2], rng=np.random.default_rng(seed))
    return Trainer(net, cls(**options), batch_size=BATCH)


def by_rule(flat: bool) -> Callable[[Trainer], Callable[[int], None]]:
    """The mean gradient, then the optimizer's `apply` on the Trainer's flat vectors or on
    plain lists of per-array views (the reference)."""

    def updater(t: Trainer) -> Callable[[int], None]:
        def update(n: int) -> None:
            grads = t._kernel.grads
            np.divide(grads.flat, float(n), out=grads.flat)
            if flat:
                t.optimizer.apply(t.net.params, grads)
            else:
                t.optimizer.apply(list(t.net.params), list(grads))

        return update

    return updater


def by_trainer(general: bool) -> Callable[[Trainer], Callable[[int], None] | None]:
    """update.py's general `_update`, or whatever the Trainer picks (None: its own)."""
    return lambda t: t._update if general else None


PATHS: dict[str, Callable[[Trainer], Callable[[int], None] | None]] = {
    "reference": by_rule(flat=False),
    "flat apply": by_rule(flat=True),
    "general update": by_trainer(general=True),
    "the trainer's choice": by_trainer(general=False),
}


def alone(case: Case, seed: int, path: str) -> FloatArray:
    t = trainer(case, seed)
    update = PATHS[path](t)
    if update is not None:
        t._updater = lambda: update  # type: ignore[method-assign]
    for _ in range(EPOCHS):
        t.train_epoch(*data(seed))
    assert t.optimizer.iterations == EPOCHS * ROWS // BATCH
    return t.net.params.flat.copy()


def in_a_gang(case: Case, seeds: list[int]) -> list[FloatArray] | None:
    """Members of other seeds trained together, or None where the case does not gang."""
    members = [trainer(case, seed) for seed in seeds]
    if gang_key(members[0], ROWS) is None:
        return None
    kernel = GangKernel(members[0].net.layer_sizes, "tanh", "tanh", len(members), BATCH)
    for _ in range(EPOCHS):
        results = train_together(kernel, [start_of(t) for t in members], [data(s) for s in seeds])
        for t, result in zip(members, results, strict=True):
            assert result is not None
            t.commit_epoch(result.params, result.updates, result.outputs)
    return [t.net.params.flat for t in members]


def check_every_path(case: Case) -> set[str]:
    """Assert every path equals the reference to the bit; the paths that were checked."""
    seeds = [1, 2]
    reference = [alone(case, seed, "reference") for seed in seeds]
    assert not np.array_equal(reference[0], trainer(case, 1).net.params.flat)  # it trained
    for path in PATHS:
        for seed, expected in zip(seeds, reference, strict=True):
            assert np.array_equal(alone(case, seed, path), expected), (path, seed)
    gang = in_a_gang(case, seeds)
    if gang is None:
        return set(PATHS)
    for got, expected in zip(gang, reference, strict=True):
        assert np.array_equal(got, expected), "gang"
    return {*PATHS, "gang"}


CASES = cases(OPTIMIZERS)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_every_update_path_equals_the_reference_rule(case: Case) -> None:
    check_every_path(case)


def test_plain_sgd_really_takes_the_fast_paths() -> None:
    """Not vacuous: plain SGD (with a decay) is offered the fused step and gangs."""
    for options in ({}, {"decay": 0.1}, {"nesterov": True}):
        t = trainer((SGD, options), 1)
        assert t.optimizer.flat_step(t.net.params.shapes) is not None
        assert check_every_path((SGD, options)) == {*PATHS, "gang"}
    momentum = trainer((SGD, {"momentum": 0.1}), 1)
    assert momentum.optimizer.flat_step(momentum.net.params.shapes) is None


@dataclass(eq=False)
class DecayedSGD(SGD):
    """SGD with an L2 weight decay term: a hyperparameter the fast paths do not know."""

    name: ClassVar[str] = "sgd_with_weight_decay"
    weight_decay: float = 0.0

    def _update(self, w: FloatArray, g: FloatArray, s: Any, lr: float, t: int) -> None:
        super()._update(w, g + self.weight_decay * w, s, lr, t)


def test_a_hyperparameter_added_later_is_covered_and_rules_the_fast_paths_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fake optimizer with a new hyperparameter: its cases appear by themselves, every
    path agrees with its rule, and a fast path that ignored the new hyperparameter (as
    the old `momentum == 0` guard did) would be caught."""
    fake = cases({DecayedSGD.name: DecayedSGD})
    assert f"{DecayedSGD.name}-weight_decay" in fake
    for case in fake.values():
        check_every_path(case)
    assert check_every_path(fake[f"{DecayedSGD.name}-weight_decay"]) == set(PATHS)  # no gang
    # The old guard: plain SGD whenever momentum is 0, whatever else is set.
    monkeypatch.setattr(
        DecayedSGD, "PLAIN_WHEN", {**(SGD.PLAIN_WHEN or {}), "weight_decay": (0.0, 0.1)}
    )
    with pytest.raises(AssertionError):
        check_every_path(fake[f"{DecayedSGD.name}-weight_decay"])
