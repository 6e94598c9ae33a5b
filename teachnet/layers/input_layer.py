"""`Input`: the placeholder a model starts from.

`teachnet.Input(shape=(784,))` returns a `SymbolicTensor`: it has a shape
(batch axis `None`) and a dtype but no values. Layers called on symbolic
tensors record the graph that `teachnet.Model(inputs, outputs)` turns into a
model; `Sequential([Input(shape=(784,)), ...])` reads its shape.
"""
import numpy as np

from teachnet.layers.base import Layer
from teachnet.layers.node import Node, SymbolicTensor  # noqa: F401 (SymbolicTensor: its old home)


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
        # output is `self.output` (teachnet/layers/node.py).
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
