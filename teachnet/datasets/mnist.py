"""MNIST handwritten digits, as `keras.datasets.mnist` (downloaded once, then cached).

License: Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative
work of NIST's datasets, made available under CC BY-SA 3.0.
"""
import numpy as np

from teachnet.datasets.download import dataset_url, get_file

FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # Keras's sha256 of mnist.npz


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset: 60,000 training and 10,000 test images of the digits 0-9.

    Args:
        path: the file's name in the cache folder (see `teachnet.datasets.download`).

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.
        `x_*`: uint8, shape `(num_samples, 28, 28)`, pixel values 0..255.
        `y_*`: uint8, shape `(num_samples,)`, labels 0..9.

    Example:
    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_test.shape
    ((60000, 28, 28), (10000, 28, 28))
    """
    path = get_file(path, origin=dataset_url("mnist.npz"), file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
