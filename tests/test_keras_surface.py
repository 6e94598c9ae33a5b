"""The smaller Keras surface a guide touches: a model's symbolic inputs and
outputs, get_layer on every kind of model, and a user's Metric with
add_weight / add_variable, as Keras's guides write them."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import layers, ops
from tests.helpers import Linear

os.environ["KERAS_BACKEND"] = "torch"


def test_sequential_inputs_and_outputs_make_a_feature_extractor():
    model = teachnet.Sequential([teachnet.Input(shape=(4,)), layers.Dense(3, activation="relu", name="hidden"),
                                 layers.Dense(2, name="top")])
    assert [x.shape for x in model.inputs] == [(None, 4)] and model.input is model.inputs[0]
    assert [x.shape for x in model.outputs] == [(None, 2)] and model.output is model.outputs[0]
    extractor = teachnet.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    hidden, top = extractor(x)
    np.testing.assert_array_equal(top.numpy(), model(x).numpy())
    np.testing.assert_array_equal(hidden.numpy(), model.get_layer("hidden")(x).numpy())


def test_sequential_built_from_data_has_inputs_too_and_unbuilt_says_so():
    model = teachnet.Sequential([layers.Dense(3)])
    with pytest.raises(AttributeError, match="Sequential model '.*' has no defined input yet: start it with "
                                             r"teachnet.Input\(shape=...\), or build it"):
        model.input
    model(np.ones((2, 6), "float32"))
    assert model.input.shape == (None, 6) and model.output.shape == (None, 3)
    model.add(layers.Dense(1))  # a changed stack gets a new graph
    assert model.output.shape == (None, 1)


class Tower(teachnet.Model):
    def __init__(self):
        super().__init__()
        self.first = layers.Dense(3, name="first")
        self.second = Linear(1, name="second")

    def call(self, x):
        return self.second(self.first(x))


@pytest.mark.parametrize("kind", ["sequential", "functional", "subclassed"])
def test_get_layer_by_name_or_index_on_every_kind_of_model(kind):
    if kind == "sequential":
        model = teachnet.Sequential([layers.Dense(3, name="first"), Linear(1, name="second")])
    elif kind == "functional":
        inputs = teachnet.Input(shape=(2,))
        model = teachnet.Model(inputs, Linear(1, name="second")(layers.Dense(3, name="first")(inputs)))
    else:
        model = Tower()
    model(np.ones((1, 2), "float32"))
    assert model.get_layer("second") is model.layers[-1] and model.get_layer(index=-1) is model.layers[-1]
    assert model.get_layer("first") is model.get_layer(index=len(model.layers) - 2)
    with pytest.raises(ValueError, match=r"No such layer: third. Existing layers are: \[.*'first', 'second'\]"):
        model.get_layer("third")
    with pytest.raises(ValueError, match="Provide either a layer name or a layer index"):
        model.get_layer()
    with pytest.raises(ValueError, match=rf"Expected `index` in \[-\d+, \d+\]: model \"{model.name}\" has \d+ layers\. "
                                         r"Received: index=7"):
        model.get_layer(index=7)


class BinaryTruePositives(teachnet.metrics.Metric):
    """Keras's guide "Writing your own metrics", with the import swapped."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "bool")
        y_pred = ops.cast(ops.greater(y_pred, 0.5), "bool")
        values = ops.cast(ops.logical_and(ops.equal(y_true, True), ops.equal(y_pred, True)), self.dtype)
        if sample_weight is not None:
            values = ops.multiply(values, ops.cast(sample_weight, self.dtype))
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives


class CountWithAddWeight(teachnet.metrics.Metric):
    """The older spelling: add_weight with Keras's defaults (a scalar)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = self.add_weight(name="seen", initializer="ones")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.seen.assign_add(float(len(y_true)))

    def result(self):
        return self.seen


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_users_metric_in_fit_matches_keras():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(1).normal(size=(24, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")

    def their_metric():
        class KerasTP(keras.metrics.Metric):
            def __init__(self, name="binary_true_positives", **kwargs):
                super().__init__(name=name, **kwargs)
                self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")

            def update_state(self, y_true, y_pred, sample_weight=None):
                y_true = keras.ops.cast(y_true, "bool")
                y_pred = keras.ops.cast(keras.ops.greater(y_pred, 0.5), "bool")
                values = keras.ops.logical_and(keras.ops.equal(y_true, True), keras.ops.equal(y_pred, True))
                self.true_positives.assign_add(keras.ops.sum(keras.ops.cast(values, self.dtype)))

            def result(self):
                return self.true_positives
        return KerasTP()

    def build(lib, metric):
        model = lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=[metric])
        return model

    theirs, ours = build(keras, their_metric()), build(teachnet, BinaryTruePositives())
    ours.set_weights(theirs.get_weights())
    h_theirs = theirs.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    h_ours = ours.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    assert h_ours["binary_true_positives"] == pytest.approx(h_theirs["binary_true_positives"])
    assert h_ours["loss"] == pytest.approx(h_theirs["loss"], rel=2e-5)


def test_add_weight_initializer_and_reset_to_zeros_as_keras():
    metric = CountWithAddWeight(name="count")
    assert [v.shape for v in metric.variables] == [()] and float(metric.result()) == 1.0  # starts at "ones"
    metric.update_state(np.ones(4), np.ones(4))
    assert float(metric.result()) == 5.0
    metric.reset_state()  # Keras resets every state variable to zeros, whatever its initializer
    assert float(metric.result()) == 0.0


def test_add_variable_before_super_init_says_what_to_do():
    class Forgetful(teachnet.metrics.Metric):
        def __init__(self):
            self.total = self.add_variable((), "zeros", name="total")

    with pytest.raises(RuntimeError, match=r"Forgetful: call `super\(\).__init__\(name=name, \*\*kwargs\)` at the "
                                           "start of `__init__`"):
        Forgetful()
