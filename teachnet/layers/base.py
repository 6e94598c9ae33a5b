"""The Layer: state (weights) plus a forward computation.

The contract is Keras's:

- `__init__` stores configuration (units, activation, ...), nothing else;
- `build(input_shape)` creates the weights with `add_weight`, once the input
  shape is known;
- `call(inputs, training=None)` is the forward pass, written with
  `teachnet.ops`. There is no backward code: the GradientTape differentiates
  whatever `call` computes.

The first `layer(x)` calls `build(x.shape)` for you (automatic shape inference).
"""
import inspect
import re

import numpy as np

from teachnet.autodiff import Tensor, Variable
from teachnet import initializers as initializers_module
from teachnet import regularizers as regularizers_module

_NAME_COUNTS = {}


def unique_name(prefix):
    """`dense`, then `dense_1`, `dense_2`, ... as Keras names layers."""
    n = _NAME_COUNTS.get(prefix, 0)
    _NAME_COUNTS[prefix] = n + 1
    return prefix if n == 0 else f"{prefix}_{n}"


def clear_session(free_memory=True):
    """Resets automatic names (the next Dense is `dense` again).

    `free_memory` is accepted for Keras compatibility: there is no backend
    graph to free here."""
    _NAME_COUNTS.clear()


def snake_case(name):
    # Keras's rule: "Conv2D" -> "conv2d", "MaxPooling2D" -> "max_pooling2d", "SimpleRNN" -> "simple_rnn".
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])", "_", name).lower()


class InputSpec:
    """What a built layer accepts: a rank and fixed sizes for some axes."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None, name=None):
        self.dtype, self.name = dtype, name
        self.shape = None if shape is None else tuple(shape)  # a full shape, None where any size goes
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim, self.axes = max_ndim, min_ndim, axes or {}

    def check(self, layer, shape):
        def fail(expected):
            raise ValueError(f'Input of layer "{layer.name}" is incompatible with the layer: '
                             f"expected {expected}, but received input with shape {tuple(shape)}.")
        if self.ndim is not None and len(shape) != self.ndim:
            fail(f"ndim={self.ndim}")
        if self.min_ndim is not None and len(shape) < self.min_ndim:
            fail(f"min_ndim={self.min_ndim}")
        if self.max_ndim is not None and len(shape) > self.max_ndim:
            fail(f"max_ndim={self.max_ndim}")
        if self.shape is not None and any(e is not None and r is not None and e != r
                                          for e, r in zip(self.shape, shape)):
            fail(f"shape={self.shape}")
        for axis, size in self.axes.items():
            if size is not None and shape[axis] is not None and shape[axis] != size:
                expected = list(shape)
                expected[axis] = size
                fail(f"axis {axis} of input shape to have value {size} (an input of shape {tuple(expected)})")


class Layer:
    """Base class of all layers. Subclass it and define `build` and `call`.

    Args:
        name: a unique name; generated from the class name when omitted.
        trainable: whether the layer's weights are updated by training.
        dtype: the dtype of weights and floating inputs, float32 by default.
        activity_regularizer: a penalty on the layer's output (see
            `teachnet.regularizers`), divided by the batch size as in Keras.

    Example:
        >>> class SimpleDense(teachnet.layers.Layer):
        ...     def __init__(self, units):
        ...         super().__init__()
        ...         self.units = units
        ...     def build(self, input_shape):
        ...         self.W = self.add_weight(shape=(input_shape[-1], self.units))
        ...         self.b = self.add_weight(shape=(self.units,), initializer="zeros")
        ...     def call(self, inputs):
        ...         return teachnet.ops.matmul(inputs, self.W) + self.b
    """

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, activity_regularizer=None,
                 **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}.")
        self._tracked_layers = []
        self._own_weights = []
        self._losses = []
        self._inbound_nodes = []  # calls on symbolic tensors (see teachnet/models/functional.py)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = np.dtype(dtype or "float32")
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        # `Dense(32, input_shape=(784,))` as first layer of a Sequential.
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)
        # A penalty on the layer's output, added to `losses` after each call.
        self.activity_regularizer = regularizers_module.get(activity_regularizer)

    # -- tracking: weights and sub-layers assigned as attributes ---------------
    def __setattr__(self, name, value):
        if not name.startswith("_") and hasattr(self, "_tracked_layers"):
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                if isinstance(v, Layer) and v is not self and not any(v is t for t in self._tracked_layers):
                    self._tracked_layers.append(v)
        super().__setattr__(name, value)

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._tracked_layers:
            layer.trainable = value

    @property
    def weights(self):
        """All weights: this layer's (trainable first, as created), then sub-layers'."""
        own_t = [w for w in self._own_weights if w.trainable]
        own_n = [w for w in self._own_weights if not w.trainable]
        return _unique(own_t + own_n + [w for layer in self._tracked_layers for w in layer.weights])

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        own = [w for w in self._own_weights if w.trainable]
        return _unique(own + [w for layer in self._tracked_layers for w in layer.trainable_weights])

    @property
    def non_trainable_weights(self):
        trainable_ids = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable_ids]

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    @property
    def layers(self):
        return list(self._tracked_layers)

    def add_weight(self, shape=None, initializer="glorot_uniform", dtype=None, trainable=True,
                   name=None, regularizer=None, constraint=None):
        """Creates a weight, initializes it and tracks it.

        Args:
            shape: a tuple of ints.
            initializer: a name ("glorot_uniform", "zeros", ...), an
                Initializer or a callable `(shape, dtype) -> array`.
            trainable: whether optimizers update it.
            name: shown in error messages and summaries.
            regularizer: a callable of the weight whose result is added to
                the loss (see `teachnet.regularizers`).
        """
        shape = () if shape is None else tuple(int(s) for s in shape)
        if any(s < 0 for s in shape):
            raise ValueError(f'Layer "{self.name}": cannot create weight {name!r} with negative shape {shape}.')
        dtype = np.dtype(dtype or self.dtype)
        init = initializers_module.get(initializer)
        value = init(shape, dtype=dtype)
        w = Variable(np.asarray(value, dtype=dtype), trainable=trainable,
                     name=name or f"variable_{len(self._own_weights)}", dtype=dtype)
        w.path = f"{self.name}/{w.name}"
        w.regularizer = regularizers_module.get(regularizer)
        w.constraint = constraint
        w.initializer = init  # kept so that a fresh draw is possible (e.g. a dashboard's Reset)
        self._own_weights.append(w)
        return w

    # -- the forward pass --------------------------------------------------------
    def build(self, input_shape):
        """Creates the weights. Layers without weights need not override it."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not define call(inputs). "
                                  "Subclasses of Layer must implement it.")

    def compute_mask(self, inputs, mask=None):
        """The mask of the output: passed through where the layer supports masking."""
        return mask if self.supports_masking else None

    def _cast_input(self, x):
        if isinstance(x, Tensor):
            if x.dtype.kind == "f" and x.dtype != self.dtype:
                from teachnet import ops
                return ops.cast(x, self.dtype)
            return x
        if isinstance(x, (list, tuple, dict)):
            return x
        a = np.asarray(x)
        if a.dtype.kind in "fb" or a.dtype == object:
            a = a.astype(self.dtype)
        return Tensor(a)

    def __call__(self, inputs, *args, **kwargs):
        if _any_symbolic(inputs, args, kwargs):
            # Called on `teachnet.Input`s (the functional API): record the call
            # in the model's graph instead of computing.
            from teachnet.models.functional import symbolic_call
            return symbolic_call(self, inputs, args, kwargs)
        if isinstance(inputs, (list, tuple)):
            inputs = type(inputs)(self._cast_input(x) for x in inputs)
            shapes = [tuple(x.shape) for x in inputs]
        elif isinstance(inputs, dict):
            inputs = {k: self._cast_input(x) for k, x in inputs.items()}
            shapes = {k: tuple(x.shape) for k, x in inputs.items()}
        else:
            inputs = self._cast_input(inputs)
            shapes = tuple(inputs.shape)
        if not self.built:
            self._check_input_spec(shapes)  # before build, so no weight gets a wrong shape
            self._build_shapes_for_config = shapes  # what get_build_config reports
            self.build(shapes)
            self.built = True
        self._check_input_spec(shapes)
        accepted = _call_arguments(type(self))
        mask = getattr(inputs, "_keras_mask", None)
        if mask is not None and "mask" in accepted and "mask" not in kwargs:
            kwargs["mask"] = mask
        if "training" in kwargs and "training" not in accepted and not _has_var_kwargs(type(self)):
            kwargs.pop("training")
        outputs = self._call_and_collect_losses(inputs, *args, **kwargs)
        if mask is not None or self.supports_masking:
            out_mask = self.compute_mask(inputs, mask)
            if out_mask is not None and isinstance(outputs, Tensor):
                outputs._keras_mask = out_mask
            elif isinstance(out_mask, (list, tuple)) and isinstance(outputs, (list, tuple)):
                for output, m in zip(outputs, out_mask):  # e.g. [sequence mask, None, None]
                    if m is not None and isinstance(output, Tensor):
                        output._keras_mask = m
        return outputs

    def _check_input_spec(self, shapes):
        if self.input_spec is not None and not isinstance(shapes, (list, dict)):
            self.input_spec.check(self, shapes)

    def _call_and_collect_losses(self, inputs, *args, **kwargs):
        """Runs `call`. The outermost layer call first forgets the `add_loss`
        terms of the previous call (of itself and all sub-layers), so
        `losses` always describes the latest forward pass, as in Keras."""
        if not _CALL_STACK:
            self._clear_losses()
        _CALL_STACK.append(self)
        try:
            outputs = self.call(inputs, *args, **kwargs)
        finally:
            _CALL_STACK.pop()
        if self.activity_regularizer is not None:
            for out in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
                if isinstance(out, Tensor):
                    penalty = self.activity_regularizer(out)
                    # Per sample, so its weight does not change with the batch size.
                    self.add_loss(penalty / out.shape[0] if out.ndim > 0 else penalty)
        return outputs

    def _clear_losses(self):
        self._losses = []
        for layer in self._tracked_layers:
            layer._clear_losses()

    # -- the graph of a functional model ------------------------------------------
    @property
    def input(self):
        """The symbolic input(s) of this layer's first call on symbolic tensors."""
        inputs = self._first_node("input").input_tensors
        return inputs[0] if len(inputs) == 1 else inputs

    @property
    def output(self):
        """The symbolic output(s) of this layer's first call on symbolic tensors."""
        outputs = self._first_node("output").outputs
        return outputs[0] if len(outputs) == 1 else outputs

    def _first_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f'Layer "{self.name}" has never been called on symbolic tensors '
                                 f"(teachnet.Input) and thus has no defined {what}.")
        return self._inbound_nodes[0]

    # -- weights as numpy arrays -----------------------------------------------
    def get_weights(self):
        """The current weights as a list of numpy arrays (copies), in Keras's order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights):
        """Sets the weights from a list of arrays, as returned by `get_weights`."""
        params = self.weights
        weights = list(weights)
        if len(weights) != len(params):
            raise ValueError(f'Layer "{self.name}" expects {len(params)} weight arrays '
                             f"({[p.path for p in params]}), but received {len(weights)}.")
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if w.shape != p.shape:
                raise ValueError(f'Layer "{self.name}": weight {p.path} has shape {p.shape}, '
                                 f"but the array given has shape {w.shape}.")
        for p, w in zip(params, weights):
            p.assign(np.asarray(w, dtype=p.dtype))

    def count_params(self):
        """The number of scalars in all weights."""
        if not self.built:
            raise ValueError(f'Layer "{self.name}" has no weights yet: call it on data or build() it first.')
        return int(sum(w.size for w in self.weights))

    # -- regularization -----------------------------------------------------
    def add_loss(self, loss):
        """Adds a term (a scalar tensor) to the loss of this forward pass.

        Terms are forgotten when the layer (or a model holding it) is called again.
        """
        self._losses.append(loss)

    def _add_loss_terms(self):
        terms, seen, stack = [], set(), [self]
        while stack:  # self, then sub-layers depth-first, each layer once even if shared
            layer = stack.pop(0)
            if id(layer) not in seen:
                seen.add(id(layer))
                terms += layer._losses
                stack[:0] = layer._tracked_layers
        return terms

    @property
    def losses(self):
        """Scalar terms to add to the loss, in Keras's order: `add_loss` terms
        (activity regularizers included) of this layer and its sub-layers, then
        the penalties of the regularized trainable weights, computed now."""
        penalties = [w.regularizer(w) for w in self.trainable_weights
                     if getattr(w, "regularizer", None) is not None]
        return self._add_loss_terms() + penalties

    # -- configs: the layer as data (see teachnet/saving) -----------------------------
    def get_config(self):
        """The arguments that re-create this layer (without its weights), with Keras's keys.

        Keras's layers list their arguments by hand; here the base class reads
        each `__init__` argument back from the attribute of the same name
        (`units` from `self.units`), so a layer that stores its arguments
        needs no get_config of its own. One that does not must override it.
        """
        from teachnet.saving.serialization import config_from_init  # saving sits above layers
        config = {"name": self.name, "trainable": self.trainable, "dtype": str(self.dtype)}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = self.activity_regularizer
        config.update(config_from_init(self, skip=_BASE_ARGUMENTS))
        return config

    def get_build_config(self):
        """{"input_shape": ...} the layer was built for, when known (Keras saves it to rebuild the layer)."""
        shapes = getattr(self, "_build_shapes_for_config", None)
        if not self.built or shapes is None:
            return None
        batch_free = lambda s: [None] + list(s[1:])  # noqa: E731 - the batch size is not part of the model
        if isinstance(shapes, dict):
            return {"input_shape": {k: batch_free(s) for k, s in shapes.items()}}
        if isinstance(shapes, list):
            return {"input_shape": [batch_free(s) for s in shapes]}
        return {"input_shape": batch_free(shapes)}

    def build_from_config(self, config):
        """Builds the layer for the input shape a saved build_config names (Keras's `build_config`)."""
        shape = config.get("input_shape")
        if shape is not None and not self.built:
            shape = [tuple(s) for s in shape] if shape and isinstance(shape[0], list) else tuple(shape)
            self.build(shape)
            self.built = True

    @classmethod
    def from_config(cls, config):
        """A new layer from `get_config()`'s output (or Keras's), without weights."""
        from teachnet.saving.serialization import layer_from_config  # saving sits above layers
        return layer_from_config(cls, config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


# Arguments every Layer takes, written by Layer.get_config itself (or, for input_shape, never).
_BASE_ARGUMENTS = ("name", "trainable", "dtype", "input_shape", "activity_regularizer")


def _unique(weights):
    seen, out = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


_CALL_STACK = []  # the layers whose `call` is running, outermost first


def _any_symbolic(*structures):
    """Whether a SymbolicTensor hides in the arguments (lists and dicts included)."""
    from teachnet.layers.input_layer import SymbolicTensor
    for s in structures:
        if isinstance(s, SymbolicTensor):
            return True
        if isinstance(s, dict) and _any_symbolic(*s.values()):
            return True
        if isinstance(s, (list, tuple)) and _any_symbolic(*s):
            return True
    return False


_SIGNATURES = {}


def _signature(cls):
    """(keyword names `cls.call` accepts, whether it takes **kwargs), cached per class:
    inspect.signature is too slow to run on every layer call."""
    if cls not in _SIGNATURES:
        params = inspect.signature(cls.call).parameters
        _SIGNATURES[cls] = (set(params), any(p.kind == p.VAR_KEYWORD for p in params.values()))
    return _SIGNATURES[cls]


def _call_arguments(cls):
    """The keyword names `cls.call` accepts."""
    return _signature(cls)[0]


def _has_var_kwargs(cls):
    return _signature(cls)[1]
