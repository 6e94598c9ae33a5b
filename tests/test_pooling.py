"""Pooling: the `max_pool` / `average_pool` ops and the pooling layers.

What is proved here:
- forward passes equal the definition computed by loops over windows, with
  TensorFlow's "same" rule (extra padding at the end; padded cells never win
  a max and are left out of a mean);
- backward passes equal central differences (float64) for every option, and
  a tie in a max window sends the whole gradient to its first maximum (as
  TensorFlow and PyTorch do);
- the layers have Keras's defaults and output shapes, pass gradient checks,
  and reject bad input with errors naming the layer and the shapes.
(Parity with Keras itself is in test_parity_conv.py.)
"""
import numpy as np
import pytest

from teachnet import GradientTape, Variable, layers, ops
from teachnet.ops.conv import max_pool_plain
from tests.compiled_check import assert_same_bits, with_and_without_loops
from tests.gradcheck import check_gradients, check_layer_gradients

RNG = np.random.default_rng(1)


def pool_by_definition(x, pool, strides, padding, mode):
    """Loops over the windows; "same" pads as TensorFlow and ignores padded cells."""
    one_d = x.ndim == 3
    if one_d:
        x, pool, strides = x[:, None], (1, pool), (1, strides)
    else:
        pool, strides = (pool, pool), (strides, strides)
    size = x.shape[1:3]
    if padding == "same":
        out_hw = [int(np.ceil(n / s)) for n, s in zip(size, strides)]
        before = [max((o - 1) * s + p - n, 0) // 2 for o, s, p, n in zip(out_hw, strides, pool, size)]
    else:
        out_hw = [(n - p) // s + 1 for n, p, s in zip(size, pool, strides)]
        before = [0, 0]
    out = np.zeros((x.shape[0], out_hw[0], out_hw[1], x.shape[3]))
    for i in range(out_hw[0]):
        for j in range(out_hw[1]):
            top, left = i * strides[0] - before[0], j * strides[1] - before[1]
            window = x[:, max(top, 0):top + pool[0], max(left, 0):left + pool[1]]  # real cells only
            out[:, i, j] = window.max(axis=(1, 2)) if mode == "max" else window.mean(axis=(1, 2))
    return out[:, 0] if one_d else out


OPTIONS = [(2, 2), (3, 1), (3, 2), (2, 1), (2, 3), (4, 3)]  # (pool_size, strides)
SHAPES = [(2, 7, 6, 3), (2, 9, 2)]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,strides", OPTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_pool_forward_matches_definition(shape, pool, strides, padding, mode):
    x = RNG.normal(size=shape)
    op = ops.max_pool if mode == "max" else ops.average_pool
    out = op(x, pool, strides=strides, padding=padding)
    expected = pool_by_definition(x, pool, strides, padding, mode)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", [ops.max_pool, ops.average_pool])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,strides", OPTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_pool_gradients(shape, pool, strides, padding, op):
    # Distinct values, so no max window has a tie (central differences are
    # undefined at ties).
    x = RNG.permutation(np.prod(shape)).reshape(shape) * 0.01
    check_gradients(lambda t: op(t, pool, strides=strides, padding=padding), x)


def test_pool_gradients_with_rectangular_windows():
    x = RNG.permutation(2 * 7 * 8 * 2).reshape(2, 7, 8, 2) * 0.01
    check_gradients(lambda t: ops.max_pool(t, (3, 2), strides=(2, 3), padding="same"), x)
    check_gradients(lambda t: ops.average_pool(t, (3, 2), strides=(1, 2), padding="same"), x)


def test_strides_default_to_pool_size():
    x = RNG.normal(size=(1, 6, 6, 1))
    assert ops.max_pool(x, 3).shape == (1, 2, 2, 1)
    assert ops.average_pool(x, (2, 3)).shape == (1, 3, 2, 1)


@pytest.mark.parametrize("pool,strides", [(2, 2), (3, 1)])
def test_max_pool_tie_sends_the_gradient_to_the_first_maximum(pool, strides):
    x = Variable(np.zeros((1, 4, 4, 1)))
    with GradientTape() as tape:
        total = ops.sum(ops.max_pool(x, pool, strides=strides))
    grad = tape.gradient(total, x).numpy()[0, :, :, 0]
    expected = np.zeros((4, 4))
    for i in range(0, 4 - pool + 1, strides):
        for j in range(0, 4 - pool + 1, strides):
            expected[i, j] += 1  # each window's first (top-left) element
    np.testing.assert_array_equal(grad, expected)


def test_average_pool_same_leaves_padding_out_of_the_mean():
    # Keras's documented example for AveragePooling2D(2, strides=1, padding="same").
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)
    out = ops.average_pool(x, 2, strides=1, padding="same").numpy()[0, :, :, 0]
    np.testing.assert_allclose(out, [[3, 4, 4.5], [6, 7, 7.5], [7.5, 8.5, 9]])


def test_max_pool_same_padding_never_wins():
    x = -np.ones((1, 3, 3, 1))
    assert np.all(ops.max_pool(x, 2, padding="same").numpy() == -1)


def test_pooling_keeps_float32():
    x = RNG.normal(size=(2, 4, 4, 3)).astype("float32")
    assert ops.max_pool(x, 2).dtype == np.float32
    assert ops.average_pool(x, 3, strides=1, padding="same").dtype == np.float32


@pytest.mark.parametrize("op", [ops.max_pool, ops.average_pool])
@pytest.mark.parametrize("shape,kwargs,message", [
    ((4, 4), {"pool_size": 2}, "rank 3 or 4"),
    ((1, 3, 3, 1), {"pool_size": 4}, "larger than the input"),
    ((1, 4, 4, 1), {"pool_size": 0}, "pool_size=0"),
    ((1, 4, 4, 1), {"pool_size": 2, "strides": (1, 1, 1)}, "strides=(1, 1, 1)"),
    ((1, 4, 4, 1), {"pool_size": 2, "padding": "causal"}, "padding='causal'"),
    ((1, 4, 4, 1), {"pool_size": 2, "data_format": "channels_first"}, "channels_last"),
])
def test_pool_errors(op, shape, kwargs, message):
    with pytest.raises(ValueError) as info:
        op(np.zeros(shape), **kwargs)
    assert message in str(info.value)


def test_integer_images_are_pooled_as_float32():
    x = np.arange(16, dtype=np.uint8).reshape(1, 4, 4, 1)
    out = ops.max_pool(x, 2)
    assert out.dtype == np.float32 and out.numpy().ravel().tolist() == [5, 7, 13, 15]
    assert ops.average_pool(x, 2, padding="same").dtype == np.float32


# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("layer,shape,expected", [
    (layers.MaxPooling2D(), (2, 7, 6, 3), (2, 3, 3, 3)),
    (layers.MaxPooling2D((3, 2), strides=1, padding="same"), (2, 7, 6, 3), (2, 7, 6, 3)),
    (layers.AveragePooling2D(3, strides=2), (2, 7, 6, 3), (2, 3, 2, 3)),
    (layers.MaxPooling1D(), (2, 9, 3), (2, 4, 3)),
    (layers.AveragePooling1D(3, strides=2, padding="same"), (2, 9, 3), (2, 5, 3)),
    (layers.GlobalAveragePooling2D(), (2, 7, 6, 3), (2, 3)),
    (layers.GlobalMaxPooling2D(keepdims=True), (2, 7, 6, 3), (2, 1, 1, 3)),
    (layers.GlobalAveragePooling1D(keepdims=True), (2, 9, 3), (2, 1, 3)),
    (layers.GlobalMaxPooling1D(), (2, 9, 3), (2, 3)),
])
def test_pooling_layer_output_shapes(layer, shape, expected):
    assert layer(RNG.normal(size=shape)).shape == expected
    assert layer.compute_output_shape(shape) == expected
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + expected[1:]
    assert layer.weights == []


def test_pooling_layers_compute_the_ops():
    x = RNG.normal(size=(2, 6, 5, 3)).astype("float32")
    np.testing.assert_array_equal(layers.MaxPooling2D(3, strides=2, padding="same")(x).numpy(),
                                  ops.max_pool(x, 3, strides=2, padding="same").numpy())
    np.testing.assert_allclose(layers.AveragePooling2D(2)(x).numpy(), pool_by_definition(x, 2, 2, "valid", "average"),
                               rtol=1e-6)
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(x).numpy(), x.mean(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_array_equal(layers.GlobalMaxPooling2D()(x).numpy(), x.max(axis=(1, 2)))
    seq = x[:, 0]
    np.testing.assert_array_equal(layers.GlobalMaxPooling1D()(seq).numpy(), seq.max(axis=1))
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(seq).numpy(), seq.mean(axis=1), rtol=1e-6)


def test_keras_short_names():
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D


def test_global_average_pooling_1d_leaves_masked_steps_out():
    x = RNG.normal(size=(2, 4, 3))
    mask = np.array([[True, True, False, False], [True, True, True, True]])
    out = layers.GlobalAveragePooling1D()(x, mask=mask).numpy()
    np.testing.assert_allclose(out[0], x[0, :2].mean(axis=0))
    np.testing.assert_allclose(out[1], x[1].mean(axis=0))


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.MaxPooling2D((2, 3), strides=(1, 2), padding="same", dtype="float64"), (2, 5, 6, 2)),
    (lambda: layers.AveragePooling2D(3, strides=2, padding="same", dtype="float64"), (2, 5, 6, 2)),
    (lambda: layers.MaxPooling1D(3, strides=2, dtype="float64"), (2, 9, 2)),
    (lambda: layers.AveragePooling1D(2, padding="same", dtype="float64"), (2, 9, 2)),
    (lambda: layers.GlobalAveragePooling2D(dtype="float64"), (2, 4, 3, 2)),
    (lambda: layers.GlobalMaxPooling2D(keepdims=True, dtype="float64"), (2, 4, 3, 2)),
    (lambda: layers.GlobalAveragePooling1D(dtype="float64"), (2, 5, 2)),
    (lambda: layers.GlobalMaxPooling1D(dtype="float64"), (2, 5, 2)),
])
def test_pooling_layer_gradients(make, shape):
    x = RNG.permutation(np.prod(shape)).reshape(shape) * 0.01  # no ties
    check_layer_gradients(make(), x)


@pytest.mark.parametrize("make,shape,pattern", [
    (lambda: layers.MaxPooling2D(name="pool_a"), (8, 28, 28),
     r'"pool_a".*rank 4.*\(8, 28, 28\).*x\[\.\.\., None\].*1D layer'),
    (lambda: layers.AveragePooling1D(2, name="pool_b"), (2, 5, 5, 1), r'"pool_b".*rank 3.*\(2, 5, 5, 1\).*2D layer'),
    (lambda: layers.GlobalMaxPooling2D(name="pool_c"), (2, 5, 1), r'"pool_c".*rank 4.*\(2, 5, 1\)'),
    (lambda: layers.MaxPooling2D(4, name="pool_d"), (1, 3, 3, 1),
     r'"pool_d".*pool_size=\(4, 4\).*larger than the input.*\(3, 3\)'),
])
def test_pooling_layer_errors(make, shape, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()(np.zeros(shape))


@pytest.mark.parametrize("kwargs,message", [
    ({"pool_size": 0}, "pool_size=0"),
    ({"pool_size": 2, "strides": (1, 2, 3)}, "strides=(1, 2, 3)"),
    ({"pool_size": 2, "padding": "full"}, "padding='full'"),
    ({"pool_size": 2, "data_format": "channels_first"}, "channels_last"),
])
def test_pooling_layer_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError) as info:
        layers.MaxPooling2D(**kwargs)
    assert message in str(info.value)


def test_docstring_examples_run():
    import doctest

    import teachnet
    from teachnet.layers import pooling
    result = doctest.testmod(pooling, extraglobs={"np": np, "teachnet": teachnet},
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_default_names_follow_keras():
    from teachnet.layers.base import snake_case
    for cls, name in [(layers.Conv2D, "conv2d"), (layers.Conv1D, "conv1d"), (layers.MaxPooling2D, "max_pooling2d"),
                      (layers.AveragePooling1D, "average_pooling1d"),
                      (layers.GlobalAveragePooling2D, "global_average_pooling2d"),
                      (layers.GlobalMaxPooling1D, "global_max_pooling1d")]:
        assert snake_case(cls.__name__) == name
    assert layers.Conv2D(2, 3).name.startswith("conv2d")


@pytest.mark.parametrize("shape, pool, strides, padding", [
    ((3, 26, 26, 4), 2, None, "valid"),          # the benchmark convnet's pool: windows tile the input
    ((3, 11, 11, 4), 2, None, "valid"),          # a row and a column no window reaches
    ((2, 7, 7, 3), 3, 2, "same"),                # overlapping windows and -inf padding
    ((2, 7, 7, 3), 2, 1, "valid"),
    ((2, 8, 8, 2), (2, 3), (3, 2), "same"),      # gaps between windows
    ((2, 9, 5), 3, 2, "same"),                   # 1D
])
def test_the_plain_max_pool_and_the_fast_one_agree_bit_for_bit(shape, pool, strides, padding, loops):
    # Small integers after relu: most windows have ties (zeros), so routing to
    # the first maximum is exercised; both add the same numbers in the same order.
    rng = np.random.default_rng(5)
    x = Variable(np.maximum(rng.integers(-2, 3, size=shape), 0).astype("float32"))
    upstream, results = None, []
    for op in (ops.max_pool, max_pool_plain):
        with GradientTape() as tape:
            y = op(x, pool, strides=strides, padding=padding)
        upstream = rng.normal(size=y.shape).astype("float32") if upstream is None else upstream
        results.append((y.numpy(), tape.gradient(y, x, output_gradients=upstream).numpy()))
    for fast, plain in zip(*results):
        np.testing.assert_array_equal(fast, plain)
    distinct = RNG.permutation(np.prod(shape)).reshape(shape) * 0.01
    check_gradients(lambda t: max_pool_plain(t, pool, strides=strides, padding=padding), distinct)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, pool, strides, padding", [
    ((5, 26, 26, 8), 2, None, "valid"), ((3, 11, 11, 4), 2, None, "valid"), ((2, 8, 8, 2), 2, 3, "same"),
    ((2, 9, 7, 3), (3, 2), (3, 2), "same"), ((4, 9, 3), 3, None, "same")])
def test_the_compiled_max_pool_matches_the_numpy_one_bit_for_bit_with_nan_inf_and_signed_zeros(
        monkeypatch, shape, pool, strides, padding, dtype):
    # nan in a window makes its output nan; +-inf win or lose as numbers; a negative or infinite gradient
    # times a lost offset's 0 is -0.0 or nan: every bit of the output and of the gradient must agree.
    rng = np.random.default_rng(11)
    x = Variable(np.maximum(rng.integers(-2, 3, size=shape), 0), dtype=dtype)   # ties (zeros) in most windows
    flat = x.data.reshape(-1)
    spots = rng.choice(flat.size, size=(3, max(1, flat.size // 50)), replace=False)
    flat[spots[0]], flat[spots[1]], flat[spots[2]] = np.nan, np.inf, -np.inf
    upstream = rng.normal(size=ops.max_pool(x, pool, strides=strides, padding=padding).shape).astype(dtype)
    upstream.reshape(-1)[::7] = np.inf                                  # inf * 0 = nan where an offset lost

    def run():
        with np.errstate(invalid="ignore"):    # numpy warns of its inf * 0 = nan
            with GradientTape() as tape:
                y = ops.max_pool(x, pool, strides=strides, padding=padding)
            return [y.numpy(), tape.gradient(y, x, output_gradients=upstream).numpy()]
    ours, numpys = with_and_without_loops(monkeypatch, ["max_pool_forward", "max_pool_backward"], run)
    assert np.isnan(ours[0]).any() and (ours[1] == 0).any() and np.signbit(ours[1][ours[1] == 0]).any()
    assert ours[0].dtype == dtype
    assert_same_bits(ours, numpys)

def test_the_compiled_loops_switch_rejects_what_it_cannot_do():
    from teachnet.ops import compiled
    with pytest.raises(TypeError, match="True or False"):
        compiled.set_enabled("yes")


def test_a_numba_that_fails_to_import_means_a_warning_and_the_numpy_versions(monkeypatch):
    import sys
    from teachnet.ops import compiled
    x = np.maximum(RNG.normal(size=(4, 10, 10, 3)), 0).astype("float32")
    expected = ops.max_pool(x, 2).numpy()
    monkeypatch.setattr(compiled, "_enabled", None)                        # not decided yet
    monkeypatch.setitem(sys.modules, "numba", None)                         # `import numba` raises ImportError
    monkeypatch.setattr(compiled.importlib.util, "find_spec", lambda name: object())   # ... though installed
    with pytest.warns(RuntimeWarning, match="could not import numba"):
        assert not compiled.enabled()
    np.testing.assert_array_equal(ops.max_pool(x, 2).numpy(), expected)
    with pytest.raises(ValueError, match="need numba"):
        compiled.set_enabled(True)
