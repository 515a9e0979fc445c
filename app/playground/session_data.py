"""A session's data: the seeded split, the user's clicked points or upload, their features.

What it is: `SessionData`, the half of Session (a mixin, as readouts.py is) that builds the
training and test sets from the seed (docs/playground-rules.md §2) and the user's own
points, and their feature matrices (§3) and targets.
What it is not: training or the settings' effects (session.py decides what regenerates).
Trade-off: data is rebuilt from the seed (never stored), so a checkpoint stays small and any
server process can resume it; the price is that a seed change re-runs the generator (~5 ms).
"""

from typing import Any

import numpy as np

from app.playground.custom_data import Row, UploadReport, checked_point, rows_to_arrays
from app.playground.errors import ProtocolError
from app.playground.features import feature_matrix
from app.playground.grids import GridEvaluator
from app.playground.labels import targets
from app.playground.rng import keras_generator
from app.playground.run_log import RunLog, seeded_data
from app.playground.settings import PlaygroundSettings


class SessionData:
    """The data of one experiment; see the module docstring. Session supplies the rest."""

    settings: PlaygroundSettings
    max_points: int
    added: list[Row]
    uploaded: list[Row] | None
    epoch: int
    log: RunLog
    data_version: int

    def reset(self) -> None: ...
    def touch(self) -> None: ...

    def add_point(self, x: float, y: float, label: float) -> None:
        """A clicked point joins the training set; the network and epoch continue."""
        row = checked_point(self.settings, x, y, label)
        if len(self.added) + len(self.uploaded or ()) >= self.max_points:
            message = f"at most {self.max_points} points of your own on this server"
            raise ProtocolError("too_many_points", message, "label")
        self.added.append(row)
        self.log.note(self.epoch, "add_point", x=row[0], y=row[1], label=row[2])
        self._compose()

    def clear_points(self) -> None:
        """Back to the generated data: added points go; an upload goes and the net resets."""
        had_upload = self.uploaded is not None
        self.added, self.uploaded = [], None
        if had_upload:
            self._seed_data()
            self.reset()
        else:
            self.log.note(self.epoch, "clear_points")
            self._compose()

    def rebuild_data(self) -> None:
        """Data from the seed and the user's points as they now are (a checkpoint restore)."""
        self._seed_data()

    def use_upload(self, report: UploadReport) -> dict[str, Any]:
        """Replace the data by a CSV's good rows (custom_data.parse_csv, which runs off the
        event loop: app/web/uploads.py), shuffled by the seed, then split; reset."""
        if not report.rows:
            first = "; ".join(f"line {n}: {why}" for n, why in report.problems[:3])
            raise ProtocolError("invalid_upload", f"no usable row ({first or 'empty file'})")
        self.added, self.uploaded = [], report.rows
        self._seed_data()
        self.reset()
        return report.to_message()

    def _seed_data(self) -> None:
        """Reseed both streams from settings.seed and rebuild the data (§2.8)."""
        self.rng, self._base = seeded_data(self.settings, self.uploaded)
        self.keras_rng = keras_generator(self.settings.seed)
        self.generation = 0  # resets since seeding; each reset's Keras stream is its own
        self._compose()

    def _compose(self) -> None:
        """Train = the base training split + the user's clicked points; test = base test."""
        (Xtr, ytr), (self.Xte, self.yte) = self._base
        if self.added:
            Xa, ya = rows_to_arrays(self.added)
            Xtr, ytr = np.vstack([Xtr, Xa]), np.concatenate([ytr, ya])
        self.Xtr, self.ytr = Xtr, ytr
        self._featurize()
        self.data_version += 1
        self.touch()  # the losses and metrics of the frame change with the data

    def _featurize(self) -> None:
        """Feature matrices (data and grid) for the enabled inputs (§3), and the
        training targets for the loss (labels.py)."""
        s = self.settings
        self.Ftr = feature_matrix(self.Xtr, s.features)
        self.Fte = feature_matrix(self.Xte, s.features)
        self.Ttr, self.Tte = targets(s, self.ytr), targets(s, self.yte)
        self.grid = GridEvaluator(s.features)
