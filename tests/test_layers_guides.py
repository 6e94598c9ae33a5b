"""The layers Keras guides use (issue 13 item 4), without Keras: gradients against central
differences in float64, shapes against compute_output_shape, stateful recurrent layers,
RNN over a learner's own cell, and the exact errors for bad input.

Parity with Keras 3 (outputs, gradients, trained weights) is in test_parity_layers_guides.py.
"""
import numpy as np
import pytest

import teachnet
from teachnet import GradientTape, Variable, layers, ops
from teachnet.ops.conv import conv_transpose_plain
from tests.gradcheck import check_gradients, check_layer_gradients

RNG = np.random.default_rng(3)


def data(*shape):
    return RNG.normal(size=shape)


# -- gradient checks: inputs and every trainable weight, float64 ----------------------------------

GRADIENT_CASES = [
    ("ReLU", lambda: layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.3, dtype="float64"), (2, 3, 4)),
    ("LeakyReLU", lambda: layers.LeakyReLU(negative_slope=0.2, dtype="float64"), (2, 5)),
    ("ELU", lambda: layers.ELU(alpha=0.7, dtype="float64"), (2, 5)),
    ("Softmax", lambda: layers.Softmax(axis=1, dtype="float64"), (2, 3, 4)),
    ("Softmax axes", lambda: layers.Softmax(axis=(1, 2), dtype="float64"), (2, 3, 4)),
    ("PReLU", lambda: layers.PReLU(alpha_initializer="random_normal", dtype="float64"), (2, 3, 4)),
    ("PReLU shared", lambda: layers.PReLU(alpha_initializer="random_normal", shared_axes=[1, 2],
                                          dtype="float64"), (2, 3, 3, 2)),
    ("UpSampling1D", lambda: layers.UpSampling1D(3, dtype="float64"), (2, 3, 2)),
    ("UpSampling2D", lambda: layers.UpSampling2D((2, 3), dtype="float64"), (1, 2, 3, 2)),
    ("UpSampling2D bilinear", lambda: layers.UpSampling2D(2, interpolation="bilinear", dtype="float64"),
     (1, 3, 2, 2)),
    ("ZeroPadding1D", lambda: layers.ZeroPadding1D((1, 2), dtype="float64"), (2, 3, 2)),
    ("ZeroPadding2D", lambda: layers.ZeroPadding2D(((1, 0), (2, 1)), dtype="float64"), (1, 2, 3, 2)),
    ("Cropping1D", lambda: layers.Cropping1D((1, 2), dtype="float64"), (2, 5, 2)),
    ("Cropping2D", lambda: layers.Cropping2D(((1, 0), (0, 2)), dtype="float64"), (1, 3, 4, 2)),
    ("Identity", lambda: layers.Identity(dtype="float64"), (2, 3)),
    ("LayerNormalization", lambda: layers.LayerNormalization(gamma_initializer="random_normal",
                                                             beta_initializer="random_normal",
                                                             dtype="float64"), (3, 4)),
    ("LayerNormalization axes", lambda: layers.LayerNormalization(axis=[1, 2], gamma_initializer="random_normal",
                                                                  dtype="float64"), (2, 3, 2)),
    ("Conv2DTranspose", lambda: layers.Conv2DTranspose(2, 3, strides=2, padding="same",
                                                       bias_initializer="random_normal", dtype="float64"),
     (1, 3, 2, 2)),
    ("Conv2DTranspose valid", lambda: layers.Conv2DTranspose(2, (2, 3), strides=(1, 2), output_padding=(0, 1),
                                                             dtype="float64"), (1, 2, 3, 2)),
    ("Conv1DTranspose", lambda: layers.Conv1DTranspose(3, 3, strides=2, activation="tanh",
                                                       bias_initializer="random_normal", dtype="float64"),
     (2, 4, 2)),
    ("Conv1DTranspose dilated", lambda: layers.Conv1DTranspose(2, 2, dilation_rate=2, padding="same",
                                                               dtype="float64"), (2, 4, 2)),
    ("TimeDistributed(Dense)", lambda: layers.TimeDistributed(layers.Dense(3, dtype="float64"), dtype="float64"),
     (2, 3, 4)),
    ("TimeDistributed(Conv2D)", lambda: layers.TimeDistributed(layers.Conv2D(2, 2, dtype="float64"),
                                                               dtype="float64"), (1, 2, 3, 3, 1)),
    ("Bidirectional(LSTM)", lambda: layers.Bidirectional(layers.LSTM(3, return_sequences=True, dtype="float64"),
                                                         dtype="float64"), (2, 4, 2)),
    ("Bidirectional(GRU) sum", lambda: layers.Bidirectional(layers.GRU(3, dtype="float64"), merge_mode="sum",
                                                            dtype="float64"), (2, 3, 2)),
    ("RNN(SimpleRNNCell)", lambda: layers.RNN(layers.SimpleRNNCell(3, dtype="float64"), return_sequences=True,
                                              dtype="float64"), (2, 4, 2)),
    ("RNN(LSTMCell)", lambda: layers.RNN(layers.LSTMCell(2, dtype="float64"), go_backwards=True,
                                         dtype="float64"), (2, 3, 2)),
    ("RNN(GRUCell)", lambda: layers.RNN(layers.GRUCell(2, dtype="float64"), dtype="float64"), (2, 3, 2)),
]


@pytest.mark.parametrize("name,make,shape", GRADIENT_CASES, ids=[case[0] for case in GRADIENT_CASES])
def test_gradients_match_central_differences(name, make, shape):
    layer = make()
    x = data(*shape)
    if name == "ReLU":  # keep inputs away from the kinks at threshold and max_value
        x = np.where(np.abs(x - 0.3) < 0.05, 0.5, x)
        x = np.where(np.abs(x - 1.0) < 0.05, 0.5, x)
    check_layer_gradients(layer, x)


def test_layer_gradients_with_a_mask():
    mask = np.array([[True, True, False, False], [False, True, True, True]])
    check_layer_gradients(layers.RNN(layers.GRUCell(2, dtype="float64"), return_sequences=True, dtype="float64"),
                          data(2, 4, 2), mask=mask)
    check_layer_gradients(layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True, dtype="float64"),
                                               dtype="float64"), data(2, 4, 2), mask=mask)
    check_layer_gradients(layers.Softmax(dtype="float64"), data(2, 4), mask=mask)


@pytest.mark.parametrize("kwargs", [
    {"strides": 1, "padding": "valid"},
    {"strides": 2, "padding": "valid"},
    {"strides": 3, "padding": "same"},
    {"strides": 2, "padding": "same", "output_padding": 1},
    {"strides": 1, "padding": "same", "dilation_rate": 2},
])
def test_conv_transpose_op_gradients(kwargs):
    for op in (ops.conv_transpose, conv_transpose_plain):
        check_gradients(lambda x, k: op(x, k, **kwargs), data(2, 3, 2), data(3, 2, 2))
        check_gradients(lambda x, k: op(x, k, **kwargs), data(1, 2, 3, 2), data(2, 3, 1, 2))


@pytest.mark.parametrize("kwargs", [
    {"strides": 2, "padding": "valid"},
    {"strides": 2, "padding": "same"},
    {"strides": 3, "padding": "same", "output_padding": 2},
    {"strides": (2, 1), "padding": "valid", "output_padding": (1, 0)},
    {"strides": 1, "padding": "same", "dilation_rate": (2, 1)},
    {"strides": 3, "padding": "valid"},   # kernel smaller than the stride: gaps between the copies
])
def test_conv_transpose_direct_op_equals_the_plain_definition(kwargs):
    """The fast op (col2im forward, im2col backward) against the composed one: values and gradients."""
    x, kernel = Variable(data(2, 4, 3, 3), dtype="float64"), Variable(data(2, 3, 4, 3), dtype="float64")
    weighting = None
    results = []
    for op in (ops.conv_transpose, conv_transpose_plain):
        with GradientTape() as tape:
            out = op(x, kernel, **kwargs)
            weighting = data(*out.shape) if weighting is None else weighting
            target = ops.sum(out * weighting)
        results.append([out.numpy()] + [g.numpy() for g in tape.gradient(target, [x, kernel])])
    for direct, plain in zip(*results):
        np.testing.assert_allclose(direct, plain, rtol=1e-10, atol=1e-12)


def test_conv_transpose_is_the_input_gradient_of_conv():
    """The definition: <conv(y, k), x> = <y, conv_transpose(x, k)> for every x, y (the adjoint)."""
    for strides, padding in [(1, "valid"), (2, "valid"), (2, "same"), (3, "same")]:
        x, kernel = data(2, 3, 4, 3), data(3, 3, 2, 3)   # kernel (kh, kw, in=2, filters=3) for conv
        y_shape = (2,) + tuple(teachnet.ops.conv_transpose(x, kernel, strides=strides,
                                                            padding=padding).shape[1:])
        y = data(*y_shape)
        forward = ops.conv(y, kernel, strides=strides, padding=padding).numpy()   # (2, 3, 4, 3)
        transposed = ops.conv_transpose(x, kernel, strides=strides, padding=padding).numpy()
        np.testing.assert_allclose(np.sum(forward * x), np.sum(y * transposed), rtol=1e-10)


def test_conv_transpose_pastes_the_kernel_strides_apart():
    x = np.zeros((1, 2, 1)); x[0, 1, 0] = 2.0       # one input value, at step 1
    kernel = np.arange(1.0, 4.0).reshape(3, 1, 1)     # [1, 2, 3]
    out = ops.conv_transpose(x, kernel, strides=2).numpy()[0, :, 0]
    np.testing.assert_array_equal(out, [0, 0, 2, 4, 6])   # 2 * kernel, starting at 1 * stride


# -- shapes: compute_output_shape agrees with what call returns ------------------------------------

SHAPE_CASES = [(make, shape) for name, make, shape in GRADIENT_CASES] + [
    (lambda: layers.Bidirectional(layers.LSTM(3, return_state=True, return_sequences=True), merge_mode=None),
     (2, 4, 2)),
    (lambda: layers.RNN(layers.LSTMCell(3), return_state=True), (2, 4, 2)),
    (lambda: layers.Conv2DTranspose(4, 5, strides=3, padding="valid"), (2, 4, 3, 2)),
    (lambda: layers.Conv2DTranspose(4, 2, strides=3, padding="valid"), (2, 4, 3, 2)),
]


@pytest.mark.parametrize("make,shape", SHAPE_CASES)
def test_compute_output_shape_matches_call(make, shape):
    layer = make()
    out = layer(data(*shape).astype(layer.dtype))
    expected = layer.compute_output_shape(shape)
    outs = out if isinstance(out, (list, tuple)) else [out]
    shapes = expected if isinstance(expected, list) else [expected]
    assert [tuple(o.shape) for o in outs] == [tuple(s) for s in shapes]
    symbolic = layer.compute_output_shape((None,) + tuple(shape[1:]))
    first = symbolic[0] if isinstance(symbolic, list) else symbolic
    assert first[0] is None


def test_new_layers_in_functional_and_sequential_models():
    inputs = teachnet.Input((6, 3))
    x = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(inputs)
    x = layers.TimeDistributed(layers.Dense(2))(x)
    x = layers.LayerNormalization()(x)
    x = layers.RNN(layers.GRUCell(3))(x)
    outputs = layers.Softmax()(layers.PReLU()(x))
    model = teachnet.Model(inputs, outputs)
    assert model.predict(data(5, 6, 3).astype("float32"), verbose=0).shape == (5, 3)

    generator = teachnet.Sequential([
        teachnet.Input((4,)), layers.Dense(7 * 7 * 4), layers.LeakyReLU(0.2), layers.Reshape((7, 7, 4)),
        layers.Conv2DTranspose(8, 4, strides=2, padding="same"), layers.ReLU(),
        layers.UpSampling2D(), layers.ZeroPadding2D(1), layers.Cropping2D(1),
        layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
    ])
    assert generator(np.zeros((2, 4))).shape == (2, 28, 28, 1)
    generator.compile(optimizer="adam", loss="mse")
    history = generator.fit(data(8, 4), RNG.random((8, 28, 28, 1)), epochs=2, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 2


# -- RNN over a learner's own cell ---------------------------------------------------------------

class MinimalRNNCell(layers.Layer):
    """The cell from Keras's RNN guide: h_t = x_t @ kernel + h_{t-1} @ recurrent_kernel."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units, self.state_size = units, units

    def build(self, input_shape):
        self.kernel = self.add_weight((input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight((self.units, self.units), name="recurrent_kernel")

    def call(self, inputs, states):
        h = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
        return h, [h]


def test_rnn_runs_a_users_cell_step_by_step():
    cell = MinimalRNNCell(3, dtype="float64")
    layer = layers.RNN(cell, return_sequences=True, dtype="float64")
    x = data(2, 4, 5)
    out = layer(x).numpy()
    kernel, recurrent = cell.kernel.numpy(), cell.recurrent_kernel.numpy()
    h = np.zeros((2, 3))
    for t in range(4):
        h = x[:, t] @ kernel + h @ recurrent
        np.testing.assert_allclose(out[:, t], h, rtol=1e-12)
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel"]
    check_layer_gradients(layers.RNN(MinimalRNNCell(2, dtype="float64"), dtype="float64"), data(2, 3, 2))


def test_rnn_runs_a_plain_object_cell_with_several_states():
    class Accumulator:  # not a Layer: state_size and call are all RNN needs
        state_size = [2, 2]
        output_size = 2

        def call(self, inputs, states):
            total, count = states
            return total + inputs, [total + inputs, count + 1.0]

    out, total, count = layers.RNN(Accumulator(), return_state=True)(np.ones((3, 4, 2)))
    np.testing.assert_array_equal(total.numpy(), np.full((3, 2), 4.0))
    np.testing.assert_array_equal(count.numpy(), np.full((3, 2), 4.0))


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_rnn_of_a_cell_equals_the_fused_layer(kind):
    fused = getattr(layers, kind)(3, return_sequences=True, return_state=True)
    x = data(2, 5, 4).astype("float32")
    mask = np.array([[True] * 5, [True, True, True, False, False]])
    expected = fused(x, mask=mask)
    stepwise = layers.RNN(getattr(layers, kind + "Cell")(3), return_sequences=True, return_state=True)
    stepwise.build(x.shape)
    stepwise.set_weights(fused.get_weights())
    for a, b in zip(stepwise(x, mask=mask), expected):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


# -- stateful recurrent layers -------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: layers.SimpleRNN(3, stateful=True), lambda: layers.LSTM(3, stateful=True),
                                  lambda: layers.GRU(3, stateful=True),
                                  lambda: layers.RNN(layers.LSTMCell(3), stateful=True)])
def test_stateful_layer_continues_where_the_last_call_stopped(make):
    whole = make()
    x = data(2, 6, 4).astype("float32")
    stateless = type(whole)(whole.cell, return_sequences=True) if isinstance(whole, layers.RNN) else \
        type(whole)(3, return_sequences=True)
    whole(x[:, :3])
    stateless.build(x.shape)
    stateless.set_weights(whole.get_weights())
    second_half = whole(x[:, 3:]).numpy()
    np.testing.assert_allclose(second_half, stateless(x).numpy()[:, -1], rtol=1e-5, atol=1e-6)
    assert whole.get_weights() and len(whole.get_weights()) == len(stateless.get_weights())  # states are not weights

    whole.reset_states()
    np.testing.assert_allclose(whole(x[:, 3:]).numpy(), stateless(x[:, 3:]).numpy()[:, -1], rtol=1e-5, atol=1e-6)


def test_stateful_layer_refuses_a_changing_batch_size():
    layer = layers.LSTM(3, stateful=True, name="stateful_lstm")
    layer(np.zeros((4, 5, 2)))
    with pytest.raises(ValueError) as error:
        layer(np.zeros((3, 5, 2)))
    message = str(error.value)
    assert 'Layer "stateful_lstm" is stateful' in message
    assert "Expected batch size: 4" in message and "Received batch size: 3" in message
    layer.reset_states(batch_size=3)  # starting over with another size is allowed
    assert layer(np.zeros((3, 5, 2))).shape == (3, 3)


def test_stateful_states_are_not_trained_and_fit_runs():
    model = teachnet.Sequential([teachnet.Input((5, 2)), layers.GRU(4, stateful=True), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(data(8, 5, 2), data(8, 1), batch_size=4, epochs=2, shuffle=False, verbose=0)
    gru = model.layers[0]
    assert gru.states[0].shape == (4, 4) and np.abs(gru.states[0]).sum() > 0
    gru.reset_states()
    assert np.abs(gru.states[0]).sum() == 0


# -- configs ---------------------------------------------------------------------------------------

def test_configs_hold_keras_keys():
    assert layers.LeakyReLU(0.1).get_config()["negative_slope"] == 0.1
    assert layers.ReLU(6.0).get_config()["max_value"] == 6.0
    assert layers.Conv2DTranspose(3, 2, output_padding=1, strides=2).get_config()["output_padding"] == (1, 1)
    assert layers.ZeroPadding2D(2).get_config()["padding"] == ((2, 2), (2, 2))
    assert layers.Cropping1D(3).get_config()["cropping"] == (3, 3)
    assert layers.UpSampling2D(3).get_config()["size"] == (3, 3)
    lstm = layers.LSTM(3, stateful=True)
    assert lstm.get_config()["stateful"] is True
    bidirectional = layers.Bidirectional(layers.GRU(2, name="gru"), merge_mode="ave").get_config()
    assert bidirectional["merge_mode"] == "ave"
    assert bidirectional["layer"].get_config()["name"] == "forward_gru"
    assert bidirectional["backward_layer"].get_config()["go_backwards"] is True
    assert isinstance(layers.TimeDistributed(layers.Dense(2)).get_config()["layer"], layers.Dense)
    cell = layers.GRUCell(2)
    assert layers.RNN(cell, stateful=True).get_config()["cell"] is cell


def test_bidirectional_copies_and_names_its_layers():
    lstm = layers.LSTM(2, name="encoder")
    wrapper = layers.Bidirectional(lstm, weights=[np.ones((3, 8)), np.ones((2, 8)), np.ones(8)] * 2)
    wrapper(np.zeros((1, 4, 3)))
    assert (wrapper.forward_layer.name, wrapper.backward_layer.name) == ("forward_encoder", "backward_encoder")
    assert not lstm.built and wrapper.backward_layer.go_backwards and not wrapper.forward_layer.go_backwards
    assert len(wrapper.weights) == 6 and all(np.all(w == 1) for w in wrapper.get_weights())


# -- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("make,error,match", [
    (lambda: layers.ReLU(max_value=-1.0), ValueError, r"max_value of a ReLU layer cannot be a negative value\. "
                                                      r"Received: max_value=-1\.0"),
    (lambda: layers.LeakyReLU(negative_slope=-0.1), ValueError, r"Received: negative_slope=-0\.1"),
    (lambda: layers.UpSampling1D(0), ValueError, r"`size` should be a positive integer\. Received: size=0"),
    (lambda: layers.UpSampling1D(1.5), TypeError, r"expected an integer value for `size`\. Received: size=1\.5"),
    (lambda: layers.UpSampling2D(interpolation="bicubic"), ValueError,
     r"interpolation=\"nearest\" and \"bilinear\"\. Received: interpolation='bicubic'"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), ValueError, r"Received: padding=\(1, 2, 3\)"),
    (lambda: layers.Cropping1D(-1), ValueError, r"non-negative integer.*Received: cropping=-1"),
    (lambda: layers.Conv2DTranspose(3, 3, strides=2, output_padding=2), ValueError,
     r"`output_padding` must be strictly less than `strides`.*At dimension 0, `output_padding` is 2 but "
     r"`strides` is 2"),
    (lambda: layers.Conv1DTranspose(3, 3, padding="causal"), ValueError, r'one of "valid", "same"'),
    (lambda: layers.Bidirectional(layers.LSTM(2), merge_mode="max"), ValueError,
     r"Invalid merge mode\. Received: 'max'"),
    (lambda: layers.Bidirectional("lstm"), ValueError, r"`teachnet\.layers\.Layer` instance\. Received: layer='lstm'"),
    (lambda: layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2)), ValueError,
     r"different `go_backwards` value"),
    (lambda: layers.TimeDistributed(np.mean), ValueError, r"`TimeDistributed` layer with a"),
    (lambda: layers.RNN(object()), ValueError, r"Argument `cell` should have a `call` method"),
    (lambda: layers.RNN([layers.LSTMCell(2), layers.LSTMCell(2)]), ValueError, r"StackedRNNCells"),
    (lambda: layers.LayerNormalization(axis="last"), TypeError, r"Expected an int or a list/tuple of ints"),
    (lambda: layers.SimpleRNN(2, unroll=True), ValueError, r"`unroll=True` is not supported by teachnet"),
])
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("layer,shape,match", [
    (layers.Cropping1D((2, 3), name="crop"), (2, 5, 1), r'Layer "crop": the values in `cropping` must add up to '
                                                        r"less than.*input_shape=\(2, 5, 1\), cropping=\(2, 3\)"),
    (layers.Cropping2D(((1, 1), (2, 2)), name="crop2d"), (1, 4, 4, 1), r'Layer "crop2d"'),
    (layers.TimeDistributed(layers.Dense(2), name="td"), (4, 3), r'Layer "td": `TimeDistributed` Layer should be '
                                                                 r"passed an `input_shape` with at least 3 dim"),
    (layers.UpSampling2D(name="up"), (2, 3, 3), r'Input of layer "up" is incompatible with the layer: expected '
                                               r"ndim=4"),
    (layers.RNN(layers.GRUCell(2), name="rnn"), (2, 3), r'Layer "rnn" expects sequences of shape \(batch, time, '
                                                        r"features\)"),
    (layers.LayerNormalization(axis=3, name="ln"), (2, 3), r"Axis 3 is out of bounds for input shape \(2, 3\)"),
])
def test_bad_input_shapes_are_named(layer, shape, match):
    with pytest.raises(ValueError, match=match):
        layer(np.zeros(shape))


def test_wrong_masks_name_both_shapes():
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, time\) = \(2, 3\).*input of shape \(2, 3, 4\)\. "
                                         r"Received: mask with shape \(2, 5\)"):
        layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 3, 4)), mask=np.ones((2, 5), bool))
    with pytest.raises(ValueError, match=r"input of shape \(2, 4\)\. Received: mask with shape \(3,\)"):
        layers.Softmax()(np.zeros((2, 4)), mask=np.ones(3, bool))
    with pytest.raises(ValueError, match=r"initial state must have shape \(batch, units\) = \(2, 3\)\. "
                                         r"Received: an initial state of shape \(2, 4\)"):
        layers.RNN(layers.LSTMCell(3))(np.zeros((2, 5, 1)), initial_state=[np.zeros((2, 4))] * 2)


def test_rnn_applies_dropout_for_teachnets_cells_and_leaves_a_users_cell_alone():
    teachnet.utils.set_random_seed(1)
    x = np.ones((2, 4, 3), "float32")
    layer = layers.RNN(layers.LSTMCell(3, dropout=0.5, recurrent_dropout=0.3), return_sequences=True)
    assert np.abs(layer(x, training=True).numpy() - layer(x, training=False).numpy()).max() > 0

    class CountingCell(layers.Layer):  # a `dropout` attribute of its own, which it does not use
        def __init__(self):
            super().__init__()
            self.state_size, self.dropout = 2, 0.9

        def call(self, inputs, states):
            total = states[0] + inputs[:, :2]
            return total, [total]
    np.testing.assert_array_equal(layers.RNN(CountingCell())(x, training=True).numpy(), np.full((2, 2), 4.0))
