"""Silent sockets from a process of their own: `python -m tests.support.silent_sockets URL
SOURCE COUNT` opens COUNT websockets from loopback address SOURCE, never says hello, prints
"opened" once every one is open, then one JSON line: each socket's [close code, reason].

Why a process: the in-thread test server shares the test's GIL, and 250 sync clients are 250
receiving threads that all wake when the server closes them; a bystander's ping then waits
behind the test's own threads (hundreds of ms), which measures the harness, not the server.
Here the sockets are one asyncio loop in another process, as a real attacker's would be.
"""

import asyncio
import json
import sys

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.bystander import source_socket

CLOSE_WAIT_SECONDS = 30.0


async def open_from(url: str, source: str) -> ClientConnection:
    """A websocket whose TCP source address is `source`."""
    sock = source_socket(url, source)
    sock.setblocking(False)
    return await connect(url, sock=sock, open_timeout=10, compression=None)


async def close_of(ws: ClientConnection) -> list[object]:
    """Read until the server closes; its [code, reason] (code None: no close frame)."""
    try:
        async with asyncio.timeout(CLOSE_WAIT_SECONDS):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        frame = closed.rcvd
        return [frame.code, frame.reason] if frame is not None else [None, ""]
    except TimeoutError:
        await ws.close()
        return [None, "never closed"]


async def main(url: str, source: str, count: int) -> None:
    sockets = [await open_from(url, source) for _ in range(count)]
    print("opened", flush=True)
    print(json.dumps(await asyncio.gather(*(close_of(ws) for ws in sockets))), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
