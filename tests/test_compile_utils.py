"""teachnet/models/compile_utils.py on its own: what `compile` does with its
loss, loss_weights, metrics and weighted_metrics arguments.

The end-to-end behaviour (History names, parity with Keras) is tested through
`fit` in test_model_training.py and test_parity_fit.py; here each helper is
checked directly against values computed by hand.
"""
import numpy as np
import pytest

from teachnet import losses, metrics, ops
from teachnet.models import compile_utils as cu


# -- structures of outputs ---------------------------------------------------------
def test_output_structure_orders_a_dict_by_output_names_else_sorted():
    a, b = np.zeros(1), np.ones(1)
    assert cu.output_structure({"b": b, "a": a}, ["b", "a"]) == ([b, a], ["b", "a"])
    assert cu.output_structure({"b": b, "a": a}) == ([a, b], ["a", "b"])  # Keras's sorted keys
    assert cu.output_structure([a, b], ["x", "y"]) == ([a, b], ["x", "y"])
    assert cu.output_structure([a, b]) == ([a, b], [None, None])
    assert cu.output_structure(a, ["only"]) == ([a], ["only"])


def test_flat_targets_follow_the_output_names():
    y1, y2 = np.zeros(2), np.ones(2)
    assert cu.flat_targets({"b": y2, "a": y1}, ["a", "b"]) == [y1, y2]
    assert cu.flat_targets([y1, y2], ["a", "b"]) == [y1, y2]
    assert cu.flat_targets(y1, ["a", "b"], "sample_weight") == [y1, y1]  # one weight per sample, shared


def test_flat_targets_refuse_a_wrong_structure():
    expected = r"Expected `y` to have one entry per output of the model \(2 output\(s\): \['a', 'b'\]\)"
    with pytest.raises(ValueError, match=expected + r"\. Received: a list of 3 entries\. Pass one entry per output"):
        cu.flat_targets([1, 2, 3], ["a", "b"])
    with pytest.raises(ValueError, match=expected + r"\. Received: a single ndarray\. Pass a list of 2 entries"):
        cu.flat_targets(np.zeros(2), ["a", "b"])
    with pytest.raises(ValueError, match=expected + r", keyed by output name\. Received: a dict with keys "
                                                    r"\['c'\] \(unknown: \['c'\]\)\. Use the output names"):
        cu.flat_targets({"c": 1}, ["a", "b"])


def test_per_output_spreads_one_compile_argument_and_refuses_a_wrong_length():
    assert cu.per_output("mse", ["a", "b"], "loss", repeat_single=True) == ["mse", "mse"]
    assert cu.per_output({"b": 0.5}, ["a", "b"], "loss_weights") == [None, 0.5]
    with pytest.raises(ValueError, match=r"`loss` to have one entry per output.*Received: a list of 1 entries"):
        cu.per_output(["mse"], ["a", "b"], "loss", repeat_single=True)


def test_in_output_order_pairs_a_dict_by_output_name():
    y1, y2 = np.zeros(2), np.ones(2)
    assert cu.in_output_order({"b": y2, "a": y1}, ["b", "a"]) == [y2, y1]  # not sorted: the outputs' order
    assert cu.in_output_order({"b": y2}, ["a", "b"]) == [None, y2]
    assert cu.in_output_order({"c": y1}, ["a", "b"]) == {"c": y1}  # not keyed by output names: as it is
    assert cu.in_output_order([y1, y2], ["a", "b"]) == [y1, y2]


# -- picking losses and metrics ------------------------------------------------------
@pytest.mark.parametrize("y_true_shape, y_pred_shape, expected", [
    ((4, 1), (4, 1), losses.binary_crossentropy),
    ((4,), (4, 3), losses.sparse_categorical_crossentropy),
    ((4, 1), (4, 3), losses.sparse_categorical_crossentropy),
    ((4, 3), (4, 3), losses.categorical_crossentropy),
])
def test_crossentropy_is_picked_from_the_shapes(y_true_shape, y_pred_shape, expected):
    loss = cu.get_loss("crossentropy", np.zeros(y_true_shape), np.zeros(y_pred_shape))
    assert loss.fn is expected


def test_a_loss_function_is_wrapped_and_named_after_it():
    def my_loss(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)
    loss = cu.get_loss(my_loss, np.zeros((2, 1)), np.zeros((2, 1)))
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.name == "my_loss"


@pytest.mark.parametrize("y_true_shape, y_pred_shape, expected", [
    ((4, 1), (4, 1), metrics.BinaryAccuracy),
    ((4,), (4, 3), metrics.SparseCategoricalAccuracy),
    ((4, 3), (4, 3), metrics.CategoricalAccuracy),
])
def test_accuracy_is_picked_from_the_shapes(y_true_shape, y_pred_shape, expected):
    metric = cu.get_metric("acc", np.zeros(y_true_shape), np.zeros(y_pred_shape))
    assert type(metric) is expected and metric.name == "acc"


def test_get_metric_refuses_none():
    with pytest.raises(ValueError, match=r"Expected a metric: a name such as \"accuracy\", a function or a Metric\. Received: None\. Leave"):
        cu.get_metric(None, np.zeros(1), np.zeros(1))


# -- CompileLoss --------------------------------------------------------------------
def test_a_misspelled_loss_fails_when_compiling():
    with pytest.raises(ValueError, match="mean_sqaured_error"):
        cu.CompileLoss("mean_sqaured_error")


def test_loss_weights_must_be_a_number_or_a_structure():
    with pytest.raises(ValueError, match="Received: loss_weights='heavy'"):
        cu.CompileLoss("mse", loss_weights="heavy")


def test_the_total_is_the_weighted_sum_of_the_outputs_losses():
    y_true = [np.array([[1.0], [2.0]]), np.array([[0.0], [0.0]])]
    y_pred = [ops.convert_to_tensor(np.array([[0.0], [0.0]], "float32")),
              ops.convert_to_tensor(np.array([[1.0], [3.0]], "float32"))]
    loss = cu.CompileLoss({"a": "mse", "b": "mae"}, loss_weights={"a": 0.5, "b": 2.0})
    loss.build(y_true, y_pred, ["a", "b"])
    total = loss(y_true, y_pred, [None, None], batch_size=2)
    mse_a = (1.0 + 4.0) / 2   # mean of (1 - 0)^2 and (2 - 0)^2
    mae_b = (1.0 + 3.0) / 2   # mean of |0 - 1| and |0 - 3|
    np.testing.assert_allclose(float(total), 0.5 * mse_a + 2.0 * mae_b, rtol=1e-6)
    # each output's unweighted loss is tracked as "<output>_loss"
    assert [m.name for m in loss.metrics] == ["a_loss", "b_loss"]
    assert loss.last_values == pytest.approx({"a_loss": mse_a, "b_loss": mae_b})


def test_an_output_with_a_loss_needs_a_target():
    loss = cu.CompileLoss(["mse", "mse"])
    with pytest.raises(ValueError, match=r"Expected a target in `y` for output b, which has a loss\. Received: None for it"):
        loss.build([np.zeros((2, 1)), None], [np.zeros((2, 1))] * 2, ["a", "b"])


def test_binary_crossentropy_refuses_labels_outside_0_1():
    loss = cu.CompileLoss("binary_crossentropy")
    y_true, y_pred = [np.array([[0.0], [-1.0]])], [ops.convert_to_tensor(np.full((2, 1), 0.5, "float32"))]
    loss.build(y_true, y_pred, [None])
    with pytest.raises(ValueError, match=r"expects targets in \[0, 1\].*Received: values outside it, \[-1.0\]"):
        loss(y_true, y_pred, [None], batch_size=2)


def test_sparse_crossentropy_refuses_class_ids_beyond_the_units():
    loss = cu.CompileLoss("sparse_categorical_crossentropy")
    y_true, y_pred = [np.array([0, 3])], [ops.convert_to_tensor(np.full((2, 3), 1 / 3, "float32"))]
    loss.build(y_true, y_pred, [None])
    with pytest.raises(ValueError, match=r"expects class ids in \[0, 3\).*Received: ids outside it, \[3\]"):
        loss(y_true, y_pred, [None], batch_size=2)


# -- CompileMetrics -----------------------------------------------------------------
def test_metrics_must_be_a_list_tuple_or_dict():
    with pytest.raises(ValueError, match=r"Received: metrics='mae' of type str\. Wrap it in a list: metrics=\['mae'\]"):
        cu.CompileMetrics("mae")


def test_metric_names_follow_keras_with_several_outputs():
    y_true = {"a": np.array([[1.0], [0.0]]), "b": np.array([[2.0], [4.0]])}
    y_pred = {"a": ops.convert_to_tensor(np.array([[0.9], [0.2]], "float32")),
              "b": ops.convert_to_tensor(np.array([[1.0], [1.0]], "float32"))}
    compiled = cu.CompileMetrics({"a": ["accuracy"], "b": ["mae", "mae"]}, output_names=["a", "b"])
    compiled.update_state(y_true, y_pred)
    result = compiled.result()
    assert list(result) == ["a_accuracy", "b_mae", "b_mae_1"]  # a repeated name gets _1
    assert result["a_accuracy"] == pytest.approx(1.0)
    assert result["b_mae"] == pytest.approx((1.0 + 3.0) / 2)
    compiled.reset_state()
    assert all(float(m.result()) == 0.0 for m in compiled.metrics)


def test_weighted_metrics_use_the_sample_weights():
    y_true, y_pred = np.array([[0.0], [0.0]]), ops.convert_to_tensor(np.array([[1.0], [3.0]], "float32"))
    compiled = cu.CompileMetrics(["mae"], weighted_metrics=["mae"])
    compiled.update_state(y_true, y_pred, sample_weight=np.array([1.0, 0.0]))
    result = compiled.result()
    assert result == pytest.approx({"mae": 2.0, "weighted_mae": 1.0})
