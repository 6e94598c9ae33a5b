"""Layers that move values around without weights: UpSampling1D/2D,
ZeroPadding1D/2D, Cropping1D/2D, and Identity.

They are the plumbing of image models (a U-Net's decoder upsamples, a
generator pads or crops to line shapes up). Each `call` is one or two
`teachnet.ops` (repeat, pad, a slice), so the tape differentiates them: the
gradient of a repeat sums the copies, of a pad drops the border, of a crop
puts zeros where the border was.

Sequences are (batch, steps, channels); images (batch, height, width,
channels) with data_format="channels_last" (the default) or
(batch, channels, height, width) with "channels_first".
"""
import numpy as np

from teachnet import ops
from teachnet.layers.base import InputSpec, Layer


def _data_format(data_format):
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". '
                         f"Received: data_format={data_format!r}")
    return data_format


def _pair(value, name, allow_zero=True):
    """`1` -> (1, 1); checks a pair of non-negative (or positive) integers."""
    values = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    smallest = 0 if allow_zero else 1
    if len(values) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                   and v >= smallest for v in values):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"The `{name}` argument must be a {kind} integer or a tuple of 2 {kind} integers. "
                         f"Received: {name}={value}")
    return tuple(int(v) for v in values)


def _pairs_2d(value, name):
    """`1` -> ((1, 1), (1, 1)); `(1, 2)` -> ((1, 1), (2, 2)); ((top, bottom), (left, right)) as given."""
    if isinstance(value, (int, np.integer)):
        return _pair(value, name), _pair(value, name)
    if not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"`{name}` should be either an int, a tuple of 2 ints (symmetric height, symmetric "
                         f"width), or a tuple of 2 tuples of 2 ints ((top, bottom), (left, right)). "
                         f"Received: {name}={value}.")
    return _pair(value[0], f"1st entry of {name}"), _pair(value[1], f"2nd entry of {name}")


def _spatial_axes(rank, data_format):
    """The axes of steps (rank 1) or of height and width (rank 2)."""
    first = 2 if data_format == "channels_first" else 1
    return tuple(range(first, first + rank))


class UpSampling1D(Layer):
    """Repeats each step of a sequence `size` times.

    Formula:
        output[b, t, c] = input[b, t // size, c]

    Args:
        size: positive int, how many times each step is repeated (default 2).

    Input shape: (batch, steps, features).
    Output shape: (batch, steps * size, features).

    Example:
        >>> UpSampling1D(2)(np.array([[[1.0], [2.0]]])).numpy()[0, :, 0]
        array([1., 1., 2., 2.], dtype=float32)
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
            raise TypeError(f'Layer "{self.name}": expected an integer value for `size`. Received: size={size!r}')
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: size={size}")
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


def _bilinear_matrix(n_in, factor, dtype):
    """The (n_in * factor, n_in) matrix that resizes one axis bilinearly.

    Output pixel i sits at input coordinate (i + 0.5) / factor - 0.5 (pixel
    centres line up, as `keras.ops.image.resize` and torch's
    `align_corners=False`), clamped to the edges, and mixes its two
    neighbouring input pixels with weights (1 - w, w).
    """
    n_out = n_in * factor
    source = np.clip((np.arange(n_out) + 0.5) / factor - 0.5, 0, n_in - 1)
    left = np.floor(source).astype(int)
    right = np.minimum(left + 1, n_in - 1)
    w = source - left
    matrix = np.zeros((n_out, n_in), dtype=dtype)
    np.add.at(matrix, (np.arange(n_out), left), 1 - w)
    np.add.at(matrix, (np.arange(n_out), right), w)
    return matrix


class UpSampling2D(Layer):
    """Enlarges images by repeating (or interpolating) rows and columns.

    Formula ("nearest"):
        output[b, i, j, c] = input[b, i // size[0], j // size[1], c]
    ("bilinear"): each output pixel mixes the two nearest input rows, then the
    two nearest columns, weighted by distance (pixel centres aligned).

    Args:
        size: int or (rows, cols), the factors (default (2, 2)).
        data_format: "channels_last" (default) or "channels_first".
        interpolation: "nearest" (default) or "bilinear".

    Input shape: (batch, height, width, channels) (channels_last).
    Output shape: (batch, height * rows, width * cols, channels).

    Example:
        >>> UpSampling2D(2)(np.zeros((1, 3, 4, 5))).shape
        (1, 6, 8, 5)
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.size = _pair(size, "size", allow_zero=False)
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError(f'Layer "{self.name}": teachnet implements interpolation="nearest" and "bilinear". '
                             f"Received: interpolation={interpolation!r}")
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        for axis, factor in zip(_spatial_axes(2, self.data_format), self.size):
            if self.interpolation == "nearest":
                inputs = ops.repeat(inputs, factor, axis=axis)
                continue
            # Bilinear resizing of one axis is a matrix product along that axis.
            matrix = _bilinear_matrix(inputs.shape[axis], factor, inputs.dtype)   # (n * factor, n)
            moved = ops.moveaxis(inputs, axis, -1)                                # (..., n)
            inputs = ops.moveaxis(ops.matmul(moved, matrix.T), -1, axis)           # (..., n * factor) back in place
        return inputs

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(_spatial_axes(2, self.data_format), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class ZeroPadding1D(Layer):
    """Adds zeros at the start and end of a sequence.

    Formula:
        output[b] = concatenate([zeros(left), input[b], zeros(right)]) along the steps

    Args:
        padding: int or (left, right), how many zero steps to add (default 1).
        data_format: "channels_last" (default, (batch, steps, features)) or
            "channels_first" ((batch, features, steps)).

    Output shape: (batch, steps + left + right, features).

    Example:
        >>> ZeroPadding1D((1, 2))(np.ones((1, 3, 1))).numpy()[0, :, 0]
        array([0., 1., 1., 1., 0., 0.], dtype=float32)
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.padding = _pair(padding, "padding")
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def call(self, inputs):
        widths = [(0, 0)] * 3
        widths[_spatial_axes(1, self.data_format)[0]] = self.padding
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axis = _spatial_axes(1, self.data_format)[0]
        shape[axis] = None if shape[axis] is None else shape[axis] + sum(self.padding)
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around images.

    Args:
        padding: int (the same on all four sides), (rows, cols) (symmetric), or
            ((top, bottom), (left, right)). Default (1, 1).
        data_format: "channels_last" (default) or "channels_first".

    Input shape: (batch, height, width, channels) (channels_last).
    Output shape: (batch, height + top + bottom, width + left + right, channels).

    Example:
        >>> ZeroPadding2D(((1, 0), (2, 2)))(np.ones((1, 3, 3, 1))).shape
        (1, 4, 7, 1)
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.padding = _pairs_2d(padding, "padding")
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        widths = [(0, 0)] * 4
        for axis, pair in zip(_spatial_axes(2, self.data_format), self.padding):
            widths[axis] = pair
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, pair in zip(_spatial_axes(2, self.data_format), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + sum(pair)
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


def _cropped_shape(layer, input_shape, rank, cropping):
    """The shape after cropping; a ValueError naming the layer when nothing would be left."""
    shape = list(input_shape)
    for axis, (start, end) in zip(_spatial_axes(rank, getattr(layer, "data_format", "channels_last")), cropping):
        if shape[axis] is not None:
            if start + end >= shape[axis]:
                raise ValueError(f'Layer "{layer.name}": the values in `cropping` must add up to less than the '
                                 f"size of the axis they crop, so that something is left. Received: input_shape="
                                 f"{tuple(input_shape)}, cropping={layer.cropping}")
            shape[axis] -= start + end
    return tuple(shape)


def _crop(inputs, rank, data_format, cropping):
    index = [slice(None)] * inputs.ndim
    for axis, (start, end) in zip(_spatial_axes(rank, data_format), cropping):
        index[axis] = slice(start, inputs.shape[axis] - end)
    return inputs[tuple(index)]


class Cropping1D(Layer):
    """Cuts steps off the start and end of a sequence.

    Formula:
        output[b] = input[b, start : steps - end]

    Args:
        cropping: int or (start, end), how many steps to drop (default (1, 1)).

    Input shape: (batch, steps, features).
    Output shape: (batch, steps - start - end, features).

    Example:
        >>> Cropping1D((1, 2))(np.zeros((2, 6, 3))).shape
        (2, 3, 3)
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pair(cropping, "cropping")
        self.input_spec = InputSpec(ndim=3)
        self.built = True

    def call(self, inputs):
        _cropped_shape(self, inputs.shape, 1, [self.cropping])
        return _crop(inputs, 1, "channels_last", [self.cropping])

    def compute_output_shape(self, input_shape):
        return _cropped_shape(self, input_shape, 1, [self.cropping])

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(Layer):
    """Cuts rows and columns off the borders of images.

    Formula:
        output[b] = input[b, top : height - bottom, left : width - right]

    Args:
        cropping: int (all four sides), (rows, cols) (symmetric), or
            ((top, bottom), (left, right)). Default ((0, 0), (0, 0)).
        data_format: "channels_last" (default) or "channels_first".

    Input shape: (batch, height, width, channels) (channels_last).
    Output shape: (batch, height - top - bottom, width - left - right, channels).

    Example:
        >>> Cropping2D(((2, 2), (4, 4)))(np.zeros((2, 28, 28, 3))).shape
        (2, 24, 20, 3)
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.cropping = _pairs_2d(cropping, "cropping")
        self.input_spec = InputSpec(ndim=4)
        self.built = True

    def call(self, inputs):
        _cropped_shape(self, inputs.shape, 2, self.cropping)
        return _crop(inputs, 2, self.data_format, self.cropping)

    def compute_output_shape(self, input_shape):
        return _cropped_shape(self, input_shape, 2, self.cropping)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class Identity(Layer):
    """Returns its input unchanged: a placeholder where a layer is optional.

    Formula:
        output = input

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Input shape / Output shape: any, unchanged (masks pass through).

    Example:
        >>> print(Identity()(np.array([[1.0, 2.0]])))
        [[1. 2.]]
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
