"""Pooling layers: summarise each neighbourhood by its maximum or its mean.

Pooling has no weights. `MaxPooling2D((2, 2))` halves the height and width,
keeping the strongest response of each 2 x 2 block; the global poolings reduce
all positions to one vector per sample. The window arithmetic lives in
`teachnet.ops.conv` (`max_pool`, `average_pool`).
"""
from teachnet import ops
from teachnet.layers.base import InputSpec, Layer
from teachnet.layers.convolutional import check_input_rank
from teachnet.ops.conv import check_data_format, output_length, standardize_padding, standardize_tuple


class BasePooling(Layer):
    """What the max and average poolings share (1D and 2D).

    Args:
        rank: 1 for sequences, 2 for images.
        pool_mode: "max" or "average".
        (the others: see MaxPooling2D.)
    """

    def __init__(self, rank, pool_mode, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank, self.pool_mode = rank, pool_mode
        self.pool_size = standardize_tuple(pool_size, rank, "pool_size")
        self.strides = self.pool_size if strides is None else standardize_tuple(strides, rank, "strides")
        self.padding = standardize_padding(padding)
        check_data_format(data_format)
        self.data_format = "channels_last"

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # checks the rank and that the window fits
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs):
        pool = ops.max_pool if self.pool_mode == "max" else ops.average_pool
        return pool(inputs, self.pool_size, strides=self.strides, padding=self.padding)

    def compute_output_shape(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        spatial = tuple(output_length(size, p, s, 1, self.padding)
                        for size, p, s in zip(input_shape[1:-1], self.pool_size, self.strides))
        if any(n is not None and n <= 0 for n in spatial):
            raise ValueError(f'Layer "{self.name}": the pool window (pool_size={self.pool_size}) is larger '
                             f"than the input (spatial shape {tuple(input_shape[1:-1])}) with "
                             f'padding="{self.padding}". Use a smaller pool_size or padding="same".')
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding,
                       "data_format": self.data_format})
        return config


class MaxPooling1D(BasePooling):
    """Max pooling for sequences: the largest value of each window of steps.

    Formula: output[b, t, c] = max over k < pool_size of x_padded[b, t * strides + k, c]

    Args:
        pool_size: int, the window length. Default 2.
        strides: int or None (= pool_size), step between windows.
        padding: "valid" or "same" (output length = ceil(steps / strides)).
        data_format: only "channels_last" (or None).

    Input shape: (batch, steps, channels).
    Output shape: (batch, pooled_steps, channels).

    Example:
        >>> x = np.array([1., 2., 3., 4., 5.]).reshape(1, 5, 1)
        >>> teachnet.layers.MaxPooling1D(pool_size=2, strides=1)(x).numpy().ravel()
        array([2., 3., 4., 5.], dtype=float32)
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(1, "max", pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling2D(BasePooling):
    """Max pooling for images: the largest value of each window, per channel.

    Formula: output[b, i, j, c] = max over di, dj of x_padded[b, i * sh + di, j * sw + dj, c]

    Args:
        pool_size: int or (ph, pw), the window size. Default (2, 2).
        strides: int, tuple or None (= pool_size), step between windows.
        padding: "valid" or "same" (output size = ceil(input / strides);
            padded cells never win the max).
        data_format: only "channels_last" (or None).

    Input shape: (batch, height, width, channels).
    Output shape: (batch, pooled_height, pooled_width, channels).

    Example:
        >>> x = np.arange(16.).reshape(1, 4, 4, 1)
        >>> teachnet.layers.MaxPooling2D()(x).numpy()[0, :, :, 0]
        array([[ 5.,  7.],
               [13., 15.]], dtype=float32)
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(2, "max", pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling1D(BasePooling):
    """Average pooling for sequences: the mean of each window of steps.

    Formula: output[b, t, c] = mean over the real (unpadded) steps k of x[b, t * strides + k, c]

    Args:
        pool_size: int, the window length (required, as in Keras).
        strides: int or None (= pool_size), step between windows.
        padding: "valid" or "same" (padded steps are left out of the mean).
        data_format: only "channels_last" (or None).

    Input shape: (batch, steps, channels).
    Output shape: (batch, pooled_steps, channels).

    Example:
        >>> x = np.array([1., 2., 3., 4., 5.]).reshape(1, 5, 1)
        >>> teachnet.layers.AveragePooling1D(pool_size=2, strides=1)(x).numpy().ravel()
        array([1.5, 2.5, 3.5, 4.5], dtype=float32)
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(1, "average", pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling2D(BasePooling):
    """Average pooling for images: the mean of each window, per channel.

    Formula: output[b, i, j, c] = mean over the real (unpadded) pixels of the window at (i * sh, j * sw)

    Args:
        pool_size: int or (ph, pw), the window size (required, as in Keras).
        strides: int, tuple or None (= pool_size), step between windows.
        padding: "valid" or "same" (padded pixels are left out of the mean, as TensorFlow does).
        data_format: only "channels_last" (or None).

    Input shape: (batch, height, width, channels).
    Output shape: (batch, pooled_height, pooled_width, channels).

    Example:
        >>> x = np.arange(1., 10.).reshape(1, 3, 3, 1)
        >>> teachnet.layers.AveragePooling2D(2, strides=1, padding="same")(x).numpy()[0, :, :, 0]
        array([[3. , 4. , 4.5],
               [6. , 7. , 7.5],
               [7.5, 8.5, 9. ]], dtype=float32)
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(2, "average", pool_size, strides, padding, data_format, name=name, **kwargs)


# ---------------------------------------------------------------------------
# Global pooling: one value per channel for the whole sequence or image
# ---------------------------------------------------------------------------

class BaseGlobalPooling(Layer):
    """What the global poolings share: the reduced axes and `keepdims`."""

    def __init__(self, rank, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        check_data_format(data_format)
        self.rank, self.data_format, self.keepdims = rank, "channels_last", keepdims
        self.spatial_axes = tuple(range(1, rank + 1))     # (1,) or (1, 2)

    def build(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def compute_output_shape(self, input_shape):
        check_input_rank(self, input_shape, self.rank)
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling1D(BaseGlobalPooling):
    """The mean over all steps of a sequence, per channel.

    Formula: output[b, c] = mean over t of x[b, t, c]  (over the unmasked steps when a mask is given)

    Args:
        data_format: only "channels_last" (or None).
        keepdims: keep the steps axis, with size 1. Default False.

    Call arguments:
        mask: optional (batch, steps) booleans, True for real steps (e.g. from
            an Embedding with mask_zero=True); masked steps are left out of the mean.

    Input shape: (batch, steps, channels).
    Output shape: (batch, channels), or (batch, 1, channels) with keepdims.

    Example:
        >>> x = np.random.rand(2, 4, 3).astype("float32")
        >>> teachnet.layers.GlobalAveragePooling1D()(x).shape
        (2, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=1, keepdims=self.keepdims)
        weights = ops.cast(ops.expand_dims(ops.convert_to_tensor(mask), 2), inputs.dtype)   # (batch, steps, 1)
        total = ops.sum(ops.multiply(inputs, weights), axis=1, keepdims=self.keepdims)
        return ops.divide(total, ops.sum(weights, axis=1, keepdims=self.keepdims))

    def compute_mask(self, inputs, mask=None):
        return None  # no steps axis left to mask


class GlobalAveragePooling2D(BaseGlobalPooling):
    """The mean over all pixels of an image, per channel.

    Formula: output[b, c] = mean over i, j of x[b, i, j, c]

    Args:
        data_format: only "channels_last" (or None).
        keepdims: keep the height and width axes, with size 1. Default False.

    Input shape: (batch, height, width, channels).
    Output shape: (batch, channels), or (batch, 1, 1, channels) with keepdims.

    Example:
        >>> x = np.random.rand(2, 4, 5, 3).astype("float32")
        >>> teachnet.layers.GlobalAveragePooling2D()(x).shape
        (2, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.mean(inputs, axis=self.spatial_axes, keepdims=self.keepdims)


class GlobalMaxPooling1D(BaseGlobalPooling):
    """The maximum over all steps of a sequence, per channel.

    Formula: output[b, c] = max over t of x[b, t, c]

    Args:
        data_format: only "channels_last" (or None).
        keepdims: keep the steps axis, with size 1. Default False.

    Input shape: (batch, steps, channels).
    Output shape: (batch, channels), or (batch, 1, channels) with keepdims.

    Example:
        >>> x = np.random.rand(2, 4, 3).astype("float32")
        >>> teachnet.layers.GlobalMaxPooling1D(keepdims=True)(x).shape
        (2, 1, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """The maximum over all pixels of an image, per channel.

    Formula: output[b, c] = max over i, j of x[b, i, j, c]

    Args:
        data_format: only "channels_last" (or None).
        keepdims: keep the height and width axes, with size 1. Default False.

    Input shape: (batch, height, width, channels).
    Output shape: (batch, channels), or (batch, 1, 1, channels) with keepdims.

    Example:
        >>> x = np.random.rand(2, 4, 5, 3).astype("float32")
        >>> teachnet.layers.GlobalMaxPooling2D()(x).shape
        (2, 3)
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format, keepdims, **kwargs)

    def call(self, inputs):
        return ops.max(inputs, axis=self.spatial_axes, keepdims=self.keepdims)


# Keras's short names for the same layers.
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
