"""Parity with Keras 3 (torch backend) for graphs of layers.

The same graph is built with keras and with teachnet (the builders below take
the library as an argument), keras's weights are copied with set_weights
(which only works if teachnet orders layers and weights as Keras does), and
predictions, History and trained weights are compared to float32 tolerance.
"""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="keras 3 (torch backend) is needed for the parity tests")
import teachnet  # noqa: E402
from teachnet import examples  # noqa: E402

RTOL, ATOL = 2e-4, 2e-5
rng = np.random.default_rng(0)


def two_in_two_out(lib):
    """Two inputs joined by a Concatenate, a trunk, a skip connection (Add), two heads."""
    a = lib.Input(shape=(4,), name="a")
    b = lib.Input(shape=(3,), name="b")
    xa = lib.layers.Dense(5, activation="relu", name="da")(a)
    xb = lib.layers.Dense(5, activation="tanh", name="db")(b)
    joined = lib.layers.Concatenate(name="joined")([xa, xb])
    trunk = lib.layers.Dense(6, activation="relu", name="trunk")(joined)
    side = lib.layers.Dense(6, name="side")(joined)
    reg = lib.layers.Dense(1, name="reg")(trunk)
    cls = lib.layers.Dense(3, activation="softmax", name="cls")(lib.layers.Add(name="skip")([trunk, side]))
    return a, b, reg, cls


def data(n=48):
    x = [rng.standard_normal((n, 4)).astype("float32"), rng.standard_normal((n, 3)).astype("float32")]
    y_reg = (x[0][:, :1] - 0.5 * x[1][:, 1:2]).astype("float32")
    y_cls = (np.abs(x[0][:, 0] + x[1][:, 0]) * 1.5).astype("int64") % 3
    return x, y_reg, y_cls


def copy_weights(keras_model, teachnet_model):
    assert [w.shape for w in teachnet_model.get_weights()] == [tuple(w.shape) for w in keras_model.get_weights()]
    teachnet_model.set_weights(keras_model.get_weights())


def assert_same_history(keras_history, teachnet_history):
    assert sorted(teachnet_history.history) == sorted(keras_history.history)
    for key, values in keras_history.history.items():
        np.testing.assert_allclose(teachnet_history.history[key], values, rtol=RTOL, atol=ATOL, err_msg=key)


def assert_same_weights(keras_model, teachnet_model):
    for k, t in zip(keras_model.get_weights(), teachnet_model.get_weights()):
        np.testing.assert_allclose(t, k, rtol=RTOL, atol=ATOL)


def test_layers_weights_and_predictions_match_keras():
    k_model = keras.Model(*_pair(two_in_two_out(keras)))
    t_model = teachnet.Model(*_pair(two_in_two_out(teachnet)))
    assert [layer.name for layer in t_model.layers] == [layer.name for layer in k_model.layers]
    assert t_model.output_names == k_model.output_names
    assert [w.path for w in t_model.weights] == [w.path for w in k_model.weights]
    copy_weights(k_model, t_model)
    x, _, _ = data(8)
    for k_out, t_out in zip(k_model.predict(x, verbose=0), t_model.predict(x, verbose=0)):
        np.testing.assert_allclose(t_out, k_out, rtol=RTOL, atol=ATOL)


def _pair(tensors):
    a, b, reg, cls = tensors
    return [a, b], [reg, cls]


@pytest.mark.parametrize("style", ["list", "dict"])
def test_multi_output_fit_matches_keras(style):
    """Losses, loss weights and metrics given as lists (by output position) or
    dicts (by output name): History keys and values, and trained weights."""
    x, y_reg, y_cls = data()
    models = []
    for lib in (keras, teachnet):
        a, b, reg, cls = two_in_two_out(lib)
        model = lib.Model([a, b], [reg, cls])
        if style == "list":
            model.compile(optimizer="adam", loss=["mse", "sparse_categorical_crossentropy"],
                          loss_weights=[1.0, 0.3], metrics=[["mae"], ["accuracy"]])
        else:
            model.compile(optimizer="adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                          loss_weights={"reg": 0.5, "cls": 2.0}, metrics={"cls": ["accuracy"], "reg": ["mae"]})
        models.append(model)
    k_model, t_model = models
    copy_weights(k_model, t_model)
    if style == "list":
        y = [y_reg, y_cls]
        x_in = x
    else:
        y = {"reg": y_reg, "cls": y_cls}
        x_in = {"a": x[0], "b": x[1]}
    val = ([v[-8:] for v in x], [y_reg[-8:], y_cls[-8:]])
    fit = dict(epochs=3, batch_size=16, shuffle=False, verbose=0, validation_data=val)
    k_hist = k_model.fit(x_in, y, **fit)
    t_hist = t_model.fit(x_in, y, **fit)
    assert_same_history(k_hist, t_hist)
    assert_same_weights(k_model, t_model)
    k_eval = k_model.evaluate(x_in, y, verbose=0, return_dict=True)
    t_eval = t_model.evaluate(x_in, y, verbose=0, return_dict=True)
    for key in k_eval:
        np.testing.assert_allclose(t_eval[key], k_eval[key], rtol=RTOL, atol=ATOL, err_msg=key)


def test_dict_outputs_of_the_multi_head_example_match_keras():
    """The worked example `multi_head_model`: dict outputs, dict losses, History keys."""
    x, y = examples.multi_head_data(64)
    t_model = examples.multi_head_model()
    inputs = keras.Input(shape=(8,), name="features")
    h = keras.layers.Dense(32, activation="relu", name="hidden")(inputs)
    trunk = keras.layers.Dense(16, activation="relu", name="trunk")(h)
    k_model = keras.Model(inputs, {"price": keras.layers.Dense(1, name="price")(trunk),
                                   "kind": keras.layers.Dense(3, activation="softmax", name="kind")(trunk)})
    assert t_model.output_names == k_model.output_names
    copy_weights(k_model, t_model)
    compile_args = dict(optimizer="rmsprop", loss={"price": "mse", "kind": "sparse_categorical_crossentropy"},
                        loss_weights={"price": 1.0, "kind": 0.5}, metrics={"kind": ["accuracy"]})
    for model in (k_model, t_model):
        model.compile(**compile_args)
    fit = dict(epochs=2, batch_size=16, shuffle=False, verbose=0)
    assert_same_history(k_model.fit(x, y, **fit), t_model.fit(x, y, **fit))
    assert_same_weights(k_model, t_model)


def shared_and_nested(lib):
    """A shared Dense used on two inputs, and a small functional model used as a layer."""
    inner_in = lib.Input(shape=(5,), name="inner_in")
    inner = lib.Model(inner_in, lib.layers.Dense(4, activation="tanh", name="inner_dense")(inner_in), name="inner")
    a = lib.Input(shape=(3,), name="left")
    b = lib.Input(shape=(3,), name="right")
    shared = lib.layers.Dense(5, activation="relu", name="shared")
    merged = lib.layers.Subtract(name="difference")([inner(shared(a)), inner(shared(b))])
    out = lib.layers.Dense(1, activation="sigmoid", name="same")(merged)
    return lib.Model([a, b], out, name="siamese")


def test_shared_layers_and_nested_models_match_keras():
    k_model, t_model = shared_and_nested(keras), shared_and_nested(teachnet)
    assert [layer.name for layer in t_model.layers] == [layer.name for layer in k_model.layers]
    copy_weights(k_model, t_model)
    x = [rng.standard_normal((32, 3)).astype("float32") for _ in range(2)]
    y = (np.abs(x[0] - x[1]).sum(1, keepdims=True) > 2).astype("float32")
    for model in (k_model, t_model):
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    fit = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert_same_history(k_model.fit(x, y, **fit), t_model.fit(x, y, **fit))
    assert_same_weights(k_model, t_model)


def test_subclassed_model_matches_keras():
    def subclass(lib):
        class Residual(lib.Model):
            def __init__(self):
                super().__init__()
                self.hidden = lib.layers.Dense(6, activation="relu")
                self.back = lib.layers.Dense(3)
                self.out = lib.layers.Dense(2, activation="softmax")

            def call(self, inputs):
                return self.out(inputs + self.back(self.hidden(inputs)))
        return Residual()
    x = rng.standard_normal((40, 3)).astype("float32")
    y = (x[:, 0] > x[:, 1]).astype("int64")
    k_model, t_model = subclass(keras), subclass(teachnet)
    k_model(x[:1])
    t_model(x[:1])  # builds the weights
    copy_weights(k_model, t_model)
    for model in (k_model, t_model):
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    fit = dict(epochs=2, batch_size=8, shuffle=False, verbose=0, validation_split=0.25)
    assert_same_history(k_model.fit(x, y, **fit), t_model.fit(x, y, **fit))
    assert_same_weights(k_model, t_model)


def recurrent_graph(lib, mask_zero):
    """Token ids -> Embedding -> LSTM returning [sequence, h, c] (a multi-output
    layer) -> a GRU on the sequence; the states and the GRU's output are joined."""
    ids = lib.Input(shape=(6,), dtype="int32", name="ids")
    embedded = lib.layers.Embedding(20, 4, mask_zero=mask_zero, name="embedding")(ids)
    if mask_zero:  # a masked chain: the mask must travel from layer to layer inside the graph
        summary = lib.layers.LSTM(5, name="lstm")(embedded)
        return lib.Model(ids, lib.layers.Dense(2, name="head")(summary))
    sequence, h, c = lib.layers.LSTM(5, return_sequences=True, return_state=True, name="lstm")(embedded)
    last = lib.layers.GRU(3, name="gru")(sequence)
    return lib.Model(ids, [lib.layers.Concatenate(name="states")([h, c, last]), sequence])


@pytest.mark.parametrize("mask_zero", [False, True])
def test_recurrent_layers_in_a_graph_match_keras(mask_zero):
    k_model, t_model = recurrent_graph(keras, mask_zero), recurrent_graph(teachnet, mask_zero)
    assert [layer.name for layer in t_model.layers] == [layer.name for layer in k_model.layers]
    if not mask_zero:
        assert [x.shape for x in t_model.outputs] == [tuple(x.shape) for x in k_model.outputs]
    copy_weights(k_model, t_model)
    x = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 9], [9, 9, 0, 0, 0, 0]], dtype="int32")
    k_out, t_out = k_model.predict(x, verbose=0), t_model.predict(x, verbose=0)
    for k, t in zip(k_out if isinstance(k_out, list) else [k_out], t_out if isinstance(t_out, list) else [t_out]):
        np.testing.assert_allclose(t, k, rtol=RTOL, atol=ATOL)


def test_inception_conv_example_matches_keras():
    """The Conv2D inception block: same layer and weight order, predictions and a short fit."""
    L = keras.layers
    image = keras.Input(shape=(8, 8, 1), name="image")
    one = L.Conv2D(8, 1, activation="relu", name="conv_1x1")(image)
    three = L.Conv2D(6, 1, activation="relu", name="reduce_3x3")(image)
    three = L.Conv2D(8, 3, padding="same", activation="relu", name="conv_3x3")(three)
    five = L.Conv2D(4, 1, activation="relu", name="reduce_5x5")(image)
    five = L.Conv2D(4, 3, padding="same", activation="relu", name="conv_5x5_a")(five)
    five = L.Conv2D(4, 3, padding="same", activation="relu", name="conv_5x5")(five)
    pool = L.MaxPooling2D(3, strides=1, padding="same", name="pool_3x3")(image)
    pool = L.Conv2D(4, 1, activation="relu", name="pool_proj")(pool)
    block = L.Concatenate(name="inception")([one, three, five, pool])
    k_model = keras.Model(image, L.Dense(10, activation="softmax", name="digit")(L.Flatten(name="flatten")(block)))
    t_model = examples.inception_conv_model()
    assert [layer.name for layer in t_model.layers] == [layer.name for layer in k_model.layers]
    copy_weights(k_model, t_model)
    x, y = examples.inception_conv_data(64)
    np.testing.assert_allclose(t_model.predict(x, verbose=0), k_model.predict(x, verbose=0), rtol=RTOL, atol=ATOL)
    for model in (k_model, t_model):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    fit = dict(epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert_same_history(k_model.fit(x, y, **fit), t_model.fit(x, y, **fit))
    assert_same_weights(k_model, t_model)


def test_a_layer_applied_to_its_own_output_and_shared_across_branches_orders_like_keras():
    def build(lib):
        x = lib.Input(shape=(4,), name="x")
        twice = lib.layers.Dense(4, activation="tanh", name="twice")
        deep = twice(twice(lib.layers.Dense(4, name="pre")(x)))
        side = twice(lib.layers.Dense(4, name="other")(x))
        return lib.Model(x, lib.layers.Dense(1, name="out")(lib.layers.Add(name="sum")([deep, side])))
    k_model, t_model = build(keras), build(teachnet)
    assert [layer.name for layer in t_model.layers] == [layer.name for layer in k_model.layers]
    copy_weights(k_model, t_model)
    x = rng.standard_normal((5, 4)).astype("float32")
    np.testing.assert_allclose(t_model.predict(x, verbose=0), k_model.predict(x, verbose=0), rtol=RTOL, atol=ATOL)


def test_dict_output_keys_that_differ_from_layer_names_match_keras():
    """Losses, loss weights, metrics and History are keyed by the dict's keys,
    while output_names stay the layers' names (sorted by key), as in Keras 3."""
    x = rng.standard_normal((32, 4)).astype("float32")
    y = {"zz_price": rng.standard_normal((32, 1)).astype("float32"), "aa_kind": rng.integers(0, 3, 32)}
    models = []
    for lib in (keras, teachnet):
        inputs = lib.Input(shape=(4,), name="x")
        h = lib.layers.Dense(5, name="h")(inputs)
        model = lib.Model(inputs, {"zz_price": lib.layers.Dense(1, name="reg")(h),
                                   "aa_kind": lib.layers.Dense(3, activation="softmax", name="cls")(h)})
        if models:
            copy_weights(models[0], model)
        model.compile(optimizer="sgd", loss={"zz_price": "mse", "aa_kind": "sparse_categorical_crossentropy"},
                      loss_weights={"zz_price": 2.0, "aa_kind": 0.5}, metrics={"aa_kind": ["accuracy"]})
        models.append(model)
    k_model, t_model = models
    assert t_model.output_names == k_model.output_names == ["cls", "reg"]
    fit = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert_same_history(k_model.fit(x, y, **fit), t_model.fit(x, y, **fit))
    assert_same_weights(k_model, t_model)
