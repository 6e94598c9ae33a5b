"""The lessons' own live views: EnvironmentCheck (00), FrameworkRace (06), CompileExplorer (07),
ValidationWatch and early_stopping_epoch (08). Tests assert state and image bytes, not pixels."""
import importlib.util
import os

import numpy as np
import pytest

import teachnet as tn
from widgets.compile_explorer import CompileExplorer
from widgets.dashboard import TrainingDashboard
from widgets.environment_check import EnvironmentCheck, package_versions
from widgets.framework_race import FrameworkRace
from widgets.validation_watch import ValidationWatch, early_stopping_epoch

from tests.widgets.helpers import press_pause, press_play, tick, ticker_playing

PNG = b"\x89PNG"


# -- EnvironmentCheck ------------------------------------------------------------------------------------------

def test_environment_check_counts_clicks_and_trains():
    live = EnvironmentCheck()
    assert live.clicks == 0 and "Click the button" in live.click_status.value
    live.click_button.click()
    assert live.clicks == 1 and "reached the kernel" in live.click_status.value
    live.advance(5)
    first = live.loss
    live.advance(40)
    assert live.step == 45 and live.loss < first < np.log(2), "full-batch SGD on separable clouds goes down"
    assert live.static_png().startswith(PNG)


def test_environment_check_table_names_each_package_with_room_and_says_how_to_install_a_missing_one():
    live = EnvironmentCheck()
    live.versions = {"numpy": "2.0", "ipywidgets": None}
    html = live._versions_html()
    assert "%pip install ipywidgets, then restart the kernel" in html and "2.0" in html
    # every name cell is padded: the classic Notebook pads none, and "ipywidgets7.7.1" ran together there
    assert html.count("<td style='padding-right:1em'>") == html.count("<tr>") == 4


def test_environment_check_play_steps_on_each_tick():
    live = EnvironmentCheck()
    assert "tn-play" in live.ticker._dom_classes and live.play_button is live.ticker
    press_play(live)  # the Play widget's own button: the only start ipywidgets 7.x honours
    assert live.running
    tick(live)  # what the front end's timer does
    tick(live)
    press_pause(live)
    assert live.step == 2 and not live.running
    live.step_button.click()
    assert live.step == 3


def test_a_tick_sent_while_the_previous_one_ran_is_dropped_however_late_it_is_handled(monkeypatch):
    """The browser stamps each tick with its send time; a tick sent while the previous one still ran waited in
    the kernel's queue and is dropped, even when the kernel took long (here 50 ms) to reach it: on a loaded
    machine a queued tick otherwise ran after Pause (classic Notebook, lesson 07)."""
    import time

    import widgets.base

    live = EnvironmentCheck()
    sent = {"at": 1000.0}
    monkeypatch.setattr(widgets.base, "message_sent_at", lambda: sent["at"])
    press_play(live)
    live.ticker.value += 1  # sent at 1000.0: runs
    assert live.step == 1
    took = live._last_tick_sent[1]
    time.sleep(0.05)
    sent["at"] = 1000.0 + took / 2  # sent while the first tick ran
    live.ticker.value += 1
    assert live.step == 1
    sent["at"] = 1000.0 + took + 0.001  # sent after it ended
    live.ticker.value += 1
    assert live.step == 2
    sent["at"] += 10
    with live.ticker.hold_trait_notifications():  # ipywidgets 8 sends a tick held back during a busy kernel
        live.ticker.value += 1                    # with the Pause clicked meanwhile, in one message
        press_pause(live)
    assert live.step == 2 and not live.running


def test_live_trainer_pauses_itself_at_max_steps():
    live = EnvironmentCheck()
    live.max_steps, live.steps_per_tick = 5, 3
    press_play(live)
    tick(live)
    assert live.running and live.step == 3
    tick(live)
    assert live.step == 5 and not live.running and not ticker_playing(live), "the button goes back to Play"
    with pytest.raises(Exception, match=r"EnvironmentCheck: expected `steps_per_tick` >= 1\. Received: "
                                        r"steps_per_tick=0"):
        live.steps_per_tick = 0


def test_package_versions_names_every_package():
    versions = package_versions()
    assert set(versions) == {"numpy", "matplotlib", "ipywidgets", "teachnet"}
    assert versions["numpy"] == np.__version__


# -- CompileExplorer -------------------------------------------------------------------------------------------

def _digits():
    (x, y), (x_test, y_test) = tn.datasets.load_digits()
    return x.reshape(-1, 64).astype("float32") / 16, y, x_test.reshape(-1, 64).astype("float32") / 16, y_test


def _make_model():
    return tn.Sequential([tn.Input(shape=(64,)), tn.layers.Dense(16, activation="relu"),
                          tn.layers.Dense(10, activation="softmax")])


def test_compile_explorer_runs_the_chosen_settings_and_keeps_earlier_runs():
    x, y, x_test, y_test = _digits()
    explorer = CompileExplorer(_make_model, x, y, validation_data=(x_test, y_test), epochs=3)
    explorer.metrics = ["accuracy", "sparse_top_k_categorical_accuracy"]
    assert explorer.metrics_select.value == ("accuracy", "sparse_top_k_categorical_accuracy")
    history = explorer.run()
    assert sorted(history) == ["accuracy", "loss", "sparse_top_k_categorical_accuracy", "val_accuracy", "val_loss",
                               "val_sparse_top_k_categorical_accuracy"]
    assert len(history["loss"]) == 3 and "val_accuracy" in explorer.keys_text.value
    assert type(explorer.model.optimizer).__name__ == "RMSprop"
    explorer.optimizer_dropdown.value = "sgd"  # the control sets the trait
    explorer.lr_slider.value = 0.1
    assert explorer.optimizer == "sgd" and "SGD(learning_rate=0.1)" in explorer.code_text.value
    second = explorer.run()
    assert type(explorer.model.optimizer).__name__ == "SGD" and second["loss"] != history["loss"]
    assert [label for label, _ in explorer.runs] == ["rmsprop lr=0.001, sparse_categorical_crossentropy"]
    assert explorer.static_png().startswith(PNG)


def test_compile_explorer_shows_metrics_and_rates_set_in_code_that_its_controls_lacked():
    x, y, _, _ = _digits()
    explorer = CompileExplorer(_make_model, x[:200], y[:200], epochs=1)
    explorer.metrics = ["mae"]  # not among the SelectMultiple's options: they grow to take it
    assert explorer.metrics_select.value == ("mae",) and "mae" in explorer.metrics_select.options
    explorer.learning_rate = 0.005  # between the slider's round rates
    assert explorer.lr_slider.value == 0.005 and "learning_rate=0.005" in explorer.code_text.value


def test_compile_explorer_same_settings_same_run():
    x, y, x_test, y_test = _digits()
    explorer = CompileExplorer(_make_model, x[:300], y[:300], epochs=2)
    assert explorer.run()["loss"] == explorer.run()["loss"], "every run starts from the same seed"


def test_compile_explorer_shows_a_loss_that_does_not_fit_the_labels():
    x, y, _, _ = _digits()
    explorer = CompileExplorer(_make_model, x[:200], y[:200], epochs=1)
    explorer.loss = "categorical_crossentropy"
    press_play(explorer)
    tick(explorer)
    assert "categorical_crossentropy" in explorer.error_banner.message and not explorer.running
    assert not ticker_playing(explorer), "an error stops the timer too"


def test_compile_explorer_play_trains_epoch_by_epoch_and_restarts_after_a_change():
    x, y, _, _ = _digits()
    explorer = CompileExplorer(_make_model, x[:200], y[:200], epochs=2)
    press_play(explorer)
    tick(explorer)
    first_model = explorer.model
    assert explorer.step == 1 and explorer.running and len(explorer.history["loss"]) == 1
    tick(explorer)
    assert explorer.step == 2 and not explorer.running, "Play pauses at the last epoch"
    explorer.optimizer = "sgd"
    press_play(explorer)
    tick(explorer)
    assert explorer.model is not first_model and type(explorer.model.optimizer).__name__ == "SGD"
    assert explorer.step == 1 and [label for label, _ in explorer.runs] == [
        "rmsprop lr=0.001, sparse_categorical_crossentropy"]


def test_compile_explorer_rejects_bad_arguments():
    x, y, _, _ = _digits()
    with pytest.raises(TypeError, match="make_model"):
        CompileExplorer(None, x, y)
    with pytest.raises(ValueError, match="same number of samples. Received: 1437 and 10"):
        CompileExplorer(_make_model, x, y[:10])
    explorer = CompileExplorer(_make_model, x[:100], y[:100])
    with pytest.raises(Exception, match=r"CompileExplorer: expected `learning_rate` > 0\. Received: learning_rate=0\.0"):
        explorer.learning_rate = 0.0


# -- ValidationWatch -------------------------------------------------------------------------------------------

def test_early_stopping_epoch_reads_a_list_as_fit_would():
    assert early_stopping_epoch([0.9, 0.7, 0.6, 0.65, 0.62, 0.61, 0.58], patience=2) == 5
    assert early_stopping_epoch([0.9, 0.7, 0.6, 0.65, 0.62, 0.61, 0.58], patience=3) == 6
    assert early_stopping_epoch([1.0, 0.9, 0.8], patience=3) is None
    assert early_stopping_epoch([0.5, 0.5, 0.5], patience=1, min_delta=0.0) == 2


def _noisy_digits_run(callbacks, epochs):
    x, y, x_test, y_test = _digits()
    rng = np.random.default_rng(1)
    x_small, y_small = x[:150], y[:150].copy()
    wrong = rng.random(150) < 0.3
    y_small[wrong] = rng.integers(0, 10, wrong.sum())
    tn.utils.set_random_seed(0)
    model = tn.Sequential([tn.Input(shape=(64,)), tn.layers.Dense(128, activation="relu"),
                           tn.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=tn.optimizers.Adam(learning_rate=0.003), loss="sparse_categorical_crossentropy")
    history = model.fit(x_small, y_small, epochs=epochs, batch_size=32, validation_data=(x_test[:200], y_test[:200]),
                        callbacks=callbacks, verbose=0)
    return model, history, (x_small, y_small), (x_test[:200], y_test[:200])


def test_early_stopping_epoch_agrees_with_fit():
    _, full, _, _ = _noisy_digits_run([], epochs=40)
    stop = tn.callbacks.EarlyStopping(monitor="val_loss", patience=3)
    _, stopped, _, _ = _noisy_digits_run([stop], epochs=40)
    predicted = early_stopping_epoch(full.history["val_loss"], patience=3)
    assert predicted is not None and predicted < 40, "the noisy run overfits: EarlyStopping must stop it"
    assert len(stopped.history["loss"]) == predicted


def test_validation_watch_reads_the_dashboards_curves():
    model, _, train, val = _noisy_digits_run([], epochs=0)
    dashboard = TrainingDashboard(model, *train, validation_data=val)
    watch = ValidationWatch(dashboard, patience=3)
    assert "No epoch validated yet" in watch.text()
    model.fit(*train, epochs=30, batch_size=32, validation_data=val, callbacks=[dashboard], verbose=0)
    readings = watch.readings()
    val_losses = dashboard.training_log.epoch_values["val_loss"]
    assert readings["epochs"] == 30 and readings["best_epoch"] == int(np.argmin(val_losses)) + 1
    assert readings["stop_epoch"] == early_stopping_epoch(val_losses, 3)
    assert f"lowest validation loss at epoch {readings['best_epoch']}" in watch.line.value
    assert watch._repr_mimebundle_()["text/plain"] == watch.text()
    assert watch.static_png().startswith(PNG)


def test_validation_watch_rejects_what_it_cannot_read():
    model, _, train, _ = _noisy_digits_run([], epochs=0)
    with pytest.raises(TypeError, match="expects a TrainingDashboard. Received: Sequential"):
        ValidationWatch(model)
    with pytest.raises(ValueError, match="no validation data"):
        ValidationWatch(TrainingDashboard(model, *train))


# -- FrameworkRace ---------------------------------------------------------------------------------------------

def _build(lib):
    model = lib.Sequential([lib.Input(shape=(2,)), lib.layers.Dense(8, activation="tanh"),
                            lib.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=lib.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy")
    return model


def test_framework_race_without_keras_trains_teachnet_alone_and_says_so():
    x, y = tn.datasets.circle(100, noise=0.05, seed=0)
    race = FrameworkRace(_build, x, y, keras=None)
    race.advance(12)  # 5 batches of 20: the data come round again
    race.redraw()
    assert len(race.losses["teachnet"]) == 12 and race.losses["Keras"] == [] and race.gaps == []
    assert "Keras is not installed" in race.note.value
    assert race.static_png().startswith(PNG)


def test_framework_race_batch_losses_are_the_batches_own():
    x, y = tn.datasets.circle(100, noise=0.05, seed=0)
    race = FrameworkRace(_build, x, y, keras=None)
    tn.utils.set_random_seed(0)
    reference = _build(tn)
    reference.set_weights(race.ours.get_weights())
    expected = reference.evaluate(x[:20], y[:20], verbose=0)
    race.advance(1)
    assert np.isclose(race.losses["teachnet"][0], expected, rtol=1e-5)


@pytest.mark.slow
def test_framework_race_with_keras_draws_two_curves_that_agree():
    if importlib.util.find_spec("keras") is None or importlib.util.find_spec("torch") is None:
        pytest.skip("needs keras with the torch backend")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    x, y = tn.datasets.circle(100, noise=0.05, seed=0)
    race = FrameworkRace(_build, x, y, keras=keras)
    race.advance(10)
    assert len(race.losses["Keras"]) == 10
    assert np.allclose(race.losses["teachnet"], race.losses["Keras"], atol=1e-5)
    assert race.largest_gap < 1e-5 and race.gaps[-1] == race.largest_gap


# -- ConvShapeExplorer -----------------------------------------------------------------------------------------

def test_conv_shape_explorer_shows_what_the_layer_computes():
    from widgets.conv_shapes import ConvShapeExplorer
    explorer = ConvShapeExplorer()
    assert explorer.output_shape == (26, 26, 8) and explorer.weights == 3 * 3 * 8 + 8
    explorer.controls["strides"].value = 2          # a slider sets the trait
    assert explorer.strides == 2 and explorer.output_shape == (13, 13, 8)
    explorer.padding = "same"                         # the trait moves the control
    assert explorer.controls["padding"].value == "same" and explorer.output_shape == (14, 14, 8)
    explorer.padding, explorer.strides, explorer.image_size, explorer.kernel_size = "valid", 1, 6, 7
    assert explorer.output_shape == () and "does not fit" in explorer.text.value
    assert explorer.static_png().startswith(PNG)
    with pytest.raises(TypeError, match="unexpected argument 'units'"):
        ConvShapeExplorer(units=3)
