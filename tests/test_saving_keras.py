"""Whole models in Keras 3's `.keras` format, `.weights.h5`, configs and custom objects (issue 12),
and writers that never destroy the previous file (issue 14, item 1). Keras itself: test_parity_saving.py."""
import inspect
import json
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import teachnet
from teachnet import layers as L
from teachnet.saving import serialization

from tests.saving_samples import layer_classes as _layer_classes, sample_layer as _sample  # noqa: E402


@pytest.mark.parametrize("cls", _layer_classes(), ids=lambda cls: cls.__name__)
def test_every_layer_config_round_trips(cls):
    layer = _sample(cls)
    written = serialization.serialize_keras_object(layer)
    assert written["module"] == "keras.layers" and written["class_name"] == cls.__name__
    text = json.dumps(written)  # JSON-ready: no tuples or numpy scalars left
    again = serialization.deserialize_keras_object(json.loads(text), safe_mode=False)
    assert type(again) is cls
    assert serialization.serialize_keras_object(again) == json.loads(text)
    # Every constructor argument is in the config (so nothing silently falls back to a default);
    # use_cudnn is accepted for Keras code only, and Keras leaves it out of configs too.
    config = layer.get_config()
    for name, p in list(inspect.signature(cls.__init__).parameters.items())[1:]:
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name not in ("input_shape", "activity_regularizer",
                                                                                  "batch_size", "shape", "use_cudnn"):
            # Bidirectional's `weights` are initial values, not a setting: Keras's config leaves them out too.
            assert name in config or cls in (L.InputLayer,) or (cls, name) == (L.Bidirectional, "weights"), \
                f"{cls.__name__}: `{name}` missing from {sorted(config)}"


def test_a_layer_that_does_not_store_its_arguments_fails_loudly():
    class Scale(L.Layer):
        def __init__(self, factor, **kwargs):
            super().__init__(**kwargs)
            self.f = factor  # not under its own name
    with pytest.raises(NotImplementedError, match=r"cannot find `self.factor` for the __init__ argument `factor`"):
        Scale(2.0).get_config()


def _mlp():
    model = teachnet.Sequential([teachnet.Input((4,)), L.Dense(8, activation="relu", kernel_regularizer="l2"),
                                 L.BatchNormalization(), L.Dense(3, activation="softmax")])
    model.compile(optimizer=teachnet.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=n)


def test_sequential_round_trip_continues_training_identically(tmp_path):
    x, y = _data()
    model = _mlp()
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    model.save(tmp_path / "mlp.keras")
    loaded = teachnet.saving.load_model(tmp_path / "mlp.keras")
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert type(loaded.optimizer) is teachnet.optimizers.Adam
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_archive_holds_keras_files_and_layout(tmp_path):
    model = _mlp()
    model.save(tmp_path / "m.keras")
    archive = zipfile.ZipFile(tmp_path / "m.keras")
    assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
    config = json.loads(archive.read("config.json"))
    assert (config["module"], config["class_name"]) == ("keras", "Sequential")
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    import h5py
    archive.extract("model.weights.h5", tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as f:
        names = []
        f.visit(names.append)
        assert {"layers/dense/vars/0", "layers/dense/vars/1", "layers/batch_normalization/vars/3",
                "layers/dense_1/vars/1", "optimizer/vars/0"} <= set(names)
        assert f["layers/dense/vars/0"].shape == (4, 8)


def _two_in_two_out():
    a, b = teachnet.Input((4,), name="a"), teachnet.Input((3,), name="b")
    inner = teachnet.Sequential([L.Dense(5, activation="tanh")], name="inner")
    h = inner(L.Concatenate()([a, b]))
    model = teachnet.Model([a, b], [L.Dense(2, name="o1")(h), L.Dense(1, activation="sigmoid", name="o2")(h)])
    model.compile(optimizer="sgd", loss={"o1": "mse", "o2": "binary_crossentropy"},
                  loss_weights={"o1": 1.0, "o2": 0.5}, metrics={"o2": ["accuracy"]})
    return model


def test_functional_nested_round_trip_and_json(tmp_path):
    model = _two_in_two_out()
    xs = [np.random.rand(6, 4), np.random.rand(6, 3)]
    model.save(tmp_path / "f.keras")
    loaded = teachnet.models.load_model(tmp_path / "f.keras")
    for p, q in zip(model.predict(xs, verbose=0), loaded.predict(xs, verbose=0)):
        np.testing.assert_array_equal(p, q)
    assert loaded.output_names == ["o1", "o2"]
    assert loaded._compile_config["loss_weights"] == {"o1": 1.0, "o2": 0.5}
    twin = teachnet.models.model_from_json(model.to_json())
    assert [type(layer) for layer in twin.layers] == [type(layer) for layer in model.layers]
    clone = teachnet.models.clone_model(model)
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    assert not all(np.array_equal(a, b) for a, b in zip(clone.get_weights(), model.get_weights()))


def test_weights_h5_and_keras_files_for_save_and_load_weights(tmp_path):
    model, other = _mlp(), _mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.save(tmp_path / "m.keras")
    third = _mlp()
    third.load_weights(tmp_path / "m.keras")
    for a, b in zip(model.get_weights(), third.get_weights()):
        np.testing.assert_array_equal(a, b)


@teachnet.saving.register_keras_serializable(package="teachnet_tests")
class Scale(L.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

    def call(self, inputs):
        return inputs * self.gain * self.factor


def test_registered_custom_layer_round_trips_and_unknown_names_say_what_to_do(tmp_path):
    model = teachnet.Sequential([teachnet.Input((3,)), Scale(3.0), L.Dense(2)])
    model.save(tmp_path / "c.keras")
    config = json.loads(zipfile.ZipFile(tmp_path / "c.keras").read("config.json"))
    assert config["config"]["layers"][1]["registered_name"] == "teachnet_tests>Scale"
    assert teachnet.saving.get_registered_name(Scale) == "teachnet_tests>Scale"
    assert teachnet.saving.get_registered_object("teachnet_tests>Scale") is Scale
    loaded = teachnet.saving.load_model(tmp_path / "c.keras")
    assert isinstance(loaded.layers[0], Scale) and loaded.layers[0].factor == 3.0
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    registry = teachnet.saving.get_custom_objects()
    del registry["teachnet_tests>Scale"]
    try:
        with pytest.raises(ValueError, match=r"Could not locate the registered object 'teachnet_tests>Scale'.*"
                                             r"custom_objects="):
            teachnet.saving.load_model(tmp_path / "c.keras")
        loaded = teachnet.saving.load_model(tmp_path / "c.keras", custom_objects={"teachnet_tests>Scale": Scale})
        assert isinstance(loaded.layers[0], Scale)
        with teachnet.saving.custom_object_scope({"Scale": Scale}):
            assert isinstance(teachnet.saving.load_model(tmp_path / "c.keras").layers[0], Scale)
    finally:
        registry["teachnet_tests>Scale"] = Scale


def _rewrite(path, out, change_config=None, drop=None, add=None):
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name == drop:
                continue
            data = src.read(name)
            if name == "config.json" and change_config:
                config = json.loads(data)
                change_config(config)
                data = json.dumps(config)
            dst.writestr(name, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out


def test_bad_files_are_refused_naming_the_file(tmp_path):
    good = tmp_path / "good.keras"
    teachnet.Sequential([teachnet.Input((3,)), L.Dense(2)]).save(good)
    data = good.read_bytes()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated.keras is not a Keras `.keras` archive"):
        teachnet.saving.load_model(truncated)
    not_zip = tmp_path / "text.keras"
    not_zip.write_text("hello")
    with pytest.raises(ValueError, match="text.keras is not a Keras"):
        teachnet.saving.load_model(not_zip)
    no_weights = _rewrite(good, tmp_path / "now.keras", drop="model.weights.h5")
    with pytest.raises(ValueError, match=r"now.keras is not a complete Keras archive: it lacks \['model.weights.h5'\]"):
        teachnet.saving.load_model(no_weights)
    corrupt = _rewrite(good, tmp_path / "corrupt.keras", drop="model.weights.h5",
                       add={"model.weights.h5": b"not hdf5 at all"})
    with pytest.raises(ValueError, match="corrupt.keras: model.weights.h5 is not a readable HDF5 file"):
        teachnet.saving.load_model(corrupt)
    a_list = _rewrite(good, tmp_path / "list.keras", drop="config.json", add={"config.json": "[1, 2]"})
    with pytest.raises(ValueError, match=r"list.keras: expected config.json to hold a JSON object\. Received: a JSON "
                                         r"list\. The file may come from another program"):
        teachnet.saving.load_model(a_list)
    no_class = _rewrite(good, tmp_path / "noclass.keras", lambda config: config.pop("class_name"))
    with pytest.raises(ValueError, match=r"noclass.keras: expected config.json to be a Keras model config, with "
                                         r"`class_name` and `config`\. Received: the keys \[.*'config'.*\]"):
        teachnet.saving.load_model(no_class)


def test_unknown_class_unknown_key_and_lambda_are_refused(tmp_path):
    good = tmp_path / "good.keras"
    teachnet.Sequential([teachnet.Input((3,)), L.Dense(2)]).save(good)

    def unknown_class(config):
        config["config"]["layers"][1]["class_name"] = "MultiHeadAttention"
    bad = _rewrite(good, tmp_path / "mha.keras", unknown_class)
    with pytest.raises(ValueError, match=r"mha.keras: Unknown object class: expected one that teachnet.layers "
                                         r"supports: .*Dense.*\. Received: class_name='MultiHeadAttention'"):
        teachnet.saving.load_model(bad)

    def newer_key(config):
        config["config"]["layers"][1]["config"]["flash_attention"] = True
    bad = _rewrite(good, tmp_path / "newer.keras", newer_key)
    with pytest.raises(ValueError, match=r"Dense: unknown config key\(s\) \['flash_attention'\]"):
        teachnet.saving.load_model(bad)

    def newer_compile_key(config):
        config["compile_config"] = {"optimizer": "sgd", "loss": "mse", "auto_distribute": True}
    bad = _rewrite(good, tmp_path / "compile.keras", newer_compile_key)
    with pytest.raises(ValueError, match=r"Cannot compile the model in .*compile.keras as it was saved: Expected "
                                         r"compile_config keys among .*Received: the unknown key 'auto_distribute'"
                                         r".*compile=False"):
        teachnet.saving.load_model(bad)
    assert not teachnet.saving.load_model(bad, compile=False).compiled

    model = teachnet.Sequential([teachnet.Input((3,)), L.Lambda(lambda t: t * 2.0)])
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="lambda.keras: Requested the deserialization of a Python lambda.*safe_mode=False"):
        teachnet.saving.load_model(tmp_path / "lambda.keras")
    loaded = teachnet.saving.load_model(tmp_path / "lambda.keras", safe_mode=False)
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 3)), verbose=0), [[2.0, 2.0, 2.0]])


class _Planted:
    def __reduce__(self):
        return (open, (os.environ["PLANTED_MARKER"], "w"))


def test_a_pickle_planted_in_the_archive_is_never_unpickled(tmp_path, monkeypatch):
    marker = tmp_path / "unpickled"
    monkeypatch.setenv("PLANTED_MARKER", str(marker))
    good = tmp_path / "good.keras"
    teachnet.Sequential([teachnet.Input((3,)), L.Dense(2)]).save(good)
    payload = pickle.dumps(_Planted())
    bad = _rewrite(good, tmp_path / "planted.keras", drop="model.weights.h5",
                   add={"model.weights.h5": payload, "model.pkl": payload})
    with pytest.raises(ValueError, match="planted.keras"):
        teachnet.saving.load_model(bad)
    assert not marker.exists()


def test_suffixes_and_overwrite(tmp_path):
    model = teachnet.Sequential([teachnet.Input((3,)), L.Dense(2)])
    with pytest.raises(ValueError, match=r"must end in `.keras`. Received: filepath=.*m.h5.*`.weights.h5`: the weights"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"`.keras` holds a whole model: use model.save"):
        model.save_weights(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="legacy Keras 2 HDF5 model file"):
        teachnet.saving.load_model(tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"holds weights only. Rebuild the model and call model.load_weights"):
        teachnet.saving.load_model(tmp_path / "m.weights.h5")
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError, match="already exists and overwrite=False"):
        model.save(tmp_path / "m.keras", overwrite=False)
    model.save_weights(tmp_path / "m.weights.h5")
    with pytest.raises(FileExistsError, match="already exists and overwrite=False"):
        model.save_weights(tmp_path / "m.weights.h5", overwrite=False)


# ---------------------------------------------------------------------------
# Issue 14, item 1: a failed save leaves the previous file intact
# ---------------------------------------------------------------------------

def _saved_pair(tmp_path, suffix):
    """A file saved from one model, and a second model with other weights."""
    old, new = _mlp(), _mlp()
    path = tmp_path / f"m{suffix}"
    (old.save if suffix == ".keras" else old.save_weights)(path)
    return old, new, path


def _assert_still_old(old, path):
    fresh = _mlp()
    fresh.load_weights(path)
    for a, b in zip(old.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".weights.npz"])
@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()], ids=["raises", "ctrl-c"])
def test_a_save_failing_mid_file_keeps_the_previous_file(tmp_path, monkeypatch, suffix, error):
    old, new, path = _saved_pair(tmp_path, suffix)
    from teachnet.saving import keras_file, weights_npz
    if suffix == ".weights.npz":
        def failing(f, **arrays):  # half a file, then the failure
            f.write(b"PK\x03\x04" + b"\0" * 100)
            raise error
        monkeypatch.setattr(weights_npz.np, "savez", failing)
    else:
        real = keras_file._write_weights

        def failing(model, h5file):
            real(model, h5file)  # every weight written ...
            raise error          # ... and then the failure, before the file is complete
        monkeypatch.setattr(keras_file, "_write_weights", failing)
    with pytest.raises(type(error)):
        (new.save if suffix == ".keras" else new.save_weights)(path)
    monkeypatch.undo()
    _assert_still_old(old, path)


def test_model_checkpoint_failing_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    x, y = _data()
    model = _mlp()
    path = tmp_path / "ckpt.keras"
    model.fit(x, y, epochs=1, verbose=0, callbacks=[teachnet.callbacks.ModelCheckpoint(str(path))])
    saved = model.get_weights()
    from teachnet.saving import keras_file

    def failing(model, h5file):
        raise KeyboardInterrupt
    monkeypatch.setattr(keras_file, "_write_weights", failing)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[teachnet.callbacks.ModelCheckpoint(str(path))])
    monkeypatch.undo()
    loaded = teachnet.saving.load_model(path)
    for a, b in zip(saved, loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".weights.npz"])
def test_a_file_size_limit_keeps_the_previous_file(tmp_path, suffix):
    pytest.importorskip("resource", reason="file-size limits are a POSIX feature")
    path = tmp_path / f"big{suffix}"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this checkout's teachnet
    script = f"""
import resource, sys
sys.path.insert(0, {root!r})
import numpy as np, teachnet
model = teachnet.Sequential([teachnet.Input((300,)), teachnet.layers.Dense(300)])
model.set_weights([np.full((300, 300), {{value}}, "float32"), np.zeros(300, "float32")])
if {{limit}}:
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))  # the file needs ~360 kB
(model.save if {suffix!r} == ".keras" else model.save_weights)({str(path)!r})
"""
    env = {**os.environ, "PYTHONPATH": root}
    subprocess.run([sys.executable, "-c", script.format(value=1.0, limit=False)], check=True, env=env)
    failed = subprocess.run([sys.executable, "-c", script.format(value=2.0, limit=True)], env=env,
                            capture_output=True, text=True)
    assert failed.returncode != 0, "the size limit did not stop the save"
    model = teachnet.Sequential([teachnet.Input((300,)), teachnet.layers.Dense(300)])
    model.load_weights(path)
    np.testing.assert_array_equal(model.get_weights()[0], np.ones((300, 300)))
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_plot_file_failing_keeps_the_previous_picture(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    model = teachnet.Sequential([teachnet.Input((3,)), L.Dense(2)])
    path = tmp_path / "model.png"
    teachnet.utils.plot_model(model, to_file=str(path))
    before = path.read_bytes()
    real = Figure.savefig

    def failing(self, fname, **kwargs):
        real(self, fname, **kwargs)
        raise KeyboardInterrupt
    monkeypatch.setattr(Figure, "savefig", failing)
    with pytest.raises(KeyboardInterrupt):
        teachnet.utils.plot_model(model, to_file=str(path), show_shapes=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.png"]


def test_dataset_download_failing_keeps_the_previous_cached_file(tmp_path, monkeypatch):
    from teachnet.datasets import download
    monkeypatch.setenv("TEACHNET_HOME", str(tmp_path))
    source = tmp_path / "source.bin"
    source.write_bytes(b"new contents" * 1000)
    cached = tmp_path / "datasets" / "data.bin"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"old contents")

    def failing(response, out, total=None):
        out.write(response.read(100))
        raise KeyboardInterrupt
    monkeypatch.setattr(download, "_copy_with_progress", failing)
    with pytest.raises(KeyboardInterrupt):
        download.get_file("data.bin", source.as_uri(), file_hash="0" * 64)
    assert cached.read_bytes() == b"old contents"
    assert sorted(p.name for p in cached.parent.iterdir()) == ["data.bin"]


def test_skip_mismatch_loads_the_layers_that_fit(tmp_path):
    small = teachnet.Sequential([teachnet.Input((4,)), L.Dense(8), L.Dense(3)])
    big = teachnet.Sequential([teachnet.Input((4,)), L.Dense(8), L.Dense(5)])
    small.save_weights(tmp_path / "small.weights.h5")
    before = big.get_weights()
    with pytest.raises(ValueError, match=r"small.weights.h5: layer 'dense_\d+' expects weight .*kernel of shape "
                                         r"\(8, 5\)\. Received: `layers/dense_1/vars/0` in the file, of shape \(8, 3\)"):
        big.load_weights(tmp_path / "small.weights.h5")
    for a, b in zip(before, big.get_weights()):
        np.testing.assert_array_equal(a, b)  # a refused file changes nothing
    with pytest.warns(UserWarning, match="Skipping layer"):
        big.load_weights(tmp_path / "small.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(big.get_weights()[0], small.get_weights()[0])
    np.testing.assert_array_equal(big.get_weights()[2], before[2])
    with pytest.raises(ValueError, match="skip_mismatch=True works with `.weights.h5` and `.keras`"):
        big.load_weights(tmp_path / "x.weights.npz", skip_mismatch=True)


def test_what_cannot_be_serialized_or_found_is_refused_in_the_engine_wording():
    from teachnet.saving.serialization import deserialize_keras_object, serialize_keras_object

    def my_activation(x):
        return x

    with pytest.raises(ValueError, match=r"Expected teachnet's own function or one registered with .*Received: the "
                                         r"function 'my_activation'\. Register it"):
        serialize_keras_object(my_activation)
    with pytest.raises(ValueError, match=r"Expected an object with get_config\(\).*Received: .* of type object, which "
                                         r"has none\. Give its class get_config\(\)"):
        serialize_keras_object(object())
    with pytest.raises(ValueError, match=r"Unknown function: expected one of teachnet's or a registered one\. Received: "
                                         r"'my_activation' \(module 'mine'\)\. Pass it with custom_objects="):
        deserialize_keras_object({"module": "mine", "class_name": "function", "config": "my_activation",
                                  "registered_name": "my_activation"})
