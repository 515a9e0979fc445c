"""How closely the exported scripts replay the page: worst relative loss difference per run.

What it is: a script (`.venv/bin/python -m benchmarks.replay_fidelity`) that drives a real
Session through the runs of issue 14 (playground mode: carried-over batches, L2, L1 dead
links) and one with user events (a learning-rate change and a hand edit at epoch 3, the data
regenerated at epoch 5), one epoch at a time, noting the page's train and test loss after
each. It then exports the Keras and PyTorch exact-replay scripts, runs them for real (keras 3
on the torch backend, torch, both float64) and prints, per run and framework, the worst
relative difference between a script's per-epoch losses and the page's, as a markdown table.
What it is not: a test (tests/export/test_replay.py holds the 1e-9 bar). On code from
before the exact replays, the Keras format was "keras" (`--keras-format keras`).
Trade-off: each framework's scripts run in one interpreter (tests/support/scripts.py), so
keras and torch import once.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.protocol.downloads import export_message  # noqa: E402
from tests.support.scripts import ISSUE_RUNS, Losses, drive, losses, run_scripts  # noqa: E402

EPOCHS = 8


def worst_relative(got: Losses, want: Losses) -> float:
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
    for run, (patch, actions) in ISSUE_RUNS.items():
        session, shown[run] = drive(patch, actions, EPOCHS)
        for framework, fmt in formats.items():
            scripts[framework, run] = export_message(session, fmt)["content"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "KERAS_BACKEND": "torch"}
        printed = {key: losses(text) for key, text in run_scripts(scripts, Path(tmp), env).items()}
    print(f"| run ({EPOCHS} epochs, playground mode) | Keras | PyTorch |")
    print("|---|---|---|")
    for run in ISSUE_RUNS:
        cells = [f"{worst_relative(printed[f, run], shown[run]):.1e}" for f in formats]
        print(f"| {run} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
