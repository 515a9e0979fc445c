"""Fair scheduling of training inside one worker process (issue 12).

What it is: the process-wide book of who wants CPU now, how long a slice each may take, how
much CPU each session has used, and how far frame rates stretch under overload.
What it is not: a thread pool or a lock. All sessions run on one event loop thread, so work
is already serialised; the loop's ready queue already takes runners in turn (round robin).
What decides fairness is how long each turn lasts. A session at speed "max" would take a
full 12 ms slice per turn while a session at 60 epochs/s needs about 1 ms, so the slice
shrinks to an equal share of a 25 ms round (ROUND_SECONDS / sessions wanting CPU): with 25 hungry
sessions each trains ~1 ms per turn and every session gets a turn every ~25 ms. An epoch
cannot be cut (a 6x8 network at batch size 1 takes ~25 ms), so a turn may overrun its
share; the overrun is a debt the session pays back by standing aside while the others get
as much (deficit round robin). Alone, it owes nothing. Frames are accounted, not owed.
Trade-off: shares are equal in time per turn, not in work: a 6x8 network trains fewer
epochs per share than a [4,2] one. That is the fair currency on a shared machine.
Under overload, frames go first: frame building costs more than an epoch of config A, so
when the loop is busy the frame rate stretches (down to half) before epochs per second fall.
"""

import time
from collections import deque
from dataclasses import dataclass, field

SLICE_SECONDS = 0.012  # the longest a turn trains before it yields (runner.py, gangs.py)
MIN_SLICE_SECONDS = 0.001  # the shortest: an epoch always runs, so this only bounds the wish
ROUND_SECONDS = 0.025  # every hungry session gets a turn within about this long
HUNGRY_WINDOW_SECONDS = 0.25  # a session that asked for a slice this recently is hungry
BUSY_WINDOW_SECONDS = 1.0
BUSY_THRESHOLD = 0.8  # above this fraction of the loop busy, frame rates stretch
MAX_FRAME_STRETCH = 2.0
MAX_WAIT_SECONDS = 1.0
FLOOR_DEBT_MARGIN = 1.5  # a group above 1.5 equal parts repays even its slices' floor


@dataclass
class FairScheduler:
    """One per worker process (app.state.scheduler); keys are connection ids, each in a
    share group (its browser, else its address: identity.py)."""

    hungry: dict[int, float] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)
    debt: dict[int, float] = field(default_factory=dict)
    group_of: dict[int, str] = field(default_factory=dict)
    fraction: dict[int, float] = field(default_factory=dict)  # of the loop, at the last slice
    total_cpu: float = 0.0
    # when, cpu, group, and whether it was filler (speed "max": see charge)
    recent: deque[tuple[float, float, str, bool]] = field(default_factory=deque)
    recent_cpu: float = 0.0
    recent_filler: float = 0.0
    group_cpu: dict[str, float] = field(default_factory=dict)  # recent CPU by group

    def join(self, key: int, group: str) -> None:
        self.group_of[key] = group

    def slice(self, key: int, wanted: float) -> float:
        """The training budget for `key`'s next turn: its wish, capped at a fair share.

        Shares go per group first, then per session inside it (issue 20, item 11): with G
        groups wanting CPU and n of them in key's group, its part of the loop is 1/(G n).
        So one browser's (or one address's) 40 tabs get one group's share, not 40.
        """
        now = time.monotonic()
        self.hungry[key] = now
        if len(self.hungry) > 1:
            stale = now - HUNGRY_WINDOW_SECONDS
            for other in [k for k, t in self.hungry.items() if t < stale]:
                del self.hungry[other]
        group = self.group_of.get(key, "")
        groups = {self.group_of.get(k, "") for k in self.hungry}
        mates = sum(1 for k in self.hungry if self.group_of.get(k, "") == group)
        self.fraction[key] = 1.0 / (len(groups) * mates)
        return max(MIN_SLICE_SECONDS, min(wanted, ROUND_SECONDS * self.fraction[key]))

    def owed(self, key: int) -> float:
        """How long `key` must stand aside before its next turn (then the debt is paid).

        A session that overran its share by d, when its part of the loop is f, waits
        d * (1/f - 1): long enough for the others to have had their parts of as much (with
        n sessions in n groups: d * (n - 1)). Alone, it owes nothing; never more than
        MAX_WAIT_SECONDS, so even the heaviest session keeps drawing.
        """
        debt = self.debt.pop(key, 0.0)
        part = self.fraction.get(key, 1.0)
        return min(MAX_WAIT_SECONDS, debt * (1.0 / part - 1.0)) if debt > 0 else 0.0

    def charge(
        self,
        key: int,
        seconds: float,
        share: float | None = None,
        elastic: bool = False,
        filler: bool = False,
    ) -> None:
        """Account loop seconds (of a slice or a frame) to a session. For a training slice
        (`share` given) what went beyond the share is owed while others want CPU; frames
        only when its group is over its share: the frame-rate cap already bounds a
        session's frames, and a debt for them would cut the frame rate of exactly the light
        sessions that mostly draw. `elastic` work (a digits slice, app/web/digits) takes
        whatever time the others leave and yields to them every few ms: it is accounted and
        owed like any slice but is not the loop's load, or one digits student would stretch
        every other session's frames as if the worker were overloaded. `filler` training (speed
        "max": as many epochs as the time left allows) counts for its group's share like any
        slice but not as load that stretches frames: the loop is busy only because that
        session fills what is idle, and one student at "max" would otherwise cut everyone's
        frame rate by a quarter (a lone one saw 24 frames/s, benchmarks/browser.py)."""
        group = self.group_of.get(key, "")
        if share is not None and self.over_share(group, FLOOR_DEBT_MARGIN):
            # A group well over its share owes beyond its part of a round, not beyond the
            # floor of a slice: forty tabs of one browser each taking the 1 ms floor would
            # otherwise owe nothing and take 40 ms a round from a neighbour's 1. Groups
            # near an equal part (a class) keep the floor, or all would owe and wait alike,
            # leaving the loop idle (benchmarks/classroom.py lost a fifth of its frames).
            share = min(share, ROUND_SECONDS * self.fraction.get(key, 1.0))
        if share is not None and len(self.hungry) > 1 and seconds > share:
            self.debt[key] = self.debt.get(key, 0.0) + seconds - share
        elif share is None and self.over_share(group):
            self.debt[key] = self.debt.get(key, 0.0) + seconds  # its frames count too
        self.cpu[key] = self.cpu.get(key, 0.0) + seconds
        self.total_cpu += seconds
        if elastic:
            return
        now = time.monotonic()
        self.recent.append((now, seconds, group, filler))
        self.recent_cpu += seconds
        self.recent_filler += seconds if filler else 0.0
        self.group_cpu[group] = self.group_cpu.get(group, 0.0) + seconds
        while self.recent and self.recent[0][0] < now - BUSY_WINDOW_SECONDS:
            _, old, old_group, old_filler = self.recent.popleft()
            self.recent_cpu -= old
            self.recent_filler -= old if old_filler else 0.0
            left = self.group_cpu.get(old_group, 0.0) - old
            if left > 1e-9:
                self.group_cpu[old_group] = left
            else:
                self.group_cpu.pop(old_group, None)

    def over_share(self, group: str, margin: float = 1.0) -> bool:
        """Whether `group` used more than `margin` times an equal part of the loop in the
        last second, among the groups that used any. Such a group's frames count against its turns
        too: 40 tabs of one browser drawing 30 frames a second each would otherwise take
        the loop from everyone else, however short their training turns."""
        if len(self.group_cpu) < 2:
            return False
        return self.group_cpu.get(group, 0.0) > margin * self.recent_cpu / len(self.group_cpu)

    def busy(self) -> float:
        """Fraction of the last second the loop spent training and building frames, less
        the filler training of sessions at speed "max" (see charge)."""
        return max(0.0, self.recent_cpu - self.recent_filler) / BUSY_WINDOW_SECONDS

    def frame_stretch(self, key: int | None = None) -> float:
        """How much longer than usual the gap between frames is (1 = not overloaded).

        Only for groups that use at least half their part of the loop: a light student
        beside a heavy group keeps its frame rate, since thinning it would save nothing
        and give its time to the group that overloads the worker."""
        if key is not None and self.group_cpu:
            used = self.group_cpu.get(self.group_of.get(key, ""), 0.0)
            if used < 0.5 * self.recent_cpu / len(self.group_cpu):
                return 1.0
        return min(MAX_FRAME_STRETCH, max(1.0, self.busy() / BUSY_THRESHOLD))

    def forget(self, key: int) -> None:
        """A session ended: its share goes to the others."""
        for book in (self.hungry, self.cpu, self.debt, self.group_of, self.fraction):
            book.pop(key, None)


class Meter:
    """`with Meter() as m:` then `m.seconds`: how long the block held the event loop.

    Loop time, not thread CPU time, is what sessions share (nothing else runs on the loop
    meanwhile), and `perf_counter` costs 0.2 µs where `thread_time` is a 3.4 µs system call
    on this VM, paid twice per slice and per frame.
    """

    def __enter__(self) -> "Meter":
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
