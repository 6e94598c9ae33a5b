"""`Sequential`: a stack of layers, each feeding the next."""
import numpy as np

from teachnet import ops
from teachnet.layers.base import Layer, run_build
from teachnet.layers.input_layer import Input, InputLayer
from teachnet.layers.node import SymbolicTensor, _symbolic_outputs
from teachnet.models.model import Model
from teachnet.models.summary import params_text, print_summary, shape_text


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
        self._build_input_shape = None
        self._symbolic = None  # (input, output) once asked for: see _symbolic_graph
        if isinstance(layers, (Layer, SymbolicTensor)):
            raise TypeError(f'Sequential "{self.name}" takes a list of layers. Received: layers={layers!r}, one '
                            f"{type(layers).__name__}, not a list. Write Sequential([layer]) (square brackets), "
                            "or Sequential() and then model.add(layer).")
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
                                 f"shape {self._input_layer.batch_shape}. Received: another Input, of shape "
                                 f"{layer.batch_shape}. You cannot add a different Input layer to it.")
            if self._tracked_layers:
                raise ValueError(f'Sequential model "{self.name}" expects its Input first, before any layer. '
                                 f"Received: an Input after the layers {[l.name for l in self._tracked_layers]}. "
                                 "Start the model with the Input.")
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
        elif self._build_input_shape is not None:  # built from data before: Keras keeps that input shape
            self.build(self._build_input_shape)

    def build(self, input_shape=None):
        """Creates every layer's weights by passing the shape down the stack."""
        if input_shape is None:
            raise ValueError(f'Sequential model "{self.name}" cannot be built without an input shape: start '
                             "it with teachnet.Input(shape=...), pass input_shape= to the first layer, or call "
                             "it on data.")
        shape = (None,) + tuple(input_shape)[1:]
        self._build_input_shape, self._symbolic = shape, None
        for layer in self._tracked_layers:
            _check_one_input(layer, shape)
            layer._check_input_spec(shape)  # e.g. a Dense built for another feature count
            if not layer.built:
                run_build(layer, shape)
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

    @property
    def inputs(self):
        """The model's symbolic inputs as a list (one `Input`), once its input shape is known."""
        return [self._symbolic_graph("inputs")[0]]

    @property
    def outputs(self):
        """The model's symbolic outputs as a list, once its input shape is known."""
        return [self._symbolic_graph("outputs")[1]]

    @property
    def input(self):
        """The model's symbolic input, e.g. for `Model(model.input, model.layers[-2].output)`."""
        return self._symbolic_graph("input")[0]

    @property
    def output(self):
        """The model's symbolic output."""
        return self._symbolic_graph("output")[1]

    def _symbolic_graph(self, what):
        """(input, output): the stack called once on an `Input` of the built
        shape, as Keras's Sequential keeps a functional model inside, so each
        layer's `.input` / `.output` work too (feature extractors)."""
        if not self.built or self._build_input_shape is None or not self._tracked_layers:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet: start it with "
                                 "teachnet.Input(shape=...), or build it (call it on data, or model.build(shape)).")
        if self._symbolic is None:
            x = self._input_layer.output if self._input_layer is not None else \
                Input(batch_shape=self._build_input_shape)
            y = x
            for layer in self._tracked_layers:
                y = layer(y)
            self._symbolic = (x, y)
        return self._symbolic

    def call(self, inputs, training=None, mask=None):
        if mask is not None:  # as Keras: the mask of the data, passed down the stack with it
            inputs = ops.convert_to_tensor(inputs)
            inputs._keras_mask = mask
        if self._input_layer is not None:  # as Keras: an Input fixes the rank of the data
            expected = self._input_layer.batch_shape
            shape = tuple(getattr(inputs, "shape", None) or np.shape(inputs))
            if len(shape) == len(expected) + 1 and shape[-1] == 1:  # a trailing axis of size 1 may be extra
                inputs, shape = ops.squeeze(inputs, axis=-1), shape[:-1]
            elif len(shape) == len(expected) - 1 and expected[-1] == 1:  # ... or missing
                inputs, shape = ops.expand_dims(inputs, axis=-1), shape + (1,)
            if len(shape) != len(expected):
                raise ValueError(f'Sequential model "{self.name}" expects input of shape '
                                 f"{self._input_layer.batch_shape} (rank {len(self._input_layer.batch_shape)}). "
                                 f"Received: input of shape {shape} (rank {len(shape)}).")
        x = inputs
        for layer in self._tracked_layers:
            x = layer(x, training=training)
        return x

    def compute_mask(self, inputs, mask=None):
        return None  # the layers inside have already put their masks on the outputs

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._tracked_layers:
            _check_one_input(layer, shape)
            layer._check_input_spec(shape)  # a symbolic Input of the wrong width fails as data would
            shape = _output_shape(layer, shape)
        return shape

    def get_config(self):
        """Keras's config: name, the layers' configs (the Input first), the build shape."""
        from teachnet.saving.model_config import sequential_config  # saving sits above models
        return sequential_config(self)

    @classmethod
    def from_config(cls, config):
        # saving sits above models (it imports this module): a top-level import would be a cycle
        from teachnet.saving.model_config import sequential_from_config
        return sequential_from_config(cls, config)

    def get_build_config(self):
        return None if self.input_shape is None else {"input_shape": list(self.input_shape)}

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        """Prints Keras 3's table: each layer, its output shape and parameter count."""
        rows = [(f"{layer.name} ({type(layer).__name__})", shape_text(self._output_shapes.get(id(layer))),
                 params_text(layer)) for layer in self._tracked_layers]
        print_summary(self, rows, print_fn=print_fn)


def _output_shape(layer, input_shape):
    """The layer's output shape: `compute_output_shape` when the layer defines
    it, else found by running the layer on zeros (the functional API's rule,
    teachnet/layers/node.py)."""
    out = _symbolic_outputs(layer, SymbolicTensor(input_shape, layer.dtype), input_shape, (), {})
    if isinstance(out, (list, tuple)):  # e.g. LSTM(return_state=True): Keras lets the last layer do this
        return [tensor.shape for tensor in out]
    return out.shape


def _check_one_input(layer, shape):
    """A layer after one with several outputs would get them all: refused, as Keras does, saying what to do."""
    if isinstance(shape, list):
        raise ValueError(f'Layer "{layer.name}" expects 1 input, but the layer before it in the Sequential model '
                         f"returns {len(shape)} tensors. Received: shapes {shape_text(shape)}. A Sequential model "
                         "passes one tensor from layer to layer: keep only the output you need (e.g. LSTM without "
                         "return_state), or build this model with the functional API.")
