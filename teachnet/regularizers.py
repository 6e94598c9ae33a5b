"""Regularizers: penalties on a layer's weights (or outputs) added to the loss.

A regularizer is a callable `penalty(weight) -> scalar tensor`. Layers take
them as `kernel_regularizer`, `bias_regularizer` and `activity_regularizer`
and pass the first two to `add_weight`; `layer.losses` then holds the
penalties, and training adds them to the loss, so the optimizer is pulled
towards small weights:

    Dense(64, kernel_regularizer=L2(0.01))   # loss += 0.01 * sum(kernel ** 2)
"""
import math

from teachnet import ops

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get"]


class Regularizer:
    """Base class: subclasses define `__call__(x)`, returning a scalar tensor."""

    def __call__(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(x) returning a scalar.")

    def get_config(self):
        return dict(vars(self))

    @classmethod
    def from_config(cls, config):
        from teachnet.saving.serialization import layer_from_config  # saving sits above the engine
        return layer_from_config(cls, config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """The L1 penalty: pushes weights to exactly zero (sparse weights).

    Formula: `loss = l1 * sum(|x|)`

    Args:
        l1: the factor, a non-negative float (Keras's default 0.01).
    """

    def __init__(self, l1=0.01):
        self.l1 = _factor(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(x))


class L2(Regularizer):
    """The L2 penalty ("weight decay"): pushes weights towards zero, large ones most.

    Formula: `loss = l2 * sum(x ** 2)`

    Args:
        l2: the factor, a non-negative float (Keras's default 0.01).
    """

    def __init__(self, l2=0.01):
        self.l2 = _factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return self.l2 * ops.sum(ops.square(x))


class L1L2(Regularizer):
    """Both penalties at once.

    Formula: `loss = l1 * sum(|x|) + l2 * sum(x ** 2)`

    Args:
        l1, l2: the factors. As in Keras, the class defaults to 0.0 for both
            (so `L1L2(l2=0.1)` is a pure L2 penalty), while the string
            "l1_l2" gives l1=0.01 and l2=0.01.
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        penalty = ops.zeros((), dtype=x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * ops.sum(ops.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * ops.sum(ops.square(x))
        return penalty


# Keras's lower-case spellings are the classes themselves (`keras.regularizers.l2`
# is `L2`), so `l2(0.01)` and `L2(0.01)` are the same penalty, and `l1_l2()`
# defaults to 0.0 for both factors, as `L1L2()` does.
l1 = L1
l2 = L2
l1_l2 = L1L2


def _factor(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
            or math.isinf(value) or value < 0:
        raise ValueError(f"Invalid value for argument `{name}`: expected a non-negative float. "
                         f"Received: {name}={value!r}")
    return float(value)


_BY_NAME = {
    "l1": L1, "l2": L2, "l1l2": L1L2,
    "l1_l2": lambda: L1L2(l1=0.01, l2=0.01),
}


def get(identifier):
    """A regularizer from a name ("l1", "l2", "l1_l2"), a callable, or None.

    Example:
        >>> get("l2")
        L2(l2=0.01)
    """
    if identifier is None:
        return None
    if isinstance(identifier, str):
        if identifier.lower() not in _BY_NAME:
            raise ValueError(f"Unknown regularizer {identifier!r}. Valid names: {sorted(_BY_NAME)}.")
        return _BY_NAME[identifier.lower()]()
    if callable(identifier):
        return identifier
    raise TypeError(f"A regularizer must be a name, a callable weight -> scalar, or None. "
                    f"Received: identifier={identifier!r} of type {type(identifier).__name__}")
