"""Hostile websocket clients in a process of their own: never reading, never granting
credit, flooding.

What it is: the clients the hostile process runs (`never_reads`, `never_credits`,
`flooder`) and its entry point; tests/support/crowd.py's `Crowd` starts it and talks to it
over stdin/stdout. Shared by tests/api/test_slow_clients.py and benchmarks/slow_client.py.
What it is not: a measurement (tests/support/clients.py measures the normal client).
Trade-off: a separate process, so the attackers' own CPU never slows the measuring client's
event loop, at the price of a line protocol between the two.
"""

import argparse
import asyncio
import base64
import contextlib
import json
import os
import socket
import struct
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.support.clients import CONFIGS, PAGE_SPEED

# Hostile clients may play a config of tests/support/clients.py, or this one: no hidden layer,
# batch 100. Its frames are as big (~10 kB: the 100x100 map dominates) for a tenth of the
# CPU, so a test on a small CI machine measures the hostile behaviour, not its capacity.
FLOODER_ADDRESS = "127.0.0.9"  # a loopback address of the flooder's own (Linux routes 127/8)
SETTINGS = {
    **CONFIGS,
    "cheap": {"dataset": "circle", "network_shape": [], "features": ["x", "y"], "batch_size": 100},
}


def text_frame(payload: str) -> bytes:
    """One masked text frame (RFC 6455 §5.2), as every client must send."""
    data = payload.encode()
    mask = os.urandom(4)
    if len(data) < 126:
        header = struct.pack("!BB", 0x81, 0x80 | len(data))
    elif len(data) < 2**16:
        header = struct.pack("!BBH", 0x81, 0x80 | 126, len(data))
    else:
        header = struct.pack("!BBQ", 0x81, 0x80 | 127, len(data))
    key = (mask * (len(data) // 4 + 1))[: len(data)]
    masked = (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(len(data), "big")
    return header + mask + masked


async def raw_websocket(
    port: int, receive_buffer: int = 4096, source: str = "127.0.0.1", headers: str = ""
) -> asyncio.StreamWriter:
    """Open /ws by hand, read the 101 response, then never read again.

    The small SO_RCVBUF (set before connecting, so the TCP window stays small) keeps our
    side's buffer tiny; the server's side still absorbs a few MB before it is full.
    """
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind((source, 0))
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=sock, limit=receive_buffer)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"{headers}\r\n"
        ).encode()
    )
    response = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in response.split(b"\r\n", 1)[0]:
        writer.close()
        raise RuntimeError(f"handshake refused: {response[:60]!r}")
    writer.transport.pause_reading()  # from here on, nothing is read
    return writer


def _send(writer: asyncio.StreamWriter, message: dict[str, Any]) -> bool:
    """Queue a message unless our own send buffer is backed up (the server stopped reading
    us); never blocks, so a stalled server cannot stall the hostile client."""
    if writer.transport.is_closing() or writer.transport.get_write_buffer_size() > 65536:
        return False
    writer.write(text_frame(json.dumps(message)))
    return True


@dataclass
class Tally:
    """What the hostile clients did and saw (a client that never reads sees nothing)."""

    connected: int = 0
    reader_ports: list[int] = field(default_factory=list)  # local ports of the never-readers
    messages_sent: int = 0
    frames_received: int = 0  # by the clients that never grant credit: must stay 0
    json_received: Counter[str] = field(default_factory=Counter)
    closes: Counter[str] = field(default_factory=Counter)  # close code -> count
    refusals: Counter[str] = field(default_factory=Counter)  # error code -> count


async def never_reads(
    port: int,
    settings: dict[str, Any],
    stop: asyncio.Event,
    quiet: asyncio.Event,
    tally: Tally,
    burst: int = 0,
) -> None:
    """hello + credit + play, then credit every 0.1 s (10 messages/s), never a read.
    Once `quiet` is set it sends nothing either, and keeps the socket open until `stop`.

    With `burst`, that many regenerate commands come first and 40 more a second follow:
    each is answered with the whole new data set (~15 kB of JSON), so the server soon
    blocks answering one, inside its reader, where frames alone would take ~10 s to fill
    what the kernel buffers for one socket on loopback (~3 MB).
    """
    writer = await raw_websocket(port)
    tally.connected += 1
    tally.reader_ports.append(writer.get_extra_info("sockname")[1])
    regenerate = {"type": "regenerate"}
    try:
        hello = {"type": "hello", "protocol": 1, "settings": settings}
        for message in (hello, {"type": "credit", "frames": 8}, {"type": "play"}):
            tally.messages_sent += _send(writer, message)
        for _ in range(burst):
            tally.messages_sent += _send(writer, regenerate)
        while not stop.is_set():
            if not quiet.is_set():
                tally.messages_sent += _send(writer, {"type": "credit", "frames": 8})
                for _ in range(4 if burst else 0):
                    tally.messages_sent += _send(writer, regenerate)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.1)
    finally:
        writer.transport.abort()


async def never_credits(
    url: str, settings: dict[str, Any], stop: asyncio.Event, tally: Tally
) -> None:
    """hello + play, reads everything, never grants a frame; pings once a second so that
    the idle timeout does not apply to it."""
    async with connect(url, compression=None, max_size=2**24) as ws:
        tally.connected += 1
        await ws.send(json.dumps({"type": "hello", "protocol": 1, "settings": settings}))
        await ws.send(json.dumps({"type": "play"}))
        tally.messages_sent += 2
        last_ping = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - last_ping > 1:
                await ws.send(json.dumps({"type": "ping"}))
                tally.messages_sent += 1
                last_ping = time.monotonic()
            try:
                message = await asyncio.wait_for(ws.recv(), 0.2)
            except TimeoutError:
                continue
            if isinstance(message, bytes):
                tally.frames_received += 1
            else:
                tally.json_received[json.loads(message)["type"]] += 1


async def flooder(url: str, stop: asyncio.Event, tally: Tally) -> None:
    """Pings as fast as the socket takes them, reading the answers; reconnects after the
    server closes it for flooding (1008), until `stop`.

    It connects from an address of its own (FLOODER_ADDRESS): its reconnects spend its
    address's new-connection budget, and the measured student, on 127.0.0.1, is a
    neighbour, not the same household (a flooder behind the class's own NAT shares the
    class's budget: the trade-off app/web/admission.py states)."""
    while not stop.is_set():
        try:
            async with connect(
                url, compression=None, max_size=2**24, local_addr=(FLOODER_ADDRESS, 0)
            ) as ws:
                tally.connected += 1

                async def read() -> None:
                    async for raw in ws:
                        message = json.loads(raw)
                        if message["type"] == "error":
                            tally.refusals[message["code"]] += 1
                        else:
                            tally.json_received[message["type"]] += 1

                reading = asyncio.create_task(read())
                try:
                    while not stop.is_set() and not reading.done():
                        await ws.send('{"type":"ping"}')
                        tally.messages_sent += 1
                        await asyncio.sleep(0)  # send() rarely waits: let the reader run
                except ConnectionClosed:
                    pass
                finally:
                    reading.cancel()
                    await asyncio.gather(reading, return_exceptions=True)
                if ws.close_code is not None:
                    tally.closes[str(ws.close_code)] += 1
        except (ConnectionClosed, OSError):
            pass


async def run_crowd(args: argparse.Namespace) -> None:
    """The `crowd` subcommand: start the clients, print a JSON line when all are connected,
    then obey stdin lines ("quiet": never-readers stop sending; "stop" or EOF: finish) and
    print the final tally as a JSON line. It runs at a lower CPU priority: the attackers
    of a real server are elsewhere, so their own CPU use should not count against it."""
    os.nice(10)
    url = f"ws://127.0.0.1:{args.port}/ws"
    settings = {**SETTINGS[args.config], "speed": PAGE_SPEED, "seed": "hostile"}
    readers = {**settings, "speed": args.speed}
    stop, quiet, tally = asyncio.Event(), asyncio.Event(), Tally()
    tasks = [
        *(
            never_reads(args.port, readers, stop, quiet, tally, args.burst)
            for _ in range(args.never_reads)
        ),
        *(never_credits(url, settings, stop, tally) for _ in range(args.never_credits)),
        *(flooder(url, stop, tally) for _ in range(args.flooders)),
    ]
    running = [asyncio.create_task(t) for t in tasks]
    while tally.connected < len(tasks) and not any(t.done() for t in running):
        await asyncio.sleep(0.02)
    print(json.dumps({"connected": tally.connected, "reader_ports": tally.reader_ports}))
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    while (line := (await loop.run_in_executor(None, sys.stdin.readline)).strip()) != "stop":
        if not line:
            break  # EOF: the parent is gone
        if line == "quiet":
            quiet.set()
    stop.set()
    await asyncio.gather(*running, return_exceptions=True)
    print(json.dumps({k: dict(v) if isinstance(v, Counter) else v for k, v in vars(tally).items()}))


def main() -> None:
    """Run hostile clients until told to stop (what `Crowd` starts)."""
    parser = argparse.ArgumentParser(description="hostile clients; obeys stdin lines")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--never-reads", type=int, default=0)
    parser.add_argument("--never-credits", type=int, default=0)
    parser.add_argument("--flooders", type=int, default=0)
    parser.add_argument("--config", default="A", choices=sorted(SETTINGS))
    parser.add_argument(
        "--speed",
        type=lambda v: None if v == "max" else float(v),
        default=PAGE_SPEED,
        help="epochs/s of the never-readers (the others play at the page's 60)",
    )
    parser.add_argument("--burst", type=int, default=0, help="regenerates per never-reader")
    parser.add_argument(
        "--reader-speed", type=lambda v: None if v == "max" else float(v), default=PAGE_SPEED
    )
    asyncio.run(run_crowd(parser.parse_args()))


if __name__ == "__main__":
    main()
