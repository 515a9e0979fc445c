"""The class store: the one interface every classroom module talks to, and how to open it.

What it is: `ClassStore`, a small async interface over everything a class shares between
worker processes and machines (docs/architecture.md, "The class store"): the class and its
control document (the start, pause, challenge, with a version), the roster, each student's
live summary, challenge results and short links, plus `listen`, which yields the codes of
classes whose control document changed. backends.py picks the implementation.
What it is not: a cache or a scheduler. Callers never hold a store call on the path of
training: the hub (hub.py) writes summaries in batches from its own task, and a store that
is down raises `StoreDown`, which costs the teacher's view, not a student's run.
Trade-off: documents are JSON blobs the store does not look inside (except the control
version), so both implementations stay a few dozen lines of plain reads and writes and the
meaning of a document lives in one place (the modules that write it).
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

Doc = dict[str, Any]


class StoreDown(RuntimeError):
    """The store could not be reached or answered with an error; the message says which."""


class ClassFull(RuntimeError):
    """The class already has its maximum number of students."""


@dataclass(frozen=True)
class ClassRecord:
    """A class: its code, what checks the teacher's key, the secret that signs its members'
    checkpoints (member.py), when it was made, and its control document."""

    code: str
    key_digest: str
    secret: str
    created: float
    control: Doc


@dataclass(frozen=True)
class Member:
    """One student of a class: id (from their token), the name shown, when they joined, and
    the version of the last class start they received."""

    id: str
    name: str
    joined: float
    start_version: int


class ClassStore(Protocol):
    """What a class needs from shared storage. Every method may raise StoreDown."""

    idle_seconds: float

    async def create(self, record: ClassRecord) -> bool:
        """Add a class; False if the code is taken."""

    async def get(self, code: str) -> ClassRecord | None:
        """The class, or None if there is none (or it expired)."""

    async def set_control(self, code: str, control: Doc) -> None:
        """Replace the control document and tell every listener (`listen`)."""

    async def join(self, code: str, member_id: str, name: str, max_size: int) -> Member:
        """The member with this id, or a new one under `name` (suffixed " 2", " 3"… while
        the name is taken, whatever its case); ClassFull past `max_size`. Atomic across
        processes."""

    async def members(self, code: str) -> list[Member]: ...

    async def set_start_version(self, code: str, member_id: str, version: int) -> None: ...

    async def put_summaries(self, batch: dict[str, dict[str, Doc]]) -> None:
        """Each student's newest summary, by class code then member id, in one round trip;
        also keeps those classes from expiring."""

    async def summaries(self, code: str) -> dict[str, Doc]: ...

    async def put_result(self, code: str, challenge: str, member_id: str, result: Doc) -> None: ...

    async def results(self, code: str, challenge: str) -> dict[str, Doc]: ...

    async def put_link(self, link_id: str, code: str, target: str) -> bool:
        """Keep a short link of a class; False if the id is taken."""

    async def get_link(self, link_id: str) -> str | None: ...

    def listen(self, codes: Callable[[], set[str]]) -> AsyncIterator[str]:
        """Codes of classes (among `codes()`) whose control changed, as they change."""

    async def close(self) -> None: ...
