"""Callbacks: the order of hooks, History, EarlyStopping / ReduceLROnPlateau (driven
by the same value sequences as Keras's own callbacks), schedulers, NaN, progress bars."""
import io
import os

import numpy as np
import pytest

import teachnet
from tests.helpers import Linear
from teachnet import callbacks, optimizers
from teachnet.progbar import Progbar, format_time, format_value

# keras (torch backend) under numpy 2 warns about __array__(copy=...) inside its own code.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")




def regression(n=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, x @ np.array([[1.0], [-2.0], [0.5]], "float32")


def model_for(optimizer=None):
    teachnet.random.set_seed(0)
    model = teachnet.Sequential([teachnet.Input((3,)), Linear(1)])
    model.compile(optimizer or optimizers.SGD(learning_rate=0.05), "mse")
    return model


class Events(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def __getattribute__(self, name):
        attr = object.__getattribute__(self, name)
        if name.startswith("on_") and callable(attr):
            def record(*args, **kwargs):
                self.events.append((name,) + tuple(a for a in args if isinstance(a, int)))
            return record
        return attr


def test_hooks_run_in_keras_order_with_params_and_model():
    x, y = regression(6)
    model, events = model_for(), Events()
    model.fit(x, y, batch_size=4, epochs=2, validation_data=(x[:3], y[:3]), verbose=0, callbacks=[events])
    epoch = [("on_train_batch_begin", 0), ("on_train_batch_end", 0), ("on_train_batch_begin", 1),
             ("on_train_batch_end", 1), ("on_test_begin",), ("on_test_batch_begin", 0),
             ("on_test_batch_end", 0), ("on_test_end",)]
    assert events.events == ([("on_train_begin",), ("on_epoch_begin", 0)] + epoch + [("on_epoch_end", 0),
                             ("on_epoch_begin", 1)] + epoch + [("on_epoch_end", 1), ("on_train_end",)])
    assert events.params == {"verbose": 0, "epochs": 2, "steps": 2} and events.model is model
    events.events = []
    model.evaluate(x, y, batch_size=6, verbose=0, callbacks=[events])
    model.predict(x, batch_size=6, verbose=0, callbacks=[events])
    assert events.events == [("on_test_begin",), ("on_test_batch_begin", 0), ("on_test_batch_end", 0),
                             ("on_test_end",), ("on_predict_begin",), ("on_predict_batch_begin", 0),
                             ("on_predict_batch_end", 0), ("on_predict_end",)]


def test_history_and_callback_type_check():
    x, y = regression()
    model = model_for()
    logs_seen = []
    cb = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs_seen.append(dict(logs)))
    history = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0, callbacks=[cb])
    assert logs_seen == [{k: v[i] for k, v in history.history.items()} for i in range(3)]
    assert list(logs_seen[0]) == ["loss", "val_loss"]
    with pytest.raises(TypeError, match="Callback instances"):
        model.fit(x, y, callbacks=[print], verbose=0)
    with pytest.raises(TypeError, match=r"a single EarlyStopping. Pass callbacks=\[...\]"):
        model.fit(x, y, callbacks=callbacks.EarlyStopping(), verbose=0)


class FakeModel:
    """Just what monitoring callbacks touch: weights, stop_training, an optimizer."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(1)]
        self.epoch = 0
        self.optimizer = optimizers.SGD(learning_rate=1.0)
        self.metrics = []

    def get_weights(self):
        return [np.full(1, float(self.epoch))]

    def set_weights(self, weights):
        self.weights = weights


def drive(callback, model, values, monitor="val_loss"):
    """Feeds `values` as successive epoch logs; returns the epochs trained and the learning rates."""
    callback.set_model(model)
    callback.on_train_begin()
    rates = []
    for epoch, value in enumerate(values):
        model.epoch = epoch
        callback.on_epoch_end(epoch, {monitor: value})
        rates.append(round(float(model.optimizer.learning_rate), 8))
        if model.stop_training:
            break
    callback.on_train_end()
    return epoch, rates


SEQUENCES = [
    [1.0, 0.9, 0.95, 0.97, 0.85, 0.9, 0.91, 0.92, 0.93],
    [1.0, 1.0, 1.0, 1.0, 1.0],
    [0.5, 0.4, 0.3, 0.35, 0.2, 0.21, 0.22, 0.19, 0.5, 0.6, 0.7],
]


@pytest.mark.parametrize("values", SEQUENCES)
@pytest.mark.parametrize("kwargs", [
    dict(patience=0), dict(patience=2), dict(patience=2, min_delta=0.06), dict(patience=1, baseline=0.3),
    dict(patience=1, start_from_epoch=3), dict(patience=2, restore_best_weights=True),
    dict(patience=1, mode="max"),
])
def test_early_stopping_matches_keras(values, kwargs):
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    ours, theirs = callbacks.EarlyStopping(**kwargs), keras.callbacks.EarlyStopping(**kwargs)
    our_model, their_model = FakeModel(), FakeModel()
    assert drive(ours, our_model, values)[0] == drive(theirs, their_model, values)[0]
    assert (ours.stopped_epoch, ours.best_epoch, ours.wait) == (theirs.stopped_epoch, theirs.best_epoch,
                                                               theirs.wait)
    assert [list(w) for w in our_model.weights] == [list(w) for w in their_model.weights]


@pytest.mark.parametrize("values", SEQUENCES)
@pytest.mark.parametrize("kwargs", [dict(patience=1, factor=0.5), dict(patience=2, cooldown=1, factor=0.1),
                                    dict(patience=0, factor=0.5, min_lr=0.3, min_delta=0.05)])
def test_reduce_lr_on_plateau_matches_keras(values, kwargs):
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")

    class KerasFake(FakeModel):
        def __init__(self):
            super().__init__()
            self.optimizer = keras.optimizers.SGD(learning_rate=1.0)

    _, ours = drive(callbacks.ReduceLROnPlateau(**kwargs), FakeModel(), values)
    _, theirs = drive(keras.callbacks.ReduceLROnPlateau(**kwargs), KerasFake(), values)
    assert ours == pytest.approx(theirs)


def test_early_stopping_in_fit_restores_the_best_weights():
    x, y = regression(40)
    model = model_for(optimizers.SGD(learning_rate=0.05))
    weights = {}
    keep = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: weights.update({epoch: model.get_weights()}))
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    bad = x[:10] + 5.0  # a validation set that gets worse as training fits the training set
    history = model.fit(x, y, epochs=30, batch_size=8, validation_data=(bad, y[:10]), verbose=0,
                        callbacks=[keep, stop])
    best = int(np.argmin(history.history["val_loss"]))
    assert len(history.epoch) < 30 and stop.stopped_epoch == history.epoch[-1]
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights[best]))


def test_monitor_direction_is_inferred_or_must_be_given():
    stop = callbacks.EarlyStopping(monitor="val_accuracy")
    stop.set_model(FakeModel())
    stop._set_monitor_op()
    assert stop.monitor_op is np.greater
    odd = callbacks.EarlyStopping(monitor="val_wiggle")
    odd.set_model(FakeModel())
    with pytest.raises(ValueError, match="mode='max'"):
        odd.on_epoch_end(0, {"val_wiggle": 1.0})
    with pytest.warns(UserWarning, match="not available. Available metrics are: loss"):
        callbacks.EarlyStopping(monitor="val_loss", mode="min").on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(ValueError, match="factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.5)


def test_learning_rate_scheduler_sets_the_rate_and_logs_it():
    x, y = regression()
    model = model_for(optimizers.SGD(learning_rate=0.1))
    schedule = callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch < 1 else lr * 0.5)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[schedule])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])
    only_epoch = callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    model.fit(x, y, epochs=2, verbose=0, callbacks=[only_epoch])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.02)
    with pytest.raises(ValueError, match="should be a float"):
        model.fit(x, y, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda epoch, lr: "fast")])


def test_terminate_on_nan_stops_after_the_first_bad_batch(capsys):
    x, y = regression(16)
    x[5] = np.nan
    model = model_for()
    seen = []
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[
        callbacks.TerminateOnNaN(), callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))])
    assert seen == [0, 1] and len(history.epoch) == 1 and np.isnan(history.history["loss"][0])
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        model_for().fit(x, y, batch_size=4, shuffle=False, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN(raise_error=True)])


def test_progbar_formats_like_keras():
    assert format_value(0.12345) == "0.1235" and format_value(0.0001234) == "1.2340e-04"
    assert format_time(0.002, "step") == " 2ms/step" and format_time(2e-5, "step") == " 20us/step"
    assert format_time(3.0, "step") == " 3s/step"
    out = io.StringIO()
    bar = Progbar(target=32, verbose=1, interval=0, stream=out)
    for step in range(1, 33):
        bar.update(step, [("accuracy", 0.9), ("loss", 0.1)], finalize=step == 32)
    last = out.getvalue().rstrip("\n").split("\n")[-1].split("\r")[-1]
    plain = last.replace("\x1b[1m", "").replace("\x1b[0m", "").replace("\x1b[32m", "").replace("\x1b[37m", "")
    assert plain.startswith("32/32 " + "━" * 20 + " 0s ") and plain.endswith("/step - accuracy: 0.9000 - loss: 0.1000")
    quiet = io.StringIO()
    bar = Progbar(target=4, verbose=2, stream=quiet)
    for step in range(1, 5):
        bar.update(step, [("loss", 0.5)])
    assert quiet.getvalue().count("\n") == 1 and quiet.getvalue().startswith("4/4 - 0s -")


def test_progbar_redraws_are_rate_limited():
    out = io.StringIO()
    bar = Progbar(target=1000, verbose=1, interval=60.0, stream=out)
    for step in range(1, 1001):
        bar.update(step, [("loss", 1.0)])
    assert out.getvalue().count("1000/1000") == 1 and out.getvalue().count("/1000") <= 2


def test_model_checkpoint_saves_every_epoch_or_the_best(tmp_path):
    x, y = regression(20)
    model = model_for()
    every = callbacks.ModelCheckpoint(str(tmp_path / "e{epoch:02d}-{loss:.3f}.weights.npz"), monitor="loss")
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[every])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"e{i + 1:02d}-{loss:.3f}.weights.npz" for i, loss in enumerate(history.history["loss"])]
    best_path = tmp_path / "best.weights.npz"
    best = callbacks.ModelCheckpoint(str(best_path), monitor="val_loss", save_best_only=True)
    saved = {}
    keep = callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: saved.update({epoch: model.get_weights()}))
    bad = x[:8] + 5.0  # validation gets worse after the first epochs
    history = model.fit(x, y, epochs=6, validation_data=(bad, y[:8]), verbose=0, callbacks=[keep, best])
    best_epoch = int(np.argmin(history.history["val_loss"]))
    fresh = model_for()
    fresh.load_weights(best_path)
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), saved[best_epoch]))
    with pytest.raises(ValueError, match=r"must end in `.keras` \(the whole model\), `.weights.h5`"):
        callbacks.ModelCheckpoint(str(tmp_path / "model.npz"))
    with pytest.raises(ValueError, match=r"with save_weights_only=True the filepath must end in `.weights.h5`"):
        callbacks.ModelCheckpoint(str(tmp_path / "model.keras"), save_weights_only=True)
