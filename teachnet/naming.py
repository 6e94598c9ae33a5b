"""Automatic names, as Keras gives them: the class name in snake case, numbered.

`Dense` layers are named `dense`, `dense_1`, `dense_2`, ...; `clear_session`
starts the count again. Layers, losses, metrics and optimizers all name
themselves with these two functions.
"""
import re

_NAME_COUNTS = {}


def snake_case(name):
    """A class name in snake case, by Keras's rule.

    Example:
        >>> [snake_case(n) for n in ["Conv2D", "MaxPooling2D", "SimpleRNN", "BinaryAccuracy"]]
        ['conv2d', 'max_pooling2d', 'simple_rnn', 'binary_accuracy']
    """
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])", "_", name).lower()


def unique_name(prefix):
    """`dense`, then `dense_1`, `dense_2`, ... as Keras names layers."""
    n = _NAME_COUNTS.get(prefix, 0)
    _NAME_COUNTS[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def reset_names():
    """Starts every automatic name's count again (what `clear_session` does)."""
    _NAME_COUNTS.clear()
