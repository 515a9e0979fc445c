"""Sessions that train an epoch together (app/engine/gang.py), and what a gang owes each.

What it is: `Gangs.train(key, members)`, one epoch for each member session in one stacked
pass, each started where the session stands or where epochs not yet taken left it; and
`GangWork`, the epochs a gang trained for a session that the session's own runner has not
taken yet (Session.record_trained), with whether they still apply.
What it is not: who may train in a gang and with whom (app/web/gangs.py: can_gang) or the
stacked arithmetic (the engine's). Nothing here writes a session.
Trade-off: stacked buffers are kept per (key, member count), a few at a time; a gang of a
new size pays ~0.1 ms to build them, against ~0.5 ms per member-epoch saved. Work is
stamped with the session's version: anything visible that changes before it is taken (a
command, a focus) voids it, and the session trains those epochs again itself; epochs are
deterministic, so that costs time, never a difference.
"""

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.engine.gang import GangKernel, GangKey, Result, Start, Trained, start_of, train_together
from app.playground.session import Session

KEPT_KERNELS = 16


@dataclass
class GangWork:
    """Epochs gangs trained for `session`, in order, since its owner last took any."""

    session: Session
    version: int  # the session's run_version when the first of them was stacked
    epochs: list[Trained] = field(default_factory=list)

    def fresh(self, session: Session | None) -> bool:
        """Whether they still apply to `session`: the same one, its run unchanged since."""
        return session is self.session and session.run_version == self.version

    def start(self) -> Start:
        """Where the next epoch for this session starts: after the last of these."""
        trainer = self.session.trainer
        done = sum(t.updates for t in self.epochs)
        return Start(trainer, self.epochs[-1].params, trainer.optimizer.iterations + done)


class Gangs:
    """Stacked kernels by (key, size), least recently used dropped first."""

    def __init__(self) -> None:
        self._kernels: OrderedDict[tuple[GangKey, int], GangKernel] = OrderedDict()

    def train(
        self, key: GangKey, members: Sequence[tuple[Session, GangWork | None]]
    ) -> list[Result]:
        """One epoch for each member session (all of gang `key`), started after its work
        not yet taken, if any; None where the result is not finite (the session should
        train that epoch itself, which reports the divergence: gang.train_together)."""
        sessions = [session for session, _ in members]
        kernel = self._kernel(key, sessions[0], len(sessions))
        starts = [start_of(s.trainer) if w is None else w.start() for s, w in members]
        return train_together(kernel, starts, [(s.Ftr, s.Ttr) for s in sessions])

    def _kernel(self, key: GangKey, first: Session, size: int) -> GangKernel:
        kernel = self._kernels.pop((key, size), None)
        if kernel is None:
            net, batch = first.net, first.trainer.batch_size
            kernel = GangKernel(net.layer_sizes, net.activation, net.output_activation, size, batch)
            if len(self._kernels) >= KEPT_KERNELS:
                self._kernels.popitem(last=False)
        self._kernels[(key, size)] = kernel
        return kernel
