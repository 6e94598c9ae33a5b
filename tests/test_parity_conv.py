"""Parity with Keras 3 (torch backend) for the convolution and pooling layers.

Each layer test builds the same layer in Keras and teachnet, copies Keras's weights
with `set_weights`, and compares outputs and the gradients of
sum(output * R) with respect to the input and every weight (R random), to
float32 tolerance. Two small models (a convnet, a Conv1D sequence model) are
trained with `fit` on both sides: History, trained weights and predictions agree.

One documented difference: for AveragePooling with padding="same" and an
asymmetric padding (e.g. pool 3, strides 2 on an even length), Keras's torch
backend pads by *repeating* the edge value, while TensorFlow (and teachnet)
leave padded cells out of the mean. Those cases are checked against the
TensorFlow rule in test_pooling.py; here only cases where both rules agree
(symmetric padding, or pool size 2) are compared.
"""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="keras 3 is needed for parity tests (pip install keras torch)")
torch = pytest.importorskip("torch", reason="torch is needed as the keras backend for parity tests")
if keras.backend.backend() != "torch":
    pytest.skip(f"parity tests run keras on the torch backend; this process uses {keras.backend.backend()}",
                allow_module_level=True)

import teachnet  # noqa: E402
from teachnet import GradientTape, Variable, layers, ops  # noqa: E402

RNG = np.random.default_rng(7)
RTOL, ATOL = 2e-5, 2e-5


def compare(keras_layer, teachnet_layer, shape, distinct=False):
    """Outputs and gradients (input and weights) of both layers on the same data."""
    x = (RNG.permutation(np.prod(shape)).reshape(shape) / np.prod(shape) if distinct
         else RNG.normal(size=shape)).astype("float32")
    x_torch = torch.tensor(x, requires_grad=True)
    out_keras = keras_layer(x_torch)
    teachnet_layer.build(shape)
    teachnet_layer.set_weights(keras_layer.get_weights())

    x_var = Variable(x)
    with GradientTape() as tape:
        tape.watch(x_var)
        out = teachnet_layer(x_var)
        weighting = RNG.normal(size=out.shape).astype("float32")
        target = ops.sum(out * weighting)
    assert tuple(out.shape) == tuple(out_keras.shape)
    np.testing.assert_allclose(out.numpy(), out_keras.detach().numpy(), rtol=RTOL, atol=ATOL)

    (out_keras * torch.tensor(weighting)).sum().backward()
    grads = tape.gradient(target, [x_var] + teachnet_layer.trainable_weights)
    keras_grads = [x_torch.grad] + [w.value.grad for w in keras_layer.trainable_weights]
    for g, g_keras in zip(grads, keras_grads):
        np.testing.assert_allclose(g.numpy(), g_keras.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kwargs", [
    {"padding": "valid"},
    {"padding": "same"},
    {"padding": "same", "strides": 2},
    {"padding": "valid", "strides": (2, 3)},
    {"padding": "same", "strides": 3, "kernel_size": (4, 2)},
    {"padding": "valid", "dilation_rate": 2},
    {"padding": "same", "dilation_rate": (2, 1), "activation": "relu"},
    {"use_bias": False, "activation": "tanh"},
])
def test_conv2d_parity(kwargs):
    kwargs = {"filters": 4, "kernel_size": 3, "bias_initializer": "random_normal", **kwargs}
    compare(keras.layers.Conv2D(**kwargs), layers.Conv2D(**kwargs), (2, 9, 8, 3))


@pytest.mark.parametrize("kwargs", [
    {"padding": "valid"},
    {"padding": "same", "strides": 2},
    {"padding": "causal"},
    {"padding": "causal", "dilation_rate": 2},
    {"padding": "same", "dilation_rate": 3, "activation": "relu"},
])
def test_conv1d_parity(kwargs):
    kwargs = {"filters": 5, "kernel_size": 3, "bias_initializer": "random_normal", **kwargs}
    compare(keras.layers.Conv1D(**kwargs), layers.Conv1D(**kwargs), (2, 11, 3))


@pytest.mark.parametrize("name", ["MaxPooling2D", "AveragePooling2D"])
@pytest.mark.parametrize("kwargs", [
    {},
    {"pool_size": 3},
    {"pool_size": 3, "strides": 1},
    {"pool_size": (2, 3), "strides": (1, 2)},
    {"padding": "same"},
    {"pool_size": 3, "strides": 1, "padding": "same"},
    {"pool_size": 2, "strides": 3, "padding": "same"},
])
def test_pooling2d_parity(name, kwargs):
    kwargs = {"pool_size": 2, **kwargs}  # Keras's AveragePooling2D has no default pool_size
    compare(getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs), (2, 7, 8, 3), distinct=True)


def test_max_pooling2d_asymmetric_same_padding_parity():
    # Max is unaffected by how Keras's torch backend pads (edge copies never exceed the max).
    kwargs = {"pool_size": 3, "strides": 2, "padding": "same"}
    compare(keras.layers.MaxPooling2D(**kwargs), layers.MaxPooling2D(**kwargs), (2, 8, 6, 3), distinct=True)


@pytest.mark.parametrize("name", ["MaxPooling1D", "AveragePooling1D"])
@pytest.mark.parametrize("kwargs", [{}, {"pool_size": 3, "strides": 1}, {"padding": "same"},
                                    {"pool_size": 3, "strides": 1, "padding": "same"}])
def test_pooling1d_parity(name, kwargs):
    kwargs = {"pool_size": 2, **kwargs}
    compare(getattr(keras.layers, name)(**kwargs), getattr(layers, name)(**kwargs), (2, 9, 3), distinct=True)


@pytest.mark.parametrize("name,shape", [
    ("GlobalAveragePooling2D", (2, 5, 4, 3)), ("GlobalMaxPooling2D", (2, 5, 4, 3)),
    ("GlobalAveragePooling1D", (2, 6, 3)), ("GlobalMaxPooling1D", (2, 6, 3)),
])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_parity(name, shape, keepdims):
    compare(getattr(keras.layers, name)(keepdims=keepdims), getattr(layers, name)(keepdims=keepdims), shape,
            distinct=True)


def test_small_convnet_predictions_parity():
    """A whole convnet, layer by layer, after copying Keras's weights."""
    def make(lib):
        return [lib.layers.Conv2D(8, 3, activation="relu"), lib.layers.MaxPooling2D(),
                lib.layers.Conv2D(16, 3, padding="same", strides=2, activation="relu"),
                lib.layers.GlobalAveragePooling2D()]
    x = RNG.normal(size=(4, 12, 12, 1)).astype("float32")
    out_keras, out = torch.tensor(x), x
    for keras_layer, layer in zip(make(keras), make(teachnet)):
        out_keras = keras_layer(out_keras)
        layer.build(tuple(out.shape))
        layer.set_weights(keras_layer.get_weights())
        out = layer(out)
    np.testing.assert_allclose(out.numpy(), out_keras.detach().numpy(), rtol=RTOL, atol=ATOL)


def test_small_convnet_fit_parity():
    """Training: History, trained weights and predictions of a small convnet match Keras's fit."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(40, 10, 10, 1)).astype("float32")
    y = (x[:, 2:8, 2:8, 0].mean(axis=(1, 2)) > 0).astype("int64") + (x[:, :5, :, 0].mean(axis=(1, 2)) > 0)

    def build(lib):
        model = lib.Sequential([
            lib.Input(shape=(10, 10, 1)),
            lib.layers.Conv2D(4, 3, activation="relu"),                          # (8, 8, 4)
            lib.layers.MaxPooling2D(),                                           # (4, 4, 4)
            lib.layers.Conv2D(6, 3, padding="same", strides=2, activation="relu"),  # (2, 2, 6)
            lib.layers.AveragePooling2D(2, strides=1, padding="same"),           # (2, 2, 6)
            lib.layers.Flatten(),
            lib.layers.Dense(3, activation="softmax"),
        ])
        model.compile(optimizer=lib.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model
    theirs, ours = build(keras), build(teachnet)
    ours.set_weights(theirs.get_weights())
    fit = dict(epochs=3, batch_size=16, shuffle=False, verbose=0, validation_split=0.25)  # partial batches
    history, keras_history = ours.fit(x, y, **fit), theirs.fit(x, y, **fit)
    assert list(history.history) == list(keras_history.history)
    for key, values in keras_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=2e-4, atol=2e-5, err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=2e-4, atol=2e-5)


def test_conv1d_sequence_model_fit_parity():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(32, 12, 2)).astype("float32")
    y = x[:, -4:, :1].sum(axis=1)  # (32, 1) regression target from the last steps

    def build(lib):
        model = lib.Sequential([
            lib.Input(shape=(12, 2)),
            lib.layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="tanh"),
            lib.layers.MaxPooling1D(2),
            lib.layers.Conv1D(3, 2, strides=2, padding="same"),
            lib.layers.GlobalAveragePooling1D(),
            lib.layers.Dense(1),
        ])
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss="mse", metrics=["mae"])
        return model
    theirs, ours = build(keras), build(teachnet)
    ours.set_weights(theirs.get_weights())
    fit = dict(epochs=3, batch_size=10, shuffle=False, verbose=0)
    history, keras_history = ours.fit(x, y, **fit), theirs.fit(x, y, **fit)
    for key, values in keras_history.history.items():
        np.testing.assert_allclose(history.history[key], values, rtol=2e-4, atol=2e-5, err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5)
