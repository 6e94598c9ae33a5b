"""Keras 3's file formats: whole models in `.keras` archives, weights in `.weights.h5`.

A `.keras` file is a zip archive holding three files:

    metadata.json      {"keras_version": ..., "date_saved": ...}
    config.json        the model's config (see serialization.py), with its compile_config
    model.weights.h5   every weight, and the optimizer's variables, in HDF5

Inside the HDF5 file each layer's own weights sit in a group `<path>/vars`,
numbered `0, 1, ...` in the layer's order (trainable first). The path is
Keras's: a Sequential or functional model lists its layers under `layers/`,
named after their class (`layers/dense`, `layers/dense_1`: not after the
layer's name, which changes from session to session); a layer's sub-layers
sit under the attribute that holds them (an LSTM's weights are in
`layers/lstm/cell/vars`); the optimizer's variables are `optimizer/vars`
(iteration, learning rate, then the slots). Both libraries walk a model the
same way, so either reads the other's files.

h5py is imported only here, and only when such a file is read or written.
Nothing is unpickled: configs are JSON and weights are plain arrays.
"""
import datetime
import io
import json
import os
import warnings
import zipfile

import numpy as np

import teachnet
from teachnet.layers.base import Layer
from teachnet.models.functional import Functional
from teachnet.models.model import Model
from teachnet.models.sequential import Sequential
from teachnet.naming import snake_case
from teachnet.saving import serialization
from teachnet.saving.atomic import atomic_write

KERAS_VERSION = "3.5.0"  # the Keras 3 release whose format this writes (unchanged through 3.15)
_CONFIG, _METADATA, _WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
_SUFFIXES = ("`.keras`: a whole model (architecture, weights, compile settings and optimizer state), "
             "written by model.save and read by teachnet.saving.load_model; "
             "`.weights.h5`: the weights in Keras's HDF5 layout, for model.save_weights / load_weights; "
             "`.weights.npz`: the weights as a numpy archive, teachnet only")
# Attributes that hold layers for teachnet's own bookkeeping, not as children of the layer.
_INTERNAL = {"_tracked_layers", "_graph_layers", "_input_layer"}


def _h5py():
    try:
        import h5py  # late: only reading or writing a .keras/.h5 file needs it (test_packaging checks)
    except ImportError:  # pragma: no cover - h5py is a dependency; this says what to do if it went missing
        raise ImportError("Reading and writing Keras files needs h5py: pip install h5py") from None
    return h5py


# ---------------------------------------------------------------------------
# Walking a model as Keras does
# ---------------------------------------------------------------------------

def _walk(obj, path, visit, seen):
    """Calls visit(layer, path) for `obj` and every sub-layer below it, each once, with Keras's paths."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    visit(obj, path)
    # Sequential and functional models list their layers first; Keras then walks every other
    # attribute in sorted order, private ones last. A subclassed Keras model has a public
    # `layers` attribute too, so its layers not met under their own attribute sit in `layers/`.
    children = [("layers", obj.layers)] if isinstance(obj, (Sequential, Functional)) else []
    candidates = {k: v for k, v in vars(obj).items() if k not in _INTERNAL and k != "optimizer"}
    if isinstance(obj, Model) and not children:
        candidates["layers"] = obj.layers
    for attr in sorted(candidates, key=lambda a: "~" + a if a.startswith("_") else a):
        value = candidates[attr]
        if isinstance(value, Layer) or (isinstance(value, (list, tuple)) and value
                                        and any(isinstance(v, Layer) for v in value)):
            children.append((attr, value))
    for attr, child in children:
        child_path = f"{path}/{attr}" if path else attr
        if isinstance(child, Layer):
            _walk(child, child_path, visit, seen)
            continue
        used = {}
        for item in child:
            if isinstance(item, Layer):
                # Keras's rule: the class name in snake case, numbered from the second one on.
                name = snake_case(type(item).__name__)
                used[name] = used.get(name, -1) + 1
                _walk(item, f"{child_path}/{name}" + (f"_{used[name]}" if used[name] else ""), visit, seen)


def _own_variables(layer):
    """A layer's own weights in Keras's order: trainable ones, then the others, each in creation order."""
    own = layer._own_weights
    return [w for w in own if w.trainable] + [w for w in own if not w.trainable]


def _write_weights(model, h5file):
    def visit(layer, path):
        group = h5file.require_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = layer.name
        for i, w in enumerate(_own_variables(layer)):
            group.create_dataset(str(i), data=w.numpy())
    _walk(model, "", visit, set())
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        if not optimizer.built and model.trainable_weights:
            optimizer.build(model.trainable_weights)  # zero slots, as Keras has them after compile
        group = h5file.require_group("optimizer/vars")
        group.attrs["name"] = optimizer.name
        for i, v in enumerate(optimizer.variables):
            group.create_dataset(str(i), data=np.asarray(v.numpy()))


def _read_weights(model, h5file, filepath, skip_mismatch=False):
    assignments = []

    def visit(layer, path):
        try:
            assignments.extend(_layer_assignments(layer, path, h5file, filepath))
        except ValueError as error:
            if not skip_mismatch:
                raise
            warnings.warn(f"Skipping layer '{layer.name}' (skip_mismatch=True): {error}")
    _walk(model, "", visit, set())
    for w, array in assignments:  # only once every shape matched: a refused file changes nothing
        w.assign(array.astype(w.dtype, copy=False))
    _read_optimizer(model, h5file, filepath)


def _layer_assignments(layer, path, h5file, filepath):
    """[(weight, array)] for one layer's own weights, after checking their number and shapes."""
    key = f"{path}/vars" if path else "vars"
    variables = _own_variables(layer)
    group = h5file.get(key)
    if group is None:
        if variables:
            raise ValueError(f"{filepath} has no weights for layer '{layer.name}' (looked for `{key}`). Was it "
                             "saved from a different model?")
        return []
    if len(group) != len(variables):
        raise ValueError(f"{filepath}: layer '{layer.name}' expects {len(variables)} weights "
                         f"{[w.path for w in variables]}. Received: {len(group)} in the file under `{key}`. "
                         "Was it saved from a different architecture?")
    pairs = []
    for i, w in enumerate(variables):
        array = np.asarray(group[str(i)])
        if array.shape != w.shape:
            raise ValueError(f"{filepath}: layer '{layer.name}' expects weight {w.path} of shape {w.shape}. "
                             f"Received: `{key}/{i}` in the file, of shape {array.shape}. Was it saved from a "
                             "different architecture?")
        pairs.append((w, array))
    return pairs


def _read_optimizer(model, h5file, filepath):
    """The optimizer's variables: iteration, learning rate, then the slots (none if saved before any step)."""
    optimizer = getattr(model, "optimizer", None)
    group = h5file.get("optimizer/vars")
    if optimizer is not None and group is not None and len(group):
        steps_and_rate = [v for v in optimizer.variables if v is optimizer.iterations or v.name == "learning_rate"]
        if len(group) == len(steps_and_rate):  # compiled, never trained: Keras writes no slots yet
            variables = steps_and_rate
        else:
            if not optimizer.built and model.trainable_weights:
                optimizer.build(model.trainable_weights)
            variables = optimizer.variables
        if len(group) != len(variables):
            warnings.warn(f"Skipping the optimizer state in {filepath}: optimizer '{optimizer.name}' has "
                          f"{len(variables)} variables, the file {len(group)}. Training continues from fresh "
                          "optimizer slots.")
            return
        for i, v in enumerate(variables):
            v.assign(np.asarray(group[str(i)]).astype(v.dtype, copy=False).reshape(v.shape))


# ---------------------------------------------------------------------------
# Whole models: .keras
# ---------------------------------------------------------------------------

def _check_suffix(filepath, wanted, action):
    filepath = os.fspath(filepath)
    if not filepath.endswith(wanted):
        raise ValueError(f"{action}: the filepath must end in `{wanted}`. Received: filepath={filepath}. "
                         f"The suffixes teachnet knows: {_SUFFIXES}.")
    return filepath


def _check_overwrite(filepath, overwrite):
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} already exists and overwrite=False: pass overwrite=True to replace "
                              "it, or choose another filepath.")


def model_config(model):
    """The config.json of `model`: its Keras config, with compile_config when compiled."""
    config = serialization.serialize_keras_object(model)
    compile_config = getattr(model, "_compile_config", None)
    if getattr(model, "compiled", False) and compile_config is not None:
        config["compile_config"] = serialization.serialize_keras_object(
            {**compile_config, "optimizer": model.optimizer, "run_eagerly": False, "steps_per_execution": 1,
             "jit_compile": False})
    return config


def save_model(model, filepath, overwrite=True, zipped=None):
    """Writes `model` to a `.keras` archive that Keras 3's `keras.saving.load_model` reads.

    Args:
        model: a built model.
        filepath: where to write; must end in `.keras`.
        overwrite: if False, an existing file is an error.
        zipped: Keras's option to write an unzipped folder; teachnet writes
            the zipped archive only (None or True).

    The file is written beside `filepath` and moved into place at the end, so a
    failed save leaves any previous file intact.
    """
    if zipped is False:
        raise ValueError("model.save: teachnet writes zipped `.keras` archives only. Received: zipped=False. "
                         "Leave `zipped` at None.")
    filepath = _check_suffix(filepath, ".keras", "model.save")
    _check_overwrite(filepath, overwrite)
    if not model.built:
        raise ValueError(f'Model "{model.name}" has no weights yet: build it (call it on data, or give it an '
                         "Input) before saving it.")
    config = json.dumps(model_config(model), indent=1)
    metadata = json.dumps({"keras_version": KERAS_VERSION, "date_saved": datetime.datetime.now().strftime(
        "%Y-%m-%d@%H:%M:%S"), "teachnet_version": _teachnet_version()})
    h5py = _h5py()
    with atomic_write(filepath) as tmp_path:
        with zipfile.ZipFile(tmp_path, "w") as archive:
            archive.writestr(_METADATA, metadata)
            archive.writestr(_CONFIG, config)
            buffer = io.BytesIO()  # h5py needs a seekable file; a zip member is not one
            with h5py.File(buffer, "w") as h5file:
                _write_weights(model, h5file)
            archive.writestr(_WEIGHTS, buffer.getvalue())


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved as `.keras` (by teachnet's `model.save` or by Keras 3).

    Args:
        filepath: a `.keras` file.
        custom_objects: your classes and functions, by name or registered name.
        compile: whether to compile the model as it was saved (optimizer
            state included).
        safe_mode: False allows a Lambda layer's Python code to load; only
            for files you trust.

    Raises:
        ValueError: the file is not a Keras archive, is damaged, or names a
            class teachnet does not have (and that you did not pass).
    """
    filepath = os.fspath(filepath)
    if filepath.endswith((".h5", ".hdf5")) and not filepath.endswith(".weights.h5"):
        raise ValueError(f"Cannot load {filepath}: it is a legacy Keras 2 HDF5 model file, which teachnet does not "
                         "read. Re-save it with Keras 3 as `.keras` (model.save('model.keras')).")
    if filepath.endswith((".weights.h5", ".weights.npz")):
        raise ValueError(f"Cannot load {filepath} with load_model: it holds weights only. Rebuild the model and call "
                         f"model.load_weights({filepath!r}). The suffixes teachnet knows: {_SUFFIXES}.")
    _check_suffix(filepath, ".keras", "load_model")
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No file at {filepath}: check the path, or write one first with model.save.")
    with _open_archive(filepath) as archive:
        config = _read_json(archive, filepath, _CONFIG)
        _read_json(archive, filepath, _METADATA)
        model = _model_from_config(config, filepath, custom_objects, safe_mode)
        if compile and config.get("compile_config"):
            try:
                compile_from_config(model, config["compile_config"], custom_objects)
            except (ValueError, TypeError) as error:
                raise ValueError(f"Cannot compile the model in {filepath} as it was saved: {error} (pass "
                                 "compile=False to load it uncompiled).") from error
        load_weights_from_archive(model, archive, filepath)
    return model


def _teachnet_version():
    return getattr(teachnet, "__version__", "unknown")


class _open_archive:
    """A `.keras` zip archive opened for reading; any damage becomes a ValueError naming the file."""

    def __init__(self, filepath):
        self.filepath = filepath

    def __enter__(self):
        if not zipfile.is_zipfile(self.filepath):
            raise ValueError(f"{self.filepath} is not a Keras `.keras` archive (it is not a zip file): it may be "
                             "truncated or corrupted, or another kind of file renamed.")
        try:
            self.archive = zipfile.ZipFile(self.filepath)
            damaged = self.archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ValueError(f"{self.filepath} is a damaged zip archive ({error}).") from None
        if damaged is not None:
            raise ValueError(f"{self.filepath} is damaged: the member {damaged!r} fails its checksum.")
        names = self.archive.namelist()
        missing = [n for n in (_CONFIG, _METADATA, _WEIGHTS) if n not in names]
        if missing:
            raise ValueError(f"{self.filepath} is not a complete Keras archive: it lacks {missing} (it holds "
                             f"{names}).")
        return self.archive

    def __exit__(self, *exc):
        self.archive.close()


def _read_json(archive, filepath, name):
    try:
        data = json.loads(archive.read(name).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{filepath}: {name} is not valid JSON ({error}).") from None
    if not isinstance(data, dict):
        raise ValueError(f"{filepath}: expected {name} to hold a JSON object. Received: a JSON "
                         f"{type(data).__name__}. The file may come from another program: save it again with "
                         "model.save.")
    return data


def _model_from_config(config, filepath, custom_objects, safe_mode):
    if "class_name" not in config or "config" not in config:
        raise ValueError(f"{filepath}: expected config.json to be a Keras model config, with `class_name` and "
                         f"`config`. Received: the keys {sorted(config)}. Save the model again with model.save.")
    try:
        model = serialization.deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode)
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(f"Cannot load {filepath}: {error}") from error
    if not isinstance(model, Layer):
        raise ValueError(f"{filepath}: expected the config of a model. Received: the config of a "
                         f"{type(model).__name__}. Load it with the function that reads that kind of object.")
    return model


def compile_from_config(model, compile_config, custom_objects=None):
    """Compiles `model` as a saved `compile_config` says (Keras's keys)."""
    config = dict(compile_config)
    for key, default in (("run_eagerly", False), ("steps_per_execution", 1), ("jit_compile", False),
                         ("auto_scale_loss", True)):
        value = config.pop(key, default)
        if value not in (default, None, "auto") and key != "jit_compile":
            warnings.warn(f"Ignoring compile setting {key}={value!r}: teachnet always runs eagerly, one step at a time.")
    for key in config:
        if key not in ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics"):
            raise ValueError("Expected compile_config keys among optimizer, loss, loss_weights, metrics, "
                             f"weighted_metrics. Received: the unknown key {key!r} (a file from a newer Keras?).")
    arguments = {key: serialization.deserialize_keras_object(value, custom_objects)
                 for key, value in config.items()}
    model.compile(**arguments)


def load_weights_from_archive(model, archive, filepath, skip_mismatch=False):
    h5py = _h5py()
    try:
        with h5py.File(io.BytesIO(archive.read(_WEIGHTS)), "r") as h5file:
            _read_weights(model, h5file, filepath, skip_mismatch)
    except OSError as error:
        raise ValueError(f"{filepath}: {_WEIGHTS} is not a readable HDF5 file ({error}).") from None


# ---------------------------------------------------------------------------
# Weights only: .weights.h5
# ---------------------------------------------------------------------------

def save_weights_h5(model, filepath, overwrite=True):
    """Writes the weights (and optimizer variables) in Keras 3's `.weights.h5` layout."""
    filepath = _check_suffix(filepath, ".weights.h5", "save_weights")
    _check_overwrite(filepath, overwrite)
    if not model.built:
        raise ValueError(f'Model "{model.name}" has no weights yet: build it (call it on data, or give it an '
                         "Input) before saving its weights.")
    h5py = _h5py()
    with atomic_write(filepath) as tmp_path, h5py.File(tmp_path, "w") as h5file:
        _write_weights(model, h5file)


def load_weights(model, filepath, skip_mismatch=False):
    """Reads a `.weights.h5` file, or the weights of a `.keras` archive, into a built model."""
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No weights file at {filepath}: check the path, or write one first with "
                                "model.save_weights(filepath).")
    if not model.built:
        raise ValueError(f'Model "{model.name}" has no weights yet: build it (call it on data, or give it an '
                         "Input) before loading weights into it.")
    if filepath.endswith(".keras"):
        with _open_archive(filepath) as archive:
            load_weights_from_archive(model, archive, filepath, skip_mismatch)
        return
    h5py = _h5py()
    try:
        h5file = h5py.File(filepath, "r")
    except OSError as error:
        raise ValueError(f"{filepath} is not a readable HDF5 weights file ({error}): it may be truncated, "
                         "corrupted, or another kind of file renamed.") from None
    with h5file:
        _read_weights(model, h5file, filepath, skip_mismatch)
