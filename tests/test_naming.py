"""teachnet/naming.py: one snake_case and one counter for every automatic name."""
import inspect
import os

import pytest

import teachnet as tn
from teachnet.naming import snake_case, unique_name


def public_class_names():
    modules = [tn.layers, tn.metrics, tn.losses, tn.optimizers]
    return sorted({name for m in modules for name, c in vars(m).items()
                   if inspect.isclass(c) and not name.startswith("_")})


def test_snake_case_matches_keras_on_every_public_class_name():
    os.environ["KERAS_BACKEND"] = "torch"
    pytest.importorskip("keras")
    from keras.src.utils.naming import to_snake_case
    names = public_class_names()
    assert len(names) > 100
    assert [(n, snake_case(n)) for n in names] == [(n, to_snake_case(n)) for n in names]


@pytest.mark.parametrize("name, expected", [
    ("Conv2D", "conv2d"), ("MaxPooling2D", "max_pooling2d"), ("SimpleRNN", "simple_rnn"), ("AdamW", "adam_w"),
    ("BinaryAccuracy", "binary_accuracy"), ("GRU", "gru")])
def test_snake_case_examples(name, expected):
    assert snake_case(name) == expected


def test_layers_losses_metrics_and_optimizers_name_themselves_the_same_way():
    tn.utils.clear_session()
    assert [tn.layers.Dense(1).name, tn.layers.Dense(1).name] == ["dense", "dense_1"]
    assert tn.metrics.BinaryAccuracy().name == "binary_accuracy"
    assert tn.losses.MeanSquaredError().name == "mean_squared_error"
    assert tn.optimizers.Adam().name == "adam"
    assert tn.optimizers.RMSprop().name == "rm_sprop"  # as Keras 3.15 names it: the snake case of the class name
    tn.utils.clear_session()
    assert unique_name("dense") == "dense"  # the count starts again
