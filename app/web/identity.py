"""A per-browser identity, so CPU shares go per browser first (issue 20, item 11).

What it is: the `nnp_browser` cookie the page sets (a random name plus an HMAC of it under
the server's key), `mint` and `verify`, and `share_group`, the group a connection's CPU is
shared in: its browser when it presents a valid cookie, else its address group.
What it is not: an account, a login or a secret: it only tells the tabs of one browser
apart from the browsers behind one address (a class behind one NAT).
Trade-off: the cookie is signed, so a script cannot invent identities; it can fetch the page
for one, which is why new identities per address are rate-limited (`IDENTITIES_*`) in
pages.py: a script can look like a class arriving, never like a thousand students. Workers
of one server share the key (cli.py); replicas share it only through
NN_PLAYGROUND_SECRET_KEY, and a cookie another replica signed falls back to the address.
"""

import base64
import hashlib
import hmac
import secrets

COOKIE = "nnp_browser"
MAX_AGE_SECONDS = 365 * 24 * 3600
# New identities one address may be given: a class arriving at once, then one every 10 s.
IDENTITIES_BURST, IDENTITIES_PER_SECOND = 80, 0.1


def _signature(name: str, key: str) -> str:
    digest = hmac.new(key.encode(), name.encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def mint(key: str) -> str:
    """A new identity: 16 random bytes and their signature, cookie-safe."""
    name = secrets.token_urlsafe(16)
    return f"{name}.{_signature(name, key)}"


def verify(cookie: str | None, key: str) -> str | None:
    """The identity's name if `cookie` was signed with `key`; else None."""
    if not cookie or len(cookie) > 64 or "." not in cookie:
        return None
    name, _, signature = cookie.partition(".")
    if hmac.compare_digest(signature, _signature(name, key)):
        return name
    return None


def share_group(cookie: str | None, key: str, address: str) -> str:
    """What a connection's CPU share is grouped by: its browser, else its address group.

    Example: a valid cookie -> "browser:<name>"; none -> "address:10.0.0.7".
    """
    name = verify(cookie, key)
    return f"browser:{name}" if name else f"address:{address}"
