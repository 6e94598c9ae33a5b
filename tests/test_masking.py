"""Issue 13 item 3: masking all the way through, with Keras 3's semantics.

A mask (`_keras_mask`, booleans, True = a real step) starts at
`Embedding(mask_zero=True)` or `Masking`, is passed on by the layers that
support masking (and dropped, with Keras's warning, by the others), reaches a
custom layer whose `call` takes `mask=None` and whose `compute_mask` makes the
next mask, is combined by merge layers, and is applied by losses and metrics.
The Keras 3 (torch backend) parity tests at the end check predictions, fits
(History and weights), merges and losses against Keras itself.
"""
import os
import warnings

import numpy as np
import pytest

import teachnet
from teachnet import layers, ops
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(0)
IDS = np.array([[3, 1, 4, 0, 0], [5, 0, 0, 0, 0], [2, 6, 5, 3, 5]])  # 0 = padding
VALID = IDS != 0


def _padded_sequences():
    x = RNG.normal(size=(3, 5, 2)).astype("float32")
    x[~VALID] = 0.0  # padding steps: every feature equals mask_value
    return x


# -- the Masking layer ----------------------------------------------------------------------------------------
def test_masking_zeroes_padding_steps_and_marks_them():
    x = _padded_sequences()
    x[0, 1] = [0.0, 7.0]  # one feature at mask_value is not enough: the step is kept
    y = layers.Masking(mask_value=0.0)(x)
    np.testing.assert_array_equal(np.asarray(y._keras_mask), VALID)
    np.testing.assert_array_equal(y.numpy(), x)
    z = layers.Masking(mask_value=-1.0)(np.where(VALID[..., None], x, -1.0))
    np.testing.assert_array_equal(np.asarray(z._keras_mask), VALID)
    np.testing.assert_array_equal(z.numpy()[~VALID], 0.0)  # masked steps become 0, as in Keras


def test_masking_gradients():
    """Kept steps pass the gradient through (central differences, float64); masked steps pass none."""
    x = RNG.normal(size=(2, 4, 3))  # no step equals mask_value: every step is kept
    check_gradients(lambda v: layers.Masking(mask_value=5.0, dtype="float64")(v), x)
    x[0, 2] = 5.0
    v = teachnet.Variable(x, dtype="float64")
    with teachnet.GradientTape() as tape:
        total = ops.sum(layers.Masking(mask_value=5.0, dtype="float64")(v) * 3.0)
    g = tape.gradient(total, v).numpy()
    expected = np.full(x.shape, 3.0)
    expected[0, 2] = 0.0
    np.testing.assert_array_equal(g, expected)


def test_masking_in_a_functional_model_gives_a_symbolic_mask():
    inputs = teachnet.Input(shape=(5, 2))
    masked = layers.Masking()(inputs)
    assert masked.shape == (None, 5, 2) and masked._keras_mask.shape == (None, 5)
    assert masked._keras_mask.dtype == np.bool_
    assert inputs._keras_mask is None


# -- propagation ------------------------------------------------------------------------------------------------
class MaskedMean(layers.Layer):
    """A custom layer as a learner writes it: `call` takes `mask`, `compute_mask` makes the next mask."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen_masks = []

    def call(self, inputs, mask=None):
        self.seen_masks.append(None if mask is None else np.asarray(mask))
        if mask is None:
            return ops.mean(inputs, axis=1)
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), -1)                # (batch, time, 1)
        return ops.sum(inputs * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)  # (batch, features)

    def compute_mask(self, inputs, mask=None):
        return None  # the time axis is gone


class ShiftMask(layers.Layer):
    """Keeps the values, masks one more step at the start (a mask a layer makes itself)."""

    def call(self, inputs, mask=None):
        return inputs * 1.0  # a new tensor: `return inputs` would keep the input's mask (as in Keras)

    def compute_mask(self, inputs, mask=None):
        shifted = np.asarray(mask).copy()
        shifted[:, 0] = False
        return ops.convert_to_tensor(shifted)


def test_the_mask_reaches_a_custom_layer_through_layers_that_support_masking():
    embed = layers.Embedding(10, 4, mask_zero=True)
    custom = MaskedMean()
    model = teachnet.Sequential([embed, layers.Dense(3), layers.Dropout(0.5), layers.Activation("tanh"), custom])
    out = model(IDS)
    np.testing.assert_array_equal(custom.seen_masks[-1], VALID)
    assert out._keras_mask is None
    hidden = model.layers[3](model.layers[2](model.layers[1](embed(IDS))))
    np.testing.assert_array_equal(hidden._keras_mask, VALID)
    expected = [hidden.numpy()[i][VALID[i]].mean(axis=0) for i in range(3)]
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_a_layer_with_compute_mask_supports_masking_as_in_keras():
    assert ShiftMask().supports_masking and MaskedMean().supports_masking
    assert not layers.Flatten().supports_masking and layers.Dense(2).supports_masking
    x = layers.Embedding(10, 2, mask_zero=True)(IDS)
    shifted = ShiftMask()(x)
    expected = VALID.copy()
    expected[:, 0] = False
    np.testing.assert_array_equal(shifted._keras_mask, expected)


def test_masks_in_a_functional_model_symbolic_and_eager():
    inputs = teachnet.Input(shape=(5,), dtype="int32")
    x = layers.Embedding(10, 4, mask_zero=True)(inputs)
    shifted = ShiftMask()(x)
    seq = layers.LSTM(3, return_sequences=True)(shifted)
    last = layers.LSTM(2)(seq)
    custom = MaskedMean()
    pooled = custom(seq)
    for t in (x, shifted, seq):
        assert t._keras_mask is not None and t._keras_mask.shape == (None, 5)
    assert last._keras_mask is None and pooled._keras_mask is None
    model = teachnet.Model(inputs, [seq, last, pooled])
    seq_out, last_out, pooled_out = model(IDS)
    expected = VALID.copy()
    expected[:, 0] = False
    np.testing.assert_array_equal(seq_out._keras_mask, expected)
    np.testing.assert_array_equal(custom.seen_masks[-1], expected)
    assert last_out._keras_mask is None and pooled_out._keras_mask is None


def test_layers_without_masking_drop_the_mask_with_keras_warning():
    x = layers.Embedding(10, 4, mask_zero=True)(IDS)
    with pytest.warns(UserWarning, match=r"Layer 'flat' \(of type Flatten\) was passed an input with a mask "
                                         r"attached to it.*will therefore destroy the mask information"):
        y = layers.Flatten(name="flat")(x)
    assert y._keras_mask is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layers.Flatten()(np.ones((2, 3, 4), "float32"))  # no mask: no warning


def test_recurrent_layers_receive_the_propagated_mask():
    """A masked step keeps the state: the last output equals the LSTM run on the valid steps only."""
    x = _padded_sequences()
    lstm = layers.LSTM(4)
    out = teachnet.Sequential([layers.Masking(), lstm])(x).numpy()
    for i in range(3):
        alone = lstm(x[i:i + 1, VALID[i]]).numpy()
        np.testing.assert_allclose(out[i:i + 1], alone, rtol=1e-5, atol=1e-6)
    unmasked = lstm(x).numpy()
    assert not np.allclose(unmasked[:2], out[:2])  # without the mask the padding would count


def test_a_model_given_a_mask_passes_it_on():
    inputs = teachnet.Input(shape=(5, 2))
    custom = MaskedMean()
    model = teachnet.Model(inputs, custom(layers.Dense(3)(inputs)))
    model(_padded_sequences(), mask=VALID)
    np.testing.assert_array_equal(custom.seen_masks[-1], VALID)
    seq_custom = MaskedMean()
    teachnet.Sequential([layers.Dense(3), seq_custom])(_padded_sequences(), mask=VALID)
    np.testing.assert_array_equal(seq_custom.seen_masks[-1], VALID)


# -- merge layers ----------------------------------------------------------------------------------------------
def _two_masked():
    a = layers.Embedding(10, 3, mask_zero=True)(IDS)
    other = IDS.copy()
    other[0, 3] = 7   # step kept by b only
    other[2, 1] = 0   # step kept by a only
    b = layers.Embedding(10, 3, mask_zero=True)(other)
    return a, b, VALID, other != 0


@pytest.mark.parametrize("merge", [layers.Add, layers.Subtract, layers.Multiply, layers.Average,
                                   layers.Maximum, layers.Minimum])
def test_elementwise_merges_keep_a_step_any_input_keeps(merge):
    a, b, mask_a, mask_b = _two_masked()
    out = merge()([a, b])
    np.testing.assert_array_equal(np.asarray(out._keras_mask), mask_a | mask_b)
    plain = ops.convert_to_tensor(np.ones(a.shape, "float32"))
    assert merge()([a, plain])._keras_mask is None  # an input without a mask: no mask (as Keras)


def test_maximum_and_minimum_ignore_the_values_of_masked_steps():
    a, b, mask_a, mask_b = _two_masked()
    big = ops.convert_to_tensor(np.full(a.shape, 100.0, "float32"))
    big._keras_mask = ops.convert_to_tensor(np.zeros(mask_a.shape, bool))   # all masked
    out = layers.Maximum()([a, big]).numpy()
    np.testing.assert_array_equal(out, a.numpy())  # the masked 100s never win
    small = ops.negative(big)
    small._keras_mask = big._keras_mask
    out = layers.Minimum()([small, a]).numpy()
    np.testing.assert_array_equal(out[mask_a], a.numpy()[mask_a])  # where both are masked, any value goes


def test_concatenate_joins_the_masks():
    a, b, mask_a, mask_b = _two_masked()
    np.testing.assert_array_equal(layers.Concatenate()([a, b])._keras_mask, mask_a | mask_b)
    joined = layers.Concatenate(axis=1)([a, b])
    np.testing.assert_array_equal(joined._keras_mask, np.concatenate([mask_a, mask_b], axis=1))
    plain = ops.convert_to_tensor(np.ones(a.shape, "float32"))
    np.testing.assert_array_equal(layers.Concatenate()([a, plain])._keras_mask, np.ones_like(mask_a))


def test_merges_in_a_functional_model_carry_symbolic_masks():
    x = teachnet.Input(shape=(5,), dtype="int32")
    a = layers.Embedding(10, 3, mask_zero=True)(x)
    b = layers.Embedding(10, 3, mask_zero=True)(x)
    added = layers.Add()([a, b])
    joined = layers.Concatenate(axis=1)([a, b])
    assert added._keras_mask.shape == (None, 5) and joined._keras_mask.shape == (None, 10)
    assert layers.Dot(axes=-1)([a, b])._keras_mask is None


# -- losses and metrics --------------------------------------------------------------------------------------
def test_losses_average_over_the_unmasked_values_only():
    y_pred = ops.convert_to_tensor(RNG.normal(size=(3, 5, 1)).astype("float32"))
    y_true = RNG.normal(size=(3, 5, 1)).astype("float32")
    y_pred._keras_mask = ops.convert_to_tensor(VALID)
    squared = (y_pred.numpy() - y_true)[..., 0] ** 2
    np.testing.assert_allclose(float(teachnet.losses.MeanSquaredError()(y_true, y_pred)), squared[VALID].mean(),
                               rtol=1e-6)
    summed = teachnet.losses.MeanSquaredError(reduction="sum")(y_true, y_pred)
    np.testing.assert_allclose(float(summed), squared[VALID].sum(), rtol=1e-6)
    weights = RNG.uniform(size=(3, 5)).astype("float32")
    weighted = teachnet.losses.MeanSquaredError()(y_true, y_pred, sample_weight=weights)
    np.testing.assert_allclose(float(weighted), (squared * weights)[VALID].sum() / VALID.sum(), rtol=1e-6)


def test_metrics_apply_the_mask():
    y_pred = ops.convert_to_tensor(RNG.normal(size=(3, 5, 1)).astype("float32"))
    y_true = RNG.normal(size=(3, 5, 1)).astype("float32")
    y_pred._keras_mask = ops.convert_to_tensor(VALID)
    metric = teachnet.metrics.MeanAbsoluteError()
    metric.update_state(y_true, y_pred)
    np.testing.assert_allclose(float(metric.result()), np.abs(y_pred.numpy() - y_true)[..., 0][VALID].mean(),
                               rtol=1e-6)


def test_fit_and_evaluate_apply_the_mask_to_loss_and_metrics():
    model = teachnet.Sequential([teachnet.Input(shape=(5,), dtype="int32"), layers.Embedding(10, 4, mask_zero=True),
                                 layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    y = RNG.normal(size=(3, 5, 1)).astype("float32")
    loss, mae = model.evaluate(IDS, y, verbose=0)
    error = (model.predict(IDS, verbose=0) - y)[..., 0]
    np.testing.assert_allclose([loss, mae], [(error ** 2)[VALID].mean(), np.abs(error)[VALID].mean()], rtol=1e-5)
    y_noise = y.copy()
    y_noise[~VALID] = 1e6   # targets at padding steps must not matter
    history = model.fit(IDS, y_noise, epochs=1, verbose=0).history
    assert history["loss"][0] < 100


# -- a mask of the wrong shape names both shapes --------------------------------------------------------------
def test_a_mask_of_the_wrong_shape_names_both_shapes():
    x = _padded_sequences()
    with pytest.raises(ValueError, match=r'Layer "lstm_m" \(LSTM\): the mask must have shape \(batch, time\) = '
                                         r"\(3, 5\), the first axes of the input of shape \(3, 5, 2\)\. Received: "
                                         r"mask with shape \(3, 4\)"):
        layers.LSTM(2, name="lstm_m")(x, mask=VALID[:, :4])
    inputs = teachnet.Input(shape=(5, 2))
    model = teachnet.Model(inputs, layers.Dense(1)(inputs), name="masked_model")
    with pytest.raises(ValueError, match=r'Model "masked_model": the mask must have shape \(batch, time\) = '
                                         r"\(3, 5\).*input of shape \(3, 5, 2\)\. Received: mask with shape \(5, 3\)"):
        model(x, mask=VALID.T)
    y_pred = ops.convert_to_tensor(np.ones((3, 1), "float32"))
    y_pred._keras_mask = ops.convert_to_tensor(VALID)   # a (batch, time) mask on an output without time
    with pytest.raises(ValueError, match=r"Loss mean_squared_error\w*: the mask of y_pred has shape \(3, 5\), "
                                         r"which does not fit the loss values of shape \(3,\) \(y_pred has shape "
                                         r"\(3, 1\)\).*Received: mask with shape \(3, 5\)"):
        teachnet.losses.MeanSquaredError()(np.ones((3, 1)), y_pred)


# -- parity with Keras 3 (torch backend) -------------------------------------------------------------------------
def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras 3 (torch backend) is needed for parity tests")
    pytest.importorskip("torch", reason="torch is the keras backend used for parity tests")
    if keras.backend.backend() != "torch":
        pytest.skip("parity tests need KERAS_BACKEND=torch")
    keras.utils.set_random_seed(int(os.environ.get("KERAS_SEED", "1")))
    return keras


RTOL, ATOL = 2e-5, 2e-6
SEQ_IDS = np.array([[3, 1, 4, 1, 0, 0], [5, 9, 0, 0, 0, 0], [2, 6, 5, 3, 5, 8], [9, 7, 0, 0, 0, 0],
                    [1, 0, 0, 0, 0, 0], [4, 4, 2, 0, 0, 0]])


def _twins(keras, build, **compile_args):
    theirs, ours = build(keras), build(teachnet)
    ours.set_weights(theirs.get_weights())
    if compile_args:
        for lib, model in ((keras, theirs), (teachnet, ours)):
            model.compile(optimizer=lib.optimizers.Adam(learning_rate=0.05), **compile_args)
    return theirs, ours


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
def test_parity_embedding_mask_into_recurrent_predictions_and_fit(kind):
    keras = _keras()

    def build(lib):
        return lib.Sequential([lib.Input(shape=(6,), dtype="int32"), lib.layers.Embedding(10, 4, mask_zero=True),
                               getattr(lib.layers, kind)(5), lib.layers.Dense(1)])
    theirs, ours = _twins(keras, build, loss="mse", metrics=["mae"])
    _assert_same([ours.predict(SEQ_IDS, verbose=0)], [keras.ops.convert_to_numpy(theirs.predict(SEQ_IDS, verbose=0))])
    y = np.linspace(-1, 1, len(SEQ_IDS)).astype("float32")[:, None]
    history = ours.fit(SEQ_IDS, y, batch_size=2, epochs=3, shuffle=False, verbose=0).history
    expected = theirs.fit(SEQ_IDS, y, batch_size=2, epochs=3, shuffle=False, verbose=0).history
    assert list(history) == list(expected)
    for key in expected:
        np.testing.assert_allclose(history[key], expected[key], rtol=RTOL, atol=ATOL, err_msg=key)
    _assert_same(ours.get_weights(), theirs.get_weights())


def test_parity_masking_into_lstm_sequence_output_masked_loss_and_metric():
    keras = _keras()
    x = RNG.normal(size=(6, 6, 3)).astype("float32")
    x[SEQ_IDS == 0] = 0.0
    y = RNG.normal(size=(6, 6, 2)).astype("float32")

    def build(lib):
        inputs = lib.Input(shape=(6, 3))
        seq = lib.layers.LSTM(4, return_sequences=True)(lib.layers.Masking()(inputs))
        return lib.Model(inputs, lib.layers.Dense(2)(seq))
    theirs, ours = _twins(keras, build, loss="mse", metrics=["mae"])
    _assert_same([ours.predict(x, verbose=0)], [keras.ops.convert_to_numpy(theirs.predict(x, verbose=0))])
    _assert_same(ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0))
    history = ours.fit(x, y, batch_size=3, epochs=3, shuffle=False, verbose=0).history
    expected = theirs.fit(x, y, batch_size=3, epochs=3, shuffle=False, verbose=0).history
    for key in expected:
        np.testing.assert_allclose(history[key], expected[key], rtol=RTOL, atol=ATOL, err_msg=key)
    _assert_same(ours.get_weights(), theirs.get_weights())


def test_parity_masking_layer_values_masks_and_gradients():
    keras = _keras()
    import torch
    x = RNG.normal(size=(3, 5, 2)).astype("float32")
    x[~VALID] = 0.5
    tx = torch.tensor(x, requires_grad=True)
    ty = keras.layers.Masking(mask_value=0.5)(tx)
    (ty * torch.arange(10.0).reshape(5, 2)).sum().backward()
    v = teachnet.Variable(x)
    with teachnet.GradientTape() as tape:
        y = layers.Masking(mask_value=0.5)(v)
        total = ops.sum(y * np.arange(10.0, dtype="float32").reshape(5, 2))
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(np.asarray(y._keras_mask), ty._keras_mask.numpy())
    np.testing.assert_array_equal(tape.gradient(total, v).numpy(), tx.grad.numpy())


@pytest.mark.parametrize("merge", ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"])
def test_parity_merges_of_masked_branches(merge):
    keras = _keras()

    def build(lib):
        inputs = lib.Input(shape=(6,), dtype="int32")
        a = lib.layers.Embedding(10, 3, mask_zero=True)(inputs)
        b = lib.layers.Dense(3)(lib.layers.Embedding(10, 3, mask_zero=True)(inputs))
        merged = getattr(lib.layers, merge)()([a, b])
        return lib.Model(inputs, lib.layers.LSTM(2)(merged))
    theirs, ours = _twins(keras, build)
    _assert_same([ours.predict(SEQ_IDS, verbose=0)], [keras.ops.convert_to_numpy(theirs.predict(SEQ_IDS, verbose=0))])


def test_parity_merge_masks_and_values_eagerly():
    keras = _keras()
    import torch
    a, b = RNG.normal(size=(2, 3, 5, 2)).astype("float32")
    ma, mb = VALID, VALID.copy()
    mb[0, 3], mb[2, 1] = True, False
    for name in ["Add", "Maximum", "Minimum", "Concatenate"]:
        ka, kb = torch.tensor(a), torch.tensor(b)
        ka._keras_mask, kb._keras_mask = torch.tensor(ma), torch.tensor(mb)
        expected = getattr(keras.layers, name)()([ka, kb])
        ta, tb = ops.convert_to_tensor(a), ops.convert_to_tensor(b)
        ta._keras_mask, tb._keras_mask = ops.convert_to_tensor(ma), ops.convert_to_tensor(mb)
        out = getattr(layers, name)()([ta, tb])
        np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, err_msg=name)
        np.testing.assert_array_equal(np.asarray(out._keras_mask), expected._keras_mask.numpy(), err_msg=name)


@pytest.mark.parametrize("loss,reduction,weighted", [("MeanSquaredError", "sum_over_batch_size", False),
                                                     ("MeanSquaredError", "sum", True),
                                                     ("SparseCategoricalCrossentropy", "sum_over_batch_size", True),
                                                     ("BinaryCrossentropy", "sum_over_batch_size", False)])
def test_parity_masked_loss(loss, reduction, weighted):
    keras = _keras()
    import torch
    if loss == "SparseCategoricalCrossentropy":
        y_pred = RNG.dirichlet(np.ones(4), size=(3, 5)).astype("float32")
        y_true = RNG.integers(0, 4, size=(3, 5))
    else:
        y_pred = RNG.uniform(0.05, 0.95, size=(3, 5, 1)).astype("float32")
        y_true = (RNG.uniform(size=(3, 5, 1)) > 0.5).astype("float32")
    weights = RNG.uniform(size=(3, 5)).astype("float32") if weighted else None
    kp = torch.tensor(y_pred)
    kp._keras_mask = torch.tensor(VALID)
    expected = getattr(keras.losses, loss)(reduction=reduction)(y_true, kp, sample_weight=weights)
    tp = ops.convert_to_tensor(y_pred)
    tp._keras_mask = ops.convert_to_tensor(VALID)
    ours = getattr(teachnet.losses, loss)(reduction=reduction)(y_true, tp, sample_weight=weights)
    np.testing.assert_allclose(float(ours), float(expected), rtol=1e-6)


def test_parity_the_mask_reaches_a_custom_layer_as_in_keras():
    """The same custom layer (call takes `mask`, compute_mask drops the time axis), written for both
    libraries with their own ops, after Embedding(mask_zero=True) -> Dense: same outputs."""
    keras = _keras()

    def custom(lib):
        class MaskedSum(lib.layers.Layer):
            def call(self, inputs, mask=None):
                weights = lib.ops.expand_dims(lib.ops.cast(mask, inputs.dtype), -1)    # (batch, time, 1)
                return lib.ops.sum(inputs * weights, axis=1)                         # (batch, features)

            def compute_mask(self, inputs, mask=None):
                return None
        return MaskedSum()

    def build(lib):
        inputs = lib.Input(shape=(6,), dtype="int32")
        hidden = lib.layers.Dense(3, activation="tanh")(lib.layers.Embedding(10, 4, mask_zero=True)(inputs))
        return lib.Model(inputs, lib.layers.Dense(2)(custom(lib)(hidden)))
    theirs, ours = _twins(keras, build)
    _assert_same([ours.predict(SEQ_IDS, verbose=0)], [keras.ops.convert_to_numpy(theirs.predict(SEQ_IDS, verbose=0))])
