"""Fused recurrent ops: a whole sequence through SimpleRNN, LSTM or GRU in one op.

Why fused: an LSTM step written with small ops records ~20 ops per timestep,
so 100 timesteps make a graph of 2,000 nodes whose bookkeeping costs more
than the arithmetic. Here each layer is ONE op: its forward loops over time
and stores what the backward needs (the gates); its backward loops back over
time (backpropagation through time, BPTT), with the equations written beside
the forward ones. The step-by-step version with small ops lives in the cells
(`teachnet.layers.LSTMCell.call`) and the tests check that both agree.

Conventions shared by the three ops:

- `inputs` is `(batch, time, features)`; internally everything is time-major
  (`xs[t]` is the batch at step t) so a step reads contiguous memory.
- The kernel product of ALL timesteps is done outside the recurrence
  (`x_t @ kernel` does not depend on the state): one big matmul before the
  loop (the LSTM's: a stack of per-step products, a range of steps per thread
  of ops/parallel.py's pool); only `h_{t-1} @ recurrent_kernel` is inside the
  loop. The backward mirrors that: the loop collects the gradient of each
  step's pre-activations, and the weight gradients are one matmul each after
  it (the LSTM's: per-step products on the pool's threads, then summed).
- `mask` `(batch, time)`, True = real step. At a masked step the state is
  carried over unchanged: `h_t = m_t * h~_t + (1 - m_t) * h_{t-1}` (as Keras).
- `recurrent_mask` `(batch, units)`: a recurrent-dropout mask multiplied into
  `h_{t-1}` before the recurrent matmul, the same at every step.
- Gate order and weight layouts are Keras's: LSTM columns (i, f, c, o), GRU
  columns (z, r, h).
"""
import numpy as np

from teachnet.autodiff import record
from teachnet.ops import compiled, parallel
from teachnet.ops.core import convert_to_tensor

__all__ = ["simple_rnn", "lstm", "gru", "RECURRENT_ACTIVATIONS"]


# Activations usable inside the fused ops, as (forward, derivative) pairs.
# Both write into `out` when given: at these sizes the cost of a numpy call
# and of a fresh array is what matters, not the arithmetic. The derivative is
# written in terms of the OUTPUT y = f(a), which is what the forward stores.
def _tanh(a, out=None):
    return np.tanh(a, out=out)


def _sigmoid(a, out=None):
    out = np.multiply(a, 0.5, out=out)   # sigmoid(a) = (1 + tanh(a / 2)) / 2: no overflow for large |a|
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _sigmoid_derivative(y, out=None):
    out = np.subtract(1.0, y, out=out)   # y (1 - y)
    out *= y
    return out


def _tanh_derivative(y, out=None):
    out = np.multiply(y, y, out=out)     # 1 - y^2
    return np.subtract(1.0, out, out=out)


def _hard_sigmoid(a, out=None):
    out = np.multiply(a, 1.0 / 6.0, out=out)   # relu6(a + 3) / 6, Keras 3's definition
    out += 0.5
    return np.clip(out, 0.0, 1.0, out=out)


def _hard_sigmoid_derivative(y, out=None):
    slope = (((y > 0) & (y < 1)) / 6.0).astype(y.dtype)   # 1/6 on the slope, 0 where clipped
    return slope if out is None else np.copyto(out, slope) or out


def _softsign_derivative(y, out=None):
    out = np.abs(y, out=out)             # (1 - |y|)^2, since 1 + |a| = 1 / (1 - |y|)
    np.subtract(1.0, out, out=out)
    return np.square(out, out=out)


RECURRENT_ACTIVATIONS = {  # name: (forward(a, out=None), derivative(y, out=None))
    "tanh": (_tanh, _tanh_derivative),
    "sigmoid": (_sigmoid, _sigmoid_derivative),
    "relu": (lambda a, out=None: np.maximum(a, 0, out=out), lambda y, out=None: np.sign(y, out=out)),  # y >= 0
    "linear": (lambda a, out=None: np.positive(a, out=out),
               lambda y, out=None: np.ones_like(y) if out is None else np.copyto(out, 1) or out),
    "hard_sigmoid": (_hard_sigmoid, _hard_sigmoid_derivative),
    "softsign": (lambda a, out=None: np.divide(a, 1.0 + np.abs(a), out=out), _softsign_derivative),
}


def _activation(name):
    return RECURRENT_ACTIVATIONS[name]


def _prepare(inputs, kernel, recurrent_kernel, mask, recurrent_mask):
    """Converts arguments; returns the time-major inputs and masks as arrays."""
    x = convert_to_tensor(inputs)
    kernel, recurrent_kernel = convert_to_tensor(kernel), convert_to_tensor(recurrent_kernel)
    xs = np.ascontiguousarray(np.swapaxes(x.data, 0, 1))                    # (T, B, D)
    dtype = x.dtype
    if mask is None:
        m = None
    else:
        m = np.swapaxes(np.asarray(getattr(mask, "data", mask), dtype=bool), 0, 1)
        m = np.ascontiguousarray(m[..., None]).astype(dtype)               # (T, B, 1)
    rm = None if recurrent_mask is None else np.asarray(getattr(recurrent_mask, "data", recurrent_mask), dtype)
    return x, kernel, recurrent_kernel, xs, m, rm


def _input_projection(xs, kernel, bias):
    """x_t @ kernel + bias for every step at once: (T, B, D) -> (T, B, G*units)."""
    T, B, D = xs.shape
    proj = (xs.reshape(T * B, D) @ kernel).reshape(T, B, -1)
    if bias is not None:
        proj += bias   # in place: a second (T, B, G*units) array would cost more than the add
    return proj


def _input_grads(xs, kernel, dproj, has_bias):
    """Gradients of inputs (batch-major), kernel and bias from d(projection) (T, B, G*units)."""
    T, B, D = xs.shape
    flat = dproj.reshape(T * B, -1)
    dx = np.swapaxes((flat @ _t(kernel)).reshape(T, B, D), 0, 1)           # (B, T, D)
    dkernel = _t(xs.reshape(T * B, D)) @ flat                               # (D, G*units)
    # ones @ rows sums the rows in BLAS, ~9x faster than flat.sum(axis=0) on these tall arrays
    dbias = np.ones(T * B, dtype=flat.dtype) @ flat if has_bias else None
    return dx, dkernel, dbias


def _t(a):
    """The transpose as a contiguous copy: BLAS multiplies it faster than a strided view."""
    return np.ascontiguousarray(a.T)


def _output_gradient(g, return_sequences, like):
    """The incoming gradient as (per-step gradients (T, B, units) or None, dL/dh_T to start from).

    Without return_sequences only the last state is an output: the loop then
    starts from its gradient and adds nothing per step."""
    if return_sequences:
        return np.swapaxes(g, 0, 1), np.zeros_like(like)
    return None, np.array(g, dtype=like.dtype)


def _carry(m, new, old):
    """State update at a (possibly) masked step: new where m = 1, old where m = 0."""
    return new if m is None else old + m * (new - old)


# ---------------------------------------------------------------------------
# SimpleRNN
# ---------------------------------------------------------------------------

def simple_rnn(inputs, kernel, recurrent_kernel, bias, initial_state, mask=None, recurrent_mask=None,
               activation="tanh", return_sequences=True):
    """Runs `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)` over time.

    Args:
        inputs: `(batch, time, features)`.
        kernel: `(features, units)`; recurrent_kernel: `(units, units)`;
        bias: `(units,)` or None; initial_state: `(batch, units)`.
        mask, recurrent_mask, activation: see the module docstring.

    Returns:
        The state after every step, `(batch, time, units)`; with
        `return_sequences=False` only the last one, `(batch, units)`.

    Example:
        >>> x = np.ones((2, 5, 3), "float32")
        >>> k, rk, b, h0 = np.ones((3, 4), "float32"), np.eye(4, dtype="float32"), None, np.zeros((2, 4), "float32")
        >>> teachnet.ops.simple_rnn(x, k, rk, b, h0).shape
        (2, 5, 4)
    """
    x, kernel, recurrent_kernel, xs, m, rm = _prepare(inputs, kernel, recurrent_kernel, mask, recurrent_mask)
    bias = None if bias is None else convert_to_tensor(bias)
    h0 = convert_to_tensor(initial_state)
    f, df = _activation(activation)
    W, U = kernel.data, recurrent_kernel.data
    T = xs.shape[0]

    xw = _input_projection(xs, W, None if bias is None else bias.data)      # (T, B, units)
    hs = np.empty((T + 1,) + h0.shape, dtype=xw.dtype)                      # hs[t + 1] = h_t
    ys = np.empty_like(xw)                                                  # activation outputs
    hs[0] = h0.data
    for t in range(T):
        h_prev = hs[t] if rm is None else hs[t] * rm
        f(xw[t] + h_prev @ U, out=ys[t])                                    # h~_t = f(a_t)
        hs[t + 1] = _carry(None if m is None else m[t], ys[t], hs[t])

    def backward(g):
        g, dh = _output_gradient(g, return_sequences, hs[0])               # dh: dL/dh_t from later steps
        dfs = df(ys)                                                        # f'(a_t) for every step at once
        da = np.empty_like(ys)                                              # dL/da_t
        U_T = _t(U)
        for t in reversed(range(T)):
            if g is not None:
                dh = dh + g[t]
            dh_new = dh if m is None else m[t] * dh                         # h_t = m h~_t + (1-m) h_{t-1}
            np.multiply(dh_new, dfs[t], out=da[t])                          # h~_t = f(a_t)
            dh_prev = da[t] @ U_T                                           # a_t = x_t W + h_{t-1} U + b
            if rm is not None:
                dh_prev *= rm
            dh = dh_prev if m is None else dh_prev + (1 - m[t]) * dh
        h_prev = hs[:-1] if rm is None else hs[:-1] * rm                    # (T, B, units)
        dU = _t(h_prev.reshape(-1, U.shape[0])) @ da.reshape(-1, U.shape[1])
        dx, dW, db = _input_grads(xs, W, da, bias is not None)
        return dx, dW, dU, db, dh
    out = np.ascontiguousarray(np.swapaxes(hs[1:], 0, 1)) if return_sequences else hs[-1]   # (B, T, units)
    return record("simple_rnn", out, (x, kernel, recurrent_kernel, bias, h0), backward)


def _lstm_local_derivatives(gates, c_prev, tc, dsig, dact, out, dh_dc):
    """Local derivatives of LSTM steps, `(steps, 4 units, batch)` in the op's row order (o, i, f, g),
    written into `out` and `dh_dc`:

        out   = [dh~/dz_o, dc~/dz_i, dc~/dz_f, dc~/dz_g] = [act(c~) σ'(o), g σ'(i), c_{t-1} σ'(f), i act'(g)]
        dh_dc = dh~/dc~ = o act'(c~)
    """
    n = tc.shape[1]
    o, i, g = gates[:, :n], gates[:, n:2 * n], gates[:, 3 * n:]  # f enters only through its σ'
    dsig(gates[:, :3 * n], out=out[:, :3 * n])                              # σ' of o, i, f
    dact(g, out=out[:, 3 * n:])                                             # act' of g
    out[:, :n] *= tc
    out[:, n:2 * n] *= g
    out[:, 2 * n:3 * n] *= c_prev
    out[:, 3 * n:] *= i
    dact(tc, out=dh_dc)
    dh_dc *= o


def _lstm_local_derivatives_sigmoid_tanh(gates, products, tc, out, dh_dc):
    """The same for σ = sigmoid and act = tanh, from products the forward pass kept:
    `products` = [h~, i g, f c_{t-1}], `(steps, 3 units, batch)`, in the rows of (o, i, f).

    Since σ' = σ (1 - σ) and tanh' = 1 - tanh^2, each derivative is one product
    the forward made, times one factor: act(c~) o (1 - o) = h~ (1 - o), and so on.
    Six numpy calls over the steps instead of eleven:

        out[o, i, f] = [h~, i g, f c_{t-1}] * (1 - [o, i, f])
        out[g]       = i (1 - g^2) = i - (i g) g
        dh_dc        = o (1 - act(c~)^2) = o - h~ act(c~)
    """
    n = tc.shape[1]
    o, i, g = gates[:, :n], gates[:, n:2 * n], gates[:, 3 * n:]
    h, ig = products[:, :n], products[:, n:2 * n]
    sigmoid_rows = out[:, :3 * n]
    np.subtract(1.0, gates[:, :3 * n], out=sigmoid_rows)
    np.multiply(sigmoid_rows, products, out=sigmoid_rows)
    g_rows = out[:, 3 * n:]
    np.multiply(ig, g, out=g_rows)
    np.subtract(i, g_rows, out=g_rows)
    np.multiply(h, tc, out=dh_dc)
    np.subtract(o, dh_dc, out=dh_dc)


# Inside the LSTM op the four gate blocks are in the order (o, i, f, g), not
# Keras's (i, f, c, o): then the three sigmoid gates are one block of rows and
# the three gates the cell's gradient flows into (i, f, g) another. _KERAS_BLOCK[k]
# is the Keras block that becomes the op's block k.
_KERAS_BLOCK = (3, 0, 1, 2)


def _to_op_order(a, n):
    """Keras's (i, f, c, o) blocks of `a` along its last axis as a copy in the op's order (o, i, f, g)."""
    return np.concatenate([a[..., k * n:(k + 1) * n] for k in _KERAS_BLOCK], axis=-1)


def _to_keras_order(a, n):
    """The inverse of `_to_op_order` along the last axis."""
    out = np.empty_like(a)
    for k, keras in enumerate(_KERAS_BLOCK):
        out[..., keras * n:(keras + 1) * n] = a[..., k * n:(k + 1) * n]
    return out


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------

def lstm(inputs, kernel, recurrent_kernel, bias, initial_state, initial_carry, mask=None, recurrent_mask=None,
         activation="tanh", recurrent_activation="sigmoid", return_sequences=True):
    """Runs a Long Short-Term Memory layer over time (Keras's gate order i, f, c, o).

    Formula (σ = recurrent_activation, act = activation):
        z_t = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias      # (batch, 4 units)
        i = σ(z_i)   f = σ(z_f)   g = act(z_c)   o = σ(z_o)
        c_t = f * c_{t-1} + i * g                                  # the cell ("carry")
        h_t = o * act(c_t)                                         # the output

    Layout (for speed; the formula is the same): inside, every step's arrays
    are stored transposed, features by batch (`z_t` is `(4 units, batch)`,
    `h_t` `(units, batch)`), with the gate blocks in the order (o, i, f, g). A
    gate block is then one contiguous piece of memory, and the per-step
    arithmetic runs on whole blocks instead of a short piece of every row
    (multiplying three gate blocks by the cell's gradient, batch 64, 32 units:
    6.3 us in column blocks, 2.5 us in row blocks). The products become
    `z_t^T = kernel^T x_t^T + recurrent_kernel^T h_{t-1}^T`.

    Args:
        inputs: `(batch, time, features)`; kernel `(features, 4 units)`;
        recurrent_kernel `(units, 4 units)`; bias `(4 units,)` or None;
        initial_state (h_0) and initial_carry (c_0): `(batch, units)`.

    Returns:
        `(2, batch, time, units)`: `[0]` the outputs h_t, `[1]` the cells c_t;
        with `return_sequences=False` only the last step, `(2, batch, units)`.

    Example:
        >>> x = np.ones((2, 5, 3), "float32")
        >>> k, rk, h0 = np.zeros((3, 16), "float32"), np.zeros((4, 16), "float32"), np.zeros((2, 4), "float32")
        >>> teachnet.ops.lstm(x, k, rk, None, h0, h0).shape
        (2, 2, 5, 4)
    """
    x = convert_to_tensor(inputs)
    kernel, recurrent_kernel = convert_to_tensor(kernel), convert_to_tensor(recurrent_kernel)
    bias = None if bias is None else convert_to_tensor(bias)
    h0, c0 = convert_to_tensor(initial_state), convert_to_tensor(initial_carry)
    act, dact = _activation(activation)
    sig, dsig = _activation(recurrent_activation)
    B, T, D = x.shape
    n = recurrent_kernel.shape[0]
    dtype = x.dtype
    # Weights transposed, gate blocks in the op's order (o, i, f, g).
    W_T = _to_op_order(kernel.data, n).T                                    # (4 units, D)
    U_T = _to_op_order(recurrent_kernel.data, n).T                          # (4 units, units)
    b = None if bias is None else _to_op_order(bias.data, n)                # (4 units,)
    m = None if mask is None else np.ascontiguousarray(                     # (T, 1, B): 1 = real step
        np.asarray(getattr(mask, "data", mask), dtype=bool).T[:, None, :]).astype(dtype)
    rm = None if recurrent_mask is None else np.ascontiguousarray(         # (units, B)
        np.asarray(getattr(recurrent_mask, "data", recurrent_mask), dtype).T)

    # The default pair (sigmoid gates, tanh cell) takes the fast path: all four
    # gates in one tanh call, since sigmoid(z) = 0.5 + 0.5 tanh(z / 2). The
    # sigmoid rows of the weights and bias are halved beforehand, so z / 2
    # comes out of the products themselves; halving is exact in floating point,
    # so the gates are bit for bit those of the plain path below.
    fused = activation == "tanh" and recurrent_activation == "sigmoid"
    W_in, U_in, b_in = W_T, U_T, b
    if fused:
        half = np.r_[np.full(3 * n, 0.5), np.ones(n)].astype(dtype)[:, None]   # (4 units, 1): o, i, f halved
        W_in, U_in = W_T * half, U_T * half
        b_in = None if b is None else b * half[:, 0]
    W_in, U_in = np.ascontiguousarray(W_in), np.ascontiguousarray(U_in)
    W_x = W_in if b_in is None else np.concatenate([W_in, b_in[:, None]], axis=1)   # (4 units, D [+ 1])
    # What does not wait for the recurrence runs outside the loops, in whole passes over all the steps, each
    # cut into one range of steps per thread of the pool (ops/parallel.py): the input products here; the
    # local derivatives, dx and the weight gradients in the backward pass. The numpy step loops run alone on
    # this thread: a helper thread working chunk by chunk beside them, 16 steps ahead, saved less than it
    # cost, for each step's small numpy calls waited for the GIL. The float32 compiled loops release the GIL
    # for ~10 steps at a time, and there the passes do run beside them (parallel.run_ahead, run_pipelined).
    parts = parallel.split(T, parallel.get_num_threads())
    gates = np.empty((T, 4 * n, B), dtype=dtype)                            # x_t W + b, then the gates
    # What each step leaves for the backward pass and the output: step t's in saved[t + 1], a contiguous
    # (4, units, B) block h_t, i g, f c_{t-1}, c_t (saved[0] holds h_0 and c_0). The (h_t, c_t) pairs are a
    # view, hc (blocks 0 and 3, a stride of 3 blocks), and so is the op's output.
    saved = np.empty((T + 1, 4, n, B), dtype=dtype)
    hs, ig_rows, fc_rows, cs = (saved[:, k] for k in range(4))              # (T + 1, units, B) each
    hc = saved[:, ::3]                                                      # (T + 1, 2, units, B)
    tcs = np.empty((T, n, B), dtype=dtype)                                  # act(c~_t)
    # sigmoid and tanh (under any name) have their derivatives in terms of the saved products; with a
    # mask, saved holds the carried h_t, not o act(c~_t), so the general formulas are used then.
    from_products = sig is _sigmoid and act is _tanh and m is None

    def project(steps):                                                     # x_t W + b for these steps
        x_rows = np.empty((steps.stop - steps.start, W_x.shape[1], B), dtype)   # (steps, D [+ 1], B)
        x_rows[:, :D] = x.data[:, steps].transpose(1, 2, 0)
        x_rows[:, D:] = 1                                                   # the bias's row: b times 1, in
        np.matmul(W_x, x_rows, out=gates[steps])                           # the product (one pass fewer)

    hs[0], cs[0] = h0.data.T, c0.data.T
    # Per-step views, indexed by t alone below: one index costs less than a tuple of slices.
    sigmoid_rows, g_rows = gates[:, :3 * n], gates[:, 3 * n:]               # (T, 3 units, B), (T, units, B)
    o_rows, i_rows, f_rows = gates[:, :n], gates[:, n:2 * n], gates[:, 2 * n:3 * n]
    z = np.empty((4 * n, B), dtype=dtype)                                   # reused every step
    # Bound once: a local name is found faster than np's attribute. np.dot has less to dispatch than
    # np.matmul: ~0.3 us less for each step's recurrent product (5.5 us at the bench's shapes).
    dot, matmul, add, multiply, tanh = np.dot, np.matmul, np.add, np.multiply, np.tanh
    one_half = np.dtype(dtype).type(0.5)    # a numpy scalar: ~0.15 us less a call than converting 0.5
    # In float32, the steps run in compiled calls (ops/compiled.py: their own tanh, within a few units in the
    # last place of numpy's), ~10 steps a call, on this thread (they release the GIL), each range as soon as
    # its input products are made (on another thread, ahead). Else the input products first, then the step
    # loop below: each step's elementwise work after its tanh as one compiled call (the same numbers as the
    # numpy calls beside it).
    gemm = compiled.sgemm() if fused and m is None and dtype == np.float32 else None
    ranges = parallel.split(T, max(1, T // 10))                             # (for the compiled loops)
    if gemm is not None:
        def steps(i):
            compiled.lstm_forward_steps(gemm, U_in, rm, gates, saved, tcs, one_half, ranges[i].start,
                                        ranges[i].stop)
        parallel.run_ahead(lambda i: project(ranges[i]), steps, len(ranges), uses_blas=True)
    else:
        parallel.run(project, parts, uses_blas=True)
        cell = compiled.lstm_cell_forward if fused and m is None and compiled.enabled_for(dtype) else None
        for t in range(T):
            gt = gates[t]                                                       # holds x_t W + b
            dot(U_in, hs[t] if rm is None else hs[t] * rm, out=z)
            add(z, gt, out=z)                                                   # z_t = x_t W + h_{t-1} U + b
            if cell is not None:
                tanh(z, out=gt)
                cell(gt, one_half, cs[t], fc_rows[t + 1], ig_rows[t + 1], cs[t + 1])  # sigmoids; c~_t = f c + i g
                multiply(o_rows[t], tanh(cs[t + 1], out=tcs[t]), out=hs[t + 1])     # h~_t = o tanh(c~_t)
                continue
            if fused:                                                           # (halved in the o, i, f rows)
                tanh(z, out=gt)
                sigmoids = sigmoid_rows[t]
                multiply(sigmoids, one_half, out=sigmoids)
                add(sigmoids, one_half, out=sigmoids)                           # o, i, f = sigmoid; g = tanh
            else:
                sig(z[:3 * n], out=sigmoid_rows[t])                             # o, i, f
                act(z[3 * n:], out=g_rows[t])                                   # g
            c_new = add(multiply(f_rows[t], cs[t], out=fc_rows[t + 1]),          # c~_t = f c_{t-1} + i g
                        multiply(i_rows[t], g_rows[t], out=ig_rows[t + 1]), out=cs[t + 1])
            tc = tanh(c_new, out=tcs[t]) if fused else act(c_new, out=tcs[t])
            h_new = multiply(o_rows[t], tc, out=hs[t + 1])                      # h~_t = o act(c~_t)
            if m is not None:                                                   # masked: keep the old state
                cs[t + 1] = _carry(m[t], c_new, cs[t])
                hs[t + 1] = _carry(m[t], h_new, hs[t])

    def backward(grad):
        if return_sequences:                                                # (B, T, units) -> (T, units, B)
            gh, gc = (np.ascontiguousarray(a.transpose(1, 2, 0)) for a in grad)
            dh, dc = np.zeros((n, B), dtype), np.zeros((n, B), dtype)       # dL/dh_t, dL/dc_t from later steps
        else:                                                               # only h_T, c_T are outputs
            gh = gc = None
            dh, dc = (np.array(a.T, dtype=dtype, order="C") for a in grad)
        # dz: dL/dz_t of every step. The step loop turns the local derivatives, made first, into it in place;
        # the whole compiled loop (float32) makes each step's local derivatives itself.
        dz, dh_dc = np.empty_like(gates), None if gemm is not None else np.empty_like(tcs)

        def local_derivatives(steps):
            if from_products:
                after = slice(steps.start + 1, steps.stop + 1)              # the steps' blocks in saved
                _lstm_local_derivatives_sigmoid_tanh(gates[steps], saved[after, :3].reshape(-1, 3 * n, B),
                                                     tcs[steps], out=dz[steps], dh_dc=dh_dc[steps])
            else:
                _lstm_local_derivatives(gates[steps], cs[steps], tcs[steps], dsig, dact, out=dz[steps],
                                        dh_dc=dh_dc[steps])

        U_op = np.ascontiguousarray(U_T.T)                                  # (units, 4 units)
        dc_new, dc_prev, dh_prev = (np.empty((n, B), dtype) for _ in range(3))

        # The weight gradients are sums over the steps: dL/dW^T = sum_t dz_t x_t, dL/dU^T = sum_t dz_t
        # h_{t-1}^T, dL/db = sum_t dz_t 1. Each step's three products are one, dz_t @ [x_t | h_{t-1}^T | 1]
        # (B, D + units [+ 1]), made per range of steps on the pool's threads; the sum over the steps then
        # runs in the steps' order, whichever thread made a product: the same bits on any thread count.
        width = D + n + (b is not None)
        inputs_by_step = np.empty((T, B, width), dtype)                     # [x_t | h_{t-1}^T | 1]
        per_step = np.empty((T, 4 * n, width), dtype)                       # dz_t @ [x_t | h_{t-1}^T | 1]
        # dL/dx_t = dz_t^T W^T, written step by step into a (B, T, D) array: the layer below (an Embedding's
        # scatter) then reads it without a copy.
        dx = np.empty((B, T, D), dtype)
        dxs = dx.transpose(1, 0, 2)                                         # (T, B, D), a view
        x_steps = x.data.transpose(1, 0, 2)                                 # (T, B, D), a view

        def products(steps):
            h_prev = hs[steps] if rm is None else hs[steps] * rm            # (steps, units, B)
            inputs_by_step[steps, :, :D] = x_steps[steps]
            inputs_by_step[steps, :, D:D + n] = h_prev.transpose(0, 2, 1)
            inputs_by_step[steps, :, D + n:] = 1
            matmul(dz[steps], inputs_by_step[steps], out=per_step[steps])
            matmul(dz[steps].transpose(0, 2, 1), W_T, out=dxs[steps])
        if gemm is not None:
            # The whole loop: the forward's compiled calls of ~10 steps each, latest first, on this thread
            # (they release the GIL); each range's products start on another thread as soon as its steps
            # are done.
            latest_first = ranges[::-1]

            def loop(i):
                compiled.lstm_backward_steps(gemm, U_op, rm, gh, gc, gates, saved, tcs, dz, dh, dc, dh_prev,
                                             dc_prev, latest_first[i].start, latest_first[i].stop)
            parallel.run_pipelined(loop, lambda i: products(latest_first[i]), len(latest_first), uses_blas=True)
        else:
            parallel.run(local_derivatives, parts)
            dz_o, dz_ifg = dz[:, :n], dz[:, n:].reshape(T, 3, n, B)             # (T, units, B), (T, 3, units, B)
            cell = compiled.lstm_cell_backward if m is None and compiled.enabled_for(dtype) else None
            for t in reversed(range(T)):
                if gh is not None:
                    add(dh, gh[t], out=dh)
                    add(dc, gc[t], out=dc)
                if cell is not None:                                            # the multiplies below, compiled
                    cell(dh, dh_dc[t], dc, dz[t], f_rows[t], dc_new, dc_prev)
                    dot(U_op, dz[t], out=dh_prev)
                    if rm is not None:
                        dh_prev *= rm
                    dh, dh_prev = dh_prev, dh
                    dc, dc_prev = dc_prev, dc
                    continue
                mt = None if m is None else m[t]
                dh_new = dh if mt is None else mt * dh                          # through h_t = m h~_t + (1-m) h_{t-1}
                multiply(dh_new, dh_dc[t], out=dc_new)                          # h~ = o act(c~)
                add(dc_new, dc if mt is None else mt * dc, out=dc_new)
                dz_t = dz_o[t]                                                  # dz = upstream * local derivative:
                multiply(dz_t, dh_new, out=dz_t)                                # dh~ for o,
                dz_t = dz_ifg[t]
                multiply(dz_t, dc_new, out=dz_t)                                # dc~ for i, f, g
                dot(U_op, dz[t], out=dh_prev)                                   # z = x W + h_{t-1} U + b
                if rm is not None:
                    dh_prev *= rm
                multiply(dc_new, f_rows[t], out=dc_prev)                        # c~ = f c_{t-1} + ...
                if mt is not None:                                              # a masked step passes its
                    dh_prev += (1 - mt) * dh                                    # gradients straight through
                    dc_prev += (1 - mt) * dc
                dh, dh_prev = dh_prev, dh                                       # (the old arrays are reused)
                dc, dc_prev = dc_prev, dc
            parallel.run(products, parts, uses_blas=True)
        # ones @ rows sums the steps in BLAS, ~2x faster than per_step.sum(axis=0); on one BLAS thread (one
        # call, the same on any thread count), for OpenBLAS's threaded matrix-vector product took 8 ms here.
        with parallel.one_blas_thread():
            sums = (np.ones(T, dtype) @ per_step.reshape(T, 4 * n * width)).reshape(4 * n, width)
        dW = _to_keras_order(sums[:, :D].T, n)                              # (D, 4 units)
        dU = _to_keras_order(sums[:, D:D + n].T, n)                         # (units, 4 units)
        db = None if b is None else _to_keras_order(sums[:, D + n], n)
        return dx, dW, dU, db, dh.T, dc.T
    out = hc[1:].transpose(1, 3, 0, 2) if return_sequences else hc[-1].transpose(0, 2, 1)  # views
    return record("lstm", out, (x, kernel, recurrent_kernel, bias, h0, c0), backward)


# ---------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------

def gru(inputs, kernel, recurrent_kernel, bias, initial_state, mask=None, recurrent_mask=None,
        activation="tanh", recurrent_activation="sigmoid", reset_after=True, return_sequences=True):
    """Runs a Gated Recurrent Unit layer over time (Keras's gate order z, r, h).

    Formula (σ = recurrent_activation, act = activation; x_z is the z block of
    `x_t @ kernel + input_bias`, u_z that of `h_{t-1} @ recurrent_kernel + recurrent_bias`):
        z = σ(x_z + u_z)                     # update gate
        r = σ(x_r + u_r)                     # reset gate
        hh = act(x_h + r * u_h)              # reset_after=True (Keras 3 default, cuDNN style)
        hh = act(x_h + (r * h_{t-1}) @ recurrent_kernel_h)   # reset_after=False (original paper)
        h_t = z * h_{t-1} + (1 - z) * hh

    Args:
        inputs: `(batch, time, features)`; kernel `(features, 3 units)`;
        recurrent_kernel `(units, 3 units)`; bias: `(2, 3 units)` (input
        bias, recurrent bias) when reset_after, else `(3 units,)`, or None;
        initial_state: `(batch, units)`.

    Returns:
        The state after every step, `(batch, time, units)`; with
        `return_sequences=False` only the last one, `(batch, units)`.

    Example:
        >>> x = np.ones((2, 5, 3), "float32")
        >>> k, rk, h0 = np.zeros((3, 12), "float32"), np.zeros((4, 12), "float32"), np.zeros((2, 4), "float32")
        >>> teachnet.ops.gru(x, k, rk, np.zeros((2, 12), "float32"), h0, return_sequences=False).shape
        (2, 4)
    """
    x, kernel, recurrent_kernel, xs, m, rm = _prepare(inputs, kernel, recurrent_kernel, mask, recurrent_mask)
    bias = None if bias is None else convert_to_tensor(bias)
    h0 = convert_to_tensor(initial_state)
    act, dact = _activation(activation)
    sig, dsig = _activation(recurrent_activation)
    W, U = kernel.data, recurrent_kernel.data
    T, n = xs.shape[0], U.shape[0]
    z_, r_, h_, zr_ = slice(0, n), slice(n, 2 * n), slice(2 * n, 3 * n), slice(0, 2 * n)
    if bias is None:
        input_bias = recurrent_bias = None
    elif reset_after:
        input_bias, recurrent_bias = bias.data[0], bias.data[1]
    else:
        input_bias, recurrent_bias = bias.data, None

    xw = _input_projection(xs, W, input_bias)                               # (T, B, 3 units)
    gates = np.empty_like(xw)                                               # z, r, hh after activation
    uh = np.empty((T,) + h0.shape, dtype=xw.dtype)       # reset_after: u_h; else: r * h_{t-1} (masked)
    hs = np.empty((T + 1,) + h0.shape, dtype=xw.dtype)                      # hs[t + 1] = h_t
    hs[0] = h0.data
    for t in range(T):
        h_prev = hs[t] if rm is None else hs[t] * rm
        gt = gates[t]
        if reset_after:
            u = h_prev @ U                                                  # (B, 3 units)
            if recurrent_bias is not None:
                u += recurrent_bias
            gt[:, zr_] = sig(xw[t][:, zr_] + u[:, zr_])                     # z, r
            uh[t] = u[:, h_]
            gt[:, h_] = act(xw[t][:, h_] + gt[:, r_] * uh[t])               # hh
        else:
            gt[:, zr_] = sig(xw[t][:, zr_] + h_prev @ U[:, zr_])
            uh[t] = gt[:, r_] * h_prev                                      # r * h_{t-1}
            gt[:, h_] = act(xw[t][:, h_] + uh[t] @ U[:, h_])
        h_new = gt[:, z_] * hs[t] + (1 - gt[:, z_]) * gt[:, h_]             # h~_t
        hs[t + 1] = _carry(None if m is None else m[t], h_new, hs[t])

    def backward(g):
        g, dh = _output_gradient(g, return_sequences, hs[0])               # dh: dL/dh_t from later steps
        dxw = np.empty_like(gates)                                          # dL/d(x_t @ kernel + input_bias)
        du = np.empty_like(gates)                                           # dL/d(h_{t-1} @ recurrent_kernel ...)
        U_T, U_h_T, U_zr_T = _t(U), _t(U[:, h_]), _t(U[:, zr_])
        for t in reversed(range(T)):
            if g is not None:
                dh = dh + g[t]
            mt = None if m is None else m[t]
            dh_new = dh if mt is None else mt * dh                          # h_t = m h~_t + (1-m) h_{t-1}
            gt = gates[t]
            z, r, hh = gt[:, z_], gt[:, r_], gt[:, h_]
            h_prev = hs[t] if rm is None else hs[t] * rm
            dxw[t][:, z_] = dh_new * (hs[t] - hh) * dsig(z)                # h~ = z h_{t-1} + (1-z) hh
            dxw[t][:, h_] = dh_new * (1 - z) * dact(hh)                     # through hh = act(a_h)
            da_h = dxw[t][:, h_]
            dh_prev = dh_new * z                                            # the direct z * h_{t-1} path
            if reset_after:                                                 # a_h = x_h + r * u_h
                dxw[t][:, r_] = da_h * uh[t] * dsig(r)
                du[t][:, zr_] = dxw[t][:, zr_]
                du[t][:, h_] = da_h * r
                drec = du[t] @ U_T
            else:                                                           # a_h = x_h + (r h_{t-1}) U_h
                d_rh = da_h @ U_h_T
                dxw[t][:, r_] = d_rh * h_prev * dsig(r)
                du[t] = dxw[t]
                drec = dxw[t][:, zr_] @ U_zr_T + d_rh * r
            dh_prev = dh_prev + (drec if rm is None else drec * rm)
            if mt is not None:
                dh_prev += (1 - mt) * dh
            dh = dh_prev
        h_prev = (hs[:-1] if rm is None else hs[:-1] * rm).reshape(-1, n)   # (T*B, units)
        if reset_after:
            dU = _t(h_prev) @ du.reshape(-1, 3 * n)
        else:
            dU = np.concatenate([_t(h_prev) @ du[:, :, zr_].reshape(-1, 2 * n),
                                 _t(uh.reshape(-1, n)) @ du[:, :, h_].reshape(-1, n)], axis=1)
        dx, dW, dinput_bias = _input_grads(xs, W, dxw, bias is not None)
        if bias is None:
            db = None
        elif reset_after:
            db = np.stack([dinput_bias, du.reshape(-1, 3 * n).sum(axis=0)])  # (2, 3 units)
        else:
            db = dinput_bias
        return dx, dW, dU, db, dh
    out = np.ascontiguousarray(np.swapaxes(hs[1:], 0, 1)) if return_sequences else hs[-1]   # (B, T, units)
    return record("gru", out, (x, kernel, recurrent_kernel, bias, h0), backward)
