"""Issue 14 item 3: the mistakes learners make with GradientTape, each with an
error that says what was expected, what was received and what to do."""
import numpy as np
import pytest

import teachnet
from teachnet import GradientTape, Variable, ops


def test_gradient_on_a_tape_never_entered_is_a_runtime_error_as_in_tensorflow():
    w = Variable(2.0)
    tape = GradientTape()
    loss = w * w
    with pytest.raises(RuntimeError, match=r"never recorded: it was not entered with `with`\. Received: .*"
                                           r"`with teachnet\.GradientTape\(\) as tape:`"):
        tape.gradient(loss, w)


def test_a_second_gradient_call_on_a_non_persistent_tape_says_how_to_ask_twice():
    w = Variable(2.0)
    with GradientTape() as tape:
        loss = w * w
    assert float(tape.gradient(loss, w)) == 4.0
    with pytest.raises(RuntimeError, match=r"not persistent.*Received: a second call of gradient\(\).*"
                                           r"GradientTape\(persistent=True\)"):
        tape.gradient(loss, w)
    with GradientTape(persistent=True) as tape:  # what the message recommends works
        loss = w * w
    assert float(tape.gradient(loss, w)) == float(tape.gradient(loss, w)) == 4.0


def test_a_loss_computed_after_the_with_block_names_the_tape():
    w = Variable(np.ones(3))
    with GradientTape() as tape:
        y = ops.tanh(w * 2.0)
    loss = ops.sum(ops.square(y - 1.0))  # too late: the tape stopped recording
    with pytest.raises(RuntimeError, match=rf"computed after the `with` block of GradientTape '{tape.name}' "
                                           r"ended.*Received: a target of shape \(\).*inside the `with` block"):
        tape.gradient(loss, w)
    assert tape.name.startswith("gradient_tape") and tape.name in repr(tape)


def test_a_loss_computed_inside_the_block_after_an_earlier_tape_is_fine():
    """The check only concerns the tape whose block had ended, not a new one."""
    w = Variable(np.ones(3))
    with GradientTape() as first:
        y = w * 2.0
    with GradientTape() as second:
        loss = ops.sum(y * w)
    np.testing.assert_allclose(second.gradient(loss, w).numpy(), 2.0)


def test_a_numpy_array_as_a_source_says_to_make_it_a_variable():
    x = np.ones(3, "float32")
    w = Variable(np.ones(3))
    with GradientTape() as tape:
        loss = ops.sum(w * x)
    with pytest.raises(TypeError, match=r"Received: a source of type ndarray.*make it a teachnet\.Variable.*"
                                        r"tape\.watch"):
        tape.gradient(loss, x)


def test_an_unwatched_constant_as_a_source_says_to_watch_it():
    x = ops.convert_to_tensor(np.ones(3, "float32"))
    with GradientTape() as tape:
        loss = ops.sum(x * x)
    with pytest.raises(ValueError, match=r"Source 0 of tape\.gradient, a Tensor of shape \(3,\), is a constant "
                                         r".*did not watch.*Received: an unwatched Tensor\. Call tape\.watch\(x\)"):
        tape.gradient(loss, x)
    with GradientTape() as tape:  # what the message recommends works
        tape.watch(x)
        loss = ops.sum(x * x)
    np.testing.assert_allclose(tape.gradient(loss, x).numpy(), 2.0)


def test_non_trainable_variables_still_get_none_as_in_tensorflow():
    frozen, w = Variable(1.0, trainable=False), Variable(1.0)
    with GradientTape() as tape:
        loss = frozen * w
    g_frozen, g_w = tape.gradient(loss, [frozen, w])
    assert g_frozen is None and float(g_w) == 1.0


@pytest.mark.parametrize("ufunc,op", [(np.exp, "exp"), (np.tanh, "tanh"), (np.log, "log"), (np.sqrt, "sqrt"),
                                      (np.abs, "abs"), (np.maximum, "maximum")])
def test_numpy_ufuncs_on_a_variable_point_to_the_teachnet_op_of_the_same_name(ufunc, op):
    v = Variable(np.ones(3), name="kernel")
    args = (v, 0.5) if op == "maximum" else (v,)
    with pytest.raises(TypeError, match=rf"np\.{ufunc.__name__} was applied to a teachnet Variable 'kernel' of "
                                        rf"shape \(3,\)\. Numpy functions leave the GradientTape.*"
                                        rf"teachnet\.ops\.{op}\(\.\.\.\).*Received: np\.{ufunc.__name__}\("):
        ufunc(*args)
    getattr(ops, op)(*args)  # the op the message names exists and takes the same arguments


def test_numpy_reductions_on_a_tensor_point_to_the_teachnet_op():
    t = ops.convert_to_tensor(np.arange(3.0))
    with pytest.raises(TypeError, match=r"np\.add\.reduce was applied to a teachnet Tensor.*teachnet\.ops\.sum"):
        np.sum(t)
    with pytest.raises(TypeError, match=r"teachnet\.ops\.max"):
        np.max(t)


def test_operators_with_a_numpy_array_on_the_left_are_still_recorded():
    """`array - tensor` reaches numpy first; it must stay an op the tape sees."""
    w = Variable(np.array([1.0, 2.0]))
    a = np.array([3.0, 5.0])
    with GradientTape() as tape:
        loss = ops.sum((a - w) * (a * w) / (a + w) ** np.float32(2.0) + (a @ w))
    numeric = []
    for i in range(2):
        for sign in (1, -1):
            wv = w.numpy().astype("float64")
            wv[i] += sign * 1e-6
            numeric.append(np.sum((a - wv) * (a * wv) / (a + wv) ** 2 + a @ wv))
    expected = [(numeric[0] - numeric[1]) / 2e-6, (numeric[2] - numeric[3]) / 2e-6]
    np.testing.assert_allclose(tape.gradient(loss, w).numpy(), expected, rtol=1e-3)
    np.testing.assert_array_equal(np.asarray(a > w), [True, True])  # comparisons give boolean tensors
    assert isinstance(a == w, teachnet.autodiff.Tensor)
