"""Embedding: turns token ids into learned vectors."""
import numpy as np

from teachnet import ops
from teachnet.autodiff import Tensor
from teachnet.layers.base import Layer


class Embedding(Layer):
    """Looks up one learned vector of `output_dim` numbers per token id.

    Formula: `outputs[..., :] = embeddings[inputs[...], :]` (row `id` of the
    `(input_dim, output_dim)` table; the gradient of a row is the sum of the
    gradients of every position that looked it up).

    Args:
        input_dim: size of the vocabulary: ids lie in `[0, input_dim)`.
        output_dim: length of each vector.
        embeddings_initializer: how the table starts; Keras's default
            "uniform" is U[-0.05, 0.05].
        embeddings_regularizer: optional penalty on the table.
        embeddings_constraint: optional constraint on the table.
        mask_zero: when True, id 0 means "padding": the output carries a mask
            (`outputs._keras_mask`, True where the id is not 0) that recurrent
            layers use to skip padded steps. Then id 0 cannot be a real token,
            so `input_dim` should be the vocabulary size + 1.

    Input shape: integer array `(batch, ...)`, e.g. `(batch, sequence_length)`.
    Output shape: `(batch, ..., output_dim)`.

    Example:
        >>> layer = teachnet.layers.Embedding(1000, 8, mask_zero=True)
        >>> out = layer(np.array([[4, 20, 0]]))
        >>> out.shape, out._keras_mask.numpy()
        ((1, 3, 8), array([[ True,  True, False]]))
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, **kwargs):
        kwargs.pop("input_length", None)  # Keras 2 argument; Keras 3 ignores it too
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Received an invalid value for `{arg}` of Embedding layer \"{self.name}\", "
                                 f"expected a positive integer. Received: {arg}={value!r}")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        # Keras's "uniform" is RandomUniform(-0.05, 0.05).
        self.embeddings_initializer = "random_uniform" if embeddings_initializer == "uniform" \
            else embeddings_initializer
        self.embeddings_regularizer = embeddings_regularizer
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), name="embeddings",
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def _ids(self, inputs):
        ids = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs)
        if ids.dtype.kind == "f":
            if not np.all(ids == np.round(ids)):
                raise ValueError(f'Embedding layer "{self.name}" expects integer token ids. Received: '
                                 f"non-integer values such as {ids[ids != np.round(ids)].flat[0]}.")
            ids = ids.astype(np.int64)
        elif ids.dtype.kind not in "iu":
            raise TypeError(f'Embedding layer "{self.name}" expects integer token ids. Received: an array of '
                            f"dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            bad = ids.min() if ids.min() < 0 else ids.max()
            raise ValueError(f'Embedding layer "{self.name}" expects token ids in [0, {self.input_dim}) '
                             f"(input_dim={self.input_dim}). Received: the id {bad}. Increase input_dim to "
                             "the vocabulary size (+1 when mask_zero=True) or fix the data.")
        return ids

    def call(self, inputs):
        return ops.take(self.embeddings, self._ids(inputs), axis=0)  # (batch, ..., output_dim)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return Tensor(self._ids(inputs) != 0)  # (batch, ...): True where there is a real token

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": self.embeddings_initializer, "mask_zero": self.mask_zero}
