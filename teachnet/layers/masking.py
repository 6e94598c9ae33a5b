"""`Masking`: marks the time steps whose features all equal `mask_value` as padding."""
from teachnet import ops
from teachnet.layers.base import Layer


class Masking(Layer):
    """Masks the time steps of a sequence that are only padding.

    A step where every feature equals `mask_value` is masked: the output is 0
    there, and the output carries a mask (`outputs._keras_mask`, shape
    `(batch, time)`, True = a real step) that the next layers receive: a
    recurrent layer keeps its state over masked steps, a loss and a metric
    leave them out.

    Formula:
        mask[b, t] = any over f of (x[b, t, f] != mask_value)
        output[b, t, f] = x[b, t, f] if mask[b, t] else 0

    Args:
        mask_value: the value that marks padding (0.0 by default).
        **kwargs: standard layer arguments (`name`, `dtype`, ...).

    Input shape: `(batch, time, features)` (any rank >= 2: the last axis is
        the features of one step). Output shape: the same.

    Example:
        >>> x = np.array([[[1., 2.], [0., 0.], [3., 0.]]])   # step 1 is padding
        >>> y = teachnet.layers.Masking(mask_value=0.0)(x)
        >>> y._keras_mask.numpy()
        array([[ True, False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)  # (batch, time, 1)
        outputs = ops.where(keep, inputs, 0.0)   # masked steps become 0, and pass no gradient
        outputs._keras_mask = ops.squeeze(keep, axis=-1)                                # (batch, time)
        return outputs

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
