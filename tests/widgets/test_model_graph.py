"""ModelGraph, headless: the graph and layer pictures are PNGs that follow the selected layer, the
activation statistics are the model's own intermediate outputs, and bad input says what is wrong."""
import base64

import numpy as np
import pytest

import teachnet as tn
from teachnet import examples
from widgets.model_graph import ModelGraph

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXAMPLES = [(examples.two_branch_model, examples.two_branch_data),
            (examples.multi_head_model, examples.multi_head_data),
            (examples.inception_block_model, examples.inception_data)]


@pytest.mark.parametrize("build, data", EXAMPLES, ids=["two_branch", "multi_head", "inception"])
def test_every_layer_of_the_examples_can_be_selected(build, data):
    tn.utils.set_random_seed(0)
    model = build()
    x, _ = data(16)
    graph = ModelGraph(model, sample=x)
    names = [layer.name for layer in model.layers]
    assert [value for _, value in graph.layer_dropdown.options] == names
    assert graph.layer_name == next(layer.name for layer in model.layers if layer.weights)
    seen_graphs, seen_layers = set(), set()
    for name in names:
        graph.layer_dropdown.value = name
        assert graph.layer_name == name and graph.last_error is None
        assert bytes(graph.graph_image.value).startswith(PNG_SIGNATURE)
        seen_graphs.add(bytes(graph.graph_image.value))  # the red outline moves
        seen_layers.add(bytes(graph.layer_image.value))
        assert graph.activations[name].shape[0] == 16  # one row per sample
    assert len(seen_graphs) == len(names) and len(seen_layers) == len(names)


def test_activations_are_the_models_intermediate_outputs():
    tn.utils.set_random_seed(0)
    model = examples.multi_head_model()
    x, _ = examples.multi_head_data(8)
    graph = ModelGraph(model, sample=x)
    predictions = model.predict(x, verbose=0)
    predictions = predictions if isinstance(predictions, dict) else dict(zip(model.output_names, predictions))
    for name in model.output_names:
        np.testing.assert_allclose(graph.activations[name], predictions[name], rtol=1e-6, atol=1e-7)
    trunk = model.get_layer("trunk")
    hidden = graph.activations[model.get_layer("hidden").name]
    np.testing.assert_allclose(graph.activations["trunk"], np.asarray(trunk(hidden)), rtol=1e-6, atol=1e-7)
    assert graph.activations["features"].shape == x.shape


def test_sequential_model_and_refresh_after_training():
    tn.utils.set_random_seed(0)
    model = tn.Sequential([tn.Input((4,)), tn.layers.Dense(5, activation="relu"), tn.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    graph = ModelGraph(model, sample=x)
    np.testing.assert_allclose(graph.activations[model.layers[-1].name], model.predict(x, verbose=0), rtol=1e-6)
    assert "output (32, 5)" in graph.layer_info.value  # the selected first Dense, on 32 samples
    before = bytes(graph.layer_image.value)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, x[:, :1], epochs=2, verbose=0)
    graph.refresh()
    assert bytes(graph.layer_image.value) != before  # the weights moved


def test_static_png_fallback_is_in_the_mimebundle():
    model = examples.two_branch_model()
    bundle = ModelGraph(model)._repr_mimebundle_()  # no sample: weights only
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)


def test_bad_input_says_what_is_wrong():
    model = examples.inception_block_model()
    graph = ModelGraph(model)
    with pytest.raises(ValueError, match=r"ModelGraph: expected `layer_name` to name a layer of model \"\w+\": one of \[.*'deep_1'.*\]\. "
                                         r"Received: layer_name='nope'"):
        graph.layer_name = "nope"
    with pytest.raises(ValueError, match=r"could not run model \"inception_block\" on the sample batch "
                                         r"\(shape \(4, 3\)\)"):
        ModelGraph(model, sample=np.zeros((4, 3), "float32"))
    with pytest.raises(TypeError, match="expects a teachnet Model"):
        ModelGraph(np.zeros(3))
    with pytest.raises(ValueError, match="is not built yet"):
        ModelGraph(tn.Sequential([tn.layers.Dense(2)]))
