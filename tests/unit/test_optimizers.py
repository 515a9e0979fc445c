"""Optimizer tests against docs/keras-rules.md.

Every update rule is compared with a scalar reference written in this file straight from the
spec text (plain floats, math.sqrt, one element at a time), with hand-derived anchors, with the
spec's list of pitfalls, and for state save/restore and hyperparameter validation.
"""

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from app.engine.flat import FlatParams
from app.engine.optimizers import OPTIMIZERS, Optimizer, make_optimizer

# Params: a kernel of shape (3, 2) (row-major, first 6 numbers) and a bias of shape (2,).
W0 = [0.5, -0.3, 0.1, 0.9, -0.7, 0.2, 0.05, -0.4]
# Five batches of gradients: sign changes, an exact zero, and elements 1 and 5 whose gradient
# collapses after step 1 so that v shrinks (exercises AMSGrad's running max).
GRADS = [
    [0.8, -1.5, 0.3, 0.0, -0.2, 2.0, 0.5, -0.9],
    [0.6, -0.1, -0.4, 0.7, -0.25, 0.05, 0.45, 0.1],
    [-0.3, 0.02, 0.5, 0.1, 0.3, 0.01, -1.2, 0.2],
    [0.1, -0.05, -0.2, -0.6, 0.05, -0.02, 0.9, -0.3],
    [0.05, 0.4, 0.25, 0.3, -0.15, 0.03, -0.1, 0.05],
]


def as_params(flat: list[float]) -> list[np.ndarray]:
    return [np.array(flat[:6], dtype=np.float64).reshape(3, 2), np.array(flat[6:], np.float64)]


def run(opt: Optimizer, steps: int = 5, grads: list[list[float]] = GRADS) -> np.ndarray:
    """Apply grads[:steps] from W0; returns the flattened params after each step, (steps, 8)."""
    params = as_params(W0)
    rows = []
    for g in grads[:steps]:
        opt.apply(params, as_params(g))
        rows.append(np.concatenate([p.ravel() for p in params]))
    return np.array(rows)


# ---- scalar references, one element at a time, from the spec text ----------------------------


def lr_k(learning_rate: float, decay: float, k: int) -> float:
    # Legacy decay: lr_k = lr / (1 + decay * k), k = updates already applied (0 first).
    return learning_rate / (1 + decay * k)


def ref_sgd(
    w: float,
    gs: list[float],
    learning_rate: float = 0.01,
    momentum: float = 0.0,
    nesterov: bool = False,
    decay: float = 0.0,
) -> list[float]:
    v, out = 0.0, []
    for k, g in enumerate(gs):
        lr = lr_k(learning_rate, decay, k)
        if momentum == 0:
            w = w - lr * g
        else:
            v = momentum * v - lr * g
            w = w + momentum * v - lr * g if nesterov else w + v
        out.append(w)
    return out


def ref_rmsprop(
    w: float,
    gs: list[float],
    learning_rate: float = 0.001,
    rho: float = 0.9,
    momentum: float = 0.0,
    epsilon: float = 1e-7,
    centered: bool = False,
    decay: float = 0.0,
    eps_outside_sqrt: bool = False,
) -> list[float]:
    s = a = m = 0.0
    out = []
    for k, g in enumerate(gs):
        lr = lr_k(learning_rate, decay, k)
        s = rho * s + (1 - rho) * g * g
        if centered:
            a = rho * a + (1 - rho) * g
            core = s - a * a
        else:
            core = s
        if eps_outside_sqrt:  # Keras 2.2's form, a spec pitfall
            inc = lr * g / (math.sqrt(core) + epsilon)
        else:
            inc = lr * g / math.sqrt(core + epsilon)
        if momentum > 0:
            m = momentum * m + inc
            w = w - m
        else:
            w = w - inc
        out.append(w)
    return out


def ref_adagrad(
    w: float,
    gs: list[float],
    learning_rate: float = 0.001,
    initial_accumulator_value: float = 0.1,
    epsilon: float = 1e-7,
    decay: float = 0.0,
) -> list[float]:
    acc, out = initial_accumulator_value, []
    for k, g in enumerate(gs):
        acc = acc + g * g
        w = w - lr_k(learning_rate, decay, k) * g / math.sqrt(acc + epsilon)
        out.append(w)
    return out


def ref_adadelta(
    w: float,
    gs: list[float],
    learning_rate: float = 0.001,
    rho: float = 0.95,
    epsilon: float = 1e-7,
    decay: float = 0.0,
) -> list[float]:
    eg = edx = 0.0
    out = []
    for k, g in enumerate(gs):
        eg = rho * eg + (1 - rho) * g * g
        d = -math.sqrt(edx + epsilon) / math.sqrt(eg + epsilon) * g  # new Eg, old Edx
        edx = rho * edx + (1 - rho) * d * d
        w = w + lr_k(learning_rate, decay, k) * d
        out.append(w)
    return out


def ref_adam(
    w: float,
    gs: list[float],
    learning_rate: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    amsgrad: bool = False,
    decay: float = 0.0,
    textbook: bool = False,
) -> list[float]:
    m = v = vmax = 0.0
    out = []
    for k, g in enumerate(gs):
        t, lr = k + 1, lr_k(learning_rate, decay, k)
        m = m + (g - m) * (1 - beta_1)
        v = v + (g * g - v) * (1 - beta_2)
        vmax = max(vmax, v)
        vv = vmax if amsgrad else v
        if textbook:  # m_hat / (sqrt(v_hat) + eps): not what Keras does
            m_hat, v_hat = m / (1 - beta_1**t), vv / (1 - beta_2**t)
            w = w - lr * m_hat / (math.sqrt(v_hat) + epsilon)
        else:
            alpha = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
            w = w - alpha * m / (math.sqrt(vv) + epsilon)
        out.append(w)
    return out


def ref_adamax(
    w: float,
    gs: list[float],
    learning_rate: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    decay: float = 0.0,
) -> list[float]:
    m = u = 0.0
    out = []
    for k, g in enumerate(gs):
        t = k + 1
        m = beta_1 * m + (1 - beta_1) * g
        u = max(beta_2 * u, abs(g))
        w = w - lr_k(learning_rate, decay, k) * m / ((1 - beta_1**t) * (u + epsilon))
        out.append(w)
    return out


def ref_nadam(
    w: float,
    gs: list[float],
    learning_rate: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-7,
    decay: float = 0.0,
    schedule_decay: float = 1.0,
) -> list[float]:
    # schedule_decay=0.004 gives Keras 2's 0.96^(0.004 t) cache, a spec pitfall.
    m = v = 0.0
    product = 1.0  # P_0
    out = []
    for k, g in enumerate(gs):
        t, lr = k + 1, lr_k(learning_rate, decay, k)
        mu_t = beta_1 * (1 - 0.5 * 0.96 ** (schedule_decay * t))
        mu_next = beta_1 * (1 - 0.5 * 0.96 ** (schedule_decay * (t + 1)))
        p_t = product * mu_t
        p_next = p_t * mu_next
        product = p_t
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        m_hat = mu_next * m / (1 - p_next) + (1 - mu_t) * g / (1 - p_t)
        v_hat = v / (1 - beta_2**t)
        w = w - lr * m_hat / (math.sqrt(v_hat) + epsilon)
        out.append(w)
    return out


REFERENCES: dict[str, Callable[..., list[float]]] = {
    "sgd": ref_sgd,
    "rmsprop": ref_rmsprop,
    "adagrad": ref_adagrad,
    "adadelta": ref_adadelta,
    "adam": ref_adam,
    "adamax": ref_adamax,
    "nadam": ref_nadam,
}


def reference(name: str, grads: list[list[float]] = GRADS, **kwargs: Any) -> np.ndarray:
    """The reference trajectory from W0, shape (5, 8) like `run`."""
    columns = [REFERENCES[name](W0[j], [g[j] for g in grads], **kwargs) for j in range(8)]
    return np.array(columns).T


CASES: list[tuple[str, dict[str, Any]]] = [
    ("sgd", {}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9}),
    ("sgd", {"learning_rate": 0.05, "momentum": 0.7, "nesterov": True}),
    ("rmsprop", {}),
    ("rmsprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}),
    ("rmsprop", {"learning_rate": 0.01, "centered": True, "epsilon": 1e-4}),
    ("rmsprop", {"learning_rate": 0.02, "rho": 0.7, "momentum": 0.9, "centered": True}),
    ("adagrad", {}),
    ("adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-3}),
    ("adadelta", {}),
    ("adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}),
    ("adam", {}),
    ("adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}),
    ("adam", {"learning_rate": 0.02, "beta_2": 0.9, "amsgrad": True}),
    ("adamax", {}),
    ("adamax", {"learning_rate": 0.02, "beta_1": 0.7, "beta_2": 0.9, "epsilon": 1e-3}),
    ("nadam", {}),
    ("nadam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-4}),
]
CASE_IDS = [name + "".join(f"-{k}={v}" for k, v in kw.items()) for name, kw in CASES]


def test_every_registered_optimizer_has_reference_and_cases() -> None:
    assert set(OPTIMIZERS) == set(REFERENCES) == {name for name, _ in CASES}


@pytest.mark.parametrize("decay", [0.0, 0.1])
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=CASE_IDS)
def test_five_steps_match_scalar_reference(name: str, kwargs: dict[str, Any], decay: float) -> None:
    got = run(make_optimizer(name, **kwargs, decay=decay))
    want = reference(name, **kwargs, decay=decay)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    # The displacement too: Adadelta's default moves by ~1e-6, invisible at rtol 1e-12 on w.
    np.testing.assert_allclose(got - W0, want - np.array(W0), rtol=1e-9, atol=1e-16)


# ---- anchors derived by hand (values computed to 40 digits with decimal) ----------------------

ANCHORS: list[tuple[str, dict[str, Any], float, list[float], list[float]]] = [
    # Adam step 1: m = 0.1 g, v = 0.001 g^2, alpha = lr sqrt(0.001) / 0.1, so
    # dw = -lr g / (|g| + eps / sqrt(1 - b2)): lr * sign(g) up to 4e-6 relative.
    ("adam", {}, 0.5, [0.8], [0.49900000395283145027]),
    ("adam", {}, 0.5, [-1.5], [0.50099999789181933766]),
    # Adam, g = 1 twice: dw_t = -lr s_t / (s_t + eps), s_1 = sqrt(0.001), s_2 = sqrt(0.001999).
    ("adam", {}, 0.0, [1.0, 1.0], [-0.00099999683773233980, -0.0019999946011101380771]),
    # Adagrad step 1: acc = 0.1 + 0.64; w = 0.5 - 0.001 * 0.8 / sqrt(0.7400001).
    ("adagrad", {}, 0.5, [0.8], [0.49907001895288600087]),
    # RMSprop step 1: s = 0.1; w = -0.001 / sqrt(0.1 + 1e-7).
    ("rmsprop", {}, 0.0, [1.0], [-0.0031622760790307351009]),
    # Adadelta step 1: Eg = 0.05, d = -sqrt(1e-7) / sqrt(0.05 + 1e-7); w = 0.001 d.
    ("adadelta", {}, 0.0, [1.0], [-1.4142121481616539925e-6]),
    # Adamax step 1: m = 0.08, u = 0.8; w = -0.001 * 0.08 / (0.1 * (0.8 + 1e-7)).
    ("adamax", {}, 0.0, [0.8], [-0.00099999987500001562500]),
    # Nadam, g = 1: mu_1 = 0.468, mu_2 = 0.48528, mu_3 = 0.9 (1 - 0.5 * 0.96^3), P_2 = 0.22711104;
    # step 1 m_hat = 0.048528 / (1 - P_2) + 1, v_hat = 1.
    ("nadam", {}, 0.0, [1.0, 1.0], [-0.0010627876970300005504, -0.0018363783047780250333]),
    # SGD with momentum: v = -0.1, w = -0.1; v = 0.9 * -0.1 - 0.05 = -0.14, w = -0.24.
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9}, 0.0, [1.0, 0.5], [-0.1, -0.24]),
    # Nesterov: w = 0.9 * -0.1 - 0.1 = -0.19; w = -0.19 + 0.9 * -0.14 - 0.05 = -0.366.
    (
        "sgd",
        {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
        0.0,
        [1.0, 0.5],
        [-0.19, -0.366],
    ),
    # Decay: the first update uses the full lr, then lr / 1.5, then lr / 2.
    (
        "sgd",
        {"learning_rate": 0.1, "decay": 0.5},
        0.0,
        [1.0, 1.0, 1.0],
        [-0.1, -0.16666666666666666667, -0.21666666666666666667],
    ),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "w0", "gs", "expected"),
    ANCHORS,
    ids=[f"{a[0]}-{i}-{len(a[3])}step" for i, a in enumerate(ANCHORS)],
)
def test_hand_derived_anchor(
    name: str, kwargs: dict[str, Any], w0: float, gs: list[float], expected: list[float]
) -> None:
    opt = make_optimizer(name, **kwargs)
    w = np.array([w0])
    for g, want in zip(gs, expected, strict=True):
        opt.apply([w], [np.array([g])])
        assert w[0] == pytest.approx(want, rel=1e-12, abs=0)


def test_adam_first_step_is_lr_g_over_abs_g_plus_eps_hat_for_every_element() -> None:
    got = run(make_optimizer("adam"), steps=1)[0] - W0
    want = [-0.001 * g / (abs(g) + 1e-7 / math.sqrt(1 - 0.999)) for g in GRADS[0]]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-18)
    assert got[3] == 0.0  # zero gradient, zero move


def test_nadam_stores_product_of_momentum_cache_once_per_step() -> None:
    opt = make_optimizer("nadam")
    run(opt, steps=2)
    assert opt.get_state()["scalars"]["P"] == pytest.approx(0.468 * 0.48528, rel=1e-14)


# ---- the pitfalls (docs/keras-rules.md §4): each wrong variant moves the trajectory measurably -


def assert_right_not_wrong(got: np.ndarray, right: np.ndarray, wrong: np.ndarray) -> None:
    np.testing.assert_allclose(got, right, rtol=1e-12, atol=0)
    assert np.max(np.abs(got - wrong)) > 1e-6


def test_rmsprop_epsilon_is_inside_the_sqrt() -> None:
    # Where eps matters: gradients ~1e-3 make s ~1e-7, the size of eps (near convergence).
    tiny = [[1e-3 * g for g in row] for row in GRADS]
    assert_right_not_wrong(
        run(make_optimizer("rmsprop"), grads=tiny),
        reference("rmsprop", tiny),
        reference("rmsprop", tiny, eps_outside_sqrt=True),
    )


def test_adagrad_accumulator_starts_at_0_1_not_0() -> None:
    assert_right_not_wrong(
        run(make_optimizer("adagrad")),
        reference("adagrad"),
        reference("adagrad", initial_accumulator_value=0.0),
    )


def test_nadam_cache_is_0_96_pow_t_not_keras2_0_004_schedule() -> None:
    assert_right_not_wrong(
        run(make_optimizer("nadam")), reference("nadam"), reference("nadam", schedule_decay=0.004)
    )


def test_adam_uses_epsilon_hat_form_not_textbook() -> None:
    kw: dict[str, Any] = {"learning_rate": 0.01, "epsilon": 1e-3}
    assert_right_not_wrong(
        run(make_optimizer("adam", **kw)),
        reference("adam", **kw),
        reference("adam", **kw, textbook=True),
    )


def test_amsgrad_differs_from_adam_when_v_shrinks() -> None:
    kw: dict[str, Any] = {"learning_rate": 0.02, "beta_2": 0.9}
    assert_right_not_wrong(
        run(make_optimizer("adam", **kw, amsgrad=True)),
        reference("adam", **kw, amsgrad=True),
        reference("adam", **kw),
    )


def test_decay_counter_is_updates_already_applied_not_off_by_one() -> None:
    # The wrong counter: k + 1, so even the first update would be decayed.
    off_by_one = [
        [
            w0 - sum(0.1 / (1 + 0.5 * (k + 1)) * g[j] for k, g in enumerate(GRADS[: n + 1]))
            for j, w0 in enumerate(W0)
        ]
        for n in range(5)
    ]
    assert_right_not_wrong(
        run(make_optimizer("sgd", learning_rate=0.1, decay=0.5)),
        reference("sgd", learning_rate=0.1, decay=0.5),
        np.array(off_by_one),
    )


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_first_update_uses_full_learning_rate_despite_decay(name: str) -> None:
    decayed = run(make_optimizer(name, decay=0.5), steps=1)
    np.testing.assert_array_equal(decayed, run(make_optimizer(name), steps=1))


@pytest.mark.parametrize("k", [0, 1, 4])
def test_lr_at_is_inverse_time_decay(k: int) -> None:
    opt = make_optimizer("adam", learning_rate=0.02, decay=0.25)
    assert opt.lr_at(k) == pytest.approx(0.02 / (1 + 0.25 * k), rel=1e-15)


# ---- live learning rate, in-place updates, state --------------------------------------------


def test_learning_rate_changed_between_steps_applies_from_next_step() -> None:
    opt = make_optimizer("sgd", learning_rate=0.1, decay=0.1)
    got = run(opt, steps=1)
    opt.learning_rate = 0.01
    params = as_params(list(got[0]))
    opt.apply(params, as_params(GRADS[1]))
    want = [
        w - 0.1 * g1 - 0.01 / 1.1 * g2 for w, g1, g2 in zip(W0, GRADS[0], GRADS[1], strict=True)
    ]
    np.testing.assert_allclose(np.concatenate([p.ravel() for p in params]), want, rtol=1e-14)


def test_learning_rate_setter_rejects_negative() -> None:
    opt = make_optimizer("adam")
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -0.1


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_apply_updates_the_callers_arrays_in_place(name: str) -> None:
    buffer = np.array(W0)
    params = [buffer[:6].reshape(3, 2), buffer[6:]]  # views: rebinding would leave buffer alone
    before = [id(p) for p in params]
    make_optimizer(name).apply(params, as_params(GRADS[0]))
    assert [id(p) for p in params] == before
    assert not np.array_equal(buffer, W0)
    np.testing.assert_array_equal(buffer, np.concatenate([p.ravel() for p in params]))


def test_iterations_counts_applied_updates() -> None:
    opt = make_optimizer("rmsprop")
    run(opt, steps=3)
    assert opt.iterations == 3


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=CASE_IDS)
def test_state_round_trip_mid_run_continues_bit_identically(
    name: str, kwargs: dict[str, Any]
) -> None:
    uninterrupted = run(make_optimizer(name, **kwargs, decay=0.1))
    first = make_optimizer(name, **kwargs, decay=0.1)
    params = as_params(W0)
    for g in GRADS[:2]:
        first.apply(params, as_params(g))
    second = make_optimizer(name, **kwargs, decay=0.1)
    second.set_state(first.get_state())
    assert second.iterations == 2
    for g in GRADS[2:]:
        second.apply(params, as_params(g))
    np.testing.assert_array_equal(np.concatenate([p.ravel() for p in params]), uninterrupted[-1])


SHAPES = [(3, 2), (2,)]


def run_flat(opt: Optimizer, grads: list[list[float]] = GRADS) -> np.ndarray:
    """Like `run`, with params and grads as FlatParams: the optimizer updates one vector."""
    params = FlatParams(SHAPES, np.array(W0))
    rows = []
    for g in grads:
        opt.apply(params, FlatParams(SHAPES, np.array(g)))
        rows.append(params.flat.copy())
    return np.array(rows)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=CASE_IDS)
def test_flat_params_update_bit_identically_to_per_array_lists(
    name: str, kwargs: dict[str, Any]
) -> None:
    flat = make_optimizer(name, **kwargs, decay=0.1)
    np.testing.assert_array_equal(run_flat(flat), run(make_optimizer(name, **kwargs, decay=0.1)))
    for arrays in flat.get_state()["slots"].values():  # state is still shown per array
        assert [a.shape for a in arrays] == SHAPES


def test_sgd_momentum_switched_on_and_off_mid_run_is_the_same_flat_or_per_array() -> None:
    def trajectory(flat: bool) -> tuple[list[np.ndarray], dict[str, Any]]:
        opt = make_optimizer("sgd", learning_rate=0.1)
        params = FlatParams(SHAPES, np.array(W0))
        rows = []
        for momentum, g in zip([0.0, 0.0, 0.9, 0.9, 0.0], GRADS, strict=True):
            opt.momentum = momentum
            grads = FlatParams(SHAPES, np.array(g))
            opt.apply(params if flat else list(params), grads if flat else list(grads))
            rows.append(params.flat.copy())
        return rows, opt.get_state()

    (flat_rows, flat_state), (list_rows, list_state) = trajectory(True), trajectory(False)
    np.testing.assert_array_equal(flat_rows, list_rows)
    # By hand: two plain steps, v restarts at 0 when momentum comes on, then is dropped again.
    w = np.array(W0) - 0.1 * np.array(GRADS[0]) - 0.1 * np.array(GRADS[1])
    v = -0.1 * np.array(GRADS[2])
    v = 0.9 * v - 0.1 * np.array(GRADS[3])
    w = w + v - 0.1 * np.array(GRADS[2]) - 0.1 * np.array(GRADS[4])
    np.testing.assert_allclose(flat_rows[-1], w, rtol=1e-13)
    assert flat_state["slots"] == list_state["slots"] == {}


def test_get_state_returns_copies() -> None:
    opt = make_optimizer("adam")
    params = as_params(W0)
    opt.apply(params, as_params(GRADS[0]))
    state = opt.get_state()
    for arrays in state["slots"].values():
        for a in arrays:
            a[...] = 123.0
    opt.apply(params, as_params(GRADS[1]))
    np.testing.assert_allclose(np.concatenate([p.ravel() for p in params]), reference("adam")[1])


def test_set_state_copies_the_given_arrays() -> None:
    first, second = make_optimizer("adam"), make_optimizer("adam")
    params = as_params(W0)
    first.apply(params, as_params(GRADS[0]))
    state = first.get_state()
    second.set_state(state)
    for arrays in state["slots"].values():
        for a in arrays:
            a[...] = 123.0
    second.apply(params, as_params(GRADS[1]))
    np.testing.assert_allclose(np.concatenate([p.ravel() for p in params]), reference("adam")[1])


def sgd_momentum_if_needed(name: str) -> Optimizer:
    """An optimizer of that kind that keeps per-parameter state (plain SGD has none)."""
    return make_optimizer(name, momentum=0.9) if name == "sgd" else make_optimizer(name)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_set_state_with_wrong_shape_raises(name: str) -> None:
    opt = sgd_momentum_if_needed(name)
    run(opt, steps=1)
    state = opt.get_state()
    first_slot = next(iter(state["slots"]))
    state["slots"][first_slot][0] = np.zeros((2, 3))
    with pytest.raises(ValueError, match="shape"):
        opt.set_state(state)
    fresh = sgd_momentum_if_needed(name)
    with pytest.raises(ValueError, match="shape"):  # in set_state if slots disagree, else in apply
        fresh.set_state(state)
        fresh.apply(as_params(W0), as_params(GRADS[1]))


def _drop_slot(s: dict[str, Any]) -> None:
    s["slots"].pop(next(iter(s["slots"])))


def _extra_key(s: dict[str, Any]) -> None:
    s["learning_rate"] = 0.1


def _wrong_name(s: dict[str, Any]) -> None:
    s["name"] = "sgd"


def _negative_iterations(s: dict[str, Any]) -> None:
    s["iterations"] = -1


def _missing_scalars(s: dict[str, Any]) -> None:
    s["scalars"] = {}


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (_drop_slot, "slots"),
        (_extra_key, "keys"),
        (_wrong_name, "optimizer"),
        (_negative_iterations, "iterations"),
        (_missing_scalars, "scalars"),
    ],
)
def test_set_state_rejects_malformed_state(
    mutate: Callable[[dict[str, Any]], None], match: str
) -> None:
    opt = make_optimizer("nadam")
    run(opt, steps=2)
    state = opt.get_state()
    mutate(state)
    with pytest.raises(ValueError, match=match):
        make_optimizer("nadam").set_state(state)


def test_changed_param_shapes_raise_until_reset() -> None:
    opt = make_optimizer("adam")
    run(opt, steps=1)
    with pytest.raises(ValueError, match="reset"):
        opt.apply([np.zeros(4)], [np.ones(4)])
    opt.reset()
    assert opt.iterations == 0
    np.testing.assert_array_equal(run(opt), run(make_optimizer("adam")))


def test_grads_not_matching_params_raise() -> None:
    with pytest.raises(ValueError, match="shape"):
        make_optimizer("sgd").apply(as_params(W0), [np.ones((3, 2))])


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_state_slots_are_float64_arrays_shaped_like_params(name: str) -> None:
    opt = sgd_momentum_if_needed(name)
    run(opt, steps=1)
    slots = opt.get_state()["slots"]
    assert slots
    for arrays in slots.values():
        assert [a.shape for a in arrays] == [(3, 2), (2,)]
        assert all(a.dtype == np.float64 for a in arrays)


# ---- registry, defaults, config, validation -------------------------------------------------

# Keras 3 constructor defaults, from docs/keras-rules.md §3.
KERAS3_DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "rmsprop": {
        "learning_rate": 0.001,
        "rho": 0.9,
        "momentum": 0.0,
        "epsilon": 1e-7,
        "centered": False,
    },
    "adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    "adadelta": {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7},
    "adam": {
        "learning_rate": 0.001,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-7,
        "amsgrad": False,
    },
    "adamax": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
    "nadam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}


@pytest.mark.parametrize("name", sorted(KERAS3_DEFAULTS))
def test_defaults_are_keras3_defaults(name: str) -> None:
    want = {"name": name, **KERAS3_DEFAULTS[name], "decay": 0.0}
    assert make_optimizer(name).config() == want


def test_registry_is_keyed_by_keras_names() -> None:
    assert set(OPTIMIZERS) == set(KERAS3_DEFAULTS)


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=CASE_IDS)
def test_config_is_json_and_rebuilds_the_same_optimizer(name: str, kwargs: dict[str, Any]) -> None:
    config = json.loads(json.dumps(make_optimizer(name, **kwargs, decay=0.1).config()))
    rebuilt = make_optimizer(config.pop("name"), **config)
    assert rebuilt.config() == {"name": name, **config}
    np.testing.assert_allclose(run(rebuilt), reference(name, **kwargs, decay=0.1), rtol=1e-12)


@pytest.mark.parametrize(
    ("name", "kwargs", "is_plain"),
    [
        ("sgd", {}, True),
        ("sgd", {"decay": 0.1, "nesterov": True}, True),
        ("sgd", {"momentum": 0.9}, False),
        ("rmsprop", {}, False),
        ("adam", {}, False),
    ],
)
def test_is_plain_sgd_only_for_sgd_without_momentum(
    name: str, kwargs: dict[str, Any], is_plain: bool
) -> None:
    assert make_optimizer(name, **kwargs).is_plain_sgd is is_plain


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "match"),
    [
        ("adamw", {}, ValueError, "sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam"),
        ("Adam", {}, ValueError, "valid names"),
        ("adam", {"lr": 0.1}, TypeError, "lr.*learning_rate"),
        ("sgd", {"epsilon": 1e-7}, TypeError, "epsilon.*accepted"),
        ("nadam", {"schedule_decay": 0.004}, TypeError, "schedule_decay"),
        ("sgd", {"learning_rate": -0.1}, ValueError, "learning_rate"),
        ("sgd", {"momentum": 1.5}, ValueError, "momentum"),
        ("rmsprop", {"momentum": -0.1}, ValueError, "momentum"),
        ("rmsprop", {"rho": 1.0}, ValueError, "rho"),
        ("adadelta", {"rho": -0.5}, ValueError, "rho"),
        ("adam", {"beta_1": 1.0}, ValueError, "beta_1"),
        ("adam", {"beta_2": -0.1}, ValueError, "beta_2"),
        ("adamax", {"beta_2": 1.0}, ValueError, "beta_2"),
        ("nadam", {"beta_1": 1.2}, ValueError, "beta_1"),
        ("adam", {"epsilon": 0.0}, ValueError, "epsilon"),
        ("adagrad", {"epsilon": -1e-7}, ValueError, "epsilon"),
        ("adagrad", {"initial_accumulator_value": -0.1}, ValueError, "initial_accumulator"),
        ("adam", {"decay": -0.1}, ValueError, "decay"),
        ("adam", {"learning_rate": NAN}, ValueError, "learning_rate"),
        ("sgd", {"learning_rate": INF}, ValueError, "learning_rate"),
        ("sgd", {"momentum": NAN}, ValueError, "momentum"),
        ("adadelta", {"epsilon": INF}, ValueError, "epsilon"),
        ("adam", {"decay": INF}, ValueError, "decay"),
        ("adagrad", {"initial_accumulator_value": INF}, ValueError, "initial_accumulator"),
        ("adam", {"learning_rate": "0.1"}, TypeError, "learning_rate"),
        ("sgd", {"momentum": True}, TypeError, "momentum"),
        ("adam", {"amsgrad": 1}, TypeError, "amsgrad"),
    ],
)
def test_make_optimizer_rejects_bad_input(
    name: str, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        make_optimizer(name, **kwargs)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("sgd", {"momentum": 1.0}),
        ("rmsprop", {"rho": 0.0}),
        ("sgd", {"learning_rate": 0}),
        ("sgd", {"learning_rate": 10.0}),  # the playground's largest rate
        ("adagrad", {"initial_accumulator_value": 0.0}),
    ],
)
def test_make_optimizer_accepts_range_boundaries(name: str, kwargs: dict[str, Any]) -> None:
    config = make_optimizer(name, **kwargs).config()
    assert all(config[k] == v for k, v in kwargs.items())
