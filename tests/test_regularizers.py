"""Keras's lower-case regularizer spellings: the same classes, the same penalties as Keras."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import regularizers
from tests.gradcheck import check_gradients

os.environ["KERAS_BACKEND"] = "torch"


def test_lower_case_names_are_the_classes_as_in_keras():
    assert regularizers.l1 is regularizers.L1 and regularizers.l2 is regularizers.L2
    assert regularizers.l1_l2 is regularizers.L1L2
    assert regularizers.l1_l2().get_config() == {"l1": 0.0, "l2": 0.0}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("make", [lambda r: r.l1(0.03), lambda r: r.l2(0.2), lambda r: r.l1_l2(l1=0.01, l2=0.1),
                                  lambda r: r.l1_l2(l2=0.5)])
def test_penalties_match_keras(make):
    keras = pytest.importorskip("keras")
    w = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    ours, theirs = make(regularizers), make(keras.regularizers)
    assert ours.get_config() == pytest.approx(theirs.get_config())  # Keras keeps the factors as float32
    np.testing.assert_allclose(float(ours(w)), float(keras.ops.convert_to_numpy(theirs(w))), rtol=1e-6)


def test_l1_l2_gradient_and_use_in_a_layer():
    check_gradients(lambda w: regularizers.l1_l2(l1=0.1, l2=0.3)(w), np.array([[0.5, -1.0], [2.0, -0.3]]))
    layer = teachnet.layers.Dense(2, kernel_regularizer=regularizers.l2(0.1))
    layer(np.ones((1, 3), "float32"))
    assert float(layer.losses[0]) == pytest.approx(0.1 * float(np.sum(layer.kernel.numpy() ** 2)), rel=1e-6)


def test_negative_factor_is_named():
    with pytest.raises(ValueError, match=r"`l2`: expected a non-negative float. Received: l2=-1"):
        regularizers.l2(-1)
