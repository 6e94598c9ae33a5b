"""IMDB movie reviews labelled by sentiment, as `keras.datasets.imdb` (downloaded once, then cached).

25,000 training and 25,000 test reviews, each a list of word indices; label 1
is positive, 0 negative. Source: Maas et al. (2011),
https://ai.stanford.edu/~amaas/data/sentiment/ .
"""
import json

import numpy as np

from teachnet.datasets import text
from teachnet.datasets.download import dataset_url, get_file, load_npz

# Keras's hashes: sha256 of imdb.npz, md5 of imdb_word_index.json
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the IMDB reviews as lists of word indices, prepared exactly as Keras prepares them.

    Words are numbered by frequency (`get_word_index()`: "the" is 1, the
    most frequent), and the returned index of a word is its number +
    `index_from`, so "the" is 4 by default. Index 0 is left for padding,
    `start_char` begins every review and `oov_char` replaces the words cut by
    `num_words`/`skip_top`.

    Steps, in Keras's order: shuffle train and test with
    `np.random.RandomState(seed)`; shift indices and add `start_char`; drop
    reviews of `maxlen` words or more; replace indices outside
    `[skip_top, num_words)` by `oov_char` (or drop them if `oov_char=None`).

    Args:
        path: the file's name in the cache folder.
        num_words: keep only indices below this (None: all but the largest, as in Keras).
        skip_top: indices below this become `oov_char` too.
        maxlen: drop reviews whose length (with `start_char`) is `maxlen` or more; None keeps all.
        seed: seed of the shuffle.
        start_char: index put at the start of each review, or None for none.
        oov_char: index of cut words, or None to drop them.
        index_from: offset added to every word rank.

    Returns:
        Tuple of NumPy arrays: `(x_train, y_train), (x_test, y_test)`.
        `x_*`: 1-d object arrays of Python lists of ints; `y_*`: int arrays of 0/1, shape `(num_samples,)`.

    Example:
    >>> (x_train, y_train), (x_test, y_test) = load_data(num_words=10000)
    >>> len(x_train), max(max(review) for review in x_train)
    (25000, 9999)
    """
    if kwargs:
        raise TypeError(f"imdb.load_data(): unexpected keyword argument(s) {sorted(kwargs)}.")
    text.check_text_arguments(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    path = get_file(path, origin=dataset_url("imdb.npz"), file_hash=FILE_HASH)
    arrays = load_npz(path)
    x_train, y_train, x_test, y_test = arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"]

    rng = np.random.RandomState(seed)  # one generator for both shuffles, in this order, like Keras
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, y_train = x_train[order], y_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, y_test = x_test[order], y_test[order]

    x_train = text.shift_indices(x_train, start_char, index_from)
    x_test = text.shift_indices(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = text.drop_long(maxlen, x_train, y_train)
        x_test, y_test = text.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"After dropping the reviews of maxlen={maxlen} words or more, no review was "
                             f"left in the {'training' if not x_train else 'test'} set. Increase maxlen.")
    # the vocabulary limit is computed over train and test together, as in Keras
    xs = text.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    n_train = len(x_train)
    return ((text.as_object_array(xs[:n_train]), labels[:n_train]),
            (text.as_object_array(xs[n_train:]), labels[n_train:]))


def get_word_index(path="imdb_word_index.json"):
    """Returns the dict from each word to its number in the IMDB files (1 is the most frequent word, "the").

    `load_data()` adds `index_from` (default 3) to these numbers, so to read a
    review, invert the dict and add `index_from`:

    Example:
    >>> word_index = get_word_index()
    >>> words = {i + 3: w for w, i in word_index.items()}
    >>> words.update({0: "[PAD]", 1: "[START]", 2: "[OOV]"})
    >>> (x_train, _), _ = load_data()
    >>> " ".join(words[i] for i in x_train[0])
    """
    path = get_file(path, origin=dataset_url("imdb_word_index.json"), file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)
