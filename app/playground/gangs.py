"""Sessions that train an epoch together (app/engine/gang.py), with a session's bookkeeping.

What it is: `gang_of(session)`, the key sessions must share to train together (None while
one must train alone: paused, diverged, at its epoch limit, replaying a run link's events,
or a case gang.py leaves to the Trainer), and `Gangs.advance(sessions)`, one epoch for each
of them in one stacked pass, recorded in each session as `Session.advance` would record it.
What it is not: who trains with whom and when (app/web/gangs.py picks the members among
the connections that owe an epoch) or the stacked arithmetic (the engine's).
Trade-off: stacked buffers are kept per (key, member count), a few at a time; a gang of a
new size pays ~0.1 ms to build them, against ~0.5 ms per member-epoch saved.
"""

from collections import OrderedDict
from collections.abc import Sequence

from app.engine.gang import GangKernel, GangKey, gang_key, most_members, train_together
from app.playground.session import Session

KEPT_KERNELS = 16
__all__ = ["GangKey", "Gangs", "gang_of", "most_members"]


def gang_of(session: Session) -> GangKey | None:
    """Sessions with equal keys can train their next epoch together."""
    limit = session.settings.epochs_limit
    if not session.playing or session.diverged or (limit is not None and session.epoch >= limit):
        return None
    if session.script is not None:  # a run link's events are applied between its epochs
        return None
    return gang_key(session.trainer, len(session.Ftr))


class Gangs:
    """Stacked kernels by (key, size), least recently used dropped first."""

    def __init__(self) -> None:
        self._kernels: OrderedDict[tuple[GangKey, int], GangKernel] = OrderedDict()

    def advance(self, key: GangKey, sessions: Sequence[Session]) -> list[bool]:
        """One epoch for each of `sessions` (all of gang `key`); True where it was recorded.
        False means nothing of that session changed: it should train the epoch itself,
        which reports the divergence the gang saw (gang.train_together)."""
        kernel = self._kernel(key, sessions[0], len(sessions))
        data = [(s.Ftr, s.Ttr) for s in sessions]
        results = train_together(kernel, [s.trainer for s in sessions], data)
        for session, result in zip(sessions, results, strict=True):
            if result is not None:
                session.record_epoch(result.outputs)
        return [result is not None for result in results]

    def _kernel(self, key: GangKey, first: Session, size: int) -> GangKernel:
        kernel = self._kernels.pop((key, size), None)
        if kernel is None:
            net, batch = first.net, first.trainer.batch_size
            kernel = GangKernel(net.layer_sizes, net.activation, net.output_activation, size, batch)
            if len(self._kernels) >= KEPT_KERNELS:
                self._kernels.popitem(last=False)
        self._kernels[(key, size)] = kernel
        return kernel
