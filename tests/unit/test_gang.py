"""Gang training (app/engine/gang.py) gives each member exactly what solo training gives.

Each case builds every session twice from the same settings and seed: one copy trains alone
(Trainer.train_epoch), the other in a gang with sessions of other seeds (other data, other
weights). After every epoch the two copies must agree to the bit: weights, step count,
loss and the outputs the loss was taken at. Solo training is the reference; nothing here
is computed by the code under test alone.
"""

import numpy as np
import pytest

from app.engine.gang import GangKernel, Result, Start, gang_key, start_of, train_together
from app.engine.training import DivergenceError
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings

ALL = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"]
CASES = {
    "config A": {"dataset": "circle", "network_shape": [4, 2], "features": ["x", "y"]},
    "6x8, all inputs": {"dataset": "spiral", "network_shape": [8] * 6, "features": ALL},
    "relu, batch 1": {
        "dataset": "xor",
        "network_shape": [3],
        "activation": "relu",
        "batch_size": 1,
    },
    "sigmoid, batch 25": {
        "dataset": "gauss",
        "network_shape": [5, 5],
        "activation": "sigmoid",
        "batch_size": 25,
        "learning_rate": 0.3,
    },
    "regression, linear": {
        "problem": "regression",
        "reg_dataset": "reg-plane",
        "network_shape": [2],
        "activation": "linear",
        "learning_rate": 0.01,
    },
}


def sessions(settings: dict, seeds: list[str]) -> list[Session]:
    """Fresh sessions, as a reset leaves them: their first epoch gangs as every later one."""
    return [Session(PlaygroundSettings(**settings, seed=seed)) for seed in seeds]


def together(kernel: GangKernel, gang: list[Session]) -> list[Result]:
    """One gang epoch, each result committed as its session's owner would commit it."""
    starts = [start_of(s.trainer) for s in gang]
    results = train_together(kernel, starts, [(s.Ftr, s.Ttr) for s in gang])
    for session, result in zip(gang, results, strict=True):
        if result is not None:
            session.trainer.commit_epoch(result.params, result.updates, result.outputs)
    return results


@pytest.mark.parametrize("name", list(CASES))
def test_a_gang_epoch_is_each_members_solo_epoch_to_the_bit(name: str) -> None:
    seeds = ["g1", "g2", "g3", "g4"]
    solo, gang = sessions(CASES[name], seeds), sessions(CASES[name], seeds)
    keys = {gang_key(s.trainer, len(s.Ftr)) for s in gang}
    assert len(keys) == 1 and None not in keys, keys
    net = gang[0].net
    B = gang[0].trainer.batch_size
    kernel = GangKernel(net.layer_sizes, net.activation, net.output_activation, len(gang), B)
    for _ in range(6):
        results = together(kernel, gang)
        for alone, mate, result in zip(solo, gang, results, strict=True):
            loss = alone.trainer.train_epoch(alone.Ftr, alone.Ttr)
            assert result is not None
            assert np.array_equal(mate.net.params.flat, alone.net.params.flat)
            assert mate.trainer.optimizer.iterations == alone.trainer.optimizer.iterations
            if result.loss is None:  # not taken: the frame's own pass must find the same
                assert result.outputs is None and mate.trainer.last_outputs is None
                assert mate.trainer.loss(mate.Ftr, mate.Ttr) == loss
            else:
                assert result.loss == loss
                assert np.array_equal(result.outputs, alone.trainer.last_outputs)
    # The copies really trained (a gang that changed nothing would pass the checks above
    # only if solo training changed nothing too).
    assert not np.array_equal(
        gang[0].net.params.flat, sessions(CASES[name], ["g1"])[0].net.params.flat
    )


@pytest.mark.parametrize(
    ("name", "skips"),
    [("config A", True), ("sigmoid, batch 25", True), ("relu, batch 1", False),
     ("regression, linear", False)],
)  # fmt: skip
def test_the_loss_pass_is_skipped_only_where_nothing_can_overflow(name: str, skips: bool) -> None:
    gang = sessions(CASES[name], ["s1", "s2"])
    net, B = gang[0].net, gang[0].trainer.batch_size
    kernel = GangKernel(net.layer_sizes, net.activation, net.output_activation, 2, B)
    results = together(kernel, gang)
    assert all(r is not None and (r.loss is None) == skips for r in results)


@pytest.mark.parametrize(
    ("size", "diverges"),
    [(1e200, False), (1e298, False), (1e300, False), (1e306, False), (1.7e308, False),
     (np.inf, True), (np.nan, True)],
)  # fmt: skip
def test_a_tanh_gang_diverges_exactly_when_training_alone_does(size: float, diverges: bool) -> None:
    """Weights of ±size up to float64's limit (tanh saturates, so these train on) and
    weights that are not finite (which diverge): a member either commits the weights it
    would have alone or is left untouched where its Trainer alone raises DivergenceError,
    so the skipped loss pass (GangKernel.cannot_overflow) hides nothing."""
    solo, gang = (
        sessions(CASES["config A"], ["r1", "r2"]),
        sessions(CASES["config A"], ["r1", "r2"]),
    )
    for s in solo + gang:
        s.net.params.flat[::3] *= size  # includes a first-layer weight
    kernel = GangKernel(gang[0].net.layer_sizes, "tanh", "tanh", 2, 10)
    before = [g.net.params.flat.copy() for g in gang]
    results = together(kernel, gang)
    for alone, mate, result, old in zip(solo, gang, results, before, strict=True):
        try:
            alone.trainer.train_epoch(alone.Ftr, alone.Ttr)
        except DivergenceError:
            assert diverges and result is None
            assert np.array_equal(mate.net.params.flat, old, equal_nan=True)
            continue
        assert not diverges and result is not None
        assert np.array_equal(mate.net.params.flat, alone.net.params.flat)


def test_a_diverging_member_is_left_untouched_and_the_others_commit() -> None:
    wild_settings = {
        "problem": "regression",
        "reg_dataset": "reg-plane",
        "network_shape": [4],
        "activation": "linear",
        "learning_rate": 10.0,
    }
    [wild] = sessions(wild_settings, ["w"])
    [tame] = sessions({**wild_settings, "learning_rate": 0.001}, ["t"])
    members = [wild, tame]
    kernel = GangKernel(wild.net.layer_sizes, "linear", "linear", 2, wild.trainer.batch_size)
    for _ in range(50):
        before = wild.net.params.flat.copy(), wild.trainer.optimizer.iterations
        tame_before = tame.net.params.flat.copy()
        results = together(kernel, members)
        assert results[1] is not None and not np.array_equal(tame.net.params.flat, tame_before)
        if results[0] is None:
            break
    else:
        pytest.fail("learning rate 10 on a linear network never diverged in 50 epochs")
    assert np.array_equal(wild.net.params.flat, before[0])
    assert wild.trainer.optimizer.iterations == before[1]
    assert np.isfinite(wild.net.params.flat).all()


@pytest.mark.parametrize(
    "change",
    [
        {"regularization": "L2", "regularization_rate": 0.01},
        {"batch_size": 7},  # 250 rows: 5 left over each epoch, carried
        {"optimizer": "adam"},
        {"gradient_view": True},
        {"network_shape": []},
        {"dataset": "blobs3"},  # three classes: softmax outputs
    ],
    ids=lambda c: ",".join(c),
)
def test_what_gangs_and_what_trains_alone(change: dict) -> None:
    base = {"dataset": "circle", "network_shape": [4, 2]}
    assert gang_key(sessions(base, ["k"])[0].trainer, 250) is not None
    alone = sessions({**base, **change}, ["k"])[0]
    assert gang_key(alone.trainer, len(alone.Ftr)) is None


def test_members_with_their_own_rates_and_decays_each_get_their_solo_epochs() -> None:
    """Rate and decay are per member (not in the key): each update's rate must be the
    member's own lr / (1 + decay · k), at its own step count k."""
    options = [(0.03, 0.0), (0.1, 0.01), (0.3, 0.5), (0.003, 1e-4)]

    def build() -> list[Session]:
        made = [
            Session(
                PlaygroundSettings(
                    dataset="circle",
                    network_shape=[4, 2],
                    learning_rate=rate,
                    optimizer_options={"decay": decay},
                    seed=f"d{i}",
                )
            )
            for i, (rate, decay) in enumerate(options)
        ]
        for i, s in enumerate(made):
            s.step(1 + i)
            s.advance(1 + i)  # different step counts going in
        return made

    solo, gang = build(), build()
    net = gang[0].net
    kernel = GangKernel(net.layer_sizes, net.activation, net.output_activation, len(gang), 10)
    for _ in range(3):
        together(kernel, gang)
        for alone, mate in zip(solo, gang, strict=True):
            alone.trainer.train_epoch(alone.Ftr, alone.Ttr)
            assert np.array_equal(mate.net.params.flat, alone.net.params.flat)
            assert mate.trainer.optimizer.iterations == alone.trainer.optimizer.iterations


def test_a_gang_changes_no_trainer_its_results_are_for_the_owners_to_commit() -> None:
    """The arithmetic reads its members' Trainers and writes none: an owner that never
    commits (a result gone stale) finds its session as it was."""
    gang = sessions(CASES["config A"], ["o1", "o2"])
    before = [(s.net.params.flat.copy(), s.trainer.optimizer.iterations) for s in gang]
    kernel = GangKernel(gang[0].net.layer_sizes, "tanh", "tanh", 2, 10)
    starts = [start_of(s.trainer) for s in gang]
    results = train_together(kernel, starts, [(s.Ftr, s.Ttr) for s in gang])
    for session, (params, steps), result in zip(gang, before, results, strict=True):
        assert np.array_equal(session.net.params.flat, params)
        assert session.trainer.optimizer.iterations == steps
        assert result is not None and result.updates == len(session.Ftr) // 10
        assert not np.array_equal(result.params, params)


def test_a_member_starts_from_epochs_not_yet_committed() -> None:
    """Two gang epochs in a row, the second started from the first's uncommitted results,
    equal two solo epochs (how a runner chains epochs for a mate it trains for)."""
    solo, gang = (
        sessions(CASES["config A"], ["c1", "c2"]),
        sessions(CASES["config A"], ["c1", "c2"]),
    )
    kernel = GangKernel(gang[0].net.layer_sizes, "tanh", "tanh", 2, 10)
    data = [(s.Ftr, s.Ttr) for s in gang]
    first = train_together(kernel, [start_of(s.trainer) for s in gang], data)
    chained = [
        Start(s.trainer, r.params, s.trainer.optimizer.iterations + r.updates)
        for s, r in zip(gang, first, strict=True)
        if r is not None
    ]
    second = train_together(kernel, chained, data)
    for alone, result in zip(solo, second, strict=True):
        alone.trainer.train_epoch(alone.Ftr, alone.Ttr)
        alone.trainer.train_epoch(alone.Ftr, alone.Ttr)
        assert result is not None
        assert np.array_equal(result.params, alone.net.params.flat)
