"""One experiment: settings, data, network, trainer, epoch counter and random streams.

What it is: the playground's simulation (spec/playground.md §5) as an object the server
drives: `apply` a settings change with the playground's rules for what regenerates data and
what resets the network, `advance` training within a time budget.
What it is not: a websocket handler (app/web), a validator (app/protocol/inbound.py) or a
frame builder (app/protocol/frames.py); it trusts the validated settings it is given.
Trade-off: data is rebuilt from the seed (never stored), so a checkpoint stays small and any
server process can resume it; the price is that a seed change re-runs the generator (~5 ms).
"""

import copy
import math
import time
from typing import Any

import numpy as np

from app.engine import DivergenceError
from app.engine.types import FloatArray
from app.playground.build import check_limits, new_network, new_trainer, optimizer_from
from app.playground.custom_data import Row, UploadReport, checked_point, parse_csv, rows_to_arrays
from app.playground.errors import ProtocolError
from app.playground.features import feature_matrix
from app.playground.grids import GridEvaluator
from app.playground.labels import targets
from app.playground.readouts import Readouts, thinned
from app.playground.rng import keras_generator
from app.playground.run_link import RunMarker, keras_stream, marker_at, rewind
from app.playground.run_log import RunLog, seeded_data
from app.playground.run_script import RunScript
from app.playground.settings import PlaygroundSettings, merge_settings

Point = tuple[int, float, float]  # (epoch, train loss, test loss) on the loss chart
DATA_KEYS = ("problem", "noise", "percent_train")
LIVE_KEYS = frozenset({"learning_rate", "speed", "epochs_limit", "gradient_view"})


class Session(Readouts):
    """A live experiment. Every public method leaves it consistent or raises ProtocolError."""

    def __init__(
        self,
        settings: PlaygroundSettings,
        max_layers: int = 6,
        max_neurons: int = 8,
        max_points: int = 2000,
        run: RunMarker | None = None,
    ) -> None:
        self.max_layers, self.max_neurons, self.max_points = max_layers, max_neurons, max_points
        self.added: list[Row] = []  # points the user clicked in; they join the training set
        self.uploaded: list[Row] | None = None  # an uploaded CSV replaces the generated data
        self.settings = settings
        self.playing = False
        self.diverged = False
        self.focus: tuple[int, int] | None = None
        self.script: RunScript | None = None  # a run link's events still to come
        self.replayed = 0  # events of a run link applied so far (the runner sends a state)
        self.version = 0  # bumped on every visible change; the server sends a frame per bump
        self.data_version = 0
        self._outputs: tuple[int, FloatArray, FloatArray] | None = None
        check_limits(settings, self.max_layers, self.max_neurons)
        optimizer_from(settings)  # validate optimizer options before building anything
        self._seed_data()
        if run is not None:  # a "Link to this run": replay that reset, not the page load's
            self.generation = rewind(self.rng, run)
        self.reset()

    # -- commands ---------------------------------------------------------------------------

    def apply(self, patch: dict[str, Any]) -> None:
        """A partial settings change with spec §5's effects; nothing changes if it is invalid."""
        new = merge_settings(self.settings, patch)
        check_limits(new, self.max_layers, self.max_neurons)
        optimizer_from(new)  # raises ProtocolError on bad optimizer options
        old, self.settings = self.settings, new
        changed = {k for k in type(new).model_fields if getattr(old, k) != getattr(new, k)}
        data_changed = _data_changed(old, new, changed)
        if "seed" in changed:
            self._seed_data()
            self.reset()
        elif changed & {"features", "loss"} and not data_changed:
            self._featurize()
            self.reset()
        elif data_changed:
            if changed & {"problem", "dataset", "reg_dataset"}:
                self.added, self.uploaded = [], None  # labels of another problem
            self.regenerate(reset=True)
        elif changed - LIVE_KEYS:
            self.reset()
        else:
            self.trainer.learning_rate = new.learning_rate
            self.trainer.record_gradients = new.gradient_view
            self.gradients_recorded &= "gradient_view" not in changed  # ticked: none yet
            if "learning_rate" in changed:
                self.log.note(self.epoch, "learning_rate", value=new.learning_rate)
            self.touch()

    def reset(self) -> None:
        """Pause, epoch 0, new weights from the continuing stream; data kept (spec §5)."""
        self.playing = False
        self.diverged = False
        self.epoch = 0
        self.keras_rng = keras_stream(self.settings.seed, self.generation)
        self.run_marker = marker_at(self.rng, self.generation)  # what a run link carries
        self.generation += 1
        self.net = new_network(self.settings, self.rng, self.keras_rng)
        self.trainer = new_trainer(self.settings, self.net, self.keras_rng)
        self.trainer.record_gradients = self.settings.gradient_view
        self.gradients_recorded = False
        self.initial_weights = self.net.get_weights()
        self.initial_shuffle_state = dict(copy.deepcopy(self.keras_rng.bit_generator.state))
        self.log = RunLog.start(self.settings, self.added)  # what an exact replay needs
        self.history: list[tuple[int, float, float]] = []
        self._clamp_focus()
        self.touch()

    def play(self) -> None:
        """Train on: a diverged run is given another go (the user asked for it)."""
        self.playing, self.diverged = True, False
        self.touch()

    def pause(self) -> None:
        self.playing = False
        self.touch()

    def load_weights(self, weights: list[FloatArray], epoch: int, history: list[Point]) -> None:
        """Continue from imported weights, as the run's start (an export replays from here)."""
        self.net.set_weights(weights)
        self.initial_weights = self.net.get_weights()
        self.run_marker = None  # no seed draws these weights: no link replays them
        self.gradients_recorded = False
        self.epoch = epoch
        self.history = thinned(list(history))
        self.log = RunLog.start(self.settings, self.added, first_epoch=epoch)
        self.touch()

    def training_cost(self, epochs: int) -> int:
        """What `epochs` epochs cost, in sample-weight updates: epochs x samples x weights
        (the bound on one `step`, so a single message cannot buy minutes of CPU)."""
        weights = sum(w.size for w in self.net.get_weights())
        return epochs * max(1, len(self.Ftr)) * weights

    def regenerate(self, reset: bool = False) -> None:
        """New seed from the seeded stream, new data; the network continues unless `reset`."""
        seed = self.rng.next_seed()
        self.settings = self.settings.model_copy(update={"seed": seed})
        self._seed_data()
        if reset:
            self.reset()
        else:
            self.log.note(self.epoch, "regenerate", seed=seed)
            self.touch()

    def set_weight(self, layer: int, src: int, dst: int, value: float) -> None:
        self._check_link(layer, src, dst)
        self.net.set_weight(layer, src, dst, value)
        self.log.note(self.epoch, "weight", layer=layer, src=src, dst=dst, value=float(value))
        self.touch()

    def set_bias(self, layer: int, node: int, value: float) -> None:
        self._check_link(layer, 0, node, bias=True)
        self.net.set_bias(layer, node, value)
        self.log.note(self.epoch, "bias", layer=layer, node=node, value=float(value))
        self.touch()

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

    def upload(self, content: str) -> dict[str, Any]:
        """Replace the data by a CSV's good rows (shuffled by the seed, then split); reset."""
        return self.use_upload(parse_csv(self.settings, content, self.max_points))

    def use_upload(self, report: UploadReport) -> dict[str, Any]:
        """The second half of `upload`, for a report parsed elsewhere (off the event loop)."""
        if not report.rows:
            first = "; ".join(f"line {n}: {why}" for n, why in report.problems[:3])
            raise ProtocolError("invalid_upload", f"no usable row ({first or 'empty file'})")
        self.added, self.uploaded = [], report.rows
        self._seed_data()
        self.reset()
        return report.to_message()

    def set_focus(self, layer: int | None, unit: int) -> None:
        """Which node's full map frames carry: None = output, 0 = input feature `unit`."""
        if layer is not None and not self._has_node(layer, unit):
            raise ProtocolError("invalid_message", f"no node {unit} in layer {layer}", "unit")
        self.focus = None if layer is None else (layer, unit)
        self.touch()

    def _has_node(self, layer: int, unit: int) -> bool:
        sizes = [7, *self.net.layer_sizes[1:]]  # layer 0: the seven input features
        return layer < len(sizes) and unit < sizes[layer]

    def _clamp_focus(self) -> None:
        """A focused node the network no longer has (it shrank) falls back to the output,
        so a frame never asks for a node that is not there (issue 12, item 6)."""
        if self.focus is not None and not self._has_node(*self.focus):
            self.focus = None

    # -- training ---------------------------------------------------------------------------

    def advance(self, epochs: int, budget_seconds: float = math.inf) -> list[dict[str, str]]:
        """Train up to `epochs` epochs within the time budget; returns events (divergence…)."""
        deadline = time.perf_counter() + budget_seconds
        events: list[dict[str, str]] = []
        fresh = None  # the outputs the last finished epoch's loss was taken at
        for _ in range(epochs):
            if self.script is not None and self.script.due(self):
                fresh = None  # a run link's events changed the weights or data (run_script.py)
            limit = self.settings.epochs_limit
            if limit is not None and self.epoch >= limit:
                self.playing = False
                events.append(_event("epochs_limit", f"Stopped at epoch {limit}, as asked."))
                break
            try:
                self.trainer.train_epoch(self.Ftr, self.Ttr)  # frames take the loss they show
            except DivergenceError as exc:
                self.playing, self.diverged = False, True
                self.log.note(self.epoch, "diverged")  # rolled back, but a shuffle was drawn
                events.append(_event("diverged", str(exc)))
                break  # rolled back to where `fresh` was taken: it still holds
            fresh = self.trainer.last_outputs
            self.gradients_recorded |= self.trainer.record_gradients
            self.epoch += 1
            if time.perf_counter() > deadline:
                break
        self.touch()
        self.keep_train_outputs(fresh)
        return events

    def record_epoch(self, outputs: FloatArray | None) -> None:
        """An epoch trained in a gang (gangs.py): what `advance` records after one; the
        training set's outputs, if the gang took its loss."""
        self.epoch += 1
        self.touch()
        self.keep_train_outputs(outputs)

    # -- internals --------------------------------------------------------------------------

    def _seed_data(self) -> None:
        """Reseed both streams from settings.seed and rebuild the data (spec §2.8)."""
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
        """Feature matrices (data and grid) for the enabled inputs (spec §3), and the
        training targets for the loss (labels.py)."""
        s = self.settings
        self.Ftr = feature_matrix(self.Xtr, s.features)
        self.Fte = feature_matrix(self.Xte, s.features)
        self.Ttr, self.Tte = targets(s, self.ytr), targets(s, self.yte)
        self.grid = GridEvaluator(s.features)

    def touch(self) -> None:
        """Something visible changed: the next frame (and any cached outputs) are due."""
        self.version += 1

    def _check_link(self, layer: int, src: int, dst: int, bias: bool = False) -> None:
        if layer >= len(self.net.W):
            raise ProtocolError("invalid_message", f"no layer {layer}", "layer")
        fan_in, fan_out = self.net.W[layer].shape
        if (not bias and src >= fan_in) or dst >= fan_out:
            what = "node" if bias else "link"
            raise ProtocolError("invalid_message", f"no such {what} in layer {layer}", what)


def _data_changed(old: PlaygroundSettings, new: PlaygroundSettings, changed: set[str]) -> bool:
    """Whether a change needs new data: the noise, the split or the dataset itself."""
    return bool(changed & set(DATA_KEYS)) or old.active_dataset != new.active_dataset


def _event(name: str, message: str) -> dict[str, str]:
    return {"type": "event", "event": name, "message": message}
