"""Word-index sequences as Keras's IMDB and Reuters loaders prepare them.

The files store each text as a list of word numbers, 1 being the most
frequent word (`get_word_index()` gives the words). The loaders shift the
numbers by `index_from` to free small ones for special tokens (0 padding,
1 start, 2 out-of-vocabulary), then cut the vocabulary. The steps below are Keras's, in Keras's order, so the same
arguments give the same arrays.
"""
import numbers

import numpy as np


def check_text_arguments(num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """Raises ValueError for an argument no loader could use."""
    def fail(name, value, expected):
        raise ValueError(f"Received an invalid value for `{name}`, expected {expected}. Received: {name}={value!r}")

    def is_int(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool)

    if num_words is not None and not (is_int(num_words) and num_words >= 1):
        fail("num_words", num_words, "an integer >= 1 or None")
    if not (is_int(skip_top) and skip_top >= 0):
        fail("skip_top", skip_top, "an integer >= 0")
    if maxlen is not None and not (is_int(maxlen) and maxlen >= 1):
        fail("maxlen", maxlen, "an integer >= 1 or None")
    for name, value in (("start_char", start_char), ("oov_char", oov_char)):
        if value is not None and not (is_int(value) and value >= 0):
            fail(name, value, "an integer >= 0 or None")
    if not (is_int(index_from) and index_from >= 0):
        fail("index_from", index_from, "an integer >= 0")


def shift_indices(sequences, start_char, index_from):
    """Adds `index_from` to every word index and puts `start_char` (unless None) in front."""
    prefix = [] if start_char is None else [start_char]
    return [prefix + [w + index_from for w in seq] for seq in sequences]


def drop_long(maxlen, sequences, labels):
    """Keeps the sequences *shorter* than `maxlen` (Keras drops those of length maxlen or more)."""
    kept = [(seq, label) for seq, label in zip(sequences, labels) if len(seq) < maxlen]
    return [seq for seq, _ in kept], [label for _, label in kept]


def limit_vocabulary(sequences, num_words, skip_top, oov_char):
    """Keeps word indices in [skip_top, num_words); others become `oov_char`, or are dropped when it is None.

    With `num_words=None`, Keras uses the largest index present as the limit,
    which (the limit being exclusive) turns that single word into `oov_char`.
    """
    if not num_words:
        num_words = max((max(seq) for seq in sequences if seq), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in seq] for seq in sequences]
    return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]


def as_object_array(sequences):
    """A 1-d numpy array of Python lists (one per text), as Keras returns them."""
    out = np.empty(len(sequences), dtype="object")
    for i, seq in enumerate(sequences):  # one by one: equal-length lists must not become a 2-d array
        out[i] = seq
    return out
