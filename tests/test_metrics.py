"""Metrics: accumulation across batches on hand-computed cases, reset, state
variables, lookup by name, custom functions, and error messages. (Parity with
Keras itself is in test_parity_losses_metrics.py.)"""
import numpy as np
import pytest

from teachnet import GradientTape, Tensor, Variable, metrics, ops


def test_mean_accumulates_a_weighted_mean_across_updates():
    m = metrics.Mean()
    m.update_state([1.0, 3.0])
    m.update_state([5.0, 7.0], sample_weight=[1.0, 0.0])
    assert float(m.result()) == pytest.approx((1 + 3 + 5) / 3)
    np.testing.assert_allclose([v.numpy() for v in m.variables], [9.0, 3.0])  # total, count
    assert [v.name for v in m.variables] == ["total", "count"]
    assert not any(v.trainable for v in m.variables)


def test_sum_and_reset_state():
    m = metrics.Sum()
    m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
    assert float(m.result()) == 4.0
    m.reset_state()
    assert float(m.result()) == 0.0
    m.update_state(2.0)
    assert float(m.result()) == 2.0


def test_mean_of_nothing_is_zero_not_nan():
    assert float(metrics.Mean().result()) == 0.0


def test_result_is_a_float32_tensor_and_call_updates_then_reads():
    m = metrics.BinaryAccuracy()
    out = m([[1.0], [0.0]], [[0.9], [0.8]])
    assert isinstance(out, Tensor) and out.dtype == np.float32 and float(out) == 0.5


def test_binary_accuracy_threshold_and_batch_weighting():
    m = metrics.BinaryAccuracy(threshold=0.7)
    m.update_state([[1], [1], [0]], [[0.8], [0.6], [0.1]])   # 2 of 3
    m.update_state([[0]], [[0.9]])                           # 0 of 1
    assert float(m.result()) == pytest.approx(2 / 4)        # per sample, not the mean of 2/3 and 0
    m.reset_state()
    assert float(m.result()) == 0.0


def test_binary_accuracy_accepts_rank_one_labels():
    np.testing.assert_array_equal(np.asarray(metrics.binary_accuracy([1, 0], [[0.9], [0.7]])), [[1.0], [0.0]])


def test_categorical_and_sparse_categorical_accuracy():
    probs = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
    np.testing.assert_array_equal(np.asarray(metrics.categorical_accuracy(np.eye(3)[[1, 1, 2]], probs)), [1, 0, 1])
    np.testing.assert_array_equal(np.asarray(metrics.sparse_categorical_accuracy([1, 1, 2], probs)), [1, 0, 1])
    np.testing.assert_array_equal(np.asarray(metrics.sparse_categorical_accuracy([[1], [1], [2]], probs)), [1, 0, 1])


def test_top_k_accuracy_counts_ties_as_in():
    probs = np.array([[0.1, 0.4, 0.4, 0.1], [0.7, 0.1, 0.1, 0.1]])
    # Class 2 scores 0.4, tied with the best: in the top 1. Class 3 scores 0.1, below 0.7: out.
    np.testing.assert_array_equal(np.asarray(metrics.top_k_categorical_accuracy(np.eye(4)[[2, 3]], probs, k=1)),
                                  [1, 0])
    np.testing.assert_array_equal(np.asarray(metrics.sparse_top_k_categorical_accuracy([0, 1], probs, k=2)), [0, 1])


def test_root_mean_squared_error_takes_the_root_once_at_the_end():
    m = metrics.RootMeanSquaredError()
    m.update_state([[0.0]], [[3.0]])
    m.update_state([[0.0]], [[4.0]])
    assert float(m.result()) == pytest.approx(np.sqrt((9 + 16) / 2))  # not (3 + 4) / 2


def test_precision_recall_and_confusion_counts():
    y_true = [0, 1, 1, 1, 0]
    y_pred = [0.9, 0.2, 0.6, 0.8, 0.3]  # at 0.5: TP 2, FP 1, FN 1, TN 1
    assert float(metrics.Precision()(y_true, y_pred)) == pytest.approx(2 / 3)
    assert float(metrics.Recall()(y_true, y_pred)) == pytest.approx(2 / 3)
    assert [float(cls()(y_true, y_pred)) for cls in (metrics.TruePositives, metrics.FalsePositives,
                                                     metrics.TrueNegatives, metrics.FalseNegatives)] == [2, 1, 1, 1]
    by_threshold = metrics.Recall(thresholds=[0.1, 0.5, 0.7])(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(by_threshold), [1.0, 2 / 3, 1 / 3])


def test_precision_with_class_id_and_top_k():
    y_true = np.eye(3)[[0, 1, 2, 1]]
    y_pred = np.array([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.55, 0.05, 0.4], [0.3, 0.6, 0.1]])
    # Column 0 above 0.5: samples 0 (class 0, right) and 2 (class 2, wrong).
    assert float(metrics.Precision(class_id=0)(y_true, y_pred)) == pytest.approx(1 / 2)
    # The top score of each sample is the true class for samples 0, 1 and 3.
    assert float(metrics.Recall(top_k=1)(y_true, y_pred)) == pytest.approx(3 / 4)


def test_auc_of_a_perfect_ranking_is_one_and_of_a_reversed_one_is_zero():
    y_true = [0, 0, 1, 1]
    assert float(metrics.AUC()(y_true, [0.1, 0.2, 0.8, 0.9])) == pytest.approx(1.0)
    assert float(metrics.AUC()(y_true, [0.9, 0.8, 0.2, 0.1])) == pytest.approx(0.0)


def test_auc_roc_matches_the_rank_statistic():
    # With well separated thresholds, trapezoidal ROC AUC equals P(score_pos > score_neg).
    y_true = [0, 0, 1, 1]
    assert float(metrics.AUC()(y_true, [0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)


def test_auc_from_logits_applies_a_sigmoid():
    y_true, logits = [0, 1, 1, 0, 1], np.array([-2.0, 0.5, 3.0, 1.0, -0.2])
    a = metrics.AUC(from_logits=True)(y_true, logits)
    b = metrics.AUC()(y_true, 1 / (1 + np.exp(-logits)))
    assert float(a) == pytest.approx(float(b))


def test_auc_reset_and_variables():
    m = metrics.AUC(num_thresholds=5)
    assert m.thresholds == pytest.approx([-1e-7, 0.25, 0.5, 0.75, 1 + 1e-7])
    m.update_state([0, 1], [0.3, 0.6])
    assert [v.shape for v in m.variables] == [(5,)] * 4
    m.reset_state()
    assert all(not v.numpy().any() for v in m.variables)


def test_mean_metric_wrapper_with_a_custom_function():
    def within_tenth(y_true, y_pred):
        return np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred)) < 0.1, axis=-1)

    m = metrics.get(within_tenth)
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "within_tenth"
    m.update_state([[1.0, 2.0]], [[1.05, 2.5]])
    m.update_state([[0.0, 0.0]], [[0.0, 0.0]])
    assert float(m.result()) == pytest.approx((0.5 + 1.0) / 2)


def test_mean_metric_wrapper_passes_keyword_arguments():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="acc_at_0.8", threshold=0.8)
    assert float(m([[1.0], [1.0]], [[0.9], [0.7]])) == 0.5 and m.name == "acc_at_0.8"


def test_metric_respects_a_mask_on_predictions():
    y_pred = Tensor(np.array([[[1.0], [1.0], [0.0]]], dtype="float32"))   # (1, 3, 1)
    y_pred._keras_mask = np.array([[True, True, False]])
    m = metrics.BinaryAccuracy()
    m.update_state(np.ones((1, 3, 1)), y_pred)
    assert float(m.result()) == 1.0  # the masked-out wrong step does not count


def test_metrics_never_record_on_a_tape():
    x = Variable(np.array([[0.2, 0.8]], dtype="float32"))
    with GradientTape() as tape:
        loss = ops.sum(x)
        metrics.CategoricalCrossentropy().update_state([[0.0, 1.0]], x)
        metrics.AUC().update_state([[0.0, 1.0]], x)
    assert [op for op, _, _ in tape.operations] == ["sum"]


def test_subclassing_metric():
    class Count(metrics.Metric):
        def __init__(self, name="count"):
            super().__init__(name=name)
            self.count = self.add_variable((), name="count")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.count.assign_add(len(y_true))

        def result(self):
            return Tensor(self.count.numpy())

    m = Count()
    m.update_state([1, 2], [1, 2])
    m.update_state([1], [1])
    assert float(m.result()) == 3.0
    m.reset_state()
    assert float(m.result()) == 0.0


# ---------------------------------------------------------------------------
# Lookup by name
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,cls", [
    ("accuracy", metrics.Accuracy), ("binary_accuracy", metrics.BinaryAccuracy),
    ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy), ("AUC", metrics.AUC),
    ("auc", metrics.AUC), ("mse", metrics.MeanSquaredError), ("MAE", metrics.MeanAbsoluteError),
    ("root_mean_squared_error", metrics.RootMeanSquaredError), ("precision", metrics.Precision),
    ("Recall", metrics.Recall), ("bce", metrics.BinaryCrossentropy),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
])
def test_get_resolves_keras_names(name, cls):
    assert type(metrics.get(name)) is cls


def test_get_passes_instances_through_and_builds_from_config():
    m = metrics.Precision(thresholds=0.3)
    assert metrics.get(m) is m
    built = metrics.get({"class_name": "BinaryAccuracy", "config": {"threshold": 0.2}})
    assert isinstance(built, metrics.BinaryAccuracy) and built.threshold == 0.2
    assert metrics.get(None) is None


def test_get_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'. Valid names: .*'accuracy'"):
        metrics.get("acuracy")


# ---------------------------------------------------------------------------
# Errors a learner can act on
# ---------------------------------------------------------------------------

def test_sparse_accuracy_with_one_hot_labels_says_which_metric_to_use():
    with pytest.raises(ValueError, match=r"y_true.shape=\(2, 3\), y_pred.shape=\(2, 3\). "
                                         r"It looks one-hot encoded: use categorical_accuracy"):
        metrics.SparseCategoricalAccuracy().update_state(np.eye(3)[[0, 1]], np.eye(3)[[0, 1]])


def test_categorical_accuracy_with_integer_labels_says_which_metric_to_use():
    with pytest.raises(ValueError, match=r"looks like integer class ids. Use sparse_categorical_accuracy"):
        metrics.CategoricalAccuracy().update_state([0, 1], np.eye(3)[[0, 1]])


def test_thresholds_outside_zero_one_are_refused():
    with pytest.raises(ValueError, match=r"Precision: threshold values must be in \[0, 1\]. Received: thresholds=1.5"):
        metrics.Precision(thresholds=1.5)


def test_auc_rejects_unknown_curve_and_too_few_thresholds():
    with pytest.raises(ValueError, match=r'Invalid AUC curve value: "DET"'):
        metrics.AUC(curve="DET")
    with pytest.raises(ValueError, match=r"num_thresholds=1"):
        metrics.AUC(num_thresholds=1)


def test_confusion_metric_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"y_true.shape=\(2, 3\), y_pred.shape=\(2, 2\)"):
        metrics.Recall().update_state(np.zeros((2, 3)), np.zeros((2, 2)))


def test_loss_metric_errors_come_from_the_loss():
    with pytest.raises(ValueError, match=r"looks one-hot encoded. Use CategoricalCrossentropy"):
        metrics.SparseCategoricalCrossentropy().update_state(np.eye(3)[[0, 1]], np.full((2, 3), 1 / 3))


def test_sample_weight_of_the_wrong_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\) cannot weight values of shape \(2,\)"):
        metrics.Mean().update_state([1.0, 2.0], sample_weight=[1.0, 1.0, 1.0])
