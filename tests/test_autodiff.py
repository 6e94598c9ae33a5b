"""The autodiff core: Tensor behaviour, Variable, GradientTape, and the
gradient-check helper itself."""
import operator

import numpy as np
import pytest

from teachnet import GradientTape, Tensor, Variable, ops
from teachnet.autodiff import record
from tests.gradcheck import check_gradients, check_layer_gradients


# -- the gradient checker must catch a wrong backward --------------------------

def test_gradcheck_catches_a_wrong_backward():
    def half_square(x):  # forward x**2 but backward claims x (missing the factor 2)
        x = ops.convert_to_tensor(x)
        return record("bad_square", x.data ** 2, (x,), lambda g: (g * x.data,))
    with pytest.raises(AssertionError, match=r"input 0 .* tape gradient .* central difference"):
        check_gradients(half_square, np.array([0.5, 1.0, -2.0]))


def test_gradcheck_catches_a_transposed_gradient():
    def bad_matmul(a, b):  # returns a gradient of the right shape but wrong layout
        return record("bad_matmul", a.data @ b.data, (a, b),
                      lambda g: ((g @ b.data.T).T.reshape(a.shape), a.data.T @ g))
    with pytest.raises(AssertionError, match="input 0"):
        check_gradients(bad_matmul, np.random.randn(2, 3), np.random.randn(3, 2))


def test_gradcheck_requires_float64_layers():
    from teachnet.layers import Layer

    class Scale(Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],))

        def call(self, x):
            return x * self.w

    check_layer_gradients(Scale(dtype="float64"), np.random.randn(2, 3))
    with pytest.raises(AssertionError, match='dtype float32; create it with dtype="float64"'):
        check_layer_gradients(Scale(), np.random.randn(2, 3))


def test_gradcheck_checks_layer_weights():
    from teachnet.layers import Layer

    class WrongBias(Layer):  # the bias gradient is scaled wrongly
        def build(self, input_shape):
            self.b = self.add_weight(shape=(input_shape[-1],))

        def call(self, x):
            b = self.b
            return x + record("double", b.data * 1.0, (b,), lambda g: (2 * g,))

    with pytest.raises(AssertionError, match="weight wrong_bias/variable_0"):
        check_layer_gradients(WrongBias(dtype="float64"), np.random.randn(2, 3))


# -- gradients ------------------------------------------------------------------

def test_broadcasting_gradients_sum_back_to_the_input_shape():
    x = Variable(np.ones((4, 3)))
    b = Variable(np.zeros(3))
    c = Variable(np.zeros((4, 1)))
    s = Variable(2.0)
    with GradientTape() as tape:
        y = ops.sum((x * s + b + c) * np.arange(3.0))
    gx, gb, gc, gs = tape.gradient(y, [x, b, c, s])
    assert gb.shape == (3,) and gc.shape == (4, 1) and gs.shape == ()
    np.testing.assert_allclose(gb.numpy(), [0, 4, 8])
    np.testing.assert_allclose(gc.numpy(), [[3]] * 4)
    np.testing.assert_allclose(gs.numpy(), 12.0)
    np.testing.assert_allclose(gx.numpy(), np.tile([0, 2, 4], (4, 1)))


def test_reused_value_accumulates_gradients():
    x = Variable(3.0)
    with GradientTape() as tape:
        y = x * x + x      # x used three times
        z = y * y          # y used twice
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), 2 * 12.0 * (2 * 3.0 + 1))


def test_diamond_graph():
    x = Variable(np.array([0.5, -1.0]), dtype="float64")
    with GradientTape() as tape:
        a = ops.exp(x)
        y = ops.sum(ops.sin(a) * ops.cos(a))
    expected = np.cos(2 * np.exp(x.numpy())) * np.exp(x.numpy())
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), expected)


def test_gradients_are_writable_copies():
    a, b = Variable(np.ones(3)), Variable(np.ones(3))
    with GradientTape() as tape:
        y = ops.sum(a + b)
    ga, gb = tape.gradient(y, [a, b])
    ga.data *= 5  # an optimizer may update a gradient in place
    np.testing.assert_allclose(gb.numpy(), 1.0)


def test_gradient_structure_follows_sources():
    w, b = Variable(np.ones(2)), Variable(np.zeros(2))
    with GradientTape(persistent=True) as tape:
        y = ops.sum(w * 2 + b)
    assert isinstance(tape.gradient(y, (w, b)), tuple)
    assert isinstance(tape.gradient(y, [w, b]), list)
    d = tape.gradient(y, {"w": w, "b": b})
    assert set(d) == {"w", "b"} and d["w"].numpy().tolist() == [2, 2]


def test_output_gradients_seed_the_backward_pass():
    x = Variable(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        y = x * 3
    np.testing.assert_allclose(tape.gradient(y, x, output_gradients=np.array([1.0, -1.0])).numpy(), [3, -3])


def test_non_scalar_target_is_summed():
    x = Variable(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        y = ops.square(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [2, 4])


def test_unconnected_source_gives_none():
    x, unused = Variable(1.0), Variable(2.0)
    with GradientTape() as tape:
        y = x * 2
    gx, gu = tape.gradient(y, [x, unused])
    assert gu is None and float(gx) == 2.0


def test_constants_are_not_watched_unless_asked():
    c = ops.convert_to_tensor(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        y = ops.sum(c * c)
    with pytest.raises(ValueError, match="did not watch"):  # TensorFlow returns None; issue 14 asks for an error
        tape.gradient(y, c)
    with GradientTape() as tape:
        tape.watch(c)
        y = ops.sum(c * c)
    np.testing.assert_allclose(tape.gradient(y, c).numpy(), [2, 4])


def test_non_trainable_variables_and_watch_accessed_variables():
    frozen = Variable(1.0, trainable=False)
    w = Variable(1.0)
    with GradientTape() as tape:
        y = frozen * w * 3
    assert tape.gradient(y, frozen) is None
    with GradientTape(watch_accessed_variables=False) as tape:
        y = w * 3
    assert tape.gradient(y, w) is None
    with GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(w)
        y = w * 3
    assert float(tape.gradient(y, w)) == 3.0


def test_nothing_is_recorded_outside_a_tape():
    w = Variable(np.ones(2))
    y = w * 2
    assert y._node is None
    with GradientTape() as tape:
        z = w * 2
    assert z._node is not None and len(tape.operations) == 1


def test_operations_lists_what_the_tape_recorded():
    x = ops.convert_to_tensor(np.ones((4, 3)))
    w = Variable(np.ones((3, 2)))
    b = Variable(np.zeros(2))
    with GradientTape() as tape:
        loss = ops.mean(ops.relu(ops.matmul(x, w) + b))
    assert tape.operations == [("matmul", [(4, 3), (3, 2)], (4, 2)), ("add", [(4, 2), (2,)], (4, 2)),
                               ("relu", [(4, 2)], (4, 2)), ("mean", [(4, 2)], ())]
    assert [v.shape for v in tape.watched_variables()] == [(3, 2), (2,)]
    assert float(loss) == 3.0


def test_persistent_tape_computes_several_gradients():
    x = Variable(2.0)
    with GradientTape(persistent=True) as tape:
        y = x * x
        z = y * x
    assert float(tape.gradient(y, x)) == 4.0
    assert float(tape.gradient(z, x)) == 12.0


def test_non_persistent_tape_refuses_a_second_gradient():
    x = Variable(2.0)
    with GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.gradient(y, x)


def test_nested_tapes_record_independently():
    x = Variable(3.0)
    with GradientTape() as outer:
        with GradientTape() as inner:
            y = x * x
        z = y * 2
    assert float(inner.gradient(y, x)) == 6.0
    assert float(outer.gradient(z, x)) == 12.0


def test_gradient_with_respect_to_an_intermediate():
    x = Variable(3.0)
    with GradientTape() as tape:
        y = x * 2
        z = y * y
    assert float(tape.gradient(z, y)) == 12.0


def test_tape_errors():
    x = Variable(1.0)
    with GradientTape() as tape:
        with pytest.raises(TypeError, match="watch expects teachnet tensors. Received: ndarray"):
            tape.watch(np.ones(2))
        y = x * 2
    with pytest.raises(TypeError, match="(?i)sources must be teachnet Variables.*received.*ndarray"):
        tape.gradient(y, np.ones(2))
    with GradientTape() as tape:
        y = x * 2
    with pytest.raises(TypeError, match="target must be a teachnet Tensor. Received: float"):
        tape.gradient(2.0, x)


# -- Tensor behaviour --------------------------------------------------------------

OPERATORS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]


@pytest.mark.parametrize("op", OPERATORS, ids=lambda f: f.__name__)
def test_numpy_arrays_and_numbers_on_both_sides(op):
    a = np.array([[1.5, 2.0], [0.5, 3.0]])
    t = Tensor(np.array([[2.0, 1.0], [4.0, 0.5]]))
    for left, right in [(a, t), (t, a), (2.0, t), (t, 2.0), (np.float64(2.0), t), (t, t)]:
        out = op(left, right)
        assert isinstance(out, Tensor), f"{op.__name__}({type(left).__name__}, {type(right).__name__})"
        np.testing.assert_allclose(out.numpy(), op(np.asarray(left), np.asarray(right)))


def test_matmul_operator_and_unary_operators():
    a = np.arange(6.0).reshape(2, 3)
    t = Tensor(np.ones((3, 2)))
    np.testing.assert_allclose((a @ t).numpy(), a @ np.ones((3, 2)))
    np.testing.assert_allclose((t @ np.ones(2)).numpy(), np.full(3, 2.0))
    np.testing.assert_allclose((-t).numpy(), -1.0)
    np.testing.assert_allclose(abs(Tensor([-1.0, 2.0])).numpy(), [1, 2])
    assert (+t) is t
    assert t.T.shape == (2, 3) and t.reshape(6).shape == (6,) and t.reshape(2, 3).shape == (2, 3)


def test_targets_minus_prediction_keeps_the_tensor_dtype_and_gradient():
    y_true = np.array([1.0, 0.0, 2.0])            # float64 numpy data
    w = Variable(np.array([0.5, 0.5, 0.5]))        # float32 weights
    with GradientTape() as tape:
        err = y_true - w * 2
        loss = ops.mean(err * err)
    assert err.dtype == np.float32
    np.testing.assert_allclose(tape.gradient(loss, w).numpy(), -4 / 3 * (y_true - 1), rtol=1e-6)


def test_format_float_int_bool_and_repr():
    loss = Tensor(np.float32(0.123456))
    assert f"{loss:.4f}" == "0.1235"
    assert f"{Tensor(3.0):g}" == "3"
    assert float(loss) == pytest.approx(0.123456)
    assert int(Tensor(7)) == 7
    assert bool(Tensor(1.0)) and not bool(Tensor(0.0))
    assert "shape=(), dtype=float32" in repr(loss)
    assert "shape=(2,)" in repr(Tensor([1.0, 2.0]))
    assert str(Tensor([1.0, 2.0])) == str(np.array([1.0, 2.0], dtype=np.float32))
    assert "Variable 'w'" in repr(Variable(1.0, name="w"))


def test_indexing_len_and_iteration():
    t = Tensor(np.arange(12.0).reshape(3, 4))
    assert float(t[1, 2]) == 6.0
    assert t[:, 1:3].shape == (3, 2)
    np.testing.assert_array_equal(t[t > 8].numpy(), [9, 10, 11])
    np.testing.assert_array_equal(t[Tensor(np.array([2, 0]))].numpy()[:, 0], [8, 0])
    assert len(t) == 3 and [row.shape for row in t] == [(4,)] * 3
    with pytest.raises(TypeError, match="0-d tensor"):
        len(Tensor(1.0))
    with pytest.raises(TypeError, match="0-d tensor"):
        iter(Tensor(1.0))


def test_comparisons_give_boolean_tensors():
    t = Tensor(np.array([1.0, 2.0, 3.0]))
    for op, expected in [(operator.eq, [0, 1, 0]), (operator.ne, [1, 0, 1]), (operator.lt, [1, 0, 0]),
                         (operator.le, [1, 1, 0]), (operator.gt, [0, 0, 1]), (operator.ge, [0, 1, 1])]:
        out = op(t, 2.0)
        assert isinstance(out, Tensor) and out.dtype == bool
        np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal((np.array([3.0, 2.0, 1.0]) > t).numpy(), [1, 0, 0])
    assert {t: "tensors hash by identity"}[t]


def test_numpy_conversion():
    t = Tensor(np.arange(3.0))
    a = np.asarray(t)
    assert isinstance(a, np.ndarray) and a.dtype == np.float64
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert np.array(t).tolist() == [0, 1, 2]
    assert np.mean(t) == 1.0
    v = Variable(np.ones(2))
    snapshot = v.numpy()
    v.assign_add(np.ones(2))
    assert snapshot.tolist() == [1, 1]  # numpy() of a Variable is a copy


def test_matplotlib_plots_a_tensor():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    losses = Tensor(np.array([1.0, 0.5, 0.25]))
    (line,) = ax.plot(losses)
    ax.scatter(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
    ax.imshow(Tensor(np.eye(3)))
    np.testing.assert_allclose(line.get_ydata(), [1.0, 0.5, 0.25])
    fig.canvas.draw()
    plt.close(fig)


def test_dtypes_float32_by_default_and_float64_allowed():
    assert Tensor(1.0).dtype == np.float32
    assert Tensor([1.0, 2.0]).dtype == np.float32
    assert Tensor(np.ones(2)).dtype == np.float64       # numpy data keeps its dtype
    assert Tensor(np.ones(2), dtype="float32").dtype == np.float32
    assert Tensor(3).dtype.kind == "i"
    assert Variable(np.ones(2)).dtype == np.float32     # weights are float32, as in Keras
    assert Variable(np.ones(2), dtype="float64").dtype == np.float64
    assert Variable(3).dtype == np.float32
    w = Variable(np.ones(2), dtype="float64")
    with GradientTape() as tape:
        y = ops.sum(w * np.float32(2.0))
    assert y.dtype == np.float64 and tape.gradient(y, w).dtype == np.float64


def test_variable_assign_and_errors():
    v = Variable(np.zeros((2, 2)), name="kernel")
    v.assign(np.ones((2, 2)))
    v.assign_sub(0.5)
    v.assign_add(Tensor(np.full((2, 2), 2.0)))
    np.testing.assert_allclose(v.numpy(), 2.5)
    assert Variable(lambda: np.ones(3)).shape == (3,)
    with pytest.raises(ValueError, match=r"assign a value of shape \(3,\) to variable 'kernel' of shape \(2, 2\)"):
        v.assign(np.ones(3))


def test_matmul_skips_the_gradient_of_a_constant_but_not_of_a_watched_one():
    x = ops.convert_to_tensor(np.ones((4, 3)))
    w = Variable(np.full((3, 2), 0.5), dtype="float64")
    with GradientTape(persistent=True) as tape:
        y = ops.sum(ops.matmul(x, w))
    gw = tape.gradient(y, w)
    np.testing.assert_allclose(gw.numpy(), np.full((3, 2), 4.0))
    with pytest.raises(ValueError, match="Source 0 .* did not watch"):  # the constant has no gradient
        tape.gradient(y, [x, w])
    with GradientTape() as outer:
        outer.watch(x)
        with GradientTape() as inner:
            y = ops.sum(ops.matmul(x, w))
        np.testing.assert_allclose(inner.gradient(y, w).numpy(), 4.0)
    np.testing.assert_allclose(outer.gradient(y, x).numpy(), np.ones((4, 3)))


def test_tensors_made_from_a_variable_are_snapshots():
    w = Variable(np.zeros((2, 3)))
    row, wt, flat, copy, frozen = w[0], ops.transpose(w), ops.reshape(w, (-1,)), Tensor(w), ops.stop_gradient(w)
    w.assign_add(np.ones((2, 3)))  # what an optimizer step does, in place
    for t in (row, wt, flat, copy, frozen):
        assert float(ops.sum(t)) == 0.0
    assert float(ops.sum(w)) == 6.0


def test_array_protocol_copy_argument():
    t = Tensor(np.zeros(3))
    a = np.array(t, copy=True)
    a += 1
    assert float(ops.sum(t)) == 0.0


def test_gradcheck_of_a_layer_with_integer_inputs():
    from teachnet.layers import Layer

    class Lookup(Layer):  # an embedding in miniature: ids are not differentiable
        def build(self, input_shape):
            self.table = self.add_weight(shape=(5, 2))

        def call(self, ids):
            return ops.take(self.table, ids, axis=0)

    check_layer_gradients(Lookup(dtype="float64"), np.array([[0, 3, 3], [4, 1, 0]]), check_inputs=False)
