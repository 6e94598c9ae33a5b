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
    """max(x, 0)."""
    x = convert_to_tensor(x)

    def backward(g):
        return (g * (x.data > 0),)
    return record("relu", np.maximum(x.data, 0), (x,), backward)


def relu6(x):
    """min(max(x, 0), 6)."""
    x = convert_to_tensor(x)

    def backward(g):
        return (g * ((x.data > 0) & (x.data < 6)),)
    return record("relu6", np.clip(x.data, 0, 6).astype(x.dtype, copy=False), (x,), backward)


def sigmoid(x):
    """1 / (1 + exp(-x)), computed as exp(-log(1 + exp(-x))) so no exp overflows."""
    x = convert_to_tensor(x)
    out = np.exp(-np.logaddexp(0, -x.data)).astype(x.dtype, copy=False)

    def backward(g):
        return (g * out * (1 - out),)
    return record("sigmoid", out, (x,), backward)


def hard_sigmoid(x):
    """A piecewise-linear sigmoid: relu6(x + 3) / 6 (Keras 3's definition)."""
    x = convert_to_tensor(x)
    inside = (x.data > -3) & (x.data < 3)

    def backward(g):
        return (g * inside / 6,)
    return record("hard_sigmoid", (np.clip(x.data + 3, 0, 6) / 6).astype(x.dtype, copy=False), (x,), backward)


def tanh(x):
    x = convert_to_tensor(x)
    out = np.tanh(x.data)

    def backward(g):
        return (g * (1 - out * out),)
    return record("tanh", out, (x,), backward)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`, shifted by the max so exp never overflows."""
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
    """x - logsumexp(x): the log of softmax without computing softmax first."""
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
    """log(1 + exp(x)), stably."""
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.exp(-np.logaddexp(0, -x.data)),)  # sigmoid(x)
    return record("softplus", np.logaddexp(0, x.data).astype(x.dtype, copy=False), (x,), backward)


def softsign(x):
    """x / (1 + |x|)."""
    x = convert_to_tensor(x)

    def backward(g):
        return (g / (1 + np.abs(x.data)) ** 2,)
    return record("softsign", x.data / (1 + np.abs(x.data)), (x,), backward)


def elu(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    x = convert_to_tensor(x)
    neg = alpha * np.expm1(np.minimum(x.data, 0))
    out = np.where(x.data > 0, x.data, neg).astype(x.dtype, copy=False)

    def backward(g):
        return (g * np.where(x.data > 0, 1, neg + alpha),)
    return record("elu", out, (x,), backward)


def selu(x):
    """scale * elu(x, alpha) with the self-normalizing constants."""
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    x = convert_to_tensor(x)
    neg = alpha * np.expm1(np.minimum(x.data, 0))
    out = (scale * np.where(x.data > 0, x.data, neg)).astype(x.dtype, copy=False)

    def backward(g):
        return (g * scale * np.where(x.data > 0, 1, neg + alpha),)
    return record("selu", out, (x,), backward)


def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, negative_slope * x otherwise (Keras's default slope is 0.2)."""
    x = convert_to_tensor(x)
    slope = np.where(x.data > 0, 1, negative_slope).astype(x.dtype)

    def backward(g):
        return (g * slope,)
    return record("leaky_relu", x.data * slope, (x,), backward)


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    x = convert_to_tensor(x)
    s = np.exp(-np.logaddexp(0, -x.data)).astype(x.dtype, copy=False)

    def backward(g):
        return (g * (s + x.data * s * (1 - s)),)
    return record("silu", x.data * s, (x,), backward)


def swish(x):
    """Another name of `silu`: x * sigmoid(x)."""
    return silu(x)


def gelu(x, approximate=True):
    """The Gaussian error linear unit x * P(X <= x), X ~ N(0, 1).

    Formula:
        approximate=False: x * 0.5 * (1 + erf(x / sqrt(2)))
        approximate=True (Keras's default): x * 0.5 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
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
    """x * hard_sigmoid(x): 0 below -3, x above 3, x * (x + 3) / 6 between."""
    x = convert_to_tensor(x)
    return multiply(x, hard_sigmoid(x))


def hard_swish(x):
    """Another name of `hard_silu`."""
    return hard_silu(x)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), stably."""
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.exp(-np.logaddexp(0, x.data)),)  # sigmoid(-x)
    return record("log_sigmoid", (-np.logaddexp(0, -x.data)).astype(x.dtype, copy=False), (x,), backward)


def celu(x, alpha=1.0):
    """max(x, 0) + min(0, alpha * (exp(x / alpha) - 1)): elu with a slope-1 knee for every alpha."""
    x = convert_to_tensor(x)
    negative = np.minimum(x.data, 0)
    out = (np.maximum(x.data, 0) + alpha * np.expm1(negative / alpha)).astype(x.dtype, copy=False)

    def backward(g):
        return (g * np.where(x.data > 0, 1, np.exp(negative / alpha)),)
    return record("celu", out, (x,), backward)


def glu(x, axis=-1):
    """The gated linear unit: split x in halves a, b along `axis`; a * sigmoid(b)."""
    x = convert_to_tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: axis size must be divisible by 2 (it is split in halves). Received: "
                         f"x.shape={x.shape} with axis={axis}")
    a, b = split(x, 2, axis=axis)
    return multiply(a, sigmoid(b))


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    return clip(x, -1.0, 1.0)


def soft_shrink(x, threshold=0.5):
    """x - threshold above it, x + threshold below -threshold, 0 between."""
    x = convert_to_tensor(x)
    out = np.where(x.data > threshold, x.data - threshold, np.where(x.data < -threshold, x.data + threshold, 0))

    def backward(g):
        return (g * (np.abs(x.data) > threshold),)
    return record("soft_shrink", out.astype(x.dtype, copy=False), (x,), backward)


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, 0 elsewhere."""
    x = convert_to_tensor(x)
    keep = np.abs(x.data) > threshold

    def backward(g):
        return (g * keep,)
    return record("hard_shrink", np.where(keep, x.data, 0).astype(x.dtype, copy=False), (x,), backward)


def tanh_shrink(x):
    """x - tanh(x)."""
    return subtract(x, tanh(x))


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2: a smooth relu made of a square root."""
    x = convert_to_tensor(x)
    return multiply(add(x, sqrt(add(square(x), float(b)))), 0.5)


def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""
    x = convert_to_tensor(x)
    middle = (x.data > -1) & (x.data < 1)
    out = np.where(x.data <= -1, 0, np.where(middle, 0.25 * (x.data + 1) ** 2, x.data))

    def backward(g):
        return (g * np.where(middle, 0.5 * (x.data + 1), x.data >= 1),)
    return record("sparse_plus", out.astype(x.dtype, copy=False), (x,), backward)


def sparse_sigmoid(x):
    """0 for x <= -1, (x + 1) / 2 between, 1 for x >= 1."""
    x = convert_to_tensor(x)
    inside = (x.data > -1) & (x.data < 1)

    def backward(g):
        return (g * inside * 0.5,)
    return record("sparse_sigmoid", np.clip(0.5 * (x.data + 1), 0, 1).astype(x.dtype, copy=False), (x,), backward)


def threshold(x, threshold, default_value):
    """x where x > threshold, `default_value` elsewhere."""
    x = convert_to_tensor(x)
    keep = x.data > threshold

    def backward(g):
        return (g * keep,)
    return record("threshold", np.where(keep, x.data, default_value).astype(x.dtype, copy=False), (x,), backward)


# ---------------------------------------------------------------------------
# Normalization and encodings
# ---------------------------------------------------------------------------

def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of x over `axes`, the statistics BatchNormalization uses."""
    if synchronized:
        raise ValueError("moments: synchronized=True (across devices) does not apply: teachnet runs on one CPU.")
    return mean(x, axis=axes, keepdims=keepdims), var(x, axis=axes, keepdims=keepdims)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, the statistics
    being vectors along `axis` (Keras's ops.batch_normalization)."""
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

    Formula (order=2, Keras's): x * min(1 / sqrt(sum(x^2)), 1 / epsilon), epsilon 1e-7 by default.
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
    """One row per sample with a 1 at every class id the sample lists (a bag of ids)."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)  # Keras's older name of the argument
    if kwargs or num_classes is None or sparse:
        raise ValueError(f"multi_hot: pass num_classes (an int); sparse outputs are not supported. Received: "
                         f"num_classes={num_classes}, sparse={sparse}, other arguments {sorted(kwargs)}.")
    ids = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs)
    hot = one_hot(ids, num_classes, axis=axis, dtype=dtype).data
    return Tensor(hot.max(axis=1 if ids.ndim > 1 else 0))


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """(x - mean) / sqrt(variance + epsilon) * gamma + beta, the statistics taken
    over `axis` of each sample (epsilon 1e-7 by default, as keras.ops)."""
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
    """x / sqrt(mean(x^2) + epsilon) * scale over `axis` (no centering; epsilon 1e-7 by default)."""
    x = convert_to_tensor(x)
    epsilon = 1e-7 if epsilon is None else epsilon
    out = multiply(x, 1.0 / sqrt(add(mean(square(x), axis=axis, keepdims=True), epsilon)))
    return out if scale is None else multiply(out, scale)


# ---------------------------------------------------------------------------
# Crossentropies per entry / per sample (keras.ops's, not reduced over the batch)
# ---------------------------------------------------------------------------
_EPSILON = 1e-7  # Keras's backend.epsilon(): probabilities are clipped to [eps, 1 - eps]


def binary_crossentropy(target, output, from_logits=False):
    """-(t log p + (1 - t) log(1 - p)) entry by entry (no mean over any axis).

    With from_logits, p = sigmoid(output), computed stably as
    max(z, 0) - z t + log(1 + exp(-|z|))."""
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
    """-sum(t log p) over the class `axis`, one value per sample; p is `output`
    normalized to sum 1 (or softmax(output) with from_logits)."""
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
    """categorical_crossentropy with integer class ids as targets (output has one more axis)."""
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

    Shapes: query (B, T, N, H), key and value (B, S, N, H) -> (B, T, N, H);
    bias and mask broadcast to the scores (B, N, T, S). `mask` is True where a
    query may attend; is_causal keeps query t from keys after t. scale defaults
    to 1 / sqrt(H).
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
