"""Activation layers: ReLU, LeakyReLU, ELU, Softmax and PReLU.

Each is an activation function (see `teachnet.activations`) wrapped as a
layer, so it can sit in a Sequential model between other layers and carry
its own arguments (a slope, a ceiling, an axis). Only PReLU has a weight:
its negative slope is learned.
"""
import numpy as np

from teachnet import activations, initializers, ops, regularizers
from teachnet.layers.base import InputSpec, Layer


class ReLU(Layer):
    """The rectified linear unit as a layer, with Keras's optional ceiling, slope and threshold.

    Formula:
        output = max_value                        if x >= max_value
        output = x                                if threshold <= x < max_value
        output = negative_slope * (x - threshold) otherwise

    Args:
        max_value: float >= 0, the largest output; None (default) for no limit.
        negative_slope: float >= 0, the slope below the threshold (default 0).
        threshold: float >= 0, where the output stops being damped (default 0).

    Input shape / Output shape: any, unchanged.

    Example:
        >>> print(ReLU(max_value=6.0)(np.array([[-1.0, 3.0, 9.0]])))
        [[0. 3. 6.]]
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be None or a negative value. "
                             f"Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError("threshold of a ReLU layer cannot be None or a negative value. "
                             f"Received: threshold={threshold}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                                threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(Layer):
    """A ReLU that lets a small slope through for negative inputs.

    Formula:
        output = x                   if x > 0
        output = negative_slope * x  otherwise

    Args:
        negative_slope: float >= 0, the slope for x <= 0 (default 0.3, Keras's
            layer default; the function `activations.leaky_relu` uses 0.2).
            The old name `alpha` is accepted too.

    Input shape / Output shape: any, unchanged.

    Example:
        >>> print(LeakyReLU(negative_slope=0.1)(np.array([[-2.0, 3.0]])))
        [[-0.2  3. ]]
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:  # Keras 2's name for the same argument
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                             f"Expected a float. Received: negative_slope={negative_slope}")
        self.negative_slope = negative_slope
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    """The exponential linear unit: smooth below zero, saturating at -alpha.

    Formula:
        output = x                      if x > 0
        output = alpha * (exp(x) - 1)   otherwise

    Args:
        alpha: float, the value the output approaches for large negative x (default 1.0).

    Input shape / Output shape: any, unchanged.

    Example:
        >>> print(ELU()(np.array([[-1.0, 2.0]])))
        [[-0.63212055  2.        ]]
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """Turns scores into probabilities along `axis`; masked positions get probability 0.

    Formula:
        output = exp(x) / sum(exp(x), axis)
        with a mask: x is replaced by -1e9 where the mask is False before the
        softmax, and the output by 0 there after it.

    Args:
        axis: int or tuple of ints, the axis (or axes) that sum to 1 (default -1).

    Call arguments:
        mask: optional booleans broadcastable to the input; False leaves a
            position out (e.g. padding in attention scores).

    Input shape / Output shape: any, unchanged.

    Example:
        >>> print(Softmax()(np.array([[1.0, 1.0]])))
        [[0.5 0.5]]
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = np.asarray(getattr(mask, "data", mask))
            if mask.ndim > inputs.ndim or any(m != 1 and m != i for m, i in zip(mask.shape[::-1],
                                                                                 inputs.shape[::-1])):
                raise ValueError(f'Layer "{self.name}": the `mask` must be broadcastable to `inputs` (each mask '
                                 "axis 1 or the input's size, counted from the last). Received: "
                                 f"inputs.shape={tuple(inputs.shape)}, mask.shape={mask.shape}")
            mask = mask if mask.dtype == bool else mask > 0.5
            inputs = ops.where(mask, inputs, -1e9)  # exp(-1e9 - max) is 0: no weight on masked positions
        if isinstance(self.axis, (tuple, list)) and len(self.axis) > 1:
            axis = tuple(self.axis)                # several axes: exp(x - logsumexp over them)
            outputs = ops.exp(inputs - ops.logsumexp(inputs, axis=axis, keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (tuple, list)) else self.axis
            outputs = ops.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.where(mask, outputs, 0.0)  # a fully masked row gives zeros, not 1/n
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(Layer):
    """A leaky ReLU whose negative slope `alpha` is learned, one per input value.

    Formula:
        output = x           if x > 0
        output = alpha * x   otherwise

    Args:
        alpha_initializer: how alpha starts (default "Zeros": a plain ReLU).
        alpha_regularizer, alpha_constraint: a penalty and a constraint on alpha.
        shared_axes: axis or axes (1 = the first after the batch) along which
            one slope is shared; e.g. `shared_axes=[1, 2]` for images gives one
            slope per channel, as in the PReLU paper.

    Weights:
        alpha: the input shape without the batch axis, with 1 on the shared axes.

    Input shape / Output shape: any, unchanged.

    Example:
        >>> layer = PReLU(alpha_initializer=teachnet.initializers.Constant(0.25))
        >>> print(layer(np.array([[-4.0, 2.0]])))
        [[-1.  2.]]
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = alpha_initializer
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = alpha_constraint
        if shared_axes is None:
            self.shared_axes = None
        else:
            self.shared_axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
        self.supports_masking = True

    def build(self, input_shape):
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis < len(input_shape):
                raise ValueError(f'Layer "{self.name}": each of `shared_axes` must be an axis after the batch '
                                 f"axis, between 1 and {len(input_shape) - 1}. Received: shared_axes="
                                 f"{self.shared_axes} for input shape {tuple(input_shape)}")
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f'Layer "{self.name}" needs a known size for every axis that is not shared. '
                             f"Received: input_shape={tuple(input_shape)}. Share the unknown axes with "
                             "`shared_axes`.")
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=initializers.get(self.alpha_initializer),
                                     regularizer=self.alpha_regularizer, constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape)) if i not in (self.shared_axes or [])}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return ops.relu(inputs) - self.alpha * ops.relu(-inputs)   # alpha (*param_shape) broadcasts over batch

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        # Objects as given (names or initializer objects): teachnet.saving writes them as Keras does.
        return {**super().get_config(), "alpha_initializer": self.alpha_initializer,
                "alpha_regularizer": self.alpha_regularizer, "alpha_constraint": self.alpha_constraint,
                "shared_axes": self.shared_axes}
