"""The playground's experiment, with no web in it: settings, data, features, random streams,
the user's own points, labels, metrics, boundary grids, the session and its checkpoints.

Layer: below app.protocol and app.export, above app.engine (the import-linter contract in
pyproject.toml holds that direction).
"""
