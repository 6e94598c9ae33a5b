"""Spatial dropout: drops whole feature maps (channels) instead of single values."""
import numpy as np

from teachnet import random
from teachnet.layers.base import Layer
from teachnet.naming import unique_name


class _SpatialDropout(Layer):
    """Shared by SpatialDropout1D and 2D: one keep/drop decision per (sample, channel)."""

    rank = None  # number of spatial axes; subclasses also define _noise_shape(shape)

    def __init__(self, rate, seed=None, name=None, **kwargs):
        # Keras's automatic name is "spatial_dropout1d", not "spatial_dropout1_d".
        super().__init__(name=name or unique_name(type(self).__name__.replace("Spatial", "spatial_").lower()),
                         **kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate!r}")
        self.rate, self.seed = float(rate), seed
        # With a seed the layer gets its own generator: reproducible, and still a new mask every call.
        self._rng = None if seed is None else np.random.default_rng(seed)
        self.supports_masking = True

    def _check(self, shape):
        if len(shape) != self.rank + 2:
            raise ValueError(f'Layer "{self.name}" expects inputs of rank {self.rank + 2}, {self._layout}. '
                             f"Received: input with shape {tuple(shape)}")

    def build(self, input_shape):
        self._check(input_shape)
        self.built = True

    def call(self, inputs, training=None):
        self._check(inputs.shape)
        if not training or self.rate == 0:
            return inputs
        rng = self._rng if self._rng is not None else random.generator()
        keep = rng.random(self._noise_shape(inputs.shape)) >= self.rate   # one draw per (sample, channel)
        scale = 0.0 if self.rate == 1 else 1.0 / (1.0 - self.rate)     # kept values grow so the mean stays
        return inputs * (keep * scale).astype(inputs.dtype)

    def get_config(self):
        config = {**super().get_config(), "rate": self.rate, "seed": self.seed}
        del config["trainable"]  # Keras's SpatialDropout takes no `trainable` argument (nothing to train)
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drops entire channels of a sequence during training, scaling the rest by 1 / (1 - rate).

    Neighbouring timesteps are strongly correlated, so dropping single values
    regularizes little; dropping a channel at every step does.

    Formula: `output = inputs * keep / (1 - rate)` with `keep ~ Bernoulli(1 - rate)`
    of shape `(batch, 1, channels)`, broadcast over the steps.

    Args:
        rate: fraction of the channels to drop, in [0, 1].
        seed: optional integer for reproducible masks.

    Input shape: `(batch, steps, channels)`; output shape: the same.

    Example:
        >>> layer = teachnet.layers.SpatialDropout1D(0.5, seed=0)
        >>> y = layer(np.ones((1, 3, 4)), training=True)   # each column all 0 or all 2
    """

    rank = 1
    _layout = "(batch, steps, channels)"

    def _noise_shape(self, shape):
        return (shape[0], 1, shape[2])


class SpatialDropout2D(_SpatialDropout):
    """Drops entire feature maps of an image batch during training, scaling the rest by 1 / (1 - rate).

    Formula: `output = inputs * keep / (1 - rate)`, `keep ~ Bernoulli(1 - rate)` of shape
    `(batch, 1, 1, channels)` (channels_last) or `(batch, channels, 1, 1)` (channels_first).

    Args:
        rate: fraction of the feature maps to drop, in [0, 1].
        data_format: "channels_last" (default) or "channels_first".
        seed: optional integer for reproducible masks.

    Input shape: `(batch, height, width, channels)` or `(batch, channels, height, width)`.

    Example:
        >>> teachnet.layers.SpatialDropout2D(0.2)(np.ones((2, 5, 5, 3)), training=True).shape
        (2, 5, 5, 3)
    """

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, name=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, **kwargs)
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f'Layer "{self.name}": `data_format` must be "channels_last" or "channels_first". '
                             f"Received: data_format={data_format!r}")
        self.data_format = data_format
        self._layout = ("(batch, height, width, channels)" if data_format == "channels_last"
                        else "(batch, channels, height, width)")

    def _noise_shape(self, shape):
        if self.data_format == "channels_last":
            return (shape[0], 1, 1, shape[3])
        return (shape[0], shape[1], 1, 1)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
