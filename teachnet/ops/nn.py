"""Differentiable neural-network ops: activations and softmax.

Same pattern as `core.py`: forward result, then its backward right below.
"""
import numpy as np

from teachnet.autodiff import record
from teachnet.ops.core import convert_to_tensor

__all__ = ["relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "softplus", "softsign",
           "elu", "selu", "leaky_relu", "silu", "hard_sigmoid"]


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
    try:
        shifted = x.data - x.data.max(axis=axis, keepdims=True)
    except ValueError as error:
        raise ValueError(f"log_softmax of a tensor of shape {x.shape}: {error}") from None
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(g):
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)
    return record("log_softmax", out, (x,), backward)


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
