"""Model.compile / fit / evaluate / predict: Keras 3's semantics, checked by
recomputing what Keras computes (weighted running means, validation split,
metric resolution, multi-output losses) and by the exact error messages."""
import os
import signal

import numpy as np
import pytest

import teachnet
from teachnet import callbacks, losses, metrics, ops, optimizers


class Linear(teachnet.layers.Layer):
    """A minimal dense layer, so these tests depend only on the Layer base."""

    def __init__(self, units, activation=None, kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation, self.kernel_regularizer = units, activation, kernel_regularizer

    def build(self, input_shape):
        self.kernel = self.add_weight((input_shape[-1], self.units), name="kernel",
                                      regularizer=self.kernel_regularizer)
        self.bias = self.add_weight((self.units,), initializer="zeros", name="bias")

    def call(self, x):
        y = ops.matmul(x, self.kernel) + self.bias
        return self.activation(y) if self.activation else y


def binary_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x[:, :1] - x[:, 1:2] > 0).astype("float32")
    return x, y


def binary_model(optimizer="rmsprop", seed=0, **compile_kwargs):
    teachnet.random.set_seed(seed)
    model = teachnet.Sequential([teachnet.Input(shape=(3,)), Linear(4, ops.relu), Linear(1, ops.sigmoid)])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", **compile_kwargs)
    return model


def test_fit_learns_and_history_has_keras_keys():
    x, y = binary_data(200)
    model = binary_model(optimizers.RMSprop(learning_rate=0.05), metrics=["accuracy"])
    history = model.fit(x, y, epochs=8, batch_size=16, validation_split=0.25, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == list(range(8))
    assert all(len(v) == 8 for v in history.history.values())
    assert model.history is history
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85


def test_epoch_loss_is_the_mean_over_batches_weighted_by_batch_size():
    x, y = binary_data(10)
    model = binary_model(optimizers.SGD(learning_rate=0.0))  # weights stay put
    history = model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    batch_losses = [model.test_on_batch(x[i:i + 4], y[i:i + 4]) for i in (0, 4, 8)]
    weighted = (4 * batch_losses[0] + 4 * batch_losses[1] + 2 * batch_losses[2]) / 10
    assert history.history["loss"][0] == pytest.approx(weighted, rel=1e-6)
    assert abs(np.mean(batch_losses) - weighted) > 1e-4  # the plain mean would differ


def test_validation_split_holds_out_the_last_samples_before_shuffling():
    x, y = binary_data(20)
    model = binary_model(optimizers.SGD(learning_rate=0.0), metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=4, validation_split=0.25, verbose=0)
    val_loss, val_acc = model.evaluate(x[15:], y[15:], verbose=0)
    assert history.history["val_loss"] == pytest.approx([val_loss] * 2, rel=1e-6)
    assert history.history["val_accuracy"] == pytest.approx([val_acc] * 2)
    train_loss = model.evaluate(x[:15], y[:15], batch_size=15, verbose=0)[0]
    assert history.history["loss"][0] == pytest.approx(train_loss, rel=1e-5)


def test_validation_data_and_validation_freq():
    x, y = binary_data(20)
    model = binary_model(optimizers.SGD(learning_rate=0.0))
    history = model.fit(x, y, epochs=4, validation_data=(x[:6], y[:6]), validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[:6], y[:6], verbose=0), rel=1e-6)


def test_shuffle_uses_teachnets_seeded_generator():
    x, y = binary_data(64)

    def train(shuffle):
        model = binary_model(optimizers.SGD(learning_rate=0.1), seed=3)
        teachnet.random.set_seed(7)
        model.fit(x, y, epochs=2, batch_size=8, shuffle=shuffle, verbose=0)
        return model.get_weights()

    a, b, c = train(True), train(True), train(False)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.allclose(u, v) for u, v in zip(a, c))


@pytest.mark.parametrize("y_shape, out_units, loss, expected", [
    ((12, 1), 1, "binary_crossentropy", "BinaryAccuracy"),
    ((12,), 3, "sparse_categorical_crossentropy", "SparseCategoricalAccuracy"),
    ((12, 1), 3, "sparse_categorical_crossentropy", "SparseCategoricalAccuracy"),
    ((12, 3), 3, "categorical_crossentropy", "CategoricalAccuracy"),
])
def test_accuracy_is_resolved_from_the_shapes_as_keras(y_shape, out_units, loss, expected):
    x = np.random.default_rng(0).normal(size=(12, 3)).astype("float32")
    y = np.zeros(y_shape, dtype="float32")
    if len(y_shape) == 2 and y_shape[1] == 3:
        y[:, 0] = 1
    model = teachnet.Sequential([teachnet.Input((3,)), Linear(out_units, ops.softmax if out_units > 1 else ops.sigmoid)])
    model.compile("sgd", loss, metrics=["accuracy", "acc"])
    logs = model.train_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss", "accuracy", "acc"}
    assert [type(m).__name__ for m in model.metrics] == ["Mean", "CompileMetrics"]  # Keras 3's list
    assert [type(m).__name__ for m in model.metrics[1].metrics] == [expected, expected]
    assert isinstance(model.metrics[1].metrics[0], getattr(metrics, expected))


def test_loss_includes_regularization():
    x, y = binary_data(8)
    teachnet.random.set_seed(0)
    penalty = lambda w: 0.1 * ops.sum(ops.square(w))  # noqa: E731
    model = teachnet.Sequential([teachnet.Input((3,)), Linear(1, kernel_regularizer=penalty)])
    model.compile("sgd", "mse")
    kernel = model.layers[0].kernel.numpy()
    mse = np.mean((model.predict(x, verbose=0) - y) ** 2)
    assert model.test_on_batch(x, y) == pytest.approx(mse + 0.1 * np.sum(kernel ** 2), rel=1e-5)
    with teachnet.GradientTape() as tape:
        loss = model.compute_loss(x, y, model(x))
    assert float(loss) == pytest.approx(mse + 0.1 * np.sum(kernel ** 2), rel=1e-5)


class TwoHeads(teachnet.Model):
    """A subclassed model with a dict of two outputs."""

    def __init__(self):
        super().__init__()
        self.trunk = Linear(4, ops.tanh)
        self.value = Linear(1)
        self.label = Linear(3, ops.softmax)

    def call(self, inputs):
        h = self.trunk(inputs)
        return {"value": self.value(h), "label": self.label(h)}


def two_head_data(n=24):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 5)).astype("float32")
    return x, {"value": x[:, :1] * 2.0, "label": (x[:, 1] > 0).astype("int64") + (x[:, 2] > 0)}


def test_multi_output_dict_losses_weights_metrics_and_history_keys():
    x, y = two_head_data()
    teachnet.random.set_seed(0)
    model = TwoHeads()
    model.compile(optimizers.SGD(learning_rate=0.05),
                  loss={"value": "mse", "label": "sparse_categorical_crossentropy"},
                  loss_weights={"value": 0.5, "label": 2.0},
                  metrics={"value": ["mae"], "label": ["accuracy"]})
    logs = model.test_on_batch(x, y, return_dict=True)
    assert list(logs) == ["label_accuracy", "label_loss", "loss", "value_loss", "value_mae"]
    pred = model.predict(x, verbose=0)
    assert set(pred) == {"value", "label"} and pred["label"].shape == (24, 3)
    mse = np.mean((pred["value"] - y["value"]) ** 2)
    cce = -np.mean(np.log(np.clip(pred["label"][np.arange(24), y["label"]], 1e-7, 1)))
    assert logs["value_loss"] == pytest.approx(mse, rel=1e-5)
    assert logs["label_loss"] == pytest.approx(cce, rel=1e-5)
    assert logs["loss"] == pytest.approx(0.5 * mse + 2.0 * cce, rel=1e-5)
    history = model.fit(x, y, epochs=2, batch_size=8, validation_data=(x, y), verbose=0)
    names = ["label_accuracy", "label_loss", "loss", "value_loss", "value_mae"]
    assert list(history.history) == sorted(names + [f"val_{n}" for n in names])  # sorted, as Keras
    # Keras orders evaluate()'s list: loss, per-output losses (in the loss dict's order), then the rest sorted
    assert model.metrics_names == ["loss", "value_loss", "label_loss", "label_accuracy", "value_mae"]


class ListHeads(TwoHeads):
    output_names = ["value", "label"]

    def call(self, inputs):
        out = super().call(inputs)
        return [out["value"], out["label"]]


def test_multi_output_lists_with_output_names_and_y_as_dict_or_list():
    x, y = two_head_data()
    teachnet.random.set_seed(0)
    model = ListHeads()
    model.compile("sgd", loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.0],
                  metrics=[["mae"], ["accuracy"]])
    as_dict = model.test_on_batch(x, y, return_dict=True)
    as_list = model.test_on_batch(x, [y["value"], y["label"]], return_dict=True)
    assert as_dict == as_list
    assert as_dict["loss"] == pytest.approx(as_dict["value_loss"], rel=1e-6)  # label's weight is 0
    assert set(as_dict) == {"loss", "value_loss", "label_loss", "value_mae", "label_accuracy"}


def test_multi_output_errors_name_the_outputs():
    x, y = two_head_data()
    model = ListHeads()
    model.compile("sgd", loss=["mse"])
    with pytest.raises(ValueError, match=r"one entry per output.*2 output.*\['value', 'label'\]"):
        model.test_on_batch(x, y)
    model.compile("sgd", loss={"value": "mse", "price": "mse"})
    with pytest.raises(ValueError, match=r"`loss` to have one entry per output.*\['value', 'label'\].*unknown: \['price'\]"):
        model.test_on_batch(x, y)
    model.compile("sgd", loss="mse")
    with pytest.raises(ValueError, match="Received: a single ndarray"):
        model.test_on_batch(x, y["value"])


class Recorder(callbacks.Callback):
    wants_step_details = True

    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append(self.model.last_step)


def test_last_step_details_only_when_a_callback_asks():
    x, y = binary_data(16)
    model = binary_model(optimizers.SGD(learning_rate=0.1))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert model.last_step is None
    recorder = Recorder()
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0, callbacks=[recorder])
    step = recorder.steps[-1]
    assert len(recorder.steps) == 2 and step.batch_size == 8
    assert step.learning_rate == pytest.approx(0.1)
    assert [g.shape for g in step.gradients] == [w.shape for w in model.trainable_weights]
    for g, u in zip(step.gradients, step.updates):  # plain SGD: update = -lr * gradient
        np.testing.assert_allclose(u, -0.1 * g, rtol=1e-4, atol=1e-7)
    np.testing.assert_array_equal(step.x, x[8:])
    assert step.y_pred.shape == (8, 1) and step.losses["loss"] == step.loss


def test_keyboard_interrupt_keeps_completed_epochs_and_last_step():
    x, y = binary_data(32)
    model = binary_model(optimizers.SGD(learning_rate=0.1))
    recorder = Recorder()

    class Interrupt(callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if len(recorder.steps) == 5:  # during the 2nd batch of epoch 2
                os.kill(os.getpid(), signal.SIGINT)

    class Snapshots(callbacks.Callback):  # the weights after each completed step, and each epoch's logs
        weights, epoch_logs = [], []

        def on_train_batch_end(self, batch, logs=None):
            self.weights.append([w.copy() for w in self.model.get_weights()])

        def on_epoch_end(self, epoch, logs=None):
            self.epoch_logs.append(dict(logs))

    previous = signal.getsignal(signal.SIGINT)
    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[Interrupt(), recorder, Snapshots()])
    assert history.epoch == [0] and len(history.history["loss"]) == 1
    assert history.history["loss"] == [Snapshots.epoch_logs[0]["loss"]] and model.history is history
    assert len(recorder.steps) == 6  # the interrupted step was completed
    assert signal.getsignal(signal.SIGINT) is previous
    for now, after_last_step, before_it in zip(model.get_weights(), Snapshots.weights[-1], Snapshots.weights[-2]):
        np.testing.assert_array_equal(now, after_last_step)  # exactly the weights of the last completed step
        assert not np.array_equal(after_last_step, before_it)  # ... which did update them


def test_an_interrupt_in_the_middle_of_a_step_lets_the_step_finish():
    x, y = binary_data(32)
    model = binary_model(optimizers.SGD(learning_rate=0.1))
    reference = binary_model(optimizers.SGD(learning_rate=0.1))  # same seed: same initial weights

    class InterruptInLoss:  # Ctrl-C arrives while the 3rd step computes its loss
        calls = 0

        def __call__(self, y_true, y_pred):
            InterruptInLoss.calls += 1
            if InterruptInLoss.calls == 3:
                os.kill(os.getpid(), signal.SIGINT)
            return ops.mean(ops.square(y_true - y_pred), axis=-1)

    model.compile(optimizers.SGD(learning_rate=0.1), loss=InterruptInLoss())
    history = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    reference.compile(optimizers.SGD(learning_rate=0.1), loss="mse")
    for start in (0, 8, 16):  # three complete steps, no more, no less
        reference.train_on_batch(x[start:start + 8], y[start:start + 8])
    assert history.epoch == [] and history.history == {}
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_evaluate_predict_and_on_batch_return_types():
    x, y = binary_data(10)
    model = binary_model(metrics=["accuracy"])
    assert isinstance(model.evaluate(x, y, verbose=0), list)
    assert list(model.evaluate(x, y, verbose=0, return_dict=True)) == ["accuracy", "loss"]
    assert model.metrics_names == ["loss", "accuracy"]
    plain = binary_model()
    assert isinstance(plain.evaluate(x, y, verbose=0), float)
    assert isinstance(plain.train_on_batch(x, y), float)
    out = model.predict(x, batch_size=3, verbose=0)
    assert isinstance(out, np.ndarray) and out.shape == (10, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, model.predict_on_batch(x), rtol=1e-6)
    np.testing.assert_allclose(out, model(x).numpy(), rtol=1e-6)


def test_class_weight_equals_the_matching_sample_weight():
    x, y = binary_data(16)
    a = binary_model(optimizers.SGD(learning_rate=0.1))
    b = binary_model(optimizers.SGD(learning_rate=0.1))
    ha = a.fit(x, y, epochs=2, batch_size=4, shuffle=False, class_weight={0: 1.0, 1: 3.0}, verbose=0)
    hb = b.fit(x, y, epochs=2, batch_size=4, shuffle=False, sample_weight=np.where(y[:, 0] > 0, 3.0, 1.0),
               verbose=0)
    assert ha.history["loss"] == pytest.approx(hb.history["loss"], rel=1e-6)


def test_steps_per_epoch_and_initial_epoch():
    x, y = binary_data(40)
    seen = []
    model = binary_model()
    counter = callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    history = model.fit(x, y, batch_size=10, epochs=3, steps_per_epoch=2, initial_epoch=1, verbose=0,
                        callbacks=[counter])
    assert history.epoch == [1, 2] and seen == [0, 1, 0, 1]


def test_stop_training_ends_after_the_current_batch():
    x, y = binary_data(40)
    model = binary_model()
    seen = []

    def stop(batch, logs):
        seen.append(batch)
        if batch == 1:
            model.stop_training = True
    history = model.fit(x, y, batch_size=10, epochs=3, verbose=0,
                        callbacks=[callbacks.LambdaCallback(on_train_batch_end=stop)])
    assert seen == [0, 1] and history.epoch == [0]


# -- errors -----------------------------------------------------------------------
def test_fit_before_compile_says_to_compile():
    x, y = binary_data(8)
    model = teachnet.Sequential([teachnet.Input((3,)), Linear(1)])
    for call in (lambda: model.fit(x, y), lambda: model.evaluate(x, y), lambda: model.train_on_batch(x, y)):
        with pytest.raises(ValueError, match=r"You must call `compile\(\)`"):
            call()


def test_bad_fit_arguments_are_named():
    x, y = binary_data(8)
    model = binary_model()
    with pytest.raises(ValueError, match=r"Data cardinality is ambiguous: expected as many samples in y as in x\. Received: x has 8 samples but "
                                         r"y has 5\. Make sure all arrays"):
        model.fit(x, y[:5], verbose=0)
    with pytest.raises(ValueError, match="batch_size=0"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="epochs=-1"):
        model.fit(x, y, epochs=-1, verbose=0)
    for split in (1.0, -0.1):
        with pytest.raises(ValueError, match=f"validation_split={split}"):
            model.fit(x, y, validation_split=split, verbose=0)
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(x, y, validation_data=x, verbose=0)
    with pytest.raises(ValueError, match="needs targets"):
        model.fit(x, verbose=0)


def test_wrong_target_format_surfaces_as_a_clean_error():
    x = np.zeros((6, 3), "float32")
    model = teachnet.Sequential([teachnet.Input((3,)), Linear(4, ops.softmax)])
    model.compile("sgd", "categorical_crossentropy")
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*Received: y_true of shape \(6,\).*y_pred of shape \(6, 4\)") as info:
        model.fit(x, np.arange(6) % 4, verbose=0)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_verbose_output_is_keras_style(capsys):
    x, y = binary_data(40)
    model = binary_model(metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=10, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("4/4 - 0s - ") and "/step - accuracy: " in lines[1] and " - loss: " in lines[1]
    model.fit(x, y, epochs=1, batch_size=10, verbose=1)
    out = capsys.readouterr().out
    assert "4/4" in out and "━" * 20 in out and "accuracy:" in out and out.endswith("\n")
    model.fit(x, y, epochs=1, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_custom_loss_and_metric_functions_are_named_after_the_function():
    x, y = binary_data(16)

    def squared_gap(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    def mean_prediction(y_true, y_pred):
        return np.mean(np.asarray(y_pred), axis=-1)

    model = binary_model()
    model.compile("sgd", loss=squared_gap, metrics=[mean_prediction, "mae"])
    logs = model.test_on_batch(x, y, return_dict=True)
    assert list(logs) == ["loss", "mae", "mean_prediction"]
    pred = model.predict(x, verbose=0)
    assert logs["loss"] == pytest.approx(np.mean((pred - y) ** 2), rel=1e-5)
    assert logs["mean_prediction"] == pytest.approx(pred.mean(), rel=1e-5)
    model.compile("sgd", loss="crossentropy")  # resolved to binary crossentropy from the shapes
    bce = -np.mean(y * np.log(pred) + (1 - y) * np.log(1 - pred))
    assert model.test_on_batch(x, y) == pytest.approx(bce, rel=1e-4)


def test_subclassed_model_summary_lists_its_layers():
    teachnet.layers.base.clear_session()
    model = TwoHeads()
    model(np.zeros((1, 5), "float32"))
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0].startswith('Model: "two_heads"')
    assert "│ linear (Linear)                 │ ?                      │            24 │" in lines[0]
    assert " Total params: 44 (176.00 B)" in lines[0]  # 24 + 5 + 15


def test_missing_inputs_are_named():
    model = binary_model()
    with pytest.raises(ValueError, match="`evaluate` needs inputs"):
        model.evaluate(None, np.zeros((3, 1)))
    with pytest.raises(ValueError, match="`predict` needs inputs"):
        model.predict(None)
    with pytest.raises(ValueError, match="`fit` needs training inputs"):
        model.fit(None, np.zeros((3, 1)))


def test_bad_compile_arguments_are_named():
    x, y = binary_data(8)
    model = binary_model()
    with pytest.raises(ValueError, match=r"Expected `metrics` argument to be a list.*metrics='accuracy'"):
        model.compile("sgd", "mse", metrics="accuracy")
    with pytest.raises(ValueError, match=r"Expected `loss_weights`.*loss_weights='heavy'"):
        model.compile("sgd", "mse", loss_weights="heavy")
    model.compile("sgd")
    with pytest.raises(ValueError, match=r"No loss to compute. Provide a `loss` argument in `compile\(\)`"):
        model.train_on_batch(x, y)
    with pytest.raises(ValueError, match="Unknown"):
        model.compile("sgd", loss="no_such_loss")
        model.train_on_batch(x, y)
    empty = np.zeros((0, 3), "float32")
    for call in (lambda: model.fit(empty, np.zeros((0, 1))), lambda: model.evaluate(empty, np.zeros((0, 1))),
                 lambda: model.predict(empty)):
        with pytest.raises(ValueError, match=r"Expected at least one sample in `x`\. Received: 0 samples \(`x` is empty\)"):
            call()


def test_build_creates_the_weights_of_a_subclassed_model():
    model = TwoHeads()
    assert model.weights == []
    model.build((None, 5))
    assert model.built and [w.shape for w in model.weights] == [(5, 4), (4,), (4, 1), (1,), (4, 3), (3,)]
    out = model(np.ones((2, 5), "float32"))
    assert out["label"].shape == (2, 3)

    class TwoInputs(teachnet.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = Linear(2), Linear(2)

        def call(self, inputs):
            return self.a(inputs["left"]) + self.b(inputs["right"])
    pair = TwoInputs()
    pair.build({"left": (None, 3), "right": (None, 4)})
    assert [w.shape for w in pair.weights] == [(3, 2), (2,), (4, 2), (2,)]
    with pytest.raises(ValueError, match="needs the input shape"):
        TwoHeads().build(None)


def test_a_second_interrupt_stops_at_once_and_restores_the_handler():
    x, y = binary_data(32)
    model = binary_model()

    class Twice(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)

    previous = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[Twice()])
    assert signal.getsignal(signal.SIGINT) is previous


@pytest.mark.parametrize("where", ["batch", "validation", "epoch_end", "second_interrupt"])
def test_an_interrupt_always_says_so_wherever_it_lands(where, capsys):
    x, y = binary_data(32)
    model = binary_model()
    told = []

    class Interrupt(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if where == "batch" and batch == 1:
                os.kill(os.getpid(), signal.SIGINT)
            if where == "second_interrupt" and batch == 1:
                os.kill(os.getpid(), signal.SIGINT)
                os.kill(os.getpid(), signal.SIGINT)

        def on_test_batch_end(self, batch, logs=None):  # during validation
            if where == "validation":
                os.kill(os.getpid(), signal.SIGINT)

        def on_epoch_end(self, epoch, logs=None):
            if where == "epoch_end":
                os.kill(os.getpid(), signal.SIGINT)

        def on_train_interrupted(self, epoch):
            told.append(epoch)

        def on_train_end(self, logs=None):
            told.append("end")

    fit = lambda: model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x[:8], y[:8]),  # noqa: E731
                            callbacks=[Interrupt()])
    if where == "second_interrupt":
        with pytest.raises(KeyboardInterrupt):
            fit()
    else:
        history = fit()
        assert len(history.epoch) == (0 if where == "batch" else 1)  # validation and epoch end complete the epoch
    assert "Training interrupted during epoch 1" in capsys.readouterr().out
    assert told == [0]  # on_train_interrupted instead of on_train_end


def test_a_numpy_loss_function_is_refused_with_the_loss_modules_message():
    x, y = binary_data(8)
    model = binary_model()
    model.compile("sgd", loss=lambda y_true, y_pred: np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2, axis=-1))
    with pytest.raises(TypeError, match=r"(?s)Cannot compute the loss .*Received: y_true of shape .*y_pred of shape \(8, 1\).*teachnet.ops"):
        model.fit(x, y, verbose=0)
