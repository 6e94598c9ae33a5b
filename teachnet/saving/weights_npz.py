"""Saving and loading weights as `.weights.npz` files.

A `.weights.npz` file is a plain numpy archive: one array per weight, named
by the weight's path (`dense/kernel`, `dense/bias`, ...) and stored in the
model's weight order. It holds numbers only: loading uses
`np.load(allow_pickle=False)`, so a file cannot smuggle Python objects (a
pickle can run arbitrary code when loaded).

Loading matches weights by position, as Keras does, so a model rebuilt in a
new session (where layers may be called `dense_3` instead of `dense`) loads
the file; a different architecture is refused with the first mismatch.

Example:
    >>> model.save_weights("mnist.weights.npz")
    >>> model.load_weights("mnist.weights.npz")
"""
import os
import zipfile

import numpy as np

from teachnet.saving.atomic import atomic_write

SUFFIX = ".weights.npz"


def _check_filepath(filepath):
    filepath = os.fspath(filepath)
    if not filepath.endswith(SUFFIX):
        raise ValueError(f"The filename must end in `{SUFFIX}`. Received: filepath={filepath}")
    return filepath


def save_weights(model, filepath, overwrite=True):
    """Writes `model`'s weights to `filepath` (which must end in `.weights.npz`).

    Args:
        model: a built model (or layer).
        filepath: the file to write.
        overwrite: if False, an existing file is an error.
    """
    filepath = _check_filepath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists; pass overwrite=True to replace it.")
    if not model.built:
        raise ValueError(f'Model "{model.name}" has no weights yet: build it (call it on data, or give '
                         "it an Input) before saving its weights.")
    arrays, counts = {}, {}
    for w in model.weights:
        key = getattr(w, "path", w.name)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > 1:  # two weights with the same path: keep both
            key = f"{key}_{counts[key] - 1}"
        arrays[key] = w.numpy()
    with atomic_write(filepath) as tmp_path, open(tmp_path, "wb") as f:
        np.savez(f, **arrays)  # a file object keeps numpy from appending ".npz"


def load_weights(model, filepath):
    """Reads weights saved by `save_weights` into `model`, checking every shape.

    Raises:
        ValueError: the file is not a weights archive, holds pickled objects,
            or was saved from a model with different weights.
    """
    filepath = _check_filepath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No weights file at {filepath}: check the path, or write one first with "
                                "model.save_weights(filepath).")
    if not zipfile.is_zipfile(filepath):
        raise ValueError(f"{filepath} is not a teachnet weights file (a numpy .npz archive). If it is a "
                         "pickle, it is refused: loading a pickle can run arbitrary code.")
    try:
        with np.load(filepath, allow_pickle=False) as archive:
            names = list(archive.files)
            arrays = [archive[name] for name in names]
    except ValueError as error:  # an object array inside the archive
        raise ValueError(f"{filepath} contains pickled Python objects, which are refused for safety "
                         f"(loading them could run arbitrary code). ({error})") from None
    if not model.built:
        raise ValueError(f'Model "{model.name}" has no weights yet: build it (call it on data, or give '
                         "it an Input) before loading weights into it.")
    weights = model.weights
    if len(arrays) != len(weights):
        raise ValueError(f'Cannot load {filepath} into model "{model.name}": the model expects {len(weights)} '
                         f"weights {[getattr(w, 'path', w.name) for w in weights]}. Received: {len(arrays)} "
                         f"weights in the file, {names}. Was the file saved from a different architecture?")
    for w, name, array in zip(weights, names, arrays):
        if array.shape != w.shape:
            path = getattr(w, "path", w.name)
            layer = path.split("/")[0]
            raise ValueError(f'Cannot load {filepath} into model "{model.name}": layer "{layer}" expects '
                             f"weight {path} of shape {w.shape}. Received: {name} of shape {array.shape} in the "
                             "file. Was the file saved from a different architecture?")
    for w, array in zip(weights, arrays):
        w.assign(array.astype(w.dtype, copy=False))
