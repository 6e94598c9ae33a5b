"""Connectionist Temporal Classification (CTC): a loss for unaligned sequences, and decoding.

A model reads T frames and outputs, per frame, scores over the classes plus
a "blank". A label sequence such as "cat" can be spelled by many frame-level
paths ("cc-a--t", "-ca-tt", ...): repeated symbols merge, blanks vanish. CTC
sums the probability of every such path with dynamic programming over the
*extended label* l' = (blank, c, blank, a, blank, t, blank), S = 2L + 1 states:

    alpha_t(s) = P(the first t+1 frames spell l'_1..l'_s, ending in state s)
    alpha_t(s) = (alpha_{t-1}(s) + alpha_{t-1}(s-1) [+ alpha_{t-1}(s-2)]) * y_t(l'_s)

where the jump from s-2 is allowed when l'_s is not blank and differs from
l'_{s-2} (a blank is needed between two equal symbols). The loss is
-log(alpha_{T-1}(S-1) + alpha_{T-1}(S-2)). Everything is computed in log
space (products become sums, sums become logaddexp), so long sequences
cannot underflow.

The gradient uses the backward variables beta_t(s) (the same recursion run
from the end): with alpha and beta both counting frame t,

    d loss / d logits_{t,k} = y_t(k) - (1 / p) * sum_{s: l'_s = k} alpha_t(s) beta_t(s) / y_t(l'_s)

(y = softmax(logits), p = P(label | input)): the model's probabilities minus
the posterior occupancy of class k at frame t.
"""
import numpy as np

from teachnet.autodiff import Tensor, record
from teachnet.ops.core import convert_to_tensor

__all__ = ["ctc_loss", "ctc_alpha_lattice", "ctc_decode"]

_NEG_INF = -np.inf


def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _logaddexp3(a, b, c):
    return np.logaddexp(np.logaddexp(a, b), c)


def _shift_right(a, k):
    """a[..., s - k] at position s (-inf where s < k)."""
    out = np.full_like(a, _NEG_INF)
    out[..., k:] = a[..., :-k]
    return out


def _shift_left(a, k):
    """a[..., s + k] at position s (-inf where s + k >= S)."""
    out = np.full_like(a, _NEG_INF)
    out[..., :-k] = a[..., k:]
    return out


def _check(target, logits, target_length, output_length):
    target = np.asarray(getattr(target, "data", target))
    target_length = np.asarray(getattr(target_length, "data", target_length)).astype(np.int64).reshape(-1)
    output_length = np.asarray(getattr(output_length, "data", output_length)).astype(np.int64).reshape(-1)
    if target.ndim != 2:
        raise ValueError("ctc: `target` must have shape (batch, max_label_length). "
                         f"Received: target.shape={target.shape}")
    if logits.ndim != 3:
        raise ValueError("ctc: `output` must be logits of shape (batch, time, num_classes); "
                         f"Received: output.shape={logits.shape}")
    batch, steps = logits.shape[:2]
    if target.shape[0] != batch or target_length.shape != (batch,) or output_length.shape != (batch,):
        raise ValueError(f"ctc: batch sizes disagree: target {target.shape}, output {logits.shape}, "
                         f"target_length {target_length.shape}, output_length {output_length.shape}.")
    if np.any(output_length > steps) or np.any(output_length < 1):
        raise ValueError(f"ctc: every output_length must lie in [1, {steps}] (the time axis of the output); "
                         f"Received: output_length={output_length.tolist()}")
    if np.any(target_length > target.shape[1]) or np.any(target_length < 0):
        raise ValueError(f"ctc: every target_length must lie in [0, {target.shape[1]}]; "
                         f"Received: target_length={target_length.tolist()}")
    too_long = np.flatnonzero(target_length > output_length)
    if too_long.size:
        b = int(too_long[0])
        raise ValueError(f"ctc: the label of sample {b} has {target_length[b]} symbols but its output has only "
                         f"{output_length[b]} time steps; CTC needs at least one step per label symbol. Use a "
                         "longer output (less downsampling) or shorter labels.")
    return target.astype(np.int64), target_length, output_length


def _extended_labels(target, target_length, blank):
    """l' = (blank, l_1, blank, l_2, ..., blank), shape (batch, 2 * max_label_length + 1)."""
    batch, max_len = target.shape
    ext = np.full((batch, 2 * max_len + 1), blank, dtype=np.int64)
    ext[:, 1::2] = np.where(np.arange(max_len) < target_length[:, None], target, blank)
    # the s-2 -> s jump: into a symbol that differs from the symbol two states back
    skip = np.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    return ext, skip


def _alpha(logp_ext, skip, output_length):
    """Forward variables log alpha, shape (T, batch, S); frozen after each sample's last frame."""
    T = logp_ext.shape[0]
    alpha = np.full(logp_ext.shape, _NEG_INF, dtype=logp_ext.dtype)
    alpha[0, :, :2] = logp_ext[0, :, :2]                  # start in the first blank or the first symbol
    for t in range(1, T):
        a = alpha[t - 1]
        step = _logaddexp3(a, _shift_right(a, 1), np.where(skip, _shift_right(a, 2), _NEG_INF)) + logp_ext[t]
        alpha[t] = np.where((t < output_length)[:, None], step, a)
    return alpha


def _beta(logp_ext, skip, output_length, states):
    """Backward variables log beta (counting frame t too), shape (T, batch, S); -inf after the last frame."""
    T, batch, S = logp_ext.shape
    beta = np.full(logp_ext.shape, _NEG_INF, dtype=logp_ext.dtype)
    rows, has_symbol = np.arange(batch), states >= 2
    skip_next = _shift_left(skip, 2)                      # may state s jump to s + 2?
    for t in reversed(range(T)):
        last = t == output_length - 1                    # this sample's final frame: end in the last blank or symbol
        start = np.full((batch, S), _NEG_INF, dtype=logp_ext.dtype)
        start[rows, states - 1] = 0.0                     # the final blank
        start[rows[has_symbol], states[has_symbol] - 2] = 0.0   # the last symbol (when the label is not empty)
        if t + 1 < T:
            b = beta[t + 1]
            inner = _logaddexp3(b, _shift_left(b, 1), np.where(skip_next, _shift_left(b, 2), _NEG_INF))
        else:
            inner = start
        inner = np.where(last[:, None], start, inner)
        beta[t] = np.where((t < output_length)[:, None], inner + logp_ext[t], _NEG_INF)
    return beta


def _lattice(target, logits, target_length, output_length, mask_index):
    target, target_length, output_length = _check(target, logits, target_length, output_length)
    logp = _log_softmax(logits)                                             # (B, T, K)
    ext, skip = _extended_labels(target, target_length, mask_index)       # (B, S)
    logp_ext = np.take_along_axis(logp, ext[:, None, :], axis=2)           # (B, T, S): log y_t(l'_s)
    logp_ext = np.ascontiguousarray(np.swapaxes(logp_ext, 0, 1))           # (T, B, S)
    alpha = _alpha(logp_ext, skip, output_length)
    states = 2 * target_length + 1                                         # S_b, per sample
    rows = np.arange(len(states))
    end = alpha[output_length - 1, rows]                                   # (B, S) at each last frame
    last_symbol = np.where(states >= 2, end[rows, np.maximum(states - 2, 0)], _NEG_INF)
    log_p = np.logaddexp(end[rows, states - 1], last_symbol)               # log P(label | input)
    return logp, ext, skip, logp_ext, alpha, states, output_length, log_p


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """Per-sample CTC loss -log P(target | output), as `keras.ops.ctc_loss`.

    Args:
        target: int labels `(batch, max_label_length)`; entries past
            `target_length` are ignored.
        output: logits `(batch, time, num_classes)` (not softmaxed).
        target_length: `(batch,)` number of symbols of each label.
        output_length: `(batch,)` number of valid frames of each output.
        mask_index: the class used as blank (default 0).

    Returns:
        `(batch,)` losses. The gradient with respect to `output` is
        `softmax(output) - posterior occupancy` (see the module docstring);
        frames past `output_length` get zero gradient.

    Raises:
        ValueError: a label has more symbols than its output has frames, or
            shapes and lengths disagree.

    Example:
        >>> loss = ops.ctc_loss([[1]], np.zeros((1, 2, 2)), [1], [2])   # 3 of 4 paths spell "1"
        >>> print(loss)
        [0.28768207]
    """
    output = convert_to_tensor(output)
    logits = output.data.astype(np.result_type(output.dtype, np.float32), copy=False)
    logp, ext, skip, logp_ext, alpha, states, output_length, log_p = _lattice(
        target, logits, target_length, output_length, mask_index)

    def backward(g):
        beta = _beta(logp_ext, skip, output_length, states)                    # (T, B, S)
        # log of alpha_t(s) beta_t(s) / (y_t(l'_s) p): frame t's share of every path through state s
        occupancy = np.exp(alpha + beta - logp_ext - log_p[None, :, None])     # (T, B, S)
        occupancy = np.swapaxes(occupancy, 0, 1)                               # (B, T, S)
        posterior = np.zeros_like(logp)                                        # (B, T, K)
        np.add.at(posterior, (np.arange(len(ext))[:, None, None], np.arange(logp.shape[1])[None, :, None],
                              ext[:, None, :]), occupancy)                    # sum over s with l'_s = k
        valid = (np.arange(logp.shape[1])[None, :] < output_length[:, None])[..., None]
        grad = (np.exp(logp) - posterior) * valid                              # y - posterior
        return (grad * np.asarray(g)[:, None, None],)
    return record("ctc_loss", (-log_p).astype(logits.dtype), (output,), backward)


def ctc_alpha_lattice(target, output, target_length, output_length, mask_index=0):
    """The CTC forward variables of each sample, for drawing the alignment lattice.

    Formula:
        log_alpha[b, t, s] = log of the total probability of the paths through frames 0..t
        that end in state s of the extended labels (blank, l_1, blank, l_2, ..., blank)

    Args:
        target: int labels `(batch, max_label_length)`; entries past `target_length` are ignored.
        output: logits `(batch, time, num_classes)` (not softmaxed).
        target_length: `(batch,)` number of symbols of each label.
        output_length: `(batch,)` number of valid frames of each output.
        mask_index: the class used as blank (default 0).

    Returns:
        `(log_alpha, extended_labels)`: `log_alpha` `(batch, time, S)` with
        S = 2 * max_label_length + 1 (-inf where a state is unreachable), and
        the extended labels `(batch, S)` (blank, l_1, blank, l_2, ..., blank)
        naming the state of each column. Both are numpy arrays (no gradient).

    Example:
        >>> log_alpha, labels = ops.ctc_alpha_lattice([[1]], np.zeros((1, 2, 2)), [1], [2])
        >>> log_alpha.shape, labels.tolist()
        ((1, 2, 3), [[0, 1, 0]])
    """
    logits = np.asarray(getattr(output, "data", output), dtype=np.float64)
    _, ext, _, _, alpha, _, _, _ = _lattice(target, logits, target_length, output_length, mask_index)
    return np.swapaxes(alpha, 0, 1), ext


# ---------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------

def _collapse(path, blank):
    """Merges repeats, then drops blanks: (a, a, -, a, b, b) -> (a, a, b)."""
    out, prev = [], None
    for k in path:
        if k != prev and k != blank:
            out.append(int(k))
        prev = k
    return out


def _greedy(inputs, lengths, merge_repeated, blank):
    batch, steps, _ = inputs.shape
    best = inputs.argmax(axis=-1)                                         # (B, T) best class per frame
    valid = np.arange(steps)[None, :] < lengths[:, None]
    scores = -np.where(valid, inputs.max(axis=-1), 0.0).sum(axis=1, keepdims=True)   # (B, 1), as Keras
    decoded = np.full((1, batch, steps), -1, dtype=np.int64)
    for b in range(batch):
        path = best[b, :lengths[b]]
        symbols = _collapse(path, blank) if merge_repeated else [int(k) for k in path if k != blank]
        decoded[0, b, :len(symbols)] = symbols
    return decoded, scores


def _beam_search(inputs, lengths, beam_width, top_paths, blank):
    """Prefix beam search: keeps the `beam_width` most probable label prefixes,
    each with the log probability of ending in a blank (pb) or in its last symbol (pnb)."""
    logp = _log_softmax(inputs)
    batch, steps, num_classes = inputs.shape
    decoded = np.full((top_paths, batch, steps), -1, dtype=np.int64)
    scores = np.full((batch, top_paths), _NEG_INF)
    for b in range(batch):
        beams = {(): (0.0, _NEG_INF)}                                      # prefix -> (log pb, log pnb)
        for t in range(lengths[b]):
            y = logp[b, t]
            nxt = {}

            def add(prefix, pb=_NEG_INF, pnb=_NEG_INF):
                old_b, old_nb = nxt.get(prefix, (_NEG_INF, _NEG_INF))
                nxt[prefix] = (np.logaddexp(old_b, pb), np.logaddexp(old_nb, pnb))
            for prefix, (pb, pnb) in beams.items():
                total = np.logaddexp(pb, pnb)
                add(prefix, pb=total + y[blank])                           # a blank keeps the prefix
                if prefix:
                    add(prefix, pnb=pnb + y[prefix[-1]])                   # repeating the last symbol merges
                for k in range(num_classes):
                    if k == blank:
                        continue
                    # the same symbol again extends the prefix only after a blank
                    extend = pb if prefix and k == prefix[-1] else total
                    add(prefix + (k,), pnb=extend + y[k])
            ranked = sorted(nxt.items(), key=lambda item: -np.logaddexp(*item[1]))
            beams = dict(ranked[:beam_width])
        ranked = sorted(beams.items(), key=lambda item: -np.logaddexp(*item[1]))[:top_paths]
        for i, (prefix, (pb, pnb)) in enumerate(ranked):
            decoded[i, b, :len(prefix)] = prefix
            scores[b, i] = np.logaddexp(pb, pnb)
    return decoded, scores


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """Decodes CTC outputs into label sequences, as `keras.ops.ctc_decode`.

    Args:
        inputs: `(batch, time, num_classes)` logits or log probabilities.
        sequence_lengths: `(batch,)` valid frames per sample.
        strategy: "greedy" (best class per frame, then merge repeats and
            drop blanks) or "beam_search" (prefix beam search over label
            sequences, summing every path that spells the same labels).
        beam_width: prefixes kept per step (beam_search).
        top_paths: how many decodings to return (beam_search; greedy gives 1).
        merge_repeated: greedy only: merge repeated classes before dropping blanks.
        mask_index: the blank class (default 0).

    Returns:
        `(decoded, scores)`: `decoded` int `(top_paths, batch, time)` padded
        with -1; `scores` `(batch, top_paths)`: for greedy minus the sum of
        the best score per frame (as Keras), for beam search the log
        probability of each decoded label sequence.

    Example:
        >>> frames = np.eye(3)[[1, 1, 0, 2]][None]      # best classes per frame: 1, 1, blank, 2
        >>> decoded, scores = ops.ctc_decode(frames, [4])
        >>> decoded.numpy().tolist()
        [[[1, 2, -1, -1]]]
    """
    inputs = np.asarray(getattr(inputs, "data", inputs))
    inputs = inputs.astype(np.result_type(inputs.dtype, np.float32), copy=False)
    if inputs.ndim != 3:
        raise ValueError("ctc_decode: `inputs` must have shape (batch, time, num_classes). "
                         f"Received: inputs.shape={inputs.shape}")
    lengths = np.asarray(getattr(sequence_lengths, "data", sequence_lengths)).astype(np.int64).reshape(-1)
    if lengths.shape != (inputs.shape[0],) or np.any(lengths < 0) or np.any(lengths > inputs.shape[1]):
        raise ValueError(f"ctc_decode: `sequence_lengths` must be {inputs.shape[0]} lengths in [0, {inputs.shape[1]}]. "
                         f"Received: sequence_lengths={lengths.tolist()}")
    if strategy == "greedy":
        decoded, scores = _greedy(inputs, lengths, merge_repeated, mask_index)
    elif strategy == "beam_search":
        if beam_width < 1 or top_paths < 1 or top_paths > beam_width:
            raise ValueError(f"ctc_decode: need 1 <= top_paths <= beam_width. Received: top_paths={top_paths}, "
                             f"beam_width={beam_width}")
        decoded, scores = _beam_search(inputs, lengths, beam_width, top_paths, mask_index)
    else:
        raise ValueError(f'ctc_decode: `strategy` must be "greedy" or "beam_search". Received: strategy={strategy!r}')
    return Tensor(decoded.astype(np.int32)), Tensor(scores.astype(inputs.dtype))
