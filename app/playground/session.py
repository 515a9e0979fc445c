"""One experiment: settings, data, network, trainer, epoch counter and random streams.

What it is: the playground's simulation (docs/playground-rules.md §5) as an object the
server drives: `apply` a settings change with the playground's rules for what regenerates
data and what resets the network; `play`, `pause` and `step` (training_state.py, the one
owner of whether it trains); `advance` training within a time budget, taking the loss
history's points (history.py) as it goes.
What it is not: a websocket handler (app/web), a validator (settings.py) or a frame builder
(app/protocol/frames.py); it trusts the validated settings it is given.
Trade-off: one object the server drives through commands that each leave it consistent or
raise, split by concern into mixins (its data: session_data.py; its readouts: readouts.py)
so that each file reads on its own.
"""

import copy
import math
import time
from typing import Any

from app.engine import DivergenceError
from app.engine.gang import Trained
from app.engine.types import FloatArray
from app.playground.build import check_limits, new_network, new_trainer
from app.playground.custom_data import Row
from app.playground.errors import ProtocolError
from app.playground.history import LossHistory, Point
from app.playground.readouts import Readouts
from app.playground.run_link import RunMarker, keras_stream, marker_at, rewind
from app.playground.run_log import RunLog
from app.playground.run_script import RunScript
from app.playground.session_data import SessionData
from app.playground.settings import PlaygroundSettings, merge_settings
from app.playground.training_state import Training, TrainingState

DATA_KEYS = ("problem", "noise", "percent_train")
# The most epochs a run may reach (and so a checkpoint claim): ~15 hours of the fastest
# network at "max" speed; past it a session stops as at an epochs limit (issue 20, item 1).
MAX_EPOCH = 10**9
LIVE_KEYS = frozenset({"learning_rate", "speed", "epochs_limit", "gradient_view"})


class Session(SessionData, Readouts):
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
        self._training = TrainingState()
        self.diverged = False
        self.focus: tuple[int, int] | None = None
        self.script: RunScript | None = None  # a run link's events still to come
        self.replayed = 0  # events of a run link applied so far (the runner sends a state)
        self.version = 0  # bumped on every visible change; the server sends a frame per bump
        self.view_changes = 0  # of those bumps, the ones that changed only the view (focus)
        self.data_version = 0
        self._outputs: tuple[int, FloatArray, FloatArray] | None = None
        check_limits(settings, self.max_layers, self.max_neurons)
        self._seed_data()
        if run is not None:  # a "Link to this run": replay that reset, not the page load's
            self.generation = rewind(self.rng, run)
        self.reset()

    # -- commands ---------------------------------------------------------------------------

    def apply(self, patch: dict[str, Any]) -> None:
        """A partial settings change with the effects of docs/playground-rules.md §5; nothing
        changes if it is invalid. Training goes on unless the change resets the network."""
        new = merge_settings(self.settings, patch)
        check_limits(new, self.max_layers, self.max_neurons)
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

    # -- whether it trains (training_state.py) ----------------------------------------------

    @property
    def training(self) -> Training:
        return self._training.state

    @property
    def playing(self) -> bool:
        return self._training.state is Training.PLAYING

    @property
    def steps_left(self) -> int:
        """Epochs a step under way still owes (0 unless stepping)."""
        return self._training.steps_left

    def play(self) -> None:
        """Train on: a diverged run is given another go (the user asked for it)."""
        self._training.play()
        self.diverged = False
        self.touch()

    def pause(self) -> None:
        self._training.pause()
        self.touch()

    def step(self, epochs: int) -> None:
        """Train `epochs` more epochs (on top of a step under way), then pause."""
        self._training.step(epochs)
        self.touch()

    def end_step(self) -> None:
        """Drop what a step under way still owes (a `set` message does: docs/protocol.md
        §2); playing, or paused, goes on as it was."""
        if self._training.state is Training.STEPPING:
            self.pause()

    # -- commands ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Pause, epoch 0, new weights from the continuing stream; data kept (§5)."""
        self._training.pause()
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
        self.history = LossHistory()
        self._clamp_focus()
        self.touch()
        self._note_history()

    def load_weights(self, weights: list[FloatArray], epoch: int, history: list[Point]) -> None:
        """Continue from imported weights, as the run's start (an export replays from here)."""
        self.net.set_weights(weights)
        self.initial_weights = self.net.get_weights()
        self.run_marker = None  # no seed draws these weights: no link replays them
        self.gradients_recorded = False
        self.epoch = epoch
        self.history = LossHistory(history)
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

    def set_focus(self, layer: int | None, unit: int) -> None:
        """Which node's full map frames carry: None = output, 0 = input feature `unit`."""
        if layer is not None and not self._has_node(layer, unit):
            raise ProtocolError("invalid_message", f"no node {unit} in layer {layer}", "unit")
        self.focus = None if layer is None else (layer, unit)
        self.view_changes += 1
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
        """Train up to `epochs` epochs (a step: at most what it still owes) within the time
        budget; returns events (divergence, epoch limit), which pause it. RuntimeError if
        it is paused: whoever trains it looks first (training_state.py)."""
        deadline = time.perf_counter() + budget_seconds
        events: list[dict[str, str]] = []
        fresh = None  # the outputs the last finished epoch's loss was taken at
        for _ in range(self._training.allowed(epochs)):
            if self.script is not None and self.script.due(self):
                fresh = None  # a run link's events changed the weights or data (run_script.py)
                if self._training.state is Training.PAUSED:
                    break  # one of them reset the run (a cleared upload)
            limit = self.settings.epochs_limit or MAX_EPOCH
            if self.epoch >= limit:
                events.append(_event("epochs_limit", f"Stopped at epoch {limit}, as asked."))
                break
            try:
                self.trainer.train_epoch(self.Ftr, self.Ttr)  # frames take the loss they show
            except DivergenceError as exc:
                self.diverged = True
                self.log.note(self.epoch, "diverged")  # rolled back, but a shuffle was drawn
                events.append(_event("diverged", str(exc)))
                break
            fresh = self.trainer.last_outputs
            self._trained(fresh)
            if time.perf_counter() > deadline:
                break
        if events:  # it stops: the frame's flags change
            self._training.pause()
            self.touch()
            self.keep_train_outputs(fresh)  # rolled back to where `fresh` was taken
        return events

    def record_trained(self, result: Trained) -> None:
        """An epoch a gang trained for this session (app/web/gangs.py hands it over on this
        session's own turn), committed and recorded as `advance` would have left it."""
        if not self.playing:
            raise RuntimeError("a gang epoch for a session that no longer plays")
        self.trainer.commit_epoch(result.params, result.updates, result.outputs)
        self._trained(result.outputs)

    def _trained(self, outputs: FloatArray | None) -> None:
        """After an epoch: count it, keep the training set's outputs its loss was taken at
        (None if none was), and take a history point where one is due."""
        self.epoch += 1
        self._training.took(1)
        self.gradients_recorded |= self.trainer.record_gradients
        self.touch()
        self.keep_train_outputs(outputs)
        self._note_history()

    def _note_history(self) -> None:
        if self.history.due(self.epoch):
            self.history.add((self.epoch, *self.losses()))

    # -- internals --------------------------------------------------------------------------

    @property
    def run_version(self) -> int:
        """The version less the changes of view: it moves when the run changes (an epoch,
        weights, data, settings), not when another node is focused. Gang epochs trained
        for this session stay good across a focus change (app/playground/gangs.py): a page
        that hovers over neurons no longer has its class's gang work thrown away."""
        return self.version - self.view_changes

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
