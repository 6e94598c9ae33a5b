"""Reuters newswires labelled by topic, as `keras.datasets.reuters` (downloaded once, then cached).

11,228 newswires from Reuters-21578, each a list of word indices, labelled
with one of 46 topics (`get_label_names()`).
"""
import json

import numpy as np

from teachnet.datasets import text
from teachnet.datasets.download import dataset_url, get_file, load_npz

# Keras's hashes: sha256 of reuters.npz, md5 of reuters_word_index.json
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3):
    """Loads the Reuters newswires as lists of word indices, prepared exactly as Keras prepares them.

    Words are numbered by frequency (`get_word_index()`: "the" is 1), and a
    word's returned index is its number + `index_from`. Index 0 is left for
    padding, `start_char` begins every newswire and `oov_char` replaces the
    words cut by `num_words`/`skip_top`.

    Steps, in Keras's order: shuffle with `np.random.RandomState(seed)`;
    shift indices and add `start_char`; drop newswires of `maxlen` words or
    more; replace indices outside `[skip_top, num_words)` by `oov_char` (or
    drop them if `oov_char=None`); keep the last `test_split` for testing.

    Args:
        path: the file's name in the cache folder.
        num_words: keep only indices below this (None: all but the largest, as in Keras).
        skip_top: indices below this become `oov_char` too.
        maxlen: drop newswires whose length (with `start_char`) is `maxlen` or more; None keeps all.
        test_split: fraction of the newswires kept for the test set, in [0, 1).
        seed: seed of the shuffle.
        start_char: index put at the start of each newswire, or None for none.
        oov_char: index of cut words, or None to drop them.
        index_from: offset added to every word number.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.
        `x_*`: 1-d object arrays of Python lists of ints; `y_*`: int arrays of topics 0..45.

    Example:
    >>> (x_train, y_train), (x_test, y_test) = load_data(num_words=10000)
    >>> len(x_train), len(x_test)
    (8982, 2246)
    """
    text.check_text_arguments(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    if isinstance(test_split, bool) or not isinstance(test_split, (int, float)) or not 0 <= test_split < 1:
        raise ValueError(f"Received an invalid value for `test_split`, expected a number in [0, 1). "
                         f"Received: test_split={test_split!r}")
    path = get_file(path, origin=dataset_url("reuters.npz"), file_hash=FILE_HASH)
    arrays = load_npz(path)
    xs, labels = arrays["x"], arrays["y"]

    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = xs[order], labels[order]

    xs = text.shift_indices(xs, start_char, index_from)
    if maxlen:
        xs, labels = text.drop_long(maxlen, xs, labels)
    xs = text.limit_vocabulary(xs, num_words, skip_top, oov_char)
    labels = np.asarray(labels)
    n_train = int(len(xs) * (1 - test_split))
    return ((text.as_object_array(xs[:n_train]), labels[:n_train]),
            (text.as_object_array(xs[n_train:]), labels[n_train:]))


def get_word_index(path="reuters_word_index.json"):
    """Returns the dict from each word to its number in the Reuters files (1 is the most frequent, "the").

    `load_data()` adds `index_from` (default 3) to these numbers; invert the
    dict and add it to read a newswire.

    Example:
    >>> words = {i + 3: w for w, i in get_word_index().items()}
    """
    path = get_file(path, origin=dataset_url("reuters_word_index.json"), file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, in label order (label 3 is "earn")."""
    return ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
            "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
            "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
            "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
            "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")
