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
import warnings

import numpy as np

from teachnet.autodiff import _ACTIVE_TAPES, Tensor, Variable
from teachnet import initializers as initializers_module
from teachnet import old_names
from teachnet import ops
from teachnet import regularizers as regularizers_module
from teachnet.layers.node import SymbolicTensor, symbolic_call
from teachnet.naming import reset_names, snake_case, unique_name  # noqa: F401 (also imported from here)


def clear_session(free_memory=True):
    """Resets automatic names (the next Dense is `dense` again).

    `free_memory` is accepted for Keras compatibility: there is no backend
    graph to free here."""
    reset_names()


class InputSpec:
    """What a built layer accepts: a rank and fixed sizes for some axes.

    `Layer.__call__` checks each input's shape against the layer's `input_spec` and
    raises a ValueError naming the layer, what was expected and the shape received.

    Args:
        dtype: recorded as Keras does (not checked here).
        shape: a full shape, None where any size goes (it also fixes the rank).
        ndim: the exact rank.
        max_ndim: the largest rank.
        min_ndim: the smallest rank.
        axes: a dict {axis: size} of axes whose size is fixed.
        name: recorded as Keras does.

    Example:
        >>> spec = InputSpec(min_ndim=2, axes={-1: 4})
        >>> spec.check(teachnet.layers.Dense(3, name="d"), (None, 4))   # passes: returns None
    """

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
        input_dim = kwargs.pop("input_dim", None)  # Keras's spelling of input_shape=(input_dim,)
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}."
                            f"{old_names.hint(kwargs)}")
        self._tracked_layers = []
        self._own_weights = []
        self._losses = []
        self._inbound_nodes = []  # calls on symbolic tensors (see teachnet/models/functional.py)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = np.dtype(dtype or "float32")
        self.built = False
        self.input_spec = None
        # As Keras: a layer that defines its own `compute_mask` supports masking;
        # layers that pass a mask through unchanged (Dense, Dropout, ...) set it.
        self.supports_masking = type(self).compute_mask is not Layer.compute_mask
        # `Dense(32, input_shape=(784,))` as first layer of a Sequential.
        if input_shape is not None and not isinstance(input_shape, (tuple, list)):
            raise ValueError(
                f"{type(self).__name__}: `input_shape` must be a tuple, the shape of one sample without the batch "
                f"axis. Received: input_shape={input_shape!r}. Write input_shape=({input_shape!r},) (note the "
                "comma), or start the model with teachnet.Input(shape=(...)).")
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)
        # A penalty on the layer's output, added to `losses` after each call.
        self.activity_regularizer = regularizers_module.get(activity_regularizer)

    # -- tracking: weights and sub-layers assigned as attributes ---------------
    def __setattr__(self, name, value):
        if not name.startswith("_") and "_tracked_layers" in self.__dict__:
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                if isinstance(v, Layer) and v is not self and not any(v is t for t in self._tracked_layers):
                    self._tracked_layers.append(v)
        super().__setattr__(name, value)

    def __getattr__(self, name):
        # Only reached when normal lookup fails: a subclass whose __init__ never
        # ran Layer.__init__ lacks everything Layer.__init__ sets.
        if "_tracked_layers" not in self.__dict__ and not name.startswith("__"):
            kind = "Model" if any(c.__name__ == "Model" for c in type(self).__mro__) else "Layer"
            raise RuntimeError(
                f"In {kind.lower()} class {type(self).__name__}, you forgot to call `super().__init__(**kwargs)` "
                f"as the first statement of `__init__()`: {kind}.__init__ sets up the name, the weights and the "
                f"tracking of sub-layers. Received: an object without the attribute `{name}`, which "
                f"{kind}.__init__ would have set. Add `super().__init__(**kwargs)` at the top of `__init__`.")
        attribute = getattr(type(self), name, None)
        if isinstance(attribute, property):  # a property that raised AttributeError: raise its message
            return attribute.fget(self)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

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
            shape: a tuple of ints; an int `n` means `(n,)` (issue 14 asks for it,
                though Keras 3.15 refuses an int).
            initializer: a name ("glorot_uniform", "zeros", ...), an
                Initializer or a callable `(shape, dtype) -> array`.
            trainable: whether optimizers update it.
            name: shown in error messages and summaries.
            regularizer: a callable of the weight whose result is added to
                the loss (see `teachnet.regularizers`).
        """
        if self.built and any(layer is self for layer in _CALL_STACK):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}): add_weight() was called inside `call()` after the '
                "layer was built. You cannot add new elements of state (variables or sub-layers) to a layer that "
                "is already built (as Keras refuses): each call would make new weights that never train. "
                f"Received: add_weight(name={name!r}, shape={shape!r}) during call. Create weights in `build("
                "input_shape)` (or `__init__`) and use them in `call`.")
        shape = _weight_shape(self, name, shape)
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
                cast = ops.cast(x, self.dtype)
                cast._keras_mask = x._keras_mask  # a cast keeps the mask (as Keras's convert_input)
                return cast
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
            run_build(self, shapes)
            self.built = True
        self._check_input_spec(shapes)
        accepted = _call_arguments(type(self))
        # The mask: one given as `mask=`, else the one the input carries (Keras's
        # `_keras_mask`, set by Embedding(mask_zero=True), Masking, ...).
        mask = kwargs.get("mask")
        if mask is not None:
            _check_mask_shape(self, inputs, mask)
        else:
            mask = _mask_of(inputs)
            if mask is not None and "mask" in accepted:
                kwargs["mask"] = mask
        if "training" in kwargs and "training" not in accepted and not _has_var_kwargs(type(self)):
            kwargs.pop("training")
        outputs = self._call_and_collect_losses(inputs, *args, **kwargs)
        if outputs is None:
            raise ValueError(f'Layer "{self.name}" ({type(self).__name__}): `call()` returned None. It must '
                             "return the output tensor(s). Received: None (did `call` forget its `return`?)")
        if self.supports_masking:
            _set_output_masks(self, inputs, outputs, mask)
        elif mask is not None:
            warnings.warn(f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input with a mask "
                          "attached to it. However, this layer does not support masking and will therefore "
                          "destroy the mask information. Downstream layers will not see the mask.", stacklevel=2)
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
        if _ACTIVE_TAPES and outputs is not None and (type(outputs) is not Tensor or outputs._node is None):
            _check_path_to_weights(self, outputs)  # only for outputs the tape did not record
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
                             f"({[p.path for p in params]}). Received: {len(weights)} weight arrays")
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


_BUILD_TAKES_SHAPE = {}


def run_build(layer, shapes):
    """Calls `layer.build(shapes)`, or `layer.build()` for a `build(self)`
    without an input shape (Keras 3 accepts both)."""
    cls = type(layer)
    if cls not in _BUILD_TAKES_SHAPE:
        params = list(inspect.signature(cls.build).parameters.values())[1:]  # without self
        _BUILD_TAKES_SHAPE[cls] = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
                                      for p in params)
    if _BUILD_TAKES_SHAPE[cls]:
        layer.build(shapes)
    else:
        layer.build()


def _weight_shape(layer, name, shape):
    """`add_weight`'s shape as a tuple of ints: None is a scalar, an int n is (n,)."""
    if shape is None:
        return ()
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        if isinstance(shape, str):
            raise TypeError
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f'Layer "{layer.name}": the shape of weight {name!r} must be a tuple of ints, e.g. '
                        f"(input_shape[-1], units). Received: shape={shape!r}") from None
    if any(s is None for s in shape):
        raise ValueError(
            f'Layer "{layer.name}": cannot create weight {name!r} with shape {shape}: every size must be known '
            f"(no None). Received: shape={shape}. The None is usually the batch axis of `input_shape`, whose "
            "size is not known when the layer is built: build weights from the other axes, e.g. "
            "shape=(input_shape[-1], units).")
    if not all(isinstance(s, (int, np.integer)) for s in shape):
        raise TypeError(f'Layer "{layer.name}": the shape of weight {name!r} must hold ints. '
                        f"Received: shape={shape!r}")
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f'Layer "{layer.name}": cannot create weight {name!r} with negative shape {shape}. '
                         f"Received: shape={shape}")
    return shape


# -- masks ---------------------------------------------------------------------
def _mask_of(inputs):
    """The mask the input carries: a mask, a list of masks (None where an input
    of a list has none) or None when no input has one."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return masks if any(m is not None for m in masks) else None
    return getattr(inputs, "_keras_mask", None)


def _check_mask_shape(layer, inputs, mask):
    """A mask given as `mask=` covers the first axes of the input: (batch,) or (batch, time)."""
    if not isinstance(inputs, Tensor) or isinstance(mask, (list, tuple)):
        return
    shape = tuple(np.shape(mask))
    if len(shape) > inputs.ndim or shape != tuple(inputs.shape[:len(shape)]):
        axes, expected = ("(batch, time)", inputs.shape[:2]) if inputs.ndim > 2 else ("(batch,)", inputs.shape[:1])
        raise ValueError(
            f'Layer "{layer.name}" ({type(layer).__name__}): the mask must have shape {axes} = {tuple(expected)}, '
            f"the first axes of the input of shape {tuple(inputs.shape)}. Received: mask with shape {shape}. "
            "Give one True/False per sample and time step (True = use this step).")


def _set_output_masks(layer, inputs, outputs, previous_mask):
    """Puts `layer.compute_mask(inputs, previous_mask)` on the outputs as
    `_keras_mask`, unless `call` has already set them (as Keras's
    `_set_mask_metadata`)."""
    flat = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    if all(getattr(x, "_keras_mask", None) is not None for x in flat):
        return
    masks = layer.compute_mask(inputs, previous_mask)
    if masks is None:
        return
    for output, m in zip(flat, masks if isinstance(outputs, (list, tuple)) else [masks]):
        if m is not None and isinstance(output, Tensor) and output._keras_mask is None:
            output._keras_mask = m


def _check_path_to_weights(layer, outputs):
    """While a tape records, an output made with numpy instead of
    `teachnet.ops` leaves the tape: the layer's weights would get no gradient."""
    flat = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    lost = [x for x in flat if isinstance(x, np.ndarray) or (isinstance(x, Tensor) and x._node is None
                                                             and not isinstance(x, Variable))]
    if not lost:
        return
    watching = [t for t in _ACTIVE_TAPES if t.watch_accessed_variables]
    weights = [w for w in layer.trainable_weights if any(t._is_tracked(w) for t in watching)]
    if not weights:
        return
    made_by = "a numpy array" if isinstance(lost[0], np.ndarray) else "a Tensor the GradientTape did not record"
    raise TypeError(
        f'Layer "{layer.name}" ({type(layer).__name__}): `call()` returned {made_by}, so its weights '
        f"{[w.path if hasattr(w, 'path') else w.name for w in weights]} would get no gradient. Numpy "
        "functions (np.tanh, np.dot, np.asarray, .numpy(), ...) leave the GradientTape: the tape only sees "
        "teachnet.ops. Received: an output of type "
        f"{type(lost[0]).__name__} with no recorded path to the weights. Write `call` with teachnet.ops "
        "(ops.tanh, ops.matmul, ...) instead of numpy.")
