"""A TCP relay between a browser and a test server, for tests that break the line between
them: tests/browser/test_faults.py resets it, test_offline.py stalls it.

What it is: `Relay`, which accepts connections, opens one to the server for each and hands
the pair to `relay()`, which a subclass fills with its pumps. It keeps every socket it
opened, counts the connections it accepted, and `close()` stops it.
What it is not: a proxy with any protocol knowledge (a subclass may rewrite bytes).
Trade-off: one thread per direction per connection: simple, and a test opens a handful.
"""

import socket
import threading


class Relay:
    """Accepts on a free localhost port and connects each client to `target_port`."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(self.target)
            except OSError:  # the server is down: the page sees its connection refused
                client.close()
                continue
            with self.lock:
                if self.listener.fileno() == -1:  # closed meanwhile: nobody will drop these
                    client.close()
                    upstream.close()
                    return
                self.sockets += [client, upstream]
                self.accepted += 1
            self.relay(client, upstream)

    def relay(self, client: socket.socket, upstream: socket.socket) -> None:
        """Start forwarding between a new client and its server connection."""
        raise NotImplementedError

    def close(self) -> None:
        self.listener.close()
        with self.lock:
            doomed, self.sockets = self.sockets, []
        for sock in doomed:
            sock.close()
