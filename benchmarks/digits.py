"""Seconds per epoch of the article's models: the digits workspace against real Keras on torch.

What it is: a script (`.venv/bin/python benchmarks/digits.py`) that trains each model of the
article's table (784-10-10 sigmoid, 784-10-10 ReLU, 784-512-10 ReLU; SGD, batch 100) on the
same data, once with our fit loop (app/digits/fit.py, the code a session runs) and once with
`keras.Model.fit` (the `export` extra's Keras 3 on torch), and prints the median seconds per
epoch of each and their ratio (ours / Keras: below 1 is faster), in float64 (the page's
Keras-exact default; Keras with floatx float64 and the float64 promotion patch of the
exported scripts) and float32 (the page's option; Keras's default), with both limited to one
thread (one BLAS thread, `torch.set_num_threads(1)`: how a server worker runs) and free to use
the machine. A second table times `pause` while a 512-unit model trains on a live server.
Every run is a fresh process, one at a time, so threads and caches never mix.

What it is not: a test. Timing needs a quiet machine (docs/architecture.md §4): the load
average is printed with the tables; a figure taken under load measures the load.
Trade-off: an epoch here is fit()'s alone (the page's own test-set pass after each epoch is
left out, as Keras's fit has none), on the largest data this machine has (full MNIST, else
Fashion-MNIST, else the built-in sample); the first epoch of each run is a warm-up.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

MODELS = {"sigmoid 10": (10, "sigmoid"), "relu 10": (10, "relu"), "relu 512": (512, "relu")}

KERAS = r"""
import json, sys, time
import numpy as np
import torch
args = json.loads(sys.argv[1])
if args["threads"] == 1:
    torch.set_num_threads(1)
import keras
if args["precision"] == "float64":
    from keras.src.backend.common import dtypes
    keras.config.set_floatx("float64")
    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"
d = np.load(args["data"])
x = d["x"].astype(args["precision"]) / 255
y = keras.utils.to_categorical(d["y"], 10).astype(args["precision"])
model = keras.Sequential([keras.Input(shape=(784,)),
    keras.layers.Dense(args["units"], activation=args["activation"]),
    keras.layers.Dense(10, activation="softmax")])
model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
times = []
class Clock(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None): self.t = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None): times.append(time.perf_counter() - self.t)
model.fit(x, y, batch_size=100, epochs=args["epochs"] + 1, verbose=0, callbacks=[Clock()])
print(json.dumps(times[1:]))
"""


def ours(args: dict[str, object]) -> list[float]:
    """Our fit loop in this process (the caller set the thread count): epoch seconds."""
    import math

    import numpy as np

    from app.digits.fit import FitData, FitLoop
    from app.digits.model import DenseStack
    from app.digits.results import EpochResult
    from app.engine import make_optimizer

    with np.load(str(args["data"])) as d:
        x, y = d["x"], d["y"]
    none = x[:0], y[:0]
    data = FitData(x, y, *none, *none)  # no validation, no test pass: fit() alone
    sizes = [784, int(args["units"]), 10]  # type: ignore[call-overload]
    stack = DenseStack(sizes, [str(args["activation"]), "softmax"], "glorot_uniform", seed=1)
    loop = FitLoop(
        stack,
        make_optimizer("sgd", learning_rate=0.01),
        data,
        precision=str(args["precision"]),
        batch_size=100,
        shuffle=True,
        shuffle_seed=2,
    )
    loop.run(math.inf, train=False)  # the (empty) evaluation of the untrained network
    times = []
    for _ in range(int(args["epochs"]) + 1):  # type: ignore[call-overload]
        started = time.perf_counter()
        events = loop.run(math.inf, train=True, to_epoch_end=True)
        assert any(isinstance(e, EpochResult) for e in events)
        times.append(time.perf_counter() - started)
    return times[1:]


def run(kind: str, args: dict[str, object]) -> float:
    """Median seconds per epoch of one fresh process."""
    threads = str(args["threads"])
    env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
    env["MKL_NUM_THREADS"] = threads
    env["KERAS_BACKEND"] = "torch"
    if kind == "keras":
        command = [sys.executable, "-c", KERAS, json.dumps(args)]
    else:
        command = [sys.executable, __file__, "--worker", json.dumps(args)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return float(statistics.median(json.loads(out.stdout.splitlines()[-1])))


def data_file(folder: Path, n: int | None) -> tuple[Path, str]:
    """The largest data this machine has, as x (n, 784) uint8 and y, in one .npz."""
    import numpy as np

    from app.digits.sources import available, default_data_dir
    from app.digits.store import load

    found = available(default_data_dir())
    source = next(s for s in ("mnist", "fashion", "sample") if s in found)
    data = load(found[source])
    x, y = data.x_train[:n], data.y_train[:n]
    path = folder / "digits-benchmark.npz"
    np.savez(path, x=x, y=y)
    return path, f"{source}, {len(x):,} training images"


def pause_latency(samples: int) -> list[float]:
    """Seconds from `pause` to its `state` while a 512-unit model trains on a live server."""
    import random

    from tests.support.digits_client import DigitsClient
    from tests.support.live_server import free_port
    from tests.support.processes import launch

    port = free_port()
    process = launch(port)
    waits = []
    try:
        client = DigitsClient(f"http://127.0.0.1:{port}")
        client.hello(layers=[{"units": 512, "activation": "relu"}], seed=1)
        client.send(type="credit", frames=8)
        for _ in range(samples):
            client.send(type="play")
            client.expect("state", playing=True)
            end = time.monotonic() + random.uniform(0.3, 1.0)
            while time.monotonic() < end:
                client.frame()
            sent = time.perf_counter()
            client.send(type="pause")
            client.expect("state", playing=False)
            waits.append(time.perf_counter() - sent)
        client.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
    return waits


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs (after a warm-up)")
    parser.add_argument("--train-images", type=int, help="fewer images (a smoke run: 2000)")
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--precisions", nargs="*", default=["float64", "float32"])
    parser.add_argument("--threads", nargs="*", type=int, default=[1, os.cpu_count() or 2])
    parser.add_argument("--pauses", type=int, default=20, help="pause samples (0: none)")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(ours(json.loads(args.worker))))
        return
    import tempfile

    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory() as folder:
        path, what = data_file(Path(folder), args.train_images)
        print(f"\n{what}, batch 100, SGD 0.01, median of {args.epochs} epochs\n")
        print("| model | precision | threads | ours s/epoch | Keras s/epoch | ours / Keras |")
        print("|---|---|---|---|---|---|")
        for name in args.models:
            units, activation = MODELS[name]
            for precision in args.precisions:
                for threads in args.threads:
                    job = {"data": str(path), "units": units, "activation": activation}
                    job |= {"precision": precision, "threads": threads, "epochs": args.epochs}
                    mine, theirs = run("ours", job), run("keras", job)
                    print(f"| {name} | {precision} | {threads} | {mine:.3f} | {theirs:.3f} | "
                          f"{mine / theirs:.2f} |", flush=True)  # fmt: skip
    if args.pauses:
        waits = sorted(pause_latency(args.pauses))
        p95 = waits[min(len(waits) - 1, int(0.95 * len(waits)))]
        print("\n| pause -> state, 512-unit model training | median | p95 | max |")
        print("|---|---|---|---|")
        print(f"| {len(waits)} pauses | {1000 * statistics.median(waits):.1f} ms | "
              f"{1000 * p95:.1f} ms | {1000 * waits[-1]:.1f} ms |")  # fmt: skip
    print(f"\nload average after: {load_average()}")


if __name__ == "__main__":
    main()
