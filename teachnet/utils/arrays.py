"""Array helpers with Keras's signatures: one-hot labels, padded sequences, unit-norm rows."""
import numpy as np


def to_categorical(x, num_classes=None):
    """Class ids as one-hot rows (a "binary class matrix"), for `categorical_crossentropy`.

    Formula: out[..., c] = 1 if x[...] == c else 0.

    Args:
        x: integer class ids from 0 to `num_classes - 1`: an array or a list.
            A trailing axis of size 1 is dropped first, as Keras does.
        num_classes: the number of classes; `max(x) + 1` when None.

    Returns:
        A float array of shape `x.shape + (num_classes,)`.

    Example:
        >>> teachnet.utils.to_categorical([0, 2, 1], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.],
               [0., 1., 0.]])
    """
    values = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    if values.size and np.any(values != np.round(values)):
        raise ValueError(f"to_categorical expects integer class ids; received non-integer values such as "
                         f"{values[values != np.round(values)].flat[0]}.")
    ids = values.astype("int64")
    shape = ids.shape[:-1] if ids.ndim > 1 and ids.shape[-1] == 1 else ids.shape
    ids = ids.reshape(-1)
    if not num_classes:
        num_classes = int(ids.max()) + 1 if ids.size else 0
    if ids.size and (ids.min() < 0 or ids.max() >= num_classes):
        raise ValueError(f"to_categorical: class ids must lie in [0, num_classes={num_classes}); received "
                         f"values from {ids.min()} to {ids.max()}. Pass a larger `num_classes` or fix the ids.")
    one_hot = np.zeros((ids.size, num_classes))  # (samples, num_classes), float64 as Keras returns
    one_hot[np.arange(ids.size), ids] = 1
    return one_hot.reshape(shape + (num_classes,))


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Sequences of different lengths as one array, padded (or cut) to one length.

    Args:
        sequences: a list of sequences (lists or arrays of ids, or of vectors).
        maxlen: the length of the result; the longest sequence's when None.
        dtype: the dtype of the result.
        padding: "pre" or "post": add `value`s before or after each sequence.
        truncating: "pre" or "post": drop the first or the last items of a
            sequence longer than `maxlen`.
        value: the padding value.

    Returns:
        An array of shape `(len(sequences), maxlen) + item shape`.

    Example:
        >>> teachnet.utils.pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
        array([[0, 1],
               [2, 3],
               [5, 6]], dtype=int32)
    """
    for argument, given in (("padding", padding), ("truncating", truncating)):
        if given not in ("pre", "post"):
            raise ValueError(f'Expected `{argument}` to be "pre" or "post". Received: {argument}={given!r}')
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be a list of sequences. Received: {type(sequences).__name__}")
    lengths, item_shape = [], None
    for i, s in enumerate(sequences):
        if not hasattr(s, "__len__"):
            raise ValueError(f"`sequences` must be a list of sequences (lists of ids); sequence {i} is "
                             f"{s!r}, not a sequence. Received: {type(s).__name__}")
        lengths.append(len(s))
        if item_shape is None and len(s):
            item_shape = np.asarray(s).shape[1:]
    item_shape = item_shape or ()
    maxlen = max(lengths, default=0) if maxlen is None else maxlen
    out = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(f"Sequence {i} holds items of shape {kept.shape[1:]}, but the first sequence's "
                             f"items have shape {item_shape}; all items must have one shape.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out


def normalize(x, axis=-1, order=2):
    """`x` divided by its norm along `axis` (rows of norm 0 are left as they are).

    Formula: x / ||x||_order, the norm taken along `axis`.

    Args:
        x: a numpy array (or a list).
        axis: the axis along which to normalize.
        order: the order of the norm (2: Euclidean, 1: sum of absolute values).

    Returns:
        A normalized copy of `x`.

    Example:
        >>> teachnet.utils.normalize(np.array([[3.0, 4.0]]))
        array([[0.6, 0.8]])
    """
    x = np.asarray(x.numpy() if hasattr(x, "numpy") else x)
    norm = np.linalg.norm(x, order, axis, keepdims=True)
    norm[norm == 0] = 1
    return x / norm
