"""Array type aliases shared by the engine.

What it is: three names for the NumPy array types the engine passes around.
What it is not: a place for runtime checks; these aliases only inform mypy.
Trade-off: aliases document dtype but not shape, so shapes are stated in docstrings instead.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
AnyFloatArray = npt.NDArray[np.floating[Any]]
