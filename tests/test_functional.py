"""The functional API: recording layer calls on Inputs, building and running graphs."""
import numpy as np
import pytest

import teachnet
from teachnet import examples, ops
from teachnet.layers import Input, InputLayer, Layer, SymbolicTensor
from teachnet.layers import merge
from teachnet.models.functional import Functional
from teachnet.models.model import Model
from tests.gradcheck import check_gradients

rng = np.random.default_rng(0)


class Affine(Layer):
    """A Dense without activation (kernel, then bias), so these tests need only the Layer base."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="random_normal", name="bias")

    def call(self, inputs):
        return ops.matmul(inputs, self.kernel) + self.bias

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)


class Tanh(Layer):
    """No compute_output_shape: the graph finds the output shape by running it."""

    def call(self, inputs):
        return ops.tanh(inputs)


def np_affine(layer, x):
    return x @ layer.kernel.numpy() + layer.bias.numpy()


def two_inputs_two_outputs():
    a, b = Input(shape=(4,), name="a"), Input(shape=(3,), name="b")
    x, y = Affine(5, name="da")(a), Affine(5, name="db")(b)
    joined = merge.Concatenate(name="joined")([x, y])
    reg, cls = Affine(1, name="reg")(joined), Affine(3, name="cls")(joined)
    return a, b, joined, reg, cls


# -- recording -------------------------------------------------------------------

def test_calling_a_layer_on_an_input_records_a_node():
    x = Input(shape=(4,), name="features")
    assert isinstance(x, SymbolicTensor) and x.shape == (None, 4) and x.dtype == np.float32
    layer = Affine(3)
    y = layer(x)
    assert isinstance(y, SymbolicTensor) and y.shape == (None, 3)
    assert layer.built and layer.kernel.shape == (4, 3)
    assert y.history == (layer, 0, 0)
    assert layer.input is x and layer.output is y
    assert isinstance(x.history[0], InputLayer) and x.history[0].output is x


def test_shape_inference_by_running_the_layer_keeps_unknown_axes_unknown():
    x = Input(shape=(None, 3))
    assert Tanh()(x).shape == (None, None, 3)

    class SumOverTime(Layer):
        def call(self, inputs):
            return ops.sum(inputs, axis=1)
    assert SumOverTime()(x).shape == (None, 3)
    ids = Input(shape=(5,), dtype="int32")

    class FirstId(Layer):
        def call(self, inputs):
            return inputs[:, 0]
    assert FirstId()(ids).dtype == np.int32 and FirstId()(ids).shape == (None,)


class TwoStates(Layer):
    """A multi-output layer like LSTM(return_state=True): returns [output, state]."""

    def call(self, inputs):
        return [ops.tanh(inputs), ops.sum(inputs, axis=-1, keepdims=True)]


def test_multi_output_layers_give_several_symbolic_tensors():
    x = Input(shape=(4,))
    out, state = TwoStates()(x)
    assert out.shape == (None, 4) and state.shape == (None, 1)
    assert out.history[2] == 0 and state.history[2] == 1

    class WithShapes(TwoStates):
        def compute_output_shape(self, input_shape):
            return [tuple(input_shape), tuple(input_shape[:-1]) + (1,)]
    out2, state2 = WithShapes()(x)
    assert out2.shape == (None, 4) and state2.shape == (None, 1)
    model = Model(x, [Affine(2)(out), state])
    values = model(np.ones((3, 4), "float32"))
    assert [v.shape for v in values] == [(3, 2), (3, 1)]
    np.testing.assert_allclose(np.asarray(values[1]), 4.0)


# -- the model ----------------------------------------------------------------------

def test_model_of_inputs_and_outputs_is_functional_and_lists_layers_in_keras_order():
    a, b, _, reg, cls = two_inputs_two_outputs()
    model = Model([a, b], {"zz": reg, "aa": cls})
    assert isinstance(model, Functional) and isinstance(model, Model)
    # Keras 3 lists layers by depth, InputLayers first; dicts flatten in key order.
    assert [layer.name for layer in model.layers] == ["a", "b", "da", "db", "joined", "cls", "reg"]
    assert model.output_names == ["cls", "reg"] and model.input_names == ["a", "b"]
    assert model.inputs == [a, b] and model.outputs == [cls, reg]
    assert model.input == [a, b] and model.output == {"zz": reg, "aa": cls}
    assert [w.path for w in model.weights] == ["da/kernel", "da/bias", "db/kernel", "db/bias",
                                               "cls/kernel", "cls/bias", "reg/kernel", "reg/bias"]
    assert model.get_layer("joined").output.shape == (None, 10)
    assert model.get_layer(index=2).name == "da"


def test_running_the_graph_matches_numpy():
    a, b, _, reg, cls = two_inputs_two_outputs()
    model = Model([a, b], [reg, cls])
    xa, xb = rng.standard_normal((6, 4)), rng.standard_normal((6, 3))
    hidden = np.concatenate([np_affine(model.get_layer("da"), xa), np_affine(model.get_layer("db"), xb)], -1)
    out_reg, out_cls = model([xa, xb])
    np.testing.assert_allclose(np.asarray(out_reg), np_affine(model.get_layer("reg"), hidden), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(out_cls), np_affine(model.get_layer("cls"), hidden), rtol=1e-5)
    by_name = model({"b": xb, "a": xa})
    np.testing.assert_array_equal(np.asarray(by_name[0]), np.asarray(out_reg))
    assert out_reg.dtype == np.float32  # float64 numpy data is converted to the Inputs' dtype


def test_dict_inputs_and_outputs():
    a, b, _, reg, cls = two_inputs_two_outputs()
    model = Model({"b": b, "a": a}, {"price": reg, "kind": cls})
    assert model.input_names == ["a", "b"]  # sorted keys, as Keras flattens dicts
    out = model({"a": np.ones((2, 4)), "b": np.ones((2, 3))})
    assert set(out) == {"price", "kind"} and out["price"].shape == (2, 1) and out["kind"].shape == (2, 3)


def test_trailing_axis_of_one_may_be_missing_as_in_keras():
    x = Input(shape=(1,))
    model = Model(x, Affine(2)(x))
    assert model(np.arange(5.0)).shape == (5, 2)


def test_a_shared_layer_is_one_set_of_weights():
    shared = Affine(3, name="shared")
    a, b = Input(shape=(4,)), Input(shape=(4,))
    model = Model([a, b], merge.subtract([shared(a), shared(b)]))
    assert [w.path for w in model.weights] == ["shared/kernel", "shared/bias"]
    assert len(shared._inbound_nodes) == 2 and shared.output is shared._inbound_nodes[0].outputs[0]
    xa, xb = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    expected = (xa - xb) @ shared.kernel.numpy()  # the bias cancels
    np.testing.assert_allclose(np.asarray(model([xa, xb])), expected, rtol=1e-4, atol=1e-6)


def test_models_from_intermediate_tensors_share_layers_and_weights():
    x = Input(shape=(4,), name="x")
    first, second = Affine(6, name="first"), Affine(2, name="second")
    hidden = first(x)
    out = second(Tanh(name="act")(hidden))
    full = Model(x, out)
    encoder = Model(x, hidden)
    head = Model(hidden, out)
    assert encoder.weights == [first.kernel, first.bias]
    assert [layer.name for layer in head.layers] == ["first_input", "act", "second"]
    assert head.weights == [second.kernel, second.bias]
    data = rng.standard_normal((3, 4))
    np.testing.assert_allclose(np.asarray(head(encoder(data))), np.asarray(full(data)), rtol=1e-6)
    first.kernel.assign(np.zeros((4, 6)))  # training one model changes the others
    np.testing.assert_allclose(np.asarray(encoder(data)), np.broadcast_to(first.bias.numpy(), (3, 6)))


def test_a_model_is_a_layer_of_another_model():
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Tanh()(Affine(3)(inner_in)), name="inner")
    x = Input(shape=(4,))
    y = Affine(1, name="top")(inner(x))
    outer = Model(x, y)
    assert [layer.name for layer in outer.layers][1:] == ["inner", "top"]
    assert len(outer.weights) == 4 and outer.weights[:2] == inner.weights
    data = rng.standard_normal((5, 4))
    np.testing.assert_allclose(np.asarray(outer(data)),
                               np.asarray(outer.get_layer("top")(inner(data))), rtol=1e-6)
    # the same inner model applied twice: one set of weights
    x1, x2 = Input(shape=(4,)), Input(shape=(4,))
    siamese = Model([x1, x2], merge.Dot(axes=1)([inner(x1), inner(x2)]))
    assert len(siamese.weights) == 2


def test_gradients_through_merges_and_a_shared_layer():
    shared = Affine(3, dtype="float64")
    a, b = Input(shape=(4,), dtype="float64"), Input(shape=(4,), dtype="float64")
    ha, hb = shared(a), shared(b)
    f64 = {"dtype": "float64"}
    out = merge.concatenate([merge.multiply([ha, hb], **f64), merge.add([ha, hb], **f64),
                             merge.maximum([ha, hb], **f64)], **f64)
    model = Model([a, b], out)
    xa, xb = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    check_gradients(lambda p, q: model([p, q]), xa, xb)  # w.r.t. the inputs

    def with_weights(kernel, bias):
        shared.kernel, shared.bias = kernel, bias  # the tape watches the new variables
        return model([xa, xb])
    check_gradients(with_weights, shared.kernel.numpy(), shared.bias.numpy())


def test_training_flag_reaches_the_layers():
    seen = []

    class Spy(Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs
    x = Input(shape=(2,))
    model = Model(x, Tanh()(Spy()(x)))
    seen.clear()
    model(np.ones((1, 2)), training=True)
    model(np.ones((1, 2)))
    assert seen == [True, None]


# -- errors ----------------------------------------------------------------------------

def test_wrong_number_of_inputs_names_expected_and_received():
    a, b, _, reg, _ = two_inputs_two_outputs()
    model = Model([a, b], reg)
    with pytest.raises(ValueError, match=r"expects 2 input\(s\) \['a', 'b'\]\. Received: 1 input arrays/tensors with shapes "
                                         r"\[\(2, 4\)\]\. Pass one array per input"):
        model([np.ones((2, 4))])
    with pytest.raises(ValueError, match=r"expects inputs named \['a', 'b'\]\. Received: a dict with keys \['a', 'c'\] "
                                         r"\(missing: \['b'\], unknown: \['c'\]\)\. Use the input names as keys"):
        model({"a": np.ones((2, 4)), "c": np.ones((2, 3))})
    with pytest.raises(ValueError, match=r'Input "b" of model .* expects shape \(None, 3\)\. Received: '
                                         r"an array of shape \(2, 5\)"):
        model([np.ones((2, 4)), np.ones((2, 5))])


def test_graph_disconnected_names_the_tensor_and_layer():
    a, b = Input(shape=(2,), name="a"), Input(shape=(2,), name="b")
    out = merge.add([Affine(2)(a), Affine(2, name="branch_b")(b)], name="sum")
    with pytest.raises(ValueError, match=r"Graph disconnected: cannot compute .*from layer 'b'.*layer 'branch_b'"):
        Model(a, out)
    with pytest.raises(ValueError, match=r"Expected outputs computed from the model's inputs\. Received: the output "
                                         r"<SymbolicTensor shape=\(None, 2\) from layer 'b'>, which is not connected"):
        Model(a, [Affine(2)(a), b])


def test_inputs_that_reach_no_output_are_named():
    a, b = Input(shape=(2,), name="used"), Input(shape=(2,), name="unused")
    with pytest.raises(ValueError, match=r"Expected every input to reach an output\. Received: inputs that do not reach "
                                         r"any output, .*layer 'unused'"):
        Model([a, b], Affine(1)(a))


def test_a_cycle_is_refused():
    x = Input(shape=(2,))
    layer = Affine(2, name="loop")
    y = layer(x)
    layer._inbound_nodes[0].input_tensors.append(y)  # not possible through the API: forge one
    with pytest.raises(ValueError, match=r"Expected an acyclic graph of layers\. Received: .*from layer 'loop'>, part of a cycle"):
        Model(x, y)


def test_non_symbolic_inputs_or_outputs_are_refused():
    x = Input(shape=(2,))
    with pytest.raises(ValueError, match="must be symbolic tensors.*ndarray"):
        Model(x, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="cannot be empty"):
        Model([], Affine(1)(x))


def test_duplicate_layer_names_are_refused():
    x = Input(shape=(2,))
    with pytest.raises(ValueError, match='"twin" is used 2 times'):
        Model(x, Affine(2, name="twin")(Affine(2, name="twin")(x)))


def test_layer_without_symbolic_calls_has_no_input():
    with pytest.raises(AttributeError, match='"lonely" has never been called'):
        Affine(2, name="lonely").output


def test_a_built_layer_refuses_an_input_of_another_size():
    dense = teachnet.layers.Dense(3, name="d3")
    dense(Input(shape=(4,)))
    with pytest.raises(ValueError, match=r'layer "d3".*\(None, 4\).*received input with shape \(None, 5\)'):
        dense(Input(shape=(5,)))


def test_keyword_form_and_trainable_flag():
    x = Input(shape=(2,))
    layer = Affine(1)
    model = Model(inputs=x, outputs=layer(x), name="frozen", trainable=False)
    assert isinstance(model, Functional) and model.name == "frozen"
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 2 and not layer.trainable


def test_get_layer_errors():
    x = Input(shape=(2,))
    model = Model(x, Affine(1, name="only")(x))
    with pytest.raises(ValueError, match=r"No such layer: nope. Existing layers are: \[.*'only'\]"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match=r"Expected `index` in \[-2, 1\]: model \"\w+\" has 2 layers\. Received: index=5"):
        model.get_layer(index=5)


# -- summary ---------------------------------------------------------------------------

def test_summary_of_a_graph_has_keras_connected_to_column():
    a, b, _, reg, cls = two_inputs_two_outputs()
    model = Model([a, b], [reg, cls], name="two_heads")
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "two_heads"' in text and "Connected to" in text
    row = [line for line in text.splitlines() if "joined (Concatenate)" in line][0]
    assert "(None, 10)" in row and "da[0][0], db[0][0]" in row
    assert [line for line in text.splitlines() if "a (InputLayer)" in line][0].rstrip(" │").endswith("-")
    assert "Total params: 89" in text  # 25 + 20 + 33 + 11


def test_summary_of_a_chain_has_no_connected_to_column():
    x = Input(shape=(3,))
    model = Model(x, Affine(2)(Tanh()(Affine(4)(x))))
    lines = []
    model.summary(print_fn=lines.append)
    assert "Connected to" not in "\n".join(lines) and "Param #" in "\n".join(lines)


def test_summary_shows_shared_layers_calls():
    shared = Affine(2, name="shared")
    a, b = Input(shape=(2,), name="left"), Input(shape=(2,), name="right")
    model = Model([a, b], merge.add([shared(a), shared(b)], name="both"))
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "left[0][0], right[0][0]" in text and "shared[0][0], shared[1][0]" in text


# -- subclassed models, and models inside models (compile/fit from teachnet.models.model) ----

class TwoLayers(Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = teachnet.layers.Dense(8, activation="tanh")
        self.head = teachnet.layers.Dense(1)

    def call(self, inputs):
        return self.head(self.hidden(inputs))


def regression_data(n=64, features=3):
    x = rng.standard_normal((n, features)).astype("float32")
    return x, (x @ np.arange(1.0, features + 1) / features).astype("float32")[:, None]


def test_subclassed_model_tracks_its_layers_compiles_fits_evaluates_predicts():
    x, y = regression_data()
    model = TwoLayers(name="two_layers")
    assert not isinstance(model, Functional)
    from teachnet.optimizers import Adam
    model.compile(optimizer=Adam(learning_rate=0.02), loss="mse")
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert [w.path for w in model.weights] == [f"{model.hidden.name}/kernel", f"{model.hidden.name}/bias",
                                               f"{model.head.name}/kernel", f"{model.head.name}/bias"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(x, y, verbose=0) < before / 2
    assert model.predict(x[:5], verbose=0).shape == (5, 1)


def test_subclassed_model_holding_a_functional_model():
    inputs = Input(shape=(3,))
    backbone = Model(inputs, teachnet.layers.Dense(6, activation="relu")(inputs), name="backbone")

    class WithBackbone(Model):
        def __init__(self, backbone):
            super().__init__()
            self.backbone = backbone
            self.head = teachnet.layers.Dense(1)

        def call(self, inputs):
            return self.head(self.backbone(inputs))
    model = WithBackbone(backbone)
    x, y = regression_data()
    model.compile(optimizer="adam", loss="mse")
    start = [w.numpy() for w in backbone.weights]
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert model.weights[:2] == backbone.weights  # the backbone's weights are the model's
    assert all(np.any(w.numpy() != s) for w, s in zip(backbone.weights, start))  # and they trained


def test_functional_model_as_a_layer_trains_its_weights():
    inner_in = Input(shape=(3,))
    inner = Model(inner_in, teachnet.layers.Dense(4, activation="tanh")(inner_in), name="inner")
    x_in = Input(shape=(3,))
    model = Model(x_in, teachnet.layers.Dense(1)(inner(x_in)))
    x, y = regression_data()
    model.compile(optimizer="adam", loss="mse")
    start = inner.get_weights()
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(np.any(w != s) for w, s in zip(inner.get_weights(), start))


# -- the worked topologies --------------------------------------------------------------

def test_two_branch_example_trains_and_needs_both_inputs():
    teachnet.utils.set_random_seed(0)
    model = examples.two_branch_model()
    assert model.input_names == ["measurements", "category"] and model.output_names == ["decision"]
    x, y = examples.two_branch_data(256)
    assert x["measurements"].shape == (256, 4) and x["category"].shape == (256, 6) and y.shape == (256, 1)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]


def test_multi_head_example_has_named_heads_and_trains_both():
    teachnet.utils.set_random_seed(0)
    model = examples.multi_head_model()
    assert model.output_names == ["kind", "price"]  # dict outputs, in sorted key order as Keras
    x, y = examples.multi_head_data(256)
    assert set(y) == {"price", "kind"} and y["kind"].max() == 2
    model.compile(optimizer="adam", loss={"price": "mse", "kind": "sparse_categorical_crossentropy"},
                  loss_weights={"price": 1.0, "kind": 0.5}, metrics={"kind": ["accuracy"]})
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert sorted(history.history) == ["kind_accuracy", "kind_loss", "loss", "price_loss"]
    for key in ("price_loss", "kind_loss"):
        assert history.history[key][-1] < history.history[key][0]
    out = model.predict(x[:4], verbose=0)
    assert out["price"].shape == (4, 1) and out["kind"].shape == (4, 3)


def test_inception_block_example_concatenates_its_branches():
    teachnet.utils.set_random_seed(0)
    model = examples.inception_block_model()
    assert model.get_layer("branches").output.shape == (None, 4 + 8 + 16)
    assert {layer.name for layer in model.layers} >= {"narrow", "deep_1", "deep_2", "wide", "branches"}
    x, y = examples.inception_data(256)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.8


def test_inception_conv_example_joins_four_branches_and_learns_digits():
    teachnet.utils.set_random_seed(0)
    model = examples.inception_conv_model()
    assert model.get_layer("inception").output.shape == (None, 8, 8, 8 + 8 + 4 + 4)
    assert len(model.get_layer("inception")._inbound_nodes[0].input_tensors) == 4
    x, y = examples.inception_conv_data(256)
    assert x.shape == (256, 8, 8, 1) and x.max() <= 1.0 and set(np.unique(y)) == set(range(10))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=4, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.5
