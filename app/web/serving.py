"""How uvicorn must run this app: one `uvicorn.Config` for the command, each worker and the
tests, so none of them can drift from the others.

What it is: `uvicorn_config(settings, app)`, with per-message deflate off (compressing grid
frames costs ~35x more than sending them, and browsers would negotiate it), the message size
cap, the guarded protocols (transport.py), and proxy headers only when the deployer trusts a
proxy (issue 20, item 5); and `raise_open_files`, so a worker can hold a class's sockets.
What it is not: the supervisor (workers.py) or the settings (config.py).
Trade-off: uvicorn's own `proxy_headers` is on by default and trusts 127.0.0.1, so behind a
same-host proxy any client could set its own address with X-Forwarded-For. We turn it on
only with NN_PLAYGROUND_TRUST_FORWARDED_FOR, and then only for `trusted_proxies`.
"""

import resource
from typing import Any

import uvicorn

from app.web.config import Settings
from app.web.transport import protocol_classes

OPEN_FILES_WANTED = 65536


def uvicorn_config(settings: Settings, app: Any, **extra: Any) -> uvicorn.Config:
    """The Config every server of this app runs with; `extra` adds uvicorn options."""
    http, ws = protocol_classes(settings)
    options: dict[str, Any] = {
        "http": http,
        "ws": ws,
        "ws_per_message_deflate": False,
        "ws_max_size": settings.max_message_bytes + 1024,
        "proxy_headers": settings.trust_forwarded_for,
        "forwarded_allow_ips": list(settings.trusted_proxies),
        "log_level": "info",
        **extra,
    }
    return uvicorn.Config(app, **options)


def raise_open_files() -> int:
    """Raise this process's soft limit on open files towards the hard one (the default soft
    limit of 1,024 is a class and a half of sockets); the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES_WANTED if hard == resource.RLIM_INFINITY else min(hard, OPEN_FILES_WANTED)
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        return wanted
    return soft
