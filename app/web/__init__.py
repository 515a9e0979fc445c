"""The web layer: app assembly, the websocket endpoint, pages, security headers, limits,
settings from the environment, and the command line.

Layer: the top; nothing below imports it.
"""
