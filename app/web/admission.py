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

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.web.limits import TokenBucket

PRUNE_ABOVE = 4096  # forget idle addresses once the book holds this many


def client_address(
    peer: tuple[str, int] | None, headers: Mapping[str, str], trust_forwarded: bool
) -> str:
    """The address to account a connection to.

    Behind a reverse proxy every peer is the proxy, so the proxy's X-Forwarded-For names
    the client; but anyone can send that header, so it is believed only when the deployer
    says a proxy is in front (`NN_PLAYGROUND_TRUST_FORWARDED_FOR`). The last entry is the
    one our proxy appended; earlier ones came from the client and may be forged.
    """
    if trust_forwarded:
        forwarded = headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return peer[0] if peer else "unknown"


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
