"""What the gradient view shows: the last update's gradients when one ran with the view on,
else (ticked after training, or resumed) the training loss's gradient at the current weights."""

import numpy as np

from app.engine import LOSSES
from app.playground.session import Session
from app.playground.settings import PlaygroundSettings, merge_settings
from tests.support.training import train


def trained(epochs: int, **patch: object) -> Session:
    session = Session(merge_settings(PlaygroundSettings(), {"seed": "view", **patch}))
    train(session, epochs)
    return session


def training_loss(session: Session) -> float:
    out = session.trainer.predict(session.Ftr)
    return float(np.mean(LOSSES[session.settings.loss].value(out, session.Ttr)))


def test_ticked_after_training_it_shows_the_gradient_at_the_current_weights() -> None:
    session = trained(30, activation="relu")
    assert not any(g.any() for g in session.trainer.last_gradients())  # nothing recorded
    session.apply({"gradient_view": True})
    shown = session.view_gradients()
    # Against central differences of the training loss, weight by weight of the first kernel.
    W, h = session.net.W[0], 1e-6
    for i, j in np.ndindex(W.shape):
        keep = W[i, j]
        W[i, j] = keep + h
        up = training_loss(session)
        W[i, j] = keep - h
        down = training_loss(session)
        W[i, j] = keep
        assert abs(shown[0][i, j] - (up - down) / (2 * h)) < 1e-6, (i, j)
    assert np.abs(shown[0]).max() > 1e-4


def test_after_an_update_with_the_view_on_it_shows_that_update() -> None:
    session = trained(5)
    session.apply({"gradient_view": True})
    before = session.view_gradients()
    train(session, 1)
    recorded = session.trainer.last_gradients()
    assert all(
        np.array_equal(a, b) for a, b in zip(session.view_gradients(), recorded, strict=True)
    )
    assert not all(np.allclose(a, b) for a, b in zip(before, recorded, strict=True))


def test_before_any_training_there_is_nothing_to_show() -> None:
    session = trained(0, gradient_view=True)
    assert not any(g.any() for g in session.view_gradients())


def test_dead_links_show_no_gradient() -> None:
    session = trained(3, regularization="L1", regularization_rate=0.3, learning_rate=0.3)
    assert any(d.any() for d in session.trainer.dead), "the run needs a dead link"
    session.apply({"gradient_view": True})
    for g, dead in zip(session.view_gradients(), session.trainer.dead, strict=True):
        assert not g[dead].any()
