"""Joins and new classes per client address: a token bucket each, per worker process.

What it is: `throttle(request, kind)`, which raises HTTP 429 with a clear message when an
address has used its burst (NN_PLAYGROUND_JOIN_BURST_PER_ADDRESS, refilled at
JOINS_PER_SECOND_PER_ADDRESS); classes are made at a tenth of that rate.
What it is not: the websocket's admission (app/web/admission.py), though it reads the client
address the same way (a trusted proxy's X-Forwarded-For, docs/deploy.md).
Trade-off: the buckets live in each worker's memory, so with N workers an address gets up to
N bursts; that bounds a script without a shared counter in the store on every join.
"""

from fastapi import HTTPException, Request

from app.web.admission import client_address
from app.web.config import Settings
from app.web.limits import TokenBucket

MAX_ADDRESSES = 4096
Buckets = dict[tuple[str, str], TokenBucket]


def throttle(request: Request, kind: str) -> None:
    settings: Settings = request.app.state.settings
    peer = (request.client.host, request.client.port) if request.client else None
    address = client_address(peer)  # uvicorn read X-Forwarded-For if trusted (serving.py)
    buckets: Buckets = request.app.state.classroom.buckets  # this worker's
    bucket = buckets.get((kind, address))
    if bucket is None:
        if len(buckets) >= MAX_ADDRESSES:
            buckets.clear()  # bounded memory under churn; a burst may start afresh
        scale = 10 if kind == "create" else 1
        rate = settings.joins_per_second_per_address / scale
        burst = max(1, settings.join_burst_per_address // scale)
        bucket = buckets[(kind, address)] = TokenBucket(rate, burst)
    if not bucket.take():
        what = "classes made" if kind == "create" else "joins"
        raise HTTPException(429, f"too many {what} from your address; wait a moment")
