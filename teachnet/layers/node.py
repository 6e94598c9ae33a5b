"""Symbolic tensors, and the Node a layer call on them records (below `Layer`, as in Keras 3).

`teachnet.Input(shape=(8,))` is a `SymbolicTensor`: a shape and a dtype, no
values. A layer called on symbolic tensors does not compute: `Layer.__call__`
hands the call to `symbolic_call`, which builds the layer for the input
shapes, infers the output shapes and records a `Node` (the layer, the call's
arguments and its symbolic outputs). `teachnet.models.functional` walks those
nodes back from a model's outputs to turn them into a model.
"""
import numpy as np

from teachnet.autodiff import Tensor
from teachnet.tree import flatten, map_structure, pack_like


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


class Node:
    """One call of `layer`: the arguments it received and the tensors it returned.

    The symbolic tensors among the arguments are `input_tensors`; each output
    gets `history = (layer, node_index, tensor_index)`, so that a model can
    find its way back from the outputs to the inputs.
    """

    def __init__(self, layer, args, kwargs, outputs):
        self.layer = layer
        self.args, self.kwargs = tuple(args), dict(kwargs)
        self.input_tensors = [x for x in flatten([self.args, self.kwargs]) if isinstance(x, SymbolicTensor)]
        self.output_structure = outputs
        self.outputs = flatten(outputs)
        self.is_input = not self.input_tensors  # the node of an InputLayer
        layer._inbound_nodes.append(self)
        node_index = len(layer._inbound_nodes) - 1
        for tensor_index, x in enumerate(self.outputs):
            x.history = (layer, node_index, tensor_index)

    @property
    def parent_nodes(self):
        """The nodes that produced this node's inputs."""
        return [_producer(x) for x in self.input_tensors]

    def fill_in(self, values):
        """The call's (args, kwargs) with each symbolic tensor replaced by its value."""
        def swap(x):
            return values[id(x)] if isinstance(x, SymbolicTensor) else x
        return map_structure(swap, self.args), map_structure(swap, self.kwargs)

    def __repr__(self):
        return f"<Node layer={self.layer.name}, inputs={[x.shape for x in self.input_tensors]}>"


def _producer(x):
    """The node that produced the symbolic tensor `x`."""
    layer, node_index, _ = x.history
    return layer._inbound_nodes[node_index]


def symbolic_call(layer, inputs, args, kwargs):
    """What `layer(inputs)` does when the inputs are symbolic: build the layer
    for their shapes, infer the output shapes, record a Node."""
    # Late import, a real cycle: base.py imports this module (Layer.__call__ hands symbolic calls here).
    from teachnet.layers.base import Layer, run_build
    shapes = map_structure(lambda x: x.shape if isinstance(x, SymbolicTensor) else np.shape(x), inputs)
    if not layer.built:
        _check_input_spec(layer, shapes)  # before build, so no weight gets a wrong shape
        run_build(layer, shapes)
        layer.built = True
    _check_input_spec(layer, shapes)
    symbolic = [x for x in flatten([inputs, list(args), kwargs]) if isinstance(x, SymbolicTensor)]
    if any(x._keras_mask is not None for x in symbolic) or type(layer).compute_mask is not Layer.compute_mask:
        # Masks are involved: running the layer on zeros tells the output masks' shapes too. Shapes that
        # do not fit are refused first with the symbolic shapes (batch None), as without masks.
        _check_output_shape(layer, shapes)
        outputs = _outputs_by_running(layer, inputs, args, kwargs)
    else:
        outputs = _symbolic_outputs(layer, inputs, shapes, args, kwargs)
    Node(layer, (inputs,) + tuple(args), kwargs, outputs)
    return outputs


def _check_output_shape(layer, shapes):
    """Lets `compute_output_shape` refuse input shapes that do not fit (a Sequential
    checks each layer's input width): the error then names the symbolic shapes."""
    compute = getattr(layer, "compute_output_shape", None)
    if compute is not None:
        try:
            compute(shapes)
        except NotImplementedError:
            pass


def _check_input_spec(layer, shapes):
    if layer.input_spec is not None and isinstance(shapes, tuple):
        layer.input_spec.check(layer, shapes)


def _is_shape(s):
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _symbolic_outputs(layer, inputs, shapes, args, kwargs):
    """The outputs as symbolic tensors: shapes from `compute_output_shape` when
    the layer has one, else found by running the layer on zeros."""
    compute = getattr(layer, "compute_output_shape", None)
    if compute is not None:
        try:
            out_shapes = compute(shapes)
        except NotImplementedError:
            out_shapes = None
        if out_shapes is not None:
            return _map_shapes(lambda s: SymbolicTensor(s, layer.dtype), out_shapes)
    return _outputs_by_running(layer, inputs, args, kwargs)


def _map_shapes(fn, shapes):
    """Applies fn to each shape of a (possibly nested) structure of shapes."""
    if _is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    return type(shapes)(_map_shapes(fn, s) for s in shapes)


def _outputs_by_running(layer, inputs, args, kwargs):
    """Runs `layer` on zeros to see what it returns.

    Unknown sizes (None, the batch axis among them) are tried with two
    different values: an output axis whose size follows them stays unknown.
    An input with a mask (`_keras_mask`) gets a mask of ones of its shape, so
    the outputs' masks, and their shapes, are found the same way.
    """
    def run(fill):
        def zeros(x):
            if not isinstance(x, SymbolicTensor):
                return x
            value = Tensor(np.zeros(tuple(fill if d is None else d for d in x.shape), dtype=x.dtype))
            if x._keras_mask is not None:
                value._keras_mask = np.ones(tuple(fill if d is None else d for d in x._keras_mask.shape), bool)
            return value
        return layer(map_structure(zeros, inputs), *map_structure(zeros, list(args)),
                     **map_structure(zeros, kwargs))
    first = run(2)
    symbolic_inputs = [x for x in flatten([inputs, list(args), kwargs]) if isinstance(x, SymbolicTensor)]
    unknown = any(d is None for x in symbolic_inputs for d in x.shape)
    second = run(3) if unknown else first

    def like(a, b):
        return SymbolicTensor(tuple(None if da != db else da for da, db in zip(np.shape(a), np.shape(b))),
                              np.asarray(a).dtype)
    tensors = []
    for a, b in zip(flatten(first), flatten(second)):
        tensor = like(a, b)
        mask_a, mask_b = getattr(a, "_keras_mask", None), getattr(b, "_keras_mask", None)
        if mask_a is not None and mask_b is not None:
            tensor._keras_mask = like(mask_a, mask_b)  # a symbolic mask: (batch, time) booleans
        tensors.append(tensor)
    return pack_like(first, tensors)
