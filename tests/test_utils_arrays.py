"""`teachnet.utils.to_categorical`, `pad_sequences`, `normalize`: Keras's signatures and
results, compared with Keras's own functions (skipped with a reason without keras)."""
import os

import numpy as np
import pytest

from teachnet import utils

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("x, num_classes", [
    ([0, 2, 1, 3], None), ([0, 2, 1], 5), (np.array([[1], [0], [2]]), None), (np.array([[0, 1], [2, 2]]), 3),
    (np.array([1.0, 0.0]), 2), ([], 3),
])
def test_to_categorical_matches_keras(keras, x, num_classes):
    ours = utils.to_categorical(x, num_classes=num_classes)
    theirs = keras.utils.to_categorical(np.asarray(x), num_classes=num_classes)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_to_categorical_refuses_ids_it_cannot_encode():
    with pytest.raises(ValueError, match=r"class ids must lie in \[0, num_classes=3\); received values from 0 to 3"):
        utils.to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="expects integer class ids; received non-integer values such as 0.5"):
        utils.to_categorical([0.5, 1])


SEQUENCES = [[1], [2, 3], [4, 5, 6], [], [7, 8, 9, 10]]


@pytest.mark.parametrize("kwargs", [
    {}, {"maxlen": 2}, {"padding": "post"}, {"truncating": "post", "maxlen": 3}, {"value": -1},
    {"dtype": "float32", "value": 0.5, "maxlen": 6, "padding": "post"},
])
def test_pad_sequences_matches_keras(keras, kwargs):
    ours = utils.pad_sequences(SEQUENCES, **kwargs)
    theirs = keras.utils.pad_sequences(SEQUENCES, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_of_vectors_matches_keras(keras):
    sequences = [np.ones((2, 3)), np.arange(12).reshape(4, 3)]
    np.testing.assert_array_equal(utils.pad_sequences(sequences, maxlen=3, dtype="float32"),
                                  keras.utils.pad_sequences(sequences, maxlen=3, dtype="float32"))


def test_pad_sequences_names_bad_arguments():
    with pytest.raises(ValueError, match=r'Expected `padding` to be "pre" or "post". Received: padding=\'middle\''):
        utils.pad_sequences(SEQUENCES, padding="middle")
    with pytest.raises(ValueError, match=r"sequence 1 is 5, not a sequence"):
        utils.pad_sequences([[1], 5])


@pytest.mark.parametrize("axis, order", [(-1, 2), (1, 1), (-1, 3), (1, 2)])
def test_normalize_matches_keras(keras, axis, order):
    x = np.random.default_rng(0).normal(size=(4, 5))
    x[1] = 0.0  # a zero row stays zero
    np.testing.assert_allclose(utils.normalize(x, axis=axis, order=order),
                               keras.utils.normalize(x, axis=axis, order=order), rtol=1e-12)


def test_normalize_along_the_first_axis():
    # (Keras's numpy path turns axis=0 into -1 when it expands the norm back; here the
    # norm is kept along the axis it was taken over.)
    x = np.array([[3.0, 1.0], [4.0, 0.0]])
    np.testing.assert_allclose(utils.normalize(x, axis=0), [[0.6, 1.0], [0.8, 0.0]])
