"""Protocol v1 on the wire: inbound JSON messages (validated), outbound JSON messages, and
the binary frame's layout and assembly (docs/protocol.md).

Layer: above app.playground and app.export, below app.web; it knows sessions but not sockets.
"""
