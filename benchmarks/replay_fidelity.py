"""How closely the exported scripts replay the page: worst relative loss difference per run.

What it is: a script (`.venv/bin/python -m benchmarks.replay_fidelity`) that drives a real
Session through the runs of issue 14 (playground mode: carried-over batches, L2, L1 dead
links) and one with user events (a learning-rate change and a hand edit at epoch 3, the data
regenerated at epoch 5), one epoch at a time, noting the page's train and test loss after
each. It then exports the Keras and PyTorch exact-replay scripts, runs them for real (keras 3
on the torch backend, torch, both float64) and prints, per run and framework, the worst
relative difference between a script's per-epoch losses and the page's, as a markdown table.
What it is not: a test (tests/export/test_replay.py holds the 1e-9 bar); it also runs on
older code, where the formats were "keras" and "pytorch" (`--keras-format keras`).
Trade-off: each framework's scripts run in one interpreter, so keras and torch import once.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:  # the package layout of app/ (app.playground, app.protocol), or the flat one before it
    from app.playground.session import Session
    from app.playground.settings import PlaygroundSettings, merge_settings
    from app.protocol.downloads import export_message
except ImportError:  # pragma: no cover - the layout before the move
    from app.downloads import export_message  # type: ignore[no-redef]
    from app.experiment import PlaygroundSettings, merge_settings  # type: ignore[no-redef]
    from app.session import Session  # type: ignore[no-redef]

EPOCHS = 8
Action = Callable[[Session], None]


def _edit_and_rate(session: Session) -> None:
    session.apply({"learning_rate": 0.1})
    session.set_weight(0, 1, 2, 0.75)
    session.set_bias(1, 0, -0.2)


RUNS: dict[str, tuple[dict[str, Any], dict[int, Action]]] = {
    "circle 4,2, batch 13, 70% training": (
        {"dataset": "circle", "batch_size": 13, "percent_train": 70},
        {},
    ),
    "spiral 8,8, batch 30, L2 0.001, x, y, sinX, sinY": (
        {
            "dataset": "spiral",
            "network_shape": [8, 8],
            "batch_size": 30,
            "regularization": "L2",
            "regularization_rate": 0.001,
            "features": ["x", "y", "sinX", "sinY"],
        },
        {},
    ),
    "xor 6,3 ReLU, batch 7, L1 0.003, lr 0.1, noise 20": (
        {
            "dataset": "xor",
            "network_shape": [6, 3],
            "activation": "relu",
            "batch_size": 7,
            "regularization": "L1",
            "regularization_rate": 0.003,
            "learning_rate": 0.1,
            "noise": 20,
        },
        {},
    ),
    "circle, batch 10: rate + edits at 3, regenerate at 5": (
        {"dataset": "circle", "batch_size": 10},
        {3: _edit_and_rate, 5: lambda s: s.regenerate()},
    ),
}

RUNNER = """
import contextlib, io, json, runpy, sys
printed = {}
for path in sys.argv[1:]:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        runpy.run_path(path, run_name="__main__")
    printed[path] = out.getvalue()
print(json.dumps(printed))
"""
LINE = re.compile(r"^epoch (\d+) loss (\S+) test_loss (\S+)$", re.MULTILINE)


def drive(patch: dict[str, Any], actions: dict[int, Action], epochs: int = EPOCHS) -> Any:
    """(session after `epochs` epochs, the page's (train, test) loss after each epoch)."""
    session = Session(merge_settings(PlaygroundSettings(), {"seed": "replay", **patch}))
    shown = []
    for epoch in range(epochs):
        if epoch in actions:
            actions[epoch](session)
        session.advance(1)
        shown.append(session.losses())
    return session, shown


def run_scripts(scripts: dict[str, str], folder: Path) -> dict[str, list[tuple[float, float]]]:
    """{name: per-epoch (train, test) losses printed}; one interpreter for all `scripts`."""
    paths = {}
    for name, text in scripts.items():
        paths[name] = folder / f"{re.sub(r'[^A-Za-z0-9]+', '_', name)}.py"
        paths[name].write_text(text)
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    run = subprocess.run(
        [sys.executable, "-c", RUNNER, *map(str, paths.values())],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(run.stderr[-3000:])
    printed = json.loads(run.stdout.splitlines()[-1])
    return {
        name: [(float(m[2]), float(m[3])) for m in LINE.finditer(printed[str(path)])]
        for name, path in paths.items()
    }


def worst_relative(got: list[tuple[float, float]], want: list[tuple[float, float]]) -> float:
    if len(got) != len(want):
        return float("inf")
    pairs = [(g, w) for gp, wp in zip(got, want, strict=True) for g, w in zip(gp, wp, strict=True)]
    return max(abs(g - w) / abs(w) for g, w in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keras-format", default="keras_replay")
    args = parser.parse_args()
    formats = {"Keras": args.keras_format, "PyTorch": "pytorch"}
    shown, scripts = {}, {}
    for run, (patch, actions) in RUNS.items():
        session, shown[run] = drive(patch, actions)
        for framework, fmt in formats.items():
            scripts[framework, run] = export_message(session, fmt)["content"]
    with tempfile.TemporaryDirectory() as tmp:
        printed: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for framework in formats:
            mine = {run: text for (f, run), text in scripts.items() if f == framework}
            printed |= {(framework, run): v for run, v in run_scripts(mine, Path(tmp)).items()}
    print(f"| run ({EPOCHS} epochs, playground mode) | Keras | PyTorch |")
    print("|---|---|---|")
    for run in RUNS:
        cells = [f"{worst_relative(printed[f, run], shown[run]):.1e}" for f in formats]
        print(f"| {run} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
