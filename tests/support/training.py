"""Train a Session as the server's runner does for a `step` message: step, then advance.

A paused session trains nothing (app/playground/training_state.py), so a test that wants
epochs asks for them as a client would.
"""

from app.playground.session import Session


def train(session: Session, epochs: int) -> list[dict[str, str]]:
    """`epochs` epochs (fewer if an event stops them; none for 0); the events, as `advance`
    returns them."""
    if epochs == 0:
        return []
    session.step(epochs)
    return session.advance(epochs)
