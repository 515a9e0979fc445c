"""Engine and frame cost for the configurations of docs/architecture.md §4, as a markdown table.

What it is: a script (`.venv/bin/python benchmarks/engine.py`) that times, per config, the
median of one training epoch, the train + test display losses, the grids a frame carries
(`GridEvaluator.frame_maps` with the output in focus: every node's map, thumbnails, uint8),
the whole frame (epoch, whose return value is the training loss, + test loss + grids), and
"turbo" epochs per second with no grids at all. A second table gives an epoch's cost per
member alone and in gangs of 5 and 25 sessions of the config (app/engine/gang.py).

What it is not: a test. Timings depend on the machine and its load, so nothing here asserts;
the target column and the ✓/✗ are for a human. Frame encoding (protocol code) is not timed.

Trade-off: each part is timed in its own loop of ≥ 200 repetitions after a warm-up, so the
network keeps training between samples (as it does when the app runs) and the parts'
medians do not quite add up to the frame's median.
"""

import os

# One BLAS thread, as the server has (app/__init__.py sets it before NumPy loads). NumPy is
# imported below before `app`, so it is set here too; otherwise OpenBLAS threads the
# 10,000-column grid products and the timings measure its thread synchronisation.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

from app.engine import Network, Trainer, make_optimizer  # noqa: E402
from app.engine.gang import GangKernel, gang_key, most_members, start_of, train_together  # noqa: E402
from app.playground.datasets import PlaygroundRandom, generate, split  # noqa: E402
from app.playground.features import FEATURE_ORDER, feature_matrix  # noqa: E402
from app.playground.grids import GridEvaluator  # noqa: E402
from app.web.gangs import GANG_EPOCH_SECONDS  # noqa: E402

SEED = "0.12345"


@dataclass(frozen=True)
class Config:
    """One of docs/architecture.md §4's configs: dataset, hidden layers, features, batch size,
    target frame."""

    name: str
    dataset: str
    hidden: tuple[int, ...]
    features: tuple[str, ...]
    batch_size: int
    target_ms: float


CONFIGS = (
    Config("A", "circle", (4, 2), ("x", "y"), 10, 1.5),
    Config("B", "spiral", (8,) * 6, FEATURE_ORDER, 10, 4.0),
    Config("C", "spiral", (8,) * 6, FEATURE_ORDER, 1, 13.0),
    Config("D", "spiral", (8,) * 6, FEATURE_ORDER, 30, 3.5),
)


@dataclass
class Setup:
    """Everything one config's timings need, built as the app builds a fresh session."""

    trainer: Trainer
    grids: GridEvaluator
    train: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]


def build(config: Config, seed: str = SEED) -> Setup:
    """Playground data (250 train, 250 test) and page-load weights from one seeded stream."""
    rng = PlaygroundRandom(seed)
    X, y = generate(config.dataset, noise=0, rng=rng)
    (Xtr, ytr), (Xte, yte) = split(X, y, percent_train=50)
    net = Network(len(config.features), list(config.hidden), activation="tanh", rng=rng)
    trainer = Trainer(
        net, optimizer=make_optimizer("sgd", learning_rate=0.03), batch_size=config.batch_size
    )
    train = (feature_matrix(Xtr, config.features), ytr)
    test = (feature_matrix(Xte, config.features), yte)
    return Setup(trainer, GridEvaluator(config.features), train, test)


def median_ms(fn: Callable[[], object], reps: int, warmup: int) -> tuple[float, float]:
    """Median (wall, CPU) time of fn() in ms over `reps` calls after `warmup` calls.

    CPU time (this process, all threads) is reported beside wall time because on a shared
    machine the wall clock also counts the time other processes held the CPU.
    """
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(reps):
        start, start_cpu = time.perf_counter_ns(), time.process_time_ns()
        fn()
        cpu.append(time.process_time_ns() - start_cpu)
        wall.append(time.perf_counter_ns() - start)
    return statistics.median(wall) / 1e6, statistics.median(cpu) / 1e6


def turbo_epochs_per_s(setup: Setup, epochs: int) -> float:
    """Epochs per second of back-to-back `train_epoch` calls, no grids and no test loss."""
    F, y = setup.train
    start = time.perf_counter_ns()
    for _ in range(epochs):
        setup.trainer.train_epoch(F, y)
    return epochs / ((time.perf_counter_ns() - start) / 1e9)


def measure(config: Config, reps: int, warmup: int) -> dict[str, float]:
    """{epoch, losses, grids, frame} wall medians in ms, frame_cpu, turbo epochs/s."""
    s = build(config)
    tr, net = s.trainer, s.trainer.net

    def losses() -> None:
        tr.loss(*s.train)
        tr.loss(*s.test)

    def frame() -> None:
        tr.train_epoch(*s.train)  # its return value is the training loss after the epoch
        tr.loss(*s.test)
        s.grids.frame_maps(net, None)

    frame_wall, frame_cpu = median_ms(frame, reps, warmup)
    return {
        "epoch": median_ms(lambda: tr.train_epoch(*s.train), reps, warmup)[0],
        "losses": median_ms(losses, reps, warmup)[0],
        "grids": median_ms(lambda: s.grids.frame_maps(net, None), reps, warmup)[0],
        "frame": frame_wall,
        "frame_cpu": frame_cpu,
        "turbo": turbo_epochs_per_s(s, reps),
    }


def gang_ms(config: Config, members: int, reps: int) -> float:
    """Median ms per member-epoch of `members` sessions (own seeds, so own data and weights)
    trained in one gang (app/engine/gang.py); for 1, the Trainer alone."""
    setups = [build(config, f"{SEED}-{i}") for i in range(members)]
    if members == 1:
        return median_ms(lambda: setups[0].trainer.train_epoch(*setups[0].train), reps, 10)[0]
    net = setups[0].trainer.net
    kernel = GangKernel(net.layer_sizes, "tanh", "tanh", members, config.batch_size)
    trainers, data = [s.trainer for s in setups], [s.train for s in setups]

    def epoch() -> None:
        """One gang epoch, each result committed as a member's runner commits it."""
        results = train_together(kernel, [start_of(t) for t in trainers], data)
        for trainer, result in zip(trainers, results, strict=True):
            if result is not None:
                trainer.commit_epoch(result.params, result.updates, result.outputs)

    return median_ms(epoch, reps, 5)[0] / members


def gang_table(reps: int, only: str) -> None:
    """Per member-epoch cost alone and in gangs of 5 and 25, and the gang size the server
    allows for an 8 ms gang epoch (app/web/gangs.py)."""
    print(
        "\n| config | alone ms | gang of 5, ms per member | gang of 25, ms per member "
        "| 25 alone / 25 in a gang | server's gang size |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for config in CONFIGS:
        probe = build(config)
        key = gang_key(probe.trainer, len(probe.train[0]))
        if config.name not in only or key is None:
            continue
        alone, five, many = (gang_ms(config, n, max(20, reps // n)) for n in (1, 5, 25))
        print(
            f"| {describe(config)} | {alone:.3f} | {five:.3f} | {many:.3f} "
            f"| {alone / many:.1f}x | {most_members(key, GANG_EPOCH_SECONDS)} |",
            flush=True,
        )


def describe(config: Config) -> str:
    hidden = (
        "×".join(str(h) for h in config.hidden)
        if len(set(config.hidden)) > 1
        else (f"{len(config.hidden)}×{config.hidden[0]}")
    )
    return (
        f"{config.name}: {config.dataset}, {hidden}, {len(config.features)} inputs, "
        f"batch {config.batch_size}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=300, help="timed repetitions (≥ 200)")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--only", default="ABCD", help="configs to run, e.g. AB")
    args = parser.parse_args()
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs, OPENBLAS_NUM_THREADS={threads}")
    print(
        f"load average {load}; medians over {args.reps} repetitions after {args.warmup} warm-up\n"
    )
    print(
        "| config | epoch ms | train+test loss ms | grids+thumbs+u8 ms | frame ms "
        "| frame CPU ms | target ms | | turbo epochs/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|:-:|---:|")
    for config in CONFIGS:
        if config.name not in args.only:
            continue
        m = measure(config, args.reps, args.warmup)
        ok = "✓" if m["frame"] <= config.target_ms else "✗"
        print(
            f"| {describe(config)} | {m['epoch']:.3f} | {m['losses']:.3f} | {m['grids']:.3f} "
            f"| {m['frame']:.3f} | {m['frame_cpu']:.3f} | ≤ {config.target_ms:g} | {ok} "
            f"| {m['turbo']:.0f} |",
            flush=True,
        )
    gang_table(args.reps, args.only)


if __name__ == "__main__":
    main()
