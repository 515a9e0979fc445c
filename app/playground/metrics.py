"""Metrics beside the loss: accuracy for classification, RMSE and R² for regression.

What it is: pure functions of settings, outputs and labels, as Keras users know them
(`accuracy`, `RootMeanSquaredError`, `R2Score`), plus a confusion matrix.
What it is not: part of training; nothing here feeds a gradient.
Trade-off: computed from a fresh forward pass per frame (≈0.1 ms) rather than accumulated
during the epoch, so they describe the weights the frame shows, not a mid-epoch average.
"""

import math

import numpy as np

from app.engine.types import FloatArray
from app.playground.labels import class_labels, predicted_labels, predicted_positive
from app.playground.settings import PlaygroundSettings


def metric_names(settings: PlaygroundSettings) -> list[str]:
    if settings.problem == "regression":
        return ["train_rmse", "test_rmse", "train_r2", "test_r2"]
    return ["train_accuracy", "test_accuracy"]


def metrics(
    settings: PlaygroundSettings,
    outs: tuple[FloatArray, FloatArray],
    ys: tuple[FloatArray, FloatArray],
) -> list[float]:
    """Values in the order of `metric_names`, for (train, test) outputs and labels."""
    if settings.problem == "regression":
        rmse = [_rmse(out[:, 0], y) for out, y in zip(outs, ys, strict=True)]
        r2 = [_r2(out[:, 0], y) for out, y in zip(outs, ys, strict=True)]
        return rmse + r2
    return [_accuracy(settings, out, y) for out, y in zip(outs, ys, strict=True)]


def confusion_matrix(
    settings: PlaygroundSettings, out: FloatArray, y: FloatArray
) -> list[list[int]]:
    """Rows: true label, columns: predicted label, both in `class_labels` order."""
    labels = class_labels(settings)
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    predicted = predicted_labels(settings, out)
    truth = y.astype(np.int64) if settings.classes > 2 else np.where(y > 0, 1, -1)
    for t, p in zip(truth, predicted, strict=True):
        matrix[index[int(t)], index[int(p)]] += 1
    return matrix.tolist()


def _accuracy(settings: PlaygroundSettings, out: FloatArray, y: FloatArray) -> float:
    if len(y) == 0:
        return math.nan
    # count / n is np.mean of the hits to the bit (a sum of 0s and 1s is exact), without
    # np.mean's Python layer, and a binary hit is "predicted +1" == "labelled +1" without
    # building either ±1 array: this runs twice per frame.
    if settings.classes > 2:
        hits = predicted_labels(settings, out) == y.astype(np.int64)
    else:
        hits = predicted_positive(settings, out) == (y > 0)
    return np.count_nonzero(hits) / len(y)


def _rmse(pred: FloatArray, y: FloatArray) -> float:
    return float(np.sqrt(np.mean((pred - y) ** 2))) if len(y) else math.nan


def _r2(pred: FloatArray, y: FloatArray) -> float:
    """1 − SS_res/SS_tot; NaN when the labels have no variance (R² is undefined there)."""
    total = float(np.sum((y - y.mean()) ** 2)) if len(y) else 0.0
    if total == 0.0:
        return math.nan
    return 1.0 - float(np.sum((y - pred) ** 2)) / total
