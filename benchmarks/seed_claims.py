"""The seed article's claims (and the lessons' goals), each run over 20 seeds, as a table.

What it is: a script (`.venv/bin/python benchmarks/seed_claims.py`) that builds each claim's
experiment exactly as a session does for a seed (the playground stream makes the data, then
the weights; app.playground.build makes the network and the trainer), trains it with the
engine alone (no server, no frames) and prints, per claim, the configuration, the epoch
budget, how many seeds met the claim's goal and the median final test loss.

What it is not: a test. `tests/unit/test_seed_claims.py` pins the main rows; the lessons
(app/lessons/*.toml) quote the numbers. Epoch budgets are those a lesson goal allows: at the
page's default speed (60 epochs/s) 60 s is 3,600 epochs, so every budget here stays below.

Trade-off: a "goal" is a test-loss threshold reached at any epoch within the budget (what
the lesson panel checks live), so one lucky epoch counts, as it does on the page.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, as the server has

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from app.engine import LOSSES, DivergenceError  # noqa: E402
from app.playground.build import new_network, new_trainer  # noqa: E402
from app.playground.datasets import generate, split  # noqa: E402
from app.playground.features import feature_matrix  # noqa: E402
from app.playground.labels import targets  # noqa: E402
from app.playground.rng import PlaygroundRandom, keras_generator  # noqa: E402
from app.playground.settings import PlaygroundSettings  # noqa: E402

SEEDS = tuple(f"{i / 100:.5f}" for i in range(1, 21))  # "0.01000" … "0.20000", like the page's
WALK = {"activation": "relu", "learning_rate": 0.03, "batch_size": 10, "noise": 0}


@dataclass(frozen=True)
class Claim:
    """One row: settings on top of the playground's defaults, a budget and a goal.

    `below` is the goal's test-loss threshold; `expect` says what the article claims
    (``"all"``, ``"none"``, ``"most"``, ``"some"``) and is printed, never asserted here.
    """

    name: str
    settings: dict[str, Any]
    epochs: int
    below: float
    expect: str
    tags: tuple[str, ...] = field(default=())
    turns_up: float | None = None  # instead: the final test loss ends this far above its minimum


@dataclass
class Run:
    """One seed's run: the first epoch the goal held (None: never), the final losses."""

    reached: int | None
    final_test: float
    final_train: float
    min_test: float
    diverged: bool
    dead_links: int


def run(settings: PlaygroundSettings, epochs: int, below: float) -> Run:
    """Train `settings` (its seed included) for up to `epochs`, as a session would."""
    rng = PlaygroundRandom(settings.seed)
    keras_rng = keras_generator(settings.seed)
    X, y = generate(settings.active_dataset, settings.noise / 100, rng)
    (Xtr, ytr), (Xte, yte) = split(X, y, settings.percent_train)
    Ftr, Fte = feature_matrix(Xtr, settings.features), feature_matrix(Xte, settings.features)
    Ttr, Tte = targets(settings, ytr), targets(settings, yte)
    net = new_network(settings, rng, keras_rng)
    trainer = new_trainer(settings, net, keras_rng)
    loss = LOSSES[settings.loss]
    reached, train, test, best = None, math.nan, math.nan, math.inf
    diverged = False
    for epoch in range(1, epochs + 1):
        try:
            train = trainer.train_epoch(Ftr, Ttr)
        except DivergenceError:
            diverged, test = True, math.nan
            break
        test = float(np.mean(loss.value(net.predict(Fte), Tte)))
        best = min(best, test)
        if reached is None and test < below:
            reached = epoch
    dead = sum(int(d.sum()) for d in trainer.dead)
    return Run(reached, test, train, best, diverged, dead)


def runs(claim: Claim, seeds: tuple[str, ...] = SEEDS) -> list[Run]:
    """The claim over every seed."""
    results = [
        run(PlaygroundSettings(**{**claim.settings, "seed": s}), claim.epochs, claim.below)
        for s in seeds
    ]
    if claim.turns_up is not None:  # over-fitting: "reached" is when the curve turned up
        for r in results:
            r.reached = claim.epochs if r.final_test - r.min_test > claim.turns_up else None
    return results


def _walk(dataset: str, shape: tuple[int, ...], **extra: Any) -> dict[str, Any]:
    return {**WALK, "dataset": dataset, "network_shape": shape, **extra}


SPIRAL_SIN = ("x", "y", "sinX", "sinY")
CLAIMS = (
    Claim("gauss, 1 neuron converges", _walk("gauss", (1,)), 100, 0.02, "all", ("gauss",)),
    Claim("circle, 1 neuron fails", _walk("circle", (1,)), 500, 0.1, "none", ("circle1",)),
    Claim("circle, 2 neurons: not enough", _walk("circle", (2,)), 500, 0.1, "some"),
    Claim("circle, 3 neurons works", _walk("circle", (3,)), 500, 0.1, "most", ("circle3",)),
    Claim("xor, 3 neurons fails in general", _walk("xor", (3,)), 500, 0.1, "some", ("xor3",)),
    Claim("xor, 5 neurons works", _walk("xor", (5,)), 500, 0.1, "most", ("xor5",)),
    Claim("spiral, 1 layer of 8 fails", _walk("spiral", (8,)), 1000, 0.1, "none", ("spiral1",)),
    Claim("spiral, 6 layers of 8 works", _walk("spiral", (8,) * 6), 2000, 0.1, "most"),
    Claim("spiral, 2x8 tanh", _walk("spiral", (8, 8), activation="tanh"), 2000, 0.1, "some"),
    Claim(
        "spiral, sin features, 1x4 tanh",
        _walk("spiral", (4,), activation="tanh", features=SPIRAL_SIN),
        1000,
        0.1,
        "most",
    ),
    Claim("lr 3 diverges or fails", _walk("circle", (4, 2), learning_rate=3), 200, 0.1, "none"),
    Claim("lr 0.0001 crawls", _walk("circle", (4, 2), learning_rate=0.0001), 500, 0.2, "none"),
    Claim("lr 0.03 (same net) works", _walk("circle", (4, 2)), 500, 0.1, "most"),
    Claim(
        "lr 0.3 with decay 0.001",
        _walk("circle", (4, 2), learning_rate=0.3, optimizer_options={"decay": 0.001}),
        500,
        0.1,
        "most",
    ),
    Claim("batch 1 (online), 50 epochs", _walk("circle", (4, 2), batch_size=1), 50, 0.1, "most"),
    Claim("batch 10 (mini-batch), 50 epochs", _walk("circle", (4, 2)), 50, 0.1, "some"),
    Claim(
        "batch 250 (whole set), 50 epochs", _walk("circle", (4, 2), batch_size=250), 50, 0.1, "none"
    ),
    Claim(
        "noise 50, 10% train, 3x8: test loss turns up",
        _walk("xor", (8, 8, 8), noise=50, percent_train=10),
        1000,
        0.0,
        "most",
        turns_up=0.02,
    ),
    Claim(
        "activation tanh, circle 4,2", _walk("circle", (4, 2), activation="tanh"), 500, 0.1, "most"
    ),
    Claim(
        "activation sigmoid, circle 4,2",
        _walk("circle", (4, 2), activation="sigmoid"),
        500,
        0.1,
        "some",
    ),
    Claim(
        "activation linear, circle 4,2",
        _walk("circle", (4, 2), activation="linear"),
        500,
        0.1,
        "none",
    ),
    Claim(
        "L1 0.01 kills links (xor 4,2, all features)",
        _walk(
            "xor",
            (4, 2),
            features=("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"),
            regularization="L1",
            regularization_rate=0.01,
        ),
        500,
        0.1,
        "most",
    ),
    Claim(
        "optimizer sgd, spiral 2x8", _walk("spiral", (8, 8), activation="tanh"), 1000, 0.1, "some"
    ),
    Claim(
        "optimizer momentum 0.9, spiral 2x8",
        _walk("spiral", (8, 8), activation="tanh", optimizer_options={"momentum": 0.9}),
        1000,
        0.1,
        "most",
    ),
    Claim(
        "optimizer rmsprop, spiral 2x8",
        _walk("spiral", (8, 8), activation="tanh", optimizer="rmsprop", learning_rate=0.01),
        1000,
        0.1,
        "most",
    ),
    Claim(
        "optimizer adam, spiral 2x8",
        _walk("spiral", (8, 8), activation="tanh", optimizer="adam", learning_rate=0.01),
        1000,
        0.1,
        "most",
    ),
)


def table(claims: tuple[Claim, ...] = CLAIMS, seeds: tuple[str, ...] = SEEDS) -> list[str]:
    """Markdown rows: claim, configuration, epochs, success rate, median final test loss."""
    rows = [
        "| claim | configuration | epochs | goal: test loss < | reached | median final test "
        "loss | median epoch reached | diverged | s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for claim in claims:
        start = time.perf_counter()
        results = runs(claim, seeds)
        finals = [r.final_test for r in results if not math.isnan(r.final_test)]
        median = f"{statistics.median(finals):.3f}" if finals else "diverged"
        hits = [r.reached for r in results if r.reached is not None]
        when = f"{statistics.median(hits):.0f}" if hits else "-"
        config = ", ".join(f"{k}={v}" for k, v in claim.settings.items() if k not in WALK)
        rate = f"{len(hits)}/{len(seeds)}"
        spent = time.perf_counter() - start
        rows.append(
            f"| {claim.name} | {config} | {claim.epochs} | {claim.below} | {rate} | "
            f"{median} | {when} | {sum(r.diverged for r in results)} | {spent:.1f} |"
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="how many seeds (≤ 20)")
    parser.add_argument("--only", default="", help="run only claims whose name contains this")
    args = parser.parse_args()
    chosen = tuple(c for c in CLAIMS if args.only in c.name)
    print("Every row: relu, learning rate 0.03, batch 10, noise 0, ratio 50%, features x, y")
    print("unless the configuration says otherwise.\n")
    table(chosen, SEEDS[: args.seeds])


if __name__ == "__main__":
    main()
