"""Bad input gets a clear ValueError/TypeError: the mistakes listed in issues 2, 3, 4, 13 and 14.

Each listed mistake is tested once. Where another test file already asserts the
message, this index points to it instead of repeating it; the tests below cover
the rest, and `test_no_mistake_is_first_seen_inside_numpy` checks for every
mistake that the error is raised by teachnet's own code (never a numpy frame)
and does not chain numpy's error.

Issue 2 (engine core):
- model called on the wrong feature count: test_layers_core.py::test_dense_wrong_feature_count_names_layer_and_shapes
  (a Sequential with an Input given the wrong rank: below)
- misspelled names list the valid names: test_optimizers.py::test_get_errors,
  test_losses.py::test_get_unknown_name_lists_the_valid_names,
  test_metrics.py::test_get_unknown_name_lists_the_valid_names,
  test_activations.py::test_get_errors_list_the_valid_names (in compile(): below)
- fit before compile: test_model_training.py::test_fit_before_compile_says_to_compile
- x and y of different lengths, batch_size < 1 in fit: test_model_training.py::test_bad_fit_arguments_are_named
  (batch_size < 1 in predict / evaluate: below)
- wrong target format for the loss: test_losses.py::test_integer_labels_with_the_categorical_loss_say_which_loss_to_use,
  test_losses.py::test_one_hot_labels_with_the_sparse_loss_say_which_loss_to_use,
  test_model_training.py::test_wrong_target_format_surfaces_as_a_clean_error
- negative learning rate: test_optimizers.py::test_get_errors, ::test_setting_a_negative_learning_rate_between_steps
- zero units: test_layers_core.py::test_dense_rejects_bad_units
- dropout rate outside [0, 1): test_layers_core.py::test_dropout_rejects_bad_rates
- a pickle disguised as weights: test_saving.py::test_pickles_are_refused
- no numpy traceback from deep inside an op: the ops tests below

Issue 3 (graphs of layers):
- wrong number of input arrays, dict with a missing / unknown input name:
  test_functional.py::test_wrong_number_of_inputs_names_expected_and_received
- target dict with unknown output names: below
- loss list of the wrong length: test_model_training.py::test_multi_output_errors_name_the_outputs
- merging tensors whose shapes don't fit: test_merge.py::test_incompatible_shapes_name_the_layer_and_both_shapes,
  test_merge.py::test_concatenate_mismatch_names_both_shapes

Issue 4 (sequence and image layers):
- images without a channel axis: test_conv.py::test_conv2d_rejects_images_without_channel_axis
- sequences given to a 2D layer: test_pooling.py::test_pooling_layer_gradients ("pool_a" case, which says to use
  the 1D layer), test_conv.py::test_conv1d_rejects_images (the other way round)
- kernel larger than input with "valid" padding: test_conv.py::test_conv_rejects_kernel_larger_than_input
- CTC labels longer than the time axis: test_ctc.py::test_labels_longer_than_the_time_axis_raise
- token ids outside Embedding's input_dim: test_embedding.py (match '"words".*[0, 10).*id 10')

Issue 13 item 5 (the smaller Keras surface):
- schedules: decay_steps <= 0, boundaries/values of mismatched lengths, a float set on an optimizer made with a
  schedule: test_schedules.py::test_bad_arguments, ::test_a_schedule_cannot_be_overwritten_with_a_float
- teachnet.random: a bad seed, minval >= maxval, a dropout rate outside [0, 1), a noise_shape that does not
  broadcast, a negative shape: test_random.py::test_bad_arguments_are_named
- ModelCheckpoint: an unknown save_freq, a filepath of the wrong kind, a filepath naming a missing log:
  test_callbacks_keras.py::test_model_checkpoint_bad_arguments
- LambdaCallback: a misspelled hook, a hook that is not a function: test_callbacks_keras.py::
  test_lambda_callback_refuses_a_misspelled_hook
- Sequential.input before the input shape is known, get_layer with an unknown name / index:
  test_keras_surface.py::test_sequential_built_from_data_has_inputs_too_and_unbuilt_says_so,
  ::test_get_layer_by_name_or_index_on_every_kind_of_model
- Metric.add_variable before super().__init__: test_keras_surface.py::test_add_variable_before_super_init_says_what_to_do
- the added ops (einsum, glu, top_k, tril, slice, logaddexp, cond, scan, normalize, segment_sum):
  test_ops_keras_gap.py::test_bad_arguments_name_the_op

Issue 14 items 5 and 6 (warnings, hints, old spellings): test_warnings_and_old_names.py
- softmax over an axis of size 1: test_ops_keras_gap.py::test_softmax_over_an_axis_of_size_one_warns
- Precision / Recall on a multi-class output with class labels:
  test_warnings_and_old_names.py::test_precision_and_recall_on_class_labels_say_to_use_one_hot_targets_or_class_id
- Dense on images without Flatten: ::test_dense_on_images_without_flatten_gets_a_hint_after_the_shapes
- Conv2D on channels-first arrays: ::test_conv2d_on_channels_first_images_gets_a_hint
- a built model called on a symbolic Input of the wrong width:
  ::test_a_built_model_on_a_symbolic_input_of_the_wrong_width_raises_as_data_does
- lr= and other renamed Keras 1/2 arguments: ::test_old_keras_argument_names_point_to_the_new_ones
  (decay=, ReduceLROnPlateau(epsilon=), input_dim= are accepted as in Keras 3:
  ::test_what_keras_3_still_accepts_is_accepted)
- a single callback not in a list is accepted: test_callbacks.py::test_history_and_callback_type_check
Issue 13 item 3 (masking):
- a mask of the wrong shape names both shapes (a layer's `mask=`, `model(x, mask=)`, a loss):
  test_masking.py::test_a_mask_of_the_wrong_shape_names_both_shapes

Issue 14 item 2 (the layer contract):
- super().__init__ forgotten: test_layer_contract.py::test_a_layer_without_super_init_says_to_add_it,
  ::test_a_model_without_super_init_says_to_add_it (RuntimeError, as Keras)
- call returning None: test_layer_contract.py::test_call_returning_none_called_directly,
  ::test_call_returning_none_inside_models
- add_weight in call after build: test_layer_contract.py::test_add_weight_in_call_after_build_is_refused_as_keras_does
- build(self) without input_shape (accepted, as Keras):
  test_layer_contract.py::test_build_without_input_shape_is_accepted_everywhere,
  ::test_build_without_input_shape_computes_what_keras_computes
- add_weight(shape=3) (accepted): test_layer_contract.py::test_add_weight_accepts_an_int_shape
- a shape holding None: test_layer_contract.py::test_add_weight_with_none_in_the_shape_names_the_batch_axis
- call computing through numpy:
  test_layer_contract.py::test_numpy_in_call_under_a_tape_names_the_weights_without_gradient,
  ::test_a_numpy_ufunc_in_call_points_to_the_op_of_the_same_name,
  ::test_fit_with_numpy_in_call_says_which_weights_get_no_gradient
- Sequential(layer): test_layer_contract.py::test_sequential_given_one_layer_instead_of_a_list
- input_shape=3: test_layer_contract.py::test_input_shape_given_as_an_int

Issue 14 item 3 (tapes): test_tape_errors.py
- gradient on a tape never entered (RuntimeError):
  ::test_gradient_on_a_tape_never_entered_is_a_runtime_error_as_in_tensorflow
- twice on a non-persistent tape (RuntimeError):
  ::test_a_second_gradient_call_on_a_non_persistent_tape_says_how_to_ask_twice
- a loss computed after the with block (RuntimeError naming the tape):
  ::test_a_loss_computed_after_the_with_block_names_the_tape
- a numpy array / an unwatched constant as a source: ::test_a_numpy_array_as_a_source_says_to_make_it_a_variable,
  ::test_an_unwatched_constant_as_a_source_says_to_watch_it
- numpy ufuncs on a Variable: ::test_numpy_ufuncs_on_a_variable_point_to_the_teachnet_op_of_the_same_name
Issue 13 (custom train_step, data that is not one array):
- a train_step / test_step returning something other than a dict of numbers:
  test_train_step.py::test_a_train_step_returning_something_else_says_what_it_must_return,
  test_train_step.py::test_a_test_step_returning_a_list_is_refused_by_evaluate
- a generator (or PyDataset) yielding a wrong structure names the batch index and what was expected:
  test_data_adapters.py::test_a_generator_yielding_a_wrong_structure_names_the_batch_and_what_was_expected,
  test_data_adapters.py::test_a_py_dataset_batch_of_the_wrong_structure_names_its_index
  (targets passed beside a generator, an empty generator, a PyDataset without length: test_data_adapters.py)

Issue 14 item 4 (plain Python data):
- class_weight as a list or with string keys:
  test_data_adapters.py::test_class_weight_as_a_list_or_with_string_keys_is_refused_saying_how_to_write_it
- labels outside [0, 1] for binary crossentropy, outside [0, classes) for the sparse loss, validation data in
  another label format than the training data, rows of different lengths in a list: below

Issue 14 item 1 (saving never destroys a file): test_saving_keras.py
- a writer raising mid-file and Ctrl-C mid-save, for .keras, .weights.h5 and .weights.npz:
  ::test_a_save_failing_mid_file_keeps_the_previous_file
- a file-size limit (RLIMIT_FSIZE, in a subprocess): ::test_a_file_size_limit_keeps_the_previous_file
- ModelCheckpoint, plot_model(to_file=), the dataset cache: ::test_model_checkpoint_failing_keeps_the_previous_checkpoint,
  ::test_plot_file_failing_keeps_the_previous_picture, ::test_dataset_download_failing_keeps_the_previous_cached_file

Issue 14 item 7 (widgets): tests/widgets/test_bad_arguments.py
- a bad argument (wrong type or unknown choice) is a ValueError/TypeError naming the widget's argument, what it
  accepts and what it received, never a bare TraitError, and the banner shows the same words:
  ::test_a_bad_argument_says_what_was_expected_and_received
- an unknown keyword lists the settable ones: ::test_an_unknown_argument_lists_the_settable_ones
"""
import os
import pickle
import traceback

import numpy as np
import pytest

import teachnet
from teachnet import layers, ops
from tests.gradcheck import check_gradients

FLOAT = np.float32


# -- ops: numpy's broadcast errors are re-raised naming the op and the shapes --------
BROADCAST_CASES = [
    ("add", lambda a, b: ops.add(a, b)),
    ("subtract", lambda a, b: ops.subtract(a, b)),
    ("multiply", lambda a, b: ops.multiply(a, b)),
    ("divide", lambda a, b: ops.divide(a, b)),
    ("power", lambda a, b: ops.power(a, b)),
    ("maximum", lambda a, b: ops.maximum(a, b)),
    ("minimum", lambda a, b: ops.minimum(a, b)),
    ("equal", lambda a, b: ops.equal(a, b)),
    ("less", lambda a, b: ops.less(a, b)),
    ("add", lambda a, b: teachnet.Variable(a) + b),       # a Tensor operator, numpy on the right
    ("subtract", lambda a, b: a - teachnet.Variable(b)),  # ... and numpy on the left
    ("multiply", lambda a, b: teachnet.Variable(a) * teachnet.Variable(b)),
]


@pytest.mark.parametrize("op,call", BROADCAST_CASES)
def test_elementwise_ops_name_the_op_and_both_shapes(op, call):
    with pytest.raises(ValueError, match=rf"^{op}: cannot broadcast shapes \(2, 3\) and \(2, 5\) together") as info:
        call(np.ones((2, 3), FLOAT), np.ones((2, 5), FLOAT))
    assert info.value.__cause__ is None and info.value.__suppress_context__  # numpy's error is not chained


def test_where_and_clip_name_every_shape():
    with pytest.raises(ValueError, match=r"^where: cannot broadcast shapes \(2, 3\) and \(2, 5\) and \(\)"):
        ops.where(np.ones((2, 3)) > 0, np.ones((2, 5)), 0.0)
    with pytest.raises(ValueError, match=r"^clip: cannot broadcast shapes \(2, 3\) and \(4,\) and \(\)"):
        ops.clip(np.ones((2, 3)), np.zeros(4), 1.0)


def test_shape_ops_name_the_op_and_the_shapes():
    with pytest.raises(ValueError, match=r"^stack along axis 0 needs tensors of one shape.*\[\(2, 3\), \(4, 5\)\]"):
        ops.stack([np.ones((2, 3)), np.ones((4, 5))])
    with pytest.raises(ValueError, match=r"^broadcast_to: cannot broadcast a tensor of shape \(2, 3\) to shape \(4, 5\)"):
        ops.broadcast_to(np.ones((2, 3)), (4, 5))
    with pytest.raises(ValueError, match=r"^transpose: axes must be a permutation of the 2 axes of a tensor of shape "
                                         r"\(2, 3\)\. Received: axes=\(0, 2, 1\)"):
        ops.transpose(np.ones((2, 3)), (0, 2, 1))


def test_ops_still_broadcast_and_differentiate_when_shapes_fit():
    # The try/except around numpy must not change values or gradients.
    x = np.arange(6, dtype=np.float64).reshape(2, 3) - 2.5

    def f(w, v):  # w: (1, 3), v: (2, 3)
        both = ops.where(v > 0, ops.multiply(w, v), ops.subtract(ops.add(w, v), w * w))
        return ops.sum(ops.divide(both, ops.maximum(w, 0.5)) + ops.minimum(v, w) ** 2.0)

    check_gradients(f, np.array([[1.0, 2.0, 3.0]]), x)
    assert ops.transpose(ops.stack([x, x]), (0, 2, 1)).shape == (2, 3, 2)
    assert ops.broadcast_to(np.ones(3), (2, 3)).shape == (2, 3)
    np.testing.assert_array_equal(ops.clip(x, -1.0, 1.0).numpy(), np.clip(x, -1.0, 1.0))


AXIS_AND_SIZE_CASES = [
    (lambda x: ops.softmax(x, axis=5), ValueError, r"^softmax of a tensor of shape \(2, 3\): axis 5 is out of bounds"),
    (lambda x: ops.log_softmax(x, axis=5), ValueError, r"^log_softmax of a tensor of shape \(2, 3\): axis 5"),
    (lambda x: ops.squeeze(x, axis=0), ValueError, r"^squeeze of a tensor of shape \(2, 3\): cannot select an axis"),
    (lambda x: ops.expand_dims(x, 5), ValueError, r"^expand_dims of a tensor of shape \(2, 3\): axis 5"),
    (lambda x: ops.swapaxes(x, 0, 5), ValueError, r"^swapaxes of a tensor of shape \(2, 3\):.*axis 5"),
    (lambda x: ops.flip(x, 5), ValueError, r"^flip of a tensor of shape \(2, 3\): axis 5"),
    (lambda x: ops.argmax(x, axis=5), ValueError, r"^argmax of a tensor of shape \(2, 3\): axis 5"),
    (lambda x: ops.tile(x, (2, -1)), ValueError, r"^tile of a tensor of shape \(2, 3\): .*repeats=\(2, -1\)"),
    (lambda x: ops.take(x, [0], axis=5), ValueError, r"^axis 5 is out of bounds for a tensor of rank 2"),
    (lambda x: ops.repeat(x, 2, axis=5), ValueError, r"^axis 5 is out of bounds for a tensor of rank 2"),
    (lambda x: ops.take(x, [7], axis=0), IndexError, r"^take: indices must lie in \[-2, 2\) for axis 0 of a tensor "
                                                     r"of shape \(2, 3\)\. Received: indices from 7 to 7"),
    (lambda x: ops.pad(x, ((1, 1),) * 3), ValueError, r"^pad: a tensor of shape \(2, 3\) needs pad_width as 2"),
    (lambda x: ops.concatenate([x, x], axis=5), ValueError, r"^concatenate along axis 5 .*\[\(2, 3\), \(2, 3\)\]"),
    (lambda x: ops.stack([x, x], axis=5), ValueError, r"^stack along axis 5 .*\[\(2, 3\), \(2, 3\)\]"),
    (lambda x: ops.convert_to_tensor([[1, 2], [3]]), ValueError,
     r"^Cannot convert a nested list with rows of different lengths \[1, 2\] to a tensor"),
    (lambda x: teachnet.Variable([[1.0], [2.0, 3.0]]), ValueError, r"rows of different lengths \[1, 2\]"),
]


@pytest.mark.parametrize("call,error,message", AXIS_AND_SIZE_CASES)
def test_bad_axes_and_sizes_name_the_op_and_the_shape(call, error, message):
    with pytest.raises(error, match=message) as info:
        call(np.zeros((2, 3), FLOAT))
    assert info.value.__cause__ is None  # numpy's error is not chained in front of the learner


# -- models: the rank of the data, misspelled names at compile, batch sizes ------------
def test_sequential_with_input_names_model_and_both_shapes_for_data_of_another_rank():
    model = teachnet.Sequential([teachnet.Input((4,)), layers.Dense(2)], name="mlp")
    with pytest.raises(ValueError, match=r'^Sequential model "mlp" expects input of shape \(None, 4\) \(rank 2\)\. '
                                         r"Received: input of shape \(2, 3, 4\) \(rank 3\)"):
        model.predict(np.zeros((2, 3, 4), FLOAT), verbose=0)


def test_sequential_with_input_adds_or_drops_a_trailing_axis_of_size_one_as_keras():
    # Keras squeezes a trailing size-1 axis the Input does not have, and adds one it lacks.
    assert teachnet.Sequential([teachnet.Input((4,)), layers.Dense(2)]).predict(
        np.zeros((3, 4, 1), FLOAT), verbose=0).shape == (3, 2)
    assert teachnet.Sequential([teachnet.Input((1,)), layers.Dense(2)]).predict(
        np.zeros((3,), FLOAT), verbose=0).shape == (3, 2)


def _small_model():
    return teachnet.Sequential([teachnet.Input((3,)), layers.Dense(1)])


def test_misspelled_loss_name_fails_at_compile_with_the_valid_names():
    with pytest.raises(ValueError, match=r"^Unknown loss 'mean_square_error'. Valid names: .*'mean_squared_error'"):
        _small_model().compile("sgd", loss="mean_square_error")
    with pytest.raises(ValueError, match=r"^Unknown loss 'msee'"):  # inside a dict of per-output losses too
        _small_model().compile("sgd", loss={"dense": "msee"})


def test_misspelled_metric_name_fails_at_compile_with_the_valid_names():
    with pytest.raises(ValueError, match=r"^Unknown metric 'acuracy'. Valid names: .*'accuracy'"):
        _small_model().compile("sgd", "mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match=r"^Unknown metric 'maee'"):
        _small_model().compile("sgd", "mse", weighted_metrics=["maee"])
    _small_model().compile("sgd", "mse", metrics=["accuracy", "acc", "mae"])  # resolved later from the shapes


@pytest.mark.parametrize("method", ["predict", "evaluate"])
def test_batch_size_below_one_is_named_in_predict_and_evaluate(method):
    model = _small_model()
    model.compile("sgd", "mse")
    x, y = np.zeros((4, 3), FLOAT), np.zeros((4, 1), FLOAT)
    args = (x,) if method == "predict" else (x, y)
    with pytest.raises(ValueError, match=r"`batch_size` to be a positive integer. Received: batch_size=0"):
        getattr(model, method)(*args, batch_size=0, verbose=0)


def _two_heads():
    inputs = teachnet.Input((3,), name="features")
    price = layers.Dense(1, name="price")(inputs)
    kind = layers.Dense(2, name="kind")(inputs)
    model = teachnet.Model(inputs, [price, kind])
    model.compile("sgd", "mse")
    return model


def test_target_dict_with_an_unknown_output_name_lists_the_output_names():
    x = np.zeros((4, 3), FLOAT)
    y = {"price": np.zeros((4, 1), FLOAT), "kinds": np.zeros((4, 2), FLOAT)}
    with pytest.raises(ValueError, match=r"Expected `y` to have one entry per output of the model "
                                         r"\(2 output\(s\): \['price', 'kind'\]\), keyed by output name. Received: a dict with "
                                         r"keys \['kinds', 'price'\] \(unknown: \['kinds'\]\). Use the output names as keys"):
        _two_heads().fit(x, y, verbose=0)


# -- every listed mistake: raised by teachnet, never first seen inside numpy ------------
def _fit(model, x, y, **kwargs):
    model.compile("sgd", kwargs.pop("loss", "mse"))
    return model.fit(x, y, verbose=0, **kwargs)


def _disguised_pickle(tmp_path):
    path = tmp_path / "model.weights.npz"
    path.write_bytes(pickle.dumps({"dense/kernel": np.zeros((3, 1))}))
    _small_model().load_weights(str(path))


def _two_inputs():
    a, b = teachnet.Input((3,), name="a"), teachnet.Input((2,), name="b")
    return teachnet.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))


X, Y = np.zeros((8, 3), FLOAT), np.zeros((8, 1), FLOAT)
MISTAKES = {
    "wrong feature count": lambda p: _small_model()(np.zeros((2, 5), FLOAT)),
    "wrong rank": lambda p: _small_model()(np.zeros((2, 5, 3), FLOAT)),
    "optimizer name": lambda p: _small_model().compile("adamm", "mse"),
    "loss name": lambda p: _small_model().compile("sgd", "mse2"),
    "metric name": lambda p: _small_model().compile("sgd", "mse", metrics=["acuracy"]),
    "activation name": lambda p: layers.Dense(2, activation="rleu"),
    "fit before compile": lambda p: _small_model().fit(X, Y, verbose=0),
    "x and y lengths": lambda p: _fit(_small_model(), X, Y[:5]),
    "target format": lambda p: _fit(teachnet.Sequential([teachnet.Input((3,)), layers.Dense(4, "softmax")]),
                                    X, np.arange(8) % 4, loss="categorical_crossentropy"),
    "target shape": lambda p: _fit(_small_model(), X, np.zeros((8, 2), FLOAT)),
    "negative learning rate": lambda p: teachnet.optimizers.Adam(learning_rate=-0.1),
    "zero units": lambda p: layers.Dense(0),
    "dropout rate": lambda p: layers.Dropout(1.0),
    "batch_size": lambda p: _fit(_small_model(), X, Y, batch_size=0),
    "disguised pickle": _disguised_pickle,
    "number of inputs": lambda p: _two_inputs().predict([np.zeros((2, 3))], verbose=0),
    "missing input name": lambda p: _two_inputs().predict({"a": np.zeros((2, 3))}, verbose=0),
    "unknown output name": lambda p: _two_heads().fit(X, {"price": Y, "kinds": np.zeros((8, 2))}, verbose=0),
    "loss list length": lambda p: _fit(_two_heads(), X, [Y, np.zeros((8, 2))], loss=["mse"] * 3),
    "merge shapes": lambda p: layers.Add()([np.zeros((2, 3), FLOAT), np.zeros((2, 5), FLOAT)]),
    "ops shapes": lambda p: teachnet.Variable(np.zeros((2, 3))) + np.zeros((2, 5)),
    "image without channels": lambda p: layers.Conv2D(2, 3)(np.zeros((2, 8, 8), FLOAT)),
    "sequences to a 2D layer": lambda p: layers.MaxPooling2D()(np.zeros((2, 8, 3), FLOAT)),
    "kernel larger than input": lambda p: layers.Conv2D(2, 5)(np.zeros((1, 3, 3, 1), FLOAT)),
    "ctc labels too long": lambda p: teachnet.losses.CTC()(np.ones((2, 6), "int32"), np.zeros((2, 4, 5), FLOAT)),
    "token id out of range": lambda p: layers.Embedding(10, 3)(np.array([[1, 12]])),
}




def _masked_prediction():
    y_pred = teachnet.ops.convert_to_tensor(np.ones((3, 1), FLOAT))
    y_pred._keras_mask = np.ones((3, 5), bool)
    return y_pred


def _numpy_dot_under_a_tape():
    class NumpyDot(layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 2))

        def call(self, x):
            return np.dot(x, self.kernel)
    with teachnet.GradientTape():
        NumpyDot()(X)


def _numpy_source():
    w = teachnet.Variable(1.0)
    with teachnet.GradientTape() as tape:
        y = w * 2.0
    tape.gradient(y, np.ones(3))


def _unwatched_source():
    c = teachnet.ops.convert_to_tensor(np.ones(3, FLOAT))
    with teachnet.GradientTape() as tape:
        y = teachnet.ops.sum(c * c)
    tape.gradient(y, c)


# Issues 13 (item 3) and 14 (items 2 and 3): the ValueError/TypeError cases (the RuntimeErrors are in the
# test files the index above names).
MISTAKES.update({
    "mask of the wrong shape": lambda p: layers.LSTM(2)(np.zeros((3, 5, 2), FLOAT), mask=np.ones((3, 4), bool)),
    "loss mask of the wrong shape": lambda p: teachnet.losses.MeanSquaredError()(np.ones((3, 1)), _masked_prediction()),
    "input_shape=3": lambda p: layers.Dense(2, input_shape=3),
    "Sequential(layer)": lambda p: teachnet.Sequential(layers.Dense(2)),
    "weight shape with None": lambda p: layers.Layer().add_weight(shape=(None, 3)),
    "numpy in call under a tape": lambda p: _numpy_dot_under_a_tape(),
    "numpy ufunc on a Variable": lambda p: np.exp(teachnet.Variable(np.ones(3))),
    "numpy array as a tape source": lambda p: _numpy_source(),
    "unwatched constant as a tape source": lambda p: _unwatched_source(),
})


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_no_mistake_is_first_seen_inside_numpy(mistake, tmp_path):
    with pytest.raises((ValueError, TypeError)) as info:
        MISTAKES[mistake](tmp_path)
    where = traceback.extract_tb(info.value.__traceback__)[-1].filename
    teachnet_dir = os.path.dirname(teachnet.__file__)
    assert where.startswith(teachnet_dir), f"{mistake}: raised in {where}: {info.value}"
    assert type(info.value.__cause__).__module__.split(".")[0] != "numpy"
    assert len(str(info.value)) > 40  # a sentence, not numpy's one-liner


# -- found by the audit: data of the wrong kind, a missing file ----------------------------
@pytest.mark.parametrize("argument", ["x", "y"])
def test_strings_as_data_say_to_encode_them(argument):
    model = _small_model()
    model.compile("sgd", "mse")
    data = {"x": X, "y": Y}
    data[argument] = np.array([["a"] * data[argument].shape[1]] * 8)
    with pytest.raises(TypeError, match=rf"^Expected `{argument}` to hold numbers\. Received: strings \(dtype <U1\) such as "
                                        r"'a'. Encode them as numbers first"):
        model.fit(data["x"], data["y"], verbose=0)


def test_loading_weights_from_a_missing_file_says_so(tmp_path):
    path = tmp_path / "never_saved.weights.npz"
    with pytest.raises(FileNotFoundError, match=r"No weights file at .*never_saved.weights.npz.*save_weights"):
        _small_model().load_weights(str(path))


# -- issue 14 item 4: targets the loss cannot use, validation data in another format ------------
def _classifier(units, activation, loss):
    model = teachnet.Sequential([teachnet.Input((3,)), layers.Dense(units, activation=activation)])
    model.compile("sgd", loss)
    return model


def test_labels_outside_0_1_for_binary_crossentropy_name_the_loss_and_the_values():
    x = np.zeros((6, 3), "float32")
    with pytest.raises(ValueError, match=r'^The loss "binary_crossentropy" expects targets in \[0, 1\] .*Received: values '
                                         r'outside it, \[-1.0, 2.0\]\. For class ids 0..n-1 use "sparse_categorical'):
        _classifier(1, "sigmoid", "binary_crossentropy").fit(x, [0, 1, 2, -1, 1, 0.0], verbose=0)


def test_class_ids_outside_the_outputs_name_the_sparse_loss_and_the_ids():
    x = np.zeros((6, 3), "float32")
    with pytest.raises(ValueError, match=r'^The loss "sparse_categorical_crossentropy" expects class ids in \[0, 3\) '
                                         r"because the model's output has 3 units .*Received: ids outside it, \[3, 4\]"):
        _classifier(3, "softmax", "sparse_categorical_crossentropy").fit(x, [0, 1, 2, 3, 4, 3], verbose=0)
    model = _classifier(3, "softmax", teachnet.losses.SparseCategoricalCrossentropy(ignore_class=-1))
    model.fit(x, [0, 1, 2, -1, -1, 2], verbose=0)  # the ignored class is not a bad id


def test_validation_data_in_another_label_format_says_it_is_the_validation_data():
    x = np.random.default_rng(0).normal(size=(9, 3)).astype("float32")
    y = np.arange(9) % 3
    model = _classifier(3, "softmax", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"^Expected the validation data's targets in the label format of the "
                                         r"training targets, of shape \(9,\)\. Received: validation targets of shape "
                                         r"\(9, 3\)\..*np.argmax\(y_val, axis=-1\)"):
        model.fit(x, y, validation_data=(x, teachnet.utils.to_categorical(y)), verbose=0)

    def one_hot_batches():
        while True:
            yield x, teachnet.utils.to_categorical(y)
    with pytest.raises(ValueError, match=r"(?s)^In the validation data \(batch 0\): .*looks one-hot encoded.*The "
                                         r"validation data must have the format of the training data"):
        model.fit(x, y, validation_data=one_hot_batches(), validation_steps=1, verbose=0)


def test_validation_targets_of_two_outputs_are_checked_output_by_output():
    inputs = teachnet.Input((5,))
    model = teachnet.Model(inputs, {"a": teachnet.layers.Dense(3, name="a")(inputs),
                                    "b": teachnet.layers.Dense(1, name="b")(inputs)})
    model.compile(optimizer="sgd", loss={"a": "mse", "b": "mse"})
    x, y = np.zeros((4, 5), "float32"), {"a": np.zeros((4, 3), "float32"), "b": np.zeros((4, 1), "float32")}
    with pytest.raises(ValueError, match=r"^Expected the validation data's targets \(output 1\) in the label format "
                                         r"of the training targets, of shape \(4, 1\)\. Received: validation targets "
                                         r"of shape \(2, 3\)"):
        model.fit(x, y, validation_data=(x[:2], {"b": np.zeros((2, 3), "float32")}), verbose=0)
    with pytest.raises(ValueError, match=r'output "a"'):  # targets for b only: not compared with a's; a's are missing
        model.fit(x, y, validation_data=(x[:2], {"b": np.zeros((2, 1), "float32")}), verbose=0)


def test_a_list_of_rows_of_different_lengths_says_to_pad_them():
    model = _classifier(1, "sigmoid", "binary_crossentropy")
    with pytest.raises(ValueError, match=r"^Expected `x` as rows of one length \(an array\)\. Received: a list of rows of "
                                         r"different lengths \(\[2, 3\]\)\. Pad them \(teachnet.utils.pad_sequences\)"):
        model.fit([[1.0, 2.0, 3.0], [1.0, 2.0]], [0, 1], verbose=0)


# -- the index itself ------------------------------------------------------------------------------------
def test_every_test_the_index_names_exists():
    # `file.py::test_name` names a test in tests/ (or tests/widgets/); `::test_name` continues the last file named.
    import re
    from pathlib import Path
    here = Path(__file__).parent
    current, missing, named = None, [], 0
    for line in __doc__.splitlines():
        for file, name in re.findall(r"([\w/]*test_\w+\.py)?(?:::(test_\w+))?", line):
            if file:
                current = next((p for p in (here / file, here / "widgets" / Path(file).name,
                                            here.parent / file) if p.exists()), None)
                if current is None:
                    missing.append(file)
            if name:
                named += 1
                if current is None or not re.search(rf"^def {name}\(", current.read_text(), re.M):
                    missing.append(f"{current and current.name}::{name}")
    assert named > 50 and not missing, missing
