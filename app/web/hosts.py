"""Host validation: the defence against DNS rebinding (issue 12, item 8).

What it is: a pure rule (`host_allowed`) and a pure ASGI middleware that applies it to every
page request (HTTP 400) and every websocket handshake (closed before accept: HTTP 403).
What it is not: the Origin check (limits.py). Origin alone cannot stop rebinding: once
`evil.example` resolves to 127.0.0.1, the attacker's page *is* same-origin with itself, so
Origin and Host agree. Only the Host name betrays that the request was meant for another site.
Trade-off: the rule follows the bind address rather than a list the deployer must write. A
server bound to loopback can only be reached by this machine, so only loopback names are
legitimate; a server bound to a public address is reached under names we cannot guess, so it
accepts any Host unless `NN_PLAYGROUND_ALLOWED_HOSTS` lists them (then only those pass).
"""

import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(header: str) -> str:
    """The name part of a Host header, lower-cased, without port or IPv6 brackets.

    Example: host_name("[::1]:8000") == "::1"; host_name("LocalHost:80") == "localhost".
    """
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else ""
    name, _, _port = header.partition(":")
    return name.rstrip(".")


def is_loopback_bind(bind_host: str) -> bool:
    """True when the server listens on a loopback address (only this machine reaches it)."""
    if bind_host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(bind_host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_allowed(header: str | None, bind_host: str, allowed_hosts: tuple[str, ...]) -> bool:
    """Whether a request carrying Host `header` may reach a server bound to `bind_host`."""
    name = host_name(header or "")
    if allowed_hosts:
        return name in {host_name(h) for h in allowed_hosts}
    if is_loopback_bind(bind_host):
        return name in LOOPBACK_NAMES
    return True


class HostGuardMiddleware:
    """Refuses requests whose Host the rule above rejects, before any route runs."""

    def __init__(self, app: ASGIApp, bind_host: str, allowed_hosts: tuple[str, ...]) -> None:
        self.app, self.bind_host, self.allowed_hosts = app, bind_host, allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = _header(scope, b"host")
        if host_allowed(header, self.bind_host, self.allowed_hosts):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "host not allowed"})
            return
        body = f"Host {header!r} is not allowed on this server (DNS rebinding guard).\n"
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [(b"content-type", b"text/plain; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
