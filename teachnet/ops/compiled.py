"""Loops compiled to machine code (with numba), for passes that numpy makes slowly.

numpy is fast when one call does a lot of work. Max pooling does not fit that
mould: for every window offset numpy makes a strided copy, a comparison and a
maximum, each a pass over the whole array, and its backward pass as many
again. Nor do a convolution's bias and relu (two short passes over each chunk
of output), relu's mask, col2im (one strided add per kernel tap), an
optimizer's update (six or seven passes over a weight, each through memory),
an LSTM time step's handful of small multiplies (each numpy call costs about
as much as its arithmetic there), or an embedding's gradient (numpy's
`np.add.at` goes a row at a time; ops/core.py's rows_summed_at sorts to avoid
it). A plain loop does each in one pass, but a Python loop is a thousand times
too slow; numba compiles these loops to machine code the first time they run
on a machine, then keeps them on disk in `__pycache__` (the first small LSTM
fit in a fresh checkout took 4.9 s, the next process's 0.5 s).

These functions are written for reading: each is the loop you would write by
hand, one output number at a time. They release Python's lock (`nogil=True`)
for their whole run, so two threads of teachnet's pool (ops/parallel.py)
running them on two chunks of images really use two cores; a numpy call
holds the lock to start and to return, which for short calls costs as much
as the call (benchmarks/thread_scaling.py).

They compute exactly what the numpy versions beside them (in ops/conv.py,
ops/core.py, ops/recurrent.py, optimizers.py) compute, number for number (the
tests compare them bit for bit): comparisons and copies have no rounding, the
arithmetic is done in the same order and dtype, and where numpy multiplies a
gradient by a 0/1 mask (which turns -2.0 into -0.0 and inf into nan), so do
these. Two exceptions, said where they are: the LSTM's whole loops over time
(float32, at the end of this file) use their own tanh, within a few units in
the last place of numpy's, and Winograd's transforms (a 3x3 convolution
computed another way, with 4x fewer multiplies; ops/conv.py keeps the
im2col route for everything else and for the tests to compare with), so the
tests compare those with tolerances.

`enabled()` says whether they are used: numba can be imported and
`set_enabled(False)` has not switched them off (the tests do, to check the
numpy versions too). numba is imported on first use, not with teachnet, and a
numba that fails to import (one too old for the installed numpy, say) only
means a warning and the numpy versions.
"""
import ctypes
import functools
import importlib.util
import math
import os
import threading
import warnings

import numpy as np

from teachnet.ops import parallel

__all__ = ["enabled", "enabled_for", "set_enabled", "max_pool_forward", "max_pool_backward", "col2im", "add_bias_relu",
           "relu_masked", "winograd_input", "winograd_output", "winograd_output_backward", "winograd_input_backward",
           "lstm_cell_forward", "lstm_cell_backward", "add_rows_at", "rmsprop_step", "adam_step",
           "sgemm", "tanh32", "lstm_forward_steps", "lstm_backward_steps"]

_enabled = None          # None: not decided yet (numba not imported yet); then True or False
_compiling = threading.Lock()


def _numba_imports(warn=True):
    """Whether numba is installed and imports; warns if it is installed but fails."""
    if importlib.util.find_spec("numba") is None:
        return False
    try:
        import numba  # noqa: F401
    except Exception as error:   # e.g. "Numba needs NumPy 2.3 or less"
        if warn:
            warnings.warn(f"teachnet could not import numba ({error}); pooling and convolutions use their numpy "
                          "versions instead: the same numbers, more slowly. Reinstall or upgrade numba to fix it.",
                          RuntimeWarning, stacklevel=3)
        return False
    return True


def enabled():
    """Whether the compiled loops run (numba imports and they are not switched off)."""
    global _enabled
    if _enabled is None:
        _enabled = _numba_imports()
    return _enabled


def enabled_for(*dtypes):
    """Whether the compiled loops run for arrays of these dtypes: enabled, and all float32 or all float64
    (the loops are compiled for those; other dtypes take the numpy versions)."""
    kinds = {np.dtype(d) for d in dtypes}
    return enabled() and len(kinds) == 1 and kinds <= {np.dtype(np.float32), np.dtype(np.float64)}


def set_enabled(flag):
    """Switches the compiled loops on or off (off: the numpy versions run everywhere).

    Args:
        flag: True or False. True needs numba.
    """
    global _enabled
    if not isinstance(flag, bool):
        raise TypeError(f"set_enabled expects True or False. Received: {flag!r}")
    if flag and not _numba_imports(warn=False):
        raise ValueError("The compiled loops need numba, which is not installed (or does not import). Install "
                         "it with `pip install numba`, or leave them off (the numpy versions give the same "
                         "numbers).")
    _enabled = flag


_HELPERS = {}            # name -> numba options of the functions the loops call (marked @_helper)


def _helper(**options):
    """Marks a function that compiled loops call: compiled with them (and inlined into them by the compiler,
    which keeps its own options). Options: numba.njit's, e.g. fastmath={"contract"} lets a * b + c be one
    fused multiply-add (rounded once, not twice: not numpy's bits)."""
    def mark(function):
        _HELPERS[function.__name__] = options
        return function
    return mark


def _compiled(function):
    """`function`, compiled by numba on its first call (machine code, Python's lock released while it runs).

    numba's "numpy" error model: a float divided by 0 gives inf or nan, as in numpy (not an exception)."""
    machine_code = None

    @functools.wraps(function)
    def run(*args):
        nonlocal machine_code
        if machine_code is None:
            with _compiling:                      # two threads' first calls compile once
                if machine_code is None:
                    import numba
                    module = globals()
                    for name, options in _HELPERS.items():   # the helpers' names now find their machine code
                        if not isinstance(module[name], numba.core.registry.CPUDispatcher):
                            module[name] = numba.njit(error_model="numpy", **options)(module[name])
                    machine_code = numba.njit(nogil=True, cache=True, error_model="numpy")(function)
        return machine_code(*args)
    return run


@_compiled
def max_pool_forward(xp, pool_h, pool_w, stride_h, stride_w, out, winner):
    """Max pooling of a few images, and which offset of each window won.

    Formula: out[b, i, j, c] = max over (di, dj) of xp[b, i * stride_h + di, j * stride_w + dj, c];
    winner[b, i, j, c] = di * pool_w + dj of the first maximum in row-major order (a tie keeps the
    earlier offset). A nan anywhere in a window makes its output nan, as np.maximum does.

    Args:
        xp: (images, height, width, channels), already padded.
        pool_h, pool_w, stride_h, stride_w: the window and its steps.
        out: (images, out_h, out_w, channels), written.
        winner: uint8, the shape of `out`, written.
    """
    images, out_h, out_w, channels = out.shape
    for b in range(images):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * stride_h, j * stride_w
                for c in range(channels):                     # offset 0 holds the maximum so far
                    out[b, i, j, c] = xp[b, top, left, c]
                    winner[b, i, j, c] = 0
                for k in range(1, pool_h * pool_w):           # then each later offset, in order
                    row, col = top + k // pool_w, left + k % pool_w
                    for c in range(channels):
                        value, best = xp[b, row, col, c], out[b, i, j, c]
                        if value > best:                      # strictly: a tie leaves the earlier one
                            out[b, i, j, c] = value
                            winner[b, i, j, c] = k
                        elif value != value:                  # nan: np.maximum passes it on
                            out[b, i, j, c] = value


@_compiled
def max_pool_backward(g, winner, pooled, only_positive, pool_h, pool_w, stride_h, stride_w, dxp):
    """The gradient of `max_pool_forward` for windows that do not overlap (strides >= pool).

    Formula: dxp[b, i * stride_h + di, j * stride_w + dj, c] = g[b, i, j, c] * (1 if that offset won
    (and, with `only_positive`, pooled[b, i, j, c] > 0) else 0); 0 where no window reads.

    Args:
        g: (images, out_h, out_w, channels), the gradient of the pooled output.
        winner: from max_pool_forward.
        pooled: the pooled output (read only with `only_positive`: the input is a relu's output,
            and a winner of 0 gets no gradient, relu's own mask).
        only_positive: see `pooled`.
        dxp: (images, height, width, channels), padded as the forward pass's input; written.
    """
    images, out_h, out_w, channels = g.shape
    dxp[...] = 0                                              # where no window reads
    for b in range(images):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * stride_h, j * stride_w
                for k in range(pool_h * pool_w):
                    row, col = top + k // pool_w, left + k % pool_w
                    for c in range(channels):
                        won = winner[b, i, j, c] == k and (not only_positive or pooled[b, i, j, c] > 0)
                        # times 1 or 0, as numpy's mask: g * 0 is -0.0 for a negative g, nan for inf
                        dxp[b, row, col, c] = g[b, i, j, c] * (1.0 if won else 0.0)


@_compiled
def col2im(shares, kernel_w, stride_h, stride_w, dilation_h, dilation_w, dxp):
    """A convolution's input gradient from each kernel tap's share, for a few images ("col2im").

    Formula: dxp = 0, then for each tap t = di * kernel_w + dj, in order (for each image):
        dxp[b, i * stride_h + di * dilation_h, j * stride_w + dj * dilation_w, c] += shares[t, b, i, j, c]
    (the same additions, in the same order, as numpy's one strided `+=` per tap).

    Args:
        shares: (taps, images, out_h, out_w, channels): tap t's share is g @ kernel[di, dj]^T.
        kernel_w: the kernel's width (taps are numbered row by row).
        stride_h, stride_w, dilation_h, dilation_w: the convolution's.
        dxp: (images, height, width, channels), the padded input's gradient; written.
    """
    taps, images, out_h, out_w, channels = shares.shape
    dxp[...] = 0
    for b in range(images):                                   # an image at a time, while it is in cache
        for t in range(taps):
            di, dj = t // kernel_w, t % kernel_w
            for i in range(out_h):
                row = i * stride_h + di * dilation_h
                for j in range(out_w):
                    col = j * stride_w + dj * dilation_w
                    for c in range(channels):
                        dxp[b, row, col, c] += shares[t, b, i, j, c]


@_compiled
def add_bias_relu(out, bias, relu):
    """`out + bias` (if a bias is given), then relu (if asked), in place, in one pass.

    Formula: out[r, f] = max(out[r, f] + bias[f], 0), as np.add then np.maximum(., 0) give it:
    -0.0 becomes +0.0 and nan stays nan.

    Args:
        out: (rows, filters), written in place.
        bias: (filters,) or None.
        relu: whether to apply max(., 0).
    """
    rows, filters = out.shape
    for r in range(rows):
        for f in range(filters):
            value = out[r, f]
            if bias is not None:
                value += bias[f]
            if relu and not (value > 0 or value != value):
                value = 0.0
            out[r, f] = value


@_compiled
def relu_masked(g, out, masked):
    """relu's backward for a few images: `masked = g * (out > 0)`, g times 1 or 0 as numpy gives it.

    Args:
        g: (rows, filters), the gradient of relu's output.
        out: (rows, filters), relu's output.
        masked: (rows, filters), written.
    """
    rows, filters = g.shape
    for r in range(rows):
        for f in range(filters):
            masked[r, f] = g[r, f] * (1.0 if out[r, f] > 0 else 0.0)


# Winograd's F(4x4, 3x3) (Lavin and Gray, 2015): a 3x3 convolution (stride 1) computed on 4x4 tiles of output
# pixels. Each tile reads a 6x6 patch d of the input (per channel); with the kernel g (per input and output
# channel) transformed once,
#     U = G g G^T,  V = B^T d B  (6x6 each),  tile's output = A^T (sum over input channels of U * V) A,
# where * multiplies the 36 numbers pairwise: 36 products per tile and channel pair instead of 144, and each
# of the 36 sums over channels is a matrix product (done by BLAS, in ops/conv.py, which also holds G). Below,
# B^T, A^T and their transposes applied to 6 (or 4) numbers, then the loops that apply each to a tile's
# rows, then its columns. Tiles are numbered p = (image * tiles_h + tile_row) * tiles_w + tile_col;
# transformed arrays are (tiles, 36, channels), index 6 * row + column (each tile's 36 x channels numbers
# together, for the loops; BLAS reads them with a stride). Pixels beyond the input or the output (where its
# size is not a multiple of 4) count as 0.
#     B^T = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
#            [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
#     A^T = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]

# In the four helpers, `num` holds the constants (2, 4, 5, 8) in the arrays' dtype: numba makes an integer
# literal times a float32 a float64 (B^T's six sums that way ran 3.5x slower in a scratch test).

@_helper()
def _bt(d0, d1, d2, d3, d4, d5, num):
    """B^T (d0, ..., d5)."""
    two, four, five = num[0], num[1], num[2]
    return (four * d0 - five * d2 + d4, (d3 + d4) - four * (d1 + d2), (d4 - d3) + four * (d1 - d2),
            (d4 - d2) + two * (d3 - d1), (d4 - d2) - two * (d3 - d1), four * d1 - five * d3 + d5)


@_helper()
def _b(v0, v1, v2, v3, v4, v5, num):
    """B (v0, ..., v5): B^T's transpose."""
    two, four, five = num[0], num[1], num[2]
    return (four * v0, four * (v2 - v1) + two * (v4 - v3) + four * v5, -five * v0 - four * (v1 + v2) - (v3 + v4),
            (v1 - v2) + two * (v3 - v4) - five * v5, v0 + v1 + v2 + v3 + v4, v5)


@_helper()
def _at(m0, m1, m2, m3, m4, m5, num):
    """A^T (m0, ..., m5)."""
    two, four, eight = num[0], num[1], num[3]
    return (m0 + m1 + m2 + m3 + m4, (m1 - m2) + two * (m3 - m4), (m1 + m2) + four * (m3 + m4),
            (m1 - m2) + eight * (m3 - m4) + m5)


@_helper()
def _a(y0, y1, y2, y3, num):
    """A (y0, ..., y3): A^T's transpose."""
    two, four, eight = num[0], num[1], num[3]
    return (y0, y0 + y1 + y2 + y3, y0 - y1 + y2 - y3, y0 + two * y1 + four * y2 + eight * y3,
            y0 - two * y1 + four * y2 - eight * y3, y3)


@_helper()
def _constants(zero):
    """(2, 4, 5, 8) in zero's dtype, for the helpers above."""
    return zero + 2, zero + 4, zero + 5, zero + 8


@_compiled
def winograd_input(xp, tiles_h, tiles_w, zero, v):
    """V = B^T d B for every 6x6 input patch d of a few images (Winograd's input transform).

    Args:
        xp: (images, height, width, channels), the padded input; patch (i, j) starts at row 4i, column 4j.
        tiles_h, tiles_w: tiles down and across.
        zero: 0 in xp's dtype.
        v: (images * tiles_h * tiles_w, 36, channels), written.
    """
    images, height, width, channels = xp.shape
    num = _constants(zero)
    d = np.empty((6, 6, channels), dtype=v.dtype)             # the patch, zeros beyond the input
    t = np.empty((6, 6, channels), dtype=v.dtype)             # B^T d
    w = np.empty((6, 6, channels), dtype=v.dtype)             # (B^T d) B, then copied into v
    for b in range(images):
        for i in range(tiles_h):
            for j in range(tiles_w):
                p = (b * tiles_h + i) * tiles_w + j
                for r in range(6):
                    for s in range(6):
                        row, col = 4 * i + r, 4 * j + s
                        inside = row < height and col < width
                        for c in range(channels):
                            d[r, s, c] = xp[b, row, col, c] if inside else zero
                _bt_columns(d, t, num)
                for r in range(6):                            # (B^T d) B, a row at a time
                    for c in range(channels):
                        w[r, 0, c], w[r, 1, c], w[r, 2, c], w[r, 3, c], w[r, 4, c], w[r, 5, c] = _bt(
                            t[r, 0, c], t[r, 1, c], t[r, 2, c], t[r, 3, c], t[r, 4, c], t[r, 5, c], num)
                _copy_flat(w, v[p])


@_helper()
def _copy_flat(source, target):
    """target[...] = source for two C-ordered arrays of one size, as one flat loop. (The loops above compute
    into a scratch array of their own and copy: writing the 6-way results straight into an argument array
    ran 2x slower, as the compiler could not rule out that it overlaps what they read.)"""
    flat_source, flat_target = source.reshape(-1), target.reshape(-1)
    for q in range(flat_source.size):
        flat_target[q] = flat_source[q]


@_helper()
def _bt_columns(d, t, num):
    """t = B^T d for a 6x6 patch d (6, 6, channels), a column at a time."""
    for s in range(6):
        for c in range(d.shape[2]):
            t[0, s, c], t[1, s, c], t[2, s, c], t[3, s, c], t[4, s, c], t[5, s, c] = _bt(
                d[0, s, c], d[1, s, c], d[2, s, c], d[3, s, c], d[4, s, c], d[5, s, c], num)


@_compiled
def winograd_output(mm, bias, relu, zero, out):
    """A^T M A for every tile (Winograd's output transform), then + bias and relu as `add_bias_relu`.

    Args:
        mm: (images * tiles_h * tiles_w, 36, filters), the products' sums.
        bias: (filters,) or None.
        relu: whether to apply max(., 0).
        zero: 0 in out's dtype.
        out: (images, out_h, out_w, filters), written (a tile's pixels beyond it are not).
    """
    images, out_h, out_w, filters = out.shape
    tiles_h, tiles_w = (out_h + 3) // 4, (out_w + 3) // 4
    num = _constants(zero)
    z = np.empty((4, 6, filters), dtype=out.dtype)            # A^T M
    y = np.empty((4, 4, filters), dtype=out.dtype)            # (A^T M) A: the tile's pixels
    for b in range(images):
        for i in range(tiles_h):
            for j in range(tiles_w):
                p = (b * tiles_h + i) * tiles_w + j
                for l in range(6):                            # A^T M, a column at a time
                    for f in range(filters):
                        z[0, l, f], z[1, l, f], z[2, l, f], z[3, l, f] = _at(
                            mm[p, l, f], mm[p, 6 + l, f], mm[p, 12 + l, f], mm[p, 18 + l, f], mm[p, 24 + l, f],
                            mm[p, 30 + l, f], num)
                for r in range(4):                            # (A^T M) A, a row at a time
                    for f in range(filters):
                        y[r, 0, f], y[r, 1, f], y[r, 2, f], y[r, 3, f] = _at(
                            z[r, 0, f], z[r, 1, f], z[r, 2, f], z[r, 3, f], z[r, 4, f], z[r, 5, f], num)
                for r in range(min(4, out_h - 4 * i)):
                    for s in range(min(4, out_w - 4 * j)):
                        for f in range(filters):
                            value = y[r, s, f]
                            if bias is not None:
                                value += bias[f]
                            if relu and not (value > 0 or value != value):   # as add_bias_relu
                                value = zero
                            out[b, 4 * i + r, 4 * j + s, f] = value


@_compiled
def winograd_output_backward(g, out, mask, zero, dm):
    """The gradient of `winograd_output` for a few images: dM = A dY A^T per tile.

    dY is g, times relu's mask where `mask` (g * 0 where out <= 0, as numpy's g * (out > 0)); pixels beyond
    the output count as 0.

    Args:
        g: (images, out_h, out_w, filters), the output's gradient.
        out: the output (read for the mask).
        mask: whether to multiply g by (out > 0).
        zero: 0 in g's dtype.
        dm: (images * tiles_h * tiles_w, 36, filters), written.
    """
    images, out_h, out_w, filters = g.shape
    tiles_h, tiles_w = (out_h + 3) // 4, (out_w + 3) // 4
    num = _constants(zero)
    y = np.empty((4, 4, filters), dtype=dm.dtype)             # the tile's dY
    e = np.empty((6, 4, filters), dtype=dm.dtype)             # A dY
    w = np.empty((6, 6, filters), dtype=dm.dtype)             # (A dY) A^T, then copied into dm
    for b in range(images):
        for i in range(tiles_h):
            for j in range(tiles_w):
                p = (b * tiles_h + i) * tiles_w + j
                for r in range(4):
                    for s in range(4):
                        row, col = 4 * i + r, 4 * j + s
                        if row >= out_h or col >= out_w:
                            for f in range(filters):
                                y[r, s, f] = zero
                        elif mask:
                            for f in range(filters):
                                y[r, s, f] = g[b, row, col, f] * (zero + 1 if out[b, row, col, f] > 0 else zero)
                        else:
                            for f in range(filters):
                                y[r, s, f] = g[b, row, col, f]
                _a_columns(y, e, num)
                for k in range(6):                            # (A dY) A^T, a row at a time
                    for f in range(filters):
                        w[k, 0, f], w[k, 1, f], w[k, 2, f], w[k, 3, f], w[k, 4, f], w[k, 5, f] = _a(
                            e[k, 0, f], e[k, 1, f], e[k, 2, f], e[k, 3, f], num)
                _copy_flat(w, dm[p])


@_helper()
def _a_columns(y, e, num):
    """e = A y for a 4x4 tile's dY (4, 4, filters), a column at a time."""
    for s in range(4):
        for f in range(y.shape[2]):
            e[0, s, f], e[1, s, f], e[2, s, f], e[3, s, f], e[4, s, f], e[5, s, f] = _a(
                y[0, s, f], y[1, s, f], y[2, s, f], y[3, s, f], num)


@_compiled
def winograd_input_backward(dv, tiles_h, tiles_w, zero, dxp):
    """The gradient of `winograd_input`: dd = B dV B^T per tile, added into the input's gradient.

    The patches overlap (by 2 pixels): each adds its dd to dxp, tile after tile in order; pixels beyond the
    input are dropped.

    Args:
        dv: (images * tiles_h * tiles_w, 36, channels).
        tiles_h, tiles_w: as in winograd_input.
        zero: 0 in dxp's dtype.
        dxp: (images, height, width, channels), the padded input's gradient; written.
    """
    images, height, width, channels = dxp.shape
    num = _constants(zero)
    q = np.empty((6, 6, channels), dtype=dxp.dtype)           # B dV
    dd = np.empty((6, 6, channels), dtype=dxp.dtype)          # (B dV) B^T
    dxp[...] = 0
    for b in range(images):
        for i in range(tiles_h):
            for j in range(tiles_w):
                p = (b * tiles_h + i) * tiles_w + j
                for l in range(6):                            # B dV, a column at a time
                    for c in range(channels):
                        q[0, l, c], q[1, l, c], q[2, l, c], q[3, l, c], q[4, l, c], q[5, l, c] = _b(
                            dv[p, l, c], dv[p, 6 + l, c], dv[p, 12 + l, c], dv[p, 18 + l, c], dv[p, 24 + l, c],
                            dv[p, 30 + l, c], num)
                for r in range(6):                            # (B dV) B^T, a row at a time
                    for c in range(channels):
                        dd[r, 0, c], dd[r, 1, c], dd[r, 2, c], dd[r, 3, c], dd[r, 4, c], dd[r, 5, c] = _b(
                            q[r, 0, c], q[r, 1, c], q[r, 2, c], q[r, 3, c], q[r, 4, c], q[r, 5, c], num)
                for r in range(min(6, height - 4 * i)):       # added into the input's gradient
                    for s in range(min(6, width - 4 * j)):
                        for c in range(channels):
                            dxp[b, 4 * i + r, 4 * j + s, c] += dd[r, s, c]


@_compiled
def lstm_cell_forward(gates, half, c_prev, fc, ig, c):
    """One LSTM step after its `tanh` of all gates: the sigmoid gates from it, then the new cell state.

    Formula: for the o, i, f rows (the first 3 * units of `gates`, whose pre-activations were halved),
    sigmoid = tanh * half + half; then fc = f * c_prev, ig = i * g, c = fc + ig. In place, in numpy's order.

    Args:
        gates: (4 units, batch): tanh(z) in the o, i, f, g blocks; the o, i, f blocks become sigmoids.
        half: 0.5 in the arrays' dtype.
        c_prev: (units, batch).
        fc, ig, c: (units, batch), written.
    """
    _cell_forward(gates, half, c_prev, fc, ig, c)


@_helper()
def _cell_forward(gates, half, c_prev, fc, ig, c):
    """lstm_cell_forward's work (lstm_forward_steps runs it too)."""
    units, batch = c.shape
    for r in range(3 * units):
        for b in range(batch):
            gates[r, b] = gates[r, b] * half + half
    for r in range(units):
        for b in range(batch):
            fc[r, b] = gates[2 * units + r, b] * c_prev[r, b]
            ig[r, b] = gates[units + r, b] * gates[3 * units + r, b]
            c[r, b] = fc[r, b] + ig[r, b]


@_compiled
def lstm_cell_backward(dh, dh_dc, dc, dz, f, dc_new, dc_prev):
    """One LSTM step of the backward loop, before its product with the recurrent kernel.

    Formula: dc_new = dh * dh_dc + dc; the o block of dz times dh, the i, f, g blocks times dc_new (dz holds
    the local derivatives and becomes dL/dz); dc_prev = dc_new * f. In numpy's order.

    Args:
        dh, dh_dc, dc, f: (units, batch).
        dz: (4 units, batch), updated in place.
        dc_new, dc_prev: (units, batch), written.
    """
    units, batch = dh.shape
    for r in range(units):
        for b in range(batch):
            total = dh[r, b] * dh_dc[r, b] + dc[r, b]
            dc_new[r, b] = total
            dz[r, b] = dz[r, b] * dh[r, b]
            for k in range(1, 4):
                dz[k * units + r, b] = dz[k * units + r, b] * total
            dc_prev[r, b] = total * f[r, b]


@_compiled
def add_rows_at(ids, rows, out):
    """`np.add.at(out, ids, rows)` for rows: out[ids[k]] += rows[k], for k in order (an embedding's gradient).

    Args:
        ids: (N,) integers in [0, len(out)), checked by the caller (a compiled loop does not check).
        rows: (N, width).
        out: (n, width), added to in place.
    """
    for k in range(ids.shape[0]):
        row = ids[k]
        for j in range(rows.shape[1]):
            out[row, j] += rows[k, j]


@_compiled
def rmsprop_step(g, w, s, a, b, lr, rho, one_minus_rho, epsilon, momentum):
    """RMSprop's update of one weight, in place, in optimizers.RMSprop's order (see its docstring).

    Formula, for each number: s = s * rho + g * g * (1 - rho); if centered (`a` given):
    a = a * rho + (1 - rho) * g, d = lr * g / sqrt(s - a * a + epsilon), else d = lr * g / sqrt(s + epsilon);
    with momentum (`b` given): b = b * momentum + d, w -= b; else w -= d.

    Args:
        g, w, s: flat (n,) arrays of one dtype: the gradient, the weight and its mean square (updated).
        a, b: flat (n,) mean gradient and momentum (updated), or None when not used.
        lr, rho, one_minus_rho, epsilon, momentum: scalars of the arrays' dtype.
    """
    for k in range(g.shape[0]):
        gk = g[k]
        sk = s[k] * rho + gk * gk * one_minus_rho
        s[k] = sk
        if a is not None:
            ak = a[k] * rho + one_minus_rho * gk
            a[k] = ak
            denominator = np.sqrt(sk - ak * ak + epsilon)
        else:
            denominator = np.sqrt(sk + epsilon)
        delta = gk * lr / denominator
        if b is not None:
            bk = b[k] * momentum + delta
            b[k] = bk
            w[k] -= bk
        else:
            w[k] -= delta


@_compiled
def adam_step(g, w, m, v, v_hat, one_minus_beta_1, one_minus_beta_2, alpha, epsilon):
    """Adam's update of one weight, in place, in optimizers.Adam's order (see its docstring).

    Formula, for each number: m += (g - m) * (1 - beta_1); v += (g * g - v) * (1 - beta_2); with amsgrad
    (`v_hat` given) v_hat = max(v_hat, v) (nan if either is, as np.maximum) is used for v;
    w -= m * alpha / (sqrt(v) + epsilon).

    Args:
        g, w, m, v: flat (n,) arrays of one dtype: the gradient, the weight, its two moments (updated).
        v_hat: flat (n,) running maximum of v (updated), or None without amsgrad.
        one_minus_beta_1, one_minus_beta_2, alpha, epsilon: scalars of the arrays' dtype (alpha: the step
            size with the bias corrections folded in).
    """
    for k in range(g.shape[0]):
        gk = g[k]
        mk = m[k] + (gk - m[k]) * one_minus_beta_1
        m[k] = mk
        vk = v[k] + (gk * gk - v[k]) * one_minus_beta_2
        v[k] = vk
        if v_hat is not None:
            largest = v_hat[k]
            if vk > largest or vk != vk:
                largest = vk
            v_hat[k] = largest
            vk = largest
        w[k] -= mk * alpha / (np.sqrt(vk) + epsilon)


# ---------------------------------------------------------------------------
# An LSTM's loop over time, whole
# ---------------------------------------------------------------------------
# Each time step of an LSTM is a small product (h_{t-1} by the recurrent kernel) and a few passes over
# 4 x 32 x 64 numbers; made from Python, as ops/recurrent.py's loop makes them, the calls cost about as
# much as their work. The loops below run every step in one compiled call. They need two things numba
# does not give: the product, which they ask of the BLAS numpy itself uses (`sgemm()`), and a tanh that
# compiles to vector instructions (numba's calls the C library's, one number at a time: 26x slower than
# numpy's). So these loops are for float32 and do not give numpy's bits: `_tanh32` is within 2.2 units
# in the last place of the true tanh (numpy's within 1.4), and the tests compare with tolerances.

_ROW_MAJOR, _NO_TRANS = 101, 111        # cblas's names for C order and for "not transposed"
_sgemm = False                          # False: not looked up yet; then the function or None


def sgemm():
    """cblas_sgemm of the BLAS numpy multiplies with, as a ctypes function compiled loops can call; None
    if the compiled loops are off or that BLAS is not one this knows (OpenBLAS or MKL)."""
    global _sgemm
    if not enabled():
        return None
    if _sgemm is False:
        _sgemm = _find_sgemm()
    return _sgemm


def _find_sgemm():
    """The BLAS's cblas_sgemm, its integers 64 or 32 bits wide as the library was built, checked on a small
    product; None if not found (numpy's wheels: `scipy_cblas_sgemm64_`, 64-bit integers)."""
    for lib in parallel.blas_pools():
        if lib.internal_api not in ("openblas", "mkl"):
            continue
        library = ctypes.CDLL(lib.filepath)
        if lib.internal_api == "openblas":
            wide = "USE64BITINT" in _openblas_config(library)
        else:
            wide = "ILP64" in os.environ.get("MKL_INTERFACE_LAYER", "").upper()
        for name, integer in (("scipy_cblas_sgemm64_", ctypes.c_int64), ("cblas_sgemm64_", ctypes.c_int64),
                              ("cblas_sgemm", ctypes.c_int64 if wide else ctypes.c_int)):
            function = getattr(library, name, None)
            if function is None:
                continue
            function.restype = None
            function.argtypes = ([ctypes.c_int] * 3 + [integer] * 3 + [ctypes.c_float, ctypes.c_void_p, integer]
                                 + [ctypes.c_void_p, integer, ctypes.c_float, ctypes.c_void_p, integer])
            if _gives_numpys_product(function):
                return function
    return None


def _openblas_config(library):
    """The build options OpenBLAS reports ("... USE64BITINT ..." when its integers are 64 bits wide), or ""."""
    for name in ("scipy_openblas_get_config64_", "openblas_get_config64_", "openblas_get_config"):
        function = getattr(library, name, None)
        if function is not None:
            function.restype = ctypes.c_char_p
            return (function() or b"").decode(errors="replace")
    return ""


def _gives_numpys_product(function):
    """Whether `function` (a cblas_sgemm) computes c + a @ b as numpy does, on a small product."""
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(shape).astype(np.float32) for shape in ((5, 3), (3, 4), (5, 4)))
    expected = c + a @ b
    function(_ROW_MAJOR, _NO_TRANS, _NO_TRANS, 5, 4, 3, 1.0, a.ctypes.data, 3, b.ctypes.data, 4, 1.0,
             c.ctypes.data, 4)
    return np.allclose(c, expected, rtol=1e-6, atol=1e-6)


@_helper(fastmath={"contract"})     # its polynomial in fused multiply-adds: 1.4x faster
def _tanh32(x):
    """tanh of a float32, from exp's range reduction: with y = 2|x| = n ln 2 + r (|r| <= ln 2 / 2),
    e^y - 1 = 2^n (1 + expm1(r)) - 1, expm1(r) by its Taylor series to r^7, and tanh|x| = (e^y - 1) / (e^y + 1).
    Within 2.2 units in the last place (numpy's float32 tanh: 1.4); |x| above 9 counts as 9 (tanh 9 is
    1 - 3.0e-8, within a unit of 1); nan for nan; the sign of x, -0.0 included."""
    a = abs(x)
    y = min(a, np.float32(9.0)) * np.float32(2.0)
    n = np.int32(y * np.float32(1.4426950408889634) + np.float32(0.5))    # round(y / ln 2), y >= 0
    nf = np.float32(n)
    r = (y - nf * np.float32(0.693145751953125)) - nf * np.float32(1.4286068203094172e-06)  # ln 2, in two parts
    p = np.float32(1 / 5040)                                                # expm1(r) = r + r^2 / 2 + ... + r^7 / 7!
    for coefficient in (1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2):
        p = p * r + np.float32(coefficient)
    p = p * r * r + r
    scale = np.float32(np.int32(1) << n)                                    # 2^n, n <= 26: exact
    e = p * scale + (scale - np.float32(1.0))                               # e^y - 1
    t = e / (e + np.float32(2.0))
    if x != x:
        t = x
    return np.float32(math.copysign(t, x))


@_compiled
def tanh32(x, out):
    """`out = tanh(x)` with `_tanh32`, for float32 arrays of one shape (for the tests)."""
    flat, result = x.reshape(-1), out.reshape(-1)
    for k in range(flat.shape[0]):
        result[k] = _tanh32(flat[k])


@_compiled
def lstm_forward_steps(gemm, recurrent, recurrent_mask, gates, saved, tanh_c, half, start, stop):
    """ops/recurrent.py's LSTM forward loop (sigmoid gates, tanh cell, float32), every step in one call.

    Formula, for each step t: z_t = gates[t] + recurrent @ (h_{t-1} [* recurrent_mask]) (one BLAS product,
    added in place); then tanh of all of z_t, the sigmoid gates from it, c_t = f c_{t-1} + i g,
    tanh_c[t] = tanh(c_t), h_t = o tanh_c[t]: ops/recurrent.py's numpy loop, with `_tanh32` for numpy's tanh.

    Args:
        gemm: from `sgemm()`.
        recurrent: (4 units, units), float32, the recurrent kernel (transposed, o, i, f rows halved).
        recurrent_mask: (units, batch) or None.
        gates: (steps, 4 units, batch): x_t W + b (halved in the o, i, f rows); becomes the gates.
        saved: (steps + 1, 4, units, batch): saved[0, 0] and saved[0, 3] hold h_0 and c_0; step t writes
            h_t, i g, f c_{t-1}, c_t into saved[t + 1].
        tanh_c: (steps, units, batch), written.
        half: 0.5 as a float32.
        start, stop: the steps t = start, ..., stop - 1 are done, in that order.
    """
    rows, batch = gates.shape[1:]
    units = rows // 4
    if recurrent_mask is not None:
        scratch = np.empty((units, batch), np.float32)                    # h_{t-1} * recurrent_mask
    for t in range(start, stop):
        h_prev = saved[t, 0]
        if recurrent_mask is not None:
            for r in range(units):
                for b in range(batch):
                    scratch[r, b] = h_prev[r, b] * recurrent_mask[r, b]
            h_prev = scratch
        z = gates[t]
        gemm(_ROW_MAJOR, _NO_TRANS, _NO_TRANS, rows, batch, units, 1.0, recurrent.ctypes.data, units,
             h_prev.ctypes.data, batch, 1.0, z.ctypes.data, batch)
        for r in range(rows):
            for b in range(batch):
                z[r, b] = _tanh32(z[r, b])
        new = saved[t + 1]
        _cell_forward(z, half, saved[t, 3], new[2], new[1], new[3])
        for r in range(units):
            for b in range(batch):
                tanh_c[t, r, b] = _tanh32(new[3, r, b])
                new[0, r, b] = z[r, b] * tanh_c[t, r, b]


@_compiled
def lstm_backward_steps(gemm, recurrent_t, recurrent_mask, gh, gc, gates, saved, tanh_c, dz, dh, dc, dh_prev, dc_prev,
                        start, stop):
    """ops/recurrent.py's LSTM backward loop (sigmoid gates, tanh cell, no masking, float32), every step in one
    call, with each step's local derivatives made from what the forward pass saved, as
    `_lstm_local_derivatives_sigmoid_tanh` makes them (the same numbers as that pass and the numpy loop):

        dh_dc = o - h~ tanh(c~);  dc~ = dh dh_dc + dc
        dz_o = (1 - o) h~ dh;  dz_i = (1 - i) (i g) dc~;  dz_f = (1 - f) (f c_{t-1}) dc~;  dz_g = (i - (i g) g) dc~
        dc_{t-1} = dc~ f;  dh_{t-1} = recurrent_t @ dz_t (one BLAS product) [* recurrent_mask]

    Args:
        gemm: from `sgemm()`.
        recurrent_t: (units, 4 units), float32.
        recurrent_mask: (units, batch) or None.
        gh, gc: (steps, units, batch), the outputs' gradients at every step, or None (only the last step's
            state is an output: its gradients are dh and dc).
        gates, saved, tanh_c: as lstm_forward_steps left them.
        dz: (steps, 4 units, batch), written: dL/dz_t.
        dh, dc: (units, batch): the gradients from after step stop - 1; updated in place to those from
            before step `start` (dL/dh_{start}, dL/dc_{start}).
        dh_prev, dc_prev: (units, batch), scratch.
        start, stop: the steps t = stop - 1, ..., start are done, in that order.
    """
    rows, batch = dz.shape[1:]
    units, one = rows // 4, np.float32(1.0)
    h_out, c_out = dh, dc
    for t in range(stop - 1, start - 1, -1):
        if gh is not None:
            for r in range(units):
                for b in range(batch):
                    dh[r, b] += gh[t, r, b]
                    dc[r, b] += gc[t, r, b]
        gate, kept, d = gates[t], saved[t + 1], dz[t]
        for r in range(units):
            for b in range(batch):
                o, i, f, g = gate[r, b], gate[units + r, b], gate[2 * units + r, b], gate[3 * units + r, b]
                h, ig, fc = kept[0, r, b], kept[1, r, b], kept[2, r, b]
                total = dh[r, b] * (o - h * tanh_c[t, r, b]) + dc[r, b]
                d[r, b] = (one - o) * h * dh[r, b]
                d[units + r, b] = (one - i) * ig * total
                d[2 * units + r, b] = (one - f) * fc * total
                d[3 * units + r, b] = (i - ig * g) * total
                dc_prev[r, b] = total * f
        gemm(_ROW_MAJOR, _NO_TRANS, _NO_TRANS, units, batch, rows, 1.0, recurrent_t.ctypes.data, rows,
             d.ctypes.data, batch, 0.0, dh_prev.ctypes.data, batch)
        if recurrent_mask is not None:
            for r in range(units):
                for b in range(batch):
                    dh_prev[r, b] *= recurrent_mask[r, b]
        dh, dh_prev = dh_prev, dh
        dc, dc_prev = dc_prev, dc
    if (stop - start) % 2 == 1:                 # an odd number of swaps: the results are in the scratch arrays
        h_out[:] = dh
        c_out[:] = dc
