"""`Sequential`: a stack of layers, each feeding the next."""
import numpy as np

from teachnet import ops
from teachnet.layers.base import Layer
from teachnet.layers.input_layer import InputLayer, SymbolicTensor
from teachnet.models.model import Model, _params_text, _shape_text, print_summary


class Sequential(Model):
    """A model that is a plain stack of layers: the output of one is the input of the next.

    Formula:
        y = layer_n(... layer_2(layer_1(x)))

    Args:
        layers: a list of layers; may start with `teachnet.Input(shape=...)`.
        name: the model's name ("sequential", "sequential_1", ... when omitted).

    The input shape comes from an `Input` first, from `input_shape=` on the
    first layer, or from the first batch of data (weights are created then).

    Example:
        >>> model = teachnet.Sequential([
        ...     teachnet.Input(shape=(784,)),
        ...     teachnet.layers.Dense(512, activation="relu"),
        ...     teachnet.layers.Dense(10, activation="softmax"),
        ... ])
        >>> model.summary()
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(name=name, trainable=trainable)
        self._input_layer = None
        self._output_shapes = {}  # id(layer) -> output shape (batch axis None), known once built
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build()

    @property
    def output_names(self):
        return [self._tracked_layers[-1].name] if self._tracked_layers else None

    def add(self, layer, rebuild=True):
        """Appends a layer (or an `Input`) to the top of the stack."""
        if isinstance(layer, SymbolicTensor) and layer.history and isinstance(layer.history[0], InputLayer):
            layer = layer.history[0]
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `teachnet.layers.Layer` can be added to a Sequential model. "
                             f"Received: {layer!r} (of type {type(layer).__name__})")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None:
                raise ValueError(f'Sequential model "{self.name}" has already been configured to use input '
                                 f"shape {self._input_layer.batch_shape}. You cannot add a different Input "
                                 "layer to it.")
            if self._tracked_layers:
                raise ValueError(f'Sequential model "{self.name}": an Input must come first, before '
                                 f"{[l.name for l in self._tracked_layers]}.")
            self._input_layer = layer
        else:
            if any(layer is l for l in self._tracked_layers):
                raise ValueError(f'Layer "{layer.name}" is already in Sequential model "{self.name}".')
            self._tracked_layers.append(layer)
        self.built = False
        if rebuild:
            self._maybe_build()

    def pop(self, rebuild=True):
        """Removes and returns the top layer."""
        if not self._tracked_layers:
            raise IndexError(f'Sequential model "{self.name}" has no layers to pop.')
        layer = self._tracked_layers.pop()
        self._output_shapes.pop(id(layer), None)
        self.built = False
        if rebuild:
            self._maybe_build()
        return layer

    def _maybe_build(self):
        if not self._tracked_layers:
            return
        if self._input_layer is not None:
            self.build(self._input_layer.batch_shape)
        elif self._tracked_layers[0]._input_shape_arg is not None:
            self.build((None,) + self._tracked_layers[0]._input_shape_arg)

    def build(self, input_shape=None):
        """Creates every layer's weights by passing the shape down the stack."""
        if input_shape is None:
            raise ValueError(f'Sequential model "{self.name}" cannot be built without an input shape: start '
                             "it with teachnet.Input(shape=...), pass input_shape= to the first layer, or call "
                             "it on data.")
        shape = (None,) + tuple(input_shape)[1:]
        for layer in self._tracked_layers:
            layer._check_input_spec(shape)  # e.g. a Dense built for another feature count
            if not layer.built:
                layer.build(shape)
                layer.built = True
            shape = _output_shape(layer, shape)
            self._output_shapes[id(layer)] = shape
        self.built = True

    @property
    def input_shape(self):
        return self._input_layer.batch_shape if self._input_layer is not None else None

    @property
    def output_shape(self):
        return self._output_shapes.get(id(self._tracked_layers[-1])) if self._tracked_layers else None

    def call(self, inputs, training=None):
        if self._input_layer is not None:  # as Keras: an Input fixes the rank of the data
            expected = self._input_layer.batch_shape
            shape = tuple(getattr(inputs, "shape", None) or np.shape(inputs))
            if len(shape) == len(expected) + 1 and shape[-1] == 1:  # a trailing axis of size 1 may be extra
                inputs, shape = ops.squeeze(inputs, axis=-1), shape[:-1]
            elif len(shape) == len(expected) - 1 and expected[-1] == 1:  # ... or missing
                inputs, shape = ops.expand_dims(inputs, axis=-1), shape + (1,)
            if len(shape) != len(expected):
                raise ValueError(f'Sequential model "{self.name}" expects input of shape '
                                 f"{self._input_layer.batch_shape} (rank {len(self._input_layer.batch_shape)}), "
                                 f"but it received input of shape {shape} (rank {len(shape)}).")
        x = inputs
        for layer in self._tracked_layers:
            x = layer(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._tracked_layers:
            shape = _output_shape(layer, shape)
        return shape

    def get_config(self):
        """Keras's config: name, the layers' configs (the Input first), the build shape."""
        from teachnet.saving.model_config import sequential_config  # saving sits above models
        return sequential_config(self)

    @classmethod
    def from_config(cls, config):
        from teachnet.saving.model_config import sequential_from_config
        return sequential_from_config(cls, config)

    def get_build_config(self):
        return None if self.input_shape is None else {"input_shape": list(self.input_shape)}

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        """Prints Keras 3's table: each layer, its output shape and parameter count."""
        rows = [(f"{layer.name} ({type(layer).__name__})", _shape_text(self._output_shapes.get(id(layer))),
                 _params_text(layer)) for layer in self._tracked_layers]
        print_summary(self, rows, print_fn=print_fn)


def _output_shape(layer, input_shape):
    """The layer's output shape: `compute_output_shape` when the layer defines
    it, else the shape of a batch of one sample of zeros run through the layer."""
    try:
        return tuple(layer.compute_output_shape(input_shape))
    except (AttributeError, NotImplementedError):
        zeros = np.zeros((1,) + tuple(1 if s is None else s for s in input_shape[1:]), dtype=layer.dtype)
        out = layer(zeros)
        return (None,) + tuple(out.shape[1:])
