"""Core layers (Dense, Activation, Flatten, Reshape, Dropout, Lambda) and
regularizers: gradients, Keras parity, shapes and errors."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import GradientTape, Tensor, ops, regularizers
from teachnet.layers import Layer
from tests.gradcheck import check_gradients, check_layer_gradients


def keras_or_skip():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras", reason="keras is needed for parity tests")


# -- regularizers ------------------------------------------------------------------

W = np.array([[1.0, -2.0], [0.5, 0.0]])


def test_regularizer_values():
    assert float(regularizers.L1()(W)) == pytest.approx(0.01 * 3.5)
    assert float(regularizers.L2()(W)) == pytest.approx(0.01 * 5.25)
    assert float(regularizers.L1(0.3)(W)) == pytest.approx(0.3 * 3.5)
    assert float(regularizers.L1L2(l1=0.1, l2=0.2)(W)) == pytest.approx(0.1 * 3.5 + 0.2 * 5.25)
    assert float(regularizers.L1L2()(W)) == 0.0                      # Keras: class defaults are 0
    assert float(regularizers.get("l1_l2")(W)) == pytest.approx(0.01 * 3.5 + 0.01 * 5.25)


@pytest.mark.parametrize("reg", [regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(0.1, 0.2)],
                         ids=repr)
def test_regularizer_gradients(reg):
    check_gradients(reg, W + 0.1)  # away from the kink of |x| at 0


def test_regularizers_match_keras():
    keras = keras_or_skip()
    for ours, theirs in [(regularizers.L1(0.3), keras.regularizers.L1(0.3)),
                         (regularizers.L2(0.2), keras.regularizers.L2(0.2)),
                         (regularizers.L1L2(0.1, 0.2), keras.regularizers.L1L2(0.1, 0.2))]:
        w = W.astype("float32")
        assert float(ours(Tensor(w))) == pytest.approx(float(theirs(w)), rel=1e-6)


def test_regularizer_get_and_errors():
    assert regularizers.get(None) is None
    assert isinstance(regularizers.get("l2"), regularizers.L2) and regularizers.get("L1").l1 == 0.01
    fn = lambda w: ops.sum(w)  # noqa: E731
    assert regularizers.get(fn) is fn
    with pytest.raises(ValueError, match=r"Unknown regularizer 'l3'. Valid names: \['l1', 'l1_l2', 'l1l2', 'l2'\]"):
        regularizers.get("l3")
    with pytest.raises(TypeError, match="regularizer must be a name"):
        regularizers.get(0.1)
    with pytest.raises(ValueError, match="Invalid value for argument `l2`: expected a non-negative float. Received: l2=-1"):
        regularizers.L2(-1)
    with pytest.raises(ValueError, match="argument `l1`"):
        regularizers.L1L2(l1=float("nan"))


class Scaled(Layer):
    """A tiny layer with a regularized weight, to test the Layer plumbing."""

    def __init__(self, regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.regularizer = regularizer

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale",
                                     regularizer=self.regularizer)

    def call(self, x):
        return x * self.scale


def test_weight_regularizers_appear_in_losses():
    layer = Scaled(regularizer="l2")
    layer(np.ones((2, 3)))
    assert [float(t) for t in layer.losses] == [pytest.approx(0.03)]
    layer.trainable = False
    assert layer.losses == []  # frozen weights are not regularized (Keras)


def test_activity_regularizer_is_divided_by_batch_size_and_reset_each_call():
    layer = Scaled(activity_regularizer=regularizers.L2(0.01))
    layer(np.full((5, 5), 2.0))
    assert [float(t) for t in layer.losses] == [pytest.approx(0.01 * 4 * 25 / 5)]
    layer(np.full((5, 5), 2.0))
    assert len(layer.losses) == 1  # the previous call's term was forgotten


def test_activity_loss_of_sublayers_is_kept_until_the_outer_call_repeats():
    class Outer(Layer):
        def __init__(self):
            super().__init__()
            self.inner = Scaled(activity_regularizer="l1", regularizer="l1")

        def call(self, x):
            return self.inner(x) * 2

    outer = Outer()
    outer(np.ones((2, 3)))
    outer(np.ones((2, 3)))
    activity, weight = [float(t) for t in outer.losses]
    assert activity == pytest.approx(0.01 * 6 / 2) and weight == pytest.approx(0.03)
