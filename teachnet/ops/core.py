"""Differentiable array ops: arithmetic, reductions, shapes and selection.

Every op follows one pattern, micrograd-style: convert the inputs, compute the
numpy result, define `backward(g)` right below it (g is the gradient of the
final target with respect to this op's output; it returns one gradient per
input), and hand both to `record`. The tape undoes broadcasting, so backward
functions may return gradients in the broadcast shape.
"""
import builtins

import numpy as np

from teachnet.autodiff import Tensor, needs_gradient, record
from teachnet.ops import compiled, parallel

__all__ = [
    "convert_to_tensor", "cast", "stop_gradient", "zeros", "ones", "zeros_like", "ones_like",
    "full", "arange", "eye", "shape",
    "add", "subtract", "multiply", "divide", "negative", "power", "square", "sqrt", "exp",
    "log", "log1p", "abs", "sign", "maximum", "minimum", "matmul", "dot",
    "sin", "cos",
    "sum", "mean", "max", "min", "var", "std", "logsumexp", "argmax", "argmin", "norm",
    "reshape", "transpose", "expand_dims", "squeeze", "concatenate", "stack", "getitem", "take",
    "pad", "broadcast_to", "tile", "repeat", "flip", "swapaxes",
    "where", "clip", "one_hot", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_not", "all", "any",
]


# ---------------------------------------------------------------------------
# Conversions
# ---------------------------------------------------------------------------

def convert_to_tensor(x, dtype=None):
    """A Tensor from an array, a number, a nested list or a Tensor.

    Python floats and lists of floats become float32; numpy arrays keep their
    dtype. A Tensor is returned as it is (cast, on the tape, when `dtype` differs).

    Args:
        x: an array, a number, a nested list or a Tensor.
        dtype: the dtype to convert to, or None to keep (or choose) one as above.

    Example:
        >>> ops.convert_to_tensor([1.0, 2.0]).dtype
        dtype('float32')
    """
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else cast(x, dtype)
    return Tensor(x, dtype=dtype)


def _pair(a, b):
    """Converts two operands; a non-tensor follows the tensor's float dtype,
    so `float32_tensor - float64_array` stays float32."""
    if isinstance(a, Tensor) and not isinstance(b, Tensor):
        return a, _like(b, a)
    if isinstance(b, Tensor) and not isinstance(a, Tensor):
        return _like(a, b), b
    return convert_to_tensor(a), convert_to_tensor(b)


def _like(x, t):
    x = np.asarray(x)
    if t.dtype.kind == "f" and x.dtype.kind in "fiub" and x.dtype != t.dtype:
        x = x.astype(t.dtype)
    return Tensor(x)


def _shape_error(op, *operands):
    """The ValueError a learner sees instead of numpy's raw broadcast error.

    Ops call numpy inside `try` (free when nothing fails) and raise this on
    numpy's ValueError, so the message names the op and every shape."""
    shapes = " and ".join(str(np.shape(x.data if isinstance(x, Tensor) else x)) for x in operands)
    return ValueError(f"{op}: cannot broadcast shapes {shapes} together. Elementwise ops need, "
                      "axis by axis from the last one, equal sizes or a size of 1.")


def _op_error(op, x, error):
    """numpy's complaint (a bad axis, a bad size), re-raised naming the op and the input's shape."""
    return ValueError(f"{op} of a tensor of shape {x.shape}: {error}")


def cast(x, dtype):
    """Converts `x` to `dtype`; the gradient flows back when both dtypes are floats.

    Args:
        x: a tensor of any shape.
        dtype: the new dtype, e.g. "float32" or "int32".

    Returns:
        A tensor of the same shape with dtype `dtype`.

    Example:
        >>> ops.cast([1.7, -2.2], "int32")
        <Tensor shape=(2,), dtype=int32, numpy=
        [ 1 -2]>
    """
    x = convert_to_tensor(x)
    dtype = np.dtype(dtype)

    def backward(g):
        return (g.astype(x.dtype) if x.dtype.kind == "f" and dtype.kind == "f" else None,)
    return record("cast", x.data.astype(dtype), (x,), backward)


def stop_gradient(variable):
    """The same value, seen by the tape as a constant: no gradient flows through it.

    Args:
        variable: a tensor or Variable (a Variable's value right now is copied).

    Returns:
        A tensor of the same shape, outside the graph.

    Example:
        >>> print(ops.stop_gradient([1.0, 2.0]))
        [1. 2.]
    """
    return Tensor(convert_to_tensor(variable).numpy())  # of a Variable: a copy, the value right now


def zeros(shape, dtype=None):
    """A new tensor of `shape` filled with zeros.

    Args:
        shape: a tuple of ints.
        dtype: the dtype (float32 when None).

    Example:
        >>> print(ops.zeros((2, 3)))
        [[0. 0. 0.]
         [0. 0. 0.]]
    """
    return Tensor(np.zeros(shape, dtype=dtype or "float32"))


def ones(shape, dtype=None):
    """A new tensor of `shape` filled with ones.

    Args:
        shape: a tuple of ints.
        dtype: the dtype (float32 when None).

    Example:
        >>> print(ops.ones((2,)))
        [1. 1.]
    """
    return Tensor(np.ones(shape, dtype=dtype or "float32"))


def full(shape, fill_value, dtype=None):
    """A new tensor of `shape` with every entry equal to `fill_value`.

    Args:
        shape: a tuple of ints.
        fill_value: the value of every entry.
        dtype: the dtype (float32 when None).

    Example:
        >>> print(ops.full((2,), 7.0))
        [7. 7.]
    """
    return Tensor(np.full(shape, fill_value, dtype=dtype or "float32"))


def zeros_like(x, dtype=None):
    """A tensor of zeros with the shape (and, unless `dtype` is given, the dtype) of `x`.

    Args:
        x: a tensor or array whose shape is copied.
        dtype: the dtype (x's when None).

    Example:
        >>> print(ops.zeros_like(np.ones((2, 2))))
        [[0. 0.]
         [0. 0.]]
    """
    return Tensor(np.zeros_like(np.asarray(x), dtype=dtype))


def ones_like(x, dtype=None):
    """A tensor of ones with the shape (and, unless `dtype` is given, the dtype) of `x`.

    Args:
        x: a tensor or array whose shape is copied.
        dtype: the dtype (x's when None).

    Example:
        >>> print(ops.ones_like(np.zeros(3)))
        [1. 1. 1.]
    """
    return Tensor(np.ones_like(np.asarray(x), dtype=dtype))


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop), as numpy.arange.

    Args:
        start: the first value (or the stop, with start 0, when `stop` is None).
        stop: the end, not included.
        step: the spacing (1 when None).
        dtype: the dtype (numpy's choice from the arguments when None).

    Example:
        >>> print(ops.arange(0, 1, 0.25))
        [0.   0.25 0.5  0.75]
    """
    return Tensor(np.arange(start, stop, 1 if step is None else step, dtype=dtype))


def eye(N, M=None, k=0, dtype=None):
    """The N x M matrix with ones on the k-th diagonal and zeros elsewhere.

    Args:
        N: the number of rows.
        M: the number of columns (N when None).
        k: the diagonal: 0 the main one, > 0 above it, < 0 below it.
        dtype: the dtype (float32 when None).

    Example:
        >>> print(ops.eye(2, 3, k=1))
        [[0. 1. 0.]
         [0. 0. 1.]]
    """
    return Tensor(np.eye(N, M, k, dtype=dtype or "float32"))


def shape(x):
    """The static shape of `x` as a tuple of ints.

    Args:
        x: a tensor, an array or a nested list.

    Example:
        >>> ops.shape(np.ones((2, 3)))
        (2, 3)
    """
    return tuple(np.shape(x.data if isinstance(x, Tensor) else x))


# ---------------------------------------------------------------------------
# Elementwise arithmetic
# ---------------------------------------------------------------------------

def add(x1, x2):
    """Adds two tensors element by element, with numpy broadcasting.

    Formula:
        out = x1 + x2; the gradient reaches both inputs unchanged (summed over broadcast axes).

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Returns:
        A tensor of the broadcast shape.

    Example:
        >>> print(ops.add([1.0, 2.0], 10.0))
        [11. 12.]
    """
    a, b = _pair(x1, x2)
    try:
        out = a.data + b.data
    except ValueError:
        raise _shape_error("add", a, b) from None

    def backward(g):
        return g, g
    return record("add", out, (a, b), backward)


def subtract(x1, x2):
    """Subtracts `x2` from `x1` element by element, with numpy broadcasting.

    Formula:
        out = x1 - x2; the gradients are g and -g.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Returns:
        A tensor of the broadcast shape.

    Example:
        >>> print(ops.subtract([5.0, 3.0], [1.0, 1.0]))
        [4. 2.]
    """
    a, b = _pair(x1, x2)
    try:
        out = a.data - b.data
    except ValueError:
        raise _shape_error("subtract", a, b) from None

    def backward(g):
        return g, -g
    return record("subtract", out, (a, b), backward)


def multiply(x1, x2):
    """Multiplies two tensors element by element, with numpy broadcasting.

    Formula:
        out = x1 * x2; the gradients are g * x2 and g * x1.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Returns:
        A tensor of the broadcast shape.

    Example:
        >>> print(ops.multiply([1.0, 2.0], [3.0, 4.0]))
        [3. 8.]
    """
    a, b = _pair(x1, x2)
    try:
        out = a.data * b.data
    except ValueError:
        raise _shape_error("multiply", a, b) from None

    def backward(g):
        return g * b.data, g * a.data
    return record("multiply", out, (a, b), backward)


def divide(x1, x2):
    """Divides `x1` by `x2` element by element, with numpy broadcasting.

    Formula:
        out = x1 / x2; the gradients are g / x2 and -g * x1 / x2^2.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Returns:
        A tensor of the broadcast shape.

    Example:
        >>> print(ops.divide([1.0, 3.0], 2.0))
        [0.5 1.5]
    """
    a, b = _pair(x1, x2)
    try:
        out = a.data / b.data
    except ValueError:
        raise _shape_error("divide", a, b) from None

    def backward(g):
        return g / b.data, -g * out / b.data
    return record("divide", out, (a, b), backward)


def negative(x):
    """Flips the sign of every entry.

    Formula:
        out = -x

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.negative([1.0, -2.0]))
        [-1.  2.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (-g,)
    return record("negative", -x.data, (x,), backward)


def power(x1, x2):
    """Raises `x1` to the power `x2` element by element, with numpy broadcasting.

    Formula:
        out = x1 ** x2; d/dx1 = x2 * x1 ** (x2 - 1), d/dx2 = out * log(x1) (taken as 0 where x1 <= 0).

    Args:
        x1: the bases.
        x2: the exponents; a shape that broadcasts with x1.

    Example:
        >>> print(ops.power([2.0, 3.0], 2.0))
        [4. 9.]
    """
    a, b = _pair(x1, x2)
    try:
        out = a.data ** b.data
    except ValueError:
        raise _shape_error("power", a, b) from None

    def backward(g):
        ga = g * b.data * a.data ** (b.data - 1)
        gb = g * out * np.log(np.where(a.data > 0, a.data, 1))  # d(a^b)/db = a^b log a, for a > 0
        return ga, gb
    return record("power", out, (a, b), backward)


def square(x):
    """Squares every entry.

    Formula:
        out = x^2; the gradient is 2 x.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.square([-2.0, 3.0]))
        [4. 9.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (2 * x.data * g,)
    return record("square", np.square(x.data), (x,), backward)


def sqrt(x):
    """The square root of every entry.

    Formula:
        out = sqrt(x); the gradient is 0.5 / sqrt(x).

    Args:
        x: a tensor of any shape, non-negative.

    Example:
        >>> print(ops.sqrt([4.0, 9.0]))
        [2. 3.]
    """
    x = convert_to_tensor(x)
    out = np.sqrt(x.data)

    def backward(g):
        return (g * 0.5 / out,)
    return record("sqrt", out, (x,), backward)


def exp(x):
    """The exponential of every entry.

    Formula:
        out = e^x; the gradient is e^x itself.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.exp([0.0, 1.0]))
        [1.       2.718282]
    """
    x = convert_to_tensor(x)
    out = np.exp(x.data)

    def backward(g):
        return (g * out,)
    return record("exp", out, (x,), backward)


def log(x):
    """The natural logarithm of every entry.

    Formula:
        out = ln(x); the gradient is 1 / x.

    Args:
        x: a tensor of any shape, positive.

    Example:
        >>> print(ops.log([1.0, np.e]))
        [0. 1.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g / x.data,)
    return record("log", np.log(x.data), (x,), backward)


def log1p(x):
    """log(1 + x), accurate for small x.

    Formula:
        out = ln(1 + x); the gradient is 1 / (1 + x).

    Args:
        x: a tensor of any shape, greater than -1.

    Example:
        >>> print(ops.log1p([0.0, 1e-10]))
        [0.e+00 1.e-10]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g / (1 + x.data),)
    return record("log1p", np.log1p(x.data), (x,), backward)


def abs(x):
    """The absolute value of every entry.

    Formula:
        out = |x|; the gradient is sign(x) (0 at x = 0).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.abs([-1.5, 2.0]))
        [1.5 2. ]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.sign(x.data),)
    return record("abs", np.abs(x.data), (x,), backward)


def sign(x):
    """The sign of every entry: -1, 0 or 1; no gradient (it is 0 almost everywhere).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.sign([-3.0, 0.0, 2.0]))
        [-1.  0.  1.]
    """
    x = convert_to_tensor(x)
    return Tensor(np.sign(x.data))  # zero gradient almost everywhere


def sin(x):
    """The sine of every entry (in radians).

    Formula:
        out = sin(x); the gradient is cos(x).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.sin([0.0, np.pi / 2]))
        [0. 1.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.cos(x.data),)
    return record("sin", np.sin(x.data), (x,), backward)


def cos(x):
    """The cosine of every entry (in radians).

    Formula:
        out = cos(x); the gradient is -sin(x).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.cos([0.0, np.pi]))
        [ 1. -1.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (-g * np.sin(x.data),)
    return record("cos", np.cos(x.data), (x,), backward)


def maximum(x1, x2):
    """The larger of `x1` and `x2`, element by element, with numpy broadcasting.

    Formula:
        out = max(x1, x2); the gradient goes to the larger input (to x1 on ties).

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.maximum([1.0, 5.0], 3.0))
        [3. 5.]
    """
    a, b = _pair(x1, x2)
    try:
        a_wins = a.data >= b.data  # ties send the gradient to `a`
    except ValueError:
        raise _shape_error("maximum", a, b) from None

    def backward(g):
        return g * a_wins, g * ~a_wins
    return record("maximum", np.maximum(a.data, b.data), (a, b), backward)


def minimum(x1, x2):
    """The smaller of `x1` and `x2`, element by element, with numpy broadcasting.

    Formula:
        out = min(x1, x2); the gradient goes to the smaller input (to x1 on ties).

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.minimum([1.0, 5.0], 3.0))
        [1. 3.]
    """
    a, b = _pair(x1, x2)
    try:
        a_wins = a.data <= b.data
    except ValueError:
        raise _shape_error("minimum", a, b) from None

    def backward(g):
        return g * a_wins, g * ~a_wins
    return record("minimum", np.minimum(a.data, b.data), (a, b), backward)


def matmul(x1, x2):
    """Matrix product `x1 @ x2`, with numpy's batching rules.

    Formula:
        out[..., i, j] = sum over k of x1[..., i, k] * x2[..., k, j]
        Backward: for y = a @ b, da = g @ b^T and db = a^T @ g.

    Args:
        x1: (..., n, k), or (k,) for a vector.
        x2: (..., k, m), or (k,) for a vector; the batch axes broadcast.

    Returns:
        (..., n, m) (an axis fewer for each vector argument).

    Example:
        >>> ops.matmul(np.ones((2, 3)), np.ones((3, 4))).shape
        (2, 4)
    """
    a, b = _pair(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul needs arrays with at least one axis. "
                         f"Received: x1.shape={a.shape}, x2.shape={b.shape}")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(f"matmul: the last axis of a ({a.shape}) must match the "
                         f"{'second-to-last' if b.ndim > 1 else 'only'} axis of b ({b.shape}).")

    # The products below are the costliest work of a dense network's backward
    # pass, so skip the one nobody asked for (usually d/d(input batch)).
    need_a, need_b = needs_gradient(a), needs_gradient(b)

    def backward(g):
        A, B = a.data, b.data
        if B.ndim == 1:                      # (..., n) @ (n,) -> (...)
            ga = np.multiply.outer(g, B) if need_a else None
            gb = np.tensordot(g, A, axes=(range(g.ndim), range(g.ndim))) if need_b else None
        elif A.ndim == 1:                    # (n,) @ (..., n, m) -> (..., m)
            ga = (B @ g[..., None])[..., 0].reshape(-1, A.shape[0]).sum(0) if need_a else None
            gb = A[:, None] * g[..., None, :] if need_b else None
        else:                                # (..., n, k) @ (..., k, m) -> (..., n, m)
            ga = parallel.matmul(g, np.swapaxes(B, -1, -2)) if need_a else None  # small ones on one BLAS thread
            gb = parallel.matmul(np.swapaxes(A, -1, -2), g) if need_b else None
        return ga, gb
    return record("matmul", parallel.matmul(a.data, b.data), (a, b), backward)


def dot(x1, x2):
    """The dot product, as numpy.dot for vectors and matrices (the same as `matmul`).

    Formula:
        out = x1 @ x2

    Args:
        x1, x2: vectors or matrices with a shared inner size.

    Example:
        >>> print(ops.dot([1.0, 2.0], [3.0, 4.0]))
        11.0
    """
    return matmul(x1, x2)


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for a tensor of rank {ndim} "
                             f"(valid axes: {-ndim} to {ndim - 1}).")
    return tuple(a % ndim for a in axes)


def _expand(g, axes, keepdims):
    """Puts the reduced axes back (as size 1) so g broadcasts over the input."""
    return g if keepdims else np.expand_dims(g, axes)


def sum(x, axis=None, keepdims=False):
    """The sum of the entries along `axis`.

    Formula:
        out = sum over axis of x; the gradient copies g to every summed entry.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None sums everything.
        keepdims: keep the summed axes with size 1.

    Returns:
        x's shape without the summed axes (or with size 1 there, with keepdims).

    Example:
        >>> print(ops.sum(np.arange(6.0).reshape(2, 3), axis=1))
        [ 3. 12.]
    """
    x = convert_to_tensor(x)
    axes = _axes(axis, x.ndim)

    def backward(g):
        return (np.broadcast_to(_expand(g, axes, keepdims), x.shape),)
    return record("sum", np.sum(x.data, axis=axes, keepdims=keepdims), (x,), backward)


def mean(x, axis=None, keepdims=False):
    """The mean of the entries along `axis`.

    Formula:
        out = sum over axis of x / n, n the number of entries summed; the gradient is g / n.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None averages everything.
        keepdims: keep the averaged axes with size 1.

    Returns:
        x's shape without the averaged axes (or with size 1 there, with keepdims).

    Example:
        >>> print(ops.mean(np.arange(6.0).reshape(2, 3), axis=0))
        [1.5 2.5 3.5]
    """
    x = convert_to_tensor(x)
    axes = _axes(axis, x.ndim)
    n = int(np.prod([x.shape[a] for a in axes]))

    def backward(g):
        return (np.broadcast_to(_expand(g, axes, keepdims) / n, x.shape),)
    return record("mean", np.mean(x.data, axis=axes, keepdims=keepdims), (x,), backward)


def _extremum(name, reduce, x, axis, keepdims):
    x = convert_to_tensor(x)
    axes = _axes(axis, x.ndim)
    out = reduce(x.data, axis=axes, keepdims=True)

    def backward(g):
        hit = x.data == out                     # ties share the gradient equally
        return (hit * _expand(g, axes, keepdims) / hit.sum(axis=axes, keepdims=True),)
    return record(name, out if keepdims else np.squeeze(out, axes), (x,), backward)


def max(x, axis=None, keepdims=False, initial=None):
    """The largest entry along `axis`; tied maxima share the gradient equally.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.
        initial: a floor: the result is at least this value (as numpy's `initial`).

    Returns:
        x's shape without the reduced axes (or with size 1 there, with keepdims).

    Example:
        >>> print(ops.max(np.array([[1.0, 5.0], [4.0, 2.0]]), axis=1))
        [5. 4.]
    """
    out = _extremum("max", np.max, x, axis, keepdims)
    return out if initial is None else maximum(out, initial)  # `initial` is a floor, as in numpy


def min(x, axis=None, keepdims=False, initial=None):
    """The smallest entry along `axis`; tied minima share the gradient equally.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.
        initial: a ceiling: the result is at most this value (as numpy's `initial`).

    Returns:
        x's shape without the reduced axes (or with size 1 there, with keepdims).

    Example:
        >>> print(ops.min(np.array([[1.0, 5.0], [4.0, 2.0]]), axis=1))
        [1. 2.]
    """
    out = _extremum("min", np.min, x, axis, keepdims)
    return out if initial is None else minimum(out, initial)


def var(x, axis=None, keepdims=False):
    """The population variance along `axis` (ddof=0, as keras.ops.var).

    Formula:
        out = mean((x - mean(x))^2)

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.var([1.0, 2.0, 3.0, 4.0]))
        1.25
    """
    centered = subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """The population standard deviation along `axis` (ddof=0, as keras.ops.std).

    Formula:
        out = sqrt(mean((x - mean(x))^2))

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.std([1.0, 3.0]))
        1.0
    """
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def norm(x, ord=None, axis=None, keepdims=False):
    """The Euclidean (L2) norm, Frobenius for matrices: keras.ops.norm with ord=None, 2 on a vector or "fro".

    Formula:
        out = sqrt(sum(x^2)) over `axis`

    Args:
        x: a tensor of any shape.
        ord: None or "fro" (or 2 with a single int `axis`); other orders raise a ValueError.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.norm([3.0, 4.0]))
        5.0
    """
    if ord not in (None, "fro") and not (ord == 2 and axis is not None and not isinstance(axis, (tuple, list))):
        raise ValueError(f"norm: only the Euclidean norm (ord=None) is implemented. Received: ord={ord!r}")
    return sqrt(sum(square(x), axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) along `axis`, computed without overflow.

    Formula:
        out = m + log(sum(exp(x - m))), m = max(x); the gradient is softmax(x) * g.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.logsumexp([1000.0, 1000.0]))
        1000.693...
    """
    x = convert_to_tensor(x)
    axes = _axes(axis, x.ndim)
    m = np.max(x.data, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    e = np.exp(x.data - m)
    s = e.sum(axis=axes, keepdims=True)
    out = np.log(s) + m

    def backward(g):
        return (_expand(g, axes, keepdims) * e / s,)  # softmax(x) * g
    return record("logsumexp", out if keepdims else np.squeeze(out, axes), (x,), backward)


def argmax(x, axis=None, keepdims=False):
    """The index of the largest value along `axis` (of the flattened tensor when None, as Keras); no gradient.

    Args:
        x: a tensor of any shape.
        axis: an int, or None to search the flattened tensor.
        keepdims: keep the reduced axis with size 1.

    Returns:
        An integer tensor, x's shape without `axis`.

    Example:
        >>> print(ops.argmax(np.array([[1.0, 5.0], [4.0, 2.0]]), axis=1))
        [1 0]
    """
    x = convert_to_tensor(x)
    try:
        return Tensor(np.argmax(x.data, axis=axis, keepdims=keepdims))
    except ValueError as error:
        raise _op_error("argmax", x, error) from None


def argmin(x, axis=None, keepdims=False):
    """The index of the smallest value along `axis` (of the flattened tensor when None, as Keras); no gradient.

    Args:
        x: a tensor of any shape.
        axis: an int, or None to search the flattened tensor.
        keepdims: keep the reduced axis with size 1.

    Returns:
        An integer tensor, x's shape without `axis`.

    Example:
        >>> print(ops.argmin(np.array([[1.0, 5.0], [4.0, 2.0]]), axis=1))
        [0 1]
    """
    x = convert_to_tensor(x)
    try:
        return Tensor(np.argmin(x.data, axis=axis, keepdims=keepdims))
    except ValueError as error:
        raise _op_error("argmin", x, error) from None


def all(x, axis=None, keepdims=False):
    """Whether every entry along `axis` is true (non-zero); no gradient.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.all(np.array([[True, False], [True, True]]), axis=1))
        [False  True]
    """
    return Tensor(np.all(np.asarray(x), axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):
    """Whether some entry along `axis` is true (non-zero); no gradient.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.any(np.array([[True, False], [False, False]]), axis=1))
        [ True False]
    """
    return Tensor(np.any(np.asarray(x), axis=axis, keepdims=keepdims))


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

def reshape(x, newshape):
    """The same entries, in row-major order, arranged in `newshape`.

    Args:
        x: a tensor of any shape.
        newshape: a tuple of ints with the same number of entries; one -1 is inferred.

    Example:
        >>> ops.reshape(np.arange(6.0), (2, -1)).shape
        (2, 3)
    """
    x = convert_to_tensor(x)
    try:
        out = x.data.reshape(newshape)
    except ValueError:
        raise ValueError(f"Cannot reshape a tensor of shape {x.shape} ({x.size} values) "
                         f"to shape {tuple(int(d) for d in np.atleast_1d(newshape))}.") from None

    def backward(g):
        return (g.reshape(x.shape),)
    return record("reshape", out, (x,), backward)


def transpose(x, axes=None):
    """Permutes the axes of `x`; the gradient permutes them back.

    Args:
        x: a tensor of any shape.
        axes: a permutation of range(x.ndim); None reverses the axes.

    Example:
        >>> ops.transpose(np.ones((2, 3, 4)), (0, 2, 1)).shape
        (2, 4, 3)
    """
    x = convert_to_tensor(x)
    try:
        out = np.transpose(x.data, axes)
    except ValueError:
        raise ValueError(f"transpose: axes must be a permutation of the {x.ndim} axes of a tensor of shape "
                         f"{x.shape}. Received: axes={tuple(axes)}") from None
    inverse = None if axes is None else np.argsort(axes)

    def backward(g):
        return (np.transpose(g, inverse),)
    return record("transpose", out, (x,), backward)


def swapaxes(x, axis1, axis2):
    """Exchanges two axes of `x`.

    Args:
        x: a tensor of any shape.
        axis1, axis2: the two axes to exchange.

    Example:
        >>> ops.swapaxes(np.ones((2, 3, 4)), 0, 2).shape
        (4, 3, 2)
    """
    x = convert_to_tensor(x)
    try:
        out = np.swapaxes(x.data, axis1, axis2)
    except ValueError as error:
        raise _op_error("swapaxes", x, error) from None

    def backward(g):
        return (np.swapaxes(g, axis1, axis2),)
    return record("swapaxes", out, (x,), backward)


def expand_dims(x, axis):
    """Inserts an axis of size 1 at position `axis`.

    Args:
        x: a tensor of any shape.
        axis: where the new axis goes in the output (negative counts from the end).

    Example:
        >>> ops.expand_dims(np.ones((2, 3)), -1).shape
        (2, 3, 1)
    """
    x = convert_to_tensor(x)
    try:
        out = np.expand_dims(x.data, axis)
    except ValueError as error:
        raise _op_error("expand_dims", x, error) from None

    def backward(g):
        return (g.reshape(x.shape),)
    return record("expand_dims", out, (x,), backward)


def squeeze(x, axis=None):
    """Removes axes of size 1.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of the size-1 axes to remove; None removes all of them.

    Example:
        >>> ops.squeeze(np.ones((2, 1, 3))).shape
        (2, 3)
    """
    x = convert_to_tensor(x)
    try:
        out = np.squeeze(x.data, axis)
    except ValueError as error:
        raise _op_error("squeeze", x, error) from None

    def backward(g):
        return (g.reshape(x.shape),)
    return record("squeeze", out, (x,), backward)


def broadcast_to(x, shape):
    """Repeats `x` along its size-1 (or missing leading) axes to reach `shape`.

    The gradient is summed back down to x's shape by the tape.

    Args:
        x: a tensor whose shape broadcasts to `shape`.
        shape: the target shape.

    Example:
        >>> print(ops.broadcast_to([1.0, 2.0], (2, 2)))
        [[1. 2.]
         [1. 2.]]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g,)  # the tape sums it back down to x.shape
    try:
        out = np.broadcast_to(x.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast a tensor of shape {x.shape} to shape {tuple(shape)}; "
                         "each axis must match or have size 1 (counting from the last axis).") from None
    return record("broadcast_to", out, (x,), backward)


def concatenate(xs, axis=0):
    """Joins a list of tensors along an existing axis.

    Args:
        xs: a list of tensors of one rank, equal in every axis but `axis`.
        axis: the axis to join along.

    Returns:
        A tensor whose `axis` is the sum of the inputs' sizes there; the gradient is split back.

    Example:
        >>> ops.concatenate([np.ones((2, 3)), np.zeros((2, 1))], axis=1).shape
        (2, 4)
    """
    xs = [convert_to_tensor(x) for x in xs]
    try:
        out = np.concatenate([x.data for x in xs], axis=axis)
    except ValueError:
        raise ValueError(f"concatenate along axis {axis} needs tensors of one rank that have that axis and "
                         f"agree on the other axes. Received: shapes={[x.shape for x in xs]}") from None
    bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]

    def backward(g):
        return tuple(np.split(g, bounds, axis=axis))
    return record("concatenate", out, tuple(xs), backward)


def stack(x, axis=0):
    """Joins a list of tensors of one shape along a new axis.

    Args:
        x: a list of tensors of one shape.
        axis: the position of the new axis in the output.

    Returns:
        A tensor with one more axis, of size len(x), at `axis`.

    Example:
        >>> ops.stack([np.ones(3), np.zeros(3)], axis=0).shape
        (2, 3)
    """
    xs = [convert_to_tensor(t) for t in x]

    def backward(g):
        return tuple(np.moveaxis(g, axis, 0))
    try:
        out = np.stack([x.data for x in xs], axis=axis)
    except ValueError:
        raise ValueError(f"stack along axis {axis} needs tensors of one shape (and an axis within their rank "
                         f"+ 1). Received: shapes={[x.shape for x in xs]}") from None
    return record("stack", out, tuple(xs), backward)


def _plain_index(index):
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def getitem(x, index):
    """`x[index]`: slicing and integer/boolean array indexing, differentiable.

    The gradient scatters g back into a zero tensor of x's shape (adding where an index repeats).

    Args:
        x: a tensor of any shape.
        index: anything numpy accepts inside `x[...]`.

    Example:
        >>> print(ops.getitem(np.arange(5.0), slice(1, 3)))
        [1. 2.]
    """
    x = convert_to_tensor(x)
    index = _plain_index(index)

    basic = _is_basic_index(index)

    def backward(g):
        full = np.zeros(x.shape, dtype=g.dtype)
        if basic:
            full[index] = g            # slices and ints pick each element at most once
        else:
            np.add.at(full, index, g)  # an integer array may pick an element twice: add up
        return (full,)
    return record("getitem", x.data[index], (x,), backward)


def _is_basic_index(index):
    parts = index if isinstance(index, tuple) else (index,)
    return builtins.all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis
                        for i in parts)


def take(x, indices, axis=None):
    """Gathers entries of `x` along `axis` (an embedding lookup is take(table, ids, axis=0)).

    Formula:
        out[..., i, ...] = x[..., indices[i], ...]; the gradient adds g back at each index.

    Args:
        x: a tensor of any shape.
        indices: an integer tensor of any shape; negative counts from the end.
        axis: the axis to gather from; None gathers from the flattened tensor.

    Returns:
        x's shape with `axis` replaced by indices' shape.

    Example:
        >>> table = np.arange(6.0).reshape(3, 2)
        >>> print(ops.take(table, [2, 0], axis=0))
        [[4. 5.]
         [0. 1.]]
    """
    x = convert_to_tensor(x)
    indices = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    ax = 0 if axis is None else _axes(axis, x.ndim)[0]
    flat = x.data.reshape(-1) if axis is None else x.data
    if indices.size and (indices.min() < -flat.shape[ax] or indices.max() >= flat.shape[ax]):
        raise IndexError(f"take: indices must lie in [-{flat.shape[ax]}, {flat.shape[ax]}) for axis {ax} of a "
                         f"tensor of shape {x.shape}. Received: indices from {indices.min()} to {indices.max()}")

    def backward(g):
        # Move the gathered axis to the front, sum the rows of each index there, and move it back.
        gm = np.moveaxis(g, tuple(range(ax, ax + indices.ndim)), tuple(range(indices.ndim)))
        full = np.moveaxis(rows_summed_at(indices, gm, flat.shape[ax]), 0, ax)
        return (full.reshape(x.shape),)
    return record("take", np.take(flat, indices, axis=ax), (x,), backward)


def _flat_ids(indices, n):
    """`indices` in [-n, n) as a flat array in [0, n) (a min costs less than a %)."""
    ids = indices.reshape(-1)
    return ids % n if ids.size and ids.min() < 0 else ids


def _grouped_by_rank(indices, rows, n):
    """The ids in [0, n) and their rows, reordered by rank (steps 1-2 of `rows_summed_at`), and where each rank
    starts: rank r is `ids[bounds[r]:bounds[r + 1]]`, the last rank holds every occurrence past
    `_SCATTER_RANKS`, in order."""
    ids = _flat_ids(indices, n)                                              # (N,) in [0, n)
    rows = rows.reshape(ids.shape + rows.shape[indices.ndim:])              # (N, ...)
    # A stable sort of 16-bit keys is a radix sort: ~6x faster than sorting int64.
    order = np.argsort(ids.astype(np.uint16) if n <= 1 << 16 else ids, kind="stable")   # grouped by id
    sorted_ids = ids[order]
    position = np.arange(ids.size)
    first = np.empty(ids.size, dtype=bool)                                   # first occurrence of its id?
    first[:1] = True
    np.not_equal(sorted_ids[1:], sorted_ids[:-1], out=first[1:])
    rank = position - np.maximum.accumulate(np.where(first, position, 0))    # 0, 1, 2, ... within an id
    rank = np.minimum(rank, _SCATTER_RANKS).astype(np.uint8)
    by_rank = np.argsort(rank, kind="stable")                                # rank 0 first, then 1, ...
    order, sorted_ids = order[by_rank], sorted_ids[by_rank]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(rank, minlength=_SCATTER_RANKS + 1))])
    return sorted_ids, np.take(rows, order, axis=0), bounds


_SCATTER_RANKS = 8   # passes of fancy `+=` in rows_summed_at; occurrences beyond go to np.add.at


def rows_summed_at(indices, rows, n):
    """A new array of `n` rows, row i the sum of the `rows[k]` with `indices[k] == i` (zero if none):
    the same numbers as `np.add.at(np.zeros(...), indices, rows)`, the plain version of this.

    An embedding's gradient is this sum: each token's gradient added to its id's
    row, and an id used twice gets both. `np.add.at` does it one row at a time
    (~1.9 ms for a batch of 64 x 100 ids of width 32); this gives the same bits
    several times faster, from a few whole-array calls:

    1. sort the positions by id (stable, so each id keeps its positions in order);
    2. number each id's occurrences 0, 1, 2, ... (its "rank");
    3. every id's first row (rank 0) lands on a zero: written with a plain fancy
       assignment (plus 0.0 first: np.add.at turns a -0.0 row into 0.0 + -0.0 = +0.0);
    4. for each later rank r, `out[ids of rank r] += their rows`: within a rank no
       id repeats, so numpy's plain fancy `+=` is exact. An id used more than
       `_SCATTER_RANKS` times (padding id 0, say) gets the rest of its rows from
       one `np.add.at`.

    Every row receives its additions in the order `np.add.at` makes them. On the
    benchmark's batch (64 x 100 ids of a 10000 x 32 table), three ids in four are rank 0.

    Args:
        indices: integers in `[-n, n)`, any shape.
        rows: `indices.shape + row_shape`.
        n: the number of rows of the result.

    Returns:
        `(n,) + row_shape`, of rows' dtype.
    """
    out = np.zeros((n,) + rows.shape[indices.ndim:], dtype=rows.dtype)
    if not indices.size:
        return out
    if compiled.enabled_for(rows.dtype) and indices.dtype.kind in "iu":
        ids = _flat_ids(indices, n)
        if ids.max() < n:                                   # (else numpy's path raises IndexError)
            # np.add.at's additions, in its order, as one compiled loop (ops/compiled.py)
            width = out[0].size
            compiled.add_rows_at(ids, rows.reshape(ids.size, width), out.reshape(n, width))
            return out
    ids, rows, bounds = _grouped_by_rank(indices, rows, n)
    first = slice(0, bounds[1])
    out[ids[first]] = np.add(rows[first], 0.0, out=rows[first])             # 0 + row: -0.0 becomes +0.0
    for r in range(1, _SCATTER_RANKS):
        part = slice(bounds[r], bounds[r + 1])
        out[ids[part]] += rows[part]                                        # no id twice: exact
    rest = slice(bounds[_SCATTER_RANKS], None)                              # ids used more often, in order
    np.add.at(out, ids[rest], rows[rest])
    return out


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads `x` with `constant_values` (0 by default) on both sides of each axis.

    Args:
        x: a tensor of any shape.
        pad_width: one (before, after) pair per axis, or one pair for all axes.
        mode: "constant" (the only mode implemented).
        constant_values: the value of the padding (0 when None).

    Returns:
        A tensor whose axis k has size before_k + x.shape[k] + after_k.

    Example:
        >>> print(ops.pad([1.0, 2.0], [(1, 2)]))
        [0. 1. 2. 0. 0.]
    """
    x = convert_to_tensor(x)
    if mode != "constant":
        raise ValueError(f'pad: only mode="constant" is implemented. Received: mode={mode!r}')
    try:
        pad_width = np.broadcast_to(np.asarray(pad_width), (x.ndim, 2))
    except ValueError:
        raise ValueError(f"pad: a tensor of shape {x.shape} needs pad_width as {x.ndim} (before, after) pairs. "
                         f"Received: pad_width={np.asarray(pad_width).tolist()}") from None
    inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(pad_width, x.shape))

    def backward(g):
        return (g[inner],)
    out = np.pad(x.data, pad_width, constant_values=0 if constant_values is None else constant_values)
    return record("pad", out, (x,), backward)


def tile(x, repeats):
    """Repeats the whole tensor `repeats[k]` times along each axis k, as numpy.tile.

    Args:
        x: a tensor of any shape.
        repeats: an int or a tuple of ints (leading axes are added when it is longer than x.ndim).

    Example:
        >>> print(ops.tile([1.0, 2.0], 2))
        [1. 2. 1. 2.]
    """
    x = convert_to_tensor(x)
    reps = tuple(int(r) for r in np.atleast_1d(repeats))
    ndim = builtins.max(x.ndim, len(reps))
    reps = (1,) * (ndim - len(reps)) + reps
    in_shape = (1,) * (ndim - x.ndim) + x.shape   # np.tile prepends axes when reps is longer
    try:
        out = np.tile(x.data, reps)
    except ValueError as error:
        raise _op_error("tile", x, f"{error} (repeats={reps})") from None

    def backward(g):
        split = []  # output axis k of size r*n viewed as (r, n): copy index, then position
        for r, n in zip(reps, in_shape):
            split += [r, n]
        return (g.reshape(split).sum(axis=tuple(range(0, 2 * ndim, 2))).reshape(x.shape),)
    return record("tile", out, (x,), backward)


def repeat(x, repeats, axis=None):
    """Repeats each entry `repeats` times along `axis`, as numpy.repeat.

    Args:
        x: a tensor of any shape.
        repeats: an int, the number of copies of each entry.
        axis: the axis to repeat along; None flattens x first.

    Example:
        >>> print(ops.repeat([1.0, 2.0], 2))
        [1. 1. 2. 2.]
    """
    x = convert_to_tensor(x)
    if not isinstance(repeats, int):
        raise TypeError("ops.repeat takes an integer number of repeats.")
    src = x.data.reshape(-1) if axis is None else x.data
    ax = 0 if axis is None else _axes(axis, x.ndim)[0]

    def backward(g):
        shape = src.shape[:ax] + (src.shape[ax], repeats) + src.shape[ax + 1:]
        return (g.reshape(shape).sum(axis=ax + 1).reshape(x.shape),)
    return record("repeat", np.repeat(src, repeats, axis=ax), (x,), backward)


def flip(x, axis=None):
    """Reverses the order of the entries along `axis`.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reverses every axis.

    Example:
        >>> print(ops.flip([1.0, 2.0, 3.0]))
        [3. 2. 1.]
    """
    x = convert_to_tensor(x)
    try:
        out = np.flip(x.data, axis)
    except ValueError as error:
        raise _op_error("flip", x, error) from None

    def backward(g):
        return (np.flip(g, axis),)
    return record("flip", out, (x,), backward)


# ---------------------------------------------------------------------------
# Selection and comparison
# ---------------------------------------------------------------------------

def where(condition, x1=None, x2=None):
    """`x1` where `condition` holds, `x2` elsewhere; with neither, the indices where it holds.

    Formula:
        out = condition ? x1 : x2, with numpy broadcasting; the gradient goes to the side that was picked.

    Args:
        condition: a boolean tensor.
        x1: the values where condition is true.
        x2: the values where condition is false.

    Returns:
        A tensor of the broadcast shape; or, with neither x1 nor x2, one index Tensor per axis
        (as numpy.nonzero).

    Example:
        >>> print(ops.where(np.array([True, False]), [1.0, 2.0], [10.0, 20.0]))
        [ 1. 20.]
    """
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    if x1 is None and x2 is None:
        return tuple(Tensor(i) for i in np.nonzero(cond))
    x, y = _pair(x1, x2)
    try:
        out = np.where(cond, x.data, y.data)
    except ValueError:
        raise _shape_error("where", cond, x, y) from None

    def backward(g):
        return g * cond, g * ~cond
    return record("where", out, (x, y), backward)


def clip(x, x_min, x_max):
    """Limits values to [x_min, x_max]; the gradient is 0 where a value was clipped.

    Formula:
        out = min(max(x, x_min), x_max)

    Args:
        x: a tensor of any shape.
        x_min: the lower bound.
        x_max: the upper bound.

    Example:
        >>> print(ops.clip([-2.0, 0.5, 3.0], 0.0, 1.0))
        [0.  0.5 1. ]
    """
    x = convert_to_tensor(x)
    try:
        inside = (x.data >= x_min) & (x.data <= x_max)
    except ValueError:
        raise _shape_error("clip", x, x_min, x_max) from None

    def backward(g):
        return (g * inside,)
    return record("clip", np.clip(x.data, x_min, x_max).astype(x.dtype, copy=False), (x,), backward)


def one_hot(x, num_classes, axis=-1, dtype=None):
    """Turns integer class ids into one-hot vectors; no gradient.

    Formula:
        out[..., c] = 1 if x[...] == c else 0

    Args:
        x: an integer tensor of class ids in [0, num_classes).
        num_classes: the length of each one-hot vector.
        axis: where the class axis goes in the output (the last by default).
        dtype: the dtype (float32 when None).

    Returns:
        x's shape with an axis of size num_classes inserted at `axis`.

    Example:
        >>> print(ops.one_hot([0, 2], 3))
        [[1. 0. 0.]
         [0. 0. 1.]]
    """
    x = np.asarray(x).astype(int)
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(f"one_hot: class ids must lie in [0, {num_classes}). Received: x with values "
                         f"from {x.min()} to {x.max()}")
    out = np.eye(num_classes, dtype=dtype or "float32")[x]  # (..., num_classes)
    return Tensor(out if axis == -1 else np.moveaxis(out, -1, axis))


def _compare(fn, a, b):
    a, b = _pair(a, b)
    try:
        return Tensor(fn(a.data, b.data))
    except ValueError:
        raise _shape_error(fn.__name__, a, b) from None


def equal(x1, x2):
    """Whether x1 == x2, element by element, with numpy broadcasting; no gradient.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.equal([1, 2], [1, 3]))
        [ True False]
    """
    return _compare(np.equal, x1, x2)


def not_equal(x1, x2):
    """Whether x1 != x2, element by element, with numpy broadcasting; no gradient.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.not_equal([1, 2], [1, 3]))
        [False  True]
    """
    return _compare(np.not_equal, x1, x2)


def less(x1, x2):
    """Whether x1 < x2, element by element, with numpy broadcasting; no gradient.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.less([1, 2], 2))
        [ True False]
    """
    return _compare(np.less, x1, x2)


def less_equal(x1, x2):
    """Whether x1 <= x2, element by element, with numpy broadcasting; no gradient.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.less_equal([1, 2], 2))
        [ True  True]
    """
    return _compare(np.less_equal, x1, x2)


def greater(x1, x2):
    """Whether x1 > x2, element by element, with numpy broadcasting; no gradient.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.greater([1, 3], 2))
        [False  True]
    """
    return _compare(np.greater, x1, x2)


def greater_equal(x1, x2):
    """Whether x1 >= x2, element by element, with numpy broadcasting; no gradient.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.greater_equal([1, 2], 2))
        [False  True]
    """
    return _compare(np.greater_equal, x1, x2)


def logical_and(x1, x2):
    """x1 and x2, element by element, with numpy broadcasting; no gradient.

    Args:
        x1, x2: tensors (non-zero is true) whose shapes broadcast together.

    Example:
        >>> print(ops.logical_and([True, True], [True, False]))
        [ True False]
    """
    return _compare(np.logical_and, x1, x2)


def logical_or(x1, x2):
    """x1 or x2, element by element, with numpy broadcasting; no gradient.

    Args:
        x1, x2: tensors (non-zero is true) whose shapes broadcast together.

    Example:
        >>> print(ops.logical_or([True, False], [False, False]))
        [ True False]
    """
    return _compare(np.logical_or, x1, x2)


def logical_not(x):
    """not x, element by element; no gradient.

    Args:
        x: a tensor (non-zero is true).

    Example:
        >>> print(ops.logical_not([True, False]))
        [False  True]
    """
    return Tensor(np.logical_not(np.asarray(x)))
