"""The 8x8 handwritten digits that ship with teachnet, so lessons work offline.

The data is the UCI "Optical Recognition of Handwritten Digits" set (CC BY 4.0,
Alpaydin & Kaynak 1998), in the copy scikit-learn bundles; see
`data/README.md` for source, license and citation.
"""
import functools
import gzip
import os

import numpy as np

DIGITS_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")


@functools.lru_cache(maxsize=1)
def _read_digits():
    """All 1797 images (uint8, (1797, 8, 8), values 0..16) and labels (uint8, (1797,)), in file order."""
    with gzip.open(DIGITS_PATH, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)  # (1797, 65): 64 pixels, then the label
    images = table[:, :64].reshape(-1, 8, 8)
    labels = table[:, 64]
    images.setflags(write=False)  # cached: callers get copies
    labels.setflags(write=False)
    return images, labels


def load_digits(test_split=0.2, seed=113):
    """Loads the bundled 8x8 handwritten digits, split like a Keras dataset.

    1,797 grayscale images of the digits 0-9, 8x8 pixels each. Every pixel
    counts the ink in a 4x4 block of the scanned 32x32 bitmap, so values run
    from 0 (blank) to 16 (full). Divide by 16 to get floats in [0, 1].

    The split is fixed by `seed` (shuffled with `np.random.RandomState(seed)`,
    as Keras's `boston_housing.load_data` does): the defaults give 1,437
    training and 360 test images.

    Args:
        test_split: fraction of the images kept for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.
        `x_*`: uint8, shape `(num_samples, 8, 8)`, values 0..16.
        `y_*`: uint8, shape `(num_samples,)`, labels 0..9.

    Example:
    >>> (x_train, y_train), (x_test, y_test) = load_digits()
    >>> x_train.shape, x_test.shape
    ((1437, 8, 8), (360, 8, 8))
    >>> x = x_train.reshape(-1, 64).astype("float32") / 16   # ready for a Dense layer
    """
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 <= test_split < 1:
        raise ValueError(f"Received an invalid value for `test_split`, expected a number in [0, 1). "
                         f"Received: test_split={test_split!r}")
    images, labels = _read_digits()
    order = np.arange(len(images))
    np.random.RandomState(seed).shuffle(order)
    n_train = int(len(images) * (1 - test_split))
    train, test = order[:n_train], order[n_train:]
    return (images[train], labels[train]), (images[test], labels[test])
