"""More `keras.ops` names that Keras code and tutorials use, built like `core`.

Rounding, tests and sizes are not differentiable (their gradient is zero or
undefined), so they return plain Tensors. The differentiable ones define
their backward right below the forward, as in `core`.
"""
import builtins  # this module defines `slice`, and core's `sum`, `max` and `min` are imported: builtins.max

import numpy as np

from teachnet.autodiff import Tensor, record
from teachnet.ops.core import (_axes, _pair, _shape_error, concatenate, convert_to_tensor, divide, dot,
                               expand_dims, eye, flip, getitem, log, max, mean, min, multiply, reshape, sqrt,
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
    return [getitem(x, (np.s_[:],) * axis + (i,)) for i in range(n)]


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
    return [getitem(x, (np.s_[:],) * axis + (np.s_[int(p[0]):int(p[-1]) + 1] if len(p) else np.s_[0:0],))
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



# ---------------------------------------------------------------------------
# Constructors and integer-valued ops (no gradient)
# ---------------------------------------------------------------------------

def array(x, dtype=None):
    """A Tensor of x (`keras.ops.array`)."""
    return convert_to_tensor(x, dtype=dtype)


def identity(n, dtype=None):
    """The n x n identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones on and below the k-th diagonal of an N x M matrix."""
    return Tensor(np.tri(N, M, k, dtype=dtype or "float32"))


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors, as numpy.meshgrid (a list)."""
    return [Tensor(a) for a in np.meshgrid(*[convert_to_tensor(v).data for v in x], indexing=indexing)]


def count_nonzero(x, axis=None):
    return Tensor(np.count_nonzero(convert_to_tensor(x).data, axis=axis))


def searchsorted(sorted_sequence, values, side="left"):
    """Where each value would be inserted into the sorted 1-D sequence to keep it sorted."""
    return Tensor(np.searchsorted(convert_to_tensor(sorted_sequence).data, convert_to_tensor(values).data,
                                  side=side))


def digitize(x, bins):
    """The index of the bin each value falls in."""
    return Tensor(np.digitize(convert_to_tensor(x).data, convert_to_tensor(bins).data).astype("int32"))


def bincount(x, weights=None, minlength=0, sparse=False):
    """How often each non-negative integer occurs in x (summing `weights` instead of 1 if given);
    a 2-D x counts each row separately, as Keras does."""
    if sparse:
        raise ValueError("bincount: sparse=True is not supported (teachnet has no sparse tensors).")
    x = convert_to_tensor(x).data
    w = None if weights is None else convert_to_tensor(weights).data
    if x.ndim == 1:
        return Tensor(np.bincount(x, w, minlength))
    length = builtins.max(int(x.max()) + 1 if x.size else 0, minlength)
    return Tensor(np.stack([np.bincount(row, None if w is None else w[i], length) for i, row in enumerate(x)]))


def empty(shape, dtype=None):
    """A new tensor of `shape` (zeros here: numpy's uninitialized memory would make runs differ)."""
    return zeros(shape, dtype=dtype)


def empty_like(x, dtype=None):
    """A new tensor shaped like x (zeros, as `empty`)."""
    return zeros_like(x, dtype=dtype)


def dtype(x):
    """The dtype's name, e.g. "float32"."""
    return str(np.asarray(x.data if isinstance(x, Tensor) else x).dtype)


def isin(x1, x2, assume_unique=False, invert=False):
    return Tensor(np.isin(convert_to_tensor(x1).data, convert_to_tensor(x2).data, assume_unique, invert))


def nonzero(x):
    """The indices of the non-zero entries, one Tensor per axis."""
    return tuple(Tensor(i) for i in np.nonzero(convert_to_tensor(x).data))


# ---------------------------------------------------------------------------
# Shapes, written with the differentiable ops of `core`
# ---------------------------------------------------------------------------

def copy(x):
    """The same values, differentiable (a new Tensor on the tape)."""
    return multiply(x, 1)


def ravel(x):
    """x flattened to one axis."""
    return reshape(x, (-1,))


def append(x1, x2, axis=None):
    """x2 appended to x1 along `axis` (both flattened when None)."""
    if axis is None:
        return concatenate([ravel(x1), ravel(x2)], axis=0)
    return concatenate([x1, x2], axis=axis)


def hstack(xs):
    """Stacks along the second axis (the first, for 1-D tensors), as numpy.hstack."""
    xs = [convert_to_tensor(x) for x in xs]
    return concatenate(xs, axis=0 if xs[0].ndim == 1 else 1)


def vstack(xs):
    """Stacks along the first axis, 1-D tensors becoming rows, as numpy.vstack."""
    xs = [convert_to_tensor(x) for x in xs]
    return concatenate([reshape(x, (1, -1)) if x.ndim == 1 else x for x in xs], axis=0)


def get_item(x, key):
    """x[key] (Keras's function form of indexing)."""
    return getitem(x, key)


def diff(a, n=1, axis=-1):
    """The n-th differences along `axis`: a[1:] - a[:-1], n times."""
    a = convert_to_tensor(a)
    ax = _axes(axis, a.ndim)[0]
    for _ in range(n):
        before = (np.s_[:],) * ax
        a = subtract(getitem(a, before + (np.s_[1:],)), getitem(a, before + (np.s_[:-1],)))
    return a


def median(x, axis=None, keepdims=False):
    """The middle value along `axis` (the mean of the two middle ones for an even count),
    through `sort`, so the gradient goes to the middle entries."""
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
    """max - min along `axis` ("peak to peak")."""
    return subtract(max(x, axis=axis, keepdims=keepdims), min(x, axis=axis, keepdims=keepdims))


def fliplr(x):
    """Reverses the second axis (left-right)."""
    return flip(x, axis=1)


def flipud(x):
    """Reverses the first axis (up-down)."""
    return flip(x, axis=0)


def inner(x1, x2):
    """Sums the products over the last axes of x1 and x2 (the dot product for vectors)."""
    a, b = _pair(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def vdot(x1, x2):
    """The dot product of x1 and x2 flattened."""
    return dot(reshape(x1, (-1,)), reshape(x2, (-1,)))


def outer(x1, x2):
    """The outer product: out[i, j] = x1[i] * x2[j] (both flattened first)."""
    return multiply(reshape(x1, (-1, 1)), reshape(x2, (1, -1)))


def average(x, axis=None, weights=None):
    """The weighted mean sum(x * w) / sum(w) along `axis`; 1-D weights lie along `axis`."""
    if weights is None:
        return mean(x, axis=axis)
    x, w = _pair(x, weights)
    if w.ndim == 1 and x.ndim > 1:
        if axis is None:
            raise ValueError(f"average: 1-D weights need an `axis` of x (shape {x.shape}) to lie along.")
        w = reshape(w, tuple(-1 if i == _axes(axis, x.ndim)[0] else 1 for i in range(x.ndim)))
    return divide(sum(multiply(x, w), axis=axis), sum(multiply(w, np.ones(x.shape, x.dtype)), axis=axis))


def select(condlist, choicelist, default=0):
    """choicelist[i] where condlist[i] is the first condition that holds, `default` where none does."""
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
    """Entries shifted by `shift` along `axis` (of the flattened tensor when None), wrapping around."""
    x = convert_to_tensor(x)

    def backward(g):
        return (np.roll(g, np.negative(shift), axis=axis),)
    return record("roll", np.roll(x.data, shift, axis=axis), (x,), backward)


def rot90(array, k=1, axes=(0, 1)):
    """Rotates by 90 degrees k times in the plane of `axes` (from the first towards the second)."""
    x = convert_to_tensor(array)
    try:
        out = np.rot90(x.data, k, axes)
    except ValueError as error:
        raise ValueError(f"rot90 of a tensor of shape {x.shape}: {error}") from None

    def backward(g):
        return (np.rot90(g, -k, axes),)
    return record("rot90", out, (x,), backward)


def diag(x, k=0):
    """The k-th diagonal of a matrix, or the matrix with a vector on its k-th diagonal."""
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
    """The lower triangle (on and below the k-th diagonal) of the last two axes; zeros above."""
    return _triangle("tril", lambda ones: np.tril(ones, k), x)


def triu(x, k=0):
    """The upper triangle (on and above the k-th diagonal) of the last two axes; zeros below."""
    return _triangle("triu", lambda ones: np.triu(ones, k), x)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the matrices spanned by axis1 and axis2, as a new last axis."""
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
    """The sum of the diagonal."""
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)


def take_along_axis(x, indices, axis=None):
    """x[..., indices[...], ...] entry by entry along `axis`, as numpy.take_along_axis
    (x and indices flattened when axis is None). Used with argsort / argmax results."""
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
    """The block of `shape` starting at `start_indices` (one index per axis)."""
    x = convert_to_tensor(inputs)
    return getitem(x, _box(start_indices, tuple(shape), "slice", x))


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block at `start_indices` replaced by `updates`.

    Backward: the gradient of the replaced block goes to `updates`, the rest to `inputs`."""
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
    """out[s] = the sum of data[i] over the i with segment_ids[i] == s.

    Backward: each data[i] gets the gradient of its segment, g[segment_ids[i]]."""
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

    The values are differentiable (the gradient goes back to where each came from)."""
    x = convert_to_tensor(x)
    if not 0 < k <= x.shape[-1]:
        raise ValueError(f"top_k: k must be between 1 and the size of the last axis ({x.shape[-1]}). "
                         f"Received: k={k}")
    indices = np.argsort(-x.data, axis=-1, kind="stable")[..., :k]
    return take_along_axis(x, indices, axis=-1), Tensor(indices.astype("int32"))


def in_top_k(targets, predictions, k):
    """Whether each sample's target class is among its k highest predictions
    (ties with the k-th value count as in, as TensorFlow's in_top_k)."""
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
    """Einstein summation: multiply the operands along the shared letters and sum
    the letters that are not in the output, e.g. "ij,jk->ik" is matmul,
    "bqd,bkd->bqk" the attention scores.

    Backward: the gradient of an operand is the einsum of g with the other
    operands, written with that operand's letters as the output (letters
    summed over in that operand alone are broadcast back).
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
    """Sums the products over the last `axes` axes of x1 and the first of x2
    (or over the pairs of axes given as two lists), written as an einsum."""
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
