"""fit with a custom `train_step`: parity with Keras 3 (torch backend).

The same model is written for both libraries with Keras's guide steps (a
subclass built as `CustomModel(inputs, outputs)`), Keras's initial weights are
copied with set_weights, both train with shuffle=False, and the History (every
key, every epoch) and the trained weights must agree to float32 tolerance. The
steps differ only where the backends do: Keras's torch backend takes gradients
with `loss.backward()`, teachnet with a GradientTape (TensorFlow's way).
"""
import os

import numpy as np
import pytest

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import teachnet  # noqa: E402

RTOL, ATOL = 2e-5, 2e-6  # float32: a few ulps after 3 epochs

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def keras_seed():
    seed = int(os.environ.get("KERAS_SEED", np.random.SeedSequence().entropy % 2**31))
    keras.utils.set_random_seed(seed)
    print(f"Keras seed {seed}: rerun with KERAS_SEED={seed}")
    return seed


def data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ np.array([[1.0, -1.0], [-0.5, 1.0], [2.0, 0.0], [0.0, 0.5]], "float32")).astype("float32")
    sample_weight = rng.uniform(0.5, 2.0, size=n).astype("float32")
    return x, y, sample_weight


# -- the guide's step: compute_loss, then every metric of self.metrics -----------------------------
class KerasGuideModel(keras.Model):
    def train_step(self, data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


class TeachnetGuideModel(teachnet.Model):
    def train_step(self, data):
        x, y, sample_weight = teachnet.utils.unpack_x_y_sample_weight(data)
        with teachnet.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
        trainable_weights = [v for v in self.trainable_weights]
        gradients = tape.gradient(loss, trainable_weights)
        self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


def twins(keras_class, teachnet_class, compile_kwargs):
    def build(lib, cls):
        inputs = lib.Input(shape=(4,))
        hidden = lib.layers.Dense(8, activation="tanh")(inputs)
        model = cls(inputs, lib.layers.Dense(2)(hidden))
        model.compile(**compile_kwargs(lib))
        return model
    theirs, ours = build(keras, keras_class), build(teachnet, teachnet_class)
    assert isinstance(ours, teachnet_class)
    ours.set_weights(theirs.get_weights())
    return theirs, ours


def assert_same_training(ours, theirs, history_ours, history_theirs):
    assert sorted(history_ours.history) == sorted(history_theirs.history)
    for key in history_theirs.history:
        np.testing.assert_allclose(history_ours.history[key], history_theirs.history[key], rtol=RTOL, atol=ATOL,
                                   err_msg=key)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_guides_train_step_trains_as_in_keras(optimizer, weighted):
    def compile_kwargs(lib):
        opt = lib.optimizers.SGD(learning_rate=0.05) if optimizer == "sgd" else lib.optimizers.Adam(0.01)
        return {"optimizer": opt, "loss": "mse", "metrics": ["mae"]}
    theirs, ours = twins(KerasGuideModel, TeachnetGuideModel, compile_kwargs)
    x, y, sample_weight = data()
    x_val, y_val, _ = data(16, seed=1)
    kwargs = dict(batch_size=16, epochs=3, shuffle=False, verbose=0, validation_data=(x_val, y_val),
                  sample_weight=sample_weight if weighted else None)
    history_theirs = theirs.fit(x, y, **kwargs)
    history_ours = ours.fit(x, y, **kwargs)
    assert sorted(history_ours.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert_same_training(ours, theirs, history_ours, history_theirs)


# -- the low-level guide: own trackers, `metrics` overridden, compile(optimizer) only ---------------
def tracker_step_models():
    class KerasTrackers(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = keras.ops.mean(keras.ops.square(y_pred - y))
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    class TeachnetTrackers(teachnet.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = teachnet.metrics.Mean(name="loss")
            self.mae_metric = teachnet.metrics.MeanAbsoluteError(name="mae")

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

        def train_step(self, data):
            x, y = data
            with teachnet.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = teachnet.ops.mean(teachnet.ops.square(y_pred - y))
            gradients = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    return KerasTrackers, TeachnetTrackers


def test_own_trackers_and_no_compiled_loss_train_as_in_keras():
    keras_class, teachnet_class = tracker_step_models()
    theirs, ours = twins(keras_class, teachnet_class, lambda lib: {"optimizer": lib.optimizers.RMSprop(0.01)})
    x, y, _ = data()
    history_theirs = theirs.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    history_ours = ours.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    assert sorted(history_ours.history) == ["loss", "mae"]
    assert_same_training(ours, theirs, history_ours, history_theirs)
