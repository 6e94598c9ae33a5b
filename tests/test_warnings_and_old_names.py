"""Issue 14 items 5 and 6: warnings and hints where Keras warns (or where the
shapes alone do not say what went wrong), and old Keras spellings that get the
new name instead of a bare "unrecognized argument"."""
import os
import warnings

import numpy as np
import pytest

import teachnet
from teachnet import callbacks, layers, metrics, optimizers

os.environ.setdefault("KERAS_BACKEND", "torch")

# softmax over an axis of size 1: tests/test_ops_keras_gap.py::test_softmax_over_an_axis_of_size_one_warns


@pytest.mark.parametrize("metric", [metrics.Precision, metrics.Recall])
def test_precision_and_recall_on_class_labels_say_to_use_one_hot_targets_or_class_id(metric):
    y_pred = np.eye(3, dtype="float32")[[0, 2, 1, 1]]
    with pytest.raises(ValueError, match=rf'{metric.__name__} metric ".*" received a multi-class output of shape '
                                         r"\(4, 3\) and class labels of shape \(4,\).*needs one-hot targets of "
                                         r"shape \(4, 3\): y = teachnet.ops.one_hot\(labels, 3\).*class_id=k"):
        metric().update_state(np.array([0, 2, 1, 0]), y_pred)
    model = teachnet.Sequential([teachnet.Input(shape=(2,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=[metric()])
    with pytest.raises(ValueError, match="needs one-hot targets"):
        model.fit(np.ones((4, 2), "float32"), np.array([0, 1, 2, 0]), verbose=0)


def test_precision_with_one_hot_targets_and_class_id_is_what_keras_computes():
    keras = pytest.importorskip("keras")
    y_true, y_pred = np.eye(3, dtype="float32")[[0, 2, 1, 1]], np.eye(3, dtype="float32")[[0, 2, 2, 1]]
    for kwargs in ({}, {"class_id": 2}, {"class_id": 1}):
        ours, theirs = metrics.Precision(**kwargs), keras.metrics.Precision(**kwargs)
        ours.update_state(y_true, y_pred)
        theirs.update_state(y_true, y_pred)
        assert float(ours.result()) == pytest.approx(float(theirs.result()))


def test_dense_on_images_without_flatten_gets_a_hint_after_the_shapes():
    x, y = np.zeros((8, 28, 28), "float32"), np.arange(8) % 10
    model = teachnet.Sequential([teachnet.Input(shape=(28, 28)), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError) as info:
        model.fit(x, y, verbose=0)
    lines = str(info.value).splitlines()
    assert "Received: y_true of shape (8,)" in lines[0] and "y_pred of shape (8, 28, 10)" in lines[0]
    assert lines[-1] == ("Hint: y_pred keeps axes (28,) that y_true does not have. Dense acts on the last axis "
                         "only, so Dense on images or sequences keeps the other axes: put a Flatten() (or a global "
                         "pooling layer) before the first Dense.")


def test_conv2d_on_channels_first_images_gets_a_hint():
    model = teachnet.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)])
    with pytest.raises(ValueError) as info:
        model(np.zeros((2, 1, 28, 28), "float32"))     # MNIST stored as PyTorch does: the kernel does not fit
    assert "is larger than the input (spatial shape (1, 28))" in str(info.value)
    assert str(info.value).splitlines()[-1].startswith(
        "Hint: the input shape (None, 1, 28, 28) looks channels-first (1 channel(s), then 28x28 pixels), but "
        "Conv2D reads (batch, height, width, channels): move the channel axis last with x = np.moveaxis(x, 1, -1)")
    model = teachnet.Sequential([layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(2)])
    with pytest.warns(UserWarning, match=r"input shape \(None, 3, 32, 32\) looks channels-first"):
        model(np.zeros((2, 3, 32, 32), "float32"))     # fits, but convolves over the wrong axes
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # channels-last images: no hint
        teachnet.Sequential([layers.Conv2D(4, 3)])(np.zeros((2, 28, 28, 1), "float32"))
        teachnet.Sequential([layers.Conv2D(4, 3)])(np.zeros((2, 4, 4, 64), "float32"))


def test_a_built_model_on_a_symbolic_input_of_the_wrong_width_raises_as_data_does():
    model = teachnet.Sequential([teachnet.Input(shape=(4,)), layers.Dense(3, name="hidden"), layers.Dense(2)])
    message = r'Input of layer "hidden" is incompatible with the layer: expected axis -1 of input shape to have ' \
              r"value 4 .* but received input with shape \({}, 5\)"
    with pytest.raises(ValueError, match=message.format(2)):
        model(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match=message.format("None")):
        model(teachnet.Input(shape=(5,)))
    assert model(teachnet.Input(shape=(4,))).shape == (None, 2)  # the right width still works


def test_old_keras_argument_names_point_to_the_new_ones():
    with pytest.raises(ValueError, match=r"Adam: argument\(s\) not recognized: \['lr'\]. `lr` is now "
                                         r"`learning_rate` \(`lr` is its Keras 2 name\)"):
        optimizers.Adam(lr=0.01)
    with pytest.raises(TypeError, match=r"Dense: unexpected keyword argument\(s\) \['W_regularizer', 'init'\]. "
                                        r"`W_regularizer` is now `kernel_regularizer` .*; `init` is now "
                                        r"`kernel_initializer`"):
        layers.Dense(4, init="uniform", W_regularizer="l2")
    with pytest.raises(TypeError, match=r"`border_mode` is now `padding`.*`subsample` is now `strides`"):
        layers.Conv2D(8, 3, border_mode="same", subsample=(2, 2))
    with pytest.raises(TypeError, match=r"ModelCheckpoint: unexpected keyword argument\(s\) \['period'\]. `period` "
                                        r"is now `save_freq`.*save_freq=n \* steps_per_epoch"):
        callbacks.ModelCheckpoint("a.weights.npz", period=2)
    inputs = teachnet.Input(shape=(3,))
    with pytest.raises(TypeError, match=r"`input` is now `inputs` .*; `output` is now `outputs`"):
        teachnet.Model(input=inputs, output=layers.Dense(1)(inputs))
    with pytest.raises(TypeError, match=r"Dense: unexpected keyword argument\(s\) \['unit'\]\.$"):
        layers.Dense(4, unit=3)  # not an old name: no hint


def test_what_keras_3_still_accepts_is_accepted():
    with pytest.warns(UserWarning, match=r"SGD: argument `decay` is no longer supported \(Keras 3\) and is ignored"
                                         r".*InverseTimeDecay\(learning_rate, decay_steps=1, decay_rate=0.01\)"):
        opt = optimizers.SGD(learning_rate=0.1, decay=0.01)
    w = teachnet.Variable([1.0])
    opt.apply_gradients([(np.array([1.0]), w)])
    assert w.numpy() == pytest.approx([0.9])  # ignored, as in Keras 3
    with pytest.warns(UserWarning, match=r"ReduceLROnPlateau: argument\(s\) \['epsilon'\] are ignored \(as in "
                                         r"Keras 3\). `epsilon` was Keras 2's name of `min_delta`"):
        reduce = callbacks.ReduceLROnPlateau(epsilon=0.5)
    assert reduce.min_delta == 1e-4
    dense = layers.Dense(3, input_dim=4)             # Keras 3's Layer takes input_dim
    model = teachnet.Sequential([dense, layers.Dense(1)])
    assert model.built and dense.kernel.shape == (4, 3)
