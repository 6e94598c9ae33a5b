"""Convolution layers: Conv1D (sequences) and Conv2D (images), channels_last,
and their transposes Conv1DTranspose and Conv2DTranspose (which upsample).

A convolution slides a small kernel over the input and, at each position,
takes the dot product of the kernel with the window under it: every output
pixel sees only its neighbourhood, and the same weights are reused everywhere.
The arithmetic lives in `teachnet.ops.conv` (im2col + one matrix product);
these layers hold the weights and check the shapes.
"""
import warnings

from teachnet import activations, initializers, ops
from teachnet.layers.base import InputSpec, Layer
from teachnet.ops.conv import (conv_bias_relu, check_data_format, conv_transpose, conv_transpose_output_length,
                               output_length, standardize_padding, standardize_tuple)


def check_input_rank(layer, input_shape, rank):
    """Raises a ValueError naming the layer when the input is not (batch, *spatial, channels)."""
    expected = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)"}[rank]
    if len(input_shape) == rank + 2:
        return
    hint = ""
    if len(input_shape) == rank + 1:
        hint += " If the channel axis is missing (one channel), add it with x[..., None]."
    if rank == 2 and len(input_shape) == 3:
        hint += " For sequences (batch, steps, channels), use the 1D layer."
    if rank == 1 and len(input_shape) == 4:
        hint += " For images (batch, height, width, channels), use the 2D layer."
    raise ValueError(f'Input of layer "{layer.name}" ({type(layer).__name__}) must have rank {rank + 2}, '
                     f"{expected}. Received input with shape {tuple(input_shape)}.{hint}")


def _channels_first_hint(layer, input_shape):
    """A one-line hint when a Conv2D's input looks like channels-first images
    (batch, channels, height, width), as PyTorch and some datasets store them."""
    shape = tuple(input_shape)
    if layer.rank == 2 and len(shape) == 4 and shape[1] in (1, 3, 4) and shape[2] is not None \
            and shape[2] == shape[3] and shape[2] >= 8:
        return (f"Hint: the input shape {shape} looks channels-first ({shape[1]} channel(s), then {shape[2]}x"
                f"{shape[3]} pixels), but Conv2D reads (batch, height, width, channels): move the channel axis "
                "last with x = np.moveaxis(x, 1, -1).")
    return None


class BaseConv(Layer):
    """What Conv1D and Conv2D share: arguments, weights, output shape, call.

    Args:
        rank: 1 for sequences, 2 for images.
        (the others: see Conv2D.)
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f'Layer "{self.name}": invalid value for argument `filters`. Expected a strictly '
                             f"positive integer. Received filters={filters!r}.")
        self.filters = filters
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
        check_data_format(data_format)
        self.data_format = "channels_last"
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f'Layer "{self.name}": `strides > 1` not supported in conjunction with '
                             f"`dilation_rate > 1` (as in Keras). Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}.")
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint

    def build(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f'Layer "{self.name}": the channel axis (last) of the input must be known. '
                             f"Received input shape {tuple(input_shape)}.")
        hint = _channels_first_hint(self, input_shape)
        try:
            self.compute_output_shape(input_shape)  # raises if the kernel does not fit
        except ValueError as error:
            raise ValueError(f"{error}\n{hint}" if hint else str(error)) from None
        if hint:  # it fits, but computes over the wrong axes: say so once, at build
            warnings.warn(f'Layer "{self.name}": {hint}', UserWarning, stacklevel=3)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.kernel = self.add_weight(shape=self.kernel_size + (channels, self.filters), name="kernel",
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)                  # (kh, kw, in, filters)
        self.bias = (self.add_weight(shape=(self.filters,), name="bias", initializer=self.bias_initializer,
                                     regularizer=self.bias_regularizer, constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.built = True

    def call(self, inputs):
        padding = self.padding
        if padding == "causal":
            # Pad only at the start, so output t sees inputs <= t.
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            inputs = ops.pad(inputs, ((0, 0), (left, 0), (0, 0)))
            padding = "valid"
        # activation(conv(inputs, kernel) + bias), with the bias and a relu done
        # inside the convolution op: same numbers, one output array instead of three.
        relu = self.activation is activations.relu
        outputs = conv_bias_relu(inputs, self.kernel, self.bias if self.use_bias else None, relu=relu,
                                 strides=self.strides, padding=padding, dilation_rate=self.dilation_rate)
        return outputs if relu else self.activation(outputs)           # (batch, *out_spatial, filters)

    def compute_output_shape(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        padding = "valid" if self.padding == "causal" else self.padding
        spatial = []
        for size, k, s, d in zip(input_shape[1:-1], self.kernel_size, self.strides, self.dilation_rate):
            if self.padding == "causal" and size is not None:
                size += d * (k - 1)
            spatial.append(output_length(size, k, s, d, padding))
        if any(n is not None and n <= 0 for n in spatial):
            raise ValueError(f'Layer "{self.name}": the kernel (kernel_size={self.kernel_size}, dilation_rate='
                             f"{self.dilation_rate}) is larger than the input (spatial shape "
                             f"{tuple(input_shape[1:-1])}) with padding=\"{self.padding}\", so the output "
                             f"would be empty (spatial shape {tuple(spatial)}). Use a smaller kernel_size, "
                             "a larger input, or padding=\"same\".")
        return (input_shape[0],) + tuple(spatial) + (self.filters,)

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                       "padding": self.padding, "data_format": self.data_format,
                       "dilation_rate": self.dilation_rate, "activation": getattr(self.activation, "__name__",
                                                                                 self.activation),
                       "use_bias": self.use_bias})
        return config


class Conv1D(BaseConv):
    """1D convolution: slides `filters` kernels along the steps of a sequence.

    Formula:
        output[b, t, f] = activation(bias[f] + sum over k, c of
                                     x_padded[b, t * stride + k * dilation_rate, c] * kernel[k, c, f])

    Args:
        filters: the number of kernels, i.e. output channels (a positive integer).
        kernel_size: int or (int,), the window length.
        strides: int or (int,), step between windows. Default 1.
        padding: "valid" (no padding), "same" (output length = ceil(steps / strides);
            extra padding at the end, as Keras) or "causal" (pad only at the start,
            so output t depends on inputs <= t).
        data_format: only "channels_last" (or None).
        dilation_rate: int or (int,), spacing between kernel taps. Default 1.
        activation: name or callable applied to the output; None for linear.
        use_bias: whether to add a bias per filter. Default True.
        kernel_initializer, bias_initializer: default "glorot_uniform", "zeros".
        kernel_regularizer, bias_regularizer: penalties added to the loss.
        activity_regularizer: a penalty on the output.

    Weights: kernel (kernel_size, input_channels, filters), bias (filters,).

    Input shape: (batch, steps, channels).
    Output shape: (batch, new_steps, filters).

    Example:
        >>> x = np.random.rand(4, 10, 128).astype("float32")
        >>> teachnet.layers.Conv1D(32, 3, activation="relu")(x).shape
        (4, 8, 32)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


class Conv2D(BaseConv):
    """2D convolution: slides `filters` kernels over the height and width of images.

    Formula:
        output[b, i, j, f] = activation(bias[f] + sum over di, dj, c of
            x_padded[b, i * sh + di * dh, j * sw + dj * dw, c] * kernel[di, dj, c, f])

    Args:
        filters: the number of kernels, i.e. output channels (a positive integer).
        kernel_size: int or (kh, kw), the window size.
        strides: int or (sh, sw), step between windows. Default 1.
        padding: "valid" (no padding) or "same" (output size = ceil(input / strides);
            any odd pixel of padding goes at the bottom/right, as Keras and TensorFlow).
        data_format: only "channels_last" (or None).
        dilation_rate: int or (dh, dw), spacing between kernel taps. Default 1.
        activation: name or callable applied to the output; None for linear.
        use_bias: whether to add a bias per filter. Default True.
        kernel_initializer, bias_initializer: default "glorot_uniform", "zeros".
        kernel_regularizer, bias_regularizer: penalties added to the loss.
        activity_regularizer: a penalty on the output.

    Weights: kernel (kh, kw, input_channels, filters), bias (filters,), Keras's layout,
    so `set_weights(keras_layer.get_weights())` works.

    Input shape: (batch, height, width, channels).
    Output shape: (batch, new_height, new_width, filters).

    Example:
        >>> x = np.random.rand(4, 28, 28, 1).astype("float32")
        >>> teachnet.layers.Conv2D(32, 3, activation="relu")(x).shape
        (4, 26, 26, 32)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


class BaseConvTranspose(BaseConv):
    """What Conv1DTranspose and Conv2DTranspose share: the arguments of BaseConv
    plus `output_padding`; the kernel's last two axes are swapped (filters, then
    input channels: Keras's layout, the same array a Conv layer going the other
    way would hold)."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, **kwargs):
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, **kwargs)
        if self.padding == "causal":
            raise ValueError(f'Layer "{self.name}": the `padding` argument must be one of "valid", "same". '
                             f"Received: padding={padding!r}")
        self.output_padding = None
        if output_padding is not None:
            values = (output_padding,) * rank if isinstance(output_padding, int) else tuple(output_padding)
            if len(values) != rank or not all(isinstance(v, int) and 0 <= v for v in values):
                raise ValueError(f'Layer "{self.name}": `output_padding` must be a non-negative integer or a tuple '
                                 f"of {rank}. Received: output_padding={output_padding!r}")
            for i, (extra, stride) in enumerate(zip(values, self.strides)):
                if extra >= stride:
                    raise ValueError(f'Layer "{self.name}": `output_padding` must be strictly less than `strides` '
                                     f"for all dimensions. At dimension {i}, `output_padding` is {extra} but "
                                     f"`strides` is {stride}. Received: output_padding={values}, "
                                     f"strides={self.strides}")
            self.output_padding = values

    def build(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(f'Layer "{self.name}": the channel axis (last) of the input must be known. '
                             f"Received input shape {tuple(input_shape)}.")
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, channels), name="kernel",
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)                  # (kh, kw, filters, in)
        self.bias = (self.add_weight(shape=(self.filters,), name="bias", initializer=self.bias_initializer,
                                     regularizer=self.bias_regularizer, constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.built = True

    def call(self, inputs):
        outputs = conv_transpose(inputs, self.kernel, strides=self.strides, padding=self.padding,
                                 output_padding=self.output_padding, dilation_rate=self.dilation_rate)
        if self.use_bias:
            outputs = outputs + self.bias                       # (filters,) broadcasts over batch and positions
        return self.activation(outputs)                         # (batch, *out_spatial, filters)

    def compute_output_shape(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        extras = self.output_padding or (None,) * self.rank
        spatial = tuple(conv_transpose_output_length(size, k, s, d, self.padding, extra)
                        for size, k, s, d, extra in zip(input_shape[1:-1], self.kernel_size, self.strides,
                                                         self.dilation_rate, extras))
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "output_padding": self.output_padding}


class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution: lengthens sequences by `strides`, each step pasting a weighted kernel.

    Formula:
        full[b, t * stride + k * dilation_rate, f] += input[b, t, c] * kernel[k, f, c]
        output = activation(full cropped as `padding` says + bias)
    It is the gradient of a Conv1D with the same arguments with respect to its
    input (see `teachnet.ops.conv_transpose`).

    Args:
        filters: the number of output channels (a positive integer).
        kernel_size: int or (int,), the window length.
        strides: int or (int,), how far apart the pasted kernels are. Default 1.
        padding: "valid" (output length (steps - 1) * strides + max(kernel, strides))
            or "same" (output length steps * strides).
        output_padding: None, or int less than strides: the output length
            becomes (steps - 1) * strides + kernel_size (or kernel_size % 2 for
            "same") + output_padding.
        data_format: only "channels_last" (or None).
        dilation_rate: int or (int,), spacing between kernel taps. Default 1.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as Conv1D.

    Weights: kernel (kernel_size, filters, input_channels), bias (filters,).

    Input shape: (batch, steps, channels).
    Output shape: (batch, new_steps, filters).

    Example:
        >>> teachnet.layers.Conv1DTranspose(8, 3, strides=2, padding="same")(np.zeros((4, 10, 16))).shape
        (4, 20, 8)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution: enlarges images by `strides`, each pixel pasting a weighted kernel.

    The upsampling layer of generators, autoencoders' decoders and U-Nets.

    Formula:
        full[b, i * sh + di * dh, j * sw + dj * dw, f] += input[b, i, j, c] * kernel[di, dj, f, c]
        output = activation(full cropped as `padding` says + bias)
    It is the gradient of a Conv2D with the same arguments with respect to its
    input (see `teachnet.ops.conv_transpose`).

    Args:
        filters: the number of output channels (a positive integer).
        kernel_size: int or (kh, kw), the window size.
        strides: int or (sh, sw), how far apart the pasted kernels are. Default 1.
        padding: "valid" (each side (size - 1) * stride + max(kernel, stride))
            or "same" (each side size * stride).
        output_padding: None, or int or (int, int), each less than the stride:
            the side becomes (size - 1) * stride + kernel (kernel % 2 for "same")
            + output_padding.
        data_format: only "channels_last" (or None).
        dilation_rate: int or (dh, dw). Default 1.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as Conv2D.

    Weights: kernel (kh, kw, filters, input_channels), bias (filters,), Keras's layout,
    so `set_weights(keras_layer.get_weights())` works.

    Input shape: (batch, height, width, channels).
    Output shape: (batch, new_height, new_width, filters).

    Example:
        >>> layer = teachnet.layers.Conv2DTranspose(32, 4, strides=2, padding="same")
        >>> layer(np.zeros((1, 7, 7, 64))).shape
        (1, 14, 14, 32)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, output_padding=output_padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
