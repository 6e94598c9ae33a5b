"""Core layers (Dense, Activation, Flatten, Reshape, Dropout, Lambda) and
regularizers: gradients, Keras parity, shapes and errors."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import GradientTape, Tensor, ops, regularizers
from teachnet.layers import Layer
from tests.gradcheck import check_gradients, check_layer_gradients

# keras's own torch Variables trip numpy 2's __array__ deprecation; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")


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


# -- Dense ---------------------------------------------------------------------------

from teachnet.layers import Activation, Dense, Dropout, Flatten, Lambda, Reshape  # noqa: E402

rng = np.random.default_rng(0)


@pytest.mark.parametrize("kwargs,shape", [
    ({}, (4, 3)),
    ({"activation": "tanh"}, (4, 3)),
    ({"activation": "softmax", "use_bias": False}, (2, 3)),
    ({"activation": "sigmoid"}, (2, 3, 3)),          # rank 3: acts on the last axis
], ids=str)
def test_dense_gradients(kwargs, shape):
    layer = Dense(2, dtype="float64", bias_initializer="random_normal", **kwargs)
    check_layer_gradients(layer, rng.standard_normal(shape))


def test_dense_weights_and_shapes():
    layer = Dense(5, name="hidden")
    out = layer(np.ones((2, 7, 3), dtype="float32"))
    assert out.shape == (2, 7, 5) and out.dtype == np.float32
    assert [w.shape for w in layer.weights] == [(3, 5), (5,)]
    assert [w.path for w in layer.weights] == ["hidden/kernel", "hidden/bias"]
    assert layer.kernel.trainable and layer.count_params() == 20
    assert Dense(5, use_bias=False)(np.ones((1, 3))) is not None
    assert layer.compute_output_shape((None, 7, 3)) == (None, 7, 5)
    assert layer.compute_output_shape((None, 3)) == (None, 5)


def test_dense_initializers_and_formula():
    layer = Dense(2, kernel_initializer="ones", bias_initializer=teachnet.initializers.Constant(0.5),
                  activation="relu")
    x = np.array([[1.0, -3.0], [2.0, 2.0]])
    np.testing.assert_allclose(layer(x).numpy(), np.maximum(x @ np.ones((2, 2)) + 0.5, 0))


@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3)])
@pytest.mark.parametrize("activation", [None, "relu", "softmax"])
def test_dense_forward_matches_keras(shape, activation):
    keras = keras_or_skip()
    theirs = keras.layers.Dense(4, activation=activation)
    x = rng.standard_normal(shape).astype("float32")
    expected = keras.ops.convert_to_numpy(theirs(x))
    ours = Dense(4, activation=activation)
    ours(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_dense_regularization_losses_match_keras_docstring():
    layer = Dense(5, kernel_initializer="ones", kernel_regularizer=regularizers.L1(0.01),
                  activity_regularizer=regularizers.L2(0.01))
    layer(np.ones((5, 5)) * 2.0)
    # Keras 3 lists the activity term (25.0 / batch of 5) before the kernel term (0.25).
    assert [float(t) for t in layer.losses] == [pytest.approx(5.0), pytest.approx(0.25)]
    assert float(ops.sum(ops.stack(layer.losses))) == pytest.approx(5.25)


def test_dense_regularizer_gradient_reaches_the_kernel():
    layer = Dense(2, kernel_regularizer="l2", dtype="float64")
    layer(np.ones((1, 3)))
    with GradientTape() as tape:
        penalty = layer.losses[0]
    np.testing.assert_allclose(tape.gradient(penalty, layer.kernel).numpy(), 0.02 * layer.kernel.numpy())


@pytest.mark.parametrize("units", [0, -3, 2.5, "3", None, True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match=f"invalid value for `units`, expected a positive integer. Received: units={units}"):
        Dense(units)


def test_dense_wrong_feature_count_names_layer_and_shapes():
    layer = Dense(3, name="classifier")
    layer(np.ones((2, 4)))
    with pytest.raises(ValueError, match=r'layer "classifier".*axis -1 of input shape to have value 4 '
                                         r"\(an input of shape \(2, 4\)\), but received input with shape \(2, 5\)"):
        layer(np.ones((2, 5)))


def test_dense_rank_1_input_is_rejected_before_building():
    layer = Dense(3)
    with pytest.raises(ValueError, match=r"expected min_ndim=2, but received input with shape \(4,\)"):
        layer(np.ones(4))
    assert not layer.built
    assert layer(np.ones((1, 4))).shape == (1, 3)


def test_dense_unknown_activation_and_keyword():
    with pytest.raises(ValueError, match="Unknown activation function 'rleu'"):
        Dense(3, activation="rleu")
    with pytest.raises(TypeError, match=r"Dense: unexpected keyword argument\(s\) \['unit'\]"):
        Dense(3, unit=4)


# -- Activation, Flatten, Reshape ---------------------------------------------------------

def test_activation_layer():
    layer = Activation("tanh", dtype="float64")
    check_layer_gradients(layer, rng.standard_normal((2, 3)))
    np.testing.assert_allclose(Activation("relu")(np.array([[-1.0, 2.0]])).numpy(), [[0, 2]])
    assert Activation(lambda x: x * 2)(np.ones((1, 2))).numpy().tolist() == [[2, 2]]
    assert layer.compute_output_shape((None, 3)) == (None, 3)
    with pytest.raises(ValueError, match="Unknown activation function 'nope'"):
        Activation("nope")


def test_flatten():
    check_layer_gradients(Flatten(dtype="float64"), rng.standard_normal((2, 3, 2)))
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(Flatten()(x).numpy(), x.reshape(2, 12))
    assert Flatten()(np.ones(3)).shape == (3, 1)
    np.testing.assert_array_equal(Flatten(data_format="channels_first")(x).numpy(),
                                  x.transpose(0, 2, 1).reshape(2, 12))
    assert Flatten().compute_output_shape((None, 3, 4)) == (None, 12)
    assert Flatten().compute_output_shape((None, None, 4)) == (None, None)
    assert Flatten().compute_output_shape((None,)) == (None, 1)
    with pytest.raises(ValueError, match="data_format"):
        Flatten(data_format="channels_middle")


def test_flatten_matches_keras():
    keras = keras_or_skip()
    x = rng.standard_normal((2, 3, 4, 2)).astype("float32")
    for fmt in ["channels_last", "channels_first"]:
        expected = keras.ops.convert_to_numpy(keras.layers.Flatten(data_format=fmt)(x))
        np.testing.assert_array_equal(Flatten(data_format=fmt)(x).numpy(), expected)


def test_reshape():
    check_layer_gradients(Reshape((3, 2), dtype="float64"), rng.standard_normal((2, 6)))
    x = np.arange(24.0).reshape(2, 12)
    assert Reshape((3, 4))(x).shape == (2, 3, 4)
    np.testing.assert_array_equal(Reshape((-1, 2, 2))(x).numpy(), x.reshape(2, 3, 2, 2))
    assert Reshape(12)(x.reshape(2, 3, 4)).shape == (2, 12)
    assert Reshape((-1, 2)).compute_output_shape((None, 12)) == (None, 6, 2)
    assert Reshape((3, 4)).compute_output_shape((None, 12)) == (None, 3, 4)
    assert Reshape((-1, 4)).compute_output_shape((None, None)) == (None, None, 4)


def test_reshape_errors():
    with pytest.raises(ValueError, match=r"at most one unknown dimension \(-1\).*\(-1, -1\)"):
        Reshape((-1, -1))
    with pytest.raises(ValueError, match=r"target_shape.*Received: target_shape=\(0, 3\)"):
        Reshape((0, 3))
    layer = Reshape((5, 2), name="to_pairs")
    with pytest.raises(ValueError, match=r'"to_pairs": the total size of the input sample shape \(12,\) '
                                         r"\(12 values\) does not match target_shape=\(5, 2\)"):
        layer(np.ones((2, 12)))
    with pytest.raises(ValueError, match="does not match target_shape=\\(-1, 5\\)"):
        Reshape((-1, 5))(np.ones((2, 12)))


# -- Dropout -------------------------------------------------------------------------------

def test_dropout_is_the_identity_at_inference():
    x = Tensor(rng.standard_normal((3, 4)).astype("float32"))
    layer = Dropout(0.5)
    assert layer(x) is x
    assert layer(x, training=False) is x
    assert Dropout(0.0)(x, training=True) is x


def test_dropout_drops_a_fraction_and_rescales():
    teachnet.random.set_seed(1)
    x = np.ones((200, 100), dtype="float32")
    out = Dropout(0.3)(x, training=True).numpy()
    kept = out != 0
    assert abs(1 - kept.mean() - 0.3) < 0.01
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert abs(out.mean() - 1) < 0.02  # expected value preserved
    assert out.dtype == np.float32


def test_dropout_gradient_with_a_fixed_mask():
    layer = Dropout(0.4, dtype="float64")
    x = rng.standard_normal((3, 5))

    def f(t):
        teachnet.random.set_seed(3)  # the same mask at every evaluation
        return layer(t, training=True)
    check_gradients(f, x)
    teachnet.random.set_seed(3)
    mask = layer(np.ones((3, 5)), training=True).numpy() != 0
    with GradientTape() as tape:
        t = ops.convert_to_tensor(x)
        tape.watch(t)
        teachnet.random.set_seed(3)
        y = ops.sum(layer(t, training=True))
    np.testing.assert_allclose(tape.gradient(y, t).numpy(), mask / 0.6)


def test_dropout_noise_shape_and_seed():
    x = np.ones((2, 6, 4))
    out = Dropout(0.5, noise_shape=(None, 1, 4), seed=7)(x, training=True).numpy()
    assert (out == out[:, :1, :]).all()  # the same features dropped at every step
    a = Dropout(0.5, seed=11)(x, training=True).numpy()
    b = Dropout(0.5, seed=11)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)
    layer = Dropout(0.5, seed=11)
    first, second = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert (first != second).any()  # the seeded generator moves on between calls
    teachnet.utils.set_random_seed(5)
    c = Dropout(0.5)(x, training=True).numpy()
    teachnet.utils.set_random_seed(5)
    np.testing.assert_array_equal(c, Dropout(0.5)(x, training=True).numpy())
    assert Dropout(0.5).compute_output_shape((None, 3)) == (None, 3)


@pytest.mark.parametrize("rate", [1.0, 1, -0.1, 1.5, "0.5", None])
def test_dropout_rejects_bad_rates(rate):
    with pytest.raises(ValueError, match=f"argument `rate`. Expected a float value in \\[0, 1\\). Received: rate={rate}"):
        Dropout(rate)


def test_dropout_noise_shape_errors():
    with pytest.raises(ValueError, match=r"noise_shape.*index 1: 0"):
        Dropout(0.5, noise_shape=(None, 0))
    with pytest.raises(ValueError, match=r'"drop".*noise_shape=\(None, 1\) must have the rank of the input.*\(2, 3, 4\)'):
        Dropout(0.5, noise_shape=(None, 1), name="drop")(np.ones((2, 3, 4)), training=True)


# -- Lambda --------------------------------------------------------------------------------

def test_lambda():
    layer = Lambda(lambda x: ops.square(x) * 3, dtype="float64")
    check_layer_gradients(layer, rng.standard_normal((2, 3)))
    np.testing.assert_allclose(Lambda(lambda x: x ** 2)(np.array([[1.0, 2.0]])).numpy(), [[1, 4]])
    scaled = Lambda(lambda x, factor: x * factor, arguments={"factor": 4.0})
    assert scaled(np.ones((1, 2))).numpy().tolist() == [[4, 4]]
    assert layer.compute_output_shape((None, 3)) == (None, 3)
    first = Lambda(lambda x: x[:, :1])
    assert first.compute_output_shape((None, 5)) == (None, 1)
    assert Lambda(lambda x: x, output_shape=(7,)).compute_output_shape((None, 3)) == (None, 7)
    assert Lambda(lambda x: x, output_shape=lambda s: s[:1] + (2,)).compute_output_shape((None, 3)) == (None, 2)
    pair = Lambda(lambda xs: ops.concatenate(xs, axis=-1))
    assert pair.compute_output_shape([(None, 2), (None, 3)]) == (None, 5)
    assert pair([np.ones((1, 2)), np.ones((1, 3))]).shape == (1, 5)
    with pytest.raises(TypeError, match="`function` must be callable. Received: function=3"):
        Lambda(3)


def test_layers_are_exported():
    for name in ["Dense", "Activation", "Flatten", "Reshape", "Dropout", "Lambda"]:
        assert getattr(teachnet.layers, name).__module__ == "teachnet.layers.core"


def test_utils_clear_session_and_seed():
    teachnet.utils.clear_session()
    assert Dense(2).name == "dense" and Dense(2).name == "dense_1"
    teachnet.utils.clear_session()
    assert Dense(2).name == "dense"
    teachnet.utils.set_random_seed(0)
    a = Dense(3)(np.ones((1, 2))).numpy()
    teachnet.utils.set_random_seed(0)
    np.testing.assert_array_equal(a, Dense(3)(np.ones((1, 2))).numpy())


def test_dense_constraints_are_applied_by_the_optimizer():
    layer = Dense(2, kernel_initializer="ones", kernel_constraint=lambda w: ops.clip(w, 0.0, 0.5))
    layer(np.ones((1, 3)))
    with GradientTape() as tape:
        loss = ops.sum(layer(np.ones((1, 3))))
    weights = layer.trainable_weights
    teachnet.optimizers.SGD(learning_rate=0.1).apply_gradients(zip(tape.gradient(loss, weights), weights))
    np.testing.assert_allclose(layer.kernel.numpy(), 0.5)
    with pytest.raises(TypeError, match="`kernel_constraint` must be a callable weight -> weight. Received: kernel_constraint='non_neg'"):
        Dense(2, kernel_constraint="non_neg")
