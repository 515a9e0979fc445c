"""What a frame and the state message read off a session: outputs, losses and metrics.

What it is: `Readouts`, the read-only half of `Session` (a mixin), kept apart so the session
module holds the rules and this one the numbers a frame shows.
What it is not: training (session.py) or frame encoding (app/protocol/frames.py).
Trade-off: a mixin that names the session attributes it reads, instead of a separate object
holding a reference back, so `session.losses()` keeps working for every caller.
"""

from app.engine import LOSSES
from app.engine.losses import mean_or_nan
from app.engine.network import Network
from app.engine.training import Trainer
from app.engine.types import FloatArray
from app.playground.metrics import metric_names, metrics
from app.playground.settings import PlaygroundSettings


class Readouts:
    """Numbers derived from the current weights and data, cached per visible version."""

    settings: PlaygroundSettings
    net: Network
    Ftr: FloatArray
    Fte: FloatArray
    Ttr: FloatArray
    Tte: FloatArray
    ytr: FloatArray
    yte: FloatArray
    version: int
    trainer: Trainer
    epoch: int
    _outputs: tuple[int, FloatArray, FloatArray] | None
    _train_outputs: tuple[int, FloatArray] | None = None
    # An update has run with the gradient view on since the run (re)started or the view was
    # ticked: the trainer's record of the last update's gradients is then this run's.
    gradients_recorded: bool = False

    def keep_train_outputs(self, train: FloatArray | None) -> None:
        """The training set's outputs as the last epoch left them (its loss was taken at
        them), for the current version: a frame of this state then makes one pass over the
        data, the test set's, not two."""
        self._train_outputs = None if train is None else (self.version, train)

    def outputs(self) -> tuple[FloatArray, FloatArray]:
        """Network outputs on train and test, computed once per visible state: the losses
        and metrics of a frame share them."""
        if self._outputs is None or self._outputs[0] != self.version:
            kept = self._train_outputs
            fresh = kept is not None and kept[0] == self.version
            train = kept[1] if kept is not None and fresh else self.trainer.predict(self.Ftr)
            self._outputs = (self.version, train, self.trainer.predict(self.Fte))
        return self._outputs[1], self._outputs[2]

    def losses(self) -> tuple[float, float]:
        """(train, test) display loss: mean ½(o−t)², or the chosen Keras loss
        (docs/architecture.md §1)."""
        out_tr, out_te = self.outputs()
        loss = LOSSES[self.settings.loss]
        return mean_or_nan(loss.value(out_tr, self.Ttr)), mean_or_nan(loss.value(out_te, self.Tte))

    def metrics(self) -> list[float]:
        """Accuracy (classification) or RMSE and R² (regression) on train and test."""
        return metrics(self.settings, self.outputs(), (self.ytr, self.yte))

    def view_gradients(self) -> list[FloatArray]:
        """The gradient view's ∂L/∂W, one array per kernel: the last update's, as the trainer
        recorded it with the view on; or, when no update has run with the view on (it was
        ticked after training, or a reload resumed the run), the training set's gradient at
        the current weights (0 on dead links), so a run that has trained never shows an
        empty view. Zeros before any training (the page then says so)."""
        if self.gradients_recorded or self.epoch == 0 or len(self.Ftr) == 0:
            return self.trainer.last_gradients()
        kernels = self.trainer.gradients(self.Ftr, self.Ttr)[0::2]
        for W, dead in zip(kernels, self.trainer.dead, strict=True):
            W[dead] = 0.0
        return kernels

    @property
    def metric_names(self) -> list[str]:
        return metric_names(self.settings)
