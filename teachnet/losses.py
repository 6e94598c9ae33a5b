"""Losses: one number that says how far the predictions are from the targets.

Training minimises it, so it must be differentiable in `y_pred`: every loss
here is written with `teachnet.ops`, and the tape differentiates it.

A loss works in two steps, exactly as in Keras 3:

1. `call(y_true, y_pred)` gives one value per sample (the last axis is
   averaged or summed away): shape `(batch, ...)`.
2. `__call__(y_true, y_pred, sample_weight=None)` multiplies those values by
   the sample weights and reduces them to a scalar:

       "sum_over_batch_size" (default), "mean":  sum(w * loss) / number of values
       "sum":                                    sum(w * loss)
       "mean_with_sample_weight":                sum(w * loss) / sum(w)
       "none" or None:                           w * loss, unreduced

   Note that the default divides by the number of values, not by the sum of
   the weights: a weight of 0 still counts in the denominator.

The functions (`mean_squared_error`, `binary_crossentropy`, ...) are step 1
alone; the classes (`MeanSquaredError`, `BinaryCrossentropy`, ...) wrap a
function and add step 2. Numerics follow Keras 3 with the torch backend:
probabilities are clipped to [1e-7, 1 - 1e-7] before a log, categorical
probabilities are re-normalised to sum to 1, and `from_logits=True` uses
log_softmax / softplus so that logits of size 1e4 stay finite.

One deliberate difference: where Keras would silently broadcast targets
against predictions of another shape (say (batch, 1) against (batch, 3) in
MSE), teachnet raises an error naming both shapes. Shapes that differ only by
a trailing axis of size 1 are lined up, as in Keras.
"""
import inspect
import warnings

import numpy as np

from teachnet import ops
from teachnet.autodiff import Tensor
from teachnet.naming import snake_case, unique_name

EPSILON = 1e-7  # keras.backend.epsilon(): keeps logs and divisions finite

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


# ---------------------------------------------------------------------------
# The base class: per-sample values, then sample weights and reduction
# ---------------------------------------------------------------------------

class Loss:
    """Base class of losses: subclass it and define `call(y_true, y_pred)`.

    Args:
        name: the name shown in logs; defaults to the snake_case class name,
            made unique as Keras does ("my_loss", then "my_loss_1", ...).
        reduction: "sum_over_batch_size" (default), "sum", "mean",
            "mean_with_sample_weight", "none" or None (see the module docstring).
        dtype: the dtype the loss computes in; float32 by default, as Keras.
            Both y_true and y_pred are cast to it.

    Example:
        >>> class MyMeanSquaredError(teachnet.losses.Loss):
        ...     def call(self, y_true, y_pred):
        ...         return ops.mean(ops.square(y_pred - y_true), axis=-1)
        >>> MyMeanSquaredError()(np.zeros((2, 3)), np.ones((2, 3)))  # 1.0
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self.dtype = np.dtype(dtype or "float32")

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must define call(y_true, y_pred) "
                                  "returning the per-sample losses.")

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = getattr(y_pred, "_keras_mask", None)  # set by layers that mask (Embedding(mask_zero=True))
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        values = self.call(y_true, y_pred)
        out_mask = getattr(values, "_keras_mask", None)  # e.g. positions of an ignore_class
        if in_mask is not None and out_mask is not None:
            mask = np.logical_and(np.asarray(in_mask), np.asarray(out_mask))
        else:
            mask = in_mask if in_mask is not None else out_mask
        if mask is not None:
            _check_mask_fits(self, mask, values, y_pred)
        return reduce_weighted_values(values, sample_weight, mask, self.reduction, self.dtype)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        from teachnet.saving.serialization import layer_from_config  # saving sits above the engine
        return layer_from_config(cls, config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, reduction={self.reduction!r}>"


def _check_mask_fits(loss, mask, values, y_pred):
    """The mask weights the per-sample loss values: it needs their shape (a
    trailing axis of size 1 may be missing or extra, as for sample weights)."""
    m, v = tuple(np.shape(mask)), tuple(values.shape)
    if len(m) == len(v) + 1 and m[-1:] == (1,):
        m = m[:-1]
    elif len(v) == len(m) + 1:
        m = m + (1,)
    if len(m) != len(v) or any(a != b and a != 1 for a, b in zip(m, v)):
        raise ValueError(
            f"Loss {loss.name}: the mask of y_pred has shape {tuple(np.shape(mask))}, which does not fit the loss "
            f"values of shape {v} (y_pred has shape {tuple(y_pred.shape)}). Expected one True/False per loss "
            f"value, shape {v}. Received: mask with shape {tuple(np.shape(mask))}. The mask comes from a layer's "
            "compute_mask (or `_keras_mask` set by hand): a layer whose output has no time axis should return "
            "None from compute_mask.")


class LossFunctionWrapper(Loss):
    """A Loss made from a function `fn(y_true, y_pred, **kwargs)` that returns
    per-sample values. Any function written with `teachnet.ops` works:

        >>> def my_mae(y_true, y_pred):
        ...     return ops.mean(ops.abs(y_pred - y_true), axis=-1)
        >>> loss = LossFunctionWrapper(my_mae)  # what losses.get(my_mae) does
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        values = self.fn(y_true, y_pred, **self._fn_kwargs)
        if not isinstance(values, Tensor):
            raise TypeError(
                f"The loss function {self.name!r} returned a {type(values).__module__}.{type(values).__name__}, "
                "not a teachnet Tensor, so no gradient can flow back through it. Build the loss from "
                "teachnet.ops (for example ops.mean instead of np.mean).")
        return values

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {list(REDUCTIONS)}. "
                         f"Received: reduction={reduction!r}")
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Lines up ranks that differ by one trailing axis of size 1, as Keras:
    (batch,) labels against (batch, 1) predictions become (batch, 1) and (batch, 1)."""
    x1_rank, x2_rank = len(x1.shape), len(x2.shape)
    if x1_rank == x2_rank + 1 and x1.shape[-1] == 1:
        if x2_rank == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    if x2_rank == x1_rank + 1 and x2.shape[-1] == 1:
        if x1_rank == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def apply_mask(sample_weight, mask, dtype, reduction):
    """Folds a mask (True = counts) into the sample weights.

    For the averaging reductions the kept entries get weight total / valid, so
    that dividing by the number of values divides by the valid ones only."""
    if mask is None:
        return sample_weight
    mask = np.asarray(mask, dtype=bool)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = mask.sum()
        float_mask = np.where(mask, mask.size / valid if valid else 0.0, 0.0).astype(dtype)
    else:
        float_mask = mask.astype(dtype)
    float_mask = Tensor(float_mask)
    if sample_weight is None:
        return float_mask
    sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size",
                           dtype="float32"):
    """Weights the per-sample `values` and reduces them to a scalar (Keras 3's rule)."""
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        try:
            np.broadcast_shapes(values.shape, sample_weight.shape)
        except ValueError:
            raise ValueError(f"sample_weight of shape {sample_weight.shape} cannot weight per-sample losses of "
                             f"shape {values.shape}: expected one weight per sample, shape "
                             f"{values.shape[:1]} or {values.shape}.") from None
        values = values * sample_weight
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _divide_no_nan(total, ops.sum(sample_weight))
    return total / float(values.size)  # sum_over_batch_size and mean: divide by the number of values


def _divide_no_nan(a, b):
    b = ops.convert_to_tensor(b)
    zero = np.asarray(b) == 0
    return ops.where(zero, 0.0, a / ops.where(zero, 1.0, b))


# ---------------------------------------------------------------------------
# Checks that turn shape mistakes into messages a learner can act on
# ---------------------------------------------------------------------------

def _prepare(name, y_true, y_pred):
    """y_pred as a tensor, y_true cast to its dtype, ranks lined up and shapes checked."""
    y_pred = ops.convert_to_tensor(y_pred)
    if y_pred.dtype.kind != "f":
        y_pred = ops.cast(y_pred, "float32")
    y_true = ops.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: y_true and y_pred must have the same shape. "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    return y_true, y_pred


def _check_sparse_labels(name, labels, y_pred, num_classes):
    """Integer class ids in [0, num_classes) with one id per sample."""
    if labels.shape == y_pred.shape and num_classes > 1:
        raise ValueError(
            f"{name} expects y_true to hold integer class ids, one per sample (shape {y_pred.shape[:-1]}). "
            f"Received: y_true.shape={labels.shape}, the same as y_pred: it looks one-hot encoded. "
            "Use CategoricalCrossentropy (loss='categorical_crossentropy') for one-hot targets.")
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(f"{name}: y_true must have the shape of y_pred without its class axis. "
                         f"Received: y_true.shape={labels.shape}, y_pred.shape={y_pred.shape}")
    if labels.size and np.any(labels != np.round(labels)):
        raise ValueError(f"{name} expects integer class ids in y_true. Received: non-integer values "
                         f"such as {labels[labels != np.round(labels)].flat[0]}.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{name}: class ids in y_true must lie in [0, {num_classes}) because y_pred has "
                         f"{num_classes} classes. Received: values from {labels.min():g} to {labels.max():g}")


# ---------------------------------------------------------------------------
# Probabilistic losses (classification)
# ---------------------------------------------------------------------------

def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary crossentropy per sample, averaged over `axis`.

    Formula: mean(-(y * log(p) + (1 - y) * log(1 - p)), axis), p clipped to
    [1e-7, 1 - 1e-7]; from logits x: mean((1 - y) * x + softplus(-x), axis).
    """
    y_true, y_pred = _prepare("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        # log(sigmoid(x)) = -softplus(-x) and log(1 - sigmoid(x)) = -x - softplus(-x):
        # no exp overflows and no log(0), even for |x| = 1e4.
        bce = (1.0 - y_true) * y_pred + ops.softplus(-y_pred)
    else:
        p = ops.clip(y_pred, EPSILON, 1.0 - EPSILON)
        bce = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
    return ops.mean(bce, axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical crossentropy between one-hot (or soft) targets and class scores.

    Formula: -sum(y * log(p), axis) with p = y_pred / sum(y_pred, axis) clipped
    to [1e-7, 1 - 1e-7]; from logits x: -sum(y * log_softmax(x), axis).
    Label smoothing first replaces y by y * (1 - s) + s / num_classes.
    """
    name = "categorical_crossentropy"
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if y_pred.ndim >= 1 and y_pred.shape[-1] > 1 and y_true.shape in (y_pred.shape[:-1], y_pred.shape[:-1] + (1,)):
        raise ValueError(
            f"{name} expects one-hot y_true with the same shape as y_pred {y_pred.shape}. Received: "
            f"y_true.shape={y_true.shape}: these look like integer class ids. Use "
            "SparseCategoricalCrossentropy (loss='sparse_categorical_crossentropy') for integer labels.")
    if y_true.shape != y_pred.shape or y_pred.ndim < 1:
        raise ValueError(f"{name}: y_true and y_pred must have the same shape (at least rank 1). "
                         f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}")
    if y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) with "
                      f"num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider using "
                      "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        log_prob = ops.log_softmax(y_pred, axis=axis)
    else:
        p = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)  # re-normalise: rows sum to 1
        log_prob = ops.log(ops.clip(p, EPSILON, 1.0 - EPSILON))
    return -ops.sum(y_true * log_prob, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical crossentropy with integer class ids as targets.

    Formula: -log(p[y]) where p = y_pred / sum(y_pred, axis) clipped to
    [1e-7, 1 - 1e-7]; from logits x: -log_softmax(x)[y]. Samples whose label
    equals `ignore_class` get loss 0 and are left out of the average.
    """
    name = "sparse_categorical_crossentropy"
    y_pred = ops.convert_to_tensor(y_pred)
    if y_pred.ndim < 1:
        raise ValueError(f"{name}: y_pred must have a class axis. Received: y_pred.shape={y_pred.shape}")
    axis = axis % y_pred.ndim
    labels = np.asarray(y_true.data if isinstance(y_true, Tensor) else y_true, dtype=np.float64)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = np.squeeze(labels, axis)  # (batch, 1) -> (batch,)
    if axis != y_pred.ndim - 1:  # move the class axis last
        y_pred = ops.transpose(y_pred, [i for i in range(y_pred.ndim) if i != axis] + [axis])
    num_classes = y_pred.shape[-1]
    valid = None if ignore_class is None else labels != ignore_class
    if valid is not None:
        labels = np.where(valid, labels, 0)
    _check_sparse_labels(name, labels, y_pred, num_classes)
    one_hot = ops.one_hot(labels.astype(int), num_classes, dtype=y_pred.dtype)  # (batch, ..., classes)
    if from_logits:
        log_prob = ops.log_softmax(y_pred, axis=-1)
    else:
        p = y_pred / ops.sum(y_pred, axis=-1, keepdims=True)
        log_prob = ops.log(ops.clip(p, EPSILON, 1.0 - EPSILON))
    loss = -ops.sum(one_hot * log_prob, axis=-1)  # (batch, ...): picks -log p[label]
    if valid is not None:
        loss = ops.where(valid, loss, 0.0)
        loss._keras_mask = valid  # Loss.__call__ then averages over the valid samples only
    return loss


def kl_divergence(y_true, y_pred):
    """Kullback-Leibler divergence between two distributions along the last axis.

    Formula: sum(y * log(y / p), axis=-1) with y and p clipped to [1e-7, 1].
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.clip(ops.cast(y_true, y_pred.dtype), EPSILON, 1.0)
    y_pred = ops.clip(y_pred, EPSILON, 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Poisson negative log-likelihood (up to a constant) of counts y given rates p.

    Formula: mean(p - y * log(p + 1e-7), axis=-1).
    """
    y_true, y_pred = _prepare("poisson", y_true, y_pred)
    return ops.mean(y_pred - y_true * ops.log(y_pred + EPSILON), axis=-1)


# ---------------------------------------------------------------------------
# Regression losses
# ---------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred):
    """Formula: mean(square(y_true - y_pred), axis=-1)."""
    y_true, y_pred = _prepare("mean_squared_error", y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Formula: mean(abs(y_true - y_pred), axis=-1)."""
    y_true, y_pred = _prepare("mean_absolute_error", y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """Formula: 100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), 1e-7)), axis=-1)."""
    y_true, y_pred = _prepare("mean_absolute_percentage_error", y_true, y_pred)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), EPSILON))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Formula: mean(square(log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1)), axis=-1)."""
    y_true, y_pred = _prepare("mean_squared_logarithmic_error", y_true, y_pred)
    first_log = ops.log(ops.maximum(y_pred, EPSILON) + 1.0)
    second_log = ops.log(ops.maximum(y_true, EPSILON) + 1.0)
    return ops.mean(ops.square(first_log - second_log), axis=-1)


def _l2_normalize(x, axis):
    # x / max(||x||, 1e-7), written as Keras does: x * min(rsqrt(sum(x^2)), 1 / 1e-7).
    # Taking the max inside the sqrt gives the same value and avoids 1 / 0.
    return x / ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), EPSILON ** 2))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine of the angle between y_true and y_pred along `axis`.

    Formula: -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis).
    A value of -1 means the same direction (so minimising it aligns them).
    """
    y_true, y_pred = _prepare("cosine_similarity", y_true, y_pred)
    return -ops.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """Squared error for small errors, absolute error for large ones.

    Formula: with e = y_pred - y_true,
        mean(where(|e| <= delta, 0.5 * e^2, delta * |e| - 0.5 * delta^2), axis=-1).
    """
    y_true, y_pred = _prepare("huber", y_true, y_pred)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = 0.5 * ops.square(error)
    linear = delta * abs_error - 0.5 * delta ** 2
    return ops.mean(ops.where(np.asarray(abs_error) <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """Logarithm of the hyperbolic cosine of the error: like MSE near 0, like MAE far away.

    Formula: mean(log(cosh(e)), axis=-1) with e = y_pred - y_true, computed as
    e + softplus(-2e) - log(2) so that cosh never overflows.
    """
    y_true, y_pred = _prepare("log_cosh", y_true, y_pred)
    error = y_pred - y_true
    return ops.mean(error + ops.softplus(-2.0 * error) - np.log(2.0), axis=-1)


# ---------------------------------------------------------------------------
# Hinge losses (maximum-margin classifiers)
# ---------------------------------------------------------------------------

def _to_plus_minus_one(y_true):
    # Labels that are all 0 or 1 become -1 or 1; anything else is kept.
    labels = np.asarray(y_true)
    return 2.0 * y_true - 1.0 if np.all((labels == 0) | (labels == 1)) else y_true


def hinge(y_true, y_pred):
    """Formula: mean(maximum(1 - y_true * y_pred, 0), axis=-1), labels in {-1, 1}
    (0/1 labels are converted)."""
    y_true, y_pred = _prepare("hinge", y_true, y_pred)
    return ops.mean(ops.maximum(1.0 - _to_plus_minus_one(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """Formula: mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1), labels in {-1, 1}
    (0/1 labels are converted)."""
    y_true, y_pred = _prepare("squared_hinge", y_true, y_pred)
    return ops.mean(ops.square(ops.maximum(1.0 - _to_plus_minus_one(y_true) * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Formula: maximum(neg - pos + 1, 0) with pos = sum(y_true * y_pred, axis=-1)
    and neg = max((1 - y_true) * y_pred, axis=-1); y_true one-hot."""
    y_true, y_pred = _prepare("categorical_hinge", y_true, y_pred)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


# ---------------------------------------------------------------------------
# The classes: a function plus sample weights and reduction
# ---------------------------------------------------------------------------
# Shapes for all of them: y_true and y_pred (batch, ..., d) (sparse labels:
# (batch, ...)); `call` gives (batch, ...); `__call__` a scalar, or
# (batch, ...) with reduction=None.

class BinaryCrossentropy(LossFunctionWrapper):
    """Crossentropy for yes/no targets: one probability (or logit) per label.

    Formula: mean(-(y * log(p) + (1 - y) * log(1 - p)), axis=-1), p clipped to
    [1e-7, 1 - 1e-7]. With from_logits=True, p = sigmoid(x) computed stably.

    Args:
        from_logits: whether y_pred holds logits (any real number) rather than
            probabilities in [0, 1]. Logits are more stable: prefer them.
        label_smoothing: in [0, 1]; targets are squeezed towards 0.5:
            y -> y * (1 - label_smoothing) + 0.5 * label_smoothing.
        axis: the axis averaged over. Defaults to -1.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> BinaryCrossentropy()([[0.], [1.]], [[0.1], [0.8]])  # 0.1643
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for one-hot targets over several classes.

    Formula: -sum(y * log(p), axis=-1) with p = y_pred / sum(y_pred) clipped
    to [1e-7, 1 - 1e-7]; with from_logits=True, -sum(y * log_softmax(x)).

    Args:
        from_logits: whether y_pred holds logits rather than probabilities.
        label_smoothing: in [0, 1]; y -> y * (1 - s) + s / num_classes.
        axis: the class axis. Defaults to -1.
        reduction, name, dtype: see `Loss`.

    Example:
        >>> CategoricalCrossentropy()([[0, 1, 0]], [[0.05, 0.9, 0.05]])  # 0.1054
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Crossentropy for integer class ids as targets (no one-hot needed).

    Formula: -log(p[y]) with p = y_pred / sum(y_pred) clipped to
    [1e-7, 1 - 1e-7]; with from_logits=True, -log_softmax(x)[y].

    Args:
        from_logits: whether y_pred holds logits rather than probabilities.
        ignore_class: a label value (e.g. -1 or 255) whose samples get loss 0
            and are left out of the average.
        axis: the class axis of y_pred. Defaults to -1.
        reduction, name, dtype: see `Loss`.

    Shapes: y_true (batch, ...) or (batch, ..., 1); y_pred (batch, ..., classes).

    Example:
        >>> SparseCategoricalCrossentropy()([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])  # 1.1769
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def call(self, y_true, y_pred):
        # No rank fix-up here: labels have one axis fewer than y_pred by design.
        return self.fn(y_true, y_pred, **self._fn_kwargs)


class MeanSquaredError(LossFunctionWrapper):
    """Mean of the squared differences: the usual regression loss.

    Formula: mean(square(y_true - y_pred), axis=-1).

    Example:
        >>> MeanSquaredError()([[0., 1.]], [[1., 1.]])  # 0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of the absolute differences: less swayed by outliers than MSE.

    Formula: mean(abs(y_true - y_pred), axis=-1).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """Mean absolute error relative to the target, in percent.

    Formula: 100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), 1e-7)), axis=-1).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Mean squared difference of log(1 + value): cares about ratios, not sizes.

    Formula: mean(square(log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1)), axis=-1).
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence from the target distribution to the predicted one.

    Formula: sum(y * log(y / p), axis=-1) with y and p clipped to [1e-7, 1].
    """

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Minus the cosine similarity: -1 when y_pred points the same way as y_true.

    Formula: -sum(l2_normalize(y_true) * l2_normalize(y_pred), axis).

    Args:
        axis: the axis along which the vectors lie. Defaults to -1.
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Huber(LossFunctionWrapper):
    """Quadratic for errors up to `delta`, linear beyond: robust regression.

    Formula: mean(where(|e| <= delta, 0.5 * e^2, delta * |e| - 0.5 * delta^2), axis=-1),
    e = y_pred - y_true.

    Args:
        delta: where the quadratic part turns linear. Defaults to 1.0.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
        self.delta = delta


class LogCosh(LossFunctionWrapper):
    """Log of the hyperbolic cosine of the error: smooth like MSE, robust like MAE.

    Formula: mean(log(cosh(y_pred - y_true)), axis=-1).
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)


class Hinge(LossFunctionWrapper):
    """The support-vector-machine loss for labels -1/1 (0/1 are converted).

    Formula: mean(maximum(1 - y_true * y_pred, 0), axis=-1).
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """The squared hinge loss for labels -1/1 (0/1 are converted).

    Formula: mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1).
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """A multi-class hinge: the true class must beat the best wrong one by a margin of 1.

    Formula: maximum(max((1 - y) * p) - sum(y * p) + 1, 0), y one-hot.
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """For count data: the Poisson negative log-likelihood up to a constant.

    Formula: mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1).
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)


class CTC(Loss):
    """Connectionist Temporal Classification: a loss for label sequences not aligned to the frames.

    Formula: per sample, -log P(y_true | y_pred), where P sums the probability
    of every frame-level path that spells the label once repeats are merged
    and blanks removed (see `teachnet.ops.ctc_loss` for the recursion).

    Args:
        reduction, name, dtype: see `Loss`.

    Shapes: y_true int labels `(batch, max_label_length)` padded with 0 (class 0
    is the blank, so real classes start at 1; each label's length is its
    number of non-zero entries); y_pred logits `(batch, time, num_classes)`,
    not softmaxed. Every frame of y_pred is used.

    Example:
        >>> loss = teachnet.losses.CTC()
        >>> loss(np.array([[1, 2, 0]]), np.zeros((1, 6, 3)))   # -log P("1 2"), uniform frames
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        if y_true.ndim != 2:
            raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in "
                             f"integer format. Received: y_true.shape={y_true.shape}")
        if y_pred.ndim != 3:
            raise ValueError("Logits `y_pred` are expected to be a tensor of shape "
                             f"`(batch_size, max_length, num_classes)`. Received: y_pred.shape={y_pred.shape}")
        labels = np.asarray(y_true.data).astype(np.int64)
        label_length = (labels != 0).sum(axis=-1)                 # 0 pads (and is the blank)
        output_length = np.full(len(labels), y_pred.shape[1])      # every frame counts, as Keras
        return ops.ctc_loss(labels, y_pred, label_length, output_length, mask_index=0)


# ---------------------------------------------------------------------------
# Looking losses up by name
# ---------------------------------------------------------------------------

_CLASSES = [BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError,
            MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, KLDivergence,
            CosineSimilarity, Huber, LogCosh, Hinge, SquaredHinge, CategoricalHinge, Poisson, CTC]
_FUNCTIONS = [binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
              mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, kl_divergence, cosine_similarity, huber, log_cosh,
              hinge, squared_hinge, categorical_hinge, poisson]
# Keras 3's names: class names, function names, and these short aliases.
ALIASES = {"bce": binary_crossentropy, "kld": kl_divergence, "mae": mean_absolute_error,
           "mse": mean_squared_error, "mape": mean_absolute_percentage_error,
           "msle": mean_squared_logarithmic_error}
ALL_OBJECTS_DICT = {**{c.__name__: c for c in _CLASSES}, **{f.__name__: f for f in _FUNCTIONS},
                    **ALIASES, **{k.upper(): f for k, f in ALIASES.items()}}


def get(identifier):
    """A Loss from a name, a Loss, a function `(y_true, y_pred) -> per-sample values`,
    or a config dict {"class_name": ..., "config": {...}}.

    Names are Keras 3's ("mse", "binary_crossentropy", "BinaryCrossentropy", ...).
    Unlike keras.losses.get, which hands back bare functions for compile() to
    wrap, this always returns a Loss: a function is wrapped in a
    LossFunctionWrapper named after it (or after the string used).

    Example:
        >>> get("mse")(np.zeros((2, 1)), np.ones((2, 1)))  # 1.0
    """
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        cls = ALL_OBJECTS_DICT.get(identifier.get("class_name"))
        if not inspect.isclass(cls):
            raise ValueError(f"Unknown loss class {identifier.get('class_name')!r} in config {identifier}. "
                             f"Valid class names: {sorted(c.__name__ for c in _CLASSES)}.")
        return cls(**identifier.get("config", {}))
    if isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            raise ValueError(f"Unknown loss {identifier!r}. Valid names: {sorted(ALL_OBJECTS_DICT)}.")
        return obj() if inspect.isclass(obj) else LossFunctionWrapper(obj, name=identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}. Expected a name, a Loss, "
                     "or a function (y_true, y_pred) -> per-sample losses.")
