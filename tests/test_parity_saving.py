"""`.keras` files both ways with real Keras 3 (torch backend), issue 12.

For each model of the issue (a Sequential MLP; a two-input two-output
functional model with a loss dict and loss_weights and a nested Sequential; a
convnet with BatchNormalization and Dropout; Embedding(mask_zero) + LSTM +
GRU; a registered custom layer):

- teachnet -> file -> Keras and Keras -> file -> teachnet give equal weights
  and predictions, and the compile settings and optimizer state survive;
- one more epoch in each library from the same file gives equal weights.

Also: every layer's config goes teachnet -> Keras `from_config` -> Keras
`get_config` -> teachnet `from_config` and comes back unchanged.
"""
import inspect
import copy
import json
import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")

import teachnet  # noqa: E402
from teachnet.saving import serialization  # noqa: E402
from tests.saving_samples import sample_layer  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
RTOL, ATOL = 2e-5, 2e-6  # float32, one epoch of a few steps


@pytest.fixture(autouse=True)
def seeds():
    keras.utils.set_random_seed(1)
    teachnet.utils.set_random_seed(1)
    keras.backend.clear_session()
    teachnet.utils.clear_session()


@teachnet.saving.register_keras_serializable(package="parity")
class TnScale(teachnet.layers.Layer):
    """y = x * gain (one weight per feature); written once per library under the same registered name."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

    def call(self, inputs):
        return inputs * self.gain * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _keras_twin_of_tn_scale():
    # The same class name in both libraries, as one module written for both would have: Keras files
    # place a layer's weights under its class name (`layers/tn_scale`).
    class TnScale(keras.layers.Layer):
        def __init__(self, factor=1.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

        def call(self, inputs):
            return inputs * self.gain * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}
    return keras.saving.register_keras_serializable(package="parity")(TnScale)


KerasScale = _keras_twin_of_tn_scale()


def _models(lib):
    """name -> (build, compile kwargs, x, y) in library `lib` (keras or teachnet)."""
    L = lib.layers
    Scale = KerasScale if lib is keras else TnScale
    rng = np.random.default_rng(0)

    def mlp():
        return lib.Sequential([lib.Input((6,)), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")])

    def two_in_two_out():
        a, b = lib.Input((4,), name="a"), lib.Input((3,), name="b")
        inner = lib.Sequential([lib.Input((7,)), L.Dense(5, activation="tanh")], name="inner")
        h = inner(L.Concatenate()([a, b]))
        return lib.Model([a, b], [L.Dense(2, name="o1")(h), L.Dense(1, activation="sigmoid", name="o2")(h)])

    def convnet():
        return lib.Sequential([lib.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(),
                               L.MaxPooling2D(2), L.Dropout(0.5), L.Flatten(), L.Dense(2, activation="softmax")])

    def recurrent():
        return lib.Sequential([lib.Input((5,), dtype="int32"), L.Embedding(10, 4, mask_zero=True),
                               L.LSTM(3, return_sequences=True), L.GRU(2), L.Dense(1)])

    def custom():
        return lib.Sequential([lib.Input((4,)), Scale(2.0), L.Dense(2)])

    x6, y3 = rng.normal(size=(16, 6)).astype("float32"), rng.integers(0, 3, 16)
    xa, xb = rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 3)).astype("float32")
    y2, yb = rng.normal(size=(16, 2)).astype("float32"), rng.integers(0, 2, (16, 1)).astype("float32")
    img, yc = rng.normal(size=(16, 8, 8, 1)).astype("float32"), rng.integers(0, 2, 16)
    seq = rng.integers(0, 10, (16, 5)).astype("int32")
    seq[:, :2] = 0  # padding the mask hides
    yseq, x4 = rng.normal(size=(16, 1)).astype("float32"), rng.normal(size=(16, 4)).astype("float32")
    opt = lib.optimizers
    return {
        "mlp": (mlp, dict(optimizer=opt.Adam(0.01), loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"]), x6, y3),
        "two_in_two_out": (two_in_two_out, dict(optimizer=opt.SGD(0.05, momentum=0.9),
                                                loss={"o1": "mse", "o2": "binary_crossentropy"},
                                                loss_weights={"o1": 1.0, "o2": 0.5}, metrics={"o2": ["accuracy"]}),
                           [xa, xb], {"o1": y2, "o2": yb}),
        "convnet": (convnet, dict(optimizer=opt.RMSprop(0.01), loss="sparse_categorical_crossentropy"), img, yc),
        "recurrent": (recurrent, dict(optimizer=opt.Adam(0.01), loss="mse"), seq, yseq),
        "custom": (custom, dict(optimizer=opt.SGD(0.1), loss="mse"), x4, y2),
    }


NAMES = ["mlp", "two_in_two_out", "convnet", "recurrent", "custom"]


def _fit(model, x, y):
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)


def _switch_off_dropout(*models):
    """Dropout draws its masks from each library's own generator, so no two libraries drop the same
    units: after checking that the rate survived the file, the epoch compared in both runs without it."""
    for model in models:
        for layer in model.layers:
            if type(layer).__name__ == "Dropout":
                assert layer.rate == 0.5
                layer.rate = 0.0


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


def _assert_same(a_weights, b_weights, exact=True):
    assert len(a_weights) == len(b_weights)
    for a, b in zip(a_weights, b_weights):
        if exact:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


def _predict(model, x):
    out = model.predict(x, verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _optimizer_state(model):
    return [np.asarray(keras.ops.convert_to_numpy(v) if not hasattr(v, "numpy") or isinstance(v, keras.Variable)
                       else v.numpy()) for v in model.optimizer.variables]


@pytest.mark.parametrize("name", NAMES)
def test_teachnet_file_loads_in_keras_and_trains_on_identically(tmp_path, name):
    build, compile_kwargs, x, y = _models(teachnet)[name]
    model = build()
    model.compile(**compile_kwargs)
    _fit(model, x, y)  # so the file holds a non-trivial optimizer state
    path = tmp_path / f"{name}.keras"
    model.save(path)
    k = keras.saving.load_model(path)
    _assert_same(_weights(model), _weights(k))
    for p, q in zip(_predict(model, x), _predict(k, x)):
        np.testing.assert_allclose(p, q, rtol=RTOL, atol=ATOL)
    assert type(k.optimizer).__name__ == type(model.optimizer).__name__
    assert np.isclose(float(k.optimizer.learning_rate), float(model.optimizer.learning_rate))
    assert int(k.optimizer.iterations) == int(model.optimizer.iterations)
    _assert_same([v.numpy() for v in model.optimizer.variables[2:]],
                 [keras.ops.convert_to_numpy(v) for v in k.optimizer.variables[2:]])
    saved_compile = k.get_compile_config()
    for key in ("loss", "loss_weights", "metrics"):
        assert saved_compile[key] == serialization.serialize_keras_object(model._compile_config[key])
    _switch_off_dropout(model, k)
    _fit(model, x, y)
    _fit(k, x, y)
    _assert_same(_weights(model), _weights(k), exact=False)


@pytest.mark.parametrize("name", NAMES)
def test_keras_file_loads_in_teachnet_and_trains_on_identically(tmp_path, name):
    build, compile_kwargs, x, y = _models(keras)[name]
    k = build()
    k.compile(**compile_kwargs)
    _fit(k, x, y)
    path = tmp_path / f"{name}.keras"
    k.save(path)
    model = teachnet.saving.load_model(path)
    _assert_same(_weights(k), _weights(model))
    for p, q in zip(_predict(k, x), _predict(model, x)):
        np.testing.assert_allclose(p, q, rtol=RTOL, atol=ATOL)
    assert type(model.optimizer).__name__ == type(k.optimizer).__name__
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(float(k.optimizer.learning_rate))
    assert int(model.optimizer.iterations.numpy()) == int(k.optimizer.iterations)
    saved_compile = k.get_compile_config()
    for key in ("loss", "loss_weights", "metrics"):
        assert serialization.serialize_keras_object(model._compile_config[key]) == saved_compile[key]
    _switch_off_dropout(model, k)
    _fit(k, x, y)
    _fit(model, x, y)
    _assert_same(_weights(k), _weights(model), exact=False)


def _layer_classes():
    L = teachnet.layers
    return sorted({cls for cls in vars(L).values() if inspect.isclass(cls) and issubclass(cls, L.Layer)
                   and cls is not L.Layer}, key=lambda cls: cls.__name__)


@pytest.mark.parametrize("cls", _layer_classes(), ids=lambda cls: cls.__name__)
def test_every_layer_config_goes_to_keras_and_back(cls):
    layer = sample_layer(cls)
    if cls is teachnet.layers.Lambda:  # Keras's Lambda needs a Keras function: name one both have
        layer = cls(teachnet.activations.relu, name="lambda")
    written = json.loads(json.dumps(serialization.serialize_keras_object(layer)))
    keras_cls = getattr(keras.layers, cls.__name__)
    # (a copy: Keras's wrappers pop their nested layer out of the config they are given)
    keras_layer = keras.saving.deserialize_keras_object(copy.deepcopy(written), safe_mode=False) \
        if cls is not teachnet.layers.Lambda \
        else keras_cls(keras.activations.relu, name="lambda")
    assert type(keras_layer) is keras_cls
    back = json.loads(json.dumps(keras.saving.serialize_keras_object(keras_layer)))
    again = serialization.deserialize_keras_object(back)
    assert serialization.serialize_keras_object(again) == written


def _subclassed_twins():
    """The same registered subclassed model written for each library (same class and registered name)."""
    @keras.saving.register_keras_serializable(package="parity")
    class TwoLayers(keras.Model):
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = keras.layers.Dense(units, activation="relu")
            self.out = keras.layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

        def get_config(self):
            return {**super().get_config(), "units": self.units}
    keras_cls = TwoLayers

    @teachnet.saving.register_keras_serializable(package="parity")
    class TwoLayers(teachnet.Model):  # noqa: F811 - the twin, under the same name on purpose
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = teachnet.layers.Dense(units, activation="relu")
            self.out = teachnet.layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))
    return keras_cls, TwoLayers


@pytest.mark.parametrize("direction", ["teachnet_to_keras", "keras_to_teachnet"])
def test_registered_subclassed_model_both_ways(tmp_path, direction):
    keras_cls, teachnet_cls = _subclassed_twins()
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    source_lib, target_load = ((teachnet, keras.saving.load_model) if direction == "teachnet_to_keras"
                               else (keras, teachnet.saving.load_model))
    source = (teachnet_cls if source_lib is teachnet else keras_cls)(units=5)
    source.compile(optimizer=source_lib.optimizers.Adam(0.01), loss="mse")
    _fit(source, x, y)
    source.save(tmp_path / "sub.keras")
    target = target_load(tmp_path / "sub.keras")
    assert type(target) is (keras_cls if source_lib is teachnet else teachnet_cls) and target.units == 5
    _assert_same(_weights(source), _weights(target))
    np.testing.assert_allclose(_predict(source, x)[0], _predict(target, x)[0], rtol=RTOL, atol=ATOL)
    _fit(source, x, y)
    _fit(target, x, y)
    _assert_same(_weights(source), _weights(target), exact=False)


def test_weights_h5_files_both_ways(tmp_path):
    def build(lib):
        return lib.Sequential([lib.Input((3,)), lib.layers.Dense(4), lib.layers.BatchNormalization(),
                               lib.layers.Dense(1)])
    ours, theirs = build(teachnet), build(keras)
    ours.save_weights(tmp_path / "ours.weights.h5")
    theirs.load_weights(tmp_path / "ours.weights.h5")
    _assert_same(_weights(ours), _weights(theirs))
    theirs = build(keras)
    theirs.save_weights(tmp_path / "theirs.weights.h5")
    ours.load_weights(tmp_path / "theirs.weights.h5")
    _assert_same(_weights(theirs), _weights(ours))


BASE_CLASSES = {"Loss", "LossFunctionWrapper", "Metric", "MeanMetricWrapper", "Optimizer", "Initializer",
                "Regularizer"}


def _objects_keras_also_has():
    for module in ("losses", "metrics", "optimizers", "initializers", "regularizers"):
        ours, theirs = getattr(teachnet, module), getattr(keras, module)
        for name, cls in sorted(vars(ours).items()):
            if inspect.isclass(cls) and cls.__name__ == name and hasattr(theirs, name) and name not in BASE_CLASSES \
                    and hasattr(cls, "from_config"):
                yield pytest.param(cls, id=f"{module}.{name}")


def _float32(data):
    """Keras keeps some hyper-parameters as float32 (0.01 comes back as 0.009999999776...)."""
    if isinstance(data, float):
        return float(np.float32(data))
    if isinstance(data, dict):
        return {k: _float32(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_float32(v) for v in data]
    return data


@pytest.mark.parametrize("cls", list(_objects_keras_also_has()))
def test_every_loss_metric_optimizer_initializer_regularizer_config_goes_to_keras_and_back(cls):
    written = json.loads(json.dumps(serialization.serialize_keras_object(cls())))
    theirs = keras.saving.deserialize_keras_object(written)
    assert type(theirs).__name__ == cls.__name__
    back = json.loads(json.dumps(keras.saving.serialize_keras_object(theirs)))
    again = serialization.deserialize_keras_object(back)
    assert type(again) is cls
    assert _float32(serialization.serialize_keras_object(again)) == _float32(written)


def _many_layer_kinds(lib):
    """One functional model with two inputs and two outputs (one an RNN state) using most kinds of layers."""
    L = lib.layers
    tokens = lib.Input((6,), dtype="int32", name="tokens")
    c = L.Conv1D(4, 3, padding="same", activation="relu")(L.Embedding(20, 8)(tokens))
    c = L.SpatialDropout1D(0.2)(c)
    seq, state = L.SimpleRNN(5, return_sequences=True, return_state=True)(c)
    s = L.Add()([L.GlobalMaxPooling1D()(seq), state])
    z = L.Concatenate()([L.Multiply()([s, state]), L.Dot(axes=1)([s, state]), L.GlobalAveragePooling1D()(c)])
    z = L.Activation("tanh")(L.Flatten()(L.Reshape((2, 5))(L.Dropout(0.3)(L.BatchNormalization()(z)))))
    image = lib.Input((6, 6, 2), name="image")
    p = L.MaxPooling2D(1)(L.AveragePooling2D(1)(L.Conv2D(3, 2, strides=2, activation="relu")(image)))
    p = L.GlobalAveragePooling2D()(L.SpatialDropout2D(0.1)(p))
    out = L.Dense(2, activation="softmax", name="out")(L.Concatenate()([z, p]))
    model = lib.Model([tokens, image], [out, state])
    model.compile(optimizer=lib.optimizers.Nadam(0.01), loss=["sparse_categorical_crossentropy", "mse"],
                  metrics=[["accuracy"], ["mae"]])
    return model


@pytest.mark.parametrize("direction", ["teachnet_to_keras", "keras_to_teachnet"])
def test_a_model_with_many_kinds_of_layers_both_ways(tmp_path, direction):
    rng = np.random.default_rng(0)
    x = [rng.integers(0, 20, (8, 6)).astype("int32"), rng.random((8, 6, 6, 2)).astype("float32")]
    y = [rng.integers(0, 2, 8), rng.random((8, 5)).astype("float32")]
    source_lib, load = ((teachnet, keras.saving.load_model) if direction == "teachnet_to_keras"
                        else (keras, teachnet.saving.load_model))
    source = _many_layer_kinds(source_lib)
    source.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    source.save(tmp_path / "many.keras")
    target = load(tmp_path / "many.keras")
    _assert_same(_weights(source), _weights(target))
    for p, q in zip(_predict(source, x), _predict(target, x)):
        np.testing.assert_allclose(p, q, rtol=RTOL, atol=ATOL)
    assert type(target.optimizer).__name__ == "Nadam"
    assert int(np.asarray(target.optimizer.iterations)) == 2


@pytest.mark.parametrize("direction", ["teachnet_to_keras", "keras_to_teachnet"])
def test_inputs_and_outputs_by_name_stay_dicts(tmp_path, direction):
    source_lib, load = ((teachnet, keras.saving.load_model) if direction == "teachnet_to_keras"
                        else (keras, teachnet.saving.load_model))
    a, b = source_lib.Input((3,), name="a"), source_lib.Input((2,), name="b")
    out = source_lib.layers.Dense(1, name="o")(source_lib.layers.Concatenate()([a, b]))
    source = source_lib.Model({"a": a, "b": b}, {"o": out})
    source.save(tmp_path / "dict.keras")
    target = load(tmp_path / "dict.keras")
    x = {"a": np.ones((2, 3), "float32"), "b": np.ones((2, 2), "float32")}
    ours, theirs = source.predict(x, verbose=0), target.predict(x, verbose=0)
    assert isinstance(theirs, dict) and list(theirs) == ["o"]
    np.testing.assert_allclose(ours["o"], theirs["o"], rtol=RTOL, atol=ATOL)


def test_a_compiled_never_trained_keras_model_loads_without_warnings(tmp_path):
    import warnings
    k = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    k.compile(optimizer=keras.optimizers.Adam(0.003), loss="mse")
    k.save(tmp_path / "fresh.keras")  # Keras writes iteration and learning rate only: no slots yet
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = teachnet.saving.load_model(tmp_path / "fresh.keras")
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.003)
    assert int(model.optimizer.iterations.numpy()) == 0


def test_mixed_precision_files_are_refused_naming_the_policy(tmp_path):
    layer = keras.layers.Dense(2, dtype="mixed_float16")
    k = keras.Sequential([keras.Input((3,)), layer])
    k.save(tmp_path / "mixed.keras")
    with pytest.raises(ValueError, match=r"mixed.keras: .*Received: Keras's mixed precision policy 'mixed_float16'"):
        teachnet.saving.load_model(tmp_path / "mixed.keras")
