"""Issue 14 item 2: the layer contract (`__init__` -> `build` -> `call`), taught
by its errors. Where Keras 3 accepts a spelling, teachnet computes what Keras
computes; where it refuses, teachnet says what was expected, what it received
and what to do."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import layers, ops

X = np.arange(6, dtype="float32").reshape(2, 3) / 6


# -- forgetting super().__init__(**kwargs) ----------------------------------------------------------------
class NoSuperLayer(layers.Layer):
    def __init__(self, units):
        self.units = units  # no super().__init__(): nothing of Layer is set up

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, x):
        return ops.matmul(x, self.w)


class NoSuperModel(teachnet.Model):
    def __init__(self):
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x)


def test_a_layer_without_super_init_says_to_add_it():
    layer = NoSuperLayer(2)
    with pytest.raises(RuntimeError, match=r"In layer class NoSuperLayer, you forgot to call "
                                           r"`super\(\)\.__init__\(\*\*kwargs\)`.*Received: an object without the "
                                           r"attribute `\w+`.*Add `super\(\)\.__init__\(\*\*kwargs\)`"):
        layer(X)


def test_a_model_without_super_init_says_to_add_it():
    model = NoSuperModel()
    with pytest.raises(RuntimeError, match=r"In model class NoSuperModel, you forgot to call "
                                           r"`super\(\)\.__init__\(\*\*kwargs\)`"):
        model(X)
    with pytest.raises(RuntimeError, match="you forgot to call `super"):
        model.compile(optimizer="sgd", loss="mse")


def test_a_missing_attribute_is_still_an_attribute_error():
    layer = layers.Dense(2)
    with pytest.raises(AttributeError, match="'Dense' object has no attribute 'kernal'"):
        layer.kernal
    assert not hasattr(layer, "kernal")


# -- call returning None ---------------------------------------------------------------------------------
class ForgotReturn(layers.Layer):
    def call(self, x):
        ops.tanh(x)  # computed, never returned


def test_call_returning_none_called_directly():
    with pytest.raises(ValueError, match=r'Layer "forgot_return\w*" \(ForgotReturn\): `call\(\)` returned None\. '
                                         r"It must return the output tensor\(s\)\. Received: None"):
        ForgotReturn()(X)


def test_call_returning_none_inside_models():
    with pytest.raises(ValueError, match=r"\(ForgotReturn\): `call\(\)` returned None"):
        teachnet.Sequential([layers.Dense(3), ForgotReturn(), layers.Dense(1)])(X)
    with pytest.raises(ValueError, match=r"\(ForgotReturn\): `call\(\)` returned None"):
        ForgotReturn()(teachnet.Input(shape=(3,)))  # building a functional model
    with pytest.raises(ValueError, match=r"`call\(\)` returned None"):  # building runs the layer on zeros
        teachnet.Sequential([teachnet.Input(shape=(3,)), ForgotReturn()])
    model = teachnet.Sequential([layers.Dense(3), ForgotReturn()])  # built by the first batch
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"`call\(\)` returned None"):
        model.fit(X, np.zeros((2, 3)), verbose=0)


# -- add_weight inside call after build -------------------------------------------------------------------
class WeightInCall(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), name="w")

    def call(self, x):
        self.v = self.add_weight(shape=(x.shape[-1],), name="v")  # a new weight every call
        return x * self.w * self.v


def test_add_weight_in_call_after_build_is_refused_as_keras_does():
    layer = WeightInCall(name="wic")
    with pytest.raises(ValueError, match=r'Layer "wic" \(WeightInCall\): add_weight\(\) was called inside `call\(\)` '
                                         r"after the layer was built\. You cannot add new elements of state "
                                         r".*Received: add_weight\(name='v', shape=\(3,\)\) during call\. Create "
                                         r"weights in `build\(input_shape\)`"):
        layer(X)
    assert len(layer.weights) == 1  # the weight made in build is the only one


def test_add_weight_in_build_after_super_build_still_works():
    class LateWeights(layers.Layer):
        def build(self, input_shape):
            super().build(input_shape)  # sets built=True first, as Keras 2 code often does
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.w
    np.testing.assert_allclose(LateWeights()(X).numpy(), X)


# -- build(self) without input_shape (Keras 3 accepts it) ---------------------------------------------------
class ScaleNoShape(layers.Layer):
    def build(self):
        self.w = self.add_weight(shape=(3,), initializer="ones", name="w")

    def call(self, x):
        return x * self.w


def test_build_without_input_shape_is_accepted_everywhere():
    layer = ScaleNoShape()
    np.testing.assert_allclose(layer(X).numpy(), X)
    assert [w.shape for w in layer.weights] == [(3,)]
    model = teachnet.Sequential([teachnet.Input(shape=(3,)), ScaleNoShape()])
    assert model.count_params() == 3
    inputs = teachnet.Input(shape=(3,))
    functional = teachnet.Model(inputs, ScaleNoShape()(inputs))
    np.testing.assert_allclose(functional(X).numpy(), X)


def test_build_without_input_shape_computes_what_keras_computes():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras 3 (torch backend) is needed for parity")
    if keras.backend.backend() != "torch":
        pytest.skip("parity needs KERAS_BACKEND=torch")

    class KerasScale(keras.layers.Layer):
        def build(self):
            self.w = self.add_weight(shape=(3,), initializer="ones")

        def call(self, x):
            return x * self.w

    theirs, ours = KerasScale(), ScaleNoShape()
    theirs(X), ours(X)
    weights = [np.array([0.5, -2.0, 3.0], "float32")]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    np.testing.assert_allclose(ours(X).numpy(), keras.ops.convert_to_numpy(theirs(X)), rtol=1e-6)


# -- shapes given to add_weight ---------------------------------------------------------------------------
def test_add_weight_accepts_an_int_shape():
    class Bias(layers.Layer):
        def build(self, input_shape):
            self.b = self.add_weight(shape=input_shape[-1], initializer="ones", name="b")

        def call(self, x):
            return x + self.b
    layer = Bias()
    np.testing.assert_allclose(layer(X).numpy(), X + 1)
    assert layer.b.shape == (3,)


def test_add_weight_with_none_in_the_shape_names_the_batch_axis():
    class WholeShape(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=input_shape, name="w")  # (None, 3): the batch axis is unknown

        def call(self, x):
            return x * self.w
    inputs = teachnet.Input(shape=(3,))
    with pytest.raises(ValueError, match=r"cannot create weight 'w' with shape \(None, 3\): every size must be "
                                         r"known \(no None\)\. Received: shape=\(None, 3\)\. The None is usually "
                                         r"the batch axis.*shape=\(input_shape\[-1\], units\)"):
        WholeShape(name="whole")(inputs)


def test_add_weight_with_a_shape_that_is_no_tuple_of_ints():
    layer = layers.Layer(name="plain")
    with pytest.raises(TypeError, match=r'"plain": the shape of weight \'w\' must hold ints\. Received: '
                                        r"shape=\(2\.5,\)"):
        layer.add_weight(shape=(2.5,), name="w")
    with pytest.raises(TypeError, match=r"must be a tuple of ints.*Received: shape='3'"):
        layer.add_weight(shape="3", name="w")


# -- computing through numpy: the tape loses the path -------------------------------------------------------
class NumpyDot(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2), name="kernel")

    def call(self, x):
        return np.dot(x, self.kernel)  # numpy: works, but the tape never sees it


class NumpyTanh(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2), name="kernel")

    def call(self, x):
        return np.tanh(ops.matmul(x, self.kernel))


class RewrappedNumpy(layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2), name="kernel")

    def call(self, x):
        return ops.convert_to_tensor(np.tanh(ops.matmul(x, self.kernel).numpy()))


def test_numpy_in_call_under_a_tape_names_the_weights_without_gradient():
    layer = NumpyDot(name="np_dot")
    layer(X)  # outside a tape numpy computes numbers; no gradient is asked for
    with teachnet.GradientTape():
        with pytest.raises(TypeError, match=r'Layer "np_dot" \(NumpyDot\): `call\(\)` returned a numpy array, so '
                                            r"its weights \['np_dot/kernel'\] would get no gradient\. Numpy "
                                            r"functions .* leave the GradientTape.*Received: an output of type "
                                            r"ndarray.*teachnet\.ops"):
            layer(X)
    layer = RewrappedNumpy(name="rewrapped")
    with teachnet.GradientTape():
        with pytest.raises(TypeError, match=r"returned a Tensor the GradientTape did not record, so its weights "
                                            r"\['rewrapped/kernel'\] would get no gradient"):
            layer(X)


def test_a_numpy_ufunc_in_call_points_to_the_op_of_the_same_name():
    with pytest.raises(TypeError, match=r"np\.tanh was applied to a teachnet Tensor.*teachnet\.ops\.tanh"):
        NumpyTanh()(X)


def test_fit_with_numpy_in_call_says_which_weights_get_no_gradient():
    model = teachnet.Sequential([teachnet.Input(shape=(3,)), layers.Dense(4, name="first"), NumpyDot(name="np_dot")])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TypeError, match=r"\['np_dot/kernel'\] would get no gradient.*leave the GradientTape"):
        model.fit(X, np.zeros((2, 2)), verbose=0)


def test_a_layer_whose_output_skips_frozen_weights_is_fine_under_a_tape():
    layer = NumpyDot()
    layer(X)
    layer.trainable = False  # no trainable weight: nothing to lose
    with teachnet.GradientTape():
        layer(X)


# -- models and input shapes ------------------------------------------------------------------------------
def test_sequential_given_one_layer_instead_of_a_list():
    with pytest.raises(TypeError, match=r'Sequential "\w+" takes a list of layers\. Received: layers=<Dense '
                                        r".*one Dense, not a list\. Write Sequential\(\[layer\]\)"):
        teachnet.Sequential(layers.Dense(3))


def test_input_shape_given_as_an_int():
    with pytest.raises(ValueError, match=r"Dense: `input_shape` must be a tuple.*Received: input_shape=3\. "
                                         r"Write input_shape=\(3,\)"):
        layers.Dense(2, input_shape=3)
    model = teachnet.Sequential([layers.Dense(2, input_shape=(3,))])  # what the message recommends works
    assert model.output_shape == (None, 2)
