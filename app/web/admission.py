"""Admission: who may hold a connection, and for how long without saying hello (issue 12, 3).

What it is: the per-process book of open connections by client address (a cap on open
connections and a token bucket of new connections per second for each address), the rule
for which address a connection comes from, and the hello deadline's setting lookup.
What it is not: the session cap. `max_sessions` counts sessions, which exist only after
`hello`, so sockets that never speak cannot take the slots of students who do; they are
bounded here instead (per address) and closed when the hello deadline passes.
Trade-off: caps are per address, and a class behind one NAT shares one address, so the
defaults admit a whole class at once (60 connections in a second, up to 128 open): a single
hostile address is bounded, not stopped; the hello deadline and the session cap do the rest.
"""

import ipaddress
from dataclasses import dataclass, field

from app.web.limits import TokenBucket

PRUNE_ABOVE = 4096  # forget idle addresses once the book holds this many


def address_group(host: str) -> str:
    """The address a connection is accounted to: IPv4 as is, IPv6 by its /64.

    One IPv6 host usually holds a whole /64 and may pick any address in it for each
    connection, so per-address caps on single IPv6 addresses would bound nothing.
    Example: address_group("2001:db8::1:2") == "2001:db8::/64"; "::ffff:10.0.0.1" -> "10.0.0.1".
    """
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def client_address(peer: tuple[str, int] | None) -> str:
    """The address group to account a connection to.

    Behind a trusted reverse proxy uvicorn has already replaced the peer with the client the
    proxy names in X-Forwarded-For (proxy_headers, only from `trusted_proxies`, and only when
    NN_PLAYGROUND_TRUST_FORWARDED_FOR is set: app/web/serving.py); anyone else's header is
    never read, so a student cannot pick their own address.
    """
    return address_group(peer[0]) if peer else "unknown"


@dataclass
class AddressBook:
    """Open connections and recent arrivals per client address, for one worker process."""

    max_open: int
    rate: float
    burst: int
    open: dict[str, int] = field(default_factory=dict)
    arrivals: dict[str, TokenBucket] = field(default_factory=dict)

    def admit(self, address: str) -> str | None:
        """Count a new connection from `address`; None if admitted, else why not."""
        if self.open.get(address, 0) >= self.max_open:
            return f"too many open connections from your address (limit {self.max_open})"
        bucket = self.arrivals.get(address)
        if bucket is None:
            self._prune()
            bucket = self.arrivals[address] = TokenBucket(self.rate, self.burst)
        if not bucket.take():
            return "too many new connections from your address; try again in a moment"
        self.open[address] = self.open.get(address, 0) + 1
        return None

    def release(self, address: str) -> None:
        """The connection admitted for `address` has ended."""
        left = self.open.get(address, 0) - 1
        if left > 0:
            self.open[address] = left
        else:
            self.open.pop(address, None)

    def _prune(self) -> None:
        """Drop buckets of addresses with nothing open: memory stays bounded under churn."""
        if len(self.arrivals) < PRUNE_ABOVE:
            return
        for address in [a for a in self.arrivals if a not in self.open]:
            del self.arrivals[address]
