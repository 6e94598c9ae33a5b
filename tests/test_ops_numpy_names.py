"""teachnet/ops/numpy_names.py: values against numpy, gradients against central differences."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import ops
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4))


@pytest.mark.parametrize("f", [
    lambda x: ops.moveaxis(ops.reshape(x, (3, 2, 2)), 0, -1),
    lambda x: ops.cumsum(x, axis=1),
    lambda x: ops.cumsum(x),
    lambda x: ops.prod(x, axis=1),
    lambda x: ops.prod(x, axis=(0, 1), keepdims=True),
    lambda x: ops.sort(x, axis=0),
    lambda x: ops.concatenate(ops.split(x, [1, 3], axis=1)[::-1], axis=1),
    lambda x: ops.stack(ops.unstack(x, axis=1)[::-1]),
    lambda x: ops.log2(ops.square(x) + 1.0) + ops.log10(ops.square(x) + 2.0),
    lambda x: ops.rsqrt(ops.square(x) + 0.5),
    lambda x: ops.absolute(x) + ops.amax(x, axis=0) - ops.amin(x, axis=1, keepdims=True),
], ids=["moveaxis", "cumsum_axis", "cumsum_flat", "prod", "prod_all", "sort", "split", "unstack", "log2_log10",
        "rsqrt", "aliases"])
def test_gradients(f):
    check_gradients(f, X)


def test_prod_gradient_with_a_zero_entry():
    x = X.copy()
    x[1, 2] = 0.0  # prod / x_i would divide by zero: the backward multiplies the other entries instead
    check_gradients(lambda t: ops.prod(t, axis=1), x)


def test_values_match_numpy():
    np.testing.assert_allclose(ops.cumsum(X, axis=0).numpy(), np.cumsum(X, axis=0))
    np.testing.assert_allclose(ops.prod(X, axis=0).numpy(), np.prod(X, axis=0))
    np.testing.assert_allclose(ops.sort(X).numpy(), np.sort(X))
    np.testing.assert_array_equal(ops.argsort(X).numpy(), np.argsort(X, kind="stable"))
    assert [p.shape for p in ops.split(X, 2, axis=1)] == [(3, 2), (3, 2)]
    assert [p.shape for p in ops.split(X, [1], axis=0)] == [(1, 4), (2, 4)]
    np.testing.assert_array_equal(ops.round(np.array([0.5, 1.5, 2.4])).numpy(), [0.0, 2.0, 2.0])
    np.testing.assert_array_equal(ops.floor(X).numpy(), np.floor(X))
    np.testing.assert_array_equal(ops.ceil(X).numpy(), np.ceil(X))
    np.testing.assert_array_equal(ops.isnan(np.array([np.nan, 1.0])).numpy(), [True, False])
    np.testing.assert_array_equal(ops.isfinite(np.array([np.inf, 1.0])).numpy(), [False, True])
    np.testing.assert_allclose(ops.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1.0])
    assert ops.linspace(0, 1, 5).dtype == np.float32 and ops.full_like(X, 7).numpy().sum() == 7 * 12
    assert ops.size(X) == 12 and ops.ndim(X) == 2
    v = teachnet.Variable(np.ones(2))
    copy = ops.convert_to_numpy(v)
    v.assign([5.0, 5.0])
    assert isinstance(copy, np.ndarray) and copy.tolist() == [1.0, 1.0]
    assert ops.is_tensor(v) and not ops.is_tensor(X)


def test_bad_arguments_name_the_op_and_the_shape():
    with pytest.raises(ValueError, match=r"^split: axis 1 of a tensor of shape \(3, 4\) does not divide into 3"):
        ops.split(X, 3, axis=1)
    with pytest.raises(ValueError, match=r"^unstack: num=2 does not match the size 3 of axis 0 of shape \(3, 4\)"):
        ops.unstack(X, num=2)
    with pytest.raises(ValueError, match=r"^moveaxis: cannot move axes 0 to 5 of a tensor of shape \(3, 4\)"):
        ops.moveaxis(X, 0, 5)


def test_values_match_keras_ops():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras is not installed: skipping the keras.ops comparison")
    for name, args in [("cumsum", (X, 1)), ("prod", (X, 0)), ("sort", (X,)), ("log2", (np.abs(X) + 1,)),
                       ("rsqrt", (np.abs(X) + 1,)), ("moveaxis", (X, 0, 1)), ("round", (X * 3,))]:
        want = keras.ops.convert_to_numpy(getattr(keras.ops, name)(*args))
        np.testing.assert_allclose(getattr(ops, name)(*args).numpy(), want, rtol=1e-6, err_msg=name)


def test_keras_arguments_of_core_reductions():
    np.testing.assert_allclose(ops.max(X, axis=1, initial=0.5).numpy(), np.max(X, axis=1, initial=0.5))
    np.testing.assert_allclose(ops.min(X, axis=0, initial=-0.1).numpy(), np.min(X, axis=0, initial=-0.1))
    np.testing.assert_allclose(ops.norm(X, ord="fro").numpy(), np.linalg.norm(X))
    np.testing.assert_allclose(ops.norm(X, 2, axis=1).numpy(), np.linalg.norm(X, axis=1))
    with pytest.raises(ValueError, match=r"^norm: only the Euclidean norm \(ord=None\) is implemented\. Received: ord=1"):
        ops.norm(X, ord=1)
    check_gradients(lambda x: ops.max(x, axis=1, initial=0.0), X)
