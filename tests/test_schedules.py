"""Learning-rate schedules: Keras's values at every step, configs, and the
optimizer and callbacks using them as Keras does."""
import os

import numpy as np
import pytest

import teachnet
from teachnet.optimizers import schedules

os.environ["KERAS_BACKEND"] = "torch"

CASES = [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=7, decay_rate=0.9)),
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=7, decay_rate=0.9, staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[3, 10, 20], values=[1.0, 0.5, 0.1, 0.01])),
    ("InverseTimeDecay", dict(initial_learning_rate=0.3, decay_steps=5, decay_rate=0.5)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.3, decay_steps=5, decay_rate=0.5, staircase=True)),
    ("CosineDecay", dict(initial_learning_rate=0.2, decay_steps=25, alpha=0.1)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=20, warmup_target=0.5, warmup_steps=6)),
]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name,kwargs", CASES)
def test_values_match_keras_at_every_step(name, kwargs):
    keras = pytest.importorskip("keras")
    ours, theirs = getattr(schedules, name)(**kwargs), getattr(keras.optimizers.schedules, name)(**kwargs)
    for step in range(40):
        expected = float(keras.ops.convert_to_numpy(theirs(step)))
        got = ours(step)
        assert got.dtype == np.float32, name
        np.testing.assert_allclose(float(got), expected, rtol=1e-6, atol=1e-9, err_msg=f"{name} at step {step}")
    assert ours.get_config() == theirs.get_config()


def test_formulas_by_hand():
    assert float(schedules.ExponentialDecay(1.0, 10, 0.5)(20)) == pytest.approx(0.25)
    assert float(schedules.ExponentialDecay(1.0, 10, 0.5, staircase=True)(19)) == pytest.approx(0.5)
    piecewise = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [float(piecewise(s)) for s in (0, 10, 11, 20, 21)] == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.1])
    assert float(schedules.InverseTimeDecay(1.0, 1, 1.0)(3)) == pytest.approx(0.25)
    cosine = schedules.CosineDecay(1.0, 10)
    assert [float(cosine(s)) for s in (0, 5, 10, 50)] == pytest.approx([1.0, 0.5, 0.0, 0.0], abs=1e-7)


def test_import_paths_and_serialization():
    from teachnet.optimizers.schedules import ExponentialDecay
    assert ExponentialDecay is teachnet.optimizers.schedules.ExponentialDecay
    s = schedules.CosineDecay(0.1, 100, alpha=0.2, warmup_target=0.3, warmup_steps=5)
    again = schedules.deserialize(schedules.serialize(s))
    assert type(again) is schedules.CosineDecay and again.get_config() == s.get_config()
    with pytest.raises(ValueError, match="Unknown learning rate schedule 'Nope'"):
        schedules.deserialize({"class_name": "Nope", "config": {}})


def test_optimizer_reads_the_schedule_at_its_iterations():
    lr = schedules.PiecewiseConstantDecay([1], [0.5, 0.1])
    opt = teachnet.optimizers.SGD(learning_rate=lr)
    w = teachnet.Variable([1.0])
    assert float(opt.learning_rate) == pytest.approx(0.5)
    opt.apply_gradients([(np.array([1.0]), w)])   # step 0: lr 0.5
    opt.apply_gradients([(np.array([1.0]), w)])   # step 1: lr 0.5 (step <= boundary)
    assert w.numpy() == pytest.approx([0.0])
    opt.apply_gradients([(np.array([1.0]), w)])   # step 2: lr 0.1
    assert w.numpy() == pytest.approx([-0.1])
    assert float(opt.learning_rate) == pytest.approx(0.1)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_fit_with_a_schedule_matches_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")

    def build(lib):
        lr = lib.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
        model = lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(1)])
        model.compile(optimizer=lib.optimizers.SGD(learning_rate=lr), loss="mse")
        return model

    theirs, ours = build(keras), build(teachnet)
    ours.set_weights(theirs.get_weights())
    h_theirs = theirs.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    h_ours = ours.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h_ours["loss"], h_theirs["loss"], rtol=2e-5)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
    assert float(ours.optimizer.learning_rate) == pytest.approx(0.1 * 0.5 ** (12 / 2))


def test_a_schedule_cannot_be_overwritten_with_a_float():
    opt = teachnet.optimizers.Adam(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="created with a `LearningRateSchedule`.*not settable.*float"):
        opt.learning_rate = 0.01


def test_lr_callbacks_with_a_schedule_behave_as_keras():
    """Keras's LearningRateScheduler and ReduceLROnPlateau set the rate, which an
    optimizer on a schedule refuses with the TypeError above."""
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    model = teachnet.Sequential([teachnet.Input(shape=(2,)), teachnet.layers.Dense(1)])
    model.compile(optimizer=teachnet.optimizers.SGD(schedules.InverseTimeDecay(0.1, 1, 1.0)), loss="mse")
    scheduler = teachnet.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    with pytest.raises(TypeError, match="not settable"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[scheduler])


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"`decay_steps` must be > 0\. Received: decay_steps=0"):
        schedules.ExponentialDecay(0.1, 0, 0.9)
    with pytest.raises(ValueError, match="length of boundaries should be 1 less.*Received: boundaries=\\[1, 2\\]"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(NotImplementedError, match="must override `__call__"):
        schedules.LearningRateSchedule()(0)
