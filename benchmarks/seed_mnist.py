"""The article's four MNIST claims, over several seeds, on each data source this machine has.

What it is: a script (`.venv/bin/python benchmarks/seed_mnist.py`) that trains the article's
models exactly as the digits workspace does (app/digits: the same data split, initial
weights and shuffles for a seed, Keras's fit semantics, float64) and prints, per data source
and claim, the test accuracy after the claim's epochs: median and range over the seeds.
The claims (docs/digits.md, "The article's table"): Dense(10, sigmoid) + Dense(10, softmax),
SGD (Keras's default rate 0.01), batch 100, 5 epochs: "above 90%"; ReLU instead of sigmoid:
"about 2% more"; 512 ReLU units: "94%"; the same for 20 epochs: "96%". The article measured
full MNIST (60,000 training digits); the built-in sample has 4,000, so expect less there.

What it is not: a test (nothing asserts), or a timing (the seconds column is for planning).
Trade-off: the 5- and 20-epoch runs of the 512-unit model are one run read at epoch 5 and at
epoch 20: fit(epochs=5) is exactly the first five epochs of fit(epochs=20) for one seed, and
it saves a fifth of the time.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, as a server worker

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from app.digits.session import DigitsSession, build_run  # noqa: E402
from app.digits.settings import DigitsSettings, HiddenLayer, Limits  # noqa: E402
from app.digits.sources import available, default_data_dir  # noqa: E402
from app.digits.store import Dataset, load  # noqa: E402


@dataclass(frozen=True)
class Claim:
    name: str
    units: int
    activation: str
    epochs: int
    article: str


CLAIMS = (
    Claim("sigmoid 10, 5 epochs", 10, "sigmoid", 5, "> 90%"),
    Claim("relu 10, 5 epochs", 10, "relu", 5, "~2% more than sigmoid"),
    Claim("relu 512, 5 epochs", 512, "relu", 5, "94%"),
    Claim("relu 512, 20 epochs", 512, "relu", 20, "96%"),
)


def accuracies(
    data: Dataset, units: int, act: str, readings: list[int], seed: int, limits: Limits
) -> tuple[dict[int, float], float]:
    """Test accuracy after each epoch in `readings` for one seed, and the seconds taken."""
    layers = [HiddenLayer(units=units, activation=act)]
    settings = DigitsSettings(data=data.source, layers=layers, seed=seed)
    session = DigitsSession(build_run(settings, data, limits, 0), limits)
    started, found = time.perf_counter(), {}
    while session.loop.epoch < max(readings):
        session.work(math.inf, train=True, to_epoch_end=True)
        if session.loop.epoch in readings:
            found[session.loop.epoch] = session.history[-1].test_accuracy
    return found, time.perf_counter() - started


def table(sources: list[str], seeds: int, limits: Limits, claims: list[Claim]) -> list[list[str]]:
    rows, where = [], available(default_data_dir())
    plans: dict[tuple[int, str], list[int]] = {}  # (units, activation) -> epochs read off a run
    for claim in claims:
        plans.setdefault((claim.units, claim.activation), []).append(claim.epochs)
    for source in sources:
        data = load(where[source])
        results: dict[tuple[int, str, int], list[float]] = {}
        seconds: dict[tuple[int, str], float] = {}
        for (units, act), readings in plans.items():
            for seed in range(seeds):
                found, took = accuracies(data, units, act, readings, seed, limits)
                seconds[units, act] = seconds.get((units, act), 0.0) + took
                for epoch, acc in found.items():
                    results.setdefault((units, act, epoch), []).append(acc)
        for claim in claims:
            accs = results[claim.units, claim.activation, claim.epochs]
            rows.append(
                [
                    source,
                    claim.name,
                    claim.article,
                    f"{100 * statistics.median(accs):.1f}%",
                    f"{100 * min(accs):.1f}–{100 * max(accs):.1f}%",
                    str(len(accs)),
                    f"{seconds[claim.units, claim.activation] / seeds:.1f}",
                ]
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--sources", nargs="*", help="default: every source this machine has")
    parser.add_argument(
        "--train-images", type=int, default=60_000, help="cap (a smoke run: --train-images 500)"
    )
    parser.add_argument("--test-images", type=int, default=10_000)
    parser.add_argument(
        "--claims", type=int, nargs="*", help="which claims, 1-4 (default: all four)"
    )
    args = parser.parse_args()
    claims = [CLAIMS[k - 1] for k in args.claims] if args.claims else list(CLAIMS)
    limits = Limits(max_train_images=args.train_images, max_test_images=args.test_images)
    sources = args.sources or list(available(default_data_dir()))
    head = ["data", "claim", "article", "median test accuracy", "range", "seeds", "s/run"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in table(sources, args.seeds, limits, claims):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
