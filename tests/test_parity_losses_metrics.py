"""Parity with Keras 3 (torch backend): every loss in every reduction, with and
without sample weights, its gradient with respect to y_pred, and every metric
after several update_state calls. Same float32 inputs on both sides; agreement
to float32 tolerance."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="keras 3 (torch backend) is needed for parity tests")
torch = pytest.importorskip("torch", reason="torch is the keras backend used for parity tests")
if keras.backend.backend() != "torch":
    pytest.skip(f"parity tests expect the torch backend; keras uses {keras.backend.backend()}",
                allow_module_level=True)

from teachnet import GradientTape, Tensor, Variable, losses  # noqa: E402

# torch.Tensor.__array__ predates numpy 2's `copy` argument; numpy warns each time one is converted.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")

RTOL, ATOL = 2e-5, 2e-6
RNG = np.random.default_rng(2024)
B, T, C = 6, 4, 3


def f32(x):
    return np.asarray(x, dtype="float32")


def _data(kind, shape):
    """(y_true, y_pred) of a given shape for a kind of loss."""
    if kind == "binary":
        return f32(RNG.integers(0, 2, shape)), f32(RNG.uniform(0.01, 0.99, shape))
    if kind == "binary_logits":
        return f32(RNG.integers(0, 2, shape)), f32(RNG.normal(0, 3, shape))
    if kind == "one_hot":
        one_hot = np.eye(shape[-1])[RNG.integers(0, shape[-1], shape[:-1])]
        return f32(one_hot), f32(RNG.dirichlet(np.ones(shape[-1]), shape[:-1]))
    if kind == "one_hot_logits":
        return f32(np.eye(shape[-1])[RNG.integers(0, shape[-1], shape[:-1])]), f32(RNG.normal(0, 3, shape))
    if kind == "sparse":
        return f32(RNG.integers(0, shape[-1], shape[:-1])), f32(RNG.dirichlet(np.ones(shape[-1]), shape[:-1]))
    if kind == "sparse_logits":
        return f32(RNG.integers(0, shape[-1], shape[:-1])), f32(RNG.normal(0, 3, shape))
    if kind == "positive":
        return f32(RNG.uniform(0.1, 3, shape)), f32(RNG.uniform(0.1, 3, shape))
    if kind == "real":
        return f32(RNG.normal(0, 2, shape)), f32(RNG.normal(0, 2, shape))
    if kind == "signs":
        return f32(np.where(RNG.uniform(size=shape) > 0.5, 1, -1)), f32(RNG.normal(0, 2, shape))
    if kind == "distribution":
        return f32(RNG.dirichlet(np.ones(shape[-1]), shape[:-1])), f32(RNG.dirichlet(np.ones(shape[-1]), shape[:-1]))
    raise ValueError(kind)


# (class name, constructor kwargs, kind of data)
LOSS_CASES = [
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "binary_logits"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary_logits"),
    ("CategoricalCrossentropy", {}, "one_hot"),
    ("CategoricalCrossentropy", {"from_logits": True}, "one_hot_logits"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "one_hot"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("MeanSquaredError", {}, "real"),
    ("MeanAbsoluteError", {}, "real"),
    ("MeanAbsolutePercentageError", {}, "real"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("KLDivergence", {}, "distribution"),
    ("CosineSimilarity", {}, "real"),
    ("Huber", {}, "real"),
    ("Huber", {"delta": 0.5}, "real"),
    ("LogCosh", {}, "real"),
    ("Hinge", {}, "signs"),
    ("Hinge", {}, "binary_logits"),
    ("SquaredHinge", {}, "signs"),
    ("CategoricalHinge", {}, "one_hot_logits"),
    ("Poisson", {}, "positive"),
]
CASE_IDS = [f"{name}{''.join(f'-{k}={v}' for k, v in kw.items())}-{kind}" for name, kw, kind in LOSS_CASES]
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]


def _keras_value(loss, y_true, y_pred, sample_weight=None):
    sw = None if sample_weight is None else torch.tensor(sample_weight)
    return np.asarray(loss(torch.tensor(y_true), torch.tensor(y_pred), sample_weight=sw).detach())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs,kind", LOSS_CASES, ids=CASE_IDS)
def test_loss_matches_keras_in_every_reduction(name, kwargs, kind, reduction):
    y_true, y_pred = _data(kind, (B, C))
    weights = f32(RNG.uniform(0, 2, B))
    ours = getattr(losses, name)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    for sample_weight in (None, weights):
        expected = _keras_value(theirs, y_true, y_pred, sample_weight)
        got = np.asarray(ours(y_true, y_pred, sample_weight=sample_weight))
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name,kwargs,kind", LOSS_CASES, ids=CASE_IDS)
def test_loss_matches_keras_on_sequences_with_per_step_weights(name, kwargs, kind):
    # (batch, time, features): per-sample losses are (batch, time), weighted per step.
    y_true, y_pred = _data(kind, (B, T, C))
    for sample_weight in (None, f32(RNG.uniform(0, 2, (B, T))), f32(RNG.uniform(0, 2, (B, T, 1)))):
        for reduction in ("sum_over_batch_size", "sum", None):
            expected = _keras_value(getattr(keras.losses, name)(reduction=reduction, **kwargs),
                                    y_true, y_pred, sample_weight)
            got = getattr(losses, name)(reduction=reduction, **kwargs)(y_true, y_pred, sample_weight=sample_weight)
            np.testing.assert_allclose(np.asarray(got), expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name,kwargs,kind", LOSS_CASES, ids=CASE_IDS)
def test_loss_gradient_matches_keras_autograd(name, kwargs, kind):
    y_true, y_pred = _data(kind, (B, C))
    weights = f32(RNG.uniform(0, 2, B))
    torch_pred = torch.tensor(y_pred, requires_grad=True)
    value = getattr(keras.losses, name)(**kwargs)(torch.tensor(y_true), torch_pred, sample_weight=torch.tensor(weights))
    value.backward()
    x = Variable(y_pred)
    with GradientTape() as tape:
        ours = getattr(losses, name)(**kwargs)(y_true, x, sample_weight=weights)
    np.testing.assert_allclose(np.asarray(tape.gradient(ours, x)), torch_pred.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("labels_shape", [(B,), (B, 1)])
def test_sparse_crossentropy_label_shapes_match_keras(labels_shape):
    y_true, y_pred = _data("sparse_logits", (B, C))
    y_true = y_true.reshape(labels_shape)
    expected = _keras_value(keras.losses.SparseCategoricalCrossentropy(from_logits=True), y_true, y_pred)
    got = losses.SparseCategoricalCrossentropy(from_logits=True)(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=RTOL)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_sparse_crossentropy_ignore_class_matches_keras(reduction):
    y_true, y_pred = _data("sparse_logits", (B, T, C))
    y_true[0, :2] = -1
    y_true[3, 1] = -1
    kwargs = {"from_logits": True, "ignore_class": -1, "reduction": reduction}
    expected = _keras_value(keras.losses.SparseCategoricalCrossentropy(**kwargs), y_true, y_pred)
    got = losses.SparseCategoricalCrossentropy(**kwargs)(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(got), expected, rtol=RTOL, atol=ATOL)


def test_binary_crossentropy_with_rank_one_labels_matches_keras():
    # labels (batch,) against predictions (batch, 1): Keras expands the labels.
    y_true, y_pred = _data("binary", (B, 1))
    expected = _keras_value(keras.losses.BinaryCrossentropy(), y_true[:, 0], y_pred)
    np.testing.assert_allclose(np.asarray(losses.BinaryCrossentropy()(y_true[:, 0], y_pred)), expected, rtol=RTOL)


@pytest.mark.parametrize("name", ["mse", "MSE", "mae", "mape", "msle", "kld", "bce", "binary_crossentropy",
                                  "categorical_crossentropy", "mean_squared_error", "hinge", "huber",
                                  "log_cosh", "poisson", "cosine_similarity", "categorical_hinge",
                                  "squared_hinge", "kl_divergence", "mean_absolute_error"])
def test_loss_names_resolve_to_the_same_function_as_keras(name):
    kind = {"bce": "binary", "binary_crossentropy": "binary", "categorical_crossentropy": "one_hot",
            "kld": "distribution", "kl_divergence": "distribution", "msle": "positive", "poisson": "positive",
            "categorical_hinge": "one_hot_logits"}.get(name, "real")
    y_true, y_pred = _data(kind, (B, C))
    expected = keras.losses.get(name)(torch.tensor(y_true), torch.tensor(y_pred)).numpy()  # per sample
    got = losses.get(name)(y_true, y_pred, sample_weight=None)
    np.testing.assert_allclose(np.asarray(got), expected.mean(), rtol=RTOL, atol=ATOL)


def test_sequence_loss_with_one_weight_per_sample_is_refused_as_keras_refuses_it():
    # Per-sample losses (batch, time) times weights (batch,) do not broadcast: Keras fails
    # inside torch; teachnet says which shapes were expected.
    y_true, y_pred = _data("real", (B, T, C))
    weights = f32(np.ones(B))
    with pytest.raises(RuntimeError):
        _keras_value(keras.losses.MeanSquaredError(), y_true, y_pred, weights)
    with pytest.raises(ValueError, match=r"sample_weight of shape \(6,\) cannot weight "
                                         r"per-sample losses of shape \(6, 4\)"):
        losses.MeanSquaredError()(y_true, y_pred, sample_weight=weights)


# ---------------------------------------------------------------------------
# Metrics: the same batches through update_state, then result() and the state
# ---------------------------------------------------------------------------

from teachnet import metrics  # noqa: E402
from teachnet.utils import clear_session  # noqa: E402


def _metric_batches(kind, n=3):
    """n batches of different sizes (so per-sample and per-batch means differ)."""
    batches = []
    for size in (5, 8, 3)[:n]:
        if kind == "binary_column":
            y_true, y_pred = f32(RNG.integers(0, 2, (size, 1))), f32(RNG.uniform(0, 1, (size, 1)))
        elif kind == "multi_label":
            y_true, y_pred = f32(RNG.integers(0, 2, (size, C))), f32(RNG.uniform(0, 1, (size, C)))
        elif kind == "labels":
            y_true = f32(RNG.integers(0, C, (size, 1)))
            y_pred = f32(RNG.integers(0, C, (size, 1)))
        elif kind == "sparse_column":
            y_true, y_pred = _data("sparse", (size, C))
            y_true = y_true[:, None]
        else:
            y_true, y_pred = _data(kind, (size, C))
        batches.append((y_true, y_pred, f32(RNG.uniform(0, 2, size))))
    return batches


METRIC_CASES = [
    ("Accuracy", {}, "labels"),
    ("BinaryAccuracy", {}, "binary_column"),
    ("BinaryAccuracy", {"threshold": 0.3}, "multi_label"),
    ("CategoricalAccuracy", {}, "one_hot"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_column"),
    ("TopKCategoricalAccuracy", {"k": 2}, "one_hot"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("MeanSquaredError", {}, "real"),
    ("MeanAbsoluteError", {}, "real"),
    ("MeanAbsolutePercentageError", {}, "positive"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("RootMeanSquaredError", {}, "real"),
    ("CosineSimilarity", {}, "real"),
    ("LogCoshError", {}, "real"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary_logits"),
    ("CategoricalCrossentropy", {}, "one_hot"),
    ("CategoricalCrossentropy", {"from_logits": True}, "one_hot_logits"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits"),
    ("KLDivergence", {}, "distribution"),
    ("Poisson", {}, "positive"),
    ("Hinge", {}, "signs"),
    ("SquaredHinge", {}, "signs"),
    ("CategoricalHinge", {}, "one_hot_logits"),
    ("Precision", {}, "binary_column"),
    ("Precision", {"thresholds": [0.2, 0.5, 0.8]}, "multi_label"),
    ("Precision", {"class_id": 1}, "one_hot"),
    ("Precision", {"top_k": 2}, "multi_label"),
    ("Recall", {}, "binary_column"),
    ("Recall", {"thresholds": [0.0, 0.5, 1.0]}, "multi_label"),
    ("Recall", {"class_id": 2, "thresholds": 0.3}, "one_hot"),
    ("TruePositives", {}, "binary_column"),
    ("FalsePositives", {"thresholds": [0.3, 0.6]}, "binary_column"),
    ("TrueNegatives", {}, "multi_label"),
    ("FalseNegatives", {}, "multi_label"),
    ("AUC", {}, "binary_column"),
    ("AUC", {"num_thresholds": 7}, "multi_label"),
    ("AUC", {"curve": "PR"}, "binary_column"),
    ("AUC", {"summation_method": "minoring"}, "binary_column"),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, "binary_column"),
    ("AUC", {"thresholds": [0.1, 0.35, 0.5, 0.9]}, "binary_column"),
    ("AUC", {"from_logits": True}, "binary_logits"),
    ("AUC", {"multi_label": True}, "multi_label"),
    ("AUC", {"multi_label": True, "curve": "PR", "label_weights": [0.2, 1.0, 0.5]}, "multi_label"),
    ("AUC", {"label_weights": [0.2, 1.0, 0.5]}, "multi_label"),
]
METRIC_IDS = [f"{name}{''.join(f'-{k}={v}' for k, v in kw.items())}-{kind}" for name, kw, kind in METRIC_CASES]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name,kwargs,kind", METRIC_CASES, ids=METRIC_IDS)
def test_metric_matches_keras_after_several_updates_and_a_reset(name, kwargs, kind, weighted):
    clear_session()  # automatic names ("auc", "auc_1", ...) count from zero again on both sides
    keras.utils.clear_session(free_memory=False)
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    assert ours.name == theirs.name
    for y_true, y_pred, sample_weight in _metric_batches(kind):
        sw = sample_weight if weighted else None
        ours.update_state(y_true, y_pred, sample_weight=sw)
        theirs.update_state(y_true, y_pred, sample_weight=sw)
    np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()), rtol=RTOL, atol=ATOL)
    for mine, keras_variable in zip(ours.variables, theirs.variables, strict=True):
        np.testing.assert_allclose(mine.numpy(), np.asarray(keras_variable), rtol=RTOL, atol=1e-5)
    ours.reset_state()
    theirs.reset_state()
    y_true, y_pred, _ = _metric_batches(kind, n=1)[0]
    ours.update_state(y_true, y_pred)
    theirs.update_state(y_true, y_pred)
    np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_mean_and_sum_match_keras_with_per_step_weights(name):
    ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
    for values, weights in [(RNG.normal(size=(4, 3)), RNG.uniform(0, 2, (4, 3))),
                            (RNG.normal(size=(2, 3)), RNG.uniform(0, 2, 2)),
                            (RNG.normal(size=5), None)]:
        ours.update_state(f32(values), sample_weight=None if weights is None else f32(weights))
        theirs.update_state(f32(values), sample_weight=None if weights is None else f32(weights))
    np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()), rtol=RTOL)


def test_custom_metric_function_matches_keras_mean_metric_wrapper():
    def squared_error(y_true, y_pred):
        return (y_true - y_pred) ** 2   # per element: Mean reduces the extra axis

    ours, theirs = metrics.MeanMetricWrapper(squared_error), keras.metrics.MeanMetricWrapper(squared_error)
    for y_true, y_pred, sample_weight in _metric_batches("real"):
        ours.update_state(y_true, y_pred, sample_weight=sample_weight)
        theirs.update_state(torch.tensor(y_true), torch.tensor(y_pred), sample_weight=sample_weight)
    np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()), rtol=RTOL)


@pytest.mark.parametrize("name", ["binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy"])
def test_accuracy_functions_match_keras(name):
    kind = {"binary_accuracy": "binary", "categorical_accuracy": "one_hot",
            "sparse_categorical_accuracy": "sparse"}[name]
    y_true, y_pred = _data(kind, (B, C))
    expected = np.asarray(getattr(keras.metrics, name)(y_true, y_pred))
    got = np.asarray(getattr(metrics, name)(y_true, y_pred))
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("name", ["mse", "mae", "MAPE", "msle", "bce", "accuracy", "auc", "AUC", "precision",
                                  "recall", "binary_accuracy", "root_mean_squared_error", "categorical_crossentropy"])
def test_metric_names_resolve_to_the_same_class_as_keras(name):
    assert type(metrics.get(name)).__name__ == type(keras.metrics.get(name)).__name__


def test_mask_on_predictions_matches_keras_for_a_loss_and_a_metric():
    # A masking layer marks padded time steps; losses average over the valid ones,
    # metrics give them weight 0.
    from keras.src.backend import set_keras_mask

    y_true, y_pred = _data("binary", (B, T, 1))
    mask = RNG.uniform(size=(B, T)) > 0.3
    torch_pred = torch.tensor(y_pred)
    set_keras_mask(torch_pred, torch.tensor(mask))
    ours_pred = Tensor(y_pred)
    ours_pred._keras_mask = mask
    for reduction in ("sum_over_batch_size", "sum"):
        expected = keras.losses.BinaryCrossentropy(reduction=reduction)(torch.tensor(y_true), torch_pred).numpy()
        got = losses.BinaryCrossentropy(reduction=reduction)(y_true, ours_pred)
        np.testing.assert_allclose(np.asarray(got), expected, rtol=RTOL)
    theirs, ours = keras.metrics.BinaryAccuracy(), metrics.BinaryAccuracy()
    theirs.update_state(torch.tensor(y_true), torch_pred)
    ours.update_state(y_true, ours_pred)
    np.testing.assert_allclose(np.asarray(ours.result()), np.asarray(theirs.result()), rtol=RTOL)
