"""The class store for several machines: Redis, through redis-py's asyncio client.

What it is: `RedisStore`, the `ClassStore` (store.py) used when NN_PLAYGROUND_REDIS_URL is
set. A class is a few keys under `nnp:class:<code>` (a hash for the class, hashes for its
members, their names, summaries and each challenge's results), all given the class's idle
time as a TTL whenever the class is used, so Redis forgets idle classes by itself. A join is
one Lua script (atomic on the server); a control change is written, then published on the
`nnp:classes` channel, which every worker's `listen` subscribes to.
What it is not: durable by itself: keep Redis's own persistence (RDB or AOF) on if classes
must survive a Redis restart (docs/deploy.md).
Trade-off: every call has a short socket timeout, so a Redis that is down answers StoreDown
in about a second instead of holding a teacher's request; the publish/subscribe channel may
drop a message while a worker reconnects, so a reconnecting `listen` reports every watched
class once (the hub then re-reads them all).
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from app.web.classroom.identity import name_key, suffixed
from app.web.classroom.store import ClassFull, ClassRecord, Doc, Member, StoreDown

CHANNEL = "nnp:classes"
TIMEOUT_SECONDS = 1.0
TOUCH_SECONDS = 60.0  # refresh a class's TTLs at most this often from summaries
# KEYS: members, names. ARGV: id, max size, member json, then the candidate names and keys.
JOIN = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then return old end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then return false end
for i = 4, #ARGV, 2 do
  if redis.call('HSETNX', KEYS[2], ARGV[i + 1], ARGV[1]) == 1 then
    local member = cjson.decode(ARGV[3])
    member['name'] = ARGV[i]
    local text = cjson.encode(member)
    redis.call('HSET', KEYS[1], ARGV[1], text)
    return text
  end
end
return redis.error_reply('no free name')
"""


def _key(code: str, part: str = "") -> str:
    return f"nnp:class:{code}" + (f":{part}" if part else "")


class RedisStore:
    """ClassStore on a Redis server (connected lazily)."""

    def __init__(self, url: str, idle_seconds: float) -> None:
        self.url, self.idle_seconds = url, idle_seconds
        self.redis = aioredis.from_url(
            url,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            decode_responses=True,
        )
        self._join = self.redis.register_script(JOIN)
        self._touched: dict[str, float] = {}

    async def _do(self, call: Any) -> Any:
        try:
            return await call
        except (RedisError, OSError, TimeoutError) as exc:
            raise StoreDown(f"the class store (Redis) failed: {exc}") from None

    def _ttl(self) -> int:
        return max(1, int(self.idle_seconds))

    async def _touch(self, code: str, *parts: str) -> None:
        """Give every key of the class the idle time again."""
        pipe = self.redis.pipeline(transaction=False)
        for part in ("", "members", "names", "summaries", *parts):
            pipe.expire(_key(code, part), self._ttl())
        await pipe.execute()
        self._touched[code] = time.monotonic()

    # -- classes ----------------------------------------------------------------------------

    async def create(self, record: ClassRecord) -> bool:
        fields: dict[Any, str] = {  # redis-py types keys as a union, invariantly
            "key_digest": record.key_digest,
            "secret": record.secret,
            "created": repr(record.created),
            "control": json.dumps(record.control),
        }
        made = await self._do(self.redis.hsetnx(_key(record.code), "key_digest", record.key_digest))
        if not made:
            return False
        await self._do(self.redis.hset(_key(record.code), mapping=fields))
        await self._do(self._touch(record.code))
        return True

    async def get(self, code: str) -> ClassRecord | None:
        row = await self._do(self.redis.hgetall(_key(code)))
        if not row or "control" not in row:
            return None
        control = json.loads(row["control"])
        return ClassRecord(code, row["key_digest"], row["secret"], float(row["created"]), control)

    async def set_control(self, code: str, control: Doc) -> None:
        await self._do(self.redis.hset(_key(code), "control", json.dumps(control)))
        await self._do(self._touch(code, f"results:{control.get('challenge_id', '')}"))
        await self._do(self.redis.publish(CHANNEL, code))

    # -- roster -----------------------------------------------------------------------------

    async def join(self, code: str, member_id: str, name: str, max_size: int) -> Member:
        candidates: list[str] = []
        for n in range(1, max_size + 2):
            chosen = name if n == 1 else suffixed(name, n)
            candidates += [chosen, name_key(chosen)]
        doc = json.dumps({"name": name, "joined": time.time(), "start_version": 0})
        keys = [_key(code, "members"), _key(code, "names")]
        text = await self._do(self._join(keys=keys, args=[member_id, max_size, doc, *candidates]))
        if text is None:
            raise ClassFull(f"this class is full ({max_size} students)")
        await self._do(self._touch(code))
        return _member(member_id, text)

    async def members(self, code: str) -> list[Member]:
        rows = await self._do(self.redis.hgetall(_key(code, "members")))
        return sorted((_member(mid, text) for mid, text in rows.items()), key=lambda m: m.joined)

    async def set_start_version(self, code: str, member_id: str, version: int) -> None:
        text = await self._do(self.redis.hget(_key(code, "members"), member_id))
        if text is not None:
            doc = {**json.loads(text), "start_version": version}
            await self._do(self.redis.hset(_key(code, "members"), member_id, json.dumps(doc)))

    # -- live summaries and results ---------------------------------------------------------

    async def put_summaries(self, batch: dict[str, dict[str, Doc]]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for code, docs in batch.items():
            texts: dict[Any, str] = {  # redis-py types keys as a union, invariantly
                mid: json.dumps(doc) for mid, doc in docs.items()
            }
            pipe.hset(_key(code, "summaries"), mapping=texts)
        await self._do(pipe.execute())
        now = time.monotonic()
        for code in batch:
            if now - self._touched.get(code, 0.0) > TOUCH_SECONDS:
                await self._do(self._touch(code))

    async def summaries(self, code: str) -> dict[str, Doc]:
        rows = await self._do(self.redis.hgetall(_key(code, "summaries")))
        return {mid: json.loads(text) for mid, text in rows.items()}

    async def put_result(self, code: str, challenge: str, member_id: str, result: Doc) -> None:
        key = _key(code, f"results:{challenge}")
        await self._do(self.redis.hset(key, member_id, json.dumps(result)))
        await self._do(self.redis.expire(key, self._ttl()))

    async def results(self, code: str, challenge: str) -> dict[str, Doc]:
        rows = await self._do(self.redis.hgetall(_key(code, f"results:{challenge}")))
        return {mid: json.loads(text) for mid, text in rows.items()}

    # -- short links ------------------------------------------------------------------------

    async def put_link(self, link_id: str, code: str, target: str) -> bool:
        made = await self._do(
            self.redis.set(f"nnp:link:{link_id}", target, nx=True, ex=self._ttl())
        )
        return bool(made)

    async def get_link(self, link_id: str) -> str | None:
        target = await self._do(self.redis.get(f"nnp:link:{link_id}"))
        return None if target is None else str(target)

    # -- changes ----------------------------------------------------------------------------

    async def listen(self, codes: Callable[[], set[str]]) -> AsyncIterator[str]:
        """Subscribe to the channel; after a (re)connection report every watched class,
        since messages published meanwhile were lost."""
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                for code in sorted(codes()):
                    yield code
                while True:
                    message = await pubsub.get_message(timeout=0.5)  # < the socket timeout
                    if message is not None and message["data"] in codes():
                        yield str(message["data"])
            except (RedisError, OSError, TimeoutError):
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(RedisError, OSError, TimeoutError):
                    await pubsub.aclose()

    async def close(self) -> None:
        with contextlib.suppress(RedisError, OSError):
            await self.redis.aclose()


def _member(member_id: str, text: str) -> Member:
    doc = json.loads(text)
    return Member(member_id, doc["name"], float(doc["joined"]), int(doc["start_version"]))
