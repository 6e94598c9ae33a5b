"""Differentiable neural-network ops: activations, softmax and normalization.

Same pattern as `core.py`: forward result, then its backward right below.
Ops that are a few other ops in a row (glu, moments, normalize, ...) are
written as those ops, so the tape differentiates them.
"""
import math
import warnings

import numpy as np

from teachnet.autodiff import Tensor, record
from teachnet.ops.core import (_axes, abs, add, clip, convert_to_tensor, log, maximum, mean, minimum, multiply,
                               negative, one_hot, power, reshape, sqrt, square, subtract, sum, var, where)
from teachnet.ops.elementwise import erf
from teachnet.ops.numpy_names import einsum, split

__all__ = ["relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign",
           "elu", "selu", "leaky_relu", "silu", "hard_sigmoid",
           "gelu", "swish", "hard_silu", "hard_swish", "log_sigmoid", "celu", "glu", "hard_tanh",
           "soft_shrink", "hard_shrink", "tanh_shrink", "squareplus", "sparse_plus", "sparse_sigmoid",
           "threshold", "moments", "batch_normalization", "normalize", "multi_hot", "layer_normalization",
           "rms_normalization", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
           "dot_product_attention"]


def relu(x):
    """The rectified linear unit: negative entries become 0.

    Formula:
        out = max(x, 0); the gradient is 1 where x > 0, else 0.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.relu([-1.0, 2.0]))
        [0. 2.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g * (x.data > 0),)
    return record("relu", np.maximum(x.data, 0), (x,), backward)


def relu6(x):
    """relu capped at 6.

    Formula:
        out = min(max(x, 0), 6); the gradient is 1 where 0 < x < 6, else 0.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.relu6([-1.0, 3.0, 9.0]))
        [0. 3. 6.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g * ((x.data > 0) & (x.data < 6)),)
    return record("relu6", np.clip(x.data, 0, 6).astype(x.dtype, copy=False), (x,), backward)


def sigmoid(x):
    """The logistic function, squashing every entry into (0, 1).

    Formula:
        out = 1 / (1 + exp(-x)), computed as exp(-log(1 + exp(-x))) so no exp overflows;
        the gradient is out * (1 - out).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.sigmoid([0.0]))
        [0.5]
    """
    x = convert_to_tensor(x)
    out = np.exp(-np.logaddexp(0, -x.data)).astype(x.dtype, copy=False)

    def backward(g):
        return (g * out * (1 - out),)
    return record("sigmoid", out, (x,), backward)


def hard_sigmoid(x):
    """A piecewise-linear sigmoid: relu6(x + 3) / 6 (Keras 3's definition).

    Formula:
        out = clip((x + 3) / 6, 0, 1); the gradient is 1/6 where -3 < x < 3, else 0.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.hard_sigmoid([-4.0, 0.0, 4.0]))
        [0.  0.5 1. ]
    """
    x = convert_to_tensor(x)
    inside = (x.data > -3) & (x.data < 3)

    def backward(g):
        return (g * inside / 6,)
    return record("hard_sigmoid", (np.clip(x.data + 3, 0, 6) / 6).astype(x.dtype, copy=False), (x,), backward)


def tanh(x):
    """The hyperbolic tangent, squashing every entry into (-1, 1).

    Formula:
        out = (e^x - e^-x) / (e^x + e^-x); the gradient is 1 - out^2.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.tanh([0.0]))
        [0.]
    """
    x = convert_to_tensor(x)
    out = np.tanh(x.data)

    def backward(g):
        return (g * (1 - out * out),)
    return record("tanh", out, (x,), backward)


def softmax(x, axis=-1):
    """Turns scores into probabilities that sum to 1 along `axis`.

    Formula:
        out = exp(x) / sum(exp(x)), shifted by the max so exp never overflows;
        the gradient (a Jacobian-vector product) is out * (g - sum(g * out)).

    Args:
        x: a tensor of any shape.
        axis: the axis that sums to 1 (warns when its size is 1: the result would always be 1).

    Example:
        >>> print(ops.softmax([1.0, 1.0]))
        [0.5 0.5]
    """
    x = convert_to_tensor(x)
    _warn_if_size_one(x, axis, "softmax")
    try:
        e = np.exp(x.data - x.data.max(axis=axis, keepdims=True))
    except ValueError as error:  # e.g. an axis the tensor does not have
        raise ValueError(f"softmax of a tensor of shape {x.shape}: {error}") from None
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(g):
        # Jacobian-vector product of softmax: s * (g - sum(g * s))
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)
    return record("softmax", out, (x,), backward)


def log_softmax(x, axis=-1):
    """The log of softmax, computed as x - logsumexp(x) without computing softmax first.

    Formula:
        out = x - log(sum(exp(x))) along `axis`

    Args:
        x: a tensor of any shape.
        axis: the axis to normalize over.

    Example:
        >>> print(ops.log_softmax([0.0, 0.0]))
        [-0.6931472 -0.6931472]
    """
    x = convert_to_tensor(x)
    _warn_if_size_one(x, axis, "log_softmax")
    try:
        shifted = x.data - x.data.max(axis=axis, keepdims=True)
    except ValueError as error:
        raise ValueError(f"log_softmax of a tensor of shape {x.shape}: {error}") from None
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(g):
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)
    return record("log_softmax", out, (x,), backward)


def _warn_if_size_one(x, axis, op):
    """Softmax over one entry is always 1 (log_softmax always 0), so nothing
    can be learned through it; Keras warns about this too."""
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    try:
        sizes = [x.shape[a] for a in axes]
    except (IndexError, TypeError):
        return  # a bad axis: the op's own error says so
    if x.ndim and all(n == 1 for n in sizes):
        warnings.warn(f"{op} over axis {axis} of a tensor of shape {x.shape}: that axis has size 1, so the "
                      f"result is always {1 if op == 'softmax' else 0} and passes no gradient. For one "
                      "probability per sample use sigmoid (and binary crossentropy); for several classes give "
                      "the layer one unit per class.", UserWarning, stacklevel=3)


def softplus(x):
    """A smooth relu, computed stably.

    Formula:
        out = log(1 + exp(x)); the gradient is sigmoid(x).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.softplus([0.0]))
        [0.6931472]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.exp(-np.logaddexp(0, -x.data)),)  # sigmoid(x)
    return record("softplus", np.logaddexp(0, x.data).astype(x.dtype, copy=False), (x,), backward)


def softsign(x):
    """A sigmoid-like squashing into (-1, 1) without exponentials.

    Formula:
        out = x / (1 + |x|); the gradient is 1 / (1 + |x|)^2.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.softsign([1.0, -3.0]))
        [ 0.5  -0.75]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g / (1 + np.abs(x.data)) ** 2,)
    return record("softsign", x.data / (1 + np.abs(x.data)), (x,), backward)


def elu(x, alpha=1.0):
    """The exponential linear unit: x for x > 0, a smooth curve towards -alpha below.

    Formula:
        out = x if x > 0 else alpha * (exp(x) - 1)

    Args:
        x: a tensor of any shape.
        alpha: the value the curve approaches for very negative x (as -alpha).

    Example:
        >>> print(ops.elu([-10.0, 2.0]))
        [-0.9999546  2.       ]
    """
    x = convert_to_tensor(x)
    neg = alpha * np.expm1(np.minimum(x.data, 0))
    out = np.where(x.data > 0, x.data, neg).astype(x.dtype, copy=False)

    def backward(g):
        return (g * np.where(x.data > 0, 1, neg + alpha),)
    return record("elu", out, (x,), backward)


def selu(x):
    """The scaled exponential linear unit: scale * elu(x, alpha) with the self-normalizing constants.

    Formula:
        out = scale * (x if x > 0 else alpha * (exp(x) - 1)),
        alpha = 1.6732632423543772, scale = 1.0507009873554805

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.selu([1.0]))
        [1.050701]
    """
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    x = convert_to_tensor(x)
    neg = alpha * np.expm1(np.minimum(x.data, 0))
    out = (scale * np.where(x.data > 0, x.data, neg)).astype(x.dtype, copy=False)

    def backward(g):
        return (g * scale * np.where(x.data > 0, 1, neg + alpha),)
    return record("selu", out, (x,), backward)


def leaky_relu(x, negative_slope=0.2):
    """relu with a small slope for negative entries (Keras's default slope is 0.2).

    Formula:
        out = x if x > 0 else negative_slope * x

    Args:
        x: a tensor of any shape.
        negative_slope: the slope below 0.

    Example:
        >>> print(ops.leaky_relu([-1.0, 2.0]))
        [-0.2  2. ]
    """
    x = convert_to_tensor(x)
    slope = np.where(x.data > 0, 1, negative_slope).astype(x.dtype)

    def backward(g):
        return (g * slope,)
    return record("leaky_relu", x.data * slope, (x,), backward)


def silu(x):
    """The sigmoid linear unit x * sigmoid(x) (also called swish).

    Formula:
        out = x * sigmoid(x); the gradient is s + x * s * (1 - s), s = sigmoid(x).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.silu([0.0, 1.0]))
        [0.         0.73105854]
    """
    x = convert_to_tensor(x)
    s = np.exp(-np.logaddexp(0, -x.data)).astype(x.dtype, copy=False)

    def backward(g):
        return (g * (s + x.data * s * (1 - s)),)
    return record("silu", x.data * s, (x,), backward)


def swish(x):
    """Another name of `silu`: x * sigmoid(x).

    Formula:
        out = x * sigmoid(x)

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.swish([0.0]))
        [0.]
    """
    return silu(x)


def gelu(x, approximate=True):
    """The Gaussian error linear unit x * P(X <= x), X ~ N(0, 1).

    Formula:
        approximate=False: x * 0.5 * (1 + erf(x / sqrt(2)))
        approximate=True (Keras's default): x * 0.5 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))

    Args:
        x: a tensor of any shape.
        approximate: use the tanh approximation (faster) instead of erf.

    Example:
        >>> print(ops.gelu([0.0, 1.0], approximate=False))
        [0.        0.8413447]
    """
    x = convert_to_tensor(x)
    if not approximate:
        return multiply(multiply(x, 0.5), add(erf(multiply(x, 1 / math.sqrt(2))), 1.0))
    c = np.sqrt(2 / np.pi).astype(x.dtype)
    inner = c * (x.data + 0.044715 * x.data ** 3)
    t = np.tanh(inner)
    out = (0.5 * x.data * (1 + t)).astype(x.dtype, copy=False)

    def backward(g):
        # product rule: 0.5 * (1 + t) + 0.5 * x * (1 - t^2) * d(inner)/dx
        return (g * (0.5 * (1 + t) + 0.5 * x.data * (1 - t * t) * c * (1 + 3 * 0.044715 * x.data ** 2)),)
    return record("gelu", out, (x,), backward)


def hard_silu(x):
    """x * hard_sigmoid(x): 0 below -3, x above 3, x * (x + 3) / 6 between.

    Formula:
        out = x * clip((x + 3) / 6, 0, 1)

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.hard_silu([-4.0, 0.0, 4.0]))
        [-0.  0.  4.]
    """
    x = convert_to_tensor(x)
    return multiply(x, hard_sigmoid(x))


def hard_swish(x):
    """Another name of `hard_silu`: x * hard_sigmoid(x).

    Formula:
        out = x * clip((x + 3) / 6, 0, 1)

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.hard_swish([4.0]))
        [4.]
    """
    return hard_silu(x)


def log_sigmoid(x):
    """The log of sigmoid, computed stably as -softplus(-x).

    Formula:
        out = log(sigmoid(x)) = -log(1 + exp(-x)); the gradient is sigmoid(-x).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.log_sigmoid([0.0]))
        [-0.6931472]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.exp(-np.logaddexp(0, x.data)),)  # sigmoid(-x)
    return record("log_sigmoid", (-np.logaddexp(0, -x.data)).astype(x.dtype, copy=False), (x,), backward)


def celu(x, alpha=1.0):
    """The continuously differentiable elu: its slope is 1 at 0 for every alpha.

    Formula:
        out = max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))

    Args:
        x: a tensor of any shape.
        alpha: the scale of the negative part.

    Example:
        >>> print(ops.celu([-10.0, 2.0]))
        [-0.9999546  2.       ]
    """
    x = convert_to_tensor(x)
    negative = np.minimum(x.data, 0)
    out = (np.maximum(x.data, 0) + alpha * np.expm1(negative / alpha)).astype(x.dtype, copy=False)

    def backward(g):
        return (g * np.where(x.data > 0, 1, np.exp(negative / alpha)),)
    return record("celu", out, (x,), backward)


def glu(x, axis=-1):
    """The gated linear unit: split x in halves a, b along `axis`; a * sigmoid(b).

    Formula:
        out = a * sigmoid(b), (a, b) = the two halves of x along `axis`

    Args:
        x: a tensor whose `axis` has an even size.
        axis: the axis to split.

    Returns:
        x's shape with `axis` halved.

    Example:
        >>> print(ops.glu([2.0, 0.0]))
        [1.]
    """
    x = convert_to_tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis size must be divisible by 2 (it is split in halves). Received: "
                         f"x.shape={x.shape} with axis={axis}")
    a, b = split(x, 2, axis=axis)
    return multiply(a, sigmoid(b))


def hard_tanh(x):
    """x clipped to [-1, 1].

    Formula:
        out = clip(x, -1, 1); the gradient is 0 where clipped.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.hard_tanh([-2.0, 0.5, 2.0]))
        [-1.   0.5  1. ]
    """
    return clip(x, -1.0, 1.0)


def soft_shrink(x, threshold=0.5):
    """Shrinks every entry towards 0 by `threshold`; entries within it become 0.

    Formula:
        out = x - threshold if x > threshold; x + threshold if x < -threshold; else 0

    Args:
        x: a tensor of any shape.
        threshold: the amount to shrink by.

    Example:
        >>> print(ops.soft_shrink([-2.0, 0.2, 2.0]))
        [-1.5  0.   1.5]
    """
    x = convert_to_tensor(x)
    out = np.where(x.data > threshold, x.data - threshold, np.where(x.data < -threshold, x.data + threshold, 0))

    def backward(g):
        return (g * (np.abs(x.data) > threshold),)
    return record("soft_shrink", out.astype(x.dtype, copy=False), (x,), backward)


def hard_shrink(x, threshold=0.5):
    """Keeps the entries larger than `threshold` in magnitude, 0 elsewhere.

    Formula:
        out = x if |x| > threshold else 0

    Args:
        x: a tensor of any shape.
        threshold: the magnitude an entry must exceed to be kept.

    Example:
        >>> print(ops.hard_shrink([-2.0, 0.2, 2.0]))
        [-2.  0.  2.]
    """
    x = convert_to_tensor(x)
    keep = np.abs(x.data) > threshold

    def backward(g):
        return (g * keep,)
    return record("hard_shrink", np.where(keep, x.data, 0).astype(x.dtype, copy=False), (x,), backward)


def tanh_shrink(x):
    """x minus its tanh: close to 0 near 0, close to x - sign(x) far from it.

    Formula:
        out = x - tanh(x)

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.tanh_shrink([0.0]))
        [0.]
    """
    return subtract(x, tanh(x))


def squareplus(x, b=4):
    """A smooth relu made of a square root.

    Formula:
        out = (x + sqrt(x^2 + b)) / 2

    Args:
        x: a tensor of any shape.
        b: how smooth the knee is (b = 0 gives relu).

    Example:
        >>> print(ops.squareplus([0.0]))
        [1.]
    """
    x = convert_to_tensor(x)
    return multiply(add(x, sqrt(add(square(x), float(b)))), 0.5)


def sparse_plus(x):
    """A smooth relu that is exactly 0 below -1 and exactly x above 1.

    Formula:
        out = 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.sparse_plus([-2.0, 0.0, 2.0]))
        [0.   0.25 2.  ]
    """
    x = convert_to_tensor(x)
    middle = (x.data > -1) & (x.data < 1)
    out = np.where(x.data <= -1, 0, np.where(middle, 0.25 * (x.data + 1) ** 2, x.data))

    def backward(g):
        return (g * np.where(middle, 0.5 * (x.data + 1), x.data >= 1),)
    return record("sparse_plus", out.astype(x.dtype, copy=False), (x,), backward)


def sparse_sigmoid(x):
    """A piecewise-linear sigmoid that is exactly 0 below -1 and exactly 1 above 1.

    Formula:
        out = 0 for x <= -1, (x + 1) / 2 between, 1 for x >= 1

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.sparse_sigmoid([-2.0, 0.0, 2.0]))
        [0.  0.5 1. ]
    """
    x = convert_to_tensor(x)
    inside = (x.data > -1) & (x.data < 1)

    def backward(g):
        return (g * inside * 0.5,)
    return record("sparse_sigmoid", np.clip(0.5 * (x.data + 1), 0, 1).astype(x.dtype, copy=False), (x,), backward)


def threshold(x, threshold, default_value):
    """Keeps the entries above `threshold`, `default_value` elsewhere.

    Formula:
        out = x if x > threshold else default_value

    Args:
        x: a tensor of any shape.
        threshold: the value an entry must exceed to be kept.
        default_value: the value of the other entries.

    Example:
        >>> print(ops.threshold([1.0, 3.0], 2.0, 0.0))
        [0. 3.]
    """
    x = convert_to_tensor(x)
    keep = x.data > threshold

    def backward(g):
        return (g * keep,)
    return record("threshold", np.where(keep, x.data, default_value).astype(x.dtype, copy=False), (x,), backward)


# ---------------------------------------------------------------------------
# Normalization and encodings
# ---------------------------------------------------------------------------

def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of x over `axes`, the statistics BatchNormalization uses.

    Formula:
        mean = sum(x) / n, variance = sum((x - mean)^2) / n over `axes`

    Args:
        x: a tensor of any shape.
        axes: an int or list of ints, the axes to reduce.
        keepdims: keep the reduced axes with size 1.
        synchronized: must be False (there are no devices to synchronize across).

    Example:
        >>> m, v = ops.moments(np.array([1.0, 2.0, 3.0, 4.0]), axes=[0])
        >>> print(m, v)
        2.5 1.25
    """
    if synchronized:
        raise ValueError("moments: synchronized=True (across devices) does not apply: teachnet runs on one CPU.")
    return mean(x, axis=axes, keepdims=keepdims), var(x, axis=axes, keepdims=keepdims)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Normalizes x with given statistics, then scales and shifts it (Keras's ops.batch_normalization).

    Formula:
        out = (x - mean) / sqrt(variance + epsilon) * scale + offset

    Args:
        x: a tensor of any shape.
        mean: a vector along `axis` (one value per feature).
        variance: a vector along `axis`.
        axis: the feature axis of x that the statistics lie along.
        offset: a vector along `axis` added last, or None.
        scale: a vector along `axis` multiplied in, or None.
        epsilon: added to the variance so it never divides by 0.

    Example:
        >>> x = np.array([[1.0, 18.0], [3.0, 22.0]])
        >>> print(ops.batch_normalization(x, [2.0, 20.0], [1.0, 4.0], axis=1, epsilon=0.0))
        [[-1. -1.]
         [ 1.  1.]]
    """
    x = convert_to_tensor(x)
    shape = [1] * x.ndim
    shape[_axes(axis, x.ndim)[0]] = -1
    inv = 1.0 / sqrt(add(reshape(variance, shape), epsilon))
    if scale is not None:
        inv = multiply(inv, reshape(scale, shape))
    out = multiply(subtract(x, reshape(mean, shape)), inv)
    return out if offset is None else add(out, reshape(offset, shape))


def normalize(x, axis=-1, order=2, epsilon=None):
    """x divided by its `order`-norm along `axis` (at most 1 / epsilon times x, for zero vectors).

    Formula:
        order=2 (Keras's): x * min(1 / sqrt(sum(x^2)), 1 / epsilon), epsilon 1e-7 by default
        other orders: x / max(sum(|x|^order)^(1/order), epsilon)

    Args:
        x: a tensor of any shape.
        axis: the axis the norm is taken over.
        order: an int >= 1, the order of the norm.
        epsilon: the floor of the norm (1e-7 when None).

    Example:
        >>> print(ops.normalize([3.0, 4.0]))
        [0.6 0.8]
    """
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    epsilon = 1e-7 if epsilon is None else epsilon
    x = convert_to_tensor(x)
    if order == 2:
        return multiply(x, minimum(1.0 / sqrt(sum(square(x), axis=axis, keepdims=True)), 1.0 / epsilon))
    norm = power(sum(power(abs(x), float(order)), axis=axis, keepdims=True), 1.0 / order)
    return x / maximum(norm, epsilon)


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """One row per sample with a 1 at every class id the sample lists (a bag of ids).

    Formula:
        out[b, c] = 1 if c occurs in inputs[b] else 0

    Args:
        inputs: integer class ids, (ids,) for one sample or (batch, ids).
        num_classes: the length of each output row (Keras's older name `num_tokens` works too).
        axis: where the class axis goes.
        dtype: the dtype (float32 when None).
        sparse: must be False (teachnet has no sparse tensors).

    Example:
        >>> print(ops.multi_hot([[0, 2], [1, 1]], num_classes=3))
        [[1. 0. 1.]
         [0. 1. 0.]]
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)  # Keras's older name of the argument
    if kwargs or num_classes is None or sparse:
        raise ValueError(f"multi_hot: pass num_classes (an int); sparse outputs are not supported. Received: "
                         f"num_classes={num_classes}, sparse={sparse}, other arguments {sorted(kwargs)}.")
    ids = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs)
    hot = one_hot(ids, num_classes, axis=axis, dtype=dtype).data
    return Tensor(hot.max(axis=1 if ids.ndim > 1 else 0))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalizes each sample over `axis`, then scales by gamma and shifts by beta.

    Formula:
        out = (x - mean) / sqrt(variance + epsilon) * gamma + beta, the statistics taken
        over `axis` of each sample (epsilon 1e-7 by default, as keras.ops)

    Args:
        x: a tensor of any shape.
        gamma: the scale, shaped like the normalized axes, or None.
        beta: the shift, shaped like the normalized axes, or None.
        axis: an int or list of ints, the axes to normalize over.
        epsilon: added to the variance (1e-7 when None).

    Example:
        >>> print(ops.layer_normalization(np.array([[1.0, 3.0]]), epsilon=0.0))
        [[-1.  1.]]
    """
    if kwargs.pop("rms_scaling", False):
        raise ValueError("layer_normalization: rms_scaling=True is not supported; use ops.rms_normalization.")
    if kwargs:
        raise TypeError(f"layer_normalization: unexpected keyword argument(s) {sorted(kwargs)}.")
    x = convert_to_tensor(x)
    axes = _axes(axis, x.ndim)
    epsilon = 1e-7 if epsilon is None else epsilon
    shape = tuple(x.shape[i] if i in axes else 1 for i in range(x.ndim))    # gamma, beta along `axis`
    mu, variance = moments(x, axes=axes, keepdims=True)
    out = multiply(subtract(x, mu), 1.0 / sqrt(add(variance, epsilon)))
    if gamma is not None:
        out = multiply(out, reshape(gamma, shape))
    return out if beta is None else add(out, reshape(beta, shape))


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """Divides x by its root mean square over `axis`, then scales it (no centering).

    Formula:
        out = x / sqrt(mean(x^2) + epsilon) * scale (epsilon 1e-7 by default)

    Args:
        x: a tensor of any shape.
        scale: a tensor that broadcasts with x, or None.
        axis: the axis the mean is taken over.
        epsilon: added under the square root (1e-7 when None).

    Example:
        >>> print(ops.rms_normalization([3.0, 3.0]))
        [1. 1.]
    """
    x = convert_to_tensor(x)
    epsilon = 1e-7 if epsilon is None else epsilon
    out = multiply(x, 1.0 / sqrt(add(mean(square(x), axis=axis, keepdims=True), epsilon)))
    return out if scale is None else multiply(out, scale)


# ---------------------------------------------------------------------------
# Crossentropies per entry / per sample (keras.ops's, not reduced over the batch)
# ---------------------------------------------------------------------------
_EPSILON = 1e-7  # Keras's backend.epsilon(): probabilities are clipped to [eps, 1 - eps]


def binary_crossentropy(target, output, from_logits=False):
    """Binary crossentropy entry by entry (no mean over any axis).

    Formula:
        out = -(t log p + (1 - t) log(1 - p)), p clipped to [1e-7, 1 - 1e-7]
        With from_logits, p = sigmoid(output), computed stably as
        max(z, 0) - z t + log(1 + exp(-|z|)).

    Args:
        target: the labels t in [0, 1], of output's shape.
        output: probabilities p, or logits z with from_logits.
        from_logits: whether `output` is logits.

    Example:
        >>> print(ops.binary_crossentropy([1.0, 0.0], [0.5, 0.5]))
        [0.6931472 0.6931472]
    """
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if target.shape != output.shape:
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    target = target if target.dtype == output.dtype else convert_to_tensor(target.data.astype(output.dtype))
    if from_logits:
        return add(subtract(relu(output), multiply(output, target)), softplus(negative(abs(output))))
    p = clip(output, _EPSILON, 1 - _EPSILON)
    return negative(add(multiply(target, log(p)), multiply(subtract(1.0, target), log(subtract(1.0, p)))))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy over the class `axis`, one value per sample.

    Formula:
        out = -sum(t log p) over `axis`; p is `output` normalized to sum 1 and clipped to
        [1e-7, 1 - 1e-7] (or log_softmax(output) with from_logits)

    Args:
        target: one-hot (or soft) labels, of output's shape.
        output: probabilities, or logits with from_logits.
        from_logits: whether `output` is logits.
        axis: the class axis.

    Returns:
        output's shape without `axis`.

    Example:
        >>> print(ops.categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]]))
        [0.6931472]
    """
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if target.shape != output.shape:
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={target.shape}, output.shape={output.shape}")
    if from_logits:
        log_p = log_softmax(output, axis=axis)
    else:
        p = multiply(output, 1.0 / sum(output, axis=axis, keepdims=True))
        log_p = log(clip(p, _EPSILON, 1 - _EPSILON))
    return negative(sum(multiply(target.data.astype(output.dtype), log_p), axis=axis))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy with integer class ids as targets (output has one more axis).

    Formula:
        out = -log p[target] along `axis` (p as in categorical_crossentropy)

    Args:
        target: integer class ids, output's shape without `axis` (a trailing axis of size 1 is allowed).
        output: probabilities, or logits with from_logits.
        from_logits: whether `output` is logits.
        axis: the class axis.

    Example:
        >>> print(ops.sparse_categorical_crossentropy([1], [[0.5, 0.5]]))
        [0.6931472]
    """
    output = convert_to_tensor(output)
    ids = np.asarray(getattr(target, "data", target))
    if ids.ndim == output.ndim and ids.shape[-1] == 1:
        ids = ids[..., 0]
    if ids.shape != output.shape[:axis % output.ndim] + output.shape[axis % output.ndim + 1:]:
        raise ValueError(f"Arguments `target` and `output` must have the same shape up until the last "
                         f"dimension: target.shape={ids.shape}, output.shape={output.shape}")
    return categorical_crossentropy(one_hot(ids, output.shape[axis], axis=axis, dtype=output.dtype), output,
                                    from_logits=from_logits, axis=axis)


# ---------------------------------------------------------------------------
# Attention
# ---------------------------------------------------------------------------

def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention: softmax(q k^T * scale + bias) v, for every head.

    Formula:
        scores = einsum(query, key) * scale (+ bias), masked; out = softmax(scores) @ value

    Args:
        query: (B, T, N, H): batch, query length, heads, head size.
        key: (B, S, N, H).
        value: (B, S, N, H).
        bias: added to the scores, broadcasting to (B, N, T, S), or None.
        mask: True where a query may attend, broadcasting to (B, N, T, S), or None.
        scale: the factor on the scores (1 / sqrt(H) when None).
        is_causal: keep query t from attending to keys after t.
        flash_attention: must be falsy (a GPU kernel).
        attn_logits_soft_cap: if given, scores become cap * tanh(scores / cap) before the bias.

    Returns:
        (B, T, N, H).

    Example:
        >>> q = np.ones((1, 2, 1, 4), "float32")
        >>> ops.dot_product_attention(q, q, q).shape
        (1, 2, 1, 4)
    """
    if flash_attention:
        raise ValueError("dot_product_attention: flash_attention=True is not available (it is a GPU kernel); "
                         "leave it None.")
    q, k, v = (convert_to_tensor(t) for t in (query, key, value))
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError("`dot_product_attention` only supports 4D inputs (batch, length, heads, head_dim). "
                         f"Received: query.shape={q.shape}, key.shape={k.shape}, value.shape={v.shape}.")
    if k.shape[2] != q.shape[2]:
        raise ValueError(f"dot_product_attention: key and value need as many heads as the query ({q.shape[2]}). "
                         f"Received: key.shape={k.shape}. Grouped-query attention is not supported.")
    scale = 1.0 / math.sqrt(k.shape[-1]) if scale is None else scale
    logits = multiply(einsum("btnh,bsnh->bnts", q, k), scale)                      # (B, N, T, S)
    if attn_logits_soft_cap is not None:
        logits = multiply(tanh(multiply(logits, 1.0 / attn_logits_soft_cap)), attn_logits_soft_cap)
    if bias is not None:
        logits = add(logits, bias)
    allowed = None if mask is None else np.asarray(getattr(mask, "data", mask), dtype=bool)
    if is_causal:
        causal = np.tril(np.ones(logits.shape[-2:], dtype=bool))                   # (T, S)
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:  # a large negative number, not -inf, so a fully masked row stays finite (Keras's choice)
        logits = where(allowed, logits, -0.7 * float(np.finfo(logits.dtype).max))
    weights = softmax(logits, axis=-1)
    return einsum("bnts,bsnh->btnh", weights, v)
