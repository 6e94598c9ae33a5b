"""Parity with Keras 3 (torch backend): same weights (set_weights) -> same
outputs, states and gradients for SimpleRNN, LSTM, GRU, stacked LSTMs and
Embedding + LSTM with mask_zero."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="keras 3 (torch backend) is needed for parity tests")
torch = pytest.importorskip("torch", reason="torch is the keras backend used for parity tests")
if keras.backend.backend() != "torch":
    pytest.skip("parity tests need KERAS_BACKEND=torch", allow_module_level=True)

import teachnet  # noqa: E402
from teachnet import layers, ops  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 7, 5)).astype("float32")


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _pair(kind, **kwargs):
    keras_layer = getattr(keras.layers, kind)(6, **kwargs)
    ours = getattr(layers, kind)(6, **kwargs)
    keras_layer(X)
    ours(X)
    weights = [w + RNG.normal(scale=0.1, size=w.shape).astype("float32") for w in keras_layer.get_weights()]
    keras_layer.set_weights(weights)
    ours.set_weights(weights)
    return keras_layer, ours


CASES = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
         ("LSTM", {"use_bias": False}), ("GRU", {"activation": "relu", "recurrent_activation": "hard_sigmoid"})]


@pytest.mark.parametrize("kind,kwargs", CASES, ids=[f"{k}-{sorted(kw)}" for k, kw in CASES])
@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"return_state": True},
                                     {"return_sequences": True, "return_state": True, "go_backwards": True}],
                         ids=["last", "sequences", "state", "sequences-state-backwards"])
def test_outputs_and_states_match_keras(kind, kwargs, options):
    keras_layer, ours = _pair(kind, **kwargs, **options)
    expected, got = keras_layer(X), ours(X)
    expected = expected if isinstance(expected, (list, tuple)) else [expected]
    got = got if isinstance(got, (list, tuple)) else [got]
    assert len(expected) == len(got)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g.numpy(), _np(e), rtol=1e-5, atol=1e-6)


def _keras_gradients(keras_layer, x, weighting, mask=None):
    xt = torch.tensor(x, requires_grad=True)
    out = keras_layer(xt, mask=None if mask is None else torch.tensor(mask))
    loss = (out * torch.tensor(weighting)).sum()
    loss.backward()
    return [xt.grad.numpy()] + [w.value.grad.numpy() for w in keras_layer.trainable_weights]


@pytest.mark.parametrize("kind,kwargs", CASES[:4], ids=[f"{k}-{sorted(kw)}" for k, kw in CASES[:4]])
def test_gradients_match_torch_autograd_through_keras(kind, kwargs):
    keras_layer, ours = _pair(kind, return_sequences=True, **kwargs)
    weighting = RNG.normal(size=(4, 7, 6)).astype("float32")
    mask = np.ones((4, 7), bool)
    mask[0, 4:] = mask[2, 6:] = False
    expected = _keras_gradients(keras_layer, X, weighting, mask)
    x = teachnet.Tensor(X)
    with teachnet.GradientTape() as tape:
        tape.watch(x)
        loss = ops.sum(ours(x, mask=mask) * weighting)
    got = tape.gradient(loss, [x] + ours.trainable_weights)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-4, atol=1e-5)


def test_stacked_lstms_match_keras():
    k1, k2 = keras.layers.LSTM(8, return_sequences=True), keras.layers.LSTM(3)
    o1, o2 = layers.LSTM(8, return_sequences=True), layers.LSTM(3)
    k2(k1(X))
    o2(o1(X))
    o1.set_weights(k1.get_weights())
    o2.set_weights(k2.get_weights())
    np.testing.assert_allclose(o2(o1(X)).numpy(), _np(k2(k1(X))), rtol=1e-5, atol=1e-6)


def test_embedding_lstm_with_mask_zero_matches_keras():
    ids = np.array([[3, 8, 2, 0, 0], [5, 0, 0, 0, 0], [1, 2, 3, 4, 9], [0, 0, 0, 0, 0]])
    k_emb, k_lstm = keras.layers.Embedding(10, 4, mask_zero=True), keras.layers.LSTM(5, return_sequences=True)
    o_emb, o_lstm = layers.Embedding(10, 4, mask_zero=True), layers.LSTM(5, return_sequences=True)
    k_seq = k_lstm(k_emb(ids))
    o_seq = o_lstm(o_emb(ids))
    o_emb.set_weights(k_emb.get_weights())
    o_lstm.set_weights(k_lstm.get_weights())
    k_seq, o_seq = k_lstm(k_emb(ids)), o_lstm(o_emb(ids))
    np.testing.assert_allclose(o_seq.numpy(), _np(k_seq), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(o_seq._keras_mask), _np(k_seq._keras_mask))
    k_last, o_last = keras.layers.GRU(2), layers.GRU(2)
    k_last(k_emb(ids))
    o_last(o_emb(ids))
    o_last.set_weights(k_last.get_weights())
    np.testing.assert_allclose(o_last(o_emb(ids)).numpy(), _np(k_last(k_emb(ids))), rtol=1e-5, atol=1e-6)


def test_sequence_output_of_a_layer_returning_states_keeps_the_mask():
    """LSTM(return_sequences=True, return_state=True) passes the mask on to its sequence output
    (not to the states), so a masked GRU after it skips the padded steps, as in Keras."""
    def build(lib):
        ids = lib.Input(shape=(6,), dtype="int64")
        seq, _, _ = lib.layers.LSTM(5, return_sequences=True, return_state=True)(
            lib.layers.Embedding(20, 4, mask_zero=True)(ids))
        return lib.Model(ids, lib.layers.GRU(3)(seq))
    k_model, o_model = build(keras), build(teachnet)
    o_model.set_weights(k_model.get_weights())
    ids = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0]])
    np.testing.assert_allclose(o_model.predict(ids, verbose=0), k_model.predict(ids, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_default_initial_weights_have_keras_statistics():
    k, o = keras.layers.LSTM(16), layers.LSTM(16)
    k(X)
    o(X)
    for kw, ow in zip(k.get_weights(), o.get_weights()):
        assert kw.shape == ow.shape
        assert ow.std() == pytest.approx(kw.std(), rel=0.15)
    np.testing.assert_array_equal(o.get_weights()[2], k.get_weights()[2])   # unit_forget_bias


def test_embedding_lstm_training_matches_keras_history_and_weights():
    ids = RNG.integers(0, 12, size=(24, 6))
    ids[:8, 4:] = 0                                                  # some padding, masked
    y = (ids.sum(axis=1, keepdims=True) > 33).astype("float32")
    k_model = keras.Sequential([keras.Input(shape=(6,), dtype="int32"),
                                keras.layers.Embedding(12, 4, mask_zero=True), keras.layers.LSTM(5),
                                keras.layers.Dense(1, activation="sigmoid")])
    o_model = teachnet.Sequential([teachnet.Input(shape=(6,), dtype="int64"),
                                   layers.Embedding(12, 4, mask_zero=True), layers.LSTM(5),
                                   layers.Dense(1, activation="sigmoid")])
    o_model.set_weights(k_model.get_weights())
    k_model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    o_model.compile(optimizer=teachnet.optimizers.Adam(0.01), loss="binary_crossentropy")
    k_hist = k_model.fit(ids, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    o_hist = o_model.fit(ids, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(o_hist.history["loss"], k_hist.history["loss"], rtol=1e-4)
    for k, o in zip(k_model.get_weights(), o_model.get_weights()):
        np.testing.assert_allclose(o, k, rtol=1e-3, atol=1e-5)
