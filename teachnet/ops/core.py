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
    dtype.
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
    """Converts to `dtype`; the gradient flows back when both are floats."""
    x = convert_to_tensor(x)
    dtype = np.dtype(dtype)

    def backward(g):
        return (g.astype(x.dtype) if x.dtype.kind == "f" and dtype.kind == "f" else None,)
    return record("cast", x.data.astype(dtype), (x,), backward)


def stop_gradient(variable):
    """The same value, seen by the tape as a constant."""
    return Tensor(convert_to_tensor(variable).numpy())  # of a Variable: a copy, the value right now


def zeros(shape, dtype=None):
    return Tensor(np.zeros(shape, dtype=dtype or "float32"))


def ones(shape, dtype=None):
    return Tensor(np.ones(shape, dtype=dtype or "float32"))


def full(shape, fill_value, dtype=None):
    return Tensor(np.full(shape, fill_value, dtype=dtype or "float32"))


def zeros_like(x, dtype=None):
    return Tensor(np.zeros_like(np.asarray(x), dtype=dtype))


def ones_like(x, dtype=None):
    return Tensor(np.ones_like(np.asarray(x), dtype=dtype))


def arange(start, stop=None, step=None, dtype=None):
    return Tensor(np.arange(start, stop, 1 if step is None else step, dtype=dtype))


def eye(N, M=None, k=0, dtype=None):
    """The N x M matrix with ones on the k-th diagonal."""
    return Tensor(np.eye(N, M, k, dtype=dtype or "float32"))


def shape(x):
    """The static shape as a tuple of ints."""
    return tuple(np.shape(x.data if isinstance(x, Tensor) else x))


# ---------------------------------------------------------------------------
# Elementwise arithmetic
# ---------------------------------------------------------------------------

def add(x1, x2):
    a, b = _pair(x1, x2)
    try:
        out = a.data + b.data
    except ValueError:
        raise _shape_error("add", a, b) from None

    def backward(g):
        return g, g
    return record("add", out, (a, b), backward)


def subtract(x1, x2):
    a, b = _pair(x1, x2)
    try:
        out = a.data - b.data
    except ValueError:
        raise _shape_error("subtract", a, b) from None

    def backward(g):
        return g, -g
    return record("subtract", out, (a, b), backward)


def multiply(x1, x2):
    a, b = _pair(x1, x2)
    try:
        out = a.data * b.data
    except ValueError:
        raise _shape_error("multiply", a, b) from None

    def backward(g):
        return g * b.data, g * a.data
    return record("multiply", out, (a, b), backward)


def divide(x1, x2):
    a, b = _pair(x1, x2)
    try:
        out = a.data / b.data
    except ValueError:
        raise _shape_error("divide", a, b) from None

    def backward(g):
        return g / b.data, -g * out / b.data
    return record("divide", out, (a, b), backward)


def negative(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (-g,)
    return record("negative", -x.data, (x,), backward)


def power(x1, x2):
    """`x1 ** x2` elementwise."""
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
    x = convert_to_tensor(x)

    def backward(g):
        return (2 * x.data * g,)
    return record("square", np.square(x.data), (x,), backward)


def sqrt(x):
    x = convert_to_tensor(x)
    out = np.sqrt(x.data)

    def backward(g):
        return (g * 0.5 / out,)
    return record("sqrt", out, (x,), backward)


def exp(x):
    x = convert_to_tensor(x)
    out = np.exp(x.data)

    def backward(g):
        return (g * out,)
    return record("exp", out, (x,), backward)


def log(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g / x.data,)
    return record("log", np.log(x.data), (x,), backward)


def log1p(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g / (1 + x.data),)
    return record("log1p", np.log1p(x.data), (x,), backward)


def abs(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.sign(x.data),)
    return record("abs", np.abs(x.data), (x,), backward)


def sign(x):
    x = convert_to_tensor(x)
    return Tensor(np.sign(x.data))  # zero gradient almost everywhere


def sin(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.cos(x.data),)
    return record("sin", np.sin(x.data), (x,), backward)


def cos(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (-g * np.sin(x.data),)
    return record("cos", np.cos(x.data), (x,), backward)


def maximum(x1, x2):
    a, b = _pair(x1, x2)
    try:
        a_wins = a.data >= b.data  # ties send the gradient to `a`
    except ValueError:
        raise _shape_error("maximum", a, b) from None

    def backward(g):
        return g * a_wins, g * ~a_wins
    return record("maximum", np.maximum(a.data, b.data), (a, b), backward)


def minimum(x1, x2):
    a, b = _pair(x1, x2)
    try:
        a_wins = a.data <= b.data
    except ValueError:
        raise _shape_error("minimum", a, b) from None

    def backward(g):
        return g * a_wins, g * ~a_wins
    return record("minimum", np.minimum(a.data, b.data), (a, b), backward)


def matmul(x1, x2):
    """Matrix product `a @ b`, with numpy's batching rules.

    Backward: for y = a @ b, da = g @ b^T and db = a^T @ g.
    """
    a, b = _pair(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul needs arrays with at least one axis. Received: x1.shape={a.shape}, x2.shape={b.shape}")
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
            ga = g @ np.swapaxes(B, -1, -2) if need_a else None
            gb = np.swapaxes(A, -1, -2) @ g if need_b else None
        return ga, gb
    return record("matmul", a.data @ b.data, (a, b), backward)


def dot(x1, x2):
    """Like numpy.dot for vectors and matrices (= matmul)."""
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
    x = convert_to_tensor(x)
    axes = _axes(axis, x.ndim)

    def backward(g):
        return (np.broadcast_to(_expand(g, axes, keepdims), x.shape),)
    return record("sum", np.sum(x.data, axis=axes, keepdims=keepdims), (x,), backward)


def mean(x, axis=None, keepdims=False):
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
    out = _extremum("max", np.max, x, axis, keepdims)
    return out if initial is None else maximum(out, initial)  # `initial` is a floor, as in numpy


def min(x, axis=None, keepdims=False, initial=None):
    out = _extremum("min", np.min, x, axis, keepdims)
    return out if initial is None else minimum(out, initial)


def var(x, axis=None, keepdims=False):
    """Population variance (ddof=0, as keras.ops.var)."""
    centered = subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def norm(x, ord=None, axis=None, keepdims=False):
    """The Euclidean (L2) norm, Frobenius for matrices: keras.ops.norm with ord=None, 2 on a vector or "fro"."""
    if ord not in (None, "fro") and not (ord == 2 and axis is not None and not isinstance(axis, (tuple, list))):
        raise ValueError(f"norm: only the Euclidean norm (ord=None) is implemented. Received: ord={ord!r}")
    return sqrt(sum(square(x), axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) computed without overflow: max + log(sum(exp(x - max)))."""
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
    """Index of the largest value along `axis` (of the flattened tensor when None, as Keras)."""
    x = convert_to_tensor(x)
    try:
        return Tensor(np.argmax(x.data, axis=axis, keepdims=keepdims))
    except ValueError as error:
        raise _op_error("argmax", x, error) from None


def argmin(x, axis=None, keepdims=False):
    x = convert_to_tensor(x)
    try:
        return Tensor(np.argmin(x.data, axis=axis, keepdims=keepdims))
    except ValueError as error:
        raise _op_error("argmin", x, error) from None


def all(x, axis=None, keepdims=False):
    return Tensor(np.all(np.asarray(x), axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):
    return Tensor(np.any(np.asarray(x), axis=axis, keepdims=keepdims))


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

def reshape(x, newshape):
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
    x = convert_to_tensor(x)
    try:
        out = np.swapaxes(x.data, axis1, axis2)
    except ValueError as error:
        raise _op_error("swapaxes", x, error) from None

    def backward(g):
        return (np.swapaxes(g, axis1, axis2),)
    return record("swapaxes", out, (x,), backward)


def expand_dims(x, axis):
    x = convert_to_tensor(x)
    try:
        out = np.expand_dims(x.data, axis)
    except ValueError as error:
        raise _op_error("expand_dims", x, error) from None

    def backward(g):
        return (g.reshape(x.shape),)
    return record("expand_dims", out, (x,), backward)


def squeeze(x, axis=None):
    x = convert_to_tensor(x)
    try:
        out = np.squeeze(x.data, axis)
    except ValueError as error:
        raise _op_error("squeeze", x, error) from None

    def backward(g):
        return (g.reshape(x.shape),)
    return record("squeeze", out, (x,), backward)


def broadcast_to(x, shape):
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
    """`x[index]`: slicing and integer/boolean array indexing."""
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
    """Gathers entries of x along `axis` (an embedding lookup is take(table, ids, axis=0))."""
    x = convert_to_tensor(x)
    indices = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    ax = 0 if axis is None else _axes(axis, x.ndim)[0]
    flat = x.data.reshape(-1) if axis is None else x.data
    if indices.size and (indices.min() < -flat.shape[ax] or indices.max() >= flat.shape[ax]):
        raise IndexError(f"take: indices must lie in [-{flat.shape[ax]}, {flat.shape[ax]}) for axis {ax} of a "
                         f"tensor of shape {x.shape}. Received: indices from {indices.min()} to {indices.max()}")

    def backward(g):
        full = np.zeros(flat.shape, dtype=g.dtype)
        # Move the gathered axis to the front so add.at can scatter into it.
        gm = np.moveaxis(g, tuple(range(ax, ax + indices.ndim)), tuple(range(indices.ndim)))
        np.add.at(np.moveaxis(full, ax, 0), indices, gm)
        return (full.reshape(x.shape),)
    return record("take", np.take(flat, indices, axis=ax), (x,), backward)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads with `constant_values` (0 by default); `pad_width` is one (before, after) pair per axis."""
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
    """`x1` where condition holds, `x2` elsewhere; with neither, the indices
    where it holds (one Tensor per axis, as numpy.nonzero)."""
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
    """Limits values to [x_min, x_max]; the gradient is 0 where clipped."""
    x = convert_to_tensor(x)
    try:
        inside = (x.data >= x_min) & (x.data <= x_max)
    except ValueError:
        raise _shape_error("clip", x, x_min, x_max) from None

    def backward(g):
        return (g * inside,)
    return record("clip", np.clip(x.data, x_min, x_max).astype(x.dtype, copy=False), (x,), backward)


def one_hot(x, num_classes, axis=-1, dtype=None):
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


def equal(x1, x2): return _compare(np.equal, x1, x2)
def not_equal(x1, x2): return _compare(np.not_equal, x1, x2)
def less(x1, x2): return _compare(np.less, x1, x2)
def less_equal(x1, x2): return _compare(np.less_equal, x1, x2)
def greater(x1, x2): return _compare(np.greater, x1, x2)
def greater_equal(x1, x2): return _compare(np.greater_equal, x1, x2)
def logical_and(x1, x2): return _compare(np.logical_and, x1, x2)
def logical_or(x1, x2): return _compare(np.logical_or, x1, x2)


def logical_not(x):
    return Tensor(np.logical_not(np.asarray(x)))
