"""teachnet.ops name by name against keras.ops.

- Every op added for the comparison (teachnet/ops/elementwise.py,
  control_flow.py, and the later parts of numpy_names.py and nn.py) has a
  float64 central-difference gradient check, or is listed as having no
  gradient, and computes what keras.ops computes on the same float32 inputs.
- `test_report_what_keras_has_and_teachnet_lacks` prints the keras.ops and
  keras.layers names teachnet does not have (run with -s to see it), so the
  gap stays visible, and asserts that a curated list of common names is there.
"""
import os

import numpy as np
import pytest

import teachnet
from teachnet import ops
from teachnet.ops import control_flow, elementwise
from tests.gradcheck import check_gradients

os.environ["KERAS_BACKEND"] = "torch"

rng = np.random.default_rng(7)


def normal(*shape):
    return rng.standard_normal(shape)


def inside(*shape, bound=0.9):
    """Values in (-bound, bound): the domain of arcsin, arctanh, ..."""
    return rng.uniform(-bound, bound, shape)


def positive(*shape, low=0.5, high=2.0):
    return rng.uniform(low, high, shape)


def away_from(points, *shape, gap=0.1, scale=2.0):
    """Values at least `gap` away from each of `points` (the kinks of piecewise ops)."""
    x = rng.uniform(-scale, scale, shape)
    for p in points:
        near = np.abs(x - p) < gap
        x[near] = p + np.sign(x[near] - p + 1e-12) * gap * 2
    return x


# name -> list of (function of float64 Variables, input arrays)
CASES = {
    # elementwise.py
    "tan": [(ops.tan, [inside(3, 4, bound=1.2)])],
    "arcsin": [(ops.arcsin, [inside(3, 4)])],
    "arccos": [(ops.arccos, [inside(3, 4)])],
    "arctan": [(ops.arctan, [normal(3, 4)])],
    "arctan2": [(ops.arctan2, [normal(3, 4), positive(3, 4)]), (ops.arctan2, [positive(3, 1), normal(4)])],
    "sinh": [(ops.sinh, [normal(3, 4)])],
    "cosh": [(ops.cosh, [normal(3, 4)])],
    "arcsinh": [(ops.arcsinh, [normal(3, 4)])],
    "arccosh": [(ops.arccosh, [positive(3, 4, low=1.2, high=3.0)])],
    "arctanh": [(ops.arctanh, [inside(3, 4)])],
    "expm1": [(ops.expm1, [normal(3, 4)])],
    "exp2": [(ops.exp2, [normal(3, 4)])],
    "reciprocal": [(ops.reciprocal, [positive(3, 4)])],
    "cbrt": [(ops.cbrt, [away_from([0], 3, 4, gap=0.3)])],
    "erf": [(ops.erf, [normal(3, 4)])],
    "logaddexp": [(ops.logaddexp, [normal(3, 4), normal(3, 4)]), (ops.logaddexp, [normal(3, 4), normal(4)])],
    "hypot": [(ops.hypot, [normal(3, 4), normal(3, 4)])],
    "mod": [(ops.mod, [away_from([-3, -1.5, 0, 1.5, 3], 3, 4, scale=4.0), np.full((3, 4), 1.5)])],
    "divide_no_nan": [(ops.divide_no_nan, [normal(3, 4), positive(3, 4)]),
                      (lambda a: ops.divide_no_nan(a, np.array([0.0, 2.0, 0.0, -1.0])), [normal(3, 4)])],
    "nan_to_num": [(lambda x: ops.nan_to_num(x, posinf=5.0, neginf=-5.0),
                    [np.array([1.0, np.inf, -2.0, -np.inf, np.nan])])],
    "true_divide": [(ops.true_divide, [normal(3, 4), positive(3, 4)])],
    "deg2rad": [(ops.deg2rad, [normal(3, 4)])],
    "rad2deg": [(ops.rad2deg, [normal(3, 4)])],
    "logaddexp2": [(ops.logaddexp2, [normal(3, 4), normal(3, 4)])],
    "fmod": [(ops.fmod, [away_from([-3, -1.5, 0, 1.5, 3], 3, 4, scale=4.0), np.full((3, 4), 1.5)])],
    "erfc": [(ops.erfc, [normal(3, 4)])],
    "sinc": [(ops.sinc, [normal(3, 4)]), (ops.sinc, [np.array([0.0, 0.5, -1.5])])],
    # nn.py
    "gelu": [(ops.gelu, [normal(3, 4)]), (lambda x: ops.gelu(x, approximate=False), [normal(3, 4)])],
    "swish": [(ops.swish, [normal(3, 4)])],
    "hard_silu": [(ops.hard_silu, [away_from([-3, 3], 3, 4, scale=5.0)])],
    "hard_swish": [(ops.hard_swish, [away_from([-3, 3], 3, 4, scale=5.0)])],
    "log_sigmoid": [(ops.log_sigmoid, [normal(3, 4)])],
    "celu": [(ops.celu, [away_from([0], 3, 4)]), (lambda x: ops.celu(x, alpha=0.5), [away_from([0], 6)])],
    "glu": [(ops.glu, [normal(3, 4)]), (lambda x: ops.glu(x, axis=0), [normal(4, 3)])],
    "hard_tanh": [(ops.hard_tanh, [away_from([-1, 1], 3, 4)])],
    "soft_shrink": [(ops.soft_shrink, [away_from([-0.5, 0.5], 3, 4)])],
    "hard_shrink": [(ops.hard_shrink, [away_from([-0.5, 0.5], 3, 4)])],
    "tanh_shrink": [(ops.tanh_shrink, [normal(3, 4)])],
    "squareplus": [(ops.squareplus, [normal(3, 4)]), (lambda x: ops.squareplus(x, b=1), [normal(5)])],
    "sparse_plus": [(ops.sparse_plus, [away_from([-1, 1], 3, 4)])],
    "sparse_sigmoid": [(ops.sparse_sigmoid, [away_from([-1, 1], 3, 4)])],
    "threshold": [(lambda x: ops.threshold(x, 0.2, -1.0), [away_from([0.2], 3, 4)])],
    "moments": [(lambda x: ops.moments(x, axes=[0]), [normal(5, 3)]),
                (lambda x: ops.moments(x, axes=(0, 1), keepdims=True), [normal(2, 3, 4)])],
    "batch_normalization": [(lambda x, m, v, b, s: ops.batch_normalization(x, m, v, axis=-1, offset=b, scale=s),
                             [normal(4, 3), normal(3), positive(3), normal(3), normal(3)]),
                            (lambda x, m, v: ops.batch_normalization(x, m, v, axis=1),
                             [normal(2, 3, 4), normal(3), positive(3)])],
    "normalize": [(ops.normalize, [normal(3, 4)]), (lambda x: ops.normalize(x, axis=0, order=1),
                                                     [away_from([0], 3, 4)])],
    "layer_normalization": [(ops.layer_normalization, [normal(3, 4)]),
                            (lambda x, g, b: ops.layer_normalization(x, g, b, axis=1), [normal(2, 3, 4), normal(3),
                                                                                         normal(3)])],
    "rms_normalization": [(lambda x, s: ops.rms_normalization(x, s), [normal(3, 4), normal(4)])],
    "binary_crossentropy": [(lambda p: ops.binary_crossentropy(np.array([[1.0, 0.0], [0.3, 1.0]]), p),
                             [positive(2, 2, low=0.1, high=0.9)]),
                            (lambda z: ops.binary_crossentropy(np.array([[1.0, 0.0], [0.3, 1.0]]), z,
                                                               from_logits=True), [away_from([0], 2, 2)])],
    "categorical_crossentropy": [(lambda p: ops.categorical_crossentropy(np.eye(3)[[0, 2]], p),
                                  [positive(2, 3, low=0.2, high=1.0)]),
                                 (lambda z: ops.categorical_crossentropy(np.eye(3)[[0, 2]], z, from_logits=True),
                                  [normal(2, 3)])],
    "sparse_categorical_crossentropy": [(lambda z: ops.sparse_categorical_crossentropy(np.array([1, 0]), z,
                                                                                       from_logits=True),
                                         [normal(2, 3)])],
    "dot_product_attention": [(lambda q, k, v: ops.dot_product_attention(q, k, v, is_causal=True),
                               [normal(1, 3, 2, 4), normal(1, 3, 2, 4), normal(1, 3, 2, 4)]),
                              (lambda q, k, v, b: ops.dot_product_attention(
                                  q, k, v, bias=b, mask=np.array([[True, False, True, True]]), scale=0.3),
                               [normal(2, 2, 1, 3), normal(2, 4, 1, 3), normal(2, 4, 1, 3), normal(2, 4)])],
    # numpy_names.py
    "copy": [(ops.copy, [normal(3, 4)])],
    "ravel": [(ops.ravel, [normal(3, 4)])],
    "append": [(ops.append, [normal(3, 4), normal(2)]), (lambda a, b: ops.append(a, b, axis=0),
                                                          [normal(3, 4), normal(1, 4)])],
    "hstack": [(lambda a, b: ops.hstack([a, b]), [normal(3, 2), normal(3, 4)])],
    "vstack": [(lambda a, b: ops.vstack([a, b]), [normal(4), normal(2, 4)])],
    "outer": [(ops.outer, [normal(3), normal(2, 2)])],
    "average": [(lambda x: ops.average(x, axis=1), [normal(3, 4)]),
                (lambda x, w: ops.average(x, axis=0, weights=w), [normal(3, 4), positive(3)]),
                (lambda x, w: ops.average(x, weights=w), [normal(3, 4), positive(3, 4)])],
    "select": [(lambda a, b: ops.select([np.array([True, False, False]), np.array([True, True, False])], [a, b],
                                        default=2.0), [normal(2, 3), normal(2, 3)])],
    "roll": [(lambda x: ops.roll(x, 2, axis=1), [normal(3, 4)]), (lambda x: ops.roll(x, -5), [normal(3, 4)])],
    "tril": [(ops.tril, [normal(4, 4)]), (lambda x: ops.tril(x, k=-1), [normal(2, 3, 4)])],
    "triu": [(ops.triu, [normal(4, 4)]), (lambda x: ops.triu(x, k=1), [normal(2, 3, 4)])],
    "diagonal": [(ops.diagonal, [normal(3, 4)]), (lambda x: ops.diagonal(x, offset=1, axis1=1, axis2=2),
                                                   [normal(2, 3, 4)]),
                 (lambda x: ops.diagonal(x, offset=-1), [normal(4, 3)])],
    "trace": [(ops.trace, [normal(3, 3)])],
    "take_along_axis": [(lambda x: ops.take_along_axis(x, np.array([[0, 2, 2], [3, 1, 0]]), axis=1),
                         [normal(2, 4)]),
                        (lambda x: ops.take_along_axis(x, np.array([5, 5, 0])), [normal(2, 4)])],
    "slice": [(lambda x: ops.slice(x, (1, 0), (2, 3)), [normal(3, 4)])],
    "slice_update": [(lambda x, u: ops.slice_update(x, (1, 1), u), [normal(3, 4), normal(2, 2)])],
    "segment_sum": [(lambda x: ops.segment_sum(x, np.array([0, 2, 0, 1, 5]), num_segments=3), [normal(5, 2)])],
    "top_k": [(lambda x: ops.top_k(x, 2)[0], [normal(3, 4)])],
    "get_item": [(lambda x: ops.get_item(x, (1, np.s_[::2])), [normal(3, 4)])],
    "diff": [(ops.diff, [normal(3, 4)]), (lambda x: ops.diff(x, n=2, axis=0), [normal(4, 3)])],
    "median": [(ops.median, [normal(3, 5)]), (lambda x: ops.median(x, axis=1, keepdims=True), [normal(3, 4)])],
    "ptp": [(lambda x: ops.ptp(x, axis=0), [normal(3, 4)])],
    "fliplr": [(ops.fliplr, [normal(3, 4)])],
    "flipud": [(ops.flipud, [normal(3, 4)])],
    "rot90": [(ops.rot90, [normal(3, 4)]), (lambda x: ops.rot90(x, k=3, axes=(1, 2)), [normal(2, 3, 4)])],
    "diag": [(ops.diag, [normal(3)]), (lambda x: ops.diag(x, k=1), [normal(3, 4)])],
    "inner": [(ops.inner, [normal(2, 3), normal(4, 3)])],
    "vdot": [(ops.vdot, [normal(2, 3), normal(6)])],
    "einsum": [(lambda a, b: ops.einsum("ij,jk->ik", a, b), [normal(2, 3), normal(3, 4)]),
               (lambda q, k: ops.einsum("bqd,bkd->bqk", q, k), [normal(2, 3, 4), normal(2, 5, 4)]),
               (lambda a, b: ops.einsum("ij,k->jk", a, b), [normal(2, 3), normal(4)]),  # i summed in a alone
               (lambda a: ops.einsum("ij", a), [normal(2, 3)]),
               (lambda a, b, c: ops.einsum("i,ij,j", a, b, c), [normal(2), normal(2, 3), normal(3)])],
    "tensordot": [(ops.tensordot, [normal(2, 3, 4), normal(3, 4, 2)]),
                  (lambda a, b: ops.tensordot(a, b, axes=([0], [1])), [normal(3, 4), normal(2, 3)])],
    # control_flow.py: the ops inside record as usual
    "cond": [(lambda x: ops.cond(ops.sum(x) > -100, lambda: ops.square(x), lambda: x), [normal(3)])],
    "switch": [(lambda x: ops.switch(1, [ops.sin, ops.cos], x), [normal(3)])],
    "fori_loop": [(lambda x: ops.fori_loop(0, 3, lambda i, v: v * x + i, x), [normal(3)])],
    "while_loop": [(lambda x: ops.while_loop(lambda v, n: n < 3, lambda v, n: (ops.sin(v) + x, n + 1),
                                             (x, 0))[0], [normal(3)])],
    "map": [(lambda x: ops.map(lambda row: ops.sum(ops.square(row)), x), [normal(3, 4)])],
    "vectorized_map": [(lambda x: ops.vectorized_map(ops.softmax, x), [normal(3, 4)])],
    "scan": [(lambda x: ops.scan(lambda c, v: (c * 0.5 + v, c), ops.zeros(4, "float64"), x)[1], [normal(3, 4)]),
             (lambda x: ops.scan(lambda c, v: (c + v, ops.sin(c)), x[0], x, reverse=True)[0], [normal(3, 4)])],
}

# The added ops without a useful gradient (integer-valued, boolean, or constants): values checked below.
NOT_DIFFERENTIABLE = {
    "floor_divide", "trunc", "isinf", "signbit", "isclose", "allclose", "logical_xor",
    "multi_hot",
    "array", "identity", "tri", "meshgrid", "count_nonzero", "searchsorted", "digitize", "bincount", "isin",
    "nonzero", "in_top_k", "isneginf", "isposinf", "empty", "empty_like", "dtype",
}

ADDED_NN = {"gelu", "swish", "hard_silu", "hard_swish", "log_sigmoid", "celu", "glu", "hard_tanh", "soft_shrink",
            "hard_shrink", "tanh_shrink", "squareplus", "sparse_plus", "sparse_sigmoid", "threshold", "moments",
            "batch_normalization", "normalize", "multi_hot", "layer_normalization", "rms_normalization",
            "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
            "dot_product_attention"}
ADDED_NUMPY_NAMES = {
    "array", "identity", "tri", "copy", "meshgrid", "count_nonzero", "searchsorted", "digitize", "bincount",
    "isin", "nonzero", "ravel", "append", "hstack", "vstack", "roll", "tril", "triu", "diagonal", "trace",
    "take_along_axis", "slice", "slice_update", "select", "average", "outer", "einsum", "tensordot", "top_k",
    "in_top_k", "segment_sum", "empty", "empty_like", "dtype", "get_item", "diff", "median", "ptp", "fliplr",
    "flipud", "rot90", "diag", "inner", "vdot"}
ADDED = set(elementwise.__all__) | set(control_flow.__all__) | ADDED_NN | ADDED_NUMPY_NAMES


def test_every_added_op_has_a_gradient_check():
    missing = ADDED - set(CASES) - NOT_DIFFERENTIABLE
    assert not missing, f"ops without a gradient check: {sorted(missing)}"
    assert all(callable(getattr(ops, name)) for name in ADDED)


@pytest.mark.parametrize("name,index", [(n, i) for n, cases in CASES.items() for i in range(len(cases))])
def test_gradient_matches_central_differences(name, index):
    f, arrays = CASES[name][index]
    check_gradients(f, *arrays)


# name -> function of an ops module (teachnet.ops or keras.ops) on float32 / int inputs
F = lambda *shape: rng.standard_normal(shape).astype("float32")  # noqa: E731
A, B, U, P = F(3, 4), F(3, 4), (0.8 * np.tanh(F(3, 4))).astype("float32"), (np.abs(F(3, 4)) + 1.2).astype("float32")
IDS = np.array([[0, 2, 2], [3, 1, 0]])
Q, K, V, BIAS = F(2, 3, 2, 4), F(2, 3, 2, 4), F(2, 3, 2, 4), F(1, 2, 3, 3)
VALUES = {
    "tan": lambda o: o.tan(U), "arcsin": lambda o: o.arcsin(U), "arccos": lambda o: o.arccos(U),
    "arctan": lambda o: o.arctan(A), "arctan2": lambda o: o.arctan2(A, B), "sinh": lambda o: o.sinh(A),
    "cosh": lambda o: o.cosh(A), "arcsinh": lambda o: o.arcsinh(A), "arccosh": lambda o: o.arccosh(P),
    "arctanh": lambda o: o.arctanh(U), "expm1": lambda o: o.expm1(A), "exp2": lambda o: o.exp2(A),
    "reciprocal": lambda o: o.reciprocal(P), "cbrt": lambda o: o.cbrt(A), "erf": lambda o: o.erf(A),
    "logaddexp": lambda o: o.logaddexp(A, B), "hypot": lambda o: o.hypot(A, B), "mod": lambda o: o.mod(A, P),
    "divide_no_nan": lambda o: o.divide_no_nan(A, B * (np.abs(B) > 0.5)),
    "nan_to_num": lambda o: o.nan_to_num(np.array([1.0, np.nan, np.inf, -np.inf], "float32"), posinf=9.0),
    "true_divide": lambda o: o.true_divide(A, P), "floor_divide": lambda o: o.floor_divide(A, P),
    "trunc": lambda o: o.trunc(A * 3), "isinf": lambda o: o.isinf(np.array([1.0, np.inf, -np.inf], "float32")),
    "signbit": lambda o: o.signbit(A), "isclose": lambda o: o.isclose(A, A + 1e-6),
    "allclose": lambda o: o.allclose(A, A + 1e-3), "logical_xor": lambda o: o.logical_xor(A > 0, B > 0),
    "gelu": lambda o: o.gelu(A), "gelu_exact": lambda o: o.gelu(A, approximate=False),
    "swish": lambda o: o.swish(A), "hard_silu": lambda o: o.hard_silu(A * 3), "hard_swish": lambda o: o.hard_swish(A),
    "log_sigmoid": lambda o: o.log_sigmoid(A * 5), "celu": lambda o: o.celu(A, alpha=0.7), "glu": lambda o: o.glu(A),
    "hard_tanh": lambda o: o.hard_tanh(A * 2), "soft_shrink": lambda o: o.soft_shrink(A),
    "hard_shrink": lambda o: o.hard_shrink(A), "tanh_shrink": lambda o: o.tanh_shrink(A),
    "squareplus": lambda o: o.squareplus(A, b=2), "sparse_plus": lambda o: o.sparse_plus(A * 2),
    "sparse_sigmoid": lambda o: o.sparse_sigmoid(A * 2), "threshold": lambda o: o.threshold(A, 0.1, -2.0),
    "moments": lambda o: o.moments(A, axes=[1]),
    "batch_normalization": lambda o: o.batch_normalization(A, B[0], P[0], axis=1, offset=B[1], scale=A[1]),
    "normalize": lambda o: o.normalize(A), "normalize_l1": lambda o: o.normalize(A, axis=0, order=1),
    "multi_hot": lambda o: o.multi_hot(np.array([[0, 2], [1, 1]]), num_classes=4),
    "array": lambda o: o.array([[1, 2], [3, 4]]), "identity": lambda o: o.identity(3),
    "tri": lambda o: o.tri(3, 4, k=1), "copy": lambda o: o.copy(A),
    "meshgrid": lambda o: o.meshgrid(np.arange(3), np.arange(2), indexing="ij"),
    "count_nonzero": lambda o: o.count_nonzero(A > 0, axis=1),
    "searchsorted": lambda o: o.searchsorted(np.array([0.0, 1.0, 2.0], "float32"),
                                             np.array([0.5, 1.0, 3.0], "float32"), side="right"),
    "digitize": lambda o: o.digitize(A, np.array([-1.0, 0.0, 1.0], "float32")),
    "bincount": lambda o: o.bincount(np.array([0, 1, 1, 3]), minlength=5),
    "bincount_2d": lambda o: o.bincount(np.array([[0, 1], [2, 2]]), minlength=4),
    # a tuple of index arrays in numpy (and here); one (ndim, n) tensor in Keras's torch backend
    "nonzero": lambda o: o.stack(o.nonzero(np.array([[0, 1], [2, 0]]))),
    "isin": lambda o: o.isin(np.array([1, 2, 3, 4]), np.array([2, 4])), "ravel": lambda o: o.ravel(A),
    "append": lambda o: o.append(A, B, axis=1), "hstack": lambda o: o.hstack([A, B]),
    "vstack": lambda o: o.vstack([A, B]), "roll": lambda o: o.roll(A, 1, axis=0), "tril": lambda o: o.tril(A, k=1),
    "triu": lambda o: o.triu(A), "diagonal": lambda o: o.diagonal(A, offset=1), "trace": lambda o: o.trace(A),
    "take_along_axis": lambda o: o.take_along_axis(A[:2], IDS, axis=1),
    "slice": lambda o: o.slice(A, (1, 1), (2, 2)), "slice_update": lambda o: o.slice_update(A, (0, 2), B[:2, :2]),
    "select": lambda o: o.select([A > 0.5, A < -0.5], [A, B], default=0.0),
    "average": lambda o: o.average(A, axis=1, weights=P[0]), "outer": lambda o: o.outer(A[0], B[1]),
    "einsum": lambda o: o.einsum("ij,kj->ik", A, B), "tensordot": lambda o: o.tensordot(A, B, axes=([1], [1])),
    "top_k": lambda o: o.top_k(A, 2), "in_top_k": lambda o: o.in_top_k(np.array([0, 1, 2]), A, 2),
    "segment_sum": lambda o: o.segment_sum(A, np.array([0, 1, 0]), num_segments=2),
    "deg2rad": lambda o: o.deg2rad(A), "rad2deg": lambda o: o.rad2deg(A), "logaddexp2": lambda o: o.logaddexp2(A, B),
    "fmod": lambda o: o.fmod(A * 3, P), "erfc": lambda o: o.erfc(A), "sinc": lambda o: o.sinc(A),
    "isneginf": lambda o: o.isneginf(np.array([1.0, np.inf, -np.inf], "float32")),
    "isposinf": lambda o: o.isposinf(np.array([1.0, np.inf, -np.inf], "float32")),
    "layer_normalization": lambda o: o.layer_normalization(A, gamma=B[0], beta=B[1]),
    "rms_normalization": lambda o: o.rms_normalization(A, scale=B[0]),
    "binary_crossentropy": lambda o: o.binary_crossentropy((B > 0).astype("float32"), 1 / (1 + np.exp(-A))),
    "binary_crossentropy_logits": lambda o: o.binary_crossentropy((B > 0).astype("float32"), A, from_logits=True),
    "categorical_crossentropy": lambda o: o.categorical_crossentropy(np.eye(4, dtype="float32")[[0, 3, 1]], P),
    "categorical_crossentropy_logits": lambda o: o.categorical_crossentropy(np.eye(4, dtype="float32")[[0, 3, 1]],
                                                                            A, from_logits=True),
    "sparse_categorical_crossentropy": lambda o: o.sparse_categorical_crossentropy(np.array([0, 3, 1]), P),
    "dot_product_attention": lambda o: o.dot_product_attention(Q, K, V, is_causal=True),
    "dot_product_attention_mask": lambda o: o.dot_product_attention(Q, K, V, scale=0.5,
                                                                    mask=np.array([[True, False, True]])),
    "dot_product_attention_bias": lambda o: o.dot_product_attention(Q, K, V, bias=BIAS),
    "empty": lambda o: o.shape(o.empty((2, 3))), "empty_like": lambda o: o.shape(o.empty_like(A)),
    "dtype": lambda o: o.dtype(A), "get_item": lambda o: o.get_item(A, 1), "diff": lambda o: o.diff(A, n=2),
    "median": lambda o: o.median(A, axis=1), "median_all": lambda o: o.median(A), "ptp": lambda o: o.ptp(A, axis=0),
    "fliplr": lambda o: o.fliplr(A), "flipud": lambda o: o.flipud(A), "rot90": lambda o: o.rot90(A, k=2),
    "diag": lambda o: o.diag(A[0]), "diag_k": lambda o: o.diag(A, k=1), "inner": lambda o: o.inner(A, B),
    "vdot": lambda o: o.vdot(A[0], B[0]),  # Keras's torch backend takes only vectors
    "cond": lambda o: o.cond(True, lambda: A, lambda: B), "switch": lambda o: o.switch(5, [o.sin, o.cos], A),
    "fori_loop": lambda o: o.fori_loop(0, 3, lambda i, v: v * 0.5 + i, A),
    "while_loop": lambda o: o.while_loop(lambda v: o.sum(v) < 100.0, lambda v: v + 1.0, P),
    "map": lambda o: o.map(lambda row: o.sum(row), A), "vectorized_map": lambda o: o.vectorized_map(o.exp, o.convert_to_tensor(A)),
    "scan": lambda o: o.scan(lambda c, x: (c + x, c * x), np.zeros(4, "float32"), A),
}


def _numpy(value, keras):
    if isinstance(value, (list, tuple)):
        return [_numpy(v, keras) for v in value]
    if isinstance(value, teachnet.Tensor):
        return value.numpy()
    return keras.ops.convert_to_numpy(value) if keras.ops.is_tensor(value) else np.asarray(value)


def test_every_added_op_has_a_value_check():
    missing = {name for name in ADDED if name not in VALUES}
    assert not missing, f"ops without a value check against keras.ops: {sorted(missing)}"


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_match_keras_ops(name):
    keras = pytest.importorskip("keras")
    ours, theirs = _numpy(VALUES[name](ops), keras), _numpy(VALUES[name](keras.ops), keras)
    for got, expected in zip(ours if isinstance(ours, list) else [ours],
                             theirs if isinstance(theirs, list) else [theirs]):
        got, expected = np.asarray(got), np.asarray(expected)
        assert got.shape == expected.shape, name
        if expected.dtype.kind == "f":
            np.testing.assert_allclose(got, expected, rtol=2e-6, atol=2e-6, err_msg=name)
        else:
            np.testing.assert_array_equal(got, expected, err_msg=name)


def test_added_float_ops_keep_float32():
    x = teachnet.Tensor(P)
    for name in ["tan", "sinh", "arcsinh", "expm1", "exp2", "reciprocal", "cbrt", "erf", "gelu", "log_sigmoid",
                 "celu", "hard_tanh", "soft_shrink", "squareplus", "sparse_plus", "normalize"]:
        assert getattr(ops, name)(x).dtype == np.float32, name
    assert ops.gelu(x, approximate=False).dtype == np.float32


def test_softmax_over_an_axis_of_size_one_warns():
    with pytest.warns(UserWarning, match=r"softmax over axis -1 of a tensor of shape \(4, 1\): that axis has size "
                                         r"1, so the result is always 1.*use sigmoid"):
        ops.softmax(np.ones((4, 1), "float32"))
    with pytest.warns(UserWarning, match="log_softmax over axis 0.*always 0"):
        ops.log_softmax(np.ones((1, 3), "float32"), axis=0)
    model = teachnet.Sequential([teachnet.Input(shape=(3,)), teachnet.layers.Dense(1, activation="softmax")])
    with pytest.warns(UserWarning, match="softmax over axis -1 of a tensor of shape"):
        model(np.ones((2, 3), "float32"))


def test_bad_arguments_name_the_op():
    with pytest.raises(ValueError, match=r"einsum: ellipsis \('...'\) is not supported here"):
        ops.einsum("...ij,jk->...ik", np.ones((2, 3)), np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"einsum: a letter repeated within one operand \('ii'"):
        ops.einsum("ii->i", np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"einsum 'ij,jk->ik' on operands of shapes \[\(2, 3\), \(4, 4\)\]"):
        ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 4)))
    with pytest.raises(ValueError, match=r"glu: axis size must be divisible by 2.*Received: x.shape=\(2, 3\)"):
        ops.glu(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"top_k: k must be between 1 and the size of the last axis \(3\)\. "
                                         r"Received: k=4"):
        ops.top_k(np.ones((2, 3)), 4)
    with pytest.raises(ValueError, match=r"tril needs a tensor of rank 2 or more.*Received: x\.shape=\(3,\)"):
        ops.tril(np.ones(3))
    with pytest.raises(ValueError, match=r"slice: a tensor of shape \(3, 4\) needs 2 start indices"):
        ops.slice(np.ones((3, 4)), (0,), (1, 1))
    with pytest.raises(ValueError, match=r"logaddexp: cannot broadcast shapes \(2, 3\) and \(4,\)"):
        ops.logaddexp(np.ones((2, 3)), np.ones(4))
    with pytest.raises(ValueError, match=r"cond: the condition must be a single boolean\. Received: a condition of shape "
                                         r"\(3,\)"):
        ops.cond(np.array([True, False, True]), lambda: 1, lambda: 0)
    with pytest.raises(ValueError, match=r"scan: pass `xs`"):
        ops.scan(lambda c, x: (c, c), 0.0)
    with pytest.raises(ValueError, match=r"Argument `order` must be an int >= 1. Received: order=0"):
        ops.normalize(np.ones(3), order=0)
    with pytest.raises(ValueError, match=r"segment_sum: segment_ids needs one id per row of data"):
        ops.segment_sum(np.ones((3, 2)), [0, 1])


# Common keras.ops / keras.layers names that Keras guides and books use: these must exist.
COMMON_OPS = [
    "abs", "add", "all", "any", "append", "arange", "arctan2", "argmax", "argmin", "argsort", "average",
    "broadcast_to", "cast", "ceil", "clip", "concatenate", "cond", "convert_to_numpy", "convert_to_tensor", "copy",
    "cos", "cosh", "count_nonzero", "cumsum", "diagonal", "divide", "divide_no_nan", "dot", "einsum", "elu",
    "equal", "erf", "exp", "expand_dims", "expm1", "eye", "flip", "floor", "fori_loop", "full", "full_like", "gelu",
    "greater", "hard_sigmoid", "hard_silu", "hstack", "identity", "isclose", "isfinite", "isinf", "isnan",
    "leaky_relu", "linspace", "log", "log1p", "log_sigmoid", "log_softmax", "logaddexp", "logical_and",
    "logical_not", "logical_or", "logsumexp", "matmul", "max", "maximum", "mean", "meshgrid", "min", "minimum",
    "mod", "moments", "moveaxis", "multi_hot", "multiply", "negative", "norm", "normalize", "not_equal", "one_hot",
    "ones", "ones_like", "outer", "pad", "power", "prod", "ravel", "reciprocal", "relu", "relu6", "repeat",
    "reshape", "roll", "round", "rsqrt", "scan", "segment_sum", "selu", "sigmoid", "sign", "silu", "sin", "size",
    "slice", "slice_update", "softmax", "softplus", "softsign", "sort", "split", "sqrt", "square", "squeeze",
    "stack", "std", "stop_gradient", "subtract", "sum", "swapaxes", "swish", "take", "take_along_axis", "tan",
    "tanh", "tensordot", "tile", "top_k", "trace", "transpose", "tril", "triu", "unstack", "var", "vstack",
    "where", "while_loop", "zeros", "zeros_like",
]
COMMON_LAYERS = [
    "Activation", "Add", "AveragePooling2D", "BatchNormalization", "Concatenate", "Conv1D", "Conv2D", "Dense",
    "Dropout", "Embedding", "Flatten", "GRU", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalMaxPooling2D", "Input", "InputLayer", "LSTM", "Layer", "MaxPooling1D", "MaxPooling2D", "Reshape",
    "SimpleRNN",
]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_report_what_keras_has_and_teachnet_lacks():
    keras = pytest.importorskip("keras")
    lacking = {}
    for namespace in ("ops", "layers"):
        theirs = {n for n in dir(getattr(keras, namespace)) if not n.startswith("_")}
        ours = {n for n in dir(getattr(teachnet, namespace)) if not n.startswith("_")}
        lacking[namespace] = sorted(theirs - ours)
        print(f"\nkeras.{namespace} names teachnet.{namespace} lacks ({len(lacking[namespace])} of {len(theirs)}):")
        print("  " + ", ".join(lacking[namespace]))
    assert not [n for n in COMMON_OPS if n in lacking["ops"]]
    assert not [n for n in COMMON_LAYERS if n in lacking["layers"]]
    assert all(hasattr(keras.ops, n) for n in COMMON_OPS) and all(hasattr(keras.layers, n) for n in COMMON_LAYERS)
