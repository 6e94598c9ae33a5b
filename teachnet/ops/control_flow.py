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
        raise ValueError(f"{op}: the condition must be a single boolean. Received: a condition of shape {value.shape}. "
                         "Reduce it first, e.g. ops.all(...) or ops.any(...).")
    return bool(value.reshape(()))


def cond(pred, true_fn, false_fn):
    """`true_fn()` if pred else `false_fn()`."""
    return true_fn() if _truth(pred, "cond") else false_fn()


def switch(index, branches, *operands):
    """`branches[index](*operands)`, the index clamped to the valid range as Keras does."""
    i = int(np.clip(np.asarray(index.data if isinstance(index, Tensor) else index), 0, len(branches) - 1))
    return branches[i](*operands)


def fori_loop(lower, upper, body_fun, init_val):
    """`val = body_fun(i, val)` for i in range(lower, upper); returns the last val."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """`loop_vars = body(*loop_vars)` while `cond(*loop_vars)` (at most
    `maximum_iterations` times); loop_vars is a tuple/list or one value."""
    is_tuple = isinstance(loop_vars, (tuple, list))
    loop_vars = tuple(loop_vars) if is_tuple else (loop_vars,)
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and _truth(cond(*loop_vars), "while_loop"):
        loop_vars = body(*loop_vars)
        loop_vars = tuple(loop_vars) if isinstance(loop_vars, (tuple, list)) else (loop_vars,)
        iteration += 1
    return loop_vars if is_tuple else loop_vars[0]


def map(f, xs):
    """`f` applied to each slice of xs along the first axis, the results stacked."""
    xs = convert_to_tensor(xs)
    return stack([f(xs[i]) for i in range(xs.shape[0])])


def vectorized_map(function, elements):
    """The same as `map` here: there is no vectorizing compiler to hand it to."""
    return map(function, elements)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """`carry, y = f(carry, x)` for each x of xs along its first axis (or
    `length` times with x None); returns the last carry and the stacked ys.

    Example:
        >>> carry, running = scan(lambda c, x: (c + x, c + x), 0.0, np.arange(4.0))
        >>> running      # [0., 1., 3., 6.]
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
