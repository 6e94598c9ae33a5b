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

from teachnet import GradientTape, Variable, losses  # noqa: E402

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
        return f32(np.eye(shape[-1])[RNG.integers(0, shape[-1], shape[:-1])]), f32(RNG.dirichlet(np.ones(shape[-1]), shape[:-1]))
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
    with pytest.raises(ValueError, match=r"sample_weight of shape \(6,\) cannot weight per-sample losses of shape \(6, 4\)"):
        losses.MeanSquaredError()(y_true, y_pred, sample_weight=weights)
