"""NN Playground: TensorFlow Playground, trained server-side in NumPy."""

import os

__version__ = "0.1.0"

# One BLAS thread per process. The engine multiplies tiny matrices (8x8 by 8x10,000 at most):
# on the 2-core target a threaded OpenBLAS spends its time synchronising, measured 16.7 ms vs
# 0.55 ms for one grid layer with another process busy. Parallelism comes from sessions and
# `--workers`, never from BLAS. Set before NumPy loads; an explicit environment value wins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
