"""Activation functions: the nonlinearity a layer applies to its output.

Each is a plain function of a tensor with Keras 3's name, signature and
defaults, built from `teachnet.ops` (so the tape differentiates it). Layers
take them by name: `Dense(64, activation="relu")` looks the name up with
`get`.
"""
from teachnet import ops

__all__ = ["relu", "leaky_relu", "relu6", "elu", "selu", "softplus", "softsign", "silu", "swish",
           "hard_silu", "hard_swish", "tanh", "sigmoid", "hard_sigmoid", "exponential", "mish",
           "softmax", "log_softmax", "linear", "gelu", "celu", "glu", "hard_tanh", "log_sigmoid", "get"]


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """The rectified linear unit: max(x, 0), with Keras's optional variations.

    Formula:
        f(x) = max_value                       if x >= max_value
        f(x) = x                               if threshold < x < max_value
        f(x) = negative_slope * (x - threshold) otherwise

    Args:
        negative_slope: slope below the threshold (0 gives the plain relu).
        max_value: the largest value returned, or None for no limit.
        threshold: below this value the output is damped (or zero).

    Example:
        >>> relu([-10.0, -5.0, 0.0, 5.0, 10.0], max_value=5.0)  # [0, 0, 0, 5, 5]
    """
    x = ops.convert_to_tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    negative_part = ops.relu(threshold - x)  # how far below the threshold, >= 0
    if threshold != 0.0:
        out = ops.where(x.data > threshold, x, 0.0)
    else:
        out = ops.relu(x)
    if max_value is not None:
        out = ops.clip(out, 0.0, max_value)
    if negative_slope != 0.0:
        out = out - negative_slope * negative_part
    return out


def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, negative_slope * x otherwise."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """min(max(x, 0), 6)."""
    return ops.relu6(x)


def elu(x, alpha=1.0):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    return ops.elu(x, alpha=alpha)


def selu(x):
    """scale * elu(x, alpha), scale=1.05070098, alpha=1.67326324: keeps activations
    near zero mean and unit variance with lecun_normal weights."""
    return ops.selu(x)


def softplus(x):
    """log(exp(x) + 1): a smooth relu."""
    return ops.softplus(x)


def softsign(x):
    """x / (|x| + 1)."""
    return ops.softsign(x)


def silu(x):
    """x * sigmoid(x) (also called swish)."""
    return ops.silu(x)


swish = silu


def hard_silu(x):
    """x * hard_sigmoid(x): 0 below -3, x above 3, x * (x + 3) / 6 between."""
    x = ops.convert_to_tensor(x)
    return x * ops.hard_sigmoid(x)


hard_swish = hard_silu


def tanh(x):
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x)), in (-1, 1)."""
    return ops.tanh(x)


def sigmoid(x):
    """1 / (1 + exp(-x)), in (0, 1).

    Like Keras, the output remembers its input logits (`_keras_logits`), so a
    crossentropy loss can work from the logits, which is more accurate.
    """
    x = ops.convert_to_tensor(x)
    out = ops.sigmoid(x)
    out._keras_logits = x
    return out


def hard_sigmoid(x):
    """A piecewise-linear sigmoid: 0 below -3, 1 above 3, x / 6 + 0.5 between."""
    return ops.hard_sigmoid(x)


def exponential(x):
    """exp(x)."""
    return ops.exp(x)


def mish(x):
    """x * tanh(softplus(x))."""
    x = ops.convert_to_tensor(x)
    return x * ops.tanh(ops.softplus(x))


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`: turns scores into probabilities.

    Like Keras, the output remembers its input logits (`_keras_logits`).
    """
    x = ops.convert_to_tensor(x)
    out = ops.softmax(x, axis=axis)
    out._keras_logits = x
    return out


def log_softmax(x, axis=-1):
    """log(softmax(x)), computed stably."""
    return ops.log_softmax(x, axis=axis)


def gelu(x, approximate=False):
    """x * P(X <= x), X ~ N(0, 1): a smooth relu used in Transformers.
    As in Keras, the activation is exact (erf) by default, ops.gelu the tanh approximation."""
    return ops.gelu(x, approximate=approximate)


def celu(x, alpha=1.0):
    """max(x, 0) + min(0, alpha * (exp(x / alpha) - 1))."""
    return ops.celu(x, alpha=alpha)


def glu(x, axis=-1):
    """a * sigmoid(b), a and b the halves of x along `axis`."""
    return ops.glu(x, axis=axis)


def hard_tanh(x):
    """x clipped to [-1, 1]."""
    return ops.hard_tanh(x)


def log_sigmoid(x):
    """log(sigmoid(x)), computed stably."""
    return ops.log_sigmoid(x)


def linear(x):
    """The identity: returns x unchanged (the default when no activation is given)."""
    return x


_BY_NAME = {
    "relu": relu, "leaky_relu": leaky_relu, "relu6": relu6, "elu": elu, "selu": selu,
    "softplus": softplus, "softsign": softsign, "silu": silu, "swish": swish,
    "hard_silu": hard_silu, "hard_swish": hard_swish, "tanh": tanh, "sigmoid": sigmoid,
    "hard_sigmoid": hard_sigmoid, "exponential": exponential, "mish": mish,
    "softmax": softmax, "log_softmax": log_softmax, "linear": linear,
    "gelu": gelu, "celu": celu, "glu": glu, "hard_tanh": hard_tanh, "log_sigmoid": log_sigmoid,
}


def get(identifier):
    """An activation function from a name, a callable, or None (-> linear).

    Example:
        >>> get("relu") is relu
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown activation function {identifier!r}. "
                             f"Valid names: {sorted(_BY_NAME)}.")
        return _BY_NAME[identifier]
    if callable(identifier):
        return identifier
    raise TypeError(f"An activation must be a name, a callable or None. Received: identifier={identifier!r} "
                    f"of type {type(identifier).__name__}")
