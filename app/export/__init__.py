"""Exports that reproduce a run: a Keras 3 script, a PyTorch script, and weights as JSON.

What it is: `RunRecord` (what a reproduction needs), `engine_losses` (the engine's replay,
the reference every export must match), the two script generators and the JSON round trip.
What it is not: wired to the websocket session; the server builds a RunRecord at the last
reset and calls these. Nothing here imports keras or torch: scripts are text.
Trade-off: scripts carry their data inline, so they are standalone but tens of kB long.
"""

from app.export.json_export import FORMAT, ImportedRun, export_json, parse_json, parse_json_run
from app.export.keras_script import keras_script
from app.export.pytorch_script import pytorch_script
from app.export.record import RunRecord, engine_history, engine_losses, reproduction_caveats

__all__ = [
    "FORMAT",
    "RunRecord",
    "engine_history",
    "engine_losses",
    "ImportedRun",
    "export_json",
    "keras_script",
    "parse_json",
    "parse_json_run",
    "pytorch_script",
    "reproduction_caveats",
]
