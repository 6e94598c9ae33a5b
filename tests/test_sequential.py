"""Sequential: construction (Input, input_shape=, data), layers, pop, and Keras 3's summary table."""
import os

import numpy as np
import pytest

import teachnet
from tests.helpers import Linear
from teachnet.layers.base import clear_session




class Frozen(teachnet.layers.Layer):
    """A layer with a non-trainable weight and compute_output_shape."""

    def build(self, input_shape):
        self.scale = self.add_weight((input_shape[-1],), initializer="ones", trainable=False, name="scale")

    def call(self, x):
        return x * self.scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


def test_from_input_list_builds_at_once_and_hides_the_input_layer():
    model = teachnet.Sequential([teachnet.Input(shape=(5,)), Linear(3), Linear(2)])
    assert model.built and len(model.layers) == 2
    assert [w.shape for w in model.weights] == [(5, 3), (3,), (3, 2), (2,)]
    assert model.input_shape == (None, 5) and model.output_shape == (None, 2)
    assert model(np.ones((4, 5))).shape == (4, 2)


def test_add_input_shape_argument_and_deferred_build():
    a = teachnet.Sequential()
    a.add(teachnet.Input(shape=(4,)))
    a.add(Linear(3))
    assert a.built and a.layers[0].kernel.shape == (4, 3)
    b = teachnet.Sequential([Linear(3, input_shape=(6,))])
    assert b.built and b.layers[0].kernel.shape == (6, 3)
    c = teachnet.Sequential([Linear(3), Linear(1)])
    assert not c.built and c.weights == []
    out = c(np.ones((2, 7), dtype="float32"))
    assert c.built and out.shape == (2, 1) and c.layers[0].kernel.shape == (7, 3)


def test_pop_removes_the_top_layer():
    model = teachnet.Sequential([teachnet.Input(shape=(5,)), Linear(3), Linear(2)])
    top = model.pop()
    assert isinstance(top, Linear) and len(model.layers) == 1 and model.output_shape == (None, 3)
    assert model(np.ones((1, 5))).shape == (1, 3) and len(model.weights) == 2
    model.pop()
    with pytest.raises(IndexError, match="no layers to pop"):
        model.pop()


def test_errors_name_the_model_and_the_problem():
    with pytest.raises(ValueError, match="Only instances of `teachnet.layers.Layer`.*Received: 3"):
        teachnet.Sequential([3])
    model = teachnet.Sequential([teachnet.Input(shape=(2,))])
    with pytest.raises(ValueError, match=r"already been configured to use input shape \(None, 2\)\. Received: another "
                                         r"Input, of shape \(None, 3\)"):
        model.add(teachnet.Input(shape=(3,)))
    late = teachnet.Sequential([Linear(2)])
    with pytest.raises(ValueError, match=r"expects its Input first, before any layer\. Received: an Input after the "
                                         r"layers \['linear\w*'\]\. Start the model with the Input"):
        late.add(teachnet.Input(shape=(3,)))
    with pytest.raises(ValueError, match="cannot be built without an input shape"):
        teachnet.Sequential([Linear(2)]).build()


def test_summary_matches_keras_3_table(capsys):
    clear_session()
    model = teachnet.Sequential([teachnet.Input(shape=(784,)), Linear(512), Frozen(), Linear(10)])
    model.summary()
    expected = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ linear (Linear)                 │ (None, 512)            │       401,920 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ frozen (Frozen)                 │ (None, 512)            │           512 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ linear_1 (Linear)               │ (None, 10)             │         5,130 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 407,562 (1.55 MB)
 Trainable params: 407,050 (1.55 MB)
 Non-trainable params: 512 (2.00 KB)
"""
    assert capsys.readouterr().out == expected
    lines = []
    model.summary(print_fn=lines.append)
    assert lines == [expected]


def test_summary_of_an_unbuilt_model():
    lines = []
    teachnet.Sequential([Linear(3)], name="tiny").summary(print_fn=lines.append)
    assert '"tiny"' in lines[0] and "│ ?                      │   0 (unbuilt) │" in lines[0]
    assert " Total params: 0 (0.00 B)" in lines[0]


def test_summary_text_equals_keras_for_dense_models():
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    keras.utils.clear_session()
    clear_session()
    ours, theirs = [], []
    teachnet.Sequential([teachnet.Input(shape=(784,)), teachnet.layers.Dense(512, activation="relu"),
                         teachnet.layers.Dense(10, activation="softmax")]).summary(print_fn=ours.append)
    keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(512, activation="relu"),
                      keras.layers.Dense(10, activation="softmax")]).summary(
        print_fn=lambda text, line_break=True: theirs.append(text))
    assert ours == theirs


def test_a_layer_built_for_other_shapes_is_refused_when_stacked():
    dense = teachnet.layers.Dense(3)
    dense.build((None, 4))
    with pytest.raises(ValueError, match=dense.name):
        teachnet.Sequential([teachnet.Input(shape=(5,)), dense])


def test_a_last_layer_with_several_outputs_is_kept_and_a_layer_after_it_refused():
    tn = teachnet
    # Keras lets a Sequential model end with a layer of several outputs (here LSTM's output and two states)
    model = tn.Sequential([tn.Input((5, 3)), tn.layers.LSTM(4, return_state=True)])
    assert model.output_shape == [(None, 4), (None, 4), (None, 4)]
    assert [tuple(o.shape) for o in model(np.zeros((2, 5, 3), "float32"))] == [(2, 4)] * 3
    with pytest.raises(ValueError, match=r'^Layer "dense\w*" expects 1 input, but the layer before it in the '
                                         r"Sequential model returns 3 tensors\. Received: shapes \[\(None, 4\), "
                                         r".*functional API"):
        tn.Sequential([tn.Input((5, 3)), tn.layers.LSTM(4, return_state=True), tn.layers.Dense(2)])
