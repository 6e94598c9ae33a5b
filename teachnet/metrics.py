"""Metrics: numbers that tell people how training is going.

Unlike a loss, a metric is not differentiated, and it accumulates over many
batches: a whole epoch's accuracy is not the mean of per-batch accuracies when
batches differ in size. So a metric is a small state machine, as in Keras:

    m = BinaryAccuracy()
    m.update_state(y_true_batch_1, y_pred_batch_1)   # adds to its state
    m.update_state(y_true_batch_2, y_pred_batch_2)
    m.result()                                        # reads the state
    m.reset_state()                                   # zeros it (each epoch)

The state lives in non-trainable Variables (numpy arrays inside, listed by
`m.variables`); everything here computes in numpy, float32 like Keras, and
never records on a tape.
"""
import inspect

import numpy as np

from teachnet import initializers, losses
from teachnet.autodiff import Tensor, Variable
from teachnet.naming import snake_case, unique_name
from teachnet.losses import squeeze_or_expand_to_same_rank


def _array(x, dtype=None):
    """A numpy array from a Tensor, array or nested list (no tape involved)."""
    x = np.asarray(x.data if isinstance(x, Tensor) else x)
    return x if dtype is None else x.astype(dtype, copy=False)


def _same_rank(x1, x2, expand_rank_1=True):
    """losses.squeeze_or_expand_to_same_rank, on and back to numpy arrays."""
    a, b = squeeze_or_expand_to_same_rank(Tensor(x1), Tensor(x2), expand_rank_1)
    return a.data, b.data


def _divide_no_nan(a, b):
    return np.where(b == 0, 0, a / np.where(b == 0, 1, b)).astype(np.result_type(a, b), copy=False)


# ---------------------------------------------------------------------------
# The base class and the two reductions every other metric builds on
# ---------------------------------------------------------------------------

class Metric:
    """Base class of metrics: state variables, `update_state`, `result`, `reset_state`.

    Args:
        name: the name used for History keys; defaults to the snake_case class
            name, made unique as Keras does ("auc", then "auc_1", ... until
            clear_session()).
        dtype: the dtype of the state and the result, float32 by default.

    Example:
        >>> class Count(teachnet.metrics.Metric):
        ...     def __init__(self, name="count"):
        ...         super().__init__(name=name)
        ...         self.count = self.add_variable((), name="count")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         self.count.assign_add(len(y_true))
        ...     def result(self):
        ...         return Tensor(self.count.numpy())
    """

    def __init__(self, dtype=None, name=None):  # Keras's order
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.dtype = np.dtype(dtype or "float32")
        self._variables = []

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="sum", name=None):
        """Creates a state variable (non-trainable) and tracks it in `variables`.

        Args (Keras's):
            shape: the variable's shape, `()` for a scalar count.
            initializer: its starting value: an initializer name ("zeros",
                "ones", ...) or object; `reset_state()` sets it back to zeros,
                as Keras does.
            dtype: defaults to the metric's dtype.
            aggregation: accepted for Keras code; teachnet runs on one device,
                so nothing is aggregated.
            name: the variable's name.
        """
        if not hasattr(self, "_variables"):
            raise RuntimeError(f"{type(self).__name__}: call `super().__init__(name=name, **kwargs)` at the "
                               "start of `__init__` before creating state variables with `add_variable` "
                               "or `add_weight`.")
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = (shape,)
        dtype = np.dtype(dtype or self.dtype)
        value = initializers.get(initializer or "zeros")(tuple(shape), dtype=dtype)
        v = Variable(value, trainable=False, name=name or f"variable_{len(self._variables)}", dtype=dtype)
        self._variables.append(v)
        return v

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Keras's older name of `add_variable` (a scalar of zeros by default)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        return list(self._variables)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define update_state(...).")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must define result().")

    def reset_state(self):
        """Sets every state variable back to zero."""
        for v in self._variables:
            v.assign(np.zeros(v.shape))

    def __call__(self, *args, **kwargs):
        """update_state(...) then result()."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": str(self.dtype)}

    @classmethod
    def from_config(cls, config):
        from teachnet.saving.serialization import layer_from_config  # saving sits above the engine
        return layer_from_config(cls, config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype, mask=None):
    """One value per sample, weighted: Keras 3's rule for Sum and Mean.

    Extra axes beyond those of the weights are reduced with `reduce_fn`; the
    weights are broadcast to the values and multiplied in."""
    values = _array(values, dtype)
    if sample_weight is not None:
        sample_weight = _array(sample_weight, dtype)
        if mask is not None:
            sample_weight = _array(losses.apply_mask(sample_weight, mask, dtype, reduction="sum"))
        values, sample_weight = _same_rank(values, sample_weight)
        if values.ndim > sample_weight.ndim:
            values = reduce_fn(values, axis=tuple(range(sample_weight.ndim, values.ndim)))
        try:
            sample_weight = np.broadcast_to(sample_weight, values.shape)
        except ValueError:
            raise ValueError(f"sample_weight of shape {sample_weight.shape} cannot weight values of shape "
                             f"{values.shape}: expected one weight per sample.") from None
        values = values * sample_weight
        if sample_weight.ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, sample_weight.ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of all values seen.

    Formula: total = sum(sample_weight * values).

    Example:
        >>> m = Sum(); m.update_state([1, 3, 5, 7]); float(m.result())  # 16.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = _reduce_to_samplewise_values(values, sample_weight, np.sum, self.dtype)
        self.total.assign_add(values.sum(dtype=self.dtype))

    def result(self):
        return Tensor(self.total.numpy())


class Mean(Metric):
    """The (weighted) mean of all values seen, across every update.

    Formula: total / count, with total = sum(sample_weight * values) and
    count = sum(sample_weight) (the number of samples when unweighted).

    Example:
        >>> m = Mean(); m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())  # 2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None):
        # As in Keras, a mask on the values (set by sparse crossentropy's
        # ignore_class) is only applied when there are sample weights.
        mask = getattr(values, "_keras_mask", None)
        values, sample_weight = _reduce_to_samplewise_values(values, sample_weight, np.mean, self.dtype, mask)
        self.total.assign_add(values.sum(dtype=self.dtype))
        if sample_weight is not None:
            num_samples = sample_weight.sum(dtype=self.dtype)
        else:
            num_samples = values.shape[0] if values.ndim >= 1 else 1
        self.count.assign_add(num_samples)

    def result(self):
        return Tensor(_divide_no_nan(self.total.numpy(), self.count.numpy()))


class MeanMetricWrapper(Mean):
    """The running mean of a function `fn(y_true, y_pred, **kwargs)` that gives
    one value per sample: how every accuracy and error metric is made.

    Any function works, written with numpy or teachnet.ops:

        >>> def within_tenth(y_true, y_pred):
        ...     return np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred)) < 0.1, axis=-1)
        >>> m = MeanMetricWrapper(within_tenth)

    Args:
        fn: the per-sample function.
        name: defaults to fn's name.
        dtype: the state dtype (float32).
        **kwargs: passed on to fn.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None) or snake_case(type(fn).__name__), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = getattr(y_pred, "_keras_mask", None)  # positions a masking layer marked invalid
        # Constants, so that a metric computed inside a GradientTape records nothing.
        y_true, y_pred = Tensor(y_true), Tensor(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            sample_weight = losses.apply_mask(sample_weight, mask, self.dtype, reduction="sum")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


# ---------------------------------------------------------------------------
# Accuracy: the fraction of predictions that are right
# ---------------------------------------------------------------------------

def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true exactly, else 0.0."""
    y_pred = _array(y_pred)
    y_true, y_pred = _same_rank(_array(y_true, y_pred.dtype), y_pred)
    return Tensor((y_true == y_pred).astype("float32"))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals the 0/1 label, else 0.0 (per label).

    Shapes: y_true and y_pred (batch, ..., labels) -> (batch, ..., labels).
    """
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    predicted = (y_pred > threshold).astype(y_true.dtype)
    return Tensor((y_true == predicted).astype("float32"))


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) is the class of the one-hot y_true, else 0.0.

    Shapes: y_true and y_pred (batch, ..., classes) -> (batch, ...).
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.shape != y_pred.shape and y_true.shape in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,)):
        raise ValueError(f"categorical_accuracy expects one-hot y_true with the shape of y_pred {y_pred.shape}. "
                         f"Received: y_true.shape={y_true.shape}, which looks like integer class ids. "
                         "Use sparse_categorical_accuracy (SparseCategoricalAccuracy) for integer labels.")
    matches = np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)
    return Tensor(matches.astype("float32"))


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals the integer label, else 0.0.

    Shapes: y_true (batch, ...) or (batch, ..., 1), y_pred (batch, ..., classes) -> (batch, ...).
    """
    y_true, y_pred = _array(y_true), _array(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        hint = (" It looks one-hot encoded: use categorical_accuracy (CategoricalAccuracy)."
                if y_true.shape == y_pred.shape else "")
        raise ValueError("sparse_categorical_accuracy expects integer labels with the shape of y_pred without "
                         f"its class axis. Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}.{hint}")
    return Tensor((y_true == np.argmax(y_pred, axis=-1)).astype("float32"))


def _in_top_k(targets, predictions, k):
    # A target is in the top k when its score is at least the k-th largest (ties count, as Keras).
    kth_largest = -np.sort(-predictions, axis=-1)[:, min(k, predictions.shape[-1]) - 1]
    return np.take_along_axis(predictions, targets[:, None], axis=-1)[:, 0] >= kth_largest


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the class of the one-hot y_true is among the k highest scores."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    labels = np.argmax(y_true, axis=-1)
    matches = _in_top_k(labels.reshape(-1), y_pred.reshape(-1, y_pred.shape[-1]), k)
    return Tensor(matches.reshape(labels.shape).astype("float32"))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the integer label is among the k highest scores."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    matches = _in_top_k(y_true.reshape(-1).astype(int), y_pred.reshape(-1, y_pred.shape[-1]), k)
    return Tensor(matches.reshape(y_true.shape).astype("float32"))


class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly (for predicted labels, not scores)."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) matches the 0/1 labels.

    Args:
        threshold: the probability above which a prediction counts as 1.
            Use 0.0 when y_pred holds logits.
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the highest score is the class of the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the highest score is the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the k highest scores.

    Args:
        k: how many of the top scores count. Defaults to 5.
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest scores."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


# ---------------------------------------------------------------------------
# Errors and crossentropies: the running mean of a loss function
# ---------------------------------------------------------------------------

class MeanSquaredError(MeanMetricWrapper):
    """Running mean of mean((y_true - y_pred)^2, axis=-1)."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of mean(|y_true - y_pred|, axis=-1)."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean of 100 * mean(|(y_true - y_pred) / y_true|, axis=-1)."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Running mean of mean((log(1 + y_pred) - log(1 + y_true))^2, axis=-1)."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """The square root of the mean squared error over everything seen.

    Formula: sqrt(sum(w * (y_pred - y_true)^2) / sum(w)). Not the mean of
    per-batch RMSEs: the root is taken once, at the end.
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(_array(y_true, self.dtype), _array(y_pred, self.dtype))
        super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return Tensor(np.sqrt(super().result().numpy()))


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine similarity (note: +1 for the same direction,
    the opposite sign of the loss)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine_similarity, name=name, dtype=dtype, axis=axis)


def _cosine_similarity(y_true, y_pred, axis=-1):
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


class LogCoshError(MeanMetricWrapper):
    """Running mean of mean(log(cosh(y_pred - y_true)), axis=-1)."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(losses.log_cosh, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of the binary crossentropy (see losses.BinaryCrossentropy)."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of the categorical crossentropy (see losses.CategoricalCrossentropy)."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0,
                 axis=-1):
        super().__init__(losses.categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of the sparse categorical crossentropy (integer labels)."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)


class KLDivergence(MeanMetricWrapper):
    """Running mean of sum(y_true * log(y_true / y_pred), axis=-1)."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Running mean of mean(y_pred - y_true * log(y_pred), axis=-1)."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(losses.poisson, name=name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """Running mean of the hinge loss."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses.hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Running mean of the squared hinge loss."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """Running mean of the categorical hinge loss."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)


# ---------------------------------------------------------------------------
# The confusion matrix: true/false positives/negatives at thresholds
# ---------------------------------------------------------------------------

def _evenly_spaced(thresholds):
    n = len(thresholds)
    return n >= 3 and np.allclose(thresholds, np.arange(n, dtype="float32") / (n - 1), atol=losses.EPSILON)


def _parse_thresholds(name, thresholds, default):
    values = [default] if thresholds is None else list(np.atleast_1d(thresholds))
    bad = [t for t in values if t is None or not 0 <= t <= 1] if thresholds is not None else []
    if bad:
        raise ValueError(f"{name}: threshold values must be in [0, 1]. Received: thresholds={thresholds}")
    return values


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, class_id=None, top_k=None,
                     multi_label=False, label_weights=None, evenly_spaced=False, dtype="float32"):
    """Weighted counts of true/false positives/negatives at each threshold.

    A prediction counts as positive when y_pred > threshold; y_true is cast to
    bool. Each entry weighs sample_weight (per sample) times label_weights (per
    label column). Returns a dict with "tp", "fp", "tn", "fn", each of shape
    (len(thresholds),), or (len(thresholds), labels) with multi_label=True.
    """
    y_true, y_pred = _array(y_true, dtype), _array(y_pred, dtype)
    y_pred, y_true = _same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape. "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    weights = np.ones_like(y_pred)
    if sample_weight is not None:
        sample_weight = _array(sample_weight, dtype)[..., None]       # one weight per sample ...
        _, sample_weight = _same_rank(y_true, sample_weight, expand_rank_1=False)
        weights = np.broadcast_to(sample_weight, y_pred.shape)          # ... spread over its labels
    if label_weights is not None:
        weights = weights * np.broadcast_to(_array(label_weights, dtype), y_pred.shape)
    if top_k is not None:  # keep the k highest scores of each sample, push the others below every threshold
        kth = -np.sort(-y_pred, axis=-1)[..., top_k - 1: top_k]
        y_pred = np.where(y_pred >= kth, y_pred, -1e10).astype(dtype)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true, y_pred, weights = (a[..., class_id, None] for a in (y_true, y_pred, weights))
    if evenly_spaced:
        # Keras then counts with buckets over [0, 1], which amounts to clipping y_pred to [0, 1].
        y_pred = np.clip(y_pred, 0.0, 1.0)
    if not multi_label:
        y_true, y_pred, weights = y_true.reshape(-1), y_pred.reshape(-1), weights.reshape(-1)
    thresholds = np.asarray(thresholds, dtype=dtype).reshape((-1,) + (1,) * y_pred.ndim)
    predicted = y_pred[None] > thresholds        # (thresholds, samples[, labels])
    actual = y_true[None].astype(bool)           # (1, samples[, labels])
    counts = {"tp": predicted & actual, "fp": predicted & ~actual,
              "tn": ~predicted & ~actual, "fn": ~predicted & actual}
    return {key: np.where(hit, weights[None], 0).sum(axis=1, dtype=dtype) for key, hit in counts.items()}


def _check_not_class_labels(metric, y_true, y_pred):
    """Integer class labels against a multi-class output: counting needs y_true
    shaped like y_pred, so say how to get there instead of a bare shape error."""
    true_shape, pred_shape = np.shape(_array(y_true)), np.shape(_array(y_pred))
    if len(pred_shape) >= 2 and pred_shape[-1] > 1 and true_shape in (pred_shape[:-1], pred_shape[:-1] + (1,)):
        n = pred_shape[-1]
        raise ValueError(
            f"{type(metric).__name__} metric \"{metric.name}\" received a multi-class output of shape {pred_shape} "
            f"and class labels of shape {true_shape}. It compares each entry of y_pred (above the threshold = "
            f"predicted positive) with the same entry of y_true, so it needs one-hot targets of shape {pred_shape}: "
            f"y = teachnet.ops.one_hot(labels, {n}) with loss=\"categorical_crossentropy\". Then pass "
            f"class_id=k to measure class k alone (without it, the counts pool every class).")


class _ConfusionMatrixMetric(Metric):
    """Keeps running true/false positive/negative counts at its thresholds;
    result() gives the count it keeps (subclasses combine several)."""

    _kept = ("tp", "fp", "tn", "fn")
    _names = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives", "fn": "false_negatives"}

    def __init__(self, thresholds=None, name=None, dtype=None, top_k=None, class_id=None, default_threshold=0.5):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(type(self).__name__, thresholds, default_threshold)
        self.top_k, self.class_id = top_k, class_id
        self._evenly_spaced = _evenly_spaced(self.thresholds)
        self.counts = {key: self.add_variable((len(self.thresholds),), name=self._names[key]) for key in self._kept}

    def update_state(self, y_true, y_pred, sample_weight=None):
        _check_not_class_labels(self, y_true, y_pred)
        new = confusion_counts(y_true, y_pred, self.thresholds, sample_weight, self.class_id, self.top_k,
                               evenly_spaced=self._evenly_spaced, dtype=self.dtype)
        for key in self._kept:
            self.counts[key].assign_add(new[key])

    def result(self):
        return self._single(self.counts[self._kept[0]].numpy())

    def _single(self, value):
        return Tensor(value[0] if len(self.thresholds) == 1 else value)


class Precision(_ConfusionMatrixMetric):
    """Of the samples predicted positive, the fraction that are positive.

    Formula: precision = TP / (TP + FP), a prediction being positive when
    y_pred > threshold.

    Args:
        thresholds: a float or list of floats in [0, 1]; defaults to 0.5.
            With a list, result() gives one precision per threshold.
        top_k: only the k highest scores of each sample count as predicted positive.
        class_id: compute it for one class (column) only.

    Example:
        >>> m = Precision(); m.update_state([0, 1, 1, 1], [1, 0, 1, 1]); float(m.result())  # 0.6667
    """

    _kept = ("tp", "fp")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, name, dtype, top_k, class_id, default_threshold=0.5 if top_k is None else -1e10)
        self.true_positives, self.false_positives = self.counts["tp"], self.counts["fp"]

    def result(self):
        tp, fp = self.true_positives.numpy(), self.false_positives.numpy()
        return self._single(_divide_no_nan(tp, tp + fp))


class Recall(_ConfusionMatrixMetric):
    """Of the positive samples, the fraction predicted positive.

    Formula: recall = TP / (TP + FN), a prediction being positive when
    y_pred > threshold.

    Args:
        thresholds, top_k, class_id: as for Precision.

    Example:
        >>> m = Recall(); m.update_state([0, 1, 1, 1], [1, 0, 1, 1]); float(m.result())  # 0.6667
    """

    _kept = ("tp", "fn")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, name, dtype, top_k, class_id, default_threshold=0.5 if top_k is None else -1e10)
        self.true_positives, self.false_negatives = self.counts["tp"], self.counts["fn"]

    def result(self):
        tp, fn = self.true_positives.numpy(), self.false_negatives.numpy()
        return self._single(_divide_no_nan(tp, tp + fn))


# The four cells of the confusion matrix, one metric each (args: thresholds, name, dtype).

class TruePositives(_ConfusionMatrixMetric):
    """The (weighted) number of positives predicted positive (y_pred > threshold)."""
    _kept = ("tp",)


class FalsePositives(_ConfusionMatrixMetric):
    """The (weighted) number of negatives predicted positive (y_pred > threshold)."""
    _kept = ("fp",)


class TrueNegatives(_ConfusionMatrixMetric):
    """The (weighted) number of negatives predicted negative (y_pred <= threshold)."""
    _kept = ("tn",)


class FalseNegatives(_ConfusionMatrixMetric):
    """The (weighted) number of positives predicted negative (y_pred <= threshold)."""
    _kept = ("fn",)


class AUC(Metric):
    """The area under the ROC curve (or the precision-recall curve), approximated
    from confusion counts at `num_thresholds` thresholds.

    Formula (ROC, interpolation): with thresholds t_0 < ... < t_{n-1},
    TPR_i = TP_i / (TP_i + FN_i) and FPR_i = FP_i / (FP_i + TN_i),
        AUC = sum_i (FPR_i - FPR_{i+1}) * (TPR_i + TPR_{i+1}) / 2    (trapezoids).
    For curve="PR" with interpolation, precision is interpolated between
    thresholds as Davis & Goadrich (2006) do, Keras's closed form.

    Args:
        num_thresholds: thresholds evenly spaced over [0, 1]; defaults to 200.
            The first is just below 0 and the last just above 1.
        curve: "ROC" (default) or "PR".
        summation_method: "interpolation" (default), "minoring" (lower
            rectangles) or "majoring" (upper rectangles).
        thresholds: explicit thresholds in [0, 1] instead of num_thresholds.
        multi_label: keep one curve per label column and average the AUCs.
        label_weights: weights of the labels in that average (multi_label).
        from_logits: apply a sigmoid to y_pred first.

    Example:
        >>> m = AUC(); m.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); float(m.result())  # 0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None,
                 dtype=None, thresholds=None, multi_label=False, num_labels=None, label_weights=None,
                 from_logits=False):
        super().__init__(name=name, dtype=dtype)
        if str(curve).upper() not in ("ROC", "PR"):
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC"]')
        if str(summation_method).lower() not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        if thresholds is not None:
            inner = sorted(_parse_thresholds("AUC", thresholds, None))
            self._evenly_spaced = _evenly_spaced([0.0] + inner + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly_spaced = True
        # End points just outside [0, 1], so that predictions of exactly 0 or 1 are still counted.
        self._thresholds = np.array([0.0 - losses.EPSILON] + inner + [1.0 + losses.EPSILON])
        self.num_thresholds = len(self._thresholds)
        self.curve, self.summation_method = str(curve).upper(), str(summation_method).lower()
        self.multi_label, self.num_labels, self._from_logits = multi_label, num_labels, from_logits
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=self.dtype)
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self._built = False
        if not multi_label or num_labels:
            self._build(num_labels)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, num_labels):
        shape = (self.num_thresholds, num_labels) if self.multi_label else (self.num_thresholds,)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _array(y_pred, self.dtype)
        if not self._built:  # multi_label: the number of labels is known from the first batch
            if y_pred.ndim != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. "
                                 f"Found rank {y_pred.ndim}. Full shape received for `y_pred`: {y_pred.shape}")
            self._build(y_pred.shape[1])
        if self._from_logits:
            y_pred = np.exp(-np.logaddexp(0, -y_pred)).astype(self.dtype)  # sigmoid
        # With multi_label, label weights average the per-label AUCs in result() instead.
        label_weights = None if self.multi_label else self.label_weights
        new = confusion_counts(y_true, y_pred, self._thresholds, sample_weight, multi_label=self.multi_label,
                               label_weights=label_weights, evenly_spaced=self._evenly_spaced, dtype=self.dtype)
        self.true_positives.assign_add(new["tp"])
        self.false_positives.assign_add(new["fp"])
        self.true_negatives.assign_add(new["tn"])
        self.false_negatives.assign_add(new["fn"])

    def _average_over_labels(self, by_threshold):
        if not self.multi_label:
            return Tensor(by_threshold.sum(dtype=self.dtype))
        by_label = by_threshold.sum(axis=0)
        if self.label_weights is None:
            return Tensor(by_label.mean(dtype=self.dtype))
        return Tensor(_divide_no_nan((by_label * self.label_weights).sum(), self.label_weights.sum()))

    def _interpolate_pr_auc(self):
        tp, fp, fn = self.true_positives.numpy(), self.false_positives.numpy(), self.false_negatives.numpy()
        p = tp + fp                                     # predicted positives at each threshold
        dtp, dp = tp[:-1] - tp[1:], p[:-1] - p[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))  # precision changes linearly in TP per unit of P
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:-1] > 0) & (p[1:] > 0), _divide_no_nan(p[:-1], np.maximum(p[1:], 0)), 1)
        increments = _divide_no_nan(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
        return self._average_over_labels(increments.astype(self.dtype))

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp = self.true_positives.numpy(), self.false_positives.numpy()
        tn, fn = self.true_negatives.numpy(), self.false_negatives.numpy()
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _divide_no_nan(fp, fp + tn), recall          # false positive rate, true positive rate
        else:
            x, y = recall, _divide_no_nan(tp, tp + fp)          # recall, precision
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average_over_labels((x[:-1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()


# ---------------------------------------------------------------------------
# Looking metrics up by name
# ---------------------------------------------------------------------------

_CLASSES = [Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, RootMeanSquaredError, CosineSimilarity,
            LogCoshError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
            KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge, Precision, Recall, AUC,
            TruePositives, FalsePositives, TrueNegatives, FalseNegatives]
# Keras 3's names: class names, their snake_case, and short aliases.
ALL_OBJECTS_DICT = {**{c.__name__: c for c in _CLASSES}, **{snake_case(c.__name__): c for c in _CLASSES}}
for _alias, _cls in {"bce": BinaryCrossentropy, "mse": MeanSquaredError, "mae": MeanAbsoluteError,
                     "mape": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError}.items():
    ALL_OBJECTS_DICT[_alias] = ALL_OBJECTS_DICT[_alias.upper()] = _cls


def get(identifier):
    """A Metric from a name, a Metric, a class, a config dict or a function.

    Names are Keras 3's: class names ("AUC", "BinaryAccuracy"), their snake_case
    ("binary_accuracy", "root_mean_squared_error") and "mse", "mae", "mape",
    "msle", "bce". A function `(y_true, y_pred) -> per-sample values` is
    wrapped in a MeanMetricWrapper. The metric keeps its default name; in
    compile(), the trainer renames it to the string the user gave (as Keras)
    and resolves "accuracy"/"acc" to the binary, categorical or sparse variant
    from the shapes of the targets (binary_accuracy, categorical_accuracy,
    sparse_categorical_accuracy).
    """
    if identifier is None:
        return None
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        cls = ALL_OBJECTS_DICT.get(identifier.get("class_name"))
        if cls is None:
            raise ValueError(f"Unknown metric class {identifier.get('class_name')!r} in config {identifier}. "
                             f"Valid class names: {sorted(c.__name__ for c in _CLASSES)}.")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        if identifier not in ALL_OBJECTS_DICT:
            raise ValueError(f"Unknown metric {identifier!r}. Valid names: {sorted(ALL_OBJECTS_DICT)}.")
        return ALL_OBJECTS_DICT[identifier]()
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}. Expected a name, a Metric, "
                     "or a function (y_true, y_pred) -> per-sample values.")
