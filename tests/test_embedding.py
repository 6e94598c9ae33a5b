"""Embedding: lookup values, Keras's initializer range, masks, gradients, bad ids."""
import numpy as np
import pytest

import teachnet
from teachnet import layers, ops
from tests.gradcheck import check_gradients


def test_lookup_returns_the_rows_of_the_table():
    layer = layers.Embedding(10, 4)
    ids = np.array([[1, 2, 9], [0, 0, 3]])
    out = layer(ids)
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out.numpy(), layer.embeddings.numpy()[ids])
    assert [w.name for w in layer.weights] == ["embeddings"]


def test_default_initializer_is_uniform_between_minus_and_plus_0_05():
    table = layers.Embedding(2000, 8)
    table.build((None, 1))
    values = table.embeddings.numpy()
    assert values.min() >= -0.05 and values.max() < 0.05
    assert values.std() == pytest.approx(0.1 / np.sqrt(12), rel=0.05)  # std of U[-0.05, 0.05]


def test_float_ids_are_accepted_like_keras_casts_them():
    layer = layers.Embedding(5, 2)
    np.testing.assert_array_equal(layer(np.array([[1.0, 4.0]])).numpy(), layer(np.array([[1, 4]])).numpy())


def test_mask_zero_attaches_a_mask_true_where_the_id_is_not_zero():
    layer = layers.Embedding(10, 3, mask_zero=True)
    out = layer(np.array([[4, 2, 0, 0], [1, 0, 3, 0]]))
    np.testing.assert_array_equal(np.asarray(out._keras_mask), [[True, True, False, False],
                                                               [True, False, True, False]])
    assert getattr(layers.Embedding(10, 3)(np.array([[0, 1]])), "_keras_mask", None) is None


def test_gradient_of_a_repeated_id_is_the_sum_of_its_positions():
    layer = layers.Embedding(6, 3, dtype="float64")
    ids = np.array([[1, 2, 1], [5, 1, 0]])
    g = np.random.default_rng(0).normal(size=(2, 3, 3))
    with teachnet.GradientTape() as tape:
        loss = ops.sum(layer(ids) * g)
    grad = tape.gradient(loss, layer.embeddings).numpy()
    np.testing.assert_allclose(grad[1], g[0, 0] + g[0, 2] + g[1, 1])
    np.testing.assert_allclose(grad[3], 0)
    # the table's gradient against central differences (ids are not differentiable)
    checked = layers.Embedding(6, 3, dtype="float64")
    checked.build(ids.shape)

    def embed(table):
        checked.embeddings = table   # the check's float64 Variable stands in for the table
        return checked(ids)
    check_gradients(embed, checked.embeddings.numpy())


@pytest.mark.parametrize("shape, n, padding", [((64, 100), 10000, 0.0), ((64, 100), 50, 0.6), ((9,), 3, 0.0),
                                               ((0,), 4, 0.0), ((3, 4), 5, 0.0), ((40,), 70000, 0.0)])
def test_rows_summed_at_gives_the_bits_of_np_add_at_into_zeros(shape, n, padding, loops):
    """`rows_summed_at` (take's and so Embedding's backward) against `np.add.at` into a zero table, bit for
    bit: many ids, ids used more often than the scatter's passes (padding id 0), negative ids, -0.0 rows
    (alone, and an id whose rows are all -0.0), no ids, 16-bit and wider sort keys, rows of more than one axis."""
    from teachnet.ops.core import rows_summed_at

    rng = np.random.default_rng(1)
    ids = rng.integers(-n, n, size=shape)
    ids[rng.random(shape) < padding] = 0
    rows = rng.standard_normal(shape + (5, 2)).astype(np.float32)
    rows.reshape(-1)[::7] = -0.0
    rows[ids == ids.reshape(-1)[:1]] = -0.0 if ids.size else 0.0
    expected = np.zeros((n, 5, 2), np.float32)
    np.add.at(expected, ids, rows)
    got = rows_summed_at(ids, rows, n)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got.view(np.int32), expected.view(np.int32))


def test_take_gradient_along_a_middle_axis_adds_repeated_indices():
    x = np.random.default_rng(2).normal(size=(2, 4, 3))
    check_gradients(lambda t: ops.take(t, np.array([[3, 0], [3, -1]]), axis=1), x)


def test_ids_out_of_range_raise_a_value_error_naming_the_layer_range_and_value():
    layer = layers.Embedding(10, 3, name="words")
    with pytest.raises(ValueError, match=r'"words".*\[0, 10\).*id 10'):
        layer(np.array([[1, 10]]))
    with pytest.raises(ValueError, match=r"id -1"):
        layer(np.array([[-1, 2]]))


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(5, -1)
    with pytest.raises(ValueError, match="non-integer"):
        layers.Embedding(5, 2)(np.array([[0.5]]))
    with pytest.raises(TypeError, match="integer token ids"):
        layers.Embedding(5, 2)(np.array([["a"]]))


def test_rows_summed_at_refuses_ids_out_of_range_on_both_paths(loops):
    from teachnet.ops.core import rows_summed_at
    rows = np.ones((3, 2), np.float32)
    with pytest.raises(IndexError):                 # (the compiled loop does not check: it must not run)
        rows_summed_at(np.array([0, 5, 1]), rows, 5)
