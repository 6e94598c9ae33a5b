"""Every differentiable op in teachnet.ops.core and teachnet.ops.nn against
central differences (float64), plus the values of the non-differentiable ones.

Inputs stay away from kinks (|x| >= 0.1 around 0 for abs/relu, no ties for
max) so that central differences are defined.
"""
import numpy as np
import pytest

from teachnet import GradientTape, Tensor, Variable, ops
from teachnet.ops import core as core_ops
from teachnet.ops import nn as nn_ops
from tests.gradcheck import check_gradients
from tests.test_ops_keras_gap import ADDED_NN

rng = np.random.default_rng(42)


def away_from_zero(*shape, low=0.1, high=2.0):
    """Values with |x| in [low, high] and random sign: no kinks at 0."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


def positive(*shape):
    return rng.uniform(0.5, 2.0, shape)


def normal(*shape):
    return rng.standard_normal(shape)


# name -> list of (function of tensors, input arrays)
CASES = {
    "add": [(ops.add, [normal(3, 4), normal(3, 4)]), (ops.add, [normal(3, 4), normal(4)]),
            (ops.add, [normal(3, 1), normal(1, 4)])],
    "subtract": [(ops.subtract, [normal(3, 4), normal(4)]), (ops.subtract, [normal(2, 1, 3), normal(4, 1)])],
    "multiply": [(ops.multiply, [normal(3, 4), normal(3, 4)]), (ops.multiply, [normal(2, 3, 4), normal(3, 1)])],
    "divide": [(ops.divide, [normal(3, 4), positive(3, 4)]), (ops.divide, [normal(3, 4), positive(4)])],
    "negative": [(ops.negative, [normal(3, 4)])],
    "power": [(ops.power, [positive(3, 4), normal(3, 4)]), (lambda a: ops.power(a, 3.0), [normal(5)]),
              (lambda b: ops.power(2.0, b), [normal(5)])],
    "square": [(ops.square, [normal(3, 4)])],
    "sqrt": [(ops.sqrt, [positive(3, 4)])],
    "exp": [(ops.exp, [normal(3, 4)])],
    "log": [(ops.log, [positive(3, 4)])],
    "log1p": [(ops.log1p, [positive(3, 4)])],
    "abs": [(ops.abs, [away_from_zero(3, 4)])],
    "sin": [(ops.sin, [normal(3, 4)])],
    "cos": [(ops.cos, [normal(3, 4)])],
    "maximum": [(ops.maximum, [normal(3, 4), normal(3, 4)]), (lambda a: ops.maximum(a, 0.0), [away_from_zero(6)])],
    "minimum": [(ops.minimum, [normal(3, 4), normal(3, 4)]), (lambda a: ops.minimum(a, 0.0), [away_from_zero(6)])],
    "matmul": [(ops.matmul, [normal(3, 4), normal(4, 2)]),
               (ops.matmul, [normal(2, 3, 4), normal(4, 5)]),        # batch @ matrix
               (ops.matmul, [normal(3, 4), normal(2, 4, 5)]),        # matrix @ batch
               (ops.matmul, [normal(2, 3, 4), normal(1, 4, 5)]),     # broadcast batch axis
               (ops.matmul, [normal(4), normal(4, 3)]),              # vector @ matrix
               (ops.matmul, [normal(2, 4), normal(4)]),              # matrix @ vector
               (ops.matmul, [normal(4), normal(2, 4, 3)]),           # vector @ batch
               (ops.matmul, [normal(4), normal(4)])],                # vector . vector
    "dot": [(ops.dot, [normal(3, 4), normal(4, 2)])],
    "sum": [(ops.sum, [normal(3, 4)]), (lambda x: ops.sum(x, axis=0), [normal(3, 4)]),
            (lambda x: ops.sum(x, axis=(0, 2), keepdims=True), [normal(2, 3, 4)]),
            (lambda x: ops.sum(x, axis=-1), [normal(2, 3)])],
    "mean": [(ops.mean, [normal(3, 4)]), (lambda x: ops.mean(x, axis=1, keepdims=True), [normal(3, 4)]),
             (lambda x: ops.mean(x, axis=(0, 1)), [normal(2, 3, 4)])],
    "max": [(ops.max, [normal(3, 4)]), (lambda x: ops.max(x, axis=1), [normal(3, 4)]),
            (lambda x: ops.max(x, axis=0, keepdims=True), [normal(3, 4)])],
    "min": [(ops.min, [normal(3, 4)]), (lambda x: ops.min(x, axis=-1), [normal(3, 4)])],
    "var": [(ops.var, [normal(3, 4)]), (lambda x: ops.var(x, axis=0), [normal(3, 4)])],
    "std": [(ops.std, [normal(3, 4)]), (lambda x: ops.std(x, axis=1, keepdims=True), [normal(3, 4)])],
    "norm": [(ops.norm, [normal(3, 4)]), (lambda x: ops.norm(x, axis=1), [normal(3, 4)])],
    "logsumexp": [(ops.logsumexp, [normal(3, 4)]), (lambda x: ops.logsumexp(x, axis=1), [normal(3, 4)]),
                  (lambda x: ops.logsumexp(x, axis=0, keepdims=True), [normal(3, 4)])],
    "reshape": [(lambda x: ops.reshape(x, (4, 3)), [normal(3, 4)]), (lambda x: ops.reshape(x, (-1,)), [normal(3, 4)])],
    "transpose": [(ops.transpose, [normal(3, 4)]), (lambda x: ops.transpose(x, (1, 2, 0)), [normal(2, 3, 4)])],
    "swapaxes": [(lambda x: ops.swapaxes(x, 0, 2), [normal(2, 3, 4)])],
    "expand_dims": [(lambda x: ops.expand_dims(x, 1), [normal(3, 4)])],
    "squeeze": [(ops.squeeze, [normal(3, 1, 4)]), (lambda x: ops.squeeze(x, axis=1), [normal(3, 1, 1)])],
    "broadcast_to": [(lambda x: ops.broadcast_to(x, (3, 4)), [normal(4)]),
                     (lambda x: ops.broadcast_to(x, (2, 3, 4)), [normal(3, 1)])],
    "concatenate": [(lambda a, b: ops.concatenate([a, b], axis=0), [normal(2, 3), normal(4, 3)]),
                    (lambda a, b, c: ops.concatenate([a, b, c], axis=-1), [normal(2, 1), normal(2, 3), normal(2, 2)])],
    "stack": [(lambda a, b: ops.stack([a, b]), [normal(2, 3), normal(2, 3)]),
              (lambda a, b: ops.stack([a, b], axis=-1), [normal(2, 3), normal(2, 3)])],
    "getitem": [(lambda x: x[1], [normal(3, 4)]), (lambda x: x[:, 1:3], [normal(3, 4)]),
                (lambda x: x[..., None, 0], [normal(3, 4)]),
                (lambda x: x[np.array([0, 2, 0])], [normal(3, 4)]),                 # repeated rows add up
                (lambda x: x[np.array([0, 1, 1]), np.array([3, 2, 2])], [normal(3, 4)]),
                (lambda x: x[np.array([[True, False, True, False]] * 3)], [normal(3, 4)])],
    "take": [(lambda x: ops.take(x, np.array([2, 0, 2]), axis=0), [normal(3, 4)]),
             (lambda x: ops.take(x, np.array([[1, 3], [0, 1]]), axis=1), [normal(2, 4, 2)]),
             (lambda x: ops.take(x, np.array([5, 0, 5])), [normal(2, 3)])],
    "pad": [(lambda x: ops.pad(x, ((1, 2), (0, 1))), [normal(3, 4)]), (lambda x: ops.pad(x, 1), [normal(2, 2)])],
    "tile": [(lambda x: ops.tile(x, (2, 3)), [normal(2, 3)]), (lambda x: ops.tile(x, 2), [normal(3)]),
             (lambda x: ops.tile(x, (2, 1, 2)), [normal(2, 3)])],
    "repeat": [(lambda x: ops.repeat(x, 2, axis=1), [normal(2, 3)]), (lambda x: ops.repeat(x, 3), [normal(2, 2)])],
    "flip": [(lambda x: ops.flip(x, 1), [normal(2, 3)]), (ops.flip, [normal(2, 3)])],
    "where": [(lambda a, b: ops.where(np.array([True, False, True]), a, b), [normal(2, 3), normal(2, 3)]),
              (lambda a: ops.where(np.array([[True], [False]]), a, 0.0), [normal(2, 3)])],
    "clip": [(lambda x: ops.clip(x, -0.5, 0.5), [np.array([-1.0, -0.3, 0.2, 0.7, 1.5])])],
    "cast": [(lambda x: ops.cast(x, "float64"), [normal(3)])],
    "relu": [(ops.relu, [away_from_zero(3, 4)])],
    "relu6": [(ops.relu6, [np.array([-1.0, 0.5, 3.0, 5.5, 7.0])])],
    "sigmoid": [(ops.sigmoid, [normal(3, 4)])],
    "hard_sigmoid": [(ops.hard_sigmoid, [np.array([-4.0, -2.0, 0.3, 2.5, 3.5])])],
    "tanh": [(ops.tanh, [normal(3, 4)])],
    "softmax": [(ops.softmax, [normal(3, 4)]), (lambda x: ops.softmax(x, axis=0), [normal(3, 4)])],
    "log_softmax": [(ops.log_softmax, [normal(3, 4)]), (lambda x: ops.log_softmax(x, axis=0), [normal(3, 4)])],
    "softplus": [(ops.softplus, [normal(3, 4)])],
    "softsign": [(ops.softsign, [away_from_zero(3, 4)])],
    "elu": [(ops.elu, [away_from_zero(3, 4)]), (lambda x: ops.elu(x, alpha=0.5), [away_from_zero(6)])],
    "selu": [(ops.selu, [away_from_zero(3, 4)])],
    "leaky_relu": [(ops.leaky_relu, [away_from_zero(3, 4)]),
                   (lambda x: ops.leaky_relu(x, negative_slope=0.1), [away_from_zero(6)])],
    "silu": [(ops.silu, [normal(3, 4)])],
}

# Ops whose result is constant almost everywhere (or not a float): checked by value below.
NOT_DIFFERENTIABLE = {
    "convert_to_tensor", "stop_gradient", "zeros", "ones", "zeros_like", "ones_like", "full", "arange",
    "eye", "shape", "sign", "argmax", "argmin", "one_hot", "equal", "not_equal", "less", "less_equal",
    "greater", "greater_equal", "logical_and", "logical_or", "logical_not", "all", "any",
}


def test_every_op_has_a_gradient_check():
    names = (set(core_ops.__all__) | set(nn_ops.__all__)) - ADDED_NN  # those are checked in test_ops_keras_gap.py
    missing = names - set(CASES) - NOT_DIFFERENTIABLE
    assert not missing, f"ops without a gradient check: {sorted(missing)}"


@pytest.mark.parametrize("name,index", [(n, i) for n, cases in CASES.items() for i in range(len(cases))])
def test_gradient_matches_central_differences(name, index):
    f, arrays = CASES[name][index]
    check_gradients(f, *arrays)


@pytest.mark.parametrize("name", sorted(set(nn_ops.__all__) - ADDED_NN | {"exp", "log1p", "sqrt", "square", "sin"}))
def test_elementwise_ops_keep_float32(name):
    x = Tensor(np.abs(normal(2, 3)).astype(np.float32) + 0.1)
    assert getattr(ops, name)(x).dtype == np.float32


def test_nn_values_match_formulas():
    x = np.linspace(-4, 8, 25)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(ops.relu(x).numpy(), np.maximum(x, 0))
    np.testing.assert_allclose(ops.relu6(x).numpy(), np.clip(x, 0, 6))
    np.testing.assert_allclose(ops.sigmoid(x).numpy(), s, rtol=1e-6)
    np.testing.assert_allclose(ops.hard_sigmoid(x).numpy(), np.clip(x / 6 + 0.5, 0, 1), rtol=1e-6)
    np.testing.assert_allclose(ops.softplus(x).numpy(), np.log1p(np.exp(x)), rtol=1e-6)
    np.testing.assert_allclose(ops.softsign(x).numpy(), x / (1 + np.abs(x)), rtol=1e-6)
    np.testing.assert_allclose(ops.elu(x).numpy(), np.where(x > 0, x, np.exp(x) - 1), rtol=1e-6)
    np.testing.assert_allclose(ops.leaky_relu(x).numpy(), np.where(x > 0, x, 0.2 * x), rtol=1e-6)
    np.testing.assert_allclose(ops.silu(x).numpy(), x * s, rtol=1e-6)
    np.testing.assert_allclose(ops.selu(x).numpy(), 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)), rtol=1e-6)
    z = normal(3, 5)
    np.testing.assert_allclose(ops.softmax(z).numpy(), np.exp(z) / np.exp(z).sum(-1, keepdims=True))
    np.testing.assert_allclose(ops.log_softmax(z).numpy(), np.log(ops.softmax(z).numpy()))
    np.testing.assert_allclose(ops.logsumexp(z, axis=1).numpy(), np.log(np.exp(z).sum(1)))


def test_extreme_inputs_do_not_overflow():
    x = np.array([-1000.0, 0.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(ops.sigmoid(x).numpy(), [0, 0.5, 1])
        np.testing.assert_allclose(ops.softplus(x).numpy(), [0, np.log(2), 1000])
        np.testing.assert_allclose(ops.softmax(x).numpy(), [0, 0, 1])
        assert np.isfinite(ops.logsumexp(x).numpy())


def test_max_splits_the_gradient_between_ties():
    x = Variable(np.array([1.0, 3.0, 3.0]), dtype="float64")
    with GradientTape() as tape:
        y = ops.max(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0, 0.5, 0.5])


def test_non_differentiable_ops_values():
    x = np.array([[1.0, -2.0, 3.0], [0.0, 5.0, -1.0]])
    np.testing.assert_array_equal(ops.sign(x).numpy(), np.sign(x))
    np.testing.assert_array_equal(ops.argmax(x, axis=-1).numpy(), [2, 1])
    assert int(ops.argmax(x)) == 4  # as keras.ops.argmax: without an axis, the index in the flattened tensor
    assert ops.argmax(x, axis=1, keepdims=True).shape == (2, 1)
    np.testing.assert_array_equal(ops.one_hot([0, 2], 3, axis=0).numpy(), [[1, 0], [0, 0], [0, 1]])
    np.testing.assert_array_equal(ops.argmin(x, axis=0).numpy(), [1, 0, 1])
    np.testing.assert_array_equal(ops.one_hot(np.array([0, 2]), 3).numpy(), [[1, 0, 0], [0, 0, 1]])
    assert ops.one_hot([1], 3).dtype == np.float32
    assert ops.zeros((2, 3)).dtype == np.float32 and ops.ones((2,)).numpy().sum() == 2
    assert ops.full((2,), 7.0).numpy().tolist() == [7.0, 7.0]
    assert ops.zeros_like(x).shape == x.shape and ops.ones_like(x).numpy().sum() == 6
    assert ops.arange(3).numpy().tolist() == [0, 1, 2]
    assert ops.eye(2).numpy().tolist() == [[1, 0], [0, 1]]
    assert ops.shape(Tensor(x)) == (2, 3) and ops.shape(x) == (2, 3)
    np.testing.assert_array_equal(ops.equal(x, 0.0).numpy(), x == 0)
    np.testing.assert_array_equal(ops.not_equal(x, 0.0).numpy(), x != 0)
    np.testing.assert_array_equal(ops.less(x, 0.0).numpy(), x < 0)
    np.testing.assert_array_equal(ops.less_equal(x, 0.0).numpy(), x <= 0)
    np.testing.assert_array_equal(ops.greater(x, 0.0).numpy(), x > 0)
    np.testing.assert_array_equal(ops.greater_equal(x, 0.0).numpy(), x >= 0)
    b = x > 0
    np.testing.assert_array_equal(ops.logical_and(b, x < 4).numpy(), b & (x < 4))
    np.testing.assert_array_equal(ops.logical_or(b, x < -1).numpy(), b | (x < -1))
    np.testing.assert_array_equal(ops.logical_not(b).numpy(), ~b)
    np.testing.assert_array_equal(ops.all(b, axis=1).numpy(), b.all(1))
    np.testing.assert_array_equal(ops.any(b, axis=0).numpy(), b.any(0))
    assert ops.convert_to_tensor([1.0, 2.0]).dtype == np.float32
    assert ops.convert_to_tensor(np.ones(2)).dtype == np.float64
    assert ops.convert_to_tensor(Tensor(np.ones(2)), dtype="float32").dtype == np.float32


def test_stop_gradient_and_sign_block_the_gradient():
    x = Variable(np.array([1.0, -2.0]), dtype="float64")
    with GradientTape() as tape:
        y = ops.sum(x * ops.stop_gradient(x) + ops.sign(x))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [1.0, -2.0])  # only the left factor


def test_cast_float32_roundtrip_gradient():
    x = Variable(np.array([1.0, 2.0]), dtype="float64")
    with GradientTape() as tape:
        y = ops.sum(ops.cast(x, "float32") * 3.0)
    g = tape.gradient(y, x)
    assert y.dtype == np.float32 and g.dtype == np.float64
    np.testing.assert_allclose(g.numpy(), [3.0, 3.0])


def test_op_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"matmul.*\(3, 4\).*\(3, 2\)"):
        ops.matmul(np.ones((3, 4)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="at least one axis"):
        ops.matmul(np.ones(()), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"reshape a tensor of shape \(3, 4\).*\(5,\)"):
        ops.reshape(np.ones((3, 4)), (5,))
    with pytest.raises(ValueError, match=r"concatenate.*\[\(2, 3\), \(2, 4\)\]"):
        ops.concatenate([np.ones((2, 3)), np.ones((2, 4))], axis=0)
    with pytest.raises(ValueError, match=r"one_hot.*\[0, 3\).*from 0 to 5"):
        ops.one_hot([0, 5], 3)
    with pytest.raises(ValueError, match="axis 2 is out of bounds for a tensor of rank 2"):
        ops.sum(np.ones((2, 2)), axis=2)
    with pytest.raises(TypeError, match="integer number of repeats"):
        ops.repeat(np.ones(2), [1, 2])
