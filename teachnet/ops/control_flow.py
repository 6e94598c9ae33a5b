"""Keras's control-flow ops, run as the plain Python they stand for.

Keras needs `ops.cond`, `ops.fori_loop`, `ops.while_loop` and `ops.scan` so
that a compiled graph (TensorFlow, JAX) can contain branches and loops.
teachnet runs every op eagerly, so each is an `if` or a `for` here; the ops
inside record on the tape as usual, so gradients flow through them.
"""
import numpy as np

from teachnet.autodiff import Tensor
from teachnet.ops.core import convert_to_tensor, stack

__all__ = ["cond", "switch", "fori_loop", "while_loop", "map", "vectorized_map", "scan"]


def _truth(pred, op):
    value = np.asarray(pred.data if isinstance(pred, Tensor) else pred)
    if value.size != 1:
        raise ValueError(f"{op}: the condition must be a single boolean. "
                         f"Received: a condition of shape {value.shape}. "
                         "Reduce it first, e.g. ops.all(...) or ops.any(...).")
    return bool(value.reshape(()))


def cond(pred, true_fn, false_fn):
    """`true_fn()` if `pred` holds, else `false_fn()`: a plain `if` here, as teachnet runs eagerly.

    Args:
        pred: a single boolean (a scalar tensor or a tensor with one entry).
        true_fn: a function of no arguments, called when pred is true.
        false_fn: a function of no arguments, called when pred is false.

    Example:
        >>> ops.cond(ops.greater(2.0, 1.0), lambda: "yes", lambda: "no")
        'yes'
    """
    return true_fn() if _truth(pred, "cond") else false_fn()


def switch(index, branches, *operands):
    """`branches[index](*operands)`, the index clamped to the valid range as Keras does.

    Args:
        index: an int (or scalar tensor) choosing the branch.
        branches: a list of functions.
        *operands: the arguments passed to the chosen branch.

    Example:
        >>> ops.switch(5, [lambda x: x + 1, lambda x: x * 10], 3)
        30
    """
    i = int(np.clip(np.asarray(index.data if isinstance(index, Tensor) else index), 0, len(branches) - 1))
    return branches[i](*operands)


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for i in range(lower, upper); returns the last val.

    Args:
        lower: the first i.
        upper: one past the last i.
        body_fun: a function (i, val) -> new val.
        init_val: the value before the first step.

    Example:
        >>> ops.fori_loop(0, 4, lambda i, total: total + i, 0)
        6
    """
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """`loop_vars = body(*loop_vars)` while `cond(*loop_vars)` holds (at most `maximum_iterations` times).

    Args:
        cond: a function of the loop variables returning a single boolean.
        body: a function of the loop variables returning their new values.
        loop_vars: a tuple/list of values, or one value.
        maximum_iterations: a limit on the number of steps (None for none).

    Returns:
        The loop variables after the last step, in the form they were passed.

    Example:
        >>> ops.while_loop(lambda i: i < 10, lambda i: i * 2, 1)
        16
    """
    is_tuple = isinstance(loop_vars, (tuple, list))
    loop_vars = tuple(loop_vars) if is_tuple else (loop_vars,)
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and _truth(cond(*loop_vars), "while_loop"):
        loop_vars = body(*loop_vars)
        loop_vars = tuple(loop_vars) if isinstance(loop_vars, (tuple, list)) else (loop_vars,)
        iteration += 1
    return loop_vars if is_tuple else loop_vars[0]


def map(f, xs):
    """`f` applied to each slice of `xs` along the first axis, the results stacked.

    Args:
        f: a function of one slice.
        xs: a tensor; its first axis is looped over.

    Example:
        >>> print(ops.map(lambda row: ops.sum(row), np.arange(6.0).reshape(2, 3)))
        [ 3. 12.]
    """
    xs = convert_to_tensor(xs)
    return stack([f(xs[i]) for i in range(xs.shape[0])])


def vectorized_map(function, elements):
    """The same as `map` here: there is no vectorizing compiler to hand it to.

    Args:
        function: a function of one slice.
        elements: a tensor; its first axis is looped over.

    Example:
        >>> print(ops.vectorized_map(lambda row: row * 2, np.ones((2, 2))))
        [[2. 2.]
         [2. 2.]]
    """
    return map(function, elements)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, x)` for each x of xs along its first axis; returns the last carry and the stacked ys.

    With xs None, f runs `length` times with x None.

    Args:
        f: a function (carry, x) -> (new carry, y).
        init: the carry before the first step.
        xs: a tensor scanned along its first axis, or None.
        length: the number of steps (checked against xs when both are given).
        reverse: scan from the last x to the first (the ys keep xs's order).
        unroll: accepted for Keras's signature; a plain loop here.

    Example:
        >>> carry, running = scan(lambda c, x: (c + x, c + x), 0.0, np.arange(4.0))
        >>> print(running)
        [0. 1. 3. 6.]
    """
    if xs is None and length is None:
        raise ValueError("scan: pass `xs` (the sequence to scan) or `length` (a number of steps).")
    xs = None if xs is None else convert_to_tensor(xs)
    n = xs.shape[0] if xs is not None else int(length)
    if xs is not None and length is not None and int(length) != n:
        raise ValueError(f"scan: `length`={length} does not match the first axis of xs, of shape {xs.shape}.")
    steps = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, []
    for i in steps:
        carry, y = f(carry, None if xs is None else xs[i])
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, (stack(ys) if ys and ys[0] is not None else None)
