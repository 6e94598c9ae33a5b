"""Optimizers: a few steps of every optimizer and option against Keras 3's
optimizers fed the same gradients, learning-rate changes, and errors."""
import os
import warnings

import numpy as np
import pytest

import teachnet
from teachnet import GradientTape, Variable, optimizers, ops

# keras's own torch Variables trip numpy 2's __array__ deprecation; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")

INIT = [np.random.default_rng(0).standard_normal((3, 4)).astype("float32"),
        np.random.default_rng(1).standard_normal(4).astype("float32")]
GRADS = [[np.random.default_rng(10 + step).standard_normal(v.shape).astype("float32") * (1 + step)
          for v in INIT] for step in range(5)]


def keras_or_skip():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras", reason="keras is needed for parity tests")


def run_ours(opt, steps=GRADS, change_lr_at=None, new_lr=None):
    variables = [Variable(v, name=f"w{i}") for i, v in enumerate(INIT)]
    for step, grads in enumerate(steps):
        if step == change_lr_at:
            opt.learning_rate = new_lr
        opt.apply_gradients(zip(grads, variables))
    return [v.numpy() for v in variables]


def run_keras(keras, opt, steps=GRADS, change_lr_at=None, new_lr=None):
    variables = [keras.Variable(v, name=f"w{i}") for i, v in enumerate(INIT)]
    for step, grads in enumerate(steps):
        if step == change_lr_at:
            opt.learning_rate = new_lr
        opt.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in grads], variables))
    return [keras.ops.convert_to_numpy(v) for v in variables]


CONFIGS = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.3, "epsilon": 1e-3}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-4}),
    ("Adam", {"learning_rate": 0.05, "amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-3}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.05, "beta_1": 0.7}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.05, "beta_2": 0.9}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9}),
    # the base-class options
    ("SGD", {"learning_rate": 0.1, "clipvalue": 0.5}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "clipnorm": 1.0}),
    ("Adam", {"learning_rate": 0.05, "global_clipnorm": 2.0}),
    ("SGD", {"learning_rate": 0.1, "global_clipnorm": 100.0}),   # norm below the limit: unchanged
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.2}),
    ("RMSprop", {"learning_rate": 0.01, "weight_decay": 0.05, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.05, "weight_decay": 0.1}),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=lambda v: str(v))
def test_steps_match_keras(name, kwargs):
    keras = keras_or_skip()
    expected = run_keras(keras, getattr(keras.optimizers, name)(**kwargs))
    got = run_ours(getattr(optimizers, name)(**kwargs))
    for g, e in zip(got, expected):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, e, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_learning_rate_change_mid_training_matches_keras(name):
    keras = keras_or_skip()
    kwargs = {"learning_rate": 0.05}
    expected = run_keras(keras, getattr(keras.optimizers, name)(**kwargs), change_lr_at=2, new_lr=0.2)
    got = run_ours(getattr(optimizers, name)(**kwargs), change_lr_at=2, new_lr=0.2)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=2e-5, atol=2e-6)


def test_schedule_of_the_step_matches_keras():
    keras = keras_or_skip()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    expected = run_keras(keras, keras.optimizers.SGD(learning_rate=schedule, momentum=0.5))
    opt = optimizers.SGD(learning_rate=lambda step: 0.1 * 0.5 ** step, momentum=0.5)
    got = run_ours(opt)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=2e-5, atol=2e-6)
    assert float(opt.learning_rate) == pytest.approx(0.1 * 0.5 ** 5)


def test_sgd_by_hand():
    w = Variable([1.0, 2.0])
    opt = optimizers.SGD(learning_rate=0.1)
    opt.apply_gradients([(np.array([1.0, -1.0]), w)])
    np.testing.assert_allclose(w.numpy(), [0.9, 2.1], rtol=1e-6)
    assert int(opt.iterations) == 1


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    w = Variable(np.zeros(3))
    optimizers.Adam(learning_rate=0.01).apply([np.array([0.1, -5.0, 200.0])], [w])
    np.testing.assert_allclose(w.numpy(), [-0.01, 0.01, -0.01], rtol=1e-3)  # m/sqrt(v) = sign(g)


def test_minimizes_a_quadratic_with_the_tape():
    target = np.array([3.0, -2.0])
    for name in ["sgd", "rmsprop", "adam", "adamw", "adagrad", "adamax", "nadam", "adadelta"]:
        w = Variable(np.zeros(2))
        opt = optimizers.get(name)
        opt.learning_rate = 0.5 if name != "adadelta" else 50.0
        losses = []
        for _ in range(60):
            with GradientTape() as tape:
                loss = ops.sum(ops.square(w - target))
            opt.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
            losses.append(float(loss))
        assert losses[-1] < 0.1 * losses[0], name


def test_variables_slots_and_names():
    layer = teachnet.layers.Dense(2, name="dense")
    layer(np.ones((1, 3)))
    opt = optimizers.Adam()
    opt.build(layer.trainable_weights)
    assert [v.name for v in opt.variables] == [
        "iteration", "learning_rate", "dense_kernel_momentum", "dense_kernel_velocity",
        "dense_bias_momentum", "dense_bias_velocity"]
    assert all(not v.trainable for v in opt.variables)
    assert optimizers.SGD().variables[1].name == "learning_rate"
    assert len(optimizers.SGD(momentum=0.0, learning_rate=0.1).variables) == 2
    adagrad = optimizers.Adagrad(initial_accumulator_value=0.3)
    adagrad.build([Variable(np.ones(2))])
    np.testing.assert_allclose(adagrad.variables[-1].numpy(), [0.3, 0.3])


def test_apply_without_variables_uses_the_built_list():
    w = Variable(np.ones(2))
    opt = optimizers.SGD(learning_rate=0.5)
    opt.build([w])
    opt.apply([np.ones(2)])
    np.testing.assert_allclose(w.numpy(), [0.5, 0.5])


def test_learning_rate_property():
    opt = optimizers.SGD(learning_rate=0.1)
    assert float(opt.learning_rate) == pytest.approx(0.1)
    opt.learning_rate = 0.02
    assert float(opt.learning_rate) == pytest.approx(0.02)
    assert f"{opt.learning_rate:.3f}" == "0.020"
    opt.learning_rate = lambda: 0.3  # a callable without arguments, as Keras allows
    assert opt.learning_rate == 0.3 and all(v.name != "learning_rate" for v in opt.variables)
    opt.learning_rate = 0.04         # back to a float
    assert float(opt.learning_rate) == pytest.approx(0.04) and opt.variables[1].name == "learning_rate"
    assert "learning_rate=0.04" in repr(opt)


def test_constraints_are_applied_after_the_step():
    w = Variable(np.array([0.5, -0.5]))
    w.constraint = lambda v: ops.maximum(v, 0.0)  # keep non-negative
    optimizers.SGD(learning_rate=1.0).apply([np.array([1.0, 1.0])], [w])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])


def test_missing_gradients_are_skipped_with_a_warning():
    a, b = Variable(np.ones(2), name="a"), Variable(np.ones(2), name="b")
    opt = optimizers.SGD(learning_rate=1.0)
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b'\]"):
        opt.apply_gradients([(np.ones(2), a), (None, b)])
    np.testing.assert_allclose(b.numpy(), [1, 1])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, a), (None, b)])


def test_gradients_given_to_apply_are_not_modified():
    g = np.array([3.0, 4.0], dtype="float32")
    for opt in [optimizers.SGD(clipnorm=1.0), optimizers.SGD(clipvalue=0.1), optimizers.Adam(global_clipnorm=1.0)]:
        opt.apply([g], [Variable(np.zeros(2))])
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_exclude_from_weight_decay():
    w, bias = Variable(np.ones(2), name="kernel"), Variable(np.ones(2), name="bias")
    opt = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([np.zeros(2), np.zeros(2)], [w, bias])
    np.testing.assert_allclose(w.numpy(), [0.95, 0.95])
    np.testing.assert_allclose(bias.numpy(), [1, 1])
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


def test_float64_variables_update_in_float64():
    w = Variable(np.ones(2), dtype="float64")
    optimizers.Adam(learning_rate=0.1).apply([np.array([1.0, 2.0])], [w])
    assert w.dtype == np.float64


def test_speed_of_a_784_512_10_adam_step():
    """One Adam step over a 784-512-10 MLP's weights stays in the low milliseconds."""
    import time
    shapes = [(784, 512), (512,), (512, 10), (10,)]
    weights = [Variable(np.zeros(s)) for s in shapes]
    grads = [np.full(s, 0.1, dtype="float32") for s in shapes]
    opt = optimizers.Adam()
    opt.apply(grads, weights)
    start = time.perf_counter()
    for _ in range(10):
        opt.apply(grads, weights)
    per_step = (time.perf_counter() - start) / 10
    assert per_step < 0.05, f"{per_step * 1000:.1f} ms per step"


@pytest.mark.parametrize("make,loop", [
    (lambda: optimizers.RMSprop(), "rmsprop_step"),
    (lambda: optimizers.RMSprop(learning_rate=0.01, rho=0.8, momentum=0.5), "rmsprop_step"),
    (lambda: optimizers.RMSprop(learning_rate=0.01, centered=True), "rmsprop_step"),
    (lambda: optimizers.RMSprop(learning_rate=0.01, centered=True, momentum=0.3, epsilon=1e-3), "rmsprop_step"),
    (lambda: optimizers.Adam(), "adam_step"),
    (lambda: optimizers.Adam(learning_rate=0.05, beta_1=0.8, beta_2=0.95, epsilon=1e-4), "adam_step"),
    (lambda: optimizers.Adam(learning_rate=0.05, amsgrad=True), "adam_step"),
    (lambda: optimizers.AdamW(learning_rate=0.05, weight_decay=0.1), "adam_step"),
], ids=["rmsprop", "rmsprop-momentum", "rmsprop-centered", "rmsprop-centered-momentum", "adam", "adam-betas",
        "adam-amsgrad", "adamw"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # numpy's, for inf - inf and the square of 1e30
def test_compiled_updates_give_the_numpy_rules_bits(monkeypatch, make, loop, dtype):
    """ops/compiled.py's update loops against the numpy rules they replace: every weight and slot, bit for bit,
    over steps whose gradients hold zeros, tiny and huge values, +-inf and nan, on a weight big enough to be
    split across threads and on a small one."""
    from compiled_check import assert_same_bits, with_and_without_loops
    rng = np.random.default_rng(3)
    starts = [rng.standard_normal((300, 200)).astype(dtype), rng.standard_normal(7).astype(dtype)]
    grads = []
    for step in range(4):
        big = (rng.standard_normal((300, 200)) * 10.0 ** rng.integers(-30, 30, (300, 200))).astype(dtype)
        big[0, :4] = [0.0, -0.0, np.inf, -np.inf]
        big[1, step] = np.nan
        grads.append([big, rng.standard_normal(7).astype(dtype)])

    def run():
        weights = [Variable(w.copy(), dtype=dtype) for w in starts]
        optimizer = make()
        for step_grads in grads:
            optimizer.apply(step_grads, weights)
        return [w.data for w in weights] + [slot.data for slot in optimizer.variables[1:]]
    ours, numpys = with_and_without_loops(monkeypatch, [loop], run)
    assert ours[0].dtype == np.dtype(dtype) and np.isnan(ours[0]).any()
    assert_same_bits(ours, numpys)


def test_a_gradient_that_is_not_contiguous_gives_the_same_update():
    """The compiled update takes contiguous arrays; a transposed gradient takes the numpy rule, same numbers."""
    rng = np.random.default_rng(4)
    start, g = rng.standard_normal((40, 30)).astype("float32"), rng.standard_normal((30, 40)).astype("float32")
    results = []
    for gradient in (g.T, np.ascontiguousarray(g.T)):
        w = Variable(start.copy())
        optimizers.Adam().apply([gradient], [w])
        results.append(w.numpy())
    assert results[0].tobytes() == results[1].tobytes()


# -- get and errors ------------------------------------------------------------------------

def test_get():
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("SGD"), optimizers.SGD)
    assert float(optimizers.get("rmsprop").learning_rate) == pytest.approx(0.001)
    assert float(optimizers.get("sgd").learning_rate) == pytest.approx(0.01)
    opt = optimizers.Nadam()
    assert optimizers.get(opt) is opt


def test_get_errors():
    with pytest.raises(ValueError, match=r"Unknown optimizer 'adma'. Valid names: \['adadelta', 'adagrad', 'adam', "):
        optimizers.get("adma")
    with pytest.raises(TypeError, match="optimizer must be a name like 'adam' or an Optimizer instance. Received: identifier=3"):
        optimizers.get(3)


@pytest.mark.parametrize("make,match", [
    (lambda: optimizers.SGD(learning_rate=-0.1), r"SGD: invalid value for argument `learning_rate`, expected a non-negative float. Received: learning_rate=-0.1"),
    (lambda: optimizers.Adam(learning_rate="fast"), r"Adam: invalid value for argument `learning_rate`.*Received: learning_rate='fast'"),
    (lambda: optimizers.SGD(momentum=1.5), r"SGD: invalid value for argument `momentum`, expected a float in \[0, 1\]. Received: momentum=1.5"),
    (lambda: optimizers.SGD(momentum=-0.1), r"argument `momentum`"),
    (lambda: optimizers.RMSprop(momentum=2.0), r"RMSprop: invalid value for argument `momentum`"),
    (lambda: optimizers.RMSprop(rho=1.5), r"argument `rho`"),
    (lambda: optimizers.Adam(beta_1=-0.5), r"argument `beta_1`"),
    (lambda: optimizers.Adam(epsilon=-1.0), r"argument `epsilon`"),
    (lambda: optimizers.Adam(clipnorm=1.0, clipvalue=1.0), r"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set"),
    (lambda: optimizers.SGD(clipnorm=-1.0), r"argument `clipnorm`"),
    (lambda: optimizers.AdamW(weight_decay=None), r"`weight_decay` must be a float. Received: weight_decay=None"),
    (lambda: optimizers.Adam(lr=0.1), r"Adam: argument\(s\) not recognized: \['lr'\]"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_setting_a_negative_learning_rate_between_steps():
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="Received: learning_rate=-1"):
        opt.learning_rate = -1


def test_apply_errors():
    a, other = Variable(np.ones(2), name="a"), Variable(np.ones(3), name="other")
    opt = optimizers.SGD()
    with pytest.raises(ValueError, match="must already be built"):
        opt.apply([np.ones(2)])
    with pytest.raises(ValueError, match="Received: 2 gradients for 1 variables"):
        opt.apply([np.ones(2), np.ones(2)], [a])
    with pytest.raises(ValueError, match=r"Gradient of shape \(3,\) does not match variable 'a' of shape \(2,\)"):
        opt.apply([np.ones(3)], [a])
    with pytest.raises(ValueError, match=r"Unknown variable 'other': the optimizer was built on \['a'\]"):
        opt.apply([np.ones(3)], [other])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert opt.apply_gradients([]) is opt.iterations


@pytest.mark.parametrize("make,switch,slot", [
    (lambda: optimizers.SGD(learning_rate=0.1), lambda o: setattr(o, "momentum", 0.9), "_momentum"),
    (lambda: optimizers.RMSprop(), lambda o: setattr(o, "momentum", 0.5), "_momentum"),
    (lambda: optimizers.RMSprop(), lambda o: setattr(o, "centered", True), "_average_gradient"),
    (lambda: optimizers.Adam(), lambda o: setattr(o, "amsgrad", True), "_velocity_hat"),
])
def test_options_switched_on_between_steps_create_their_slots(make, switch, slot):
    w = Variable(np.ones(3), name="w")
    opt = make()
    opt.apply([np.ones(3)], [w])
    assert not any(v.name == "w" + slot for v in opt.variables)
    switch(opt)
    opt.apply([np.ones(3)], [w])
    assert np.isfinite(w.numpy()).all() and any(v.name == "w" + slot for v in opt.variables)


@pytest.mark.parametrize("make", [lambda: teachnet.optimizers.RMSprop(momentum=0.5),
                                  lambda: teachnet.optimizers.Adam(),
                                  lambda: teachnet.optimizers.SGD(momentum=0.9)])
def test_subnormal_slot_values_are_flushed_to_zero(make):
    # A slot that decays toward 0 turns subnormal (slow arithmetic on x86): every
    # FLUSH_EVERY steps such values become 0; normal values, however small, stay.
    w = teachnet.Variable(np.ones(4, "float32"))
    opt = make()
    opt.apply([np.ones(4, "float32")], [w])                    # builds the slots, step 1
    slots = [v.data for v in opt.variables[1:] if v.data.size > 1]
    assert slots
    for data in slots:
        data[:] = [1e-40, 3e-42, 1e-30, 0.0]                    # two subnormal, one small normal, zero
    before = w.numpy()
    for _ in range(teachnet.optimizers.FLUSH_EVERY - 1):
        opt.apply([np.zeros(4, "float32")], [w])               # steps 2 .. FLUSH_EVERY
    assert int(opt.iterations.numpy()) % teachnet.optimizers.FLUSH_EVERY == 0
    tiny = np.finfo(np.float32).tiny
    for data in slots:
        assert not np.any((data != 0) & (np.abs(data) < tiny)), data
    np.testing.assert_allclose(w.numpy(), before, atol=1e-6)   # the weights did not notice
