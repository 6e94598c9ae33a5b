"""Parity with Keras 3 (torch backend) for the layers Keras guides use (issue 13 item 4).

Each layer is built in Keras and in teachnet, Keras's weights are copied with
`set_weights`, and the outputs and the gradients of sum(output * R) with respect to the
input and every weight (R random) are compared to float32 tolerance. Small models made of
the new layers are trained with `fit` on both sides: History and trained weights agree.
Stateful layers are compared over consecutive calls, and get_config against Keras's keys.
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

RNG = np.random.default_rng(11)
RTOL, ATOL = 2e-5, 2e-5


def _list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def compare(make, shape, mask=None, **call_kwargs):
    """Outputs and gradients (input and weights) of `make(keras.layers)` and `make(teachnet.layers)`."""
    keras_layer, teachnet_layer = make(keras.layers), make(layers)
    x = RNG.normal(size=shape).astype("float32")
    x_torch = torch.tensor(x, requires_grad=True)
    keras_mask = None if mask is None else torch.tensor(mask)
    keras_out = _list(keras_layer(x_torch, **({} if mask is None else {"mask": keras_mask}), **call_kwargs))
    teachnet_layer.build(shape)
    teachnet_layer.set_weights(keras_layer.get_weights())

    x_var = Variable(x)
    with GradientTape() as tape:
        tape.watch(x_var)
        out = _list(teachnet_layer(x_var, **({} if mask is None else {"mask": mask}), **call_kwargs))
        weightings = [RNG.normal(size=o.shape).astype("float32") for o in out]
        target = ops.sum(ops.stack([ops.sum(o * w) for o, w in zip(out, weightings)]))
    assert len(out) == len(keras_out)
    for o, k in zip(out, keras_out):
        assert tuple(o.shape) == tuple(k.shape)
        np.testing.assert_allclose(o.numpy(), k.detach().numpy(), rtol=RTOL, atol=ATOL)

    sum(((k * torch.tensor(w)).sum() for k, w in zip(keras_out, weightings))).backward()
    grads = tape.gradient(target, [x_var] + teachnet_layer.trainable_weights)
    keras_grads = [x_torch.grad] + [w.value.grad for w in keras_layer.trainable_weights]
    assert len(grads) == len(keras_grads)
    for g, g_keras in zip(grads, keras_grads):
        np.testing.assert_allclose(g.numpy(), g_keras.numpy(), rtol=1e-4, atol=1e-4)
    return keras_layer, teachnet_layer


SINGLE = [
    ("ReLU", lambda L: L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2), (2, 3, 4)),
    ("LeakyReLU", lambda L: L.LeakyReLU(), (2, 6)),
    ("ELU", lambda L: L.ELU(alpha=0.5), (2, 6)),
    ("Softmax", lambda L: L.Softmax(axis=1), (2, 3, 4)),
    ("Softmax axes", lambda L: L.Softmax(axis=(1, 2)), (2, 3, 4)),
    ("PReLU", lambda L: L.PReLU(alpha_initializer="random_normal"), (2, 3, 4)),
    ("PReLU shared", lambda L: L.PReLU(alpha_initializer="random_normal", shared_axes=[1, 2]), (2, 3, 3, 2)),
    ("UpSampling1D", lambda L: L.UpSampling1D(3), (2, 3, 4)),
    ("UpSampling2D", lambda L: L.UpSampling2D((2, 3)), (2, 3, 4, 2)),
    ("UpSampling2D bilinear", lambda L: L.UpSampling2D(2, interpolation="bilinear"), (2, 3, 4, 2)),
    ("UpSampling2D channels_first", lambda L: L.UpSampling2D((3, 2), data_format="channels_first"), (2, 2, 3, 4)),
    ("ZeroPadding1D", lambda L: L.ZeroPadding1D((1, 2)), (2, 3, 4)),
    ("ZeroPadding2D", lambda L: L.ZeroPadding2D(((1, 2), (0, 3))), (2, 3, 4, 2)),
    ("Cropping1D", lambda L: L.Cropping1D((1, 0)), (2, 4, 3)),
    ("Cropping2D", lambda L: L.Cropping2D(((1, 0), (1, 2))), (2, 4, 5, 2)),
    ("Cropping2D channels_first", lambda L: L.Cropping2D(1, data_format="channels_first"), (2, 3, 4, 5)),
    ("Identity", lambda L: L.Identity(), (2, 3)),
    ("LayerNormalization", lambda L: L.LayerNormalization(gamma_initializer="random_normal",
                                                          beta_initializer="random_normal"), (2, 3, 5)),
    ("LayerNormalization axes", lambda L: L.LayerNormalization(axis=[1, 2], epsilon=1e-5), (2, 3, 5)),
    ("Conv2DTranspose same", lambda L: L.Conv2DTranspose(3, 3, strides=2, padding="same",
                                                         bias_initializer="random_normal"), (2, 5, 4, 2)),
    ("Conv2DTranspose valid", lambda L: L.Conv2DTranspose(3, (2, 3), strides=(2, 1), output_padding=(1, 0),
                                                          activation="relu"), (2, 4, 4, 2)),
    ("Conv2DTranspose dilated", lambda L: L.Conv2DTranspose(2, 3, dilation_rate=2, use_bias=False), (1, 4, 4, 3)),
    ("Conv2DTranspose kernel < strides", lambda L: L.Conv2DTranspose(2, 2, strides=3), (1, 3, 3, 2)),
    ("Conv1DTranspose", lambda L: L.Conv1DTranspose(3, 4, strides=3, activation="tanh"), (2, 5, 2)),
    ("Conv1DTranspose same", lambda L: L.Conv1DTranspose(4, 3, strides=2, padding="same",
                                                         output_padding=1), (2, 5, 3)),
    ("TimeDistributed(Dense)", lambda L: L.TimeDistributed(L.Dense(3, bias_initializer="random_normal")),
     (2, 4, 5)),
    ("TimeDistributed(Conv2D)", lambda L: L.TimeDistributed(L.Conv2D(2, 3)), (2, 3, 5, 5, 1)),
    ("Bidirectional(LSTM) concat", lambda L: L.Bidirectional(L.LSTM(4, return_sequences=True)), (2, 5, 3)),
    ("Bidirectional(GRU) ave", lambda L: L.Bidirectional(L.GRU(4), merge_mode="ave"), (2, 5, 3)),
    ("Bidirectional(SimpleRNN) mul", lambda L: L.Bidirectional(L.SimpleRNN(4, return_sequences=True),
                                                               merge_mode="mul"), (2, 5, 3)),
    ("RNN(SimpleRNNCell)", lambda L: L.RNN(L.SimpleRNNCell(4), return_sequences=True), (2, 5, 3)),
    ("RNN(LSTMCell)", lambda L: L.RNN(L.LSTMCell(4), go_backwards=True), (2, 5, 3)),
    ("RNN(GRUCell)", lambda L: L.RNN(L.GRUCell(4), return_sequences=True), (2, 5, 3)),
]


@pytest.mark.parametrize("name,make,shape", SINGLE, ids=[case[0] for case in SINGLE])
def test_outputs_and_gradients_match_keras(name, make, shape):
    compare(make, shape)


MASK = np.array([[True, True, True, False, False], [False, True, True, True, True]])


@pytest.mark.parametrize("name,make", [
    ("Bidirectional(LSTM) sequences", lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True))),
    ("Bidirectional(GRU) states", lambda L: L.Bidirectional(L.GRU(3, return_state=True), merge_mode=None)),
    ("RNN(GRUCell) sequences", lambda L: L.RNN(L.GRUCell(3), return_sequences=True)),
    ("RNN(LSTMCell) states", lambda L: L.RNN(L.LSTMCell(3), return_state=True, go_backwards=True)),
    ("TimeDistributed(Dense)", lambda L: L.TimeDistributed(L.Dense(2))),
    ("Softmax", lambda L: L.Softmax()),
])
def test_masked_outputs_and_gradients_match_keras(name, make):
    shape = (2, 5) if name == "Softmax" else (2, 5, 3)
    compare(make, shape, mask=MASK)


class MinimalRNNCell:
    """Keras's guide cell, written once per library (`lib` is keras or teachnet)."""

    @staticmethod
    def make(lib):
        class Cell(lib.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units, self.state_size = units, units

            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
                self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")

            def call(self, inputs, states):
                h = lib.ops.matmul(inputs, self.kernel) + lib.ops.matmul(states[0], self.recurrent_kernel)
                return lib.ops.tanh(h), [lib.ops.tanh(h)]
        return Cell


def test_rnn_over_a_users_cell_matches_keras():
    compare(lambda L: L.RNN(MinimalRNNCell.make(keras if L is keras.layers else teachnet)(4),
                            return_sequences=True), (2, 6, 3))


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_stateful_layers_match_keras_over_consecutive_calls_and_reset(kind):
    keras_layer = getattr(keras.layers, kind)(4, stateful=True, return_sequences=True)
    teachnet_layer = getattr(layers, kind)(4, stateful=True, return_sequences=True)
    chunks = [RNG.normal(size=(3, 4, 2)).astype("float32") for _ in range(3)]
    keras_layer.build((3, 4, 2))
    teachnet_layer.build((3, 4, 2))
    teachnet_layer.set_weights(keras_layer.get_weights())
    for i, chunk in enumerate(chunks):
        if i == 2:
            keras_layer.reset_states()
            teachnet_layer.reset_states()
        expected = keras_layer(torch.tensor(chunk)).detach().numpy()
        np.testing.assert_allclose(teachnet_layer(chunk).numpy(), expected, rtol=RTOL, atol=ATOL)


def _fit_both(build, x, y, loss, optimizer, epochs=3, batch_size=4):
    keras_model, teachnet_model = build(keras), build(teachnet)
    teachnet_model.set_weights(keras_model.get_weights())
    keras_model.compile(optimizer=getattr(keras.optimizers, optimizer)(0.01), loss=loss)
    teachnet_model.compile(optimizer=getattr(teachnet.optimizers, optimizer)(0.01), loss=loss)
    keras_history = keras_model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    teachnet_history = teachnet_model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    np.testing.assert_allclose(teachnet_history.history["loss"], keras_history.history["loss"], rtol=1e-4)
    for ours, theirs in zip(teachnet_model.get_weights(), keras_model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-3, atol=1e-5)
    return keras_model, teachnet_model


def test_generator_with_conv_transpose_prelu_and_layer_norm_trains_as_keras():
    def build(lib):
        L = lib.layers
        return lib.Sequential([
            L.Input((3,)), L.Dense(4 * 4 * 2), L.Reshape((4, 4, 2)), L.LayerNormalization(),
            L.Conv2DTranspose(4, 3, strides=2, padding="same"), L.PReLU(alpha_initializer="random_normal"),
            L.UpSampling2D(), L.ZeroPadding2D(1), L.Cropping2D(((2, 0), (1, 1))),
            L.Conv2DTranspose(1, 2, activation="sigmoid"), L.LeakyReLU(),
        ])
    x = RNG.normal(size=(8, 3)).astype("float32")
    y = RNG.random(size=(8, 17, 17, 1)).astype("float32")
    _fit_both(build, x, y, "mse", "Adam")


def test_bidirectional_sequence_tagger_trains_as_keras():
    def build(lib):
        L = lib.layers
        return lib.Sequential([
            L.Input((6, 3)), L.Bidirectional(L.LSTM(5, return_sequences=True)),
            L.TimeDistributed(L.Dense(3)), L.Softmax(), L.Identity(),
        ])
    x = RNG.normal(size=(8, 6, 3)).astype("float32")
    y = RNG.integers(0, 3, size=(8, 6))
    _fit_both(build, x, y, "sparse_categorical_crossentropy", "RMSprop")


def test_rnn_over_cells_and_a_users_cell_trains_as_keras():
    def build(lib):
        L = lib.layers
        return lib.Sequential([
            L.Input((5, 2)), L.RNN(L.GRUCell(4), return_sequences=True), L.ELU(),
            L.RNN(MinimalRNNCell.make(lib)(3)), L.ReLU(max_value=2.0, negative_slope=0.05), L.Dense(1),
        ])
    x = RNG.normal(size=(8, 5, 2)).astype("float32")
    y = RNG.normal(size=(8, 1)).astype("float32")
    _fit_both(build, x, y, "mse", "SGD")


CONFIG_CASES = [
    lambda L: L.ReLU(max_value=6.0, negative_slope=0.1), lambda L: L.LeakyReLU(0.2), lambda L: L.ELU(0.5),
    lambda L: L.Softmax(axis=1), lambda L: L.PReLU(shared_axes=[1, 2]), lambda L: L.UpSampling1D(3),
    lambda L: L.UpSampling2D((2, 3), interpolation="bilinear"), lambda L: L.ZeroPadding1D((1, 2)),
    lambda L: L.ZeroPadding2D(((1, 2), (3, 4))), lambda L: L.Cropping1D(2), lambda L: L.Cropping2D(3),
    lambda L: L.Identity(), lambda L: L.LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False),
]


@pytest.mark.parametrize("make", CONFIG_CASES)
def test_configs_have_keras_keys_and_values(make):
    ours, theirs = make(layers).get_config(), make(keras.layers).get_config()
    assert set(ours) == set(theirs)
    plain = {key for key, value in theirs.items() if key not in ("name", "dtype") and not isinstance(value, dict)}
    assert {key: ours[key] for key in plain} == {key: theirs[key] for key in plain}


def test_conv_transpose_and_recurrent_configs_have_keras_values():
    for make in [lambda L: L.Conv2DTranspose(3, 2, strides=2, output_padding=1, padding="same"),
                 lambda L: L.Conv1DTranspose(3, 2, dilation_rate=2),
                 lambda L: L.LSTM(3, stateful=True, return_sequences=True),
                 lambda L: L.RNN(L.GRUCell(2), go_backwards=True, zero_output_for_mask=True),
                 lambda L: L.Bidirectional(L.GRU(2), merge_mode="sum")]:
        ours, theirs = make(layers).get_config(), make(keras.layers).get_config()
        shared = {key for key in ours if key in theirs and key not in ("name", "dtype")
                  and not isinstance(theirs[key], dict)}
        assert shared and {key: ours[key] for key in shared} == {key: theirs[key] for key in shared}
        assert not {"filters", "output_padding", "stateful", "merge_mode", "go_backwards"} & (set(theirs) - set(ours))
