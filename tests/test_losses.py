"""Losses: gradients against central differences, stability of the logit paths,
Keras 3's reduction and sample-weight rules on hand-computed cases, lookup by
name, and the error messages a learner sees. (Parity with Keras itself is in
test_parity_losses_metrics.py.)"""
import numpy as np
import pytest

from teachnet import GradientTape, Variable, losses, ops
from teachnet.utils import clear_session
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(7)
B, C = 4, 3
ONE_HOT = np.eye(C)[RNG.integers(0, C, B)]                 # (4, 3)
SPARSE = ONE_HOT.argmax(-1)                                # (4,)
PROBS = RNG.uniform(0.05, 0.95, (B, C))                    # (4, 3), inside the clip range
LOGITS = RNG.normal(0, 2, (B, C))
REGRESSION_TRUE = RNG.uniform(0.5, 2.0, (B, C))            # positive: MAPE, MSLE, Poisson
REGRESSION_PRED = RNG.uniform(0.5, 2.0, (B, C))
SIGNS = np.where(RNG.uniform(size=(B, C)) > 0.5, 1.0, -1.0)
BINARY = RNG.integers(0, 2, (B, C)).astype(float)
DISTRIBUTION = RNG.dirichlet(np.ones(C), B)


# ---------------------------------------------------------------------------
# Gradient checks: each loss function and each class, in float64
# ---------------------------------------------------------------------------

FUNCTION_CASES = {
    "binary_crossentropy": (losses.binary_crossentropy, BINARY, PROBS, {}),
    "binary_crossentropy_logits": (losses.binary_crossentropy, BINARY, LOGITS, {"from_logits": True}),
    "binary_crossentropy_smoothing": (losses.binary_crossentropy, BINARY, PROBS, {"label_smoothing": 0.2}),
    "categorical_crossentropy": (losses.categorical_crossentropy, ONE_HOT, PROBS, {}),
    "categorical_crossentropy_logits": (losses.categorical_crossentropy, ONE_HOT, LOGITS,
                                        {"from_logits": True, "label_smoothing": 0.1}),
    "sparse_categorical_crossentropy": (losses.sparse_categorical_crossentropy, SPARSE, PROBS, {}),
    "sparse_categorical_crossentropy_logits": (losses.sparse_categorical_crossentropy, SPARSE, LOGITS,
                                               {"from_logits": True}),
    "mean_squared_error": (losses.mean_squared_error, REGRESSION_TRUE, REGRESSION_PRED, {}),
    "mean_absolute_error": (losses.mean_absolute_error, REGRESSION_TRUE, REGRESSION_PRED, {}),
    "mean_absolute_percentage_error": (losses.mean_absolute_percentage_error, REGRESSION_TRUE, REGRESSION_PRED, {}),
    "mean_squared_logarithmic_error": (losses.mean_squared_logarithmic_error, REGRESSION_TRUE, REGRESSION_PRED, {}),
    "kl_divergence": (losses.kl_divergence, DISTRIBUTION, PROBS, {}),
    "poisson": (losses.poisson, REGRESSION_TRUE, REGRESSION_PRED, {}),
    "cosine_similarity": (losses.cosine_similarity, LOGITS, REGRESSION_PRED, {}),
    "huber": (losses.huber, REGRESSION_TRUE, 2 * REGRESSION_PRED, {"delta": 0.7}),
    "log_cosh": (losses.log_cosh, REGRESSION_TRUE, 3 * LOGITS, {}),
    "hinge": (losses.hinge, SIGNS, LOGITS, {}),
    "hinge_binary_labels": (losses.hinge, BINARY, LOGITS, {}),
    "squared_hinge": (losses.squared_hinge, SIGNS, LOGITS, {}),
    "categorical_hinge": (losses.categorical_hinge, ONE_HOT, LOGITS, {}),
}


@pytest.mark.parametrize("case", sorted(FUNCTION_CASES))
def test_loss_function_gradient_matches_central_differences(case):
    fn, y_true, y_pred, kwargs = FUNCTION_CASES[case]
    check_gradients(lambda p: fn(y_true, p, **kwargs), y_pred)


def test_huber_gradient_on_both_sides_of_delta():
    y_pred = np.array([[0.1, -0.3, 2.5, -4.0]])  # errors inside and outside delta=1
    check_gradients(lambda p: losses.huber(np.zeros((1, 4)), p), y_pred)


CLASS_CASES = [
    (losses.BinaryCrossentropy, {"from_logits": True}, BINARY, LOGITS),
    (losses.CategoricalCrossentropy, {}, ONE_HOT, PROBS),
    (losses.SparseCategoricalCrossentropy, {"from_logits": True}, SPARSE, LOGITS),
    (losses.MeanSquaredError, {}, REGRESSION_TRUE, REGRESSION_PRED),
    (losses.MeanAbsoluteError, {}, REGRESSION_TRUE, REGRESSION_PRED),
    (losses.MeanAbsolutePercentageError, {}, REGRESSION_TRUE, REGRESSION_PRED),
    (losses.MeanSquaredLogarithmicError, {}, REGRESSION_TRUE, REGRESSION_PRED),
    (losses.KLDivergence, {}, DISTRIBUTION, PROBS),
    (losses.CosineSimilarity, {}, LOGITS, REGRESSION_PRED),
    (losses.Huber, {"delta": 0.5}, REGRESSION_TRUE, REGRESSION_PRED),
    (losses.LogCosh, {}, REGRESSION_TRUE, LOGITS),
    (losses.Hinge, {}, SIGNS, LOGITS),
    (losses.SquaredHinge, {}, SIGNS, LOGITS),
    (losses.CategoricalHinge, {}, ONE_HOT, LOGITS),
    (losses.Poisson, {}, REGRESSION_TRUE, REGRESSION_PRED),
]


@pytest.mark.parametrize("cls,kwargs,y_true,y_pred", CLASS_CASES, ids=[c[0].__name__ for c in CLASS_CASES])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_loss_class_gradient_with_sample_weight(cls, kwargs, y_true, y_pred, reduction):
    loss = cls(reduction=reduction, dtype="float64", **kwargs)
    weights = np.array([0.5, 2.0, 0.0, 1.0])
    check_gradients(lambda p: loss(y_true, p, sample_weight=weights), y_pred)


# ---------------------------------------------------------------------------
# Stability: logits of size 1e4 give finite losses and finite gradients
# ---------------------------------------------------------------------------

def _value_and_gradient(loss, y_true, logits):
    x = Variable(logits)
    with GradientTape() as tape:
        value = loss(y_true, x)
    return float(value), np.asarray(tape.gradient(value, x))


def test_binary_crossentropy_from_huge_logits_is_finite_and_exact():
    logits = np.array([[1e4], [-1e4], [1e4], [-1e4]], dtype="float32")
    y_true = np.array([[1.0], [0.0], [0.0], [1.0]])
    value, grad = _value_and_gradient(losses.BinaryCrossentropy(from_logits=True), y_true, logits)
    assert value == pytest.approx((0 + 0 + 1e4 + 1e4) / 4)  # confident and right: 0; wrong: |logit|
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.ravel(), [0, 0, 0.25, -0.25], atol=1e-7)  # (sigmoid(x) - y) / 4


def test_categorical_crossentropy_from_huge_logits_is_finite():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]], dtype="float32")
    y_true = np.array([[1.0, 0, 0], [1.0, 0, 0]])
    value, grad = _value_and_gradient(losses.CategoricalCrossentropy(from_logits=True), y_true, logits)
    assert value == pytest.approx((0 + 2e4) / 2)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-7)  # (softmax - y) / 2


def test_sparse_categorical_crossentropy_from_huge_logits_is_finite():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]], dtype="float32")
    value, grad = _value_and_gradient(losses.SparseCategoricalCrossentropy(from_logits=True), [0, 0], logits)
    assert value == pytest.approx(1e4)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-7)


def test_probability_losses_clip_instead_of_taking_log_of_zero():
    # p = 0 and p = 1 are clipped to 1e-7 and 1 - 1e-7 (in float32: 1 - 1.19e-7), as Keras.
    value, grad = _value_and_gradient(losses.BinaryCrossentropy(), [[1.0], [0.0]],
                                      np.array([[0.0], [1.0]], dtype="float32"))
    high = np.float32(1 - 1e-7)
    assert value == pytest.approx((-np.log(np.float32(1e-7)) - np.log(1 - high)) / 2, rel=1e-6)
    assert np.all(np.isfinite(grad))
    value, _ = _value_and_gradient(losses.CategoricalCrossentropy(), [[0.0, 1.0]],
                                   np.array([[1.0, 0.0]], dtype="float32"))
    assert value == pytest.approx(-np.log(1e-7), rel=1e-3)


def test_log_cosh_of_huge_errors_is_finite():
    value, grad = _value_and_gradient(losses.LogCosh(), [[0.0, 0.0]], np.array([[1e4, -1e4]], dtype="float32"))
    assert value == pytest.approx(1e4 - np.log(2.0))  # log(cosh(x)) = |x| - log 2 for large |x|
    np.testing.assert_allclose(grad, [[0.5, -0.5]])    # tanh(x) / 2 (the mean over 2 values)


def test_cosine_similarity_of_a_zero_vector_is_zero_with_a_finite_gradient():
    value, grad = _value_and_gradient(losses.CosineSimilarity(), [[1.0, 0.0]], np.zeros((1, 2), dtype="float32"))
    assert value == 0.0
    assert np.all(np.isfinite(grad))


def test_categorical_crossentropy_renormalises_probabilities():
    # Rows that do not sum to 1 are divided by their sum first.
    unnormalised = np.array([[2.0, 6.0]])  # -> [0.25, 0.75]
    assert float(losses.categorical_crossentropy([[0.0, 1.0]], unnormalised)[0]) == pytest.approx(-np.log(0.75))


# ---------------------------------------------------------------------------
# Reductions and sample weights, on numbers small enough to check by hand
# ---------------------------------------------------------------------------

Y_TRUE = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
Y_PRED = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])  # per-sample MSE: 1, 4, 9


@pytest.mark.parametrize("reduction,sample_weight,expected", [
    ("sum_over_batch_size", None, 14 / 3),
    ("sum", None, 14.0),
    ("mean", None, 14 / 3),
    (None, None, [1.0, 4.0, 9.0]),
    ("none", None, [1.0, 4.0, 9.0]),
    ("sum_over_batch_size", [1.0, 0.0, 3.0], (1 + 27) / 3),  # divides by 3 values, not by sum(w) = 4
    ("sum", [1.0, 0.0, 2.0], 19.0),
    ("mean_with_sample_weight", [1.0, 0.0, 1.0], 10 / 2),
    (None, [1.0, 0.0, 2.0], [1.0, 0.0, 18.0]),
    ("sum_over_batch_size", 2.0, 28 / 3),                     # a scalar weight scales everything
    ("sum_over_batch_size", [[1.0], [0.0], [2.0]], 19 / 3),   # (batch, 1) weights are squeezed
])
def test_reduction_and_sample_weight(reduction, sample_weight, expected):
    value = losses.MeanSquaredError(reduction=reduction)(Y_TRUE, Y_PRED, sample_weight=sample_weight)
    np.testing.assert_allclose(np.asarray(value), expected, rtol=1e-6)


def test_sum_over_batch_size_counts_every_value_of_a_sequence_loss():
    # Per-sample losses of shape (batch, time) are averaged over batch * time values.
    y_true = np.zeros((2, 3, 1))
    y_pred = np.arange(6, dtype="float32").reshape(2, 3, 1)
    value = losses.MeanAbsoluteError()(y_true, y_pred)
    assert float(value) == pytest.approx(np.arange(6).mean())


def test_mask_on_predictions_averages_over_valid_steps_only():
    y_pred = ops.convert_to_tensor(np.array([[[1.0], [2.0], [5.0]]], dtype="float32"))  # (1, 3, 1)
    y_pred._keras_mask = np.array([[True, True, False]])  # as a masking layer leaves it
    value = losses.MeanAbsoluteError()(np.zeros((1, 3, 1)), y_pred)
    assert float(value) == pytest.approx(1.5)


def test_ignore_class_gives_zero_loss_and_is_left_out_of_the_average():
    probs = np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]], dtype="float32")
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    expected = (-np.log(0.5) - np.log(0.8)) / 2
    assert float(loss([0, -1, 1], probs)) == pytest.approx(expected, rel=1e-6)
    per_sample = losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction=None)([0, -1, 1], probs)
    np.testing.assert_allclose(np.asarray(per_sample), [-np.log(0.5), 0.0, -np.log(0.8)], rtol=1e-6)


def test_sparse_labels_of_shape_batch_by_one_are_accepted():
    a = losses.sparse_categorical_crossentropy(np.array([[0], [2]]), PROBS[:2])
    b = losses.sparse_categorical_crossentropy(np.array([0, 2]), PROBS[:2])
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_sparse_crossentropy_along_a_non_last_axis():
    logits = RNG.normal(size=(2, C, 5))  # classes on axis 1
    labels = RNG.integers(0, C, (2, 5))
    moved = losses.sparse_categorical_crossentropy(labels, np.moveaxis(logits, 1, -1), from_logits=True)
    along = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True, axis=1)
    np.testing.assert_allclose(np.asarray(along), np.asarray(moved), rtol=1e-12)


def test_hinge_converts_zero_one_labels_to_minus_one_plus_one():
    a = losses.hinge(BINARY, LOGITS)
    b = losses.hinge(2 * BINARY - 1, LOGITS)
    np.testing.assert_allclose(np.asarray(a), np.asarray(b))


def test_loss_computes_in_float32_by_default_and_in_its_dtype_otherwise():
    assert losses.MeanSquaredError()(Y_TRUE, Y_PRED).dtype == np.float32
    assert losses.MeanSquaredError(dtype="float64")(Y_TRUE, Y_PRED).dtype == np.float64


# ---------------------------------------------------------------------------
# Lookup by name, custom functions
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,cls_or_fn", [
    ("mse", losses.mean_squared_error), ("MSE", losses.mean_squared_error),
    ("mae", losses.mean_absolute_error), ("mape", losses.mean_absolute_percentage_error),
    ("msle", losses.mean_squared_logarithmic_error), ("kld", losses.kl_divergence),
    ("bce", losses.binary_crossentropy), ("binary_crossentropy", losses.binary_crossentropy),
    ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy),
    ("huber", losses.huber), ("log_cosh", losses.log_cosh),
])
def test_get_resolves_function_names_and_aliases(name, cls_or_fn):
    loss = losses.get(name)
    assert isinstance(loss, losses.LossFunctionWrapper)
    assert loss.fn is cls_or_fn and loss.name == name


def test_get_resolves_class_names_instances_and_configs():
    assert isinstance(losses.get("BinaryCrossentropy"), losses.BinaryCrossentropy)
    instance = losses.Huber(delta=2.0)
    assert losses.get(instance) is instance
    from_config = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(from_config, losses.CategoricalCrossentropy) and from_config.from_logits
    assert losses.get(None) is None


def test_get_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"Unknown loss 'mean_square_error'. Valid names: .*'mean_squared_error'"):
        losses.get("mean_square_error")


def test_custom_function_is_wrapped_and_differentiable():
    def my_loss(y_true, y_pred):
        return ops.mean(ops.square(y_pred - y_true) * 3.0, axis=-1)

    loss = losses.get(my_loss)
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.name == "my_loss"
    x = Variable(np.array([[1.0, 2.0]], dtype="float32"))
    with GradientTape() as tape:
        value = loss(np.zeros((1, 2)), x)
    assert float(value) == pytest.approx(7.5)
    np.testing.assert_allclose(np.asarray(tape.gradient(value, x)), [[3.0, 6.0]])


def test_custom_function_returning_numpy_says_to_use_teachnet_ops():
    def numpy_loss(y_true, y_pred):
        return np.mean(np.square(np.asarray(y_pred) - np.asarray(y_true)), axis=-1)

    with pytest.raises(TypeError, match=r"'numpy_loss' returned a numpy.ndarray.*teachnet.ops"):
        losses.get(numpy_loss)(np.zeros((2, 1)), np.ones((2, 1)))


def test_subclassing_loss_with_call():
    class Cubic(losses.Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.abs(y_pred - y_true) ** 3, axis=-1)

    clear_session()  # automatic names count from zero: "cubic", then "cubic_1", ...
    loss, second = Cubic(), Cubic()
    assert (loss.name, second.name) == ("cubic", "cubic_1")
    assert float(loss(np.zeros((2, 1)), np.array([[1.0], [2.0]]))) == pytest.approx(4.5)


# ---------------------------------------------------------------------------
# Errors a learner can act on
# ---------------------------------------------------------------------------

def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"mean_squared_error: y_true and y_pred must have the same shape. "
                                         r"Received: y_true.shape=\(4, 1\), y_pred.shape=\(4, 3\)"):
        losses.MeanSquaredError()(np.zeros((4, 1)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"binary_crossentropy.*y_true.shape=\(4, 2\), y_pred.shape=\(4, 3\)"):
        losses.BinaryCrossentropy()(np.zeros((4, 2)), np.full((4, 3), 0.5))


def test_one_hot_labels_with_the_sparse_loss_say_which_loss_to_use():
    with pytest.raises(ValueError, match=r"looks one-hot encoded. Use CategoricalCrossentropy"):
        losses.SparseCategoricalCrossentropy()(ONE_HOT, PROBS)


@pytest.mark.parametrize("labels", [SPARSE, SPARSE[:, None]])
def test_integer_labels_with_the_categorical_loss_say_which_loss_to_use(labels):
    with pytest.raises(ValueError, match=r"look like integer class ids. Use SparseCategoricalCrossentropy"):
        losses.CategoricalCrossentropy()(labels, PROBS)


def test_class_ids_out_of_range_name_the_range():
    with pytest.raises(ValueError, match=r"must lie in \[0, 3\) because y_pred has 3 classes\. "
                                         r"Received: values from 0 to 3"):
        losses.SparseCategoricalCrossentropy()([0, 1, 2, 3], PROBS)
    with pytest.raises(ValueError, match=r"Received: values from -1 to 2"):
        losses.sparse_categorical_crossentropy([-1, 1, 2, 0], PROBS)


def test_non_integer_class_ids_are_refused():
    with pytest.raises(ValueError, match=r"expects integer class ids in y_true\. "
                                         r"Received: non-integer values such as 0.5"):
        losses.sparse_categorical_crossentropy([0, 0.5, 1, 2], PROBS)


def test_sparse_labels_of_the_wrong_shape_name_both_shapes():
    with pytest.raises(ValueError, match=r"y_true.shape=\(3,\), y_pred.shape=\(4, 3\)"):
        losses.sparse_categorical_crossentropy([0, 1, 2], PROBS)


def test_invalid_reduction_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Invalid value for argument `reduction`. Expected one of "
                                         r"\['sum_over_batch_size', .*Received: reduction='average'"):
        losses.MeanSquaredError(reduction="average")


def test_sample_weight_of_the_wrong_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(2,\) cannot weight per-sample losses of "
                                         r"shape \(3,\)"):
        losses.MeanSquaredError()(Y_TRUE, Y_PRED, sample_weight=[1.0, 2.0])


def test_categorical_crossentropy_with_one_class_warns_to_use_binary():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy([[1.0]], [[0.7]])
