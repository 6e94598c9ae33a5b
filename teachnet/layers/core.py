"""The core layers: Dense, Activation, Flatten, Reshape, Dropout, Lambda.

Each follows the Layer contract (see `base.py`): `__init__` stores the
configuration, `build` creates the weights, `call` is the forward math in
`teachnet.ops` (the tape differentiates it), and `compute_output_shape`
tells a model summary what comes out without running the layer.
"""
import math

import numpy as np

from teachnet import activations, initializers, ops, random, regularizers
from teachnet.layers.base import InputSpec, Layer


class Dense(Layer):
    """A densely connected layer: every output unit sees every input feature.

    Formula:
        output = activation(dot(input, kernel) + bias)

    Args:
        units: positive int, the number of outputs per sample.
        activation: a name ("relu", "softmax", ...) or callable; None is linear.
        use_bias: whether to add a bias vector.
        kernel_initializer: how the kernel starts (default "glorot_uniform").
        bias_initializer: how the bias starts (default "zeros").
        kernel_regularizer, bias_regularizer: penalties on the weights.
        activity_regularizer: a penalty on the output.
        kernel_constraint, bias_constraint: callables applied to the weight
            after each optimizer step (e.g. to keep it non-negative).

    Weights:
        kernel: (input_dim, units); bias: (units,).

    Input shape:
        (batch_size, ..., input_dim): the kernel acts on the last axis.

    Output shape:
        (batch_size, ..., units).

    Example:
        >>> layer = Dense(3, activation="relu")
        >>> layer(np.ones((2, 4))).shape
        (2, 3)
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        for arg, constraint in (("kernel_constraint", kernel_constraint), ("bias_constraint", bias_constraint)):
            if constraint is not None and not callable(constraint):
                raise TypeError(f'Layer "{self.name}": `{arg}` must be a callable weight -> weight. '
                                f"Received: {arg}={constraint!r}")
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'Layer "{self.name}" needs a known last axis (the number of features). '
                             f"Received: input_shape={tuple(input_shape)}")
        self.kernel = self.add_weight(shape=(input_dim, self.units), initializer=self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                        name="bias", regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        x = ops.matmul(inputs, self.kernel)  # (batch, ..., input_dim) @ (input_dim, units)
        if self.use_bias:
            x = x + self.bias                # (units,) broadcasts over batch and other axes
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": _name(self.activation),
                "use_bias": self.use_bias}


class Activation(Layer):
    """Applies an activation function to its input.

    Formula:
        output = activation(input)

    Args:
        activation: a name ("relu", "tanh", ...) or a callable.

    Input shape / Output shape: any, unchanged.

    Example:
        >>> print(Activation("relu")(np.array([[-1.0, 2.0]])))
        [[0. 2.]]
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": _name(self.activation)}


class Flatten(Layer):
    """Flattens each sample into a vector; the batch axis is kept.

    Formula:
        output[b] = reshape(input[b], (-1,))

    Args:
        data_format: "channels_last" (default) or "channels_first". With
            channels_first, channels are moved last before flattening, so the
            order of features matches a channels_last model (as Keras).

    Input shape:
        (batch_size, d1, ..., dn).

    Output shape:
        (batch_size, d1 * ... * dn); a rank-1 input gives (batch_size, 1).

    Example:
        >>> Flatten()(np.zeros((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError('The `data_format` argument must be one of "channels_first", "channels_last". '
                             f"Received: data_format={data_format!r}")
        self.data_format = data_format
        self.input_spec = InputSpec(min_ndim=1)
        self.built = True

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first" and x.ndim > 2:
            x = ops.transpose(x, (0,) + tuple(range(2, x.ndim)) + (1,))  # (b, c, ...) -> (b, ..., c)
        return ops.reshape(x, (x.shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape[1:])
        size = 1 if not rest else (None if any(d is None for d in rest) else math.prod(rest))
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class Reshape(Layer):
    """Reshapes each sample to `target_shape`; the batch axis is kept.

    Args:
        target_shape: a tuple of ints without the batch axis; one entry may
            be -1, inferred from the number of values.

    Input shape:
        (batch_size, ...) with as many values per sample as `target_shape`.

    Output shape:
        (batch_size, *target_shape).

    Example:
        >>> Reshape((3, 4))(np.zeros((2, 12))).shape
        (2, 3, 4)
        >>> Reshape((-1, 2, 2))(np.zeros((2, 12))).shape
        (2, 3, 2, 2)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, int):
            target_shape = (target_shape,)
        target_shape = tuple(target_shape)
        if any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or (d <= 0 and d != -1)
               for d in target_shape):
            raise ValueError("Invalid value for `target_shape`: expected positive integers and at most one -1. "
                             f"Received: target_shape={target_shape}")
        if target_shape.count(-1) > 1:
            raise ValueError("There must be at most one unknown dimension (-1) in `target_shape`. "
                             f"Received: target_shape={target_shape}")
        self.target_shape = target_shape
        self.built = True

    def _resolve(self, sample_shape):
        """target_shape with -1 replaced, given one sample's shape (None if unknown)."""
        if any(d is None for d in sample_shape):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size, known = math.prod(sample_shape), math.prod(d for d in self.target_shape if d != -1)
        if (-1 in self.target_shape and size % known) or (-1 not in self.target_shape and size != known):
            raise ValueError(f'Layer "{self.name}": the total size of the input sample shape {tuple(sample_shape)} '
                             f"({size} values) does not match target_shape={self.target_shape}.")
        return tuple(size // known if d == -1 else d for d in self.target_shape)

    def call(self, inputs):
        return ops.reshape(inputs, (inputs.shape[0],) + self._resolve(inputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape[1:]))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Dropout(Layer):
    """Randomly sets a fraction `rate` of inputs to 0 during training.

    The kept values are scaled by 1 / (1 - rate) ("inverted dropout"), so the
    expected value of each output equals its input and nothing needs to change
    at inference, where the layer passes its input through untouched.

    Formula (training=True):
        mask ~ Bernoulli(1 - rate), output = input * mask / (1 - rate)

    Args:
        rate: float in [0, 1), the fraction of inputs to drop.
        noise_shape: the shape of the mask, broadcast over the input; e.g.
            (batch_size, 1, features) drops the same features at every
            timestep. None entries take the input's size.
        seed: an int to make the masks repeatable; otherwise teachnet's
            shared generator (`teachnet.utils.set_random_seed`) is used.

    Call arguments:
        training: apply dropout only when True (`fit` sets it).

    Input shape / Output shape: any, unchanged.

    Example:
        >>> y = Dropout(0.5)(np.ones((1, 1000)), training=True)   # about half the entries dropped
        >>> sorted(set(y.numpy().ravel().tolist()))                 # the others scaled by 1 / (1 - 0.5)
        [0.0, 2.0]
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float value in [0, 1). "
                             f"Received: rate={rate}")
        if noise_shape is not None:
            noise_shape = tuple(noise_shape)
            for i, d in enumerate(noise_shape):
                if d is not None and (isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d <= 0):
                    raise ValueError("Invalid value received for argument `noise_shape`. Expected positive "
                                     f"integers or None. Received: noise_shape={noise_shape} (index {i}: {d!r})")
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = inputs.shape
        if self.noise_shape is not None:
            if len(self.noise_shape) != inputs.ndim:
                raise ValueError(f'Layer "{self.name}": noise_shape={self.noise_shape} must have the rank of '
                                 f"the input, which has shape {shape}.")
            shape = tuple(n if d is None else d for d, n in zip(self.noise_shape, shape))
        rng = self._generator if self._generator is not None else random.generator()
        keep = rng.random(shape) >= self.rate                  # True with probability 1 - rate
        keep = np.broadcast_to(keep, inputs.shape)             # a noise_shape mask repeats
        return ops.where(keep, inputs / (1 - self.rate), 0.0)  # kept values scaled up, as Keras

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


class Lambda(Layer):
    """Wraps a function of tensors as a layer (for quick, weight-free steps).

    Formula:
        output = function(input, **arguments)

    Args:
        function: a callable of the input tensor(s), written with `teachnet.ops`.
        output_shape: the output shape (without or with the batch axis), or a
            callable input_shape -> output_shape. When omitted, the shape is
            found by running `function` on a small batch of zeros.
        arguments: optional dict of keyword arguments for `function`.

    Example:
        >>> print(Lambda(lambda x: x ** 2)(np.array([[1.0, 2.0]])))
        [[1. 4.]]
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f'Layer "{self.name}": `function` must be callable. Received: function={function!r}')
        self.function = function
        self._output_shape = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        self.built = True

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        if self._output_shape is not None:
            shape = tuple(self._output_shape)
            has_batch = isinstance(input_shape, tuple) and len(shape) == len(input_shape) and shape[0] is None
            return shape if has_batch else (input_shape[0],) + shape
        # Run the function on zeros, with 2 standing in for unknown sizes.
        def zeros(shape):
            return ops.zeros(tuple(2 if d is None else d for d in shape), dtype=self.dtype)
        several = isinstance(input_shape, list)
        out = self.function([zeros(s) for s in input_shape] if several else zeros(input_shape), **self.arguments)
        batch = input_shape[0][0] if several else input_shape[0]
        return (batch,) + tuple(out.shape[1:])

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        from teachnet.saving.serialization import serialize_function  # saving sits above layers
        return {"name": self.name, "trainable": self.trainable, "dtype": str(self.dtype),
                "function": serialize_function(self.function), "output_shape": self._output_shape,
                "mask": self.mask, "arguments": self.arguments}

    @classmethod
    def from_config(cls, config, safe_mode=True):
        """Refuses a saved Python lambda unless `safe_mode=False` (its code could do anything)."""
        from teachnet.saving.serialization import deserialize_keras_object, layer_from_config  # saving sits above layers
        config = dict(config)
        function = deserialize_keras_object(config["function"], safe_mode=safe_mode)
        config["function"] = activations.get(function) if isinstance(function, str) else function
        return layer_from_config(cls, config)


def _name(fn):
    return getattr(fn, "__name__", repr(fn))
