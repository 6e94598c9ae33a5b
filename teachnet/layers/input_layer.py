"""`Input`: the placeholder a model starts from.

`teachnet.Input(shape=(784,))` returns a `SymbolicTensor`: it has a shape
(batch axis `None`) and a dtype but no values. Layers called on symbolic
tensors record the graph that `teachnet.Model(inputs, outputs)` turns into a
model; `Sequential([Input(shape=(784,)), ...])` reads its shape.
"""
import numpy as np

from teachnet.layers.base import Layer


class SymbolicTensor:
    """A placeholder for data: shape and dtype, and the layer that produced it.

    `history` is `(layer, node_index, tensor_index)`, as Keras's
    `_keras_history`: which call of which layer made this tensor.
    `_keras_mask` is the symbolic mask of a masked output (from
    `Embedding(mask_zero=True)`, `Masking`, ...), as in Keras; None otherwise.

    Args:
        shape: the shape, None for unknown sizes (the batch axis first).
        dtype: the dtype of the data it stands for.
        name: a name, shown in its repr.
        history: `(layer, node_index, tensor_index)` or None.

    Example:
        >>> SymbolicTensor((None, 3))
        <SymbolicTensor shape=(None, 3), dtype=float32, name=None>
    """

    _keras_mask = None

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = tuple(None if s is None else int(s) for s in shape)
        self.dtype = np.dtype(dtype)
        self.name = name
        self.history = history

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


class InputLayer(Layer):
    """The layer behind `Input`: it has no weights and passes data through.

    Args:
        shape: the shape of one sample, without the batch axis (an int for a vector).
        batch_size: a fixed batch size, or None.
        dtype: the dtype of the data (the default float dtype when None).
        sparse: must be falsy (teachnet has no sparse tensors).
        batch_shape: Keras's other spelling: the shape with its batch axis (instead of shape).
        name: the layer's name.
        **kwargs: standard layer arguments.

    Example:
        >>> InputLayer(shape=(3,)).output.shape
        (None, 3)
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
                 **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise ValueError(f'InputLayer "{self.name}": sparse inputs are not supported. Received: sparse={sparse!r}')
        if batch_shape is not None:  # Keras's other spelling: the shape with its batch axis
            if shape is not None:
                raise ValueError(f'InputLayer "{self.name}": pass `shape` or `batch_shape`, not both. Received: '
                                 f"shape={shape!r}, batch_shape={batch_shape!r}")
            batch_size, shape = tuple(batch_shape)[0], tuple(batch_shape)[1:]
        if shape is None:
            raise ValueError(f'InputLayer "{self.name}": pass `shape`, the shape of one sample, e.g. shape=(784,).')
        if isinstance(shape, int):
            shape = (shape,)
        shape = tuple(shape)
        if any(s is not None and (not isinstance(s, (int, np.integer)) or s <= 0) for s in shape):
            raise ValueError(f'InputLayer "{self.name}": every entry of `shape` must be a positive integer '
                             f"or None. Received: shape={shape}")
        self.batch_shape = (batch_size,) + shape
        # The call that "made" the input: a graph node without inputs, whose
        # output is `self.output` (teachnet/models/functional.py).
        from teachnet.models.functional import Node
        Node(self, (), {}, SymbolicTensor(self.batch_shape, self.dtype, name=self.name))
        self.built = True

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": str(self.dtype), "sparse": False, "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None):
    """A symbolic input of the given per-sample `shape` (without the batch axis).

    Layers called on it record the graph that `teachnet.Model(inputs, outputs)` turns into a model.

    Args:
        shape: the shape of one sample, e.g. (784,) or (28, 28, 1); None for sizes that vary.
        batch_size: a fixed batch size, or None.
        dtype: the dtype of the data (the default float dtype when None).
        sparse: must be falsy (teachnet has no sparse tensors).
        batch_shape: Keras's other spelling: the shape with its batch axis (instead of shape).
        name: the name of the input layer.

    Returns:
        A `SymbolicTensor` of shape (batch_size, *shape).

    Example:
        >>> x = teachnet.Input(shape=(784,))
        >>> x.shape
        (None, 784)
    """
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                      name=name).output
