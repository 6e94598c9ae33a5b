"""Merge layers: several tensors in, one out. Where the branches of a graph meet.

`Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum` combine their
inputs element by element (sizes of 1 broadcast, as numpy and Keras do);
`Concatenate` joins them along an axis; `Dot` takes the dot product of two
samples. Each has a function form (`add([a, b])` is `Add()([a, b])`).

Masks (from `Embedding(mask_zero=True)`, `Masking`, ...) combine as in Keras:
the element-wise merges keep a step when any input keeps it (the OR of the
masks; no mask when some input has none), `Concatenate` joins the masks.
There are no weights: the gradient of each merge is the gradient of its op
(`ops.add`, `ops.concatenate`, ...), which the tape already knows.
"""
import numpy as np

from teachnet import ops
from teachnet.layers.base import Layer


class Merge(Layer):
    """Base class of the element-wise merges: checks the shapes, then folds
    `_merge_function` over the inputs.

    Inputs of different ranks get axes of size 1 inserted after the batch
    axis until the ranks agree (as Keras does), so `(batch, 4)` and
    `(batch, 3, 4)` combine to `(batch, 3, 4)`.
    """

    min_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, input_shape):
        """Raises unless `input_shape` is a list of at least `min_inputs` shapes."""
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f'A merge layer ("{self.name}", {type(self).__name__}) should be called on a list '
                             f"of inputs. Received: input_shape={input_shape} (not a list of shapes)")
        if len(input_shape) < self.min_inputs:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) should be called on a list of at '
                             f"least {self.min_inputs} inputs. Received {len(input_shape)} input(s): "
                             f"input_shape={list(input_shape)}")

    def _elementwise_shape(self, shape1, shape2):
        """The shape of an element-wise op on the two (per-sample) shapes."""
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        out = list(shape1[:len(shape1) - len(shape2)])
        for i, j in zip(shape1[len(shape1) - len(shape2):], shape2):
            if i is None or j is None:
                out.append(None)
            elif i == 1 or j == 1 or i == j:
                out.append(j if i == 1 else i)
            else:
                raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): inputs have incompatible shapes. '
                                 f"Received shapes {tuple(shape1)} and {tuple(shape2)} (without the batch axis).")
        return tuple(out)

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        batch = {s[0] for s in input_shape if s and s[0] is not None}
        if len(batch) > 1:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}) cannot merge tensors with different '
                             f"batch sizes. Received shapes {[tuple(s) for s in input_shape]}")
        shape = tuple(input_shape[0][1:])
        for s in input_shape[1:]:
            shape = self._elementwise_shape(shape, tuple(s[1:]))
        return (batch.pop() if batch else None,) + shape

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # only checks the shapes
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f'A merge layer ("{self.name}") should be called on a list of inputs. '
                             f"Received one tensor of shape {inputs.shape}.")
        self.compute_output_shape([x.shape for x in inputs])  # shapes may differ from the first call's
        rank = max(x.ndim for x in inputs)
        self._masks = [x._keras_mask for x in inputs]  # read by Maximum and Minimum
        inputs = [_expand_to_rank(x, rank) for x in inputs]
        return self._merge_function(inputs)

    def _merge_function(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must define _merge_function(inputs).")

    def compute_mask(self, inputs, mask=None):
        """A step is kept where any input keeps it; no mask unless every input has one."""
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): `mask` must be a list with one mask '
                             f"per input ({len(inputs)}). Received: mask={mask!r}")
        if any(m is None for m in mask):
            return None
        output_mask = np.asarray(mask[0], dtype=bool)
        for m in mask[1:]:
            output_mask = np.logical_or(output_mask, np.asarray(m, dtype=bool))
        return ops.convert_to_tensor(output_mask)

    def _fold_with_masks(self, op, inputs, masks):
        """Maximum and Minimum have no neutral value: where an input is masked,
        the op sees the other input's value instead (as Keras)."""
        output, output_mask = None, None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                mask = np.broadcast_to(np.expand_dims(np.asarray(mask, dtype=bool), -1), x.shape)  # like x
            if output is None:
                output, output_mask = x, mask
                continue
            if mask is not None:
                x = ops.where(mask, x, output)
            if output_mask is not None:
                output = ops.where(output_mask, output, x)
            output_mask = None if mask is None or output_mask is None else np.logical_or(output_mask, mask)
            output = op(output, x)
        if output_mask is not None:
            output._keras_mask = ops.convert_to_tensor(np.any(output_mask, axis=-1))
        return output


def _expand_to_rank(x, rank):
    while x.ndim < rank:
        x = ops.expand_dims(x, 1)  # (batch, ...) -> (batch, 1, ...)
    return x


class Add(Merge):
    """Adds a list of inputs, element by element.

    Formula: `output = inputs[0] + inputs[1] + ...`

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Input shape: a list of tensors of the same shape (sizes of 1 broadcast).
    Output shape: that shape.

    Example:
        >>> a, b = teachnet.Input(shape=(16,)), teachnet.Input(shape=(16,))
        >>> teachnet.layers.Add()([a, b]).shape
        (None, 16)
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output


class Subtract(Merge):
    """Subtracts the second input from the first, element by element.

    Formula: `output = inputs[0] - inputs[1]`

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Input shape: a list of exactly 2 tensors of the same shape.
    Output shape: that shape.

    Example:
        >>> a, b = teachnet.Input(shape=(16,)), teachnet.Input(shape=(16,))
        >>> teachnet.layers.Subtract()([a, b]).shape
        (None, 16)
    """

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(f'A Subtract layer ("{self.name}") should be called on exactly 2 inputs. '
                             f"Received {len(input_shape)} inputs: input_shape={list(input_shape)}")
        return super().compute_output_shape(input_shape)

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f'A Subtract layer ("{self.name}") should be called on exactly 2 inputs. '
                             f"Received {len(inputs)} inputs.")
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Multiplies a list of inputs, element by element.

    Formula: `output = inputs[0] * inputs[1] * ...`

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Input shape: a list of tensors of the same shape. Output shape: that shape.

    Example:
        >>> a, b = teachnet.Input(shape=(16,)), teachnet.Input(shape=(16,))
        >>> teachnet.layers.Multiply()([a, b]).shape
        (None, 16)
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.multiply(output, x)
        return output


class Average(Merge):
    """Averages a list of inputs, element by element.

    Formula: `output = (inputs[0] + ... + inputs[n-1]) / n`

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Input shape: a list of tensors of the same shape. Output shape: that shape.

    Example:
        >>> a, b = teachnet.Input(shape=(16,)), teachnet.Input(shape=(16,))
        >>> teachnet.layers.Average()([a, b]).shape
        (None, 16)
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = ops.add(output, x)
        return output / len(inputs)


class Maximum(Merge):
    """The element-wise maximum of a list of inputs.

    Formula: `output = max(inputs[0], inputs[1], ...)`, element by element;
    the gradient goes to the input that holds the maximum.

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Input shape: a list of tensors of the same shape. Output shape: that shape.

    Example:
        >>> a, b = teachnet.Input(shape=(16,)), teachnet.Input(shape=(16,))
        >>> teachnet.layers.Maximum()([a, b]).shape
        (None, 16)
    """

    def _merge_function(self, inputs):
        return self._fold_with_masks(ops.maximum, inputs, self._masks)


class Minimum(Merge):
    """The element-wise minimum of a list of inputs.

    Formula: `output = min(inputs[0], inputs[1], ...)`, element by element.

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Input shape: a list of tensors of the same shape. Output shape: that shape.

    Example:
        >>> a, b = teachnet.Input(shape=(16,)), teachnet.Input(shape=(16,))
        >>> teachnet.layers.Minimum()([a, b]).shape
        (None, 16)
    """

    def _merge_function(self, inputs):
        return self._fold_with_masks(ops.minimum, inputs, self._masks)


class Concatenate(Layer):
    """Joins a list of inputs along one axis.

    Formula: `output = concatenate(inputs, axis)`; the gradient is split back
    into the pieces.

    Args:
        axis: the axis to join along (default -1, the features).
        **kwargs: standard layer arguments.

    Input shape: a list of tensors whose shapes agree except along `axis`.
    Output shape: the same, with the sizes along `axis` added up.

    Example:
        >>> a, b = teachnet.Input(shape=(8,)), teachnet.Input(shape=(3,))
        >>> teachnet.layers.Concatenate()([a, b]).shape
        (None, 11)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, int):
            raise TypeError(f"Received an invalid value for `axis`, expected an integer. Received: axis={axis!r}")
        self.axis = axis
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        """The inputs' masks joined as the inputs are (an input without a mask
        counts as all kept), then reduced over the last axis, as in Keras."""
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(f'Layer "{self.name}" (Concatenate): `mask` must be a list with one mask per input '
                             f"({len(inputs)}). Received: mask={mask!r}")
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = np.ones(x.shape, dtype=bool)
            m = np.asarray(m, dtype=bool)
            if m.ndim < x.ndim:
                m = np.broadcast_to(np.expand_dims(m, -1), x.shape)  # (batch, time) -> (batch, time, features)
            masks.append(m)
        return ops.convert_to_tensor(np.any(np.concatenate(masks, axis=self.axis), axis=-1))

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f'A Concatenate layer ("{self.name}") should be called on a list of at least 1 '
                             f"input. Received: input_shape={input_shape}")
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if axis is None or axis == 0 or any(len(s) != rank for s in shapes):
            raise ValueError(f'Layer "{self.name}" (Concatenate, axis={self.axis}) needs inputs of the same rank '
                             f"with axis {self.axis} a non-batch axis. Received shapes {shapes}")
        out = list(shapes[0])
        for s in shapes[1:]:
            for i, (a, b) in enumerate(zip(out, s)):
                if i == axis:
                    out[i] = None if a is None or b is None else a + b
                elif a is not None and b is not None and a != b:
                    raise ValueError(
                        f'A Concatenate layer ("{self.name}") requires inputs with matching shapes except for '
                        f"the concatenation axis {self.axis}. Received shapes {shapes[0]} and {s} "
                        f"(they differ at axis {i}).")
                elif a is None:
                    out[i] = b
        return tuple(out)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # only checks the shapes
        self.built = True

    def call(self, inputs):
        self.compute_output_shape([x.shape for x in inputs])  # a clear error if the shapes do not fit
        return ops.concatenate(list(inputs), axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Layer):
    """The dot product of two samples, along the given axes.

    Formula: for inputs of shape `(batch, n)`, `output[b] = sum_i x[b, i] * y[b, i]`,
    of shape `(batch, 1)`; in general the axis `axes[0]` of x and `axes[1]`
    of y are summed over, sample by sample. With `normalize=True` both are
    first divided by their L2 norm along those axes: the output is then the
    cosine of the angle between the samples.

    Args:
        axes: an integer, or a pair `(axis of x, axis of y)`; not the batch axis 0.
        normalize: L2-normalize along `axes` before the product.

    Input shape: a list of 2 tensors, e.g. `(batch, n)` and `(batch, n)`, or
    `(batch, n, k)` and `(batch, m, k)` with `axes=2`.
    Output shape: x's shape without `axes[0]`, then y's without the batch axis
    and `axes[1]`; `(batch, 1)` when nothing else remains.

    Example:
        >>> a, b = teachnet.Input(shape=(5, 2)), teachnet.Input(shape=(2, 5))
        >>> teachnet.layers.Dot(axes=(1, 2))([a, b]).shape
        (None, 2, 2)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # as Keras: accepts masked inputs; the output has no mask
        pair = axes if isinstance(axes, (list, tuple)) else None
        if not isinstance(axes, int) and (pair is None or len(pair) != 2 or
                                          not all(isinstance(a, int) for a in pair)):
            raise ValueError(f"Invalid format for argument `axes`: it should be an integer or a pair of "
                             f"integers. Received: axes={axes!r}")
        self.axes = axes
        self.normalize = normalize

    def _axes(self, shape1, shape2):
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        return axes[0] % len(shape1), axes[1] % len(shape2)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f'A Dot layer ("{self.name}") should be called on a list of 2 inputs. '
                             f"Received: input_shape={input_shape}")
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a, b = self._axes(shape1, shape2)
        if a == 0 or b == 0:
            raise ValueError(f'Layer "{self.name}" (Dot): `axes` cannot include the batch axis 0. '
                             f"Received: axes={self.axes}")
        if shape1[a] is not None and shape2[b] is not None and shape1[a] != shape2[b]:
            raise ValueError(f'Layer "{self.name}" (Dot): incompatible input shapes: axis values {shape1[a]} '
                             f"(at axis {a}) != {shape2[b]} (at axis {b}). Full input shapes: "
                             f"{tuple(shape1)}, {tuple(shape2)}")
        out = shape1[:a] + shape1[a + 1:] + [d for i, d in enumerate(shape2) if i not in (0, b)]
        return tuple(out + [1] if len(out) == 1 else out)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)  # only checks the shapes
        self.built = True

    def call(self, inputs):
        self.compute_output_shape([x.shape for x in inputs])  # a clear error if the shapes do not fit
        x, y = inputs
        a, b = self._axes(x.shape, y.shape)
        if self.normalize:
            x, y = _l2_normalize(x, a), _l2_normalize(y, b)
        # Bring the summed axes next to each other: x (batch, ..., k), y (batch, k, ...).
        x = ops.transpose(x, [i for i in range(x.ndim) if i != a] + [a])
        y = ops.transpose(y, [0, b] + [i for i in range(1, y.ndim) if i != b])
        batch, k = x.shape[0], x.shape[-1]
        out = ops.matmul(ops.reshape(x, (batch, -1, k)), ops.reshape(y, (batch, k, -1)))  # (batch, X, Y)
        out_shape = (batch,) + tuple(x.shape[1:-1]) + tuple(y.shape[2:])
        return ops.reshape(out, out_shape if len(out_shape) > 1 else (batch, 1))

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x, axis, epsilon=1e-7):
    """x / max(||x||, epsilon) along `axis` (Keras's `ops.normalize`)."""
    norm = ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return x / ops.maximum(norm, epsilon)


# -- function forms: `add([a, b])` is `Add()([a, b])` -------------------------

def add(inputs, **kwargs):
    """The sum of the inputs, element by element: `Add(**kwargs)(inputs)`.

    Formula:
        output = inputs[0] + inputs[1] + ...

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:
        >>> print(add([np.ones((1, 2)), np.ones((1, 2))]))
        [[2. 2.]]
    """
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """The difference `inputs[0] - inputs[1]`: `Subtract(**kwargs)(inputs)`.

    Formula:
        output = inputs[0] - inputs[1]

    Args:
        inputs: a list of exactly 2 tensors of the same shape.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:
        >>> print(subtract([np.full((1, 2), 3.0), np.ones((1, 2))]))
        [[2. 2.]]
    """
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """The product of the inputs, element by element: `Multiply(**kwargs)(inputs)`.

    Formula:
        output = inputs[0] * inputs[1] * ...

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:
        >>> print(multiply([np.full((1, 2), 3.0), np.full((1, 2), 2.0)]))
        [[6. 6.]]
    """
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """The mean of the inputs, element by element: `Average(**kwargs)(inputs)`.

    Formula:
        output = (inputs[0] + ... + inputs[n-1]) / n

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:
        >>> print(average([np.zeros((1, 2)), np.full((1, 2), 4.0)]))
        [[2. 2.]]
    """
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """The largest of the inputs, element by element: `Maximum(**kwargs)(inputs)`.

    Formula:
        output = max(inputs[0], inputs[1], ...)

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:
        >>> print(maximum([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]))
        [[3. 5.]]
    """
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """The smallest of the inputs, element by element: `Minimum(**kwargs)(inputs)`.

    Formula:
        output = min(inputs[0], inputs[1], ...)

    Args:
        inputs: a list of tensors of the same shape.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:
        >>> print(minimum([np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])]))
        [[1. 2.]]
    """
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """The inputs joined along `axis`: `Concatenate(axis, **kwargs)(inputs)`.

    Args:
        inputs: a list of tensors that agree on every axis but `axis`.
        axis: the axis to join along.
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:
        >>> concatenate([np.ones((2, 3)), np.ones((2, 1))]).shape
        (2, 4)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """The sample-wise dot product of two inputs: `Dot(axes, normalize, **kwargs)(inputs)`.

    Formula:
        output[b] = sum over the `axes` of inputs[0][b] * inputs[1][b]

    Args:
        inputs: a list of exactly 2 tensors.
        axes: an int or a pair of ints, the axes summed over (counted with the batch axis).
        normalize: L2-normalize both inputs along `axes` first (the result is then the cosine similarity).
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Example:
        >>> print(dot([np.array([[1.0, 2.0]]), np.array([[3.0, 4.0]])], axes=1))
        [[11.]]
    """
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
