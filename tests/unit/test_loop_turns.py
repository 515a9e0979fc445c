"""One command of a share group per turn of the event loop (app/web/budgets.py, take_turn).

The attack it answers: 13 connections of one address each send a burst of `regenerate`s
(~10 ms of the loop each). Within the budget, all 13 were handled in the same turn of the
loop, and every other student's ping waited for the 13 of them (~200 ms measured). Here a
"student" task that yields once per turn stands for everyone else on the loop.
"""

import asyncio
import time

import anyio

from app.web.budgets import WorkBudget, take_turn
from tests.support.loops import run_in_thread


def budget() -> WorkBudget:
    return WorkBudget(rate=0.25, burst=1.0)


async def commands_beside_a_student(groups: list[WorkBudget]) -> list[str]:
    """One command per entry of `groups` (its share group), started at once, and a student
    who does something in every turn of the loop: who went when."""
    log: list[str] = []

    async def command(group: WorkBudget) -> None:
        await take_turn(budget(), group)
        log.append("command")

    async def student() -> None:
        for _ in range(2 * len(groups)):
            log.append("student")
            await asyncio.sleep(0)

    async with anyio.create_task_group() as tasks:
        for group in groups:
            tasks.start_soon(command, group)
        tasks.start_soon(student)
    return log


def test_commands_of_one_group_take_a_turn_each_and_the_others_go_between() -> None:
    group = budget()
    log = run_in_thread(commands_beside_a_student([group] * 13))
    assert log.count("command") == 13
    pairs = zip(log, log[1:], strict=False)
    assert ("command", "command") not in set(pairs), log  # a student's turn between any two


def test_commands_of_different_groups_are_not_held_back() -> None:
    log = run_in_thread(commands_beside_a_student([budget() for _ in range(13)]))
    assert log[:13] == ["command"] * 13, log  # a class of 13 browsers: all in the first turn


def test_a_turn_still_waits_for_the_group_budget() -> None:
    group = budget()
    group.spend(group.burst + 0.05, time.monotonic())  # in debt by 0.05 s of work

    async def main() -> float:
        start = time.monotonic()
        await take_turn(budget(), group)
        return time.monotonic() - start

    assert run_in_thread(main()) >= 0.05 / group.rate * 0.9  # 0.2 s at a quarter of a core
