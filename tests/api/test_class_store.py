"""The class store, one set of tests for both implementations (SQLite in a temporary data
directory, and a private redis-server started here): classes, joins, summaries, results,
short links, change notifications, persistence and expiry."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from app.web.classroom.backends import open_store
from app.web.classroom.identity import digest, new_code
from app.web.classroom.store import ClassFull, ClassRecord, ClassStore, StoreDown
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.timeout(60)
T = TypeVar("T")


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., ClassStore]:
    """A factory: each call opens a new store on the same data (another process would)."""

    def make(idle_seconds: float = 3600.0) -> ClassStore:
        if request.param == "redis":
            server: RedisServer = request.getfixturevalue("redis_server")
            return open_store(None, server.url, idle_seconds)
        return open_store(tmp_path, None, idle_seconds)

    return make


def run(body: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(body())


def record(control: dict[str, Any] | None = None) -> ClassRecord:
    return ClassRecord(new_code(), digest("key"), "secret", time.time(), control or {"version": 0})


def test_a_class_is_created_once_and_read_back_by_another_store(make_store: Any) -> None:
    made = record({"version": 3, "title": "7B"})

    async def body() -> tuple[bool, bool, ClassRecord | None, ClassRecord | None]:
        first, second = make_store(), make_store()
        try:
            created = await first.create(made)
            again = await second.create(made)
            return created, again, await second.get(made.code), await second.get("ZZZZZZ")
        finally:
            await first.close()
            await second.close()

    created, again, read, missing = run(body)
    assert created and not again
    assert read is not None and read.key_digest == digest("key") and read.control["title"] == "7B"
    assert missing is None


def test_names_get_a_suffix_and_a_returning_student_keeps_theirs(make_store: Any) -> None:
    made = record()

    async def body() -> list[str]:
        store = make_store()
        try:
            await store.create(made)
            names = [
                (await store.join(made.code, f"id{i}", n, 10)).name
                for i, n in enumerate(["Ana", "ana", "ANA", "Bo"])
            ]
            names.append((await store.join(made.code, "id1", "Someone else", 10)).name)
            names += [m.name for m in await store.members(made.code)]
            return names
        finally:
            await store.close()

    assert run(body) == ["Ana", "ana 2", "ANA 3", "Bo", "ana 2", "Ana", "ana 2", "ANA 3", "Bo"]


def test_concurrent_joins_never_overfill_a_class_or_share_a_name(make_store: Any) -> None:
    made = record()

    async def body() -> tuple[list[Any], list[str]]:
        stores = [make_store() for _ in range(3)]
        try:
            await stores[0].create(made)
            joins = [stores[i % 3].join(made.code, f"id{i}", "Kim", 5) for i in range(9)]
            outcome = await asyncio.gather(*joins, return_exceptions=True)
            return outcome, [m.name for m in await stores[1].members(made.code)]
        finally:
            for store in stores:
                await store.close()

    outcome, names = run(body)
    assert sum(isinstance(o, ClassFull) for o in outcome) == 4
    assert len(names) == 5 and len({n.casefold() for n in names}) == 5


def test_summaries_results_links_and_start_versions_round_trip(make_store: Any) -> None:
    made = record()

    async def body() -> tuple[Any, ...]:
        store = make_store()
        try:
            await store.create(made)
            await store.join(made.code, "a", "Ana", 10)
            await store.put_summaries({made.code: {"a": {"epoch": 5}}})
            await store.put_summaries({made.code: {"a": {"epoch": 9, "map": "xyz"}}})
            await store.put_result(made.code, "c1", "a", {"epochs": 40})
            await store.set_start_version(made.code, "a", 2)
            linked = await store.put_link("ABCDEF", made.code, "/#seed=1")
            clash = await store.put_link("ABCDEF", made.code, "/#seed=2")
            summaries = await store.summaries(made.code)
            results = await store.results(made.code, "c1"), await store.results(made.code, "c2")
            member = (await store.members(made.code))[0]
            links = await store.get_link("ABCDEF"), await store.get_link("GHJKMN")
            return summaries, *results, member, linked, clash, *links
        finally:
            await store.close()

    summaries, results, none, member, linked, clash, target, missing = run(body)
    assert summaries == {"a": {"epoch": 9, "map": "xyz"}}
    assert results == {"a": {"epochs": 40}} and none == {}
    assert member.start_version == 2
    assert (linked, clash, target, missing) == (True, False, "/#seed=1", None)


def test_listeners_hear_of_control_changes_of_the_classes_they_watch(make_store: Any) -> None:
    watched, other = record(), record()

    async def body() -> list[str]:
        writer, reader = make_store(), make_store()
        heard: list[str] = []
        try:
            await writer.create(watched)
            await writer.create(other)

            async def listen() -> None:
                async for code in reader.listen(lambda: {watched.code}):
                    heard.append(code)

            task = asyncio.create_task(listen())
            await asyncio.sleep(1.2)  # subscribed / first poll done
            heard.clear()  # a (re)subscribing listener may report what it watches once
            await writer.set_control(other.code, {"version": 1})
            await writer.set_control(watched.code, {"version": 1, "paused": True})
            for _ in range(50):
                if heard:
                    break
                await asyncio.sleep(0.1)
            task.cancel()
            return heard
        finally:
            await writer.close()
            await reader.close()

    assert run(body) == [watched.code]


def test_an_idle_class_expires(make_store: Any) -> None:
    made = record()

    async def body() -> tuple[Any, Any]:
        store = make_store(idle_seconds=1.0)
        try:
            await store.create(made)
            await store.put_link("QWERTY", made.code, "/#x=1")
            fresh = await store.get(made.code)
            await asyncio.sleep(2.2)
            return fresh, (await store.get(made.code), await store.get_link("QWERTY"))
        finally:
            await store.close()

    fresh, (stale, link) = run(body)
    assert fresh is not None and stale is None and link is None


def test_a_store_that_cannot_work_raises_store_down(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")

    async def body(store: ClassStore) -> None:
        try:
            await store.get("ABCDEF")
        finally:
            await store.close()

    with pytest.raises(StoreDown, match="class store"):
        run(lambda: body(open_store(blocked, None, 60)))
    with pytest.raises(StoreDown, match="Redis"):
        run(lambda: body(open_store(None, f"unix://{tmp_path}/none.sock", 60)))
