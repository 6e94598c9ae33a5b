"""Merge layers: values against numpy, shapes, errors, gradient checks, Keras parity."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import ops
from teachnet.layers import Input
from teachnet.layers import merge
from teachnet.models.model import Model
from tests.gradcheck import check_gradients

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4))
B = rng.standard_normal((3, 4))
C = rng.standard_normal((3, 4))

ELEMENTWISE = [
    (merge.Add, lambda xs: xs[0] + xs[1] + xs[2]),
    (merge.Multiply, lambda xs: xs[0] * xs[1] * xs[2]),
    (merge.Average, lambda xs: (xs[0] + xs[1] + xs[2]) / 3),
    (merge.Maximum, lambda xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2])),
    (merge.Minimum, lambda xs: np.minimum(np.minimum(xs[0], xs[1]), xs[2])),
]


@pytest.mark.parametrize("cls, reference", ELEMENTWISE)
def test_elementwise_merges_match_numpy(cls, reference):
    out = cls()([A, B, C])
    np.testing.assert_allclose(np.asarray(out), reference([A, B, C]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls, reference", ELEMENTWISE)
def test_elementwise_merge_gradients(cls, reference):
    layer = cls(dtype="float64")
    check_gradients(lambda a, b, c: layer([a, b, c]), A, B, C)


def test_subtract_and_its_gradient():
    np.testing.assert_allclose(np.asarray(merge.Subtract()([A, B])), A.astype("float32") - B.astype("float32"))
    layer = merge.Subtract(dtype="float64")
    check_gradients(lambda a, b: layer([a, b]), A, B)


def test_elementwise_broadcasting_and_rank_expansion_follow_keras():
    a, b = Input(shape=(1,)), Input(shape=(4,))
    assert merge.Add()([a, b]).shape == (None, 4)
    c, d = Input(shape=(4,)), Input(shape=(3, 4))
    assert merge.Multiply()([c, d]).shape == (None, 3, 4)
    x2, x3 = rng.standard_normal((2, 4)), rng.standard_normal((2, 3, 4))
    out = merge.Multiply()([x2, x3])
    np.testing.assert_allclose(np.asarray(out), (x2[:, None, :] * x3).astype("float32"), rtol=1e-6)
    layer = merge.Add(dtype="float64")
    check_gradients(lambda p, q: layer([p, q]), rng.standard_normal((2, 1)), rng.standard_normal((2, 4)))


def test_concatenate_values_shapes_and_gradient():
    x, y = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    out = merge.Concatenate(axis=1)([x, y])
    np.testing.assert_allclose(np.asarray(out), np.concatenate([x, y], axis=1).astype("float32"))
    assert merge.Concatenate()([Input(shape=(8,)), Input(shape=(3,))]).shape == (None, 11)
    assert merge.Concatenate(axis=1)([Input(shape=(None, 4)), Input(shape=(5, 4))]).shape == (None, None, 4)
    layer = merge.Concatenate(axis=1, dtype="float64")
    check_gradients(lambda p, q: layer([p, q]), x, y)


@pytest.mark.parametrize("shapes, axes", [
    (((3, 4), (3, 4)), 1),
    (((3, 4), (3, 4)), -1),
    (((2, 5, 3), (2, 4, 3)), 2),
    (((2, 5, 3), (2, 3, 4)), (2, 1)),
    (((2, 5, 3), (2, 3)), (2, 1)),
])
def test_dot_matches_einsum_and_gradient(shapes, axes):
    x, y = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    a, b = (axes, axes) if isinstance(axes, int) else axes
    a, b = a % x.ndim, b % y.ndim
    xl = "bijk"[:x.ndim].replace("bijk"[a], "z")
    yl = "bmnp"[:y.ndim].replace("bmnp"[b], "z")
    out_labels = xl.replace("z", "") + yl[1:].replace("z", "")
    expected = np.einsum(f"{xl},{yl}->{out_labels}", x, y)
    if expected.ndim == 1:
        expected = expected[:, None]
    layer = merge.Dot(axes=axes)
    out = layer([x, y])
    np.testing.assert_allclose(np.asarray(out), expected.astype("float32"), rtol=1e-5, atol=1e-6)
    sym = layer.compute_output_shape([(None,) + shapes[0][1:], (None,) + shapes[1][1:]])
    assert sym == (None,) + expected.shape[1:]
    layer64 = merge.Dot(axes=axes, dtype="float64")
    check_gradients(lambda p, q: layer64([p, q]), x, y)


def test_dot_normalize_gives_cosine_similarity_and_gradient():
    out = np.asarray(merge.Dot(axes=1, normalize=True)([A, B]))[:, 0]
    cosine = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(out, cosine, rtol=1e-5)
    layer = merge.Dot(axes=1, normalize=True, dtype="float64")
    check_gradients(lambda p, q: layer([p, q]), A, B)


def test_function_forms_equal_the_layers():
    pairs = [(merge.add, merge.Add), (merge.multiply, merge.Multiply), (merge.average, merge.Average),
             (merge.maximum, merge.Maximum), (merge.minimum, merge.Minimum), (merge.subtract, merge.Subtract),
             (merge.concatenate, merge.Concatenate)]
    for fn, cls in pairs:
        np.testing.assert_array_equal(np.asarray(fn([A, B])), np.asarray(cls()([A, B])))
    np.testing.assert_array_equal(np.asarray(merge.dot([A, B], axes=1)), np.asarray(merge.Dot(1)([A, B])))
    assert merge.add([Input(shape=(2,)), Input(shape=(2,))], name="sum_of_two").shape == (None, 2)


def test_merges_inside_a_model_train_their_branches():
    """The gradient flows through a merge to both branches (weights of both get gradients)."""
    a, b = Input(shape=(3,)), Input(shape=(2,))
    dense_a, dense_b = teachnet.layers.Dense(4), teachnet.layers.Dense(4)
    out = merge.multiply([dense_a(a), dense_b(b)])
    model = Model([a, b], out)
    with teachnet.GradientTape() as tape:
        loss = ops.sum(model([rng.standard_normal((5, 3)), rng.standard_normal((5, 2))]))
    grads = tape.gradient(loss, model.trainable_weights)
    assert len(grads) == 4 and all(g is not None and np.any(np.asarray(g) != 0) for g in grads)


# -- errors --------------------------------------------------------------------

def test_incompatible_shapes_name_the_layer_and_both_shapes():
    with pytest.raises(ValueError, match=r'"add_bad".*\(4,\) and \(3,\)'):
        merge.Add(name="add_bad")([Input(shape=(4,)), Input(shape=(3,))])
    with pytest.raises(ValueError, match=r"\(2, 4\).*\(2, 3\)|\(4,\).*\(3,\)"):
        merge.Add()([np.zeros((2, 4)), np.zeros((2, 3))])


def test_merge_needs_a_list():
    with pytest.raises(ValueError, match="list of inputs"):
        merge.Add()(Input(shape=(4,)))


def test_subtract_needs_exactly_two_inputs():
    with pytest.raises(ValueError, match="exactly 2 inputs. Received 3"):
        merge.Subtract()([Input(shape=(2,))] * 3)


def test_concatenate_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"matching shapes except for the concatenation axis.*"
                                          r"\(None, 3, 4\) and \(None, 5, 2\)"):
        merge.Concatenate()([Input(shape=(3, 4)), Input(shape=(5, 2))])
    with pytest.raises(ValueError, match="same rank"):
        merge.Concatenate()([Input(shape=(3, 4)), Input(shape=(4,))])
    with pytest.raises(TypeError, match="axis"):
        merge.Concatenate(axis="last")


def test_dot_errors():
    with pytest.raises(ValueError, match=r"axis values 4 \(at axis 1\) != 3 \(at axis 1\)"):
        merge.Dot(axes=1)([Input(shape=(4,)), Input(shape=(3,))])
    with pytest.raises(ValueError, match="axes"):
        merge.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="batch axis"):
        merge.Dot(axes=0)([Input(shape=(4,)), Input(shape=(4,))])


# -- parity with Keras 3 ------------------------------------------------------------

@pytest.mark.parametrize("name, kwargs, shapes", [
    ("Add", {}, [(3, 4), (3, 4)]),
    ("Subtract", {}, [(3, 4), (3, 4)]),
    ("Multiply", {}, [(3, 4), (3, 3, 4)]),
    ("Average", {}, [(3, 1), (3, 4)]),
    ("Maximum", {}, [(3, 4), (3, 4)]),
    ("Minimum", {}, [(3, 4), (3, 4)]),
    ("Concatenate", {"axis": 1}, [(3, 2, 4), (3, 5, 4)]),
    ("Dot", {"axes": (2, 1)}, [(3, 5, 2), (3, 2, 4)]),
    ("Dot", {"axes": 1, "normalize": True}, [(3, 4), (3, 4)]),
])
def test_parity_with_keras(name, kwargs, shapes):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras 3 is needed for the parity tests")
    xs = [rng.standard_normal(s).astype("float32") for s in shapes]
    expected = keras.ops.convert_to_numpy(getattr(keras.layers, name)(**kwargs)(xs))
    ours = np.asarray(getattr(merge, name)(**kwargs)(xs))
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)
    symbolic = getattr(merge, name)(**kwargs)([Input(shape=s[1:]) for s in shapes])
    keras_symbolic = getattr(keras.layers, name)(**kwargs)([keras.Input(shape=s[1:]) for s in shapes])
    assert symbolic.shape == tuple(keras_symbolic.shape)


def test_a_later_call_with_other_shapes_gets_the_same_clear_error():
    layer = merge.Add(name="adder")
    layer([np.zeros((2, 3)), np.zeros((2, 3))])
    with pytest.raises(ValueError, match=r'"adder".*\(3,\) and \(4,\)'):
        layer([np.zeros((2, 3)), np.zeros((2, 4))])
    concat = merge.Concatenate(name="joiner")
    concat([np.zeros((2, 3)), np.zeros((2, 1))])
    with pytest.raises(ValueError, match=r'"joiner".*\(2, 3\) and \(3, 3\)'):
        concat([np.zeros((2, 3)), np.zeros((3, 3))])
