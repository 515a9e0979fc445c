"""The digits workspace on the web: the `/digits` page and its websocket `/digits/ws`.

What it is: the page route, admission of a digits websocket (the playground's perimeter:
Origin, per-address caps, the hello deadline, max_sessions, plus digits_max_sessions), the
reader and handlers of its messages (docs/protocol.md §10) and the runner that trains a
digits session in fair slices of the worker's event loop beside the playground's sessions.
What it is not: the digits model, data or messages (app/digits) or the playground's socket.
Trade-off: its own small connection type instead of the playground's ConnectionState, whose
fields belong to playground sessions (gangs, checkpoints); it shares what is generic: the
Pacer, the Outbox, the TokenBucket, the FairScheduler and the Phase.
"""
