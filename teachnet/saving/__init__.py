"""`teachnet.saving`: models and weights to files and back, in Keras 3's formats.

- `model.save("m.keras")` / `load_model("m.keras")`: the whole model (config,
  weights, compile settings, optimizer state) in Keras 3's `.keras` archive,
  which `keras.saving.load_model` reads too (keras_file.py);
- `model.save_weights(...)` / `load_weights(...)`: `.weights.h5` (Keras's
  layout) or `.weights.npz` (a plain numpy archive);
- configs, and your own classes, with Keras's names (serialization.py).

Every file is written beside its target and moved into place when complete
(atomic.py), so a failed save never destroys the previous file.
"""
import os

from teachnet.saving.atomic import atomic_write  # noqa: F401
from teachnet.saving.keras_file import load_model, save_model  # noqa: F401
from teachnet.saving.serialization import (  # noqa: F401
    custom_object_scope, deserialize_keras_object, get_custom_objects, get_registered_name,
    register_keras_serializable, serialize_keras_object)
from teachnet.saving import keras_file, weights_npz

_WEIGHT_SUFFIXES = (".weights.h5", ".weights.npz")


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Writes `model`'s weights to `.weights.h5` (Keras's layout) or `.weights.npz`.

    `max_shard_size` is Keras's option to split big files; teachnet writes one file (None)."""
    path = os.fspath(filepath)
    if max_shard_size is not None:
        raise ValueError("save_weights: teachnet writes one file; sharding is not supported. Received: "
                         f"max_shard_size={max_shard_size!r}. Leave it at None.")
    if path.endswith(".weights.h5"):
        return keras_file.save_weights_h5(model, path, overwrite=overwrite)
    if path.endswith(".weights.npz"):
        return weights_npz.save_weights(model, path, overwrite=overwrite)
    if path.endswith(".keras"):
        raise ValueError(f"save_weights writes weights only, and `.keras` holds a whole model: use "
                         f"model.save({path!r}), or a `.weights.h5` path. Received: filepath={path}")
    raise ValueError(f"The filename must end in `.weights.h5` or `.weights.npz`. Received: filepath={path}. "
                     f"The suffixes teachnet knows: {keras_file._SUFFIXES}.")


def load_weights(model, filepath, skip_mismatch=False):
    """Reads weights from `.weights.h5`, `.weights.npz` or a `.keras` archive into a built model.

    With `skip_mismatch=True` (`.weights.h5` and `.keras`), a layer whose weights
    do not fit is left as it is, with a warning, instead of an error."""
    path = os.fspath(filepath)
    if path.endswith(".weights.npz"):
        if skip_mismatch:
            raise ValueError(f"load_weights: skip_mismatch=True works with `.weights.h5` and `.keras` files, whose "
                             f"weights are grouped by layer. Received: filepath={path}")
        return weights_npz.load_weights(model, path)
    if path.endswith((".weights.h5", ".keras")):
        return keras_file.load_weights(model, path, skip_mismatch=skip_mismatch)
    raise ValueError(f"The filename must end in `.weights.h5`, `.weights.npz` or `.keras`. Received: "
                     f"filepath={path}. The suffixes teachnet knows: {keras_file._SUFFIXES}.")
