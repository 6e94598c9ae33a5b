"""Differentiable convolution and pooling ops, channels_last, with keras.ops names.

A convolution is one matrix product in disguise ("im2col"):

1. pad the input as Keras and TensorFlow do for `padding="same"`
   (any odd pixel of padding goes at the end: bottom and right);
2. look at every kernel-sized window of the input through a sliding-window
   *view* (no copy yet);
3. copy the windows into a matrix `cols`, one row per output pixel holding
   its receptive field: (batch * out_h * out_w, kh * kw * in_channels);
4. multiply by the kernel laid flat, (kh * kw * in_channels, filters).

The backward pass reverses the steps: the kernel's gradient is `cols^T @ g`,
and the input's gradient is `g @ kernel^T` put back where each window was read
from ("col2im"): one strided add per kernel offset, so a pixel that sat in
several windows collects the gradient of each.

Two things make it fast without changing a number:
- `cols` is built a few images at a time, about 1 MiB, so the product reads
  it from the CPU's cache; the backward pass rebuilds it the same way rather
  than keeping the whole matrix (copying from cache beats reading from memory),
  unless its rows are no longer than the output's (a first layer's few
  channels), where keeping it costs little;
- the Conv layers add the bias and apply relu inside the same op
  (`conv_bias_relu`), on each chunk of output while it is in cache, instead of
  making two more full-size arrays.

Pooling slides a window the same way; the code loops over the window offsets
(2 x 2 = 4 strided slices for the usual pool), which is both the plainest and
the fastest way in numpy.

Where numba is installed (a dependency), a few passes run as compiled loops
instead (ops/compiled.py): max pooling, col2im, bias + relu and relu's mask.
They give the same numbers, bit for bit, and the numpy code stays here beside
them (`compiled.set_enabled(False)` runs it everywhere).

A 3x3 kernel at stride 1 over 8 or more channels (most of a convnet's
layers) takes a shortcut where numba is installed: Winograd's F(4x4, 3x3)
(`_conv_winograd`). Each 4x4 block of output pixels reads a 6x6 patch of the
input; transformed by two small matrices, the patch and the kernel give the
block's 16 pixels from 36 multiplies per channel pair instead of 144 (the
transforms only add and scale). So the matrix products, most of the time,
do a quarter of the work: the benchmark convnet's second convolution went
from 1.84 to 0.97 ms forward and 3.79 to 1.92 ms backward (2 threads). The
sums are rounded differently: in float32 within 1e-5 of the exact result
(im2col: within ~1e-6), as the tests check. `conv_plain` and the im2col
route stay the definition.

Relu then max pooling (Conv2D(activation="relu") then MaxPooling2D): relu's
backward zeroes the gradient wherever its output is 0, a pass over the
largest array of the network. When max_pool's input is such a relu output,
its backward routes each gradient only to a window's winner that is above 0,
which makes that zero already (it is cheaper on the pooled, 4x smaller
array), and tells the convolution so: `_MASKED_GRADIENTS`. The convolution's
backward then skips its mask; the numbers are the same (masking twice is
masking once).

1D inputs (batch, steps, channels) are treated as images of height 1, so the
1D and 2D ops share one code path.
"""
import weakref

import numpy as np

from teachnet.autodiff import needs_gradient, record
from teachnet.ops.core import convert_to_tensor, expand_dims, flip, matmul, pad, reshape, stack, swapaxes
from teachnet.ops import compiled, parallel

__all__ = ["conv", "conv_transpose", "max_pool", "average_pool"]


# ---------------------------------------------------------------------------
# Arguments and shapes
# ---------------------------------------------------------------------------

def standardize_tuple(value, n, name):
    """`3` -> `(3, 3)` for n=2; checks that every entry is a positive integer."""
    values = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != n or not all(isinstance(v, (int, np.integer)) and v > 0 for v in values):
        raise ValueError(f"The `{name}` argument must be a positive integer or a tuple of {n} positive "
                         f"integers. Received: {name}={value}")
    return tuple(int(v) for v in values)


def standardize_padding(padding, allow_causal=False):
    valid = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    p = padding.lower() if isinstance(padding, str) else padding
    if p not in valid:
        raise ValueError(f"The `padding` argument must be one of {valid}. Received: padding={padding!r}")
    return p


def check_data_format(data_format):
    if data_format not in (None, "channels_last"):
        raise ValueError("teachnet supports only data_format='channels_last' (batch, ..., channels). "
                         f"Received: data_format={data_format!r}. Transpose the input instead.")


def padding_amounts(size, window, stride, dilation, padding):
    """(before, after) padding of one spatial axis.

    "valid" pads nothing. "same" pads so that out = ceil(size / stride), as
    TensorFlow does: total = max((out - 1) * stride + effective window - size, 0),
    half before, the extra pixel after.
    """
    if padding == "valid":
        return 0, 0
    effective = (window - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def output_length(size, window, stride, dilation, padding):
    """The output length of one spatial axis; None stays None (unknown size)."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    return (size - (window - 1) * dilation - 1) // stride + 1


def _floats(x):
    """Integer images (e.g. uint8 pixels) become float32, as Keras layers cast them."""
    x = convert_to_tensor(x)
    return x if x.dtype.kind == "f" else convert_to_tensor(x, "float32")


def _as_2d(x, n):
    """(B, L, C) -> (B, 1, L, C): a sequence is an image of height 1."""
    return x if n == 2 else x[:, None]


def _from_2d(x, n):
    """(B, 1, L, C) -> (B, L, C): undoes `_as_2d` for 1D inputs."""
    return x if n == 2 else x[:, 0]


def _offset_slice(start, stride, count):
    """The `count` positions start, start + stride, ... as a slice."""
    return slice(start, start + stride * (count - 1) + 1, stride)


def _image_chunks(batch, bytes_per_image, budget=1 << 20):
    """Slices of the batch whose im2col rows take about `budget` bytes (1 MiB),
    so they stay in the CPU's cache between the copy and the matrix product."""
    step = max(1, budget // max(bytes_per_image, 1))
    count = -(-batch // step)                        # as many chunks as needed, of near-equal size,
    count += count % 2 if count > 1 else 0           # and an even number, so that two threads get equal shares
    return parallel.split(batch, count)              # (the same chunks on any number of threads)


def _sum_in_order(parts, shape):
    """parts[0] + parts[1] + ... added one after the other (zeros for no parts)."""
    total = np.zeros(shape, dtype=parts.dtype)
    for part in parts:
        total += part
    return total


# conv_bias_relu's relu outputs, by id (the arrays its ops return): a max_pool over one of these may hand
# the convolution its gradient already masked. Weak: an entry goes when its array does.
_RELU_OUTPUTS = weakref.WeakValueDictionary()
# id(relu output) -> the gradient max_pool's backward made for it, already zero wherever the output is 0.
# The convolution's backward skips relu's mask only when it receives exactly that array.
_MASKED_GRADIENTS = weakref.WeakValueDictionary()


def _check_rank(x, name, what):
    if x.ndim not in (3, 4):
        raise ValueError(f"{name} expects a batch of sequences (batch, steps, channels) or of images "
                         f"(batch, height, width, channels), a rank 3 or 4 {what}. "
                         f"Received input with shape {x.shape}.")


# ---------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------

def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (N = 1 or 2), channels_last, as `keras.ops.conv`.

    Formula (2D): out[b, i, j, f] = sum over di, dj, c of
        x_padded[b, i * sh + di * dh, j * sw + dj * dw, c] * kernel[di, dj, c, f]

    Args:
        inputs: (batch, steps, channels) or (batch, height, width, channels).
        kernel: (kw, in_channels, filters) or (kh, kw, in_channels, filters).
        strides: int or tuple, step of the window.
        padding: "valid" (no padding) or "same" (output size = ceil(input / stride)).
        dilation_rate: int or tuple, spacing between kernel taps.

    Returns:
        (batch, out_steps, filters) or (batch, out_h, out_w, filters).

    Example:
        >>> x = np.ones((1, 5, 5, 1), "float32"); k = np.ones((3, 3, 1, 2), "float32")
        >>> teachnet.ops.conv(x, k).shape
        (1, 3, 3, 2)
    """
    return conv_bias_relu(inputs, kernel, None, relu=False, strides=strides, padding=padding,
                          data_format=data_format, dilation_rate=dilation_rate)


def conv_plain(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """`conv` by definition, from ops the tape already differentiates: im2col, then one matrix product.

    For each kernel tap (di, dj), slice out the input pixels that tap reads
    for every output position (a strided slice of the padded input); stack the
    taps, so that each output position has a row holding its whole receptive
    field, (batch * out_h * out_w, kh * kw * in_channels); multiply by the
    kernel laid flat, (kh * kw * in_channels, filters). The tape differentiates
    the slices, the stack and the product, so nothing here has a hand-written
    backward pass. `conv` computes the same numbers with a hand-written
    backward pass, a few images at a time (see the module docstring): the
    tests check that the two agree, values and gradients. This one is the
    reference to read; the layers use `conv`.

    Args and shapes: as `conv`.

    Example:
        >>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1); k = np.ones((2, 2, 1, 1), "float32")
        >>> bool(np.allclose(conv_plain(x, k, strides=2).numpy(), teachnet.ops.conv(x, k, strides=2).numpy()))
        True
    """
    x = _floats(inputs)
    k = convert_to_tensor(kernel, dtype=x.dtype)
    check_data_format(data_format)
    _check_rank(x, "conv", "input")
    n = x.ndim - 2
    padding = standardize_padding(padding)
    strides = standardize_tuple(strides, n, "strides")
    dilation = standardize_tuple(dilation_rate, n, "dilation_rate")
    sizes, window, channels = x.shape[1:-1], k.shape[:n], x.shape[-1]
    amounts = [padding_amounts(size, w, s, d, padding) for size, w, s, d in zip(sizes, window, strides, dilation)]
    xp = pad(x, [(0, 0)] + amounts + [(0, 0)])                      # (B, *padded, C)
    outs = [(size + before + after - (w - 1) * d - 1) // s + 1
            for size, (before, after), w, s, d in zip(sizes, amounts, window, strides, dilation)]
    taps = []
    for offset in np.ndindex(*window):                             # (di,) or (di, dj), the kernel's own order
        reads = tuple(slice(o * d, o * d + (out - 1) * s + 1, s) for o, d, s, out in zip(offset, dilation,
                                                                                           strides, outs))
        taps.append(xp[(slice(None),) + reads + (slice(None),)])   # (B, *outs, C): what tap `offset` reads
    cols = reshape(stack(taps, axis=-2), (-1, len(taps) * channels))  # (B * prod(outs), taps * C)
    out = matmul(cols, reshape(k, (-1, k.shape[-1])))             # (B * prod(outs), filters)
    return reshape(out, (x.shape[0], *outs, k.shape[-1]))


def conv_bias_relu(inputs, kernel, bias=None, relu=False, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """`conv`, then `+ bias` (if given), then `relu` (if asked), as one op.

    The same numbers as `ops.relu(ops.add(ops.conv(inputs, kernel, ...), bias))`,
    which is what a Conv layer computes. Done as one op ("fused", as the big
    frameworks do), the output is made once instead of three times, and the
    backward pass handles each few images while they are still in the CPU's
    cache. Conv1D and Conv2D call this; `conv` is this without bias and relu.

    Args:
        bias: (filters,) or None.
        relu: whether to apply max(., 0) to the result.
        The others: as `conv`.
    """
    x = _floats(inputs)
    k = convert_to_tensor(kernel, dtype=x.dtype)  # the kernel follows the input's float dtype
    check_data_format(data_format)
    _check_rank(x, "conv", "input")
    n = x.ndim - 2
    if k.ndim != n + 2 or k.shape[-2] != x.shape[-1]:
        raise ValueError(f"conv: the kernel must have shape ({'kh, kw' if n == 2 else 'kw'}, in_channels="
                         f"{x.shape[-1]}, filters) for input of shape {x.shape}. Received kernel of shape {k.shape}.")
    b = None if bias is None else convert_to_tensor(bias, dtype=x.dtype)
    if b is not None and b.shape != k.shape[-1:]:
        raise ValueError(f"conv: the bias must have shape ({k.shape[-1]},), one value per filter. "
                         f"Received bias of shape {b.shape}.")
    padding = standardize_padding(padding)
    strides = (1,) * (2 - n) + standardize_tuple(strides, n, "strides")
    dilation = (1,) * (2 - n) + standardize_tuple(dilation_rate, n, "dilation_rate")

    x4 = _as_2d(x.data, n)                                   # (B, H, W, C)
    k4 = k.data if n == 2 else k.data[None]                  # (kh, kw, C, F)
    B, H, W, C = x4.shape
    kh, kw, _, F = k4.shape
    (pt, pb), (pl, pr) = [padding_amounts(size, w, s, d, padding)
                          for size, w, s, d in zip((H, W), (kh, kw), strides, dilation)]
    Ho = (H + pt + pb - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    Wo = (W + pl + pr - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    if Ho <= 0 or Wo <= 0:
        raise ValueError(f"conv: the kernel (size {k.shape[:-2]}, dilation_rate {dilation[2 - n:]}) is larger "
                         f"than the padded input (spatial size {x.shape[1:-1]}) with padding='{padding}'. "
                         "Use a smaller kernel, a larger input, or padding='same'.")
    xp = np.pad(x4, ((0, 0), (pt, pb), (pl, pr), (0, 0))) if pt + pb + pl + pr else x4
    if _winograd_pays(x4.dtype, k4.shape, strides, dilation, Ho, Wo):
        return _conv_winograd(x, k, b, relu, xp, (Ho, Wo), (pt, pl, H, W), n)

    # im2col: the window under output pixel (i, j) of image b becomes row
    # (b, i, j) of a matrix `cols`, (B*Ho*Wo, kh*kw*C). The windows are a view
    # of xp that costs no copy; `im2col` copies those of a few images at a time
    # into a buffer small enough to stay in the CPU's cache for the product.
    windows = np.lib.stride_tricks.sliding_window_view(
        xp, ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1), axis=(1, 2))
    windows = windows[:, ::strides[0], ::strides[1], :, ::dilation[0], ::dilation[1]]  # (B, Ho, Wo, C, kh, kw)
    windows = windows.transpose(0, 1, 2, 4, 5, 3)                                     # (B, Ho, Wo, kh, kw, C)
    k2 = k4.reshape(kh * kw * C, F)                                                   # (kh*kw*C, F)
    chunks = _image_chunks(B, Ho * Wo * (kh * kw * C + 2 * F) * x4.itemsize)  # cols, output, gradient
    chunk_rows = max([0] + [c.stop - c.start for c in chunks]) * Ho * Wo              # rows of the largest chunk
    # The backward pass needs `cols` again. Where its rows are no longer than the
    # output's (few input channels, as in a first layer), keep a copy; else
    # rebuild it then, which is faster than reading a large matrix back.
    keep_cols = kh * kw * C <= F
    # The chunks are independent: the thread pool (teachnet.ops.parallel) has
    # each thread take the next chunk when it is free, with its own im2col
    # buffer; every number is computed as on one thread.
    nbytes = B * Ho * Wo * (kh * kw * C + F) * x4.itemsize   # cols + output: whether threads pay

    # For each kernel tap (di, dj): the strided slice of xp it reads, for every output pixel.
    taps = [(di, dj, (slice(None), _offset_slice(di * dilation[0], strides[0], Ho),
                      _offset_slice(dj * dilation[1], strides[1], Wo)))
            for di in range(kh) for dj in range(kw)]

    def new_buffer():
        """A thread's scratch space for one chunk's cols."""
        return np.empty((chunk_rows, kh * kw * C), dtype=x4.dtype)

    def im2col(images, buffer=None):
        """The rows of `cols` for a slice of the batch: (images * Ho * Wo, kh * kw * C),
        written into `buffer` (a new array if None)."""
        rows = (images.stop - images.start) * Ho * Wo
        cols = np.empty((rows, kh * kw * C), dtype=x4.dtype) if buffer is None else buffer[:rows]
        cols6 = cols.reshape(-1, Ho, Wo, kh, kw, C)
        if C >= 8:
            cols6[...] = windows[images]                     # every window at once
        else:
            # Few channels (a first layer): copying whole windows would move C
            # numbers at a time; one strided slice per tap moves whole rows of
            # pixels instead, 3x faster for C = 1.
            for di, dj, (_, rows_read, cols_read) in taps:
                cols6[:, :, :, di, dj] = xp[images, rows_read, cols_read]
        return cols

    out = np.empty((B, Ho, Wo, F), dtype=np.result_type(x4, k4))
    # The bias and relu's zeros, repeated over a block of output pixels (an image's,
    # or a row's for large images): numpy adds two long contiguous arrays ~3x faster
    # than it broadcasts F numbers (or one 0) along every row, for the same sums.
    block = Ho * Wo if Ho * Wo * F <= 1 << 16 else Wo
    bias_block = None if b is None else np.tile(b.data.astype(out.dtype, copy=False), block)  # (block * F,)
    zeros_block = np.zeros(block * F, dtype=out.dtype) if relu else None
    compiled_loops = compiled.enabled_for(x4.dtype, out.dtype)
    bias_f = None if b is None else b.data.astype(out.dtype, copy=False)   # (F,)

    cols_t = None
    if keep_cols:
        # Few input channels: `cols` is built once for the whole batch, transposed, (kh*kw*C, B*Ho*Wo),
        # one tap at a time. A tap's rows are then whole rows of pixels in both arrays (numpy copies those
        # 2x faster than into every 9th number of `cols`), and these copies, which hold Python's lock
        # (GIL) and so would keep a second thread waiting, are done before the threads start. Each chunk
        # multiplies its columns of cols_t, read transposed by BLAS without a copy.
        cols_t = np.empty((kh * kw * C, B * Ho * Wo), dtype=x4.dtype)
        cols_t6 = cols_t.reshape(kh, kw, C, B, Ho, Wo)
        for di, dj, reads in taps:
            cols_t6[di, dj] = np.moveaxis(xp[reads], -1, 0)      # (C, B, Ho, Wo)

    def chunk_cols(images, buffer=None):
        """The rows of `cols` for a slice of the batch: a view of cols_t (transposed) if kept, else a copy."""
        if cols_t is None:
            return im2col(images, buffer)
        return cols_t[:, images.start * Ho * Wo:images.stop * Ho * Wo].T

    def forward_chunk(chunk, buffer):
        """Conv (+ bias, + relu) of the images chunks[chunk]."""
        images = chunks[chunk]
        out_images = out[images].reshape(-1, F)                # a view: results land in `out`
        cols = chunk_cols(images, buffer)
        np.matmul(cols, k2, out=out_images)                    # the convolution
        if compiled_loops and (b is not None or relu):         # + bias, relu: one compiled pass
            compiled.add_bias_relu(out_images, bias_f, relu)
            return
        out_blocks = out_images.reshape(-1, block * F)         # (images * pixels / block, block * F)
        if b is not None:
            np.add(out_blocks, bias_block, out=out_blocks)     # + bias
        if relu:
            np.maximum(out_blocks, zeros_block, out=out_blocks)  # relu
    parallel.run_chunks(forward_chunk, len(chunks), nbytes, None if keep_cols else new_buffer, uses_blas=True)

    # Skip the gradients nobody asked for, e.g. the input batch's (half the work).
    need_x, need_k = needs_gradient(x), needs_gradient(k)

    def backward(g):
        """Per few images: relu's mask, then the bias's, kernel's and input's gradients."""
        # Each chunk's kernel and bias gradients go to their own row, summed in
        # chunk order at the end: the same sum, in the same order, on any number of threads.
        dk_parts = np.empty((len(chunks),) + k2.shape, dtype=g.dtype) if need_k else None
        db_parts = np.empty((len(chunks), F), dtype=g.dtype) if b is not None else None
        dxp = np.empty(xp.shape, dtype=g.dtype) if need_x else None   # each chunk zeroes its images' part
        ones = np.ones(chunk_rows, dtype=g.dtype)  # ones @ rows sums them, ~10x faster than .sum(axis=0)
        k_taps = np.ascontiguousarray(k4.transpose(0, 1, 3, 2)) if need_x else None  # (kh, kw, F, C)

        mask = relu and _MASKED_GRADIENTS.get(id(result)) is not g   # (see _MASKED_GRADIENTS)
        loops = compiled.enabled_for(g.dtype, out.dtype)

        def backward_chunk(chunk, buffer):
            """The gradients from the images chunks[chunk]; `buffer` holds its cols, then its dcols, tap by tap."""
            images = chunks[chunk]
            g2 = g[images].reshape(-1, F)                  # (images*Ho*Wo, F)
            if mask and loops:                             # relu passes gradient where it let x through
                masked = np.empty_like(g2)
                compiled.relu_masked(g2, out[images].reshape(-1, F), masked)
                g2 = masked
            elif mask:
                g2 = g2 * (out[images].reshape(-1, F) > 0)
            if b is not None:
                np.matmul(ones[:len(g2)], g2, out=db_parts[chunk])  # the bias was added to every pixel
            if need_k:
                cols = chunk_cols(images, buffer)
                np.matmul(cols.T, g2, out=dk_parts[chunk])  # the kernel's gradient: cols^T @ g
            if need_x:
                # col2im, one kernel offset (di, dj) at a time: that tap read a strided
                # slice of xp, so its share of dcols = g @ kernel^T, g2 @ kernel[di, dj]^T,
                # (images*Ho*Wo, C), is added back to that same slice. One product per tap
                # (rather than one for all taps) makes each share a contiguous block,
                # which numpy adds ~3x faster than a strided column of the whole dcols.
                if loops:                                  # the same adds, one compiled pass (ops/compiled.py)
                    shares = buffer.reshape(-1)[:kh * kw * len(g2) * C].reshape(kh * kw, len(g2), C)
                    np.matmul(g2, k_taps.reshape(kh * kw, F, C), out=shares)   # (taps, rows, C), tap by tap
                    compiled.col2im(shares.reshape(kh * kw, -1, Ho, Wo, C), kw, *strides, *dilation, dxp[images])
                    return
                dx_images = dxp[images]
                dx_images[...] = 0                         # zeroed here, in the cache, right before the adds
                share = buffer.reshape(-1)[:len(g2) * C].reshape(len(g2), C)
                for di, dj, reads in taps:
                    np.matmul(g2, k_taps[di, dj], out=share)
                    dx_images[reads] += share.reshape(-1, Ho, Wo, C)
        parallel.run_chunks(backward_chunk, len(chunks), nbytes,
                            lambda: np.empty((chunk_rows, kh * kw * C), dtype=g.dtype), uses_blas=True)
        dx = None if dxp is None else _from_2d(dxp[:, pt:pt + H, pl:pl + W], n)  # drop the padding
        dk = None if dk_parts is None else _sum_in_order(dk_parts, k2.shape).reshape(k.shape)
        db = None if db_parts is None else _sum_in_order(db_parts, (F,))
        return (dx, dk) if b is None else (dx, dk, db)
    result = _from_2d(out, n)
    return _record_conv(result, x, k, b, relu, backward)


def _record_conv(result, x, k, b, relu, backward):
    """Records conv_bias_relu's op on the tape (named for what it fused) and, with relu, notes its output
    for a max_pool after it (see _MASKED_GRADIENTS)."""
    if relu:
        _RELU_OUTPUTS[id(result)] = result
    name = "conv" + ("+bias" if b is not None else "") + ("+relu" if relu else "")
    return record(name, result, (x, k) if b is None else (x, k, b), backward)


# Winograd's method pays where its tiles cut the products at least this much (counting the tiles' pixels
# that fall beyond the output as work).
WINOGRAD_MIN_SAVING = 1.5
_winograd = True   # the tests switch it off to compare the im2col loops with numpy bit for bit

# Winograd's F(4x4, 3x3) kernel transform (Lavin and Gray, 2015); ops/compiled.py explains the method.
_WINOGRAD_G = np.array([[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6],
                        [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]])


def _winograd_pays(dtype, kernel_shape, strides, dilation, out_h, out_w):
    """Whether `_conv_winograd` computes this convolution: a 3x3 kernel at stride and dilation 1, 8 or more
    input channels (fewer make the products too thin to be worth the transforms), 4x4 tiles that save at
    least WINOGRAD_MIN_SAVING of the products, and the compiled loops on."""
    kh, kw, channels, _ = kernel_shape
    if not (_winograd and (kh, kw) == (3, 3) and strides == (1, 1) and dilation == (1, 1) and channels >= 8):
        return False
    tiles = -(-out_h // 4) * -(-out_w // 4)
    return out_h * out_w * 9 >= WINOGRAD_MIN_SAVING * tiles * 36 and compiled.enabled_for(dtype)


def _sandwich(M, w):
    """M w M^T for every (input channel, filter) slice of w, (r, r, C, F) -> (m, m, C, F), for M (m, r)."""
    r, _, C, F = w.shape
    rows = (M @ w.reshape(r, r * C * F)).reshape(len(M), r, C * F)     # M w: each row of taps mixed
    return np.matmul(M, rows).reshape(len(M), len(M), C, F)              # (M w) M^T: then each column


def _conv_winograd(x, k, b, relu, xp, out_hw, unpad, n):
    """conv_bias_relu for a 3x3 kernel at stride 1 by Winograd's F(4x4, 3x3): the same sums with 36 products
    for every 4x4 output pixels (and channel pair) instead of 144, so the matrix products, most of a
    convolution's time, do a quarter of the work (a little more where the output's size is not a multiple
    of 4). The transforms are compiled loops (ops/compiled.py); the products are 36 matrix products per few
    images, in BLAS.

    Not the same bits as im2col (other sums, rounded differently): within a few times float32's rounding of
    them, as the tests check; every number is still the same on any number of threads.

    Args:
        x, k, b, relu: conv_bias_relu's input, kernel and bias (Tensors) and relu flag.
        xp: the padded input, (B, Ho + 2, Wo + 2, C).
        out_hw: (Ho, Wo).
        unpad: (top, left, H, W): where the unpadded input sits in xp.
        n: 1 or 2 spatial dimensions.
    """
    B, _, _, C = xp.shape
    F = k.shape[-1]
    Ho, Wo = out_hw
    G = _WINOGRAD_G.astype(xp.dtype)
    a2 = 36                                                           # products per tile and channel pair
    tiles_h, tiles_w = -(-Ho // 4), -(-Wo // 4)
    tiles = tiles_h * tiles_w                                         # per image
    u = _sandwich(G, k.data.astype(xp.dtype, copy=False)).reshape(a2, C, F)        # U = G g G^T
    zero = xp.dtype.type(0)
    bias = None if b is None else b.data.astype(xp.dtype, copy=False)
    out = np.empty((B, Ho, Wo, F), dtype=xp.dtype)
    chunks = _image_chunks(B, tiles * a2 * (C + F) * xp.itemsize)    # a chunk's V and M stay in cache
    most = max(c.stop - c.start for c in chunks) * tiles              # tiles of the largest chunk

    def new_buffer():
        """A thread's scratch space: one chunk's V (tiles, a2, C) and M (tiles, a2, F)."""
        return np.empty(a2 * most * (C + F), dtype=xp.dtype)

    def transformed(buffer, rows, width, offset=0):
        """A (rows, a2, width) array in `buffer` from element `offset` on (each tile's numbers together)."""
        return buffer[offset:offset + a2 * rows * width].reshape(rows, a2, width)

    def forward_chunk(chunk, buffer):
        images = chunks[chunk]
        rows = (images.stop - images.start) * tiles
        v, m = transformed(buffer, rows, C), transformed(buffer, rows, F, a2 * most * C)
        compiled.winograd_input(xp[images], tiles_h, tiles_w, zero, v)
        np.matmul(v.transpose(1, 0, 2), u, out=m.transpose(1, 0, 2))    # the a2 products, summed over channels
        compiled.winograd_output(m, bias, relu, zero, out[images])
    nbytes = B * tiles * a2 * (C + F) * xp.itemsize
    parallel.run_chunks(forward_chunk, len(chunks), nbytes, new_buffer, uses_blas=True)
    need_x, need_k = needs_gradient(x), needs_gradient(k)

    def backward(g):
        mask = relu and _MASKED_GRADIENTS.get(id(result)) is not g   # (see _MASKED_GRADIENTS)
        g = np.ascontiguousarray(g, dtype=xp.dtype)
        du_parts = np.empty((len(chunks), a2, C, F), dtype=xp.dtype) if need_k else None
        db_parts = np.empty((len(chunks), F), dtype=xp.dtype) if b is not None else None
        ones = np.ones(most, dtype=xp.dtype)   # ones @ rows sums them, ~10x faster than .sum(axis=0)
        dxp = np.empty(xp.shape, dtype=xp.dtype) if need_x else None
        u_t = np.ascontiguousarray(u.transpose(0, 2, 1)) if need_x else None     # (a2, F, C)

        def backward_chunk(chunk, buffer):
            images = chunks[chunk]
            rows = (images.stop - images.start) * tiles
            v, dm = transformed(buffer, rows, C), transformed(buffer, rows, F, a2 * most * C)
            compiled.winograd_output_backward(g[images], out[images], mask, zero, dm)
            if b is not None:   # the bias was added to every pixel: A^T's column 1 is all ones, so dM's
                np.matmul(ones[:rows], dm[:, 7], out=db_parts[chunk])   # entry (1, 1) is a tile's dY summed
            if need_k:
                compiled.winograd_input(xp[images], tiles_h, tiles_w, zero, v)   # V again: cheaper than kept
                np.matmul(v.transpose(1, 2, 0), dm.transpose(1, 0, 2), out=du_parts[chunk])   # dU = V^T dM
            if need_x:
                np.matmul(dm.transpose(1, 0, 2), u_t, out=v.transpose(1, 0, 2))  # dV = dM U^T, where V was
                compiled.winograd_input_backward(v, tiles_h, tiles_w, zero, dxp[images])
        parallel.run_chunks(backward_chunk, len(chunks), nbytes, new_buffer, uses_blas=True)
        pt, pl, H, W = unpad
        dx = None if dxp is None else _from_2d(dxp[:, pt:pt + H, pl:pl + W], n)
        dk = None
        if du_parts is not None:
            du = _sum_in_order(du_parts, (a2, C, F)).reshape(6, 6, C, F)
            dk = _sandwich(G.T, du).reshape(k.shape)                               # G^T dU G
        db = None if db_parts is None else _sum_in_order(db_parts, (F,))
        return (dx, dk) if b is None else (dx, dk, db)
    result = _from_2d(out, n)
    return _record_conv(result, x, k, b, relu, backward)


def conv_transpose_output_length(size, window, stride, dilation, padding, output_padding=None):
    """The output length of one axis of a transposed convolution, as Keras; None stays None.

    "valid": (size - 1) * stride + max(window, stride), the positions the
    kernel's copies cover. "same": size * stride. An `output_padding` replaces
    the "max" and "same" rules with (size - 1) * stride + window (or
    window % 2 for "same") + output_padding."""
    if size is None:
        return None
    effective = (window - 1) * dilation + 1
    if padding == "valid":
        extra = max(effective, stride) - effective if output_padding is None else output_padding
        return (size - 1) * stride + effective + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + effective % 2 + output_padding


def _insert_zeros(x, axis, stride):
    """Puts `stride - 1` zeros between neighbours along `axis`: [a, b] -> [a, 0, b] for stride 2."""
    if stride == 1:
        return x
    x = expand_dims(x, axis + 1)                                   # (..., n, 1, ...)
    widths = [(0, 0)] * x.ndim
    widths[axis + 1] = (0, stride - 1)
    x = pad(x, widths)                                             # (..., n, stride, ...): value then zeros
    shape = x.shape[:axis] + (x.shape[axis] * stride,) + x.shape[axis + 2:]
    x = reshape(x, shape)                                          # (..., n * stride, ...)
    index = [slice(None)] * x.ndim
    index[axis] = slice(0, shape[axis] - (stride - 1))             # no zeros after the last value
    return x[tuple(index)]


def _conv_transpose_setup(inputs, kernel, strides, padding, output_padding, data_format, dilation_rate):
    """Checked arguments of conv_transpose, and per spatial axis (output length, pad_before)."""
    x = _floats(inputs)
    k = convert_to_tensor(kernel, dtype=x.dtype)
    check_data_format(data_format)
    _check_rank(x, "conv_transpose", "input")
    n = x.ndim - 2
    if k.ndim != n + 2 or k.shape[-1] != x.shape[-1]:
        raise ValueError(f"conv_transpose: the kernel must have shape ({'kh, kw' if n == 2 else 'kw'}, filters, "
                         f"in_channels={x.shape[-1]}) for input of shape {x.shape}. "
                         f"Received kernel of shape {k.shape}.")
    padding = standardize_padding(padding)
    strides = standardize_tuple(strides, n, "strides")
    dilation = standardize_tuple(dilation_rate, n, "dilation_rate")
    extras = (None,) * n if output_padding is None else (
        (output_padding,) * n if isinstance(output_padding, (int, np.integer)) else tuple(output_padding))
    lengths, befores = [], []
    for size, window, s, d, extra in zip(x.shape[1:-1], k.shape[:n], strides, dilation, extras):
        out = conv_transpose_output_length(size, window, s, d, padding, extra)
        full = (size - 1) * s + (window - 1) * d + 1          # where the kernel's copies reach
        lengths.append(out)
        befores.append(max(full - out, 0) // 2)               # the "same" padding of the forward conv
    return x, k, n, strides, dilation, lengths, befores


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """Transposed convolution ("deconvolution"), channels_last, as `keras.ops.conv_transpose`.

    A convolution maps a big input to a small output; the transposed
    convolution goes back: each input pixel pastes a copy of the kernel,
    scaled by its value, into the output, `strides` pixels apart, and
    overlapping copies add up. It is the gradient of `conv` with respect to its
    input (how TensorFlow computes it), so its forward is conv's col2im and its
    backward is conv's im2col.

    Formula (2D):
        full[b, i * sh + di * dh, j * sw + dj * dw, f] += x[b, i, j, c] * kernel[di, dj, f, c]
        output[b, p, q, f] = full[b, p + pad_top, q + pad_left, f]   (0 beyond `full`)
    where pad_top, pad_left are the padding `conv` would use to map an input of
    the output's size back to this input's size.

    `conv_transpose_plain` computes the same by definition from other ops
    (zeros between pixels, then an ordinary conv); the tests check they agree.

    Args:
        inputs: (batch, steps, channels) or (batch, height, width, channels).
        kernel: (kw, filters, in_channels) or (kh, kw, filters, in_channels)
            (Keras's layout: output channels before input channels).
        strides, dilation_rate: int or tuple.
        padding: "valid" or "same".
        output_padding: None, or int or tuple, extra length along each axis
            (less than the stride); see `conv_transpose_output_length`.

    Returns:
        (batch, out_steps, filters) or (batch, out_h, out_w, filters).

    Example:
        >>> x = np.ones((1, 2, 2, 1), "float32"); k = np.ones((3, 3, 1, 1), "float32")
        >>> teachnet.ops.conv_transpose(x, k, strides=2).shape
        (1, 5, 5, 1)
    """
    x, k, n, strides, dilation, lengths, befores = _conv_transpose_setup(
        inputs, kernel, strides, padding, output_padding, data_format, dilation_rate)
    x4 = _as_2d(x.data, n)                                     # (B, H, W, C)
    k4 = k.data if n == 2 else k.data[None]                    # (kh, kw, F, C)
    (sh, sw), (dh, dw) = (1,) * (2 - n) + strides, (1,) * (2 - n) + dilation
    (oh, ow), (top, left) = (1,) * (2 - n) + tuple(lengths), (0,) * (2 - n) + tuple(befores)
    B, H, W, C = x4.shape
    kh, kw, F, _ = k4.shape
    k2 = k4.reshape(kh * kw * F, C)                            # (kh*kw*F, C)
    # The canvas holds every pasted copy, and reaches far enough for the crop.
    canvas_h = max((H - 1) * sh + (kh - 1) * dh + 1, top + oh)
    canvas_w = max((W - 1) * sw + (kw - 1) * dw + 1, left + ow)

    def offsets():
        """For each kernel tap (di, dj): the strided slices of the canvas its copies land on."""
        for di in range(kh):
            for dj in range(kw):
                yield di, dj, _offset_slice(di * dh, sh, H), _offset_slice(dj * dw, sw, W)

    # Each input pixel times the kernel: (B*H*W, C) @ (C, kh*kw*F), then col2im.
    pasted = (x4.reshape(-1, C) @ k2.T).reshape(B, H, W, kh, kw, F)
    canvas = np.zeros((B, canvas_h, canvas_w, F), dtype=pasted.dtype)
    for di, dj, rows, cols in offsets():
        canvas[:, rows, cols] += pasted[:, :, :, di, dj]       # tap (di, dj) of every copy, strides apart
    out = canvas[:, top:top + oh, left:left + ow]              # (B, oh, ow, F)

    need_x, need_k = needs_gradient(x), needs_gradient(k)

    def backward(g):
        """im2col: each input pixel's copies read back the gradient where they landed."""
        g_canvas = np.zeros((B, canvas_h, canvas_w, F), dtype=g.dtype)
        g_canvas[:, top:top + oh, left:left + ow] = _as_2d(g, n)   # the cropped-off border had no effect
        windows = np.empty((B, H, W, kh, kw, F), dtype=g.dtype)
        for di, dj, rows, cols in offsets():
            windows[:, :, :, di, dj] = g_canvas[:, rows, cols]
        g2 = windows.reshape(-1, kh * kw * F)                  # (B*H*W, kh*kw*F)
        dx = _from_2d((g2 @ k2).reshape(B, H, W, C), n) if need_x else None
        dk = (g2.T @ x4.reshape(-1, C)).reshape(k.shape) if need_k else None
        return dx, dk
    return record("conv_transpose", _from_2d(out, n), (x, k), backward)


def conv_transpose_plain(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                         dilation_rate=1):
    """`conv_transpose` by definition, from ops the tape already differentiates.

    Put `strides - 1` zeros between input pixels, pad by the kernel's extent
    minus one, and run an ordinary stride-1 `conv` with the kernel flipped and
    its two channel axes swapped; then crop as `padding` says. The zeros cost
    multiplications (strides**2 times the work of `conv_transpose`), which is
    why the layers use the direct op; this one is the reference it is tested
    against.
    """
    x, k, n, strides, dilation, lengths, befores = _conv_transpose_setup(
        inputs, kernel, strides, padding, output_padding, data_format, dilation_rate)
    widths = [(0, 0)] * x.ndim
    crops = [slice(None)] * x.ndim
    for axis in range(1, n + 1):
        size, s, d, window = x.shape[axis], strides[axis - 1], dilation[axis - 1], k.shape[axis - 1]
        out, before = lengths[axis - 1], befores[axis - 1]
        x = _insert_zeros(x, axis, s)                          # (size - 1) * s + 1 along this axis
        effective = (window - 1) * d + 1
        full = (size - 1) * s + effective
        # Pad by effective - 1 for the full result; start `before` later and stop at `out`, with zeros past `full`.
        widths[axis] = (effective - 1, effective - 1 + max(out + before - full, 0))
        crops[axis] = slice(before, before + out)
    flipped = swapaxes(flip(k, axis=tuple(range(n))), -1, -2)  # (..., in_channels, filters), flipped
    full = conv(pad(x, widths), flipped, strides=1, padding="valid", dilation_rate=dilation)
    return full[tuple(crops)]


# ---------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------

def _pool_setup(x, pool_size, strides, padding, name):
    """Standardizes the arguments; returns the 2D view and the geometry."""
    _check_rank(x, name, "input")
    n = x.ndim - 2
    pool = (1,) * (2 - n) + standardize_tuple(pool_size, n, "pool_size")
    strides = pool if strides is None else (1,) * (2 - n) + standardize_tuple(strides, n, "strides")
    padding = standardize_padding(padding)
    x4 = _as_2d(x.data, n)
    B, H, W, C = x4.shape
    pads = [padding_amounts(size, p, s, 1, padding) for size, p, s in zip((H, W), pool, strides)]
    Ho, Wo = [(size + lo + hi - p) // s + 1 for size, (lo, hi), p, s in zip((H, W), pads, pool, strides)]
    if Ho <= 0 or Wo <= 0:
        raise ValueError(f"{name}: the pool window {pool[2 - n:]} is larger than the input "
                         f"(spatial size {x.shape[1:-1]}) with padding='{padding}'. "
                         "Use a smaller pool_size or padding='same'.")
    return n, x4, pool, strides, pads, (Ho, Wo)


# Pooling splits its images across threads only from this many bytes (input + output) on: its passes are
# copies and comparisons that wait on memory more than on the core, and for the benchmark convnet's second
# pool, (64, 11, 11, 64), 2 MB, two threads took longer than one (0.27 vs 0.21 ms forward, 0.28 vs 0.24 ms
# backward, in a scratch script timing the op alone on this project's 2-core machine); its first pool, 7 MB,
# gains.
_POOL_MIN_SPLIT_BYTES = 4 << 20


def _windows_at(pool, strides, out_hw):
    """For each offset (di, dj) inside the window, the strided slice of the
    padded input that it reads for every output pixel at once."""
    for di in range(pool[0]):
        for dj in range(pool[1]):
            yield (slice(None), _offset_slice(di, strides[0], out_hw[0]),
                   _offset_slice(dj, strides[1], out_hw[1]))


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling, channels_last, as `keras.ops.max_pool`.

    Formula (2D): out[b, i, j, c] = max over di, dj of x_padded[b, i * sh + di, j * sw + dj, c]
    ("same" pads with -inf, so padding never wins).

    Args:
        inputs: (batch, steps, channels) or (batch, height, width, channels).
        pool_size: int or tuple, the window size.
        strides: int or tuple; defaults to `pool_size`.
        padding: "valid" or "same".
        data_format: None or "channels_last" (the only layout).

    Backward: the gradient of each output goes to the first input that held
    the maximum of its window (row-major order), as TensorFlow and PyTorch do.

    The forward pass walks the window's offsets in order, keeping the running
    maximum, and notes for each offset where it beat every offset before it
    (strictly: a tie leaves the earlier one). The last offset that did so holds
    the first maximum, so the backward pass routes the gradient with these
    notes (one byte per output per offset) and never reads the input again.
    `max_pool_plain` finds the first maximum by comparing each input with the
    output instead; the tests check that the two agree. Where the windows do
    not overlap, compiled loops (ops/compiled.py) do both passes, one pass per
    chunk of images, noting each window's winning offset in a byte.

    Returns:
        (batch, out_steps, channels) or (batch, out_h, out_w, channels).

    Example:
        >>> x = np.arange(16.0, dtype="float32").reshape(1, 4, 4, 1)
        >>> print(teachnet.ops.max_pool(x, 2)[0, :, :, 0])
        [[ 5.  7.]
         [13. 15.]]
    """
    x = _floats(inputs)
    check_data_format(data_format)
    n, x4, pool, strides, ((pt, pb), (pl, pr)), out_hw = _pool_setup(x, pool_size, strides, padding, "max_pool")
    H, W = x4.shape[1:3]
    xp = np.pad(x4, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=-np.inf) if pt + pb + pl + pr else x4
    overlapping = strides[0] < pool[0] or strides[1] < pool[1]
    out = np.empty((x4.shape[0],) + out_hw + x4.shape[3:], dtype=xp.dtype)  # (B, Ho, Wo, C)
    offsets = pool[0] * pool[1]
    # Images are independent: the thread pool's threads take a chunk of them
    # (about 1 MiB) at a time, when worth it (large batches only).
    nbytes = xp.nbytes + out.nbytes
    chunks = _image_chunks(x4.shape[0], nbytes // max(x4.shape[0], 1))
    # The compiled loops (ops/compiled.py) do the same in one pass per chunk, without Python's lock: for
    # windows that do not overlap, float32/64, and up to 256 offsets (a byte names the winner).
    loops = compiled.enabled_for(xp.dtype) and not overlapping and offsets <= 256
    if loops:
        winner = np.empty(out.shape, dtype=np.uint8)           # which offset of each window won
        parallel.run_chunks(lambda chunk, _: compiled.max_pool_forward(
            xp[chunks[chunk]], *pool, *strides, out[chunks[chunk]], winner[chunks[chunk]]),
            len(chunks), nbytes)
    else:
        beat = np.empty((offsets - 1,) + out.shape, dtype=bool)  # beat[k - 1]: offset k beat offsets 0..k-1

    def forward_images(images, buffer):
        out_images, xp_images = out[images], xp[images]
        for k, window in enumerate(_windows_at(pool, strides, out_hw)):
            # (np.copyto, not `a[...] = b`: numpy's item assignment holds Python's lock
            # (GIL) while it copies, which keeps the other threads waiting.)
            if k == 0:
                np.copyto(out_images, xp_images[window])
            else:
                # One strided copy of the offset's inputs, then two passes over contiguous
                # arrays: faster than two strided passes.
                inputs = buffer[:len(out_images)]
                np.copyto(inputs, xp_images[window])
                np.greater(inputs, out_images, out=beat[k - 1, images])
                np.maximum(out_images, inputs, out=out_images)
    largest = max(c.stop - c.start for c in chunks)
    if not loops:
        parallel.run_chunks(lambda chunk, buffer: forward_images(chunks[chunk], buffer), len(chunks), nbytes,
                            lambda: np.empty((largest,) + out.shape[1:], dtype=out.dtype),
                            min_bytes=_POOL_MIN_SPLIT_BYTES)

    after_relu = _RELU_OUTPUTS.get(id(x.data)) is x.data   # the input is a conv's relu output (see the module doc)

    def backward(g):
        g = _as_2d(g, n)                           # (B, Ho, Wo, C)
        dxp = np.empty(xp.shape, dtype=g.dtype)
        windows = list(_windows_at(pool, strides, out_hw))

        def backward_images(images):
            if loops:
                compiled.max_pool_backward(g[images], winner[images], out[images], after_relu, *pool, *strides,
                                           dxp[images])
                return
            dx_images, g_images, beat_images = dxp[images], g[images], beat[:, images]
            if strides == pool:                    # the windows tile the input: each input is written once
                dx_images[:, out_hw[0] * pool[0]:] = 0   # but for the rows and columns no window reaches
                dx_images[:, :, out_hw[1] * pool[1]:] = 0
            else:
                dx_images[...] = 0
            # From the last offset back: an offset holds the first maximum if it
            # beat all before it and no later offset beat it.
            wins = [None] * offsets
            beaten_later = np.zeros(g_images.shape, dtype=bool)
            for k in range(offsets - 1, 0, -1):
                wins[k] = np.greater(beat_images[k - 1], beaten_later)  # beat the earlier ones, not beaten since
                beaten_later |= beat_images[k - 1]
            wins[0] = ~beaten_later                                       # offset 0: nobody beat it
            if after_relu:                         # a winner of 0 was cut by relu: no gradient (relu's mask)
                positive = out[images] > 0
                for win in wins:
                    np.logical_and(win, positive, out=win)
            for k, window in enumerate(windows):
                if overlapping:                    # an input can win several windows: accumulate
                    dx_images[window] += g_images * wins[k]
                else:                              # each input is in one window: write in place
                    np.multiply(g_images, wins[k], out=dx_images[window])
        parallel.run_chunks(lambda chunk, _: backward_images(chunks[chunk]), len(chunks), nbytes,
                            min_bytes=parallel.MIN_SPLIT_BYTES if loops else _POOL_MIN_SPLIT_BYTES)
        dx = _from_2d(dxp[:, pt:pt + H, pl:pl + W], n)
        if after_relu:
            _MASKED_GRADIENTS[id(x.data)] = dx
        return (dx,)
    return record("max_pool", _from_2d(out, n), (x,), backward)


def max_pool_plain(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """`max_pool` by definition: each window's maximum, its gradient to the window's first maximum.

    The output is the running maximum over the window's offsets (one strided
    slice of the input per offset). Backward, each offset in turn compares its
    inputs with the output: where they are equal and no earlier offset was,
    that input gets the output's gradient. `max_pool` computes the same numbers
    without reading the input again in the backward pass; the tests check that
    the two agree.

    Args and shapes: as `max_pool`.
    """
    x = _floats(inputs)
    check_data_format(data_format)
    n, x4, pool, strides, ((pt, pb), (pl, pr)), out_hw = _pool_setup(
        x, pool_size, strides, padding, "max_pool_plain")
    H, W = x4.shape[1:3]
    xp = np.pad(x4, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=-np.inf)  # (B, Hp, Wp, C)
    windows = list(_windows_at(pool, strides, out_hw))
    out = xp[windows[0]]
    for window in windows[1:]:
        out = np.maximum(out, xp[window])                              # (B, Ho, Wo, C)

    def backward(g):
        g = _as_2d(g, n)                                               # (B, Ho, Wo, C)
        dxp = np.zeros(xp.shape, dtype=g.dtype)
        routed = np.zeros(out.shape, dtype=bool)                       # outputs whose maximum was found
        for window in windows:
            first = (xp[window] == out) & ~routed                      # the window's first maximum is here
            routed |= first
            dxp[window] += g * first
        return (_from_2d(dxp[:, pt:pt + H, pl:pl + W], n),)
    return record("max_pool", _from_2d(out, n), (x,), backward)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling, channels_last, as `keras.ops.average_pool`.

    Formula (2D): out[b, i, j, c] = mean of x over the window at (i * sh, j * sw),
    counting only real pixels: with "same", padded cells are left out of the
    mean (TensorFlow's rule), so a border window of 2 pixels averages those 2.

    Args:
        inputs: (batch, steps, channels) or (batch, height, width, channels).
        pool_size: int or tuple, the window size.
        strides: int or tuple; defaults to `pool_size`.
        padding: "valid" or "same".
        data_format: None or "channels_last" (the only layout).

    Returns:
        (batch, out_steps, channels) or (batch, out_h, out_w, channels).

    Example:
        >>> x = np.arange(16.0, dtype="float32").reshape(1, 4, 4, 1)
        >>> print(teachnet.ops.average_pool(x, 2)[0, :, :, 0])
        [[ 2.5  4.5]
         [10.5 12.5]]
    """
    x = _floats(inputs)
    check_data_format(data_format)
    n, x4, pool, strides, ((pt, pb), (pl, pr)), out_hw = _pool_setup(
        x, pool_size, strides, padding, "average_pool")
    H, W = x4.shape[1:3]
    pads = ((0, 0), (pt, pb), (pl, pr), (0, 0))
    xp = np.pad(x4, pads) if pt + pb + pl + pr else x4
    # How many real pixels each window covers: pool the same way over ones.
    real = np.pad(np.ones((1, H, W, 1), dtype=x4.dtype), pads)
    count = sum(real[window] for window in _windows_at(pool, strides, out_hw))  # (1, Ho, Wo, 1)
    total = sum(xp[window] for window in _windows_at(pool, strides, out_hw))    # (B, Ho, Wo, C)
    out = (total / count).astype(x4.dtype, copy=False)

    def backward(g):
        g_each = _as_2d(g, n) / count            # every pixel of a window gets an equal share
        dxp = np.zeros(xp.shape, dtype=g_each.dtype)
        for window in _windows_at(pool, strides, out_hw):
            dxp[window] += g_each
        dx = dxp[:, pt:pt + H, pl:pl + W]
        return (_from_2d(dx, n),)
    return record("average_pool", _from_2d(out, n), (x,), backward)

