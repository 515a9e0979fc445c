"""Budgets for work whose cost a client controls: per connection and per share group, its
browser else its address (identity.py) (issue 20; docs/protocol.md §12).

What it is: `WorkBudget`, a bucket of seconds of work refilled at a steady rate (what
handling a command, parsing a large message, building a session, importing and exporting
cost), and `WorkBudgets`, the worker's book of one per share group; `take_turn` admits a
command to the event loop within them, one per share group a turn of the loop, and `off_loop`
runs such work in a helper process within them, one call per share group at a time.
What it is not: the message rate limit (limits.py counts messages, not their cost) or the
fair share of training (scheduler.py).
Trade-off: over budget, work waits rather than being refused: a class that reconnects at
once (60 hellos from one NAT) is admitted a little later instead of being told to retry,
while one address that asks for work without end gets it at the budget's rate and no
faster. Budgets go by share group rather than by address alone, so the browsers of a class
behind one NAT each have their own. Waiting holds the connection's reader, so its socket
stops being read: the kernel, not this process, holds whatever the client sends meanwhile.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import anyio

from app.playground.errors import ProtocolError
from app.web.offload import Helper

T = TypeVar("T")

PRUNE_ABOVE = 4096
# Per share group: a quarter of a core of work, a second of it at once (a class without
# cookies, the Python client's, reconnecting: ~60 x 15 ms of hellos), so one group leaves
# the others at least three quarters of the loop, whatever it asks for.
GROUP_RATE, GROUP_BURST = 0.25, 1.0
# Per connection: a quarter of a core (a slider dragged through noise values rebuilds the
# data at ~60 messages a second, ~0.2 s/s), a second of it at once.
CONNECTION_RATE, CONNECTION_BURST = 0.25, 1.0
# A command's charge: the time its handler took, but no more than this. A handler that
# took longer was waiting to send to its own client, which costs the loop nothing.
COMMAND_CHARGE_CAP = 0.05
MAX_WAIT_SECONDS = 30.0  # past this the work is refused: the client asks for too much


class WorkBudget:
    """Seconds of work, refilled at `rate` per second up to `burst`; spending may go into
    debt, and the debt is how long the next spender waits."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.level, self.stamp = burst, time.monotonic()
        self.lock = anyio.Lock()  # off-loop calls of one group go one after the other
        self.turn_taken = False  # a command of this group ran in this turn of the event loop

    def refill(self, now: float) -> None:
        self.level = min(self.burst, self.level + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, now: float) -> float:
        """How long until the budget is out of debt (0 if it is not in debt)."""
        self.refill(now)
        return max(0.0, -self.level / self.rate)

    def spend(self, seconds: float, now: float) -> None:
        self.refill(now)
        self.level -= seconds


@dataclass
class WorkBudgets:
    """One per worker (app.state.budgets): a budget per share group."""

    budgets: dict[str, WorkBudget] = field(default_factory=dict)

    def of(self, group: str) -> WorkBudget:
        budget = self.budgets.get(group)
        if budget is None:
            if len(self.budgets) >= PRUNE_ABOVE:
                self._prune()
            budget = self.budgets[group] = WorkBudget(GROUP_RATE, GROUP_BURST)
        return budget

    def _prune(self) -> None:
        """Forget budgets that are full again: they hold nothing a new one would not."""
        now = time.monotonic()
        for group, budget in list(self.budgets.items()):
            budget.refill(now)
            if budget.level >= budget.burst:
                del self.budgets[group]


async def wait_turn(*budgets: WorkBudget) -> None:
    """Wait until none of `budgets` is in debt. A wait longer than MAX_WAIT_SECONDS is
    refused instead (a strike: the client asks for more than its share, again and again)."""
    waited = 0.0
    while (delay := max(b.wait(time.monotonic()) for b in budgets)) > 0:
        if waited + delay > MAX_WAIT_SECONDS:
            message = "too much work asked from your address; try again in a minute"
            raise ProtocolError("rate_limited", message)
        await anyio.sleep(delay)
        waited += delay


async def take_turn(*budgets: WorkBudget) -> None:
    """Wait until none of `budgets` is in debt, in a turn of the event loop in which no other
    command of the share group (the last budget) has run yet, and take that turn. Budgets
    bound how much of the loop a group gets, not how it comes: 13 connections of one address
    each handling a command (a regenerate: ~10 ms) in the same turn would hold every other
    student's ping for all 13 (~200 ms). One a turn, the group's others yield, and a student
    waits for one of them at most. The budget check and the taking happen in one step, so a
    command that waited its turn is still charged against what the others spent."""
    group = budgets[-1]
    while True:
        await wait_turn(*budgets)  # returns at once when nothing is owed
        if not group.turn_taken:
            break
        await asyncio.sleep(0)  # to the back of the ready queue: after the turn is given back
    group.turn_taken = True
    asyncio.get_running_loop().call_soon(give_back_turn, group)  # runs in the next turn


def give_back_turn(budget: WorkBudget) -> None:
    budget.turn_taken = False


async def off_loop(
    budgets: tuple[WorkBudget, ...], helper: Helper, work: Callable[..., T], *args: Any
) -> T:
    """`work(*args)` in a helper process (offload.py), one call at a time per share group
    (the last budget's lock), after the budgets allow it; its CPU time is charged to them.
    One at a time per group matters: checked all at once, 60 connections of one group
    would all find the budget in credit before the first was charged."""
    async with budgets[-1].lock:
        await wait_turn(*budgets)
        result, seconds = await helper.call(work, *args)
        charge(seconds, *budgets)
    return cast(T, result)


def charge(seconds: float, *budgets: WorkBudget) -> None:
    now = time.monotonic()
    for budget in budgets:
        budget.spend(seconds, now)
