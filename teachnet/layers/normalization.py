"""BatchNormalization: re-centers and re-scales activations with batch statistics."""
import numpy as np

from teachnet import ops
from teachnet.layers.base import InputSpec, Layer


class BatchNormalization(Layer):
    """Normalizes each feature to zero mean and unit variance, then scales and shifts it.

    Formula:
        training:  mean, variance = moments of this batch (over every axis but `axis`)
                   moving_mean     = moving_mean * momentum + mean * (1 - momentum)
                   moving_variance = moving_variance * momentum + variance * (1 - momentum)
        inference: mean, variance = moving_mean, moving_variance
        output = gamma * (x - mean) / sqrt(variance + epsilon) + beta

    The variance is the biased one (divided by n), as Keras. In training the
    gradient also flows through the batch mean and variance.

    Args:
        axis: the feature axis (default -1, channels last).
        momentum: how slowly the moving statistics follow the batches (0.99).
        epsilon: added to the variance to avoid dividing by zero (1e-3).
        center: learn an offset `beta` (True). scale: learn a factor `gamma` (True).
        beta_initializer ("zeros"), gamma_initializer ("ones"),
        moving_mean_initializer ("zeros"), moving_variance_initializer ("ones"),
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as Keras.

    Weights (Keras's order): gamma, beta (trainable), moving_mean,
    moving_variance (non-trainable), each of shape `(input_shape[axis],)`.

    Call: `layer(x, training=None, mask=None)`: batch statistics only when
    `training=True` and the layer is trainable (a frozen BatchNormalization
    runs in inference mode, as Keras 3). A mask `(batch, ...)` one axis shorter
    than x leaves masked positions out of the batch statistics.

    Example:
        >>> bn = teachnet.layers.BatchNormalization()
        >>> y = bn(np.random.rand(32, 4) * 10, training=True)
        >>> bool(np.allclose(y.numpy().mean(axis=0), 0.0, atol=1e-3))   # each feature centred on the batch
        True
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, (int, np.integer)):
            raise TypeError(f'BatchNormalization "{self.name}": `axis` must be an integer. Received: axis={axis!r}')
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f'BatchNormalization "{self.name}": `momentum` must lie in [0, 1]. '
                             f"Received: momentum={momentum}")
        if epsilon <= 0:
            raise ValueError(f'BatchNormalization "{self.name}": `epsilon` must be positive. '
                             f"Received: epsilon={epsilon}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f'BatchNormalization "{self.name}": axis {self.axis} is out of bounds for input shape '
                             f"{tuple(input_shape)}. Received: axis={self.axis}")
        axis = self.axis % ndim
        if input_shape[axis] is None:
            raise ValueError(f'BatchNormalization "{self.name}": the size of axis {self.axis} must be known. '
                             f"Received: input_shape={tuple(input_shape)}")
        shape = (input_shape[axis],)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean", initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer, trainable=False)
        self.input_spec = InputSpec(ndim=ndim, axes={axis: input_shape[axis]})
        self._reduction_axes = tuple(a for a in range(ndim) if a != axis)
        # Parameters of shape (C,) broadcast against x once reshaped to (C, 1, ..., 1) from `axis` on.
        self._param_shape = (input_shape[axis],) + (1,) * (ndim - 1 - axis)
        self.built = True

    def _moments(self, x, mask):
        """Mean and (biased) variance over every axis but `axis`, shaped to broadcast against x."""
        if mask is None:
            mean = ops.mean(x, axis=self._reduction_axes, keepdims=True)
            variance = ops.mean(ops.square(x - mean), axis=self._reduction_axes, keepdims=True)
            return mean, variance
        mask = np.asarray(getattr(mask, "data", mask), dtype=bool)
        if mask.ndim != x.ndim - 1:
            raise ValueError("The mask provided should be one dimension less than the inputs. Received: "
                             f"mask.shape={mask.shape}, inputs.shape={x.shape}")
        weights = np.broadcast_to(mask[..., None], x.shape).astype(x.dtype)
        count = weights.sum(axis=self._reduction_axes, keepdims=True) + 1e-7  # Keras adds backend.epsilon()
        mean = ops.sum(x * weights, axis=self._reduction_axes, keepdims=True) / count
        variance = ops.sum(ops.square((x - mean) * weights), axis=self._reduction_axes, keepdims=True) / count
        return mean, variance

    def call(self, inputs, training=None, mask=None):
        if training and self.trainable:
            mean, variance = self._moments(inputs, mask)
            batch_mean, batch_variance = mean.numpy().reshape(-1), variance.numpy().reshape(-1)
            self.moving_mean.assign(self.moving_mean.numpy() * self.momentum + batch_mean * (1.0 - self.momentum))
            self.moving_variance.assign(self.moving_variance.numpy() * self.momentum
                                        + batch_variance * (1.0 - self.momentum))
        else:
            mean = ops.reshape(self.moving_mean, self._param_shape)
            variance = ops.reshape(self.moving_variance, self._param_shape)
        inv = 1.0 / ops.sqrt(variance + self.epsilon)                       # 1 / std, broadcasts over x
        if self.gamma is not None:
            inv = inv * ops.reshape(self.gamma, self._param_shape)
        offset = -mean * inv                                                # x * inv + offset = gamma (x - mean) / std
        if self.beta is not None:
            offset = offset + ops.reshape(self.beta, self._param_shape)
        return inputs * inv + offset

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale}


class LayerNormalization(Layer):
    """Normalizes each sample over its feature axis (or axes), then scales and shifts it.

    Unlike BatchNormalization, the statistics come from the sample itself, not
    from the batch, so training and inference compute the same thing and the
    batch size does not matter (the normalization of Transformers).

    Formula:
        mean, variance = moments of x over `axis`, per sample (biased variance)
        output = gamma * (x - mean) / sqrt(variance + epsilon) + beta

    Args:
        axis: int or list of ints, the axes normalized together (default -1).
        epsilon: added to the variance to avoid dividing by zero (1e-3).
        center: learn an offset `beta` (True). scale: learn a factor `gamma` (True).
        beta_initializer ("zeros"), gamma_initializer ("ones"),
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as Keras.

    Weights (Keras's order): gamma, beta, each of shape `input_shape[axis]`
    (one entry per normalized axis).

    Input shape / Output shape: any, unchanged.

    Example:
        >>> y = teachnet.layers.LayerNormalization()(np.array([[1.0, 2.0, 3.0]]))
        >>> np.round(y.numpy(), 3)   # mean 0, variance ~1 within the sample
        array([[-1.224,  0.   ,  1.224]], dtype=float32)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        if kwargs.pop("rms_scaling", False):  # deprecated in Keras 3 (it scaled by the variance, not the RMS)
            raise ValueError("LayerNormalization: `rms_scaling=True` is deprecated in Keras 3 and not supported "
                             "by teachnet. Use rms_scaling=False.")
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        if not (isinstance(axis, (int, np.integer)) or (isinstance(axis, list)
                                                          and all(isinstance(a, (int, np.integer)) for a in axis))):
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis!r}")
        self.axis, self.epsilon, self.center, self.scale = axis, epsilon, bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.supports_masking = True
        self.gamma = self.beta = None

    def _axes(self, input_shape):
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"Axis {a} is out of bounds for input shape {tuple(input_shape)}. "
                                 f"Received: axis={self.axis}")
        return sorted(a % ndim for a in axes)

    def build(self, input_shape):
        axes = self._axes(input_shape)
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(f'LayerNormalization "{self.name}": the size of the normalized axes {axes} must be '
                             f"known. Received: input_shape={tuple(input_shape)}")
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer, constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer, constraint=self.beta_constraint)
        self.built = True

    def call(self, inputs):
        axes = tuple(self._axes(inputs.shape))
        # gamma and beta have one entry per normalized axis; 1 on the others makes them broadcast.
        param_shape = tuple(inputs.shape[a] if a in axes else 1 for a in range(inputs.ndim))
        mean = ops.mean(inputs, axis=axes, keepdims=True)
        variance = ops.mean(ops.square(inputs - mean), axis=axes, keepdims=True)
        outputs = (inputs - mean) / ops.sqrt(variance + self.epsilon)
        if self.gamma is not None:
            outputs = outputs * ops.reshape(self.gamma, param_shape)
        if self.beta is not None:
            outputs = outputs + ops.reshape(self.beta, param_shape)
        return outputs

    def compute_output_shape(self, input_shape):
        self._axes(input_shape)
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "rms_scaling": False, "beta_initializer": self.beta_initializer,
                "gamma_initializer": self.gamma_initializer, "beta_regularizer": self.beta_regularizer,
                "gamma_regularizer": self.gamma_regularizer, "beta_constraint": self.beta_constraint,
                "gamma_constraint": self.gamma_constraint}
