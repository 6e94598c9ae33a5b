"""Fashion-MNIST, as `keras.datasets.fashion_mnist` (downloaded once, then cached).

28x28 grayscale photos of clothes in 10 classes, a drop-in replacement for
MNIST. License: MIT, copyright Zalando SE.
"""
import gzip
import os

import numpy as np

from teachnet.datasets.download import dataset_url, get_file

FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
FILE_HASHES = {name: None for name in FILES}  # Keras publishes no hashes for these; the IDX headers are checked instead
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def read_idx(path, ndim):
    """Reads a gzipped IDX file of unsigned bytes (the format of MNIST's original files).

    Layout: magic number 0x00000800 + ndim (4 bytes, big-endian), then one
    4-byte big-endian size per dimension, then the uint8 values in C order.
    """
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big")
    if magic != 0x800 + ndim:
        raise ValueError(f"{os.path.basename(path)} is not an IDX file of {ndim}-d unsigned bytes: "
                         f"expected magic number {0x800 + ndim}. Received: magic number {magic}. "
                         f"Delete {path} and load again.")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    values = np.frombuffer(data, np.uint8, offset=4 + 4 * ndim)
    if values.size != np.prod(shape):
        raise ValueError(f"{os.path.basename(path)} is truncated: its header promises shape {shape} "
                         f"({int(np.prod(shape))} values), but it holds {values.size}. Delete {path} and load again.")
    return values.reshape(shape).copy()  # a writable array, not a view of the file's bytes


def load_data():
    """Loads Fashion-MNIST: 60,000 training and 10,000 test images of 10 kinds of clothing.

    Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
    6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot (also in `CLASS_NAMES`).

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.
        `x_*`: uint8, shape `(num_samples, 28, 28)`, pixel values 0..255.
        `y_*`: uint8, shape `(num_samples,)`, labels 0..9.

    Example:
    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_test.shape
    ((60000, 28, 28), (10000, 28, 28))
    """
    paths = [get_file(name, origin=dataset_url(name), file_hash=FILE_HASHES[name], cache_subdir="fashion-mnist")
             for name in FILES]
    y_train, x_train = read_idx(paths[0], 1), read_idx(paths[1], 3)
    y_test, x_test = read_idx(paths[2], 1), read_idx(paths[3], 3)
    for x, y, part in ((x_train, y_train, "training"), (x_test, y_test, "test")):
        if len(x) != len(y):
            raise ValueError(f"Fashion-MNIST's {part} files disagree: {len(x)} images but {len(y)} labels.")
    return (x_train, y_train), (x_test, y_test)
