"""Customizing `fit` the Keras 3 way: `train_step(self, data)`, `test_step`, `predict_step`,
`compute_loss`, `self.metrics`, trackers made in `__init__`, functional subclassing and a
GAN with two optimizers. The step code below is Keras's guide code with the import swapped
(and `tf.GradientTape` spelled `teachnet.GradientTape`)."""
import numpy as np
import pytest

import teachnet
from teachnet import callbacks, layers, metrics, ops, optimizers
from teachnet.models.data import unpack_x_y_sample_weight


def regression_data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32") + 0.3).astype("float32")
    return x, y


class GuideModel(teachnet.Model):
    """The "Customizing what happens in fit()" guide's first model (subclassed here)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense1 = layers.Dense(8, activation="relu")
        self.dense2 = layers.Dense(1)

    def call(self, x):
        return self.dense2(self.dense1(x))

    def train_step(self, data):
        x, y = data
        with teachnet.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
        trainable_vars = self.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply(gradients, trainable_vars)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_a_guide_train_step_trains_and_reports_its_metrics_to_history():
    x, y = regression_data()
    teachnet.utils.set_random_seed(1)
    model = GuideModel()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=4, batch_size=16, verbose=0)
    assert set(history.history) == {"loss", "mae"}  # CompileMetrics' dict result is flattened, as Keras
    assert history.history["loss"][-1] < history.history["loss"][0]
    # the loss tracker got one unweighted value per batch (the guide's code), reset each epoch
    assert model.metrics[0].count == 4


def test_the_default_step_matches_a_step_written_with_the_public_pieces():
    x, y = regression_data()

    class Written(GuideModel):
        def train_step(self, data):
            x, y, sample_weight = unpack_x_y_sample_weight(data)
            with teachnet.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x, y, y_pred, sample_weight)
            self.metrics[0].update_state(loss, sample_weight=len(x))
            gradients = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
            return self.compute_metrics(x, y, y_pred, sample_weight)

    results = []
    for cls in (Written, GuideModel):
        teachnet.utils.set_random_seed(3)
        model = cls()
        if cls is GuideModel:
            model.train_step = lambda data, m=model: teachnet.Model.train_step(m, data)  # the library's step
        model.compile("sgd", "mse", metrics=["mae"])
        history = model.fit(x, y, batch_size=10, epochs=2, verbose=0, shuffle=False)
        results.append((history.history, model.get_weights()))
    assert set(results[0][0]) == set(results[1][0]) == {"loss", "mae"}
    for key in results[0][0]:
        assert results[0][0][key] == pytest.approx(results[1][0][key], rel=1e-6)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_train_step_receives_data_as_keras_packs_it():
    seen = []

    class Recording(GuideModel):
        def train_step(self, data):
            seen.append(data)
            return teachnet.Model.train_step(self, data)

    x, y = regression_data(8)
    model = Recording()
    model.compile("sgd", "mse")
    model.fit(x, y, batch_size=8, verbose=0)
    model.fit(x, y, sample_weight=np.ones(8), batch_size=8, verbose=0)
    assert isinstance(seen[0], tuple) and len(seen[0]) == 2 and seen[0][0].shape == (8, 4)
    assert isinstance(seen[1], tuple) and len(seen[1]) == 3

    class XOnly(teachnet.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            seen.append(data)
            return {"n": len(data)}
    model = XOnly()
    model.compile()
    history = model.fit(x, batch_size=4, verbose=0)
    assert isinstance(seen[-1], np.ndarray)  # x alone, not a tuple, as Keras passes it
    assert history.history == {"n": [4.0]}  # the step's own logs when they are not the metrics


def test_trackers_created_in_init_appear_in_metrics_after_the_compiled_ones():
    class WithTracker(GuideModel):
        def __init__(self):
            super().__init__()
            self.extra = metrics.Mean(name="extra")

        def train_step(self, data):
            self.extra.update_state(7.0)
            return teachnet.Model.train_step(self, data)

    model = WithTracker()
    model.compile("sgd", "mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "extra"]
    history = model.fit(*regression_data(16), batch_size=8, epochs=2, verbose=0)
    assert history.history["extra"] == [7.0, 7.0]
    assert set(history.history) == {"loss", "mae", "extra"}


def test_low_level_trackers_with_metrics_overridden_and_no_compiled_loss():
    class LowLevel(teachnet.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.loss_tracker = metrics.Mean(name="loss")
            self.mae_metric = metrics.MeanAbsoluteError(name="mae")

        def call(self, x):
            return self.dense(x)

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]  # reset at each epoch by fit

        def train_step(self, data):
            x, y = data
            with teachnet.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = ops.mean(ops.square(y_pred - y))
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(gradients, self.trainable_variables)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            self.loss_tracker.update_state(ops.mean(ops.square(y_pred - y)))
            self.mae_metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    x, y = regression_data()
    model = LowLevel()
    model.compile(optimizer="adam")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_data=(x[:16], y[:16]))
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert model.loss_tracker.count == 1  # the validation's one batch, after the reset
    logs = model.evaluate(x, y, batch_size=64, verbose=0, return_dict=True)
    expected = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    assert logs["loss"] == pytest.approx(expected, rel=1e-5)


def test_predict_step_override_is_what_predict_returns():
    class Doubling(GuideModel):
        def predict_step(self, data):
            x, _, _ = unpack_x_y_sample_weight(data)
            return self(x) * 2.0

    x, _ = regression_data(10)
    model = Doubling()
    plain = teachnet.Model.predict_step(model, (x,)).numpy()
    np.testing.assert_allclose(model.predict(x, batch_size=3, verbose=0), 2 * plain, rtol=1e-6)


class FunctionalCustom(teachnet.Model):
    def train_step(self, data):
        self.steps_taken = getattr(self, "steps_taken", 0) + 1
        return super().train_step(data)


def functional_parts():
    inputs = teachnet.Input(shape=(4,))
    outputs = layers.Dense(1)(layers.Dense(6, activation="tanh")(inputs))
    return inputs, outputs


def test_a_subclass_built_functionally_runs_the_graph_and_its_own_train_step():
    model = FunctionalCustom(*functional_parts())
    assert isinstance(model, FunctionalCustom) and type(model).__name__ == "FunctionalCustom"
    assert len(model.layers) == 3 and len(model.weights) == 4
    model.compile("adam", "mse")
    model.fit(*regression_data(32), batch_size=8, epochs=2, verbose=0)
    assert model.steps_taken == 8
    assert type(FunctionalCustom(*functional_parts())) is type(model)  # one functional class per subclass
    assert type(teachnet.Model(*functional_parts())).__name__ == "Functional"


def test_super_init_with_inputs_and_outputs_inside_a_subclass():
    class Built(teachnet.Model):
        def __init__(self, units):
            inputs = teachnet.Input(shape=(4,))
            outputs = layers.Dense(units)(inputs)
            super().__init__(inputs=inputs, outputs=outputs, name="built")
            self.tracker = metrics.Mean(name="calls")

        def train_step(self, data):
            self.tracker.update_state(1.0)
            return super().train_step(data)

    model = Built(1)
    assert model.name == "built" and isinstance(model, Built) and model.output_names == [model.layers[-1].name]
    model.compile("sgd", "mse")
    history = model.fit(*regression_data(16), batch_size=8, verbose=0)
    assert history.history["calls"] == [1.0] and "loss" in history.history
    assert model.predict(np.zeros((2, 4)), verbose=0).shape == (2, 1)


# -- a GAN: a Model holding two models, overriding only train_step ---------------------------
def make_gan(latent_dim=3):
    discriminator = teachnet.Sequential([teachnet.Input((2,)), layers.Dense(8, activation="relu"),
                                         layers.Dense(1)], name="discriminator")
    generator = teachnet.Sequential([teachnet.Input((latent_dim,)), layers.Dense(8, activation="relu"),
                                     layers.Dense(2)], name="generator")

    class GAN(teachnet.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.d_loss_tracker = metrics.Mean(name="d_loss")
            self.g_loss_tracker = metrics.Mean(name="g_loss")

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def train_step(self, real_images):
            if isinstance(real_images, tuple):
                real_images = real_images[0]
            batch_size = ops.shape(real_images)[0]
            latent = teachnet.random.normal((batch_size, self.latent_dim))
            generated = self.generator(latent)
            combined = ops.concatenate([generated, real_images], axis=0)
            labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
            with teachnet.GradientTape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(combined))
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

            latent = teachnet.random.normal((batch_size, self.latent_dim))
            misleading_labels = ops.zeros((batch_size, 1))
            with teachnet.GradientTape() as tape:
                g_loss = self.loss_fn(misleading_labels, self.discriminator(self.generator(latent)))
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    gan = GAN(discriminator, generator, latent_dim)
    gan.compile(d_optimizer=optimizers.Adam(learning_rate=0.01), g_optimizer=optimizers.Adam(learning_rate=0.01),
                loss_fn=teachnet.losses.BinaryCrossentropy(from_logits=True))
    return gan


def real_points(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, 2)) * 0.1 + [2.0, -1.0]).astype("float32")


def test_a_gan_with_two_optimizers_trains_with_fit_on_arrays_and_on_a_generator():
    teachnet.utils.set_random_seed(0)
    gan = make_gan()
    g_before = [w.numpy() for w in gan.generator.weights]
    d_before = [w.numpy() for w in gan.discriminator.weights]
    history = gan.fit(real_points(), batch_size=16, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"} and len(history.history["d_loss"]) == 2
    assert all(np.isfinite(v) for v in history.history["d_loss"] + history.history["g_loss"])
    assert all(not np.allclose(a, w.numpy()) for a, w in zip(g_before, gan.generator.weights))
    assert all(not np.allclose(a, w.numpy()) for a, w in zip(d_before, gan.discriminator.weights))
    assert gan.d_optimizer.iterations.numpy() == 8 and gan.g_optimizer.iterations.numpy() == 8

    def batches():
        while True:
            yield (real_points(16, seed=5),)
    history = gan.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["g_loss"]) == 2 and gan.d_optimizer.iterations.numpy() == 14


# -- callbacks and the step record with a custom step ----------------------------------------
class Recorder(callbacks.Callback):
    wants_step_details = True

    def __init__(self):
        super().__init__()
        self.records, self.logs = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.records.append(self.model.last_step)
        self.logs.append(dict(logs))


def test_callbacks_see_a_custom_steps_logs_and_its_step_record():
    x, y = regression_data(32)
    teachnet.utils.set_random_seed(0)
    model = GuideModel()
    model.compile(optimizers.SGD(learning_rate=0.1), "mse", metrics=["mae"])
    recorder = Recorder()
    before = [w.numpy() for w in model.weights] if model.built else None
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[recorder], shuffle=False)
    assert before is None  # fit built the model from one sample first
    assert [set(logs) for logs in recorder.logs] == [{"loss", "mae"}] * 2
    record = recorder.records[-1]
    assert record.learning_rate == pytest.approx(0.1) and record.batch_size == 16
    assert record.y_pred.shape == (16, 1) and record.loss == pytest.approx(model.last_batch_loss)
    # plain SGD: each update is -learning_rate * gradient, for every weight
    for gradient, update in zip(record.gradients, record.updates):
        np.testing.assert_allclose(update, -0.1 * gradient, rtol=1e-4, atol=1e-7)
    assert any(np.abs(g).sum() > 0 for g in record.gradients)
    assert history.history["loss"][0] == pytest.approx(np.mean([logs["loss"] for logs in recorder.logs[-1:]]))


def test_the_optimizer_is_left_as_it_was_after_a_recorded_step():
    x, y = regression_data(16)
    model = GuideModel()
    model.compile("sgd", "mse")
    model.fit(x, y, batch_size=8, verbose=0, callbacks=[Recorder()])
    assert "apply" not in vars(model.optimizer)


# -- what a step must return ------------------------------------------------------------------
@pytest.mark.parametrize("returned, words", [
    (lambda loss: loss, "must return a dict of numbers"),
    (lambda loss: None, "Received: NoneType"),
    (lambda loss: {"loss": np.ones(3)}, "the value of 'loss' is ndarray"),
    (lambda loss: {"loss": "low"}, "the value of 'loss' is str"),
])
def test_a_train_step_returning_something_else_says_what_it_must_return(returned, words):
    class Bad(GuideModel):
        def train_step(self, data):
            x, y = data
            return returned(self.compute_loss(y=y, y_pred=self(x)))

    model = Bad()
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match="Bad.train_step\\(\\) must return a dict of numbers") as info:
        model.fit(*regression_data(8), verbose=0)
    assert words in str(info.value) and "self.metrics" in str(info.value)


def test_a_test_step_returning_a_list_is_refused_by_evaluate():
    class Bad(GuideModel):
        def test_step(self, data):
            return [1.0]

    model = Bad()
    model.compile("sgd", "mse")
    with pytest.raises(TypeError, match=r"Bad.test_step\(\) must return a dict of numbers.*Received: list"):
        model.evaluate(*regression_data(8), verbose=0)


def test_an_unbuilt_subclassed_model_is_built_from_the_first_batch_of_a_generator():
    x, y = regression_data(32)
    model = GuideModel()
    model.compile("sgd", "mse")

    def batches():
        for i in range(0, 32, 8):
            yield x[i:i + 8], y[i:i + 8]
    recorder = Recorder()
    history = model.fit(batches(), verbose=0, callbacks=[recorder])
    assert model.built and len(recorder.records) == 4  # the peeked batch was trained on, not lost
    assert all(r.batch_size == 8 for r in recorder.records) and len(history.history["loss"]) == 1


def test_the_training_dashboard_draws_a_custom_steps_training():
    pytest.importorskip("ipywidgets")
    pytest.importorskip("matplotlib")
    from widgets.dashboard import TrainingDashboard
    x, y = regression_data(32)
    model = GuideModel()
    model.compile(optimizers.SGD(learning_rate=0.05), "mse", metrics=["mae"])
    model.build((None, 4))
    dashboard = TrainingDashboard(model, redraw_interval=0.0)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[dashboard])
    log = dashboard.training_log
    assert len(log.batch_values["loss"]) == 8 and "mae" in log.batch_values
    assert model.last_step is not None and len(model.last_step.gradients) == 4
