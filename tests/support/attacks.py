"""The twelve attacks of issue 20, each runnable as a process of its own:
`python -m tests.support.attacks NAME --port P [--option key=json ...]`.

What it is: one coroutine per attack, `(port, options, ready, stop, tally)`: it sets `ready`
once it is under way, keeps attacking until `stop`, and counts what it got in `tally`
(answers by type, refusals by code, closes by code). The process prints one JSON line when
the attack is under way and its tally when stdin says "stop" (tests/support/siege.py).
What it is not: a measurement; the bystander and the server's figures are siege.py's.
Trade-off: every attacker comes from its own loopback address (127.0.0.2 and up), so
per-address limits see it as one hostile address beside the watching student on 127.0.0.1.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import socket
import struct
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.clients import CONFIGS
from tests.support.hostile import raw_websocket
from tests.support.training import train

SOURCE = "127.0.0.2"
Options = dict[str, Any]
Tally = Counter[str]
AttackFn = Callable[[int, Options, asyncio.Event, asyncio.Event, Tally], Awaitable[None]]
ATTACKS: dict[str, AttackFn] = {}


def attack(fn: AttackFn) -> AttackFn:
    ATTACKS[fn.__name__] = fn
    return fn


# -- the means --------------------------------------------------------------------------------


def frame(opcode: int, data: bytes, fin: bool = True) -> bytes:
    """One masked frame (RFC 6455 §5.2)."""
    mask = os.urandom(4)
    first = (0x80 if fin else 0) | opcode
    n = len(data)
    if n < 126:
        header = struct.pack("!BB", first, 0x80 | n)
    elif n < 2**16:
        header = struct.pack("!BBH", first, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", first, 0x80 | 127, n)
    key = (mask * (n // 4 + 1))[:n]
    masked = (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")
    return header + mask + masked


def compact(message: Any) -> str:
    return json.dumps(message, separators=(",", ":"))


def text(message: Any) -> bytes:
    return frame(0x1, json.dumps(message).encode())


async def client(port: int, source: str = SOURCE, **kwargs: Any) -> ClientConnection:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    url = f"ws://127.0.0.1:{port}/ws"
    return await connect(url, sock=sock, compression=None, max_size=2**25, **kwargs)


def hello(settings: dict[str, Any] | None = None, **fields: Any) -> str:
    return json.dumps({"type": "hello", "protocol": 1, "settings": settings or {}, **fields})


async def answers(ws: ClientConnection, tally: Tally, until: str, timeout: float = 30) -> None:
    """Read until a message of type `until` (or an error), counting what came."""
    async with asyncio.timeout(timeout):
        async for raw in ws:
            if isinstance(raw, bytes):
                tally["frames"] += 1
                continue
            message = json.loads(raw)
            kind = message["type"]
            tally[f"error:{message['code']}" if kind == "error" else kind] += 1
            if kind in (until, "error"):
                return


async def keep_going(
    stop: asyncio.Event, tally: Tally, once: Callable[[], Awaitable[None]]
) -> None:
    """Repeat `once` until stopped, counting closes, and starting over after one."""
    while not stop.is_set():
        try:
            await once()
        except ConnectionClosed as closed:
            tally[f"closed:{closed.rcvd.code if closed.rcvd else 'none'}"] += 1
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            tally[f"dropped:{type(exc).__name__}"] += 1
            await asyncio.sleep(0.05)


def checkpoint_of(settings: dict[str, Any], points: int = 0, events: int = 0) -> dict[str, Any]:
    """A real checkpoint of a session built here, with clicked points and hand edits
    (what a patient student can reach with enough messages)."""
    from app.playground import checkpoint
    from app.playground.session import Session
    from app.playground.settings import PlaygroundSettings

    session = Session(PlaygroundSettings(**settings), 6, 8, 2000)
    rng = random.Random(0)
    for _ in range(points):
        session.add_point(rng.uniform(-5, 5), rng.uniform(-5, 5), 1.0)
    for _ in range(events):
        session.set_weight(0, 0, 0, rng.uniform(-1, 1))
    train(session, 2)
    return checkpoint.take(session)


# -- the attacks (issue 20, items 1 to 12) ----------------------------------------------------


@attack
async def forged_export(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                        tally: Tally) -> None:  # fmt: skip
    """Item 1: a checkpoint whose epoch is forged to `epoch`, then exports in a loop."""
    settings = {"seed": "forged"}
    forged = {**checkpoint_of(settings, events=opts.get("events", 2000)), "epoch": opts["epoch"]}
    formats = ["pytorch", "keras", "keras_replay"]

    async def once() -> None:
        async with await client(port) as ws:
            await ws.send(hello(forged["settings"], checkpoint=forged))
            await answers(ws, tally, "state")
            ready.set()
            while not stop.is_set():
                await ws.send(json.dumps({"type": "export", "format": random.choice(formats)}))
                await answers(ws, tally, "export", timeout=60)

    await keep_going(stop, tally, once)


@attack
async def unread_exports(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                         tally: Tally) -> None:  # fmt: skip
    """Items 1 and 3: clients that regenerate 100 times, export, and never read again."""
    writers = []
    for _ in range(opts.get("clients", 13)):
        writer = await raw_websocket(port, source=SOURCE)
        writer.write(text({"type": "hello", "protocol": 1, "settings": {"seed": "unread"}}))
        for _ in range(100):
            writer.write(text({"type": "regenerate"}))
        writer.write(text({"type": "step"}) + text({"type": "export", "format": "pytorch"}))
        writers.append(writer)
        tally["clients"] += 1
    ready.set()
    await stop.wait()
    tally["closed"] = sum(closed_by_peer(w) for w in writers)
    for writer in writers:
        writer.transport.abort()


@attack
async def big_messages(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                       tally: Tally) -> None:  # fmt: skip
    """Item 2: 2 MB messages (a set with 200,000 keys, the same in a hello, a bare array),
    one every `every` seconds, reading the refusals."""
    keys = {str(i): 0 for i in range(170_000)}  # ~1.8 MB: under the 2 MiB cap
    payloads = [
        compact({"type": "set", "settings": keys}),
        compact({"type": "hello", "protocol": 1, "settings": keys}),
        compact({"type": "hello", "protocol": 1, "checkpoint": {"x": keys}}),
        compact([0] * 900_000),
        # within the values a hello may hold: parsed (~30 ms), then refused by restore
        compact({"type": "hello", "protocol": 1, "checkpoint": {"x": [0.5] * 150_000}}),
    ]
    assert all(len(p) < 2 * 1024 * 1024 for p in payloads)
    ready.set()

    async def once() -> None:
        async with await client(port) as ws:
            while not stop.is_set():
                await ws.send(random.choice(payloads))
                await answers(ws, tally, "error")
                await asyncio.sleep(opts.get("every", 0.5))

    await keep_going(stop, tally, once)


@attack
async def export_flood(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                       tally: Tally) -> None:  # fmt: skip
    """Item 3: 100 regenerates, one step, then exports and JSON imports back to back."""

    async def once() -> None:
        async with await client(port) as ws:
            await ws.send(hello({"seed": "flood"}))
            for _ in range(100):
                await ws.send(json.dumps({"type": "regenerate"}))
            await ws.send(json.dumps({"type": "step"}))
            await ws.send(json.dumps({"type": "export", "format": "json"}))
            export: dict[str, Any] = {}
            async for raw in ws:
                if isinstance(raw, str) and json.loads(raw)["type"] == "export":
                    export = json.loads(raw)
                    break
            ready.set()
            content = export["content"]
            while not stop.is_set():
                await ws.send(json.dumps({"type": "export", "format": "pytorch"}))
                await answers(ws, tally, "export", timeout=60)
                await ws.send(json.dumps({"type": "import_json", "content": content}))
                await answers(ws, tally, "state", timeout=60)

    await keep_going(stop, tally, once)


@attack
async def ping_flood(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                     tally: Tally) -> None:  # fmt: skip
    """Item 4: PING frames as fast as the socket takes them, never reading a PONG."""
    batch = frame(0x9, b"x" * 125) * 200
    while not stop.is_set():
        writer = await raw_websocket(port, source=SOURCE)
        tally["connections"] += 1
        ready.set()
        while not stop.is_set() and not writer.transport.is_closing():
            if writer.transport.get_write_buffer_size() < 1 << 20:
                writer.write(batch)
                tally["pings"] += 200
            await asyncio.sleep(0.002)
        tally["closed"] += writer.transport.is_closing()
        writer.transport.abort()
        await asyncio.sleep(0.2)


@attack
async def forwarded_for(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                        tally: Tally) -> None:  # fmt: skip
    """Item 5: many sockets, each claiming another address in X-Forwarded-For."""
    sockets = []
    for i in range(opts.get("sockets", 250)):
        headers = {"X-Forwarded-For": f"10.9.{i // 250}.{i % 250 + 1}"}
        try:  # from 127.0.0.1 by default: where a same-host proxy's connections come from
            ws = await client(port, opts.get("source", "127.0.0.1"), additional_headers=headers)
            await ws.send(hello({"seed": "xff"}))
            await answers(ws, tally, "state", timeout=10)
            sockets.append(ws)
        except (ConnectionClosed, OSError, TimeoutError) as exc:
            tally[type(exc).__name__] += 1
    ready.set()
    await stop.wait()
    for ws in sockets:
        await ws.close()


@attack
async def idle_slots(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                     tally: Tally) -> None:  # fmt: skip
    """Item 6: `sockets` tabs that say hello, maybe press pause, then only ping now and then."""
    sockets = []
    for _ in range(opts.get("sockets", 40)):
        ws = await client(port, source=opts.get("source", SOURCE))
        await ws.send(hello({"seed": "idle"}))
        await answers(ws, tally, "state", timeout=30)
        if opts.get("pause"):
            await ws.send(json.dumps({"type": "pause"}))
        sockets.append(ws)
    ready.set()
    while not stop.is_set():
        for ws in sockets:
            if ws.close_code is None:
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(json.dumps({"type": "ping"}))
        await asyncio.wait([asyncio.ensure_future(stop.wait())], timeout=1.0)
    for ws in sockets:
        if ws.close_code is None:
            tally["open"] += 1
            await ws.close()
        else:
            tally[f"closed:{ws.close_code}"] += 1


@attack
async def checkpoint_churn(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                           tally: Tally) -> None:  # fmt: skip
    """Item 7: sessions with 10,000 run-log events and 2,000 points, alternating pause and
    credit: each is a command, and a command asks for a checkpoint."""
    heavy = checkpoint_of({"seed": "churn"}, points=2000, events=10_000)

    async def one() -> None:
        async with await client(port) as ws:
            await ws.send(hello(heavy["settings"], checkpoint=heavy))
            await answers(ws, tally, "state", timeout=60)
            ready.set()

            async def read() -> None:
                async for raw in ws:
                    if isinstance(raw, str) and '"type":"checkpoint"' in raw[:40]:
                        tally["checkpoints"] += 1

            reader = asyncio.create_task(read())
            while not stop.is_set():
                await ws.send('{"type":"pause"}')
                await ws.send('{"type":"credit","frames":1}')
                await asyncio.sleep(0.035)  # ~57 messages/s: under the rate limit
            reader.cancel()

    await asyncio.gather(*(keep_going(stop, tally, one) for _ in range(opts.get("clients", 3))))


@attack
async def run_link_hellos(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                          tally: Tally) -> None:  # fmt: skip
    """Item 8: hellos with the costliest run link on the largest network, over and over."""
    settings = {**CONFIGS["B"], "seed": "link"}

    async def one() -> None:
        async with await client(port) as ws:
            ready.set()
            while not stop.is_set():
                await ws.send(hello(settings, run="20000.1000000"))
                await answers(ws, tally, "state", timeout=60)

    await asyncio.gather(*(keep_going(stop, tally, one) for _ in range(opts.get("clients", 60))))


@attack
async def slowloris(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                    tally: Tally) -> None:  # fmt: skip
    """Item 9: request heads that trickle in, one header line every few seconds."""
    streams = []
    for _ in range(opts.get("sockets", 1050)):
        try:
            sock = socket.socket()
            sock.bind((SOURCE, 0))
            reader, writer = await asyncio.open_connection(sock=_connected(sock, port))
            writer.write(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
            streams.append((reader, writer))
        except OSError:
            tally["refused"] += 1
    tally["opened"] = len(streams)
    ready.set()
    while not stop.is_set():
        for _, writer in streams:
            if not writer.transport.is_closing():
                writer.write(b"X-Slow: 1\r\n")
        await asyncio.sleep(opts.get("every", 2.0))
        closed = [r.at_eof() or w.transport.is_closing() for r, w in streams]
        tally["closed_by_server"] = sum(closed)
    for _, writer in streams:
        writer.transport.abort()


def _connected(sock: socket.socket, port: int) -> socket.socket:
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


@attack
async def fragments(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                    tally: Tally) -> None:  # fmt: skip
    """Item 10: after hello, a text message in fragments just under 2 MiB, never finished."""
    chunk = frame(0x1, b" " * (2 * 1024 * 1024 - 4096), fin=False)
    writers = []
    for _ in range(opts.get("sockets", 100)):
        writer = await raw_websocket(port, source=SOURCE)
        writer.write(text({"type": "hello", "protocol": 1, "settings": {}}) + chunk)
        writers.append(writer)
    ready.set()
    await stop.wait()
    tally["closed_by_server"] = sum(closed_by_peer(w) for w in writers)
    for writer in writers:
        writer.transport.abort()


def closed_by_peer(writer: asyncio.StreamWriter) -> bool:
    """Whether the server closed a socket we never read from (EOF or reset waits in it)."""
    fd = writer.get_extra_info("socket").fileno()
    if fd < 0:
        return True
    with socket.socket(fileno=os.dup(fd)) as sock:
        try:
            while True:  # past whatever the server sent before closing
                if not sock.recv(65536, socket.MSG_DONTWAIT):
                    return True
        except BlockingIOError:
            return False
        except OSError:
            return True  # reset


@attack
async def max_speed_tabs(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                         tally: Tally) -> None:  # fmt: skip
    """Item 11: many well-behaved tabs from one address, at speed "max", reading every
    frame and granting a credit per frame."""
    settings = {**CONFIGS["A"], "speed": None, "seed": "tabs"}

    async def one() -> None:
        async with await client(port) as ws:
            await ws.send(hello(settings))
            await ws.send('{"type":"credit","frames":2}')
            await ws.send('{"type":"play"}')
            ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                if isinstance(raw, bytes):
                    tally["frames"] += 1
                    await ws.send('{"type":"credit","frames":1}')

    await asyncio.gather(*(keep_going(stop, tally, one) for _ in range(opts.get("tabs", 40))))


@attack
async def page_flood(port: int, opts: Options, ready: asyncio.Event, stop: asyncio.Event,
                     tally: Tally) -> None:  # fmt: skip
    """Item 12: GET / over keep-alive connections as fast as they answer."""
    request = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()

    async def one() -> None:
        sock = socket.socket()
        sock.bind((SOURCE, 0))
        reader, writer = await asyncio.open_connection(sock=_connected(sock, port))
        ready.set()
        while not stop.is_set():
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1].decode()
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            tally[status] += 1
        writer.close()

    await asyncio.gather(*(keep_going(stop, tally, one) for _ in range(opts.get("clients", 4))))


# -- the process ----------------------------------------------------------------------------


async def main_async(args: argparse.Namespace) -> None:
    os.nice(10)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    options = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.option)}
    ready, stop, tally = asyncio.Event(), asyncio.Event(), Counter[str]()
    task = asyncio.create_task(ATTACKS[args.name](args.port, options, ready, stop, tally))
    waiter = asyncio.create_task(ready.wait())
    await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # raises what went wrong
    print(json.dumps({"under_way": True, **tally}), flush=True)
    loop = asyncio.get_running_loop()
    while (line := (await loop.run_in_executor(None, sys.stdin.readline)).strip()) != "stop":
        if not line:
            break
    stop.set()
    try:
        await asyncio.wait_for(task, 30)
    except (TimeoutError, Exception) as exc:  # noqa: BLE001 (the tally says what happened)
        tally[f"ended:{type(exc).__name__}"] += 1
    print(json.dumps(dict(tally)), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="one attack of issue 20; stops on 'stop'")
    parser.add_argument("name", choices=sorted(ATTACKS))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--option", action="append", default=[], help="key=json value")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
