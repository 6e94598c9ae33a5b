"""Boston Housing prices, as `keras.datasets.boston_housing` (downloaded once, then cached).

Samples hold 13 attributes of suburbs of Boston in the late 1970s (StatLib,
Carnegie Mellon University); targets are median home values in k$.

WARNING (Keras's, repeated): one attribute, "B", encodes the proportion of Black
residents, built on the assumption that racial self-segregation influences house
prices. Use this dataset only to discuss such ethical problems in data.
"""
import numpy as np

from teachnet.datasets.download import dataset_url, get_file

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"  # Keras's sha256


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston Housing dataset (506 samples) split into train and test.

    The samples are shuffled with `np.random.RandomState(seed)` and the last
    `test_split` fraction becomes the test set, exactly as Keras does, so the
    defaults give the same 404/102 split as `keras.datasets.boston_housing`.

    Args:
        path: the file's name in the cache folder.
        test_split: fraction of the data kept for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.
        `x_*`: float64, shape `(num_samples, 13)`; `y_*`: float64, shape `(num_samples,)`.

    Example:
    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_test.shape
    ((404, 13), (102, 13))
    """
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 <= test_split < 1:
        raise ValueError(f"Received an invalid value for `test_split`, expected a number in [0, 1). "
                         f"Received: test_split={test_split!r}")
    path = get_file(path, origin=dataset_url("boston_housing.npz"), file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
