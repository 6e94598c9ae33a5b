"""The bundled 8x8 digits: the file is the one documented, the split is fixed
and complete, the arrays have the documented shapes, dtypes and ranges."""
import gzip
import hashlib
import os
import re

import numpy as np
import pytest

from teachnet.datasets import digits, load_digits

DATA_DIR = os.path.dirname(digits.DIGITS_PATH)


def test_bundled_file_is_the_documented_one():
    with open(digits.DIGITS_PATH, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    readme = open(os.path.join(DATA_DIR, "README.md")).read()
    assert sha in readme
    for needed in ("CC BY 4.0", "Alpaydin", "Kaynak", "10.24432/C50P49"):
        assert needed in readme
    with gzip.open(digits.DIGITS_PATH, "rt") as f:
        rows = f.read().strip().splitlines()
    assert len(rows) == 1797 and all(len(r.split(",")) == 65 for r in rows)


def test_default_split_shapes_dtypes_ranges():
    (x_train, y_train), (x_test, y_test) = load_digits()
    assert x_train.shape == (1437, 8, 8) and y_train.shape == (1437,)
    assert x_test.shape == (360, 8, 8) and y_test.shape == (360,)
    for a in (x_train, y_train, x_test, y_test):
        assert a.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 16
    assert set(np.unique(y_train)) == set(range(10)) and set(np.unique(y_test)) == set(range(10))


def test_split_is_a_seeded_permutation_of_the_file():
    (x_train, y_train), (x_test, y_test) = load_digits()
    with gzip.open(digits.DIGITS_PATH, "rt") as f:
        table = np.array([[int(v) for v in line.split(",")] for line in f.read().strip().splitlines()])
    order = np.arange(1797)
    np.random.RandomState(113).shuffle(order)  # the documented shuffle
    np.testing.assert_array_equal(x_train.reshape(-1, 64), table[order[:1437], :64])
    np.testing.assert_array_equal(y_train, table[order[:1437], 64])
    np.testing.assert_array_equal(x_test.reshape(-1, 64), table[order[1437:], :64])
    np.testing.assert_array_equal(y_test, table[order[1437:], 64])


def test_same_split_every_call_other_seed_other_split_and_copies():
    (a, _), _ = load_digits()
    a[...] = 99  # callers own their arrays: the cached data must not change
    (b, _), _ = load_digits()
    (c, _), _ = load_digits(seed=1)
    assert b.max() == 16 and not np.array_equal(b, c)


@pytest.mark.parametrize("test_split, n_test", [(0.0, 0), (0.5, 899), (0.9, 1618)])
def test_test_split(test_split, n_test):
    (x_train, _), (x_test, _) = load_digits(test_split=test_split)
    assert len(x_test) == n_test and len(x_train) + len(x_test) == 1797


def test_images_look_like_their_digit():
    # The class means are distinct: a nearest-mean classifier built on the
    # training split gets most test digits right (it reaches ~90%).
    (x_train, y_train), (x_test, y_test) = load_digits()
    means = np.stack([x_train[y_train == d].reshape(-1, 64).mean(axis=0) for d in range(10)])
    d2 = ((x_test.reshape(-1, 1, 64) - means[None]) ** 2).sum(axis=2)
    assert np.mean(d2.argmin(axis=1) == y_test) > 0.85


@pytest.mark.parametrize("bad", [1.0, -0.1, 2, "0.2", True])
def test_bad_test_split(bad):
    with pytest.raises(ValueError, match=re.escape(f"expected a number in [0, 1). Received: test_split={bad!r}")):
        load_digits(test_split=bad)


def test_package_data_declares_the_data_folder():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pyproject = open(os.path.join(root, "pyproject.toml")).read()
    assert '"teachnet.datasets" = ["data/*"]' in pyproject
