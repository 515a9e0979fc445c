"""The shared harness: live servers, server processes, clients and Chromium's arguments.

Tests and benchmarks both import from here and never from each other, so a benchmark can be
changed without breaking a test and the other way round.
"""
