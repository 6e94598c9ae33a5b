"""More `keras.ops` names that Keras code and tutorials use, built like `core`.

Rounding, tests and sizes are not differentiable (their gradient is zero or
undefined), so they return plain Tensors. The differentiable ones define
their backward right below the forward, as in `core`.
"""
import builtins  # this module defines `slice`, and core's `sum`, `max` and `min` are imported: builtins.max

import numpy as np

from teachnet.autodiff import Tensor, record
from teachnet.ops.core import abs as _abs  # this module defines its own `abs`
from teachnet.ops.core import (_axes, _pair, _shape_error, concatenate, convert_to_tensor, divide, dot,
                               eye, flip, getitem, log, max, mean, min, multiply, reshape, sqrt,
                               subtract, sum, transpose, where, zeros, zeros_like)

__all__ = [
    "convert_to_numpy", "is_tensor", "size", "ndim", "full_like", "linspace",
    "floor", "ceil", "round", "isnan", "isfinite", "argsort",
    "absolute", "amax", "amin", "log2", "log10", "rsqrt",
    "moveaxis", "cumsum", "prod", "split", "unstack", "sort",
    "array", "identity", "tri", "copy", "meshgrid", "count_nonzero", "searchsorted", "digitize", "bincount",
    "isin", "nonzero", "ravel", "append", "hstack", "vstack", "roll", "tril", "triu", "diagonal", "trace",
    "take_along_axis", "slice", "slice_update", "select", "average", "outer", "einsum", "tensordot",
    "top_k", "in_top_k", "segment_sum",
    "empty", "empty_like", "dtype", "get_item", "diff", "median", "ptp", "fliplr", "flipud", "rot90", "diag",
    "inner", "vdot",
]


# ---------------------------------------------------------------------------
# Conversions, sizes and constants
# ---------------------------------------------------------------------------

def convert_to_numpy(x):
    """The value as a numpy array (a copy of a Variable's current value).

    Args:
        x: a tensor, a Variable, an array or a nested list.

    Example:
        >>> ops.convert_to_numpy(ops.ones((2,)))
        array([1., 1.], dtype=float32)
    """
    return np.array(x.data if isinstance(x, Tensor) else x)


def is_tensor(x):
    """Whether `x` is a teachnet Tensor (a Variable is one too).

    Args:
        x: anything.

    Example:
        >>> ops.is_tensor(ops.ones(2)), ops.is_tensor(np.ones(2))
        (True, False)
    """
    return isinstance(x, Tensor)


def size(x):
    """The number of entries of `x`, as an int.

    Args:
        x: a tensor, an array or a nested list.

    Example:
        >>> ops.size(np.ones((2, 3)))
        6
    """
    return int(np.size(x.data if isinstance(x, Tensor) else x))


def ndim(x):
    """The number of axes of `x`, as an int.

    Args:
        x: a tensor, an array or a nested list.

    Example:
        >>> ops.ndim(np.ones((2, 3)))
        2
    """
    return int(np.ndim(x.data if isinstance(x, Tensor) else x))


def full_like(x, fill_value, dtype=None):
    """A tensor shaped like `x` with every entry equal to `fill_value`.

    Args:
        x: a tensor whose shape (and dtype, unless `dtype` is given) is copied.
        fill_value: the value of every entry.
        dtype: the dtype (x's when None).

    Example:
        >>> print(ops.full_like(np.zeros(2), 5.0))
        [5. 5.]
    """
    x = convert_to_tensor(x)
    return Tensor(np.full(x.shape, fill_value, dtype=dtype or x.dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop`, as numpy.linspace.

    Args:
        start: the first value.
        stop: the last value (included when `endpoint`).
        num: how many values.
        endpoint: whether `stop` is the last value.
        retstep: also return the spacing, as (values, step).
        dtype: the dtype (float32 when None).
        axis: where the new axis goes when start and stop are arrays.

    Example:
        >>> print(ops.linspace(0.0, 1.0, 5))
        [0.   0.25 0.5  0.75 1.  ]
    """
    values, step = np.linspace(start, stop, num, endpoint=endpoint, retstep=True, axis=axis)
    out = Tensor(values.astype(dtype or "float32"))
    return (out, step) if retstep else out


# ---------------------------------------------------------------------------
# Rounding, tests and ordering (no gradient)
# ---------------------------------------------------------------------------

def floor(x):
    """Rounds every entry down to an integer value; no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.floor([1.7, -1.2]))
        [ 1. -2.]
    """
    return Tensor(np.floor(convert_to_tensor(x).data))


def ceil(x):
    """Rounds every entry up to an integer value; no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.ceil([1.2, -1.7]))
        [ 2. -1.]
    """
    return Tensor(np.ceil(convert_to_tensor(x).data))


def round(x, decimals=0):
    """Rounds every entry to `decimals` places, half to even as numpy and Keras; no gradient.

    Args:
        x: a tensor of any shape.
        decimals: the number of decimal places.

    Example:
        >>> print(ops.round([0.5, 1.5, 2.5]))
        [0. 2. 2.]
    """
    return Tensor(np.round(convert_to_tensor(x).data, decimals))


def isnan(x):
    """Whether each entry is nan; no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.isnan([1.0, np.nan]))
        [False  True]
    """
    return Tensor(np.isnan(convert_to_tensor(x).data))


def isfinite(x):
    """Whether each entry is finite (not nan and not +-inf); no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.isfinite([1.0, np.nan, np.inf]))
        [ True False False]
    """
    return Tensor(np.isfinite(convert_to_tensor(x).data))


def argsort(x, axis=-1):
    """The indices that would sort `x` along `axis` (a stable sort); no gradient.

    Args:
        x: a tensor of any shape.
        axis: the axis to sort along.

    Example:
        >>> print(ops.argsort([3.0, 1.0, 2.0]))
        [1 2 0]
    """
    return Tensor(np.argsort(convert_to_tensor(x).data, axis=axis, kind="stable"))


# ---------------------------------------------------------------------------
# Other names for core ops, and ops written with them
# ---------------------------------------------------------------------------

def absolute(x):
    """The absolute value of every entry: another name of `abs`.

    Formula:
        out = |x|

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.absolute([-2.0, 3.0]))
        [2. 3.]
    """
    return _abs(x)


def amax(x, axis=None, keepdims=False):
    """The largest entry along `axis`: another name of `max`.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.amax([1.0, 3.0, 2.0]))
        3.0
    """
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    """The smallest entry along `axis`: another name of `min`.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.amin([1.0, 3.0, 2.0]))
        1.0
    """
    return min(x, axis=axis, keepdims=keepdims)


def log2(x):
    """The base-2 logarithm of every entry.

    Formula:
        out = ln(x) / ln(2)

    Args:
        x: a tensor of any shape, positive.

    Example:
        >>> print(ops.log2([1.0, 8.0]))
        [0. 3.]
    """
    return divide(log(x), np.log(2.0))


def log10(x):
    """The base-10 logarithm of every entry.

    Formula:
        out = ln(x) / ln(10)

    Args:
        x: a tensor of any shape, positive.

    Example:
        >>> print(ops.log10([1.0, 100.0]))
        [0. 2.]
    """
    return divide(log(x), np.log(10.0))


def rsqrt(x):
    """One over the square root of every entry.

    Formula:
        out = 1 / sqrt(x)

    Args:
        x: a tensor of any shape, positive.

    Example:
        >>> print(ops.rsqrt([4.0, 16.0]))
        [0.5  0.25]
    """
    return divide(1.0, sqrt(x))


def unstack(x, num=None, axis=0):
    """The slices of `x` along `axis`, as a list of tensors with that axis removed.

    Args:
        x: a tensor of any shape.
        num: the expected number of slices (checked when given).
        axis: the axis to cut along.

    Example:
        >>> [t.shape for t in ops.unstack(np.ones((2, 3)))]
        [(3,), (3,)]
    """
    x = convert_to_tensor(x)
    axis = _axes(axis, x.ndim)[0]
    n = x.shape[axis]
    if num is not None and num != n:
        raise ValueError(f"unstack: num={num} does not match the size {n} of axis {axis} of shape {x.shape}.")
    return [getitem(x, (np.s_[:],) * axis + (i,)) for i in range(n)]


# ---------------------------------------------------------------------------
# Differentiable ops
# ---------------------------------------------------------------------------

def moveaxis(x, source, destination):
    """Moves axis `source` of `x` to position `destination`; the others keep their order.

    Args:
        x: a tensor of any shape.
        source: an int or tuple of ints, the axes to move.
        destination: an int or tuple of ints, their new positions.

    Example:
        >>> ops.moveaxis(np.ones((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
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

    Formula:
        out[i] = x[0] + ... + x[i]
        Backward: each input adds to every later output, so its gradient is the
        running sum of g taken from the end.

    Args:
        x: a tensor of any shape.
        axis: the axis to sum along; None flattens x first.
        dtype: the dtype of the sums (numpy's choice when None).

    Example:
        >>> print(ops.cumsum([1.0, 2.0, 3.0]))
        [1. 3. 6.]
    """
    x = convert_to_tensor(x)
    data = x.data.reshape(-1) if axis is None else x.data
    ax = 0 if axis is None else _axes(axis, x.ndim)[0]
    out = np.cumsum(data, axis=ax, dtype=dtype)

    def backward(g):
        return (np.flip(np.cumsum(np.flip(g, ax), axis=ax), ax).reshape(x.shape),)
    return record("cumsum", out, (x,), backward)


def prod(x, axis=None, keepdims=False, dtype=None):
    """The product of the entries along `axis`.

    Formula:
        out = x[0] * x[1] * ... along `axis`
        Backward: d(prod)/dx_i is the product of the other entries, computed by leaving
        x_i out of the product (so zeros are handled).

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.
        dtype: the dtype of the product (numpy's choice when None).

    Example:
        >>> print(ops.prod([2.0, 3.0, 4.0]))
        24.0
    """
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
    """Splits `x` along `axis` into equal sections or at the given indices; a list.

    Args:
        x: a tensor of any shape.
        indices_or_sections: an int (that many equal sections) or a list of split points.
        axis: the axis to split.

    Example:
        >>> [t.shape for t in ops.split(np.ones((4, 2)), 2)]
        [(2, 2), (2, 2)]
    """
    x = convert_to_tensor(x)
    axis = _axes(axis, x.ndim)[0]
    try:
        pieces = np.split(np.arange(x.shape[axis]), indices_or_sections)
    except ValueError:
        raise ValueError(f"split: axis {axis} of a tensor of shape {x.shape} does not divide into "
                         f"{indices_or_sections} equal sections.") from None
    return [getitem(x, (np.s_[:],) * axis + (np.s_[int(p[0]):int(p[-1]) + 1] if len(p) else np.s_[0:0],))
            for p in pieces]


def sort(x, axis=-1):
    """Sorted values along `axis`; the gradient goes back to where each value came from.

    Args:
        x: a tensor of any shape.
        axis: the axis to sort along.

    Example:
        >>> print(ops.sort([3.0, 1.0, 2.0]))
        [1. 2. 3.]
    """
    x = convert_to_tensor(x)
    order = np.argsort(x.data, axis=axis, kind="stable")
    out = np.take_along_axis(x.data, order, axis=axis)

    def backward(g):
        full = np.zeros(x.shape, dtype=g.dtype)
        np.put_along_axis(full, order, g, axis=axis)
        return (full,)
    return record("sort", out, (x,), backward)



# ---------------------------------------------------------------------------
# Constructors and integer-valued ops (no gradient)
# ---------------------------------------------------------------------------

def array(x, dtype=None):
    """A Tensor of `x` (`keras.ops.array`).

    Args:
        x: an array, a number, a nested list or a tensor.
        dtype: the dtype (as `convert_to_tensor` chooses when None).

    Example:
        >>> ops.array([1.0, 2.0]).shape
        (2,)
    """
    return convert_to_tensor(x, dtype=dtype)


def identity(n, dtype=None):
    """The n x n identity matrix.

    Args:
        n: the number of rows and columns.
        dtype: the dtype (float32 when None).

    Example:
        >>> print(ops.identity(2))
        [[1. 0.]
         [0. 1.]]
    """
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones on and below the k-th diagonal of an N x M matrix, zeros above.

    Args:
        N: the number of rows.
        M: the number of columns (N when None).
        k: the diagonal: 0 the main one, > 0 above it, < 0 below it.
        dtype: the dtype (float32 when None).

    Example:
        >>> print(ops.tri(2))
        [[1. 0.]
         [1. 1.]]
    """
    return Tensor(np.tri(N, M, k, dtype=dtype or "float32"))


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors, as numpy.meshgrid (a list).

    Args:
        *x: 1-D tensors of coordinates.
        indexing: "xy" (cartesian: the first vector varies along columns) or "ij" (matrix).

    Example:
        >>> xs, ys = ops.meshgrid([1.0, 2.0, 3.0], [10.0, 20.0])
        >>> xs.shape
        (2, 3)
    """
    return [Tensor(a) for a in np.meshgrid(*[convert_to_tensor(v).data for v in x], indexing=indexing)]


def count_nonzero(x, axis=None):
    """The number of non-zero entries along `axis`; no gradient.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None counts over everything.

    Example:
        >>> print(ops.count_nonzero([0.0, 1.0, 2.0]))
        2
    """
    return Tensor(np.count_nonzero(convert_to_tensor(x).data, axis=axis))


def searchsorted(sorted_sequence, values, side="left"):
    """Where each value would be inserted into the sorted 1-D sequence to keep it sorted; no gradient.

    Args:
        sorted_sequence: a 1-D tensor in ascending order.
        values: a tensor of values to place.
        side: "left" (the first suitable index) or "right" (the last).

    Example:
        >>> print(ops.searchsorted([1.0, 2.0, 3.0], [2.0, 2.5]))
        [1 2]
    """
    return Tensor(np.searchsorted(convert_to_tensor(sorted_sequence).data, convert_to_tensor(values).data,
                                  side=side))


def digitize(x, bins):
    """The index of the bin each value falls in (as numpy.digitize, int32); no gradient.

    Formula:
        out[i] = j such that bins[j - 1] <= x[i] < bins[j] (bins ascending)

    Args:
        x: a tensor of values.
        bins: a 1-D tensor of bin edges, monotonic.

    Example:
        >>> print(ops.digitize([0.5, 1.5, 3.0], [1.0, 2.0]))
        [0 1 2]
    """
    return Tensor(np.digitize(convert_to_tensor(x).data, convert_to_tensor(bins).data).astype("int32"))


def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each non-negative integer occurs in `x` (summing `weights` instead of 1 if given).

    A 2-D x counts each row separately, as Keras does; no gradient.

    Args:
        x: a 1-D or 2-D tensor of non-negative ints.
        weights: a tensor shaped like x, or None to count.
        minlength: the smallest length of the output's last axis.
        sparse: must be False (teachnet has no sparse tensors).

    Example:
        >>> print(ops.bincount([0, 1, 1, 3]))
        [1 2 0 1]
    """
    if sparse:
        raise ValueError("bincount: sparse=True is not supported (teachnet has no sparse tensors).")
    x = convert_to_tensor(x).data
    w = None if weights is None else convert_to_tensor(weights).data
    if x.ndim == 1:
        return Tensor(np.bincount(x, w, minlength))
    length = builtins.max(int(x.max()) + 1 if x.size else 0, minlength)
    return Tensor(np.stack([np.bincount(row, None if w is None else w[i], length) for i, row in enumerate(x)]))


def empty(shape, dtype=None):
    """A new tensor of `shape` (zeros here: numpy's uninitialized memory would make runs differ).

    Args:
        shape: a tuple of ints.
        dtype: the dtype (float32 when None).

    Example:
        >>> print(ops.empty((2,)))
        [0. 0.]
    """
    return zeros(shape, dtype=dtype)


def empty_like(x, dtype=None):
    """A new tensor shaped like `x` (zeros, as `empty`).

    Args:
        x: a tensor whose shape (and dtype, unless `dtype` is given) is copied.
        dtype: the dtype (x's when None).

    Example:
        >>> ops.empty_like(np.ones((2, 3))).shape
        (2, 3)
    """
    return zeros_like(x, dtype=dtype)


def dtype(x):
    """The name of the dtype of `x`, e.g. "float32".

    Args:
        x: a tensor, an array or a nested list.

    Example:
        >>> ops.dtype(ops.ones(2))
        'float32'
    """
    return str(np.asarray(x.data if isinstance(x, Tensor) else x).dtype)


def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each entry of `x1` occurs in `x2`; no gradient.

    Args:
        x1: a tensor of any shape.
        x2: the values to look for.
        assume_unique: promise that both have unique entries (faster in numpy).
        invert: return the opposite (not in x2).

    Example:
        >>> print(ops.isin([1, 2, 3], [2, 3]))
        [False  True  True]
    """
    return Tensor(np.isin(convert_to_tensor(x1).data, convert_to_tensor(x2).data, assume_unique, invert))


def nonzero(x):
    """The indices of the non-zero entries, one Tensor per axis; no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.nonzero([0.0, 5.0, 0.0, 7.0])[0])
        [1 3]
    """
    return tuple(Tensor(i) for i in np.nonzero(convert_to_tensor(x).data))


# ---------------------------------------------------------------------------
# Shapes, written with the differentiable ops of `core`
# ---------------------------------------------------------------------------

def copy(x):
    """The same values in a new tensor, differentiable (a new node on the tape).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.copy([1.0, 2.0]))
        [1. 2.]
    """
    return multiply(x, 1)


def ravel(x):
    """`x` flattened to one axis (row-major order).

    Args:
        x: a tensor of any shape.

    Example:
        >>> ops.ravel(np.ones((2, 3))).shape
        (6,)
    """
    return reshape(x, (-1,))


def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (both flattened when None).

    Args:
        x1: a tensor of any shape.
        x2: a tensor that matches x1 in every axis but `axis`.
        axis: the axis to join along; None flattens both.

    Example:
        >>> print(ops.append([1.0, 2.0], [3.0]))
        [1. 2. 3.]
    """
    if axis is None:
        return concatenate([ravel(x1), ravel(x2)], axis=0)
    return concatenate([x1, x2], axis=axis)


def hstack(xs):
    """Joins tensors along the second axis (the first, for 1-D tensors), as numpy.hstack.

    Args:
        xs: a list of tensors that agree on every other axis.

    Example:
        >>> ops.hstack([np.ones((2, 1)), np.ones((2, 3))]).shape
        (2, 4)
    """
    xs = [convert_to_tensor(x) for x in xs]
    return concatenate(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    """Joins tensors along the first axis, 1-D tensors becoming rows, as numpy.vstack.

    Args:
        xs: a list of tensors that agree on every other axis.

    Example:
        >>> ops.vstack([np.ones(3), np.ones(3)]).shape
        (2, 3)
    """
    xs = [convert_to_tensor(x) for x in xs]
    return concatenate([reshape(x, (1, -1)) if x.ndim == 1 else x for x in xs], axis=0)


def get_item(x, key):
    """`x[key]`: Keras's function form of indexing (the same as `getitem`).

    Args:
        x: a tensor of any shape.
        key: anything numpy accepts inside `x[...]`.

    Example:
        >>> print(ops.get_item(np.arange(4.0), 2))
        2.0
    """
    return getitem(x, key)


def diff(a, n=1, axis=-1):
    """The n-th differences along `axis`: a[1:] - a[:-1], n times.

    Formula:
        out[i] = a[i + 1] - a[i] (applied n times)

    Args:
        a: a tensor of any shape.
        n: how many times to take the differences.
        axis: the axis to difference along.

    Returns:
        a's shape with `axis` shorter by n.

    Example:
        >>> print(ops.diff([1.0, 4.0, 9.0]))
        [3. 5.]
    """
    a = convert_to_tensor(a)
    ax = _axes(axis, a.ndim)[0]
    for _ in range(n):
        before = (np.s_[:],) * ax
        a = subtract(getitem(a, before + (np.s_[1:],)), getitem(a, before + (np.s_[:-1],)))
    return a


def median(x, axis=None, keepdims=False):
    """The middle value along `axis` (the mean of the two middle ones for an even count).

    It is computed through `sort`, so the gradient goes to the middle entries.

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.median([3.0, 1.0, 4.0, 2.0]))
        2.5
    """
    x = convert_to_tensor(x)
    axes = tuple(range(x.ndim)) if axis is None else _axes(axis, x.ndim)
    kept = tuple(i for i in range(x.ndim) if i not in axes)
    flat = reshape(transpose(x, kept + axes), tuple(x.shape[i] for i in kept) + (-1,))   # (kept axes..., n)
    ordered = sort(flat, axis=-1)
    n = ordered.shape[-1]
    middle = mean(getitem(ordered, (Ellipsis, np.s_[(n - 1) // 2:n // 2 + 1])), axis=-1)
    if keepdims:
        middle = reshape(middle, tuple(1 if i in axes else size for i, size in enumerate(x.shape)))
    return middle


def ptp(x, axis=None, keepdims=False):
    """The range max - min along `axis` ("peak to peak").

    Formula:
        out = max(x) - min(x)

    Args:
        x: a tensor of any shape.
        axis: an int or tuple of ints; None reduces everything.
        keepdims: keep the reduced axes with size 1.

    Example:
        >>> print(ops.ptp([3.0, 1.0, 4.0]))
        3.0
    """
    return subtract(max(x, axis=axis, keepdims=keepdims), min(x, axis=axis, keepdims=keepdims))


def fliplr(x):
    """Reverses the second axis (left-right).

    Args:
        x: a tensor of rank 2 or more.

    Example:
        >>> print(ops.fliplr(np.array([[1.0, 2.0]])))
        [[2. 1.]]
    """
    return flip(x, axis=1)


def flipud(x):
    """Reverses the first axis (up-down).

    Args:
        x: a tensor of rank 1 or more.

    Example:
        >>> print(ops.flipud(np.array([[1.0], [2.0]])))
        [[2.]
         [1.]]
    """
    return flip(x, axis=0)


def inner(x1, x2):
    """Sums the products over the last axes of x1 and x2 (the dot product for vectors).

    Formula:
        out[..., ...] = sum over k of x1[..., k] * x2[..., k]

    Args:
        x1, x2: tensors with the same size on their last axes (or scalars, which multiply).

    Example:
        >>> print(ops.inner([1.0, 2.0], [3.0, 4.0]))
        11.0
    """
    a, b = _pair(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def vdot(x1, x2):
    """The dot product of x1 and x2, both flattened.

    Formula:
        out = sum over i of x1.ravel()[i] * x2.ravel()[i]

    Args:
        x1, x2: tensors with the same number of entries.

    Example:
        >>> print(ops.vdot(np.ones((2, 2)), np.ones((2, 2))))
        4.0
    """
    return dot(reshape(x1, (-1,)), reshape(x2, (-1,)))


def outer(x1, x2):
    """The outer product of x1 and x2 (both flattened first).

    Formula:
        out[i, j] = x1[i] * x2[j]

    Args:
        x1, x2: tensors of any shapes.

    Returns:
        A matrix of shape (x1.size, x2.size).

    Example:
        >>> print(ops.outer([1.0, 2.0], [1.0, 10.0]))
        [[ 1. 10.]
         [ 2. 20.]]
    """
    return multiply(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def average(x, axis=None, weights=None):
    """The weighted mean along `axis`; 1-D weights lie along `axis`.

    Formula:
        out = sum(x * w) / sum(w) (the plain mean when weights is None)

    Args:
        x: a tensor of any shape.
        axis: an int, or None to average everything.
        weights: a tensor shaped like x, or 1-D along `axis`, or None.

    Example:
        >>> print(ops.average([1.0, 3.0], weights=[3.0, 1.0]))
        1.5
    """
    if weights is None:
        return mean(x, axis=axis)
    x, w = _pair(x, weights)
    if w.ndim == 1 and x.ndim > 1:
        if axis is None:
            raise ValueError(f"average: 1-D weights need an `axis` of x (shape {x.shape}) to lie along.")
        w = reshape(w, tuple(-1 if i == _axes(axis, x.ndim)[0] else 1 for i in range(x.ndim)))
    return divide(sum(multiply(x, w), axis=axis), sum(multiply(w, np.ones(x.shape, x.dtype)), axis=axis))


def select(condlist, choicelist, default=0):
    """choicelist[i] where condlist[i] is the first condition that holds, `default` where none does.

    Args:
        condlist: a list of boolean tensors.
        choicelist: a list of tensors, as long as condlist.
        default: the value where no condition holds.

    Example:
        >>> x = np.array([-2.0, 0.0, 3.0])
        >>> print(ops.select([x < 0, x > 0], [-x, x * 10]))
        [ 2.  0. 30.]
    """
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: condlist and choicelist must have the same length. Received: "
                         f"{len(condlist)} conditions and {len(choicelist)} choices.")
    out = default
    for condition, choice in reversed(list(zip(condlist, choicelist))):  # the first condition wins
        out = where(condition, choice, out)
    return convert_to_tensor(out)


# ---------------------------------------------------------------------------
# Differentiable selection
# ---------------------------------------------------------------------------

def roll(x, shift, axis=None):
    """Shifts the entries by `shift` along `axis` (of the flattened tensor when None), wrapping around.

    Args:
        x: a tensor of any shape.
        shift: an int or tuple of ints, positive towards higher indices.
        axis: an int or tuple of ints; None rolls the flattened tensor.

    Example:
        >>> print(ops.roll([1.0, 2.0, 3.0], 1))
        [3. 1. 2.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (np.roll(g, np.negative(shift), axis=axis),)
    return record("roll", np.roll(x.data, shift, axis=axis), (x,), backward)


def rot90(array, k=1, axes=(0, 1)):
    """Rotates by 90 degrees k times in the plane of `axes` (from the first towards the second).

    Args:
        array: a tensor of rank 2 or more.
        k: the number of quarter turns.
        axes: the two axes of the plane.

    Example:
        >>> print(ops.rot90(np.array([[1.0, 2.0], [3.0, 4.0]])))
        [[2. 4.]
         [1. 3.]]
    """
    x = convert_to_tensor(array)
    try:
        out = np.rot90(x.data, k, axes)
    except ValueError as error:
        raise ValueError(f"rot90 of a tensor of shape {x.shape}: {error}") from None

    def backward(g):
        return (np.rot90(g, -k, axes),)
    return record("rot90", out, (x,), backward)


def diag(x, k=0):
    """The k-th diagonal of a matrix, or the matrix with a vector on its k-th diagonal.

    Args:
        x: a vector (rank 1) or a matrix (rank 2).
        k: the diagonal: 0 the main one, > 0 above it, < 0 below it.

    Example:
        >>> print(ops.diag([1.0, 2.0]))
        [[1. 0.]
         [0. 2.]]
    """
    x = convert_to_tensor(x)
    if x.ndim == 2:
        return diagonal(x, offset=k)
    if x.ndim != 1:
        raise ValueError(f"diag: the input must be a vector or a matrix (rank 1 or 2). Received: x.shape={x.shape}")

    def backward(g):
        return (np.diagonal(g, k).copy(),)
    return record("diag", np.diag(x.data, k), (x,), backward)


def _triangle(name, keep, x):
    x = convert_to_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"{name} needs a tensor of rank 2 or more (a matrix, or a batch of them). Received: "
                         f"x.shape={x.shape}")
    mask = keep(np.ones(x.shape[-2:], dtype=bool))

    def backward(g):
        return (g * mask,)
    return record(name, np.where(mask, x.data, 0).astype(x.dtype, copy=False), (x,), backward)


def tril(x, k=0):
    """The lower triangle (on and below the k-th diagonal) of the last two axes; zeros above.

    Args:
        x: a tensor of rank 2 or more (a matrix, or a batch of them).
        k: the diagonal: 0 the main one, > 0 above it, < 0 below it.

    Example:
        >>> print(ops.tril(np.ones((2, 2))))
        [[1. 0.]
         [1. 1.]]
    """
    return _triangle("tril", lambda ones: np.tril(ones, k), x)


def triu(x, k=0):
    """The upper triangle (on and above the k-th diagonal) of the last two axes; zeros below.

    Args:
        x: a tensor of rank 2 or more (a matrix, or a batch of them).
        k: the diagonal: 0 the main one, > 0 above it, < 0 below it.

    Example:
        >>> print(ops.triu(np.ones((2, 2))))
        [[1. 1.]
         [0. 1.]]
    """
    return _triangle("triu", lambda ones: np.triu(ones, k), x)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the matrices spanned by axis1 and axis2, as a new last axis.

    Args:
        x: a tensor of rank 2 or more.
        offset: the diagonal: 0 the main one, > 0 above it, < 0 below it.
        axis1, axis2: the two axes of the matrices.

    Example:
        >>> print(ops.diagonal(np.arange(4.0).reshape(2, 2)))
        [0. 3.]
    """
    x = convert_to_tensor(x)
    try:
        out = np.diagonal(x.data, offset, axis1, axis2).copy()
    except ValueError as error:
        raise ValueError(f"diagonal of a tensor of shape {x.shape}: {error}") from None
    rows = np.arange(out.shape[-1]) + builtins.max(-offset, 0)
    cols = np.arange(out.shape[-1]) + builtins.max(offset, 0)

    def backward(g):
        full = np.zeros(x.shape, dtype=g.dtype)
        np.moveaxis(full, (axis1, axis2), (-2, -1))[..., rows, cols] = g   # a view: writes into full
        return (full,)
    return record("diagonal", out, (x,), backward)


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum of the diagonal of the matrices spanned by axis1 and axis2.

    Formula:
        out = sum over i of x[i, i + offset]

    Args:
        x: a tensor of rank 2 or more.
        offset: the diagonal: 0 the main one, > 0 above it, < 0 below it.
        axis1, axis2: the two axes of the matrices.

    Example:
        >>> print(ops.trace(np.arange(4.0).reshape(2, 2)))
        3.0
    """
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)


def take_along_axis(x, indices, axis=None):
    """x[..., indices[...], ...] entry by entry along `axis`, as numpy.take_along_axis.

    Used with argsort / argmax results; x and indices are flattened when axis is None.
    The gradient adds g back at each index (twice where an index repeats).

    Args:
        x: a tensor of any shape.
        indices: an integer tensor of x's rank that broadcasts with x on the other axes.
        axis: the axis to pick along; None flattens both.

    Example:
        >>> x = np.array([[3.0, 1.0], [2.0, 5.0]])
        >>> print(ops.take_along_axis(x, np.array([[1], [0]]), axis=1))
        [[1.]
         [2.]]
    """
    x = convert_to_tensor(x)
    indices = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    data = x.data.reshape(-1) if axis is None else x.data
    ax = 0 if axis is None else _axes(axis, x.ndim)[0]
    indices = indices.reshape(-1) if axis is None else indices
    try:
        out = np.take_along_axis(data, indices, axis=ax)
    except (ValueError, IndexError) as error:
        raise ValueError(f"take_along_axis: indices of shape {indices.shape} for a tensor of shape {x.shape} "
                         f"along axis {axis}: {error}") from None

    def backward(g):
        full = np.zeros(data.shape, dtype=g.dtype)
        index = list(np.indices(g.shape, sparse=True))
        index[ax] = np.broadcast_to(indices, g.shape)
        np.add.at(full, tuple(index), g)      # an index picked twice gets both gradients
        return (full.reshape(x.shape),)
    return record("take_along_axis", out, (x,), backward)


def _box(start_indices, shape, op, x):
    start = [int(i) for i in np.asarray(start_indices.data if isinstance(start_indices, Tensor) else start_indices)]
    if len(start) != x.ndim or len(shape) != x.ndim:
        raise ValueError(f"{op}: a tensor of shape {x.shape} needs {x.ndim} start indices and a {x.ndim}-D "
                         f"shape. Received: start_indices={start}, shape={tuple(shape)}")
    return tuple(np.s_[s:s + n] for s, n in zip(start, shape))


def slice(inputs, start_indices, shape):
    """The block of `shape` starting at `start_indices` (one index per axis).

    Args:
        inputs: a tensor of any shape.
        start_indices: one start index per axis.
        shape: the size of the block along each axis.

    Example:
        >>> print(ops.slice(np.arange(6.0).reshape(2, 3), (0, 1), (2, 2)))
        [[1. 2.]
         [4. 5.]]
    """
    x = convert_to_tensor(inputs)
    return getitem(x, _box(start_indices, tuple(shape), "slice", x))


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates`.

    Formula:
        Backward: the gradient of the replaced block goes to `updates`, the rest to `inputs`.

    Args:
        inputs: a tensor of any shape.
        start_indices: one start index per axis.
        updates: the new block, of the same rank as inputs.

    Example:
        >>> print(ops.slice_update(np.zeros(4), (1,), np.ones(2)))
        [0. 1. 1. 0.]
    """
    x, u = _pair(inputs, updates)
    box = _box(start_indices, u.shape, "slice_update", x)
    out = x.data.copy()
    try:
        out[box] = u.data
    except ValueError:
        raise _shape_error("slice_update", x, u) from None

    def backward(g):
        rest = g.copy()
        rest[box] = 0
        return rest, g[box]
    return record("slice_update", out, (x, u), backward)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums the rows of `data` that share a segment id.

    Formula:
        out[s] = the sum of data[i] over the i with segment_ids[i] == s
        Backward: each data[i] gets the gradient of its segment, g[segment_ids[i]].

    Args:
        data: a tensor of shape (n, ...).
        segment_ids: n integer ids; ids outside [0, num_segments) are dropped, as Keras does.
        num_segments: the number of output rows (max id + 1 when None).
        sorted: accepted for Keras's signature; the result does not depend on it.

    Returns:
        A tensor of shape (num_segments, ...).

    Example:
        >>> print(ops.segment_sum([1.0, 2.0, 3.0], [0, 0, 1]))
        [3. 3.]
    """
    x = convert_to_tensor(data)
    ids = np.asarray(segment_ids.data if isinstance(segment_ids, Tensor) else segment_ids).astype(int)
    if ids.shape != x.shape[:1]:
        raise ValueError(f"segment_sum: segment_ids needs one id per row of data. Received: data.shape={x.shape},"
                         f" segment_ids.shape={ids.shape}")
    n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    out = np.zeros((n,) + x.shape[1:], dtype=x.dtype)
    kept = (ids >= 0) & (ids < n)              # ids outside [0, n) are dropped, as Keras does
    np.add.at(out, ids[kept], x.data[kept])

    def backward(g):
        return (np.where(kept.reshape((-1,) + (1,) * (x.ndim - 1)), g[np.clip(ids, 0, n - 1)], 0),)
    return record("segment_sum", out, (x,), backward)


def top_k(x, k, sorted=True):
    """The k largest entries along the last axis and their indices: (values, indices).

    The values are differentiable (the gradient goes back to where each came from).

    Args:
        x: a tensor of any shape.
        k: how many entries to keep, 1 <= k <= x.shape[-1].
        sorted: accepted for Keras's signature; the values always come largest first.

    Returns:
        (values, indices), each of x's shape with the last axis k long; indices are int32.

    Example:
        >>> values, indices = ops.top_k([1.0, 5.0, 3.0], 2)
        >>> print(values, indices)
        [5. 3.] [1 2]
    """
    x = convert_to_tensor(x)
    if not 0 < k <= x.shape[-1]:
        raise ValueError(f"top_k: k must be between 1 and the size of the last axis ({x.shape[-1]}). "
                         f"Received: k={k}")
    indices = np.argsort(-x.data, axis=-1, kind="stable")[..., :k]
    return take_along_axis(x, indices, axis=-1), Tensor(indices.astype("int32"))


def in_top_k(targets, predictions, k):
    """Whether each sample's target class is among its k highest predictions; no gradient.

    Ties with the k-th value count as in, as TensorFlow's in_top_k.

    Args:
        targets: (batch,) integer class ids.
        predictions: (batch, num_classes) scores.
        k: how many of the highest scores count.

    Example:
        >>> print(ops.in_top_k([0, 1], np.array([[0.1, 0.9], [0.2, 0.8]]), 1))
        [False  True]
    """
    predictions = convert_to_tensor(predictions).data
    targets = np.asarray(targets.data if isinstance(targets, Tensor) else targets).astype(int)
    target_scores = np.take_along_axis(predictions, targets[:, None], axis=-1)
    return Tensor((predictions > target_scores).sum(axis=-1) < k)


# ---------------------------------------------------------------------------
# einsum and tensordot
# ---------------------------------------------------------------------------

def _einsum_parts(subscripts, n):
    """(input subscripts, output subscript) in explicit form, or a ValueError for what is not supported."""
    subscripts = subscripts.replace(" ", "")
    if "." in subscripts:
        raise ValueError(f"einsum: ellipsis ('...') is not supported here; name every axis with a letter. "
                         f"Received: {subscripts!r}")
    inputs, _, output = subscripts.partition("->")
    inputs = inputs.split(",")
    if len(inputs) != n:
        raise ValueError(f"einsum: {subscripts!r} describes {len(inputs)} operands. Received: {n} operands")
    if "->" not in subscripts:  # implicit mode: the letters used once, in alphabetical order
        letters = "".join(inputs)
        output = "".join(c for c in sorted(set(letters)) if letters.count(c) == 1)
    for term in inputs:
        if len(set(term)) != len(term):
            raise ValueError(f"einsum: a letter repeated within one operand ({term!r}, a diagonal) is not "
                             f"supported; use ops.diagonal first. Received: {subscripts!r}")
    return inputs, output


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation: multiply the operands along the shared letters and sum the letters not in the output.

    "ij,jk->ik" is matmul, "bqd,bkd->bqk" the attention scores.

    Formula:
        Backward: the gradient of an operand is the einsum of g with the other
        operands, written with that operand's letters as the output (letters
        summed over in that operand alone are broadcast back).

    Args:
        subscripts: one letter per axis for each operand, e.g. "ij,jk->ik" (no "...",
            no repeated letter within one operand).
        *operands: the tensors, one per comma-separated term.

    Example:
        >>> ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape
        (2, 4)
    """
    xs = [convert_to_tensor(x) for x in operands]
    inputs, output = _einsum_parts(subscripts, len(xs))
    spec = f"{','.join(inputs)}->{output}"
    try:
        out = np.einsum(spec, *[x.data for x in xs])
    except ValueError as error:
        raise ValueError(f"einsum {spec!r} on operands of shapes {[x.shape for x in xs]}: {error}") from None

    def backward(g):
        grads = []
        for i, (x, term) in enumerate(zip(xs, inputs)):
            others = [j for j in range(len(xs)) if j != i]
            available = set(output).union(*[inputs[j] for j in others])
            kept = "".join(c for c in term if c in available)
            grad = np.einsum(",".join([output] + [inputs[j] for j in others]) + "->" + kept,
                             g, *[xs[j].data for j in others])
            missing = [k for k, c in enumerate(term) if c not in available]
            grads.append(np.broadcast_to(np.expand_dims(grad, missing), x.shape))
        return tuple(grads)
    return record("einsum", out, tuple(xs), backward)


def tensordot(x1, x2, axes=2):
    """Sums the products over the last `axes` axes of x1 and the first of x2 (or over given pairs of axes).

    It is written as an einsum.

    Args:
        x1, x2: tensors.
        axes: an int (that many trailing axes of x1 against leading axes of x2), or two lists
            of axes to pair up.

    Example:
        >>> ops.tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape
        (2, 4)
    """
    a, b = _pair(x1, x2)
    if isinstance(axes, int):
        axes = (list(range(a.ndim - axes, a.ndim)), list(range(axes)))
    axes_a, axes_b = ([ax] if isinstance(ax, int) else list(ax) for ax in axes)
    axes_a, axes_b = [ax % a.ndim for ax in axes_a], [ax % b.ndim for ax in axes_b]
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    term_a = [next(letters) for _ in range(a.ndim)]
    term_b = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(axes_a, axes_b):
        term_b[j] = term_a[i]                  # a contracted pair shares its letter
    output = [c for k, c in enumerate(term_a) if k not in axes_a] + [c for k, c in enumerate(term_b) if k not in axes_b]
    return einsum(f"{''.join(term_a)},{''.join(term_b)}->{''.join(output)}", a, b)
