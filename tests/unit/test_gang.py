"""Gang training (app/engine/gang.py) gives each member exactly what solo training gives.

Each case builds every session twice from the same settings and seed: one copy trains alone
(Trainer.train_epoch), the other in a gang with sessions of other seeds (other data, other
weights). After every epoch the two copies must agree to the bit: weights, step count,
loss and the outputs the loss was taken at. Solo training is the reference; nothing here
is computed by the code under test alone.
"""

import numpy as np
import pytest

from app.engine.gang import GangKernel, gang_key, train_together
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
    made = [Session(PlaygroundSettings(**settings, seed=seed)) for seed in seeds]
    for s in made:
        s.advance(1)  # the optimizer meets the weights' shapes on its first step
    return made


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
        results = train_together(kernel, [s.trainer for s in gang], [(s.Ftr, s.Ttr) for s in gang])
        for alone, together, result in zip(solo, gang, results, strict=True):
            loss = alone.trainer.train_epoch(alone.Ftr, alone.Ttr)
            assert result is not None
            assert np.array_equal(together.net.params.flat, alone.net.params.flat)
            assert together.trainer.optimizer.iterations == alone.trainer.optimizer.iterations
            if result.loss is None:  # not taken: the frame's own pass must find the same
                assert result.outputs is None and together.trainer.last_outputs is None
                assert together.trainer.loss(together.Ftr, together.Ttr) == loss
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
    results = train_together(kernel, [s.trainer for s in gang], [(s.Ftr, s.Ttr) for s in gang])
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
    results = train_together(kernel, [s.trainer for s in gang], [(s.Ftr, s.Ttr) for s in gang])
    for alone, together, result, old in zip(solo, gang, results, before, strict=True):
        try:
            alone.trainer.train_epoch(alone.Ftr, alone.Ttr)
        except DivergenceError:
            assert diverges and result is None
            assert np.array_equal(together.net.params.flat, old, equal_nan=True)
            continue
        assert not diverges and result is not None
        assert np.array_equal(together.net.params.flat, alone.net.params.flat)


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
        results = train_together(
            kernel, [m.trainer for m in members], [(m.Ftr, m.Ttr) for m in members]
        )
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
            s.advance(1 + i)  # different step counts going in
        return made

    solo, gang = build(), build()
    net = gang[0].net
    kernel = GangKernel(net.layer_sizes, net.activation, net.output_activation, len(gang), 10)
    for _ in range(3):
        train_together(kernel, [s.trainer for s in gang], [(s.Ftr, s.Ttr) for s in gang])
        for alone, together in zip(solo, gang, strict=True):
            alone.trainer.train_epoch(alone.Ftr, alone.Ttr)
            assert np.array_equal(together.net.params.flat, alone.net.params.flat)
            assert together.trainer.optimizer.iterations == alone.trainer.optimizer.iterations
