"""More `keras.ops` names that Keras code and tutorials use, built like `core`.

Rounding, tests and sizes are not differentiable (their gradient is zero or
undefined), so they return plain Tensors. The differentiable ones define
their backward right below the forward, as in `core`.
"""
import numpy as np

from teachnet.autodiff import Tensor, record
from teachnet.ops.core import _axes, convert_to_tensor, divide, getitem, log, max, min, sqrt

__all__ = [
    "convert_to_numpy", "is_tensor", "size", "ndim", "full_like", "linspace",
    "floor", "ceil", "round", "isnan", "isfinite", "argsort",
    "absolute", "amax", "amin", "log2", "log10", "rsqrt",
    "moveaxis", "cumsum", "prod", "split", "unstack", "sort",
]


# ---------------------------------------------------------------------------
# Conversions, sizes and constants
# ---------------------------------------------------------------------------

def convert_to_numpy(x):
    """The value as a numpy array (a copy of a Variable's current value)."""
    return np.array(x.data if isinstance(x, Tensor) else x)


def is_tensor(x):
    return isinstance(x, Tensor)


def size(x):
    """The number of entries."""
    return int(np.size(x.data if isinstance(x, Tensor) else x))


def ndim(x):
    """The number of axes."""
    return int(np.ndim(x.data if isinstance(x, Tensor) else x))


def full_like(x, fill_value, dtype=None):
    x = convert_to_tensor(x)
    return Tensor(np.full(x.shape, fill_value, dtype=dtype or x.dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    values, step = np.linspace(start, stop, num, endpoint=endpoint, retstep=True, axis=axis)
    out = Tensor(values.astype(dtype or "float32"))
    return (out, step) if retstep else out


# ---------------------------------------------------------------------------
# Rounding, tests and ordering (no gradient)
# ---------------------------------------------------------------------------

def floor(x):
    return Tensor(np.floor(convert_to_tensor(x).data))


def ceil(x):
    return Tensor(np.ceil(convert_to_tensor(x).data))


def round(x, decimals=0):
    """Rounds half to even, as numpy and Keras."""
    return Tensor(np.round(convert_to_tensor(x).data, decimals))


def isnan(x):
    return Tensor(np.isnan(convert_to_tensor(x).data))


def isfinite(x):
    return Tensor(np.isfinite(convert_to_tensor(x).data))


def argsort(x, axis=-1):
    return Tensor(np.argsort(convert_to_tensor(x).data, axis=axis, kind="stable"))


# ---------------------------------------------------------------------------
# Other names for core ops, and ops written with them
# ---------------------------------------------------------------------------

def absolute(x):
    from teachnet.ops.core import abs as _abs
    return _abs(x)


def amax(x, axis=None, keepdims=False):
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    return min(x, axis=axis, keepdims=keepdims)


def log2(x):
    return divide(log(x), np.log(2.0))


def log10(x):
    return divide(log(x), np.log(10.0))


def rsqrt(x):
    """1 / sqrt(x)."""
    return divide(1.0, sqrt(x))


def unstack(x, num=None, axis=0):
    """The slices of x along `axis`, as a list."""
    x = convert_to_tensor(x)
    axis = _axes(axis, x.ndim)[0]
    n = x.shape[axis]
    if num is not None and num != n:
        raise ValueError(f"unstack: num={num} does not match the size {n} of axis {axis} of shape {x.shape}.")
    return [getitem(x, (slice(None),) * axis + (i,)) for i in range(n)]


# ---------------------------------------------------------------------------
# Differentiable ops
# ---------------------------------------------------------------------------

def moveaxis(x, source, destination):
    x = convert_to_tensor(x)
    try:
        out = np.moveaxis(x.data, source, destination)
    except ValueError:
        raise ValueError(f"moveaxis: cannot move axes {source} to {destination} of a tensor of shape "
                         f"{x.shape}.") from None

    def backward(g):
        return (np.moveaxis(g, destination, source),)
    return record("moveaxis", out, (x,), backward)


def cumsum(x, axis=None, dtype=None):
    """Running sums along `axis` (of the flattened tensor when None).

    Backward: each input adds to every later output, so its gradient is the
    running sum of g taken from the end."""
    x = convert_to_tensor(x)
    data = x.data.reshape(-1) if axis is None else x.data
    ax = 0 if axis is None else _axes(axis, x.ndim)[0]
    out = np.cumsum(data, axis=ax, dtype=dtype)

    def backward(g):
        return (np.flip(np.cumsum(np.flip(g, ax), axis=ax), ax).reshape(x.shape),)
    return record("cumsum", out, (x,), backward)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product of the entries along `axis`.

    Backward: d(prod)/dx_i is the product of the other entries, computed as
    prod / x_i where x_i != 0 and by direct product where it is 0."""
    x = convert_to_tensor(x)
    axes = _axes(axis, x.ndim)
    out = np.prod(x.data, axis=axes, keepdims=True, dtype=dtype)

    def backward(g):
        g = g if keepdims else np.expand_dims(g, axes)
        moved = np.moveaxis(x.data, axes, tuple(range(-len(axes), 0)))
        flat = moved.reshape(moved.shape[:moved.ndim - len(axes)] + (-1,))          # (..., n)
        n = flat.shape[-1]
        others = np.stack([np.prod(np.delete(flat, i, axis=-1), axis=-1) for i in range(n)], axis=-1)
        others = np.moveaxis(others.reshape(moved.shape), tuple(range(-len(axes), 0)), axes)
        return (g * others,)
    return record("prod", out if keepdims else np.squeeze(out, axes), (x,), backward)


def split(x, indices_or_sections, axis=0):
    """Splits x along `axis` into equal sections or at the given indices; a list."""
    x = convert_to_tensor(x)
    axis = _axes(axis, x.ndim)[0]
    try:
        pieces = np.split(np.arange(x.shape[axis]), indices_or_sections)
    except ValueError:
        raise ValueError(f"split: axis {axis} of a tensor of shape {x.shape} does not divide into "
                         f"{indices_or_sections} equal sections.") from None
    return [getitem(x, (slice(None),) * axis + (slice(int(p[0]), int(p[-1]) + 1) if len(p) else slice(0, 0),))
            for p in pieces]


def sort(x, axis=-1):
    """Sorted values along `axis`; the gradient goes back to where each value came from."""
    x = convert_to_tensor(x)
    order = np.argsort(x.data, axis=axis, kind="stable")
    out = np.take_along_axis(x.data, order, axis=axis)

    def backward(g):
        full = np.zeros(x.shape, dtype=g.dtype)
        np.put_along_axis(full, order, g, axis=axis)
        return (full,)
    return record("sort", out, (x,), backward)

