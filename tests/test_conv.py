"""Convolution: the `conv` op and the Conv1D / Conv2D layers.

What is proved here:
- the op's forward pass equals the convolution's definition, computed by a
  plain loop over output positions with TensorFlow's "same" padding
  (extra pixel at the end), for strides, dilation and both paddings;
- its backward pass equals central differences (float64) for the input and
  the kernel, for every option;
- `conv_bias_relu`, what the layers run, is conv -> add bias -> relu bit for
  bit, and working a few images at a time (chunks) changes no number;
- `conv_plain`, the by-definition version (im2col from slices, one product,
  differentiated by the tape), gives `conv`'s values and gradients;
- the layers compute conv + bias + activation with Keras's weight layout and
  output shapes, pass a gradient check w.r.t. inputs and weights, and reject
  bad input with errors that name the layer and the shapes.
(Parity with Keras itself is in test_parity_conv.py.)
"""
import sys
import weakref

import numpy as np
import pytest

from teachnet import GradientTape, Tensor, Variable, layers, ops
from teachnet.ops.conv import conv_bias_relu, conv_plain
from tests.compiled_check import assert_same_bits, with_and_without_loops
import teachnet.ops.conv  # noqa: F401  (the module, not the `ops.conv` function)
from tests.gradcheck import check_gradients, check_layer_gradients

RNG = np.random.default_rng(0)
conv_module = sys.modules["teachnet.ops.conv"]


def same_padding(size, window, stride, dilation):
    """TensorFlow's rule, written out independently of teachnet."""
    out = int(np.ceil(size / stride))
    total = max((out - 1) * stride + (window - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def conv_by_definition(x, kernel, strides, padding, dilation):
    """out[b, i, j, f] = sum x_padded[b, i*s + di*d, j*s + dj*d, c] * kernel[di, dj, c, f], by loops."""
    one_d = x.ndim == 3
    if one_d:
        x, kernel = x[:, None], kernel[None]
        strides, dilation = (1, strides), (1, dilation)
    else:
        strides, dilation = (strides, strides), (dilation, dilation)
    kh, kw, _, filters = kernel.shape
    pads = [(0, 0), (0, 0)]
    if padding == "same":
        pads = [same_padding(x.shape[1 + a], kernel.shape[a], strides[a], dilation[a]) for a in range(2)]
    xp = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    out_h = (xp.shape[1] - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    out_w = (xp.shape[2] - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    out = np.zeros((x.shape[0], out_h, out_w, filters))
    for i in range(out_h):
        for j in range(out_w):
            for di in range(kh):
                for dj in range(kw):
                    pixel = xp[:, i * strides[0] + di * dilation[0], j * strides[1] + dj * dilation[1]]
                    out[:, i, j] += pixel @ kernel[di, dj]
    return out[:, 0] if one_d else out


CASES = [  # (input shape, kernel shape)
    ((2, 7, 8, 3), (3, 2, 3, 4)),
    ((2, 6, 6, 2), (1, 1, 2, 3)),
    ((2, 9, 3), (3, 3, 2)),
    ((1, 10, 1), (4, 1, 2)),
]
OPTIONS = [(1, 1), (2, 1), (3, 1), (1, 2)]  # (strides, dilation_rate)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides,dilation", OPTIONS)
@pytest.mark.parametrize("x_shape,k_shape", CASES)
def test_conv_forward_matches_definition(x_shape, k_shape, strides, dilation, padding):
    x, k = RNG.normal(size=x_shape), RNG.normal(size=k_shape)
    expected = conv_by_definition(x, k, strides, padding, dilation)
    out = ops.conv(x, k, strides=strides, padding=padding, dilation_rate=dilation)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides,dilation", OPTIONS)
@pytest.mark.parametrize("x_shape,k_shape", CASES[:1] + CASES[2:3])
def test_conv_gradients(x_shape, k_shape, strides, dilation, padding):
    check_gradients(lambda x, k: ops.conv(x, k, strides=strides, padding=padding, dilation_rate=dilation),
                    RNG.normal(size=x_shape), RNG.normal(size=k_shape))


def test_conv_gradients_rectangular_strides_and_asymmetric_same_padding():
    # kernel 4 x 2 with strides (2, 3): "same" pads 1 before and 2 after in height.
    check_gradients(lambda x, k: ops.conv(x, k, strides=(2, 3), padding="same"),
                    RNG.normal(size=(2, 6, 7, 2)), RNG.normal(size=(4, 2, 2, 3)))
    check_gradients(lambda x, k: ops.conv(x, k, padding="same", dilation_rate=(2, 1)),
                    RNG.normal(size=(1, 5, 6, 2)), RNG.normal(size=(2, 3, 2, 2)))


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("x_shape,k_shape,kwargs", [
    ((2, 6, 5, 2), (3, 2, 2, 3), {}), ((2, 7, 8, 3), (3, 3, 3, 2), {"strides": 2, "padding": "same"}),
    ((2, 9, 3), (3, 3, 4), {"dilation_rate": 2})])
def test_conv_bias_relu_gradients(x_shape, k_shape, kwargs, relu):
    check_gradients(lambda x, k, b: conv_bias_relu(x, k, b, relu=relu, **kwargs),
                    RNG.normal(size=x_shape), RNG.normal(size=k_shape), RNG.normal(size=k_shape[-1:]))


def test_conv_bias_relu_is_the_three_ops_in_one():
    # float32 and the same order of operations: bit for bit, values and gradients.
    x = RNG.normal(size=(4, 9, 9, 3)).astype("float32")
    k, b = [Variable(RNG.normal(size=shape).astype("float32")) for shape in ((3, 3, 3, 5), (5,))]
    x_var = Variable(x)
    with GradientTape(persistent=True) as tape:
        fused = conv_bias_relu(x_var, k, b, relu=True, padding="same")
        apart = ops.relu(ops.add(ops.conv(x_var, k, padding="same"), b))
        fused_loss, apart_loss = ops.sum(fused * fused), ops.sum(apart * apart)
    np.testing.assert_array_equal(fused.numpy(), apart.numpy())
    for ours, theirs in zip(tape.gradient(fused_loss, [x_var, k, b]), tape.gradient(apart_loss, [x_var, k, b])):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)
    assert [name for name, _, _ in tape.operations][:1] == ["conv+bias+relu"]


@pytest.mark.parametrize("channels,filters", [(3, 8), (1, 16)])  # cols rebuilt in backward / kept from forward
def test_conv_over_several_chunks_of_images_equals_one_chunk(monkeypatch, channels, filters, loops):
    # 20 images of 20 x 20 make several chunks; the same computation done as
    # one chunk must give the same values and gradients.
    x, k = RNG.normal(size=(20, 20, 20, channels)), RNG.normal(size=(3, 3, channels, filters))
    b = RNG.normal(size=(filters,))
    assert len(conv_module._image_chunks(20, 18 * 18 * (9 * channels + 2 * filters) * 8)) >= 3

    def run():
        x_var, k_var, b_var = Variable(x, dtype="float64"), Variable(k, dtype="float64"), Variable(b, dtype="float64")
        with GradientTape() as tape:
            out = conv_bias_relu(x_var, k_var, b_var, relu=True)
            loss = ops.sum(out * np.cos(np.arange(float(filters))))
        return [out.numpy()] + [g.numpy() for g in tape.gradient(loss, [x_var, k_var, b_var])]
    chunked = run()
    monkeypatch.setattr(conv_module, "_image_chunks", lambda batch, bytes_per_image: [slice(0, batch)])
    for a, b_ in zip(chunked, run()):
        np.testing.assert_allclose(a, b_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(chunked[0], np.maximum(conv_by_definition(x, k, 1, "valid", 1) + b, 0),
                               rtol=1e-12, atol=1e-12)


def test_conv_bias_relu_rejects_a_bias_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\).*\(3,\)"):
        conv_bias_relu(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 4)), np.ones(3))


def test_same_padding_puts_the_extra_pixel_at_the_end():
    # A 1 x 2 kernel [1, 0] with "same": the padded zero goes at the end,
    # so the output equals the input (a start pad would shift it right).
    x = np.arange(1.0, 6.0).reshape(1, 5, 1)
    kernel = np.array([1.0, 0.0]).reshape(2, 1, 1)
    np.testing.assert_array_equal(ops.conv(x, kernel, padding="same").numpy().ravel(), [1, 2, 3, 4, 5])


def test_conv_keeps_float32_and_mixes_with_tensors():
    x = Tensor(RNG.normal(size=(2, 5, 5, 1)).astype("float32"))
    k = Variable(RNG.normal(size=(3, 3, 1, 2)))
    with GradientTape() as tape:
        out = ops.conv(x, k)
        total = ops.sum(out)
    assert out.dtype == np.float32
    assert tape.gradient(total, k).shape == (3, 3, 1, 2)


def test_integer_images_become_float32():
    x = np.arange(25, dtype=np.uint8).reshape(1, 5, 5, 1)
    out = ops.conv(x, np.ones((3, 3, 1, 1), "float32"))
    assert out.dtype == np.float32 and out.numpy()[0, 0, 0, 0] == 0 + 1 + 2 + 5 + 6 + 7 + 10 + 11 + 12


@pytest.mark.parametrize("x_shape,k_shape,kwargs,message", [
    ((5, 5), (3, 3, 1, 1), {}, "rank 3 or 4"),
    ((2, 5, 5, 3), (3, 3, 2, 4), {}, "in_channels=3"),
    ((2, 5, 5, 3), (3, 3, 4), {}, "kernel of shape (3, 3, 4)"),
    ((2, 3, 3, 1), (5, 5, 1, 1), {}, "larger than the padded input"),
    ((2, 5, 5, 1), (3, 3, 1, 1), {"padding": "full"}, "padding='full'"),
    ((2, 5, 5, 1), (3, 3, 1, 1), {"strides": 0}, "strides=0"),
    ((2, 5, 5, 1), (3, 3, 1, 1), {"dilation_rate": (1, 2, 3)}, "dilation_rate=(1, 2, 3)"),
    ((2, 5, 5, 1), (3, 3, 1, 1), {"data_format": "channels_first"}, "channels_last"),
])
def test_conv_errors(x_shape, k_shape, kwargs, message):
    with pytest.raises(ValueError, match=None) as info:
        ops.conv(np.zeros(x_shape), np.zeros(k_shape), **kwargs)
    assert message in str(info.value)
# ---------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------

def test_conv2d_weights_shapes_and_output():
    layer = layers.Conv2D(4, (3, 2), activation="relu")
    x = RNG.normal(size=(2, 7, 6, 3)).astype("float32")
    out = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 3, 4) and bias.shape == (4,)
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert out.shape == (2, 5, 5, 4) == layer.compute_output_shape((2, 7, 6, 3))
    layer.set_weights([kernel, RNG.normal(size=4)])
    expected = np.maximum(conv_by_definition(x, kernel, 1, "valid", 1) + layer.bias.numpy(), 0)
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-5, atol=1e-5)


def test_conv1d_output_and_causal_padding():
    layer = layers.Conv1D(2, 3, padding="causal", dilation_rate=2, use_bias=False)
    x = RNG.normal(size=(2, 9, 3))
    out = layer(x)
    assert out.shape == (2, 9, 2) == layer.compute_output_shape((2, 9, 3)) and len(layer.weights) == 1
    # Causal: changing the last step changes only the last output step.
    x2 = x.copy()
    x2[:, -1] += 1.0
    diff = np.abs(layer(x2).numpy() - out.numpy()).sum(axis=(0, 2))
    assert np.all(diff[:-1] == 0) and diff[-1] > 0
    # Same numbers as padding by hand then a valid convolution.
    padded = np.pad(x, ((0, 0), (4, 0), (0, 0)))
    np.testing.assert_allclose(out.numpy(), conv_by_definition(padded, layer.kernel.numpy(), 1, "valid", 2),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs", [
    {"padding": "valid"}, {"padding": "same", "strides": 2}, {"padding": "same", "dilation_rate": 2},
    {"strides": (2, 1), "activation": "tanh"}, {"use_bias": False, "activation": "sigmoid"},
    {"activation": "relu"}, {"use_bias": False, "activation": "relu", "padding": "same"},
])
def test_conv2d_layer_gradients(kwargs):
    layer = layers.Conv2D(3, (3, 2), dtype="float64", kernel_initializer="random_normal",
                          bias_initializer="random_normal", **kwargs)
    check_layer_gradients(layer, RNG.normal(size=(2, 6, 5, 2)))


@pytest.mark.parametrize("kwargs", [
    {"padding": "valid"}, {"padding": "same", "strides": 2}, {"padding": "causal", "dilation_rate": 2},
    {"activation": "relu", "bias_initializer": "ones"},
])
def test_conv1d_layer_gradients(kwargs):
    kwargs = {"kernel_initializer": "random_normal", "bias_initializer": "random_normal", **kwargs}
    check_layer_gradients(layers.Conv1D(3, 3, dtype="float64", **kwargs), RNG.normal(size=(2, 8, 2)))


def test_conv_output_shape_with_unknown_sizes():
    assert layers.Conv2D(8, 3, strides=2, padding="same").compute_output_shape((None, 7, None, 3)) == \
        (None, 4, None, 8)
    assert layers.Conv1D(8, 5, padding="valid").compute_output_shape((None, 20, 3)) == (None, 16, 8)


def test_conv_kernel_regularizer_adds_a_loss():
    pytest.importorskip("teachnet.regularizers")
    layer = layers.Conv2D(2, 3, kernel_regularizer="l2")
    layer(np.ones((1, 5, 5, 1)))
    expected = 0.01 * np.sum(layer.kernel.numpy() ** 2)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-5)


def test_conv2d_rejects_images_without_channel_axis():
    layer = layers.Conv2D(4, 3, name="conv_a")
    with pytest.raises(ValueError) as info:
        layer(np.zeros((8, 28, 28)))
    message = str(info.value)
    assert '"conv_a"' in message and "rank 4" in message and "(8, 28, 28)" in message
    assert "x[..., None]" in message and "1D layer" in message


def test_conv1d_rejects_images():
    with pytest.raises(ValueError, match=r'"conv_b".*rank 3.*\(2, 5, 5, 1\).*2D layer'):
        layers.Conv1D(4, 3, name="conv_b")(np.zeros((2, 5, 5, 1)))


def test_conv_rejects_kernel_larger_than_input():
    with pytest.raises(ValueError, match=r'"conv_c".*kernel_size=\(5, 5\).*larger than the input.*\(3, 3\)'):
        layers.Conv2D(4, 5, name="conv_c")(np.zeros((1, 3, 3, 1)))
    layers.Conv2D(4, 5, padding="same")(np.zeros((1, 3, 3, 1)))  # fine with "same"


@pytest.mark.parametrize("filters", [0, -3, 2.5])
def test_conv_rejects_bad_filters(filters):
    with pytest.raises(ValueError, match=rf"`filters`.*strictly positive.*Received filters={filters}"):
        layers.Conv2D(filters, 3)


@pytest.mark.parametrize("kwargs,message", [
    ({"kernel_size": 0}, "kernel_size=0"),
    ({"kernel_size": (3, 3, 3)}, "kernel_size=(3, 3, 3)"),
    ({"strides": 2, "dilation_rate": 2}, "dilation_rate > 1"),
    ({"padding": "causal"}, "padding='causal'"),
    ({"data_format": "channels_first"}, "channels_last"),
])
def test_conv2d_rejects_bad_arguments(kwargs, message):
    kwargs = {"filters": 4, "kernel_size": 3, **kwargs}
    with pytest.raises(ValueError) as info:
        layers.Conv2D(**kwargs)
    assert message in str(info.value)


def test_conv_rejects_a_different_channel_count_after_build():
    layer = layers.Conv2D(4, 3, name="conv_d")
    layer(np.zeros((1, 5, 5, 3)))
    with pytest.raises(ValueError, match=r'"conv_d".*axis -1 of input shape to have value 3.*\(1, 5, 5, 2\)'):
        layer(np.zeros((1, 5, 5, 2)))


def test_docstring_examples_run():
    import doctest
    import sys

    import teachnet
    from teachnet.layers import convolutional
    for module in (sys.modules["teachnet.ops.conv"], convolutional):
        result = doctest.testmod(module, extraglobs={"np": np, "teachnet": teachnet})
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_conv_skips_only_the_gradients_nobody_asked_for():
    x, k = RNG.normal(size=(2, 6, 5, 2)), RNG.normal(size=(3, 3, 2, 4))
    x_var, k_var = Variable(x, dtype="float64"), Variable(k, dtype="float64")
    with GradientTape() as tape:
        total = ops.sum(ops.conv(x_var, k_var, padding="same") ** 2)
    dx, dk = tape.gradient(total, [x_var, k_var])
    with GradientTape() as tape:  # the input batch as a constant: kernel gradient only
        total = ops.sum(ops.conv(x, k_var, padding="same") ** 2)
    np.testing.assert_allclose(tape.gradient(total, k_var).numpy(), dk.numpy())
    frozen = Variable(k, dtype="float64", trainable=False)
    with GradientTape() as tape:  # a frozen kernel: input gradient only
        total = ops.sum(ops.conv(x_var, frozen, padding="same") ** 2)
    dx_only, dk_none = tape.gradient(total, [x_var, frozen])
    assert dk_none is None
    np.testing.assert_allclose(dx_only.numpy(), dx.numpy())


def test_conv_kernel_starts_glorot_uniform_with_the_receptive_field_in_the_fans():
    # Keras: fan_in = kh * kw * in_channels, fan_out = kh * kw * filters, limit = sqrt(6 / (fan_in + fan_out)).
    layer = layers.Conv2D(64, (3, 3))
    layer.build((None, 8, 8, 16))
    limit = np.sqrt(6 / (9 * 16 + 9 * 64))
    kernel = layer.kernel.numpy()
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit
    np.testing.assert_allclose(kernel.std(), limit / np.sqrt(3), rtol=0.05)
    assert np.all(layer.bias.numpy() == 0)


@pytest.mark.parametrize("x_shape, k_shape, options", [
    ((2, 7, 6, 3), (3, 2, 3, 4), {}),
    ((2, 7, 6, 3), (3, 3, 3, 4), {"strides": 2, "padding": "same"}),
    ((1, 8, 8, 2), (2, 3, 2, 3), {"strides": (2, 1), "padding": "same", "dilation_rate": (1, 2)}),
    ((2, 9, 3), (3, 3, 5), {"dilation_rate": 2}),
    ((2, 9, 3), (4, 3, 2), {"strides": 3, "padding": "same"}),
    ((2, 7, 6, 8), (3, 3, 8, 4), {"strides": 2, "padding": "same"}),    # 8+ channels: im2col copies whole windows
    ((2, 9, 8, 9), (2, 3, 9, 5), {"dilation_rate": (2, 1)}),
])
def test_the_plain_conv_and_the_fast_one_agree_in_values_and_gradients(x_shape, k_shape, options, loops):
    rng = np.random.default_rng(7)
    x, k = Variable(rng.normal(size=x_shape)), Variable(rng.normal(size=k_shape))
    upstream = None
    results = []
    for op in (ops.conv, conv_plain):
        with GradientTape() as tape:
            y = op(x, k, **options)
            upstream = rng.normal(size=y.shape) if upstream is None else upstream
            loss = ops.sum(y * upstream)
        results.append((y.numpy(), *[g.numpy() for g in tape.gradient(loss, [x, k])]))
    for fast, plain in zip(*results):
        np.testing.assert_allclose(plain, fast, rtol=1e-12, atol=1e-12)
    check_gradients(lambda a, b: conv_plain(a, b, **options), rng.normal(size=x_shape), rng.normal(size=k_shape))


@pytest.mark.parametrize("x_shape, k_shape, options", [
    ((3, 12, 11, 1), (3, 3, 1, 8), {}),                                  # a first layer: the cols are kept
    ((2, 9, 1), (3, 1, 4), {"padding": "same", "dilation_rate": 2}),
])
def test_the_plain_conv_and_the_fast_one_agree_on_one_input_channel(x_shape, k_shape, options, loops):
    # The fast op adds the taps' input gradients in another order than the tape
    # does for conv_plain: float32 rounding, so equal to float32 precision only.
    rng = np.random.default_rng(3)
    x, k = Variable(rng.normal(size=x_shape)), Variable(rng.normal(size=k_shape))
    upstream, results = None, []
    for op in (ops.conv, conv_plain):
        with GradientTape() as tape:
            y = op(x, k, **options)
            upstream = rng.normal(size=y.shape) if upstream is None else upstream
            loss = ops.sum(y * upstream)
        results.append((y.numpy(), *[g.numpy() for g in tape.gradient(loss, [x, k])]))
    for fast, plain in zip(*results):
        np.testing.assert_allclose(plain, fast, rtol=1e-5, atol=1e-6)


class _Forgetful(dict):
    """A registry that keeps nothing: with it, conv_bias_relu does not tell max_pool about its relu outputs."""

    def __setitem__(self, key, value):
        pass


class _Counting(weakref.WeakValueDictionary):
    """_MASKED_GRADIENTS that counts the convolutions' lookups that found a gradient already masked."""

    def __init__(self):
        super().__init__()
        self.found = 0

    def get(self, key, default=None):
        value = super().get(key, default)
        self.found += value is not None
        return value


@pytest.mark.parametrize("threads", [1, 2])
def test_relu_then_max_pool_skips_the_second_mask_with_the_same_gradients(monkeypatch, threads, loops):
    # Conv2D(relu) -> MaxPooling2D twice, as the book's convnet: max_pool's backward routes the gradient only
    # to winners above 0 and the convolutions skip relu's mask; every gradient must equal, bit for bit, the one
    # computed with each op masking on its own. Negative biases make windows of zeros (winners cut by relu)
    # and negative gradients make -0.0s, the cases where skipping could change a bit.
    from teachnet.ops import parallel
    rng = np.random.default_rng(3)
    model = __import__("teachnet").Sequential([
        layers.Input(shape=(16, 16, 1)), layers.Conv2D(8, 3, activation="relu", bias_initializer="constant"),
        layers.MaxPooling2D(), layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(padding="same"),
        layers.Flatten(), layers.Dense(3)])
    model.layers[0].bias.assign(np.full(8, -0.3, "float32"))
    x = rng.standard_normal((40, 16, 16, 1)).astype("float32")

    def gradients():
        with GradientTape() as tape:
            loss = ops.sum(model(x) * np.array([1.0, -2.0, 0.5], "float32"))
        return [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]
    parallel.set_num_threads(threads)
    try:
        counting = _Counting()
        monkeypatch.setattr(conv_module, "_MASKED_GRADIENTS", counting)
        fused = gradients()
        assert counting.found == 2, "a convolution did not receive its gradient already masked"
        monkeypatch.setattr(conv_module, "_RELU_OUTPUTS", _Forgetful())
        monkeypatch.setattr(conv_module, "_MASKED_GRADIENTS", _Counting())
        apart = gradients()
        assert conv_module._MASKED_GRADIENTS.found == 0   # with the relu outputs forgotten, each op masks
    finally:
        parallel.set_num_threads(None)
    for ours, theirs in zip(fused, apart):
        assert np.array_equal(ours, theirs)
    assert (model.layers[0](x).numpy() == 0).mean() > 0.3   # many outputs cut by relu: the case that matters


@pytest.mark.parametrize("x_shape, k_shape, options", [
    ((6, 13, 13, 32), (3, 3, 32, 64), {}),                               # the benchmark convnet's second layer
    ((5, 12, 11, 1), (3, 3, 1, 16), {"strides": (1, 2)}),                 # a first layer: cols kept, transposed
    ((3, 12, 11, 1), (2, 2, 1, 8), {"dilation_rate": 2, "padding": "same"}),
    ((2, 7, 6, 3), (3, 3, 3, 4), {"strides": 2, "padding": "same"}),
    ((1, 8, 8, 2), (2, 3, 2, 3), {"strides": (2, 1), "padding": "same", "dilation_rate": (1, 2)}),
    ((2, 9, 8, 9), (2, 3, 9, 5), {"dilation_rate": (2, 1)}),
    ((2, 9, 3), (3, 3, 5), {"dilation_rate": 2}),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("with_nan", [False, True])
def test_the_compiled_loops_give_the_numpy_conv_bit_for_bit(monkeypatch, x_shape, k_shape, options, dtype, with_nan):
    # bias + relu, relu's mask and col2im compiled (ops/compiled.py) against numpy: every bit of the output
    # and gradients, with a nan pixel (relu keeps nan; the mask turns g * 0 into nan or -0.0) or without.
    # (Winograd's method, which the first case would take, is other arithmetic: compared below.)
    monkeypatch.setattr(conv_module, "_winograd", False)
    rng = np.random.default_rng(9)
    pixels = rng.normal(size=x_shape).astype(dtype)
    if with_nan:
        pixels.reshape(-1)[pixels.size // 2] = np.nan
    x, k = Variable(pixels, dtype=dtype), Variable(rng.normal(size=k_shape), dtype=dtype)
    b = Variable(rng.normal(size=k_shape[-1:]), dtype=dtype)

    def run():
        with GradientTape() as tape, np.errstate(invalid="ignore"):   # (nan * 0)
            y = conv_bias_relu(x, k, b, relu=True, **options)
            loss = ops.sum(y * np.linspace(-1, 1, y.shape[-1]).astype(dtype))
        return [y.numpy()] + [g.numpy() for g in tape.gradient(loss, [x, k, b])]
    ours, numpys = with_and_without_loops(monkeypatch, ["add_bias_relu", "relu_masked", "col2im"], run)
    assert_same_bits(ours, numpys)
    assert ours[0].dtype == dtype
    if with_nan:
        assert np.isnan(ours[0]).any() and np.isnan(ours[2]).any()   # the output and the kernel's gradient


def _count_calls(monkeypatch, name):
    """Counts the calls of compiled.<name> (its work unchanged)."""
    from teachnet.ops import compiled
    calls = []
    loop = getattr(compiled, name)
    monkeypatch.setattr(compiled, name, lambda *args: calls.append(1) or loop(*args))
    return calls


WINOGRAD_CASES = [  # (input shape, filters, options): all take Winograd's path
    ((6, 13, 13, 32), 64, {}),                                    # the benchmark convnet's second layer (odd)
    ((3, 12, 10, 8), 5, {}),                                      # even output sizes, 8 channels
    ((2, 9, 12, 16), 3, {"padding": "same"}),                     # same padding, one size odd
    ((2, 8, 8, 8), 4, {"use_bias": False, "relu": False}),        # neither bias nor relu
]


@pytest.mark.parametrize("x_shape, filters, options", WINOGRAD_CASES)
@pytest.mark.parametrize("dtype, tolerance", [("float64", 1e-12), ("float32", 1e-5)])
def test_winograd_gives_the_im2col_convolutions_numbers(monkeypatch, x_shape, filters, options, dtype, tolerance):
    # Winograd's F(4x4, 3x3) (ops/conv.py's _conv_winograd) against the im2col route in float64: values and
    # all three gradients, relative to each array's largest magnitude. In float32 Winograd's rounding is a
    # few times im2col's (measured: up to 3.6e-6 against im2col's 6.8e-7 for the first case).
    if not ops.compiled.enabled():
        pytest.skip("numba is not installed")
    options = dict(options)
    use_bias, relu = options.pop("use_bias", True), options.pop("relu", True)
    rng = np.random.default_rng(11)
    x, k, b = (rng.normal(size=x_shape), rng.normal(size=(3, 3, x_shape[-1], filters)),
               rng.normal(size=filters))
    calls = _count_calls(monkeypatch, "winograd_input")

    def run(dtype):
        xv, kv, bv = (Variable(a, dtype=dtype) for a in (x, k, b))
        with GradientTape() as tape:
            y = conv_bias_relu(xv, kv, bv if use_bias else None, relu=relu, **options)
            loss = ops.sum(y * np.cos(np.arange(y.size)).reshape(y.shape).astype(dtype))
        grads = tape.gradient(loss, [xv, kv] + ([bv] if use_bias else []))
        return [y.numpy()] + [g.numpy() for g in grads]
    winograd = run(dtype)
    assert len(calls) >= 2                      # Winograd's input transform ran, forward and backward
    monkeypatch.setattr(conv_module, "_winograd", False)
    calls.clear()
    im2col = run("float64")
    assert calls == []
    for ours, theirs in zip(winograd, im2col):
        assert ours.dtype == dtype
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=tolerance * np.abs(theirs).max())
    by_definition = np.maximum(conv_by_definition(x, k, 1, options.get("padding", "valid"), 1)
                               + (b if use_bias else 0), 0 if relu else -np.inf)
    np.testing.assert_allclose(winograd[0], by_definition, rtol=0, atol=tolerance * np.abs(by_definition).max())


def test_winograd_passes_a_float64_gradient_check(monkeypatch):
    calls = _count_calls(monkeypatch, "winograd_input_backward") if ops.compiled.enabled() else None
    check_gradients(lambda x, k, b: conv_bias_relu(x, k, b, relu=True, padding="same"),
                    RNG.normal(size=(2, 5, 6, 8)), RNG.normal(size=(3, 3, 8, 3)), RNG.normal(size=(3,)))
    assert calls is None or calls, "the gradient check did not run Winograd's backward pass"


@pytest.mark.parametrize("kernel, options, channels, out_size, expected", [
    ((3, 3), {}, 32, 11, True),
    ((3, 3), {}, 4, 11, False),                       # too few input channels: products too thin to pay
    ((3, 3), {"strides": (2, 2)}, 32, 11, False),
    ((3, 3), {"dilation": (2, 2)}, 32, 11, False),
    ((5, 5), {}, 32, 11, False),
    ((3, 3), {}, 32, 3, True),                        # 3x3 outputs: one tile, 81 products -> 36
    ((3, 3), {}, 32, 5, True),                        # 5x5: 4 tiles, 225 -> 144
    ((3, 3), {}, 32, 2, False),                       # 2x2: one tile, 36 -> 36
])
def test_winograd_is_taken_only_where_it_applies_and_pays(kernel, options, channels, out_size, expected):
    pays = conv_module._winograd_pays(np.dtype("float32"), kernel + (channels, 16), options.get("strides", (1, 1)),
                                      options.get("dilation", (1, 1)), out_size, out_size)
    assert pays == (expected and ops.compiled.enabled())
