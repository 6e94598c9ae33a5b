"""The functional API: a model as a directed acyclic graph of layer calls.

    inputs = teachnet.Input(shape=(8,))            # a SymbolicTensor: shape, no values
    x = Dense(16, activation="relu")(inputs)       # records a Node, returns a SymbolicTensor
    outputs = Dense(1)(x)
    model = teachnet.Model(inputs, outputs)        # walks the Nodes back from `outputs`

Three pieces, as in Keras 3:

- a `Node` is one call of a layer on symbolic tensors: the layer, the call's
  arguments (the symbolic tensors in them are the node's inputs) and the
  symbolic outputs. A layer called twice has two nodes and one set of weights.
- `map_graph` walks the nodes back from the outputs (depth-first), checks the
  graph (no cycle, everything computable from the inputs) and orders the nodes
  by depth: the layers listed by `model.layers`, and so the weight order, are
  Keras's.
- `Functional.call` runs the nodes in that order on real tensors.
"""
import numpy as np

from teachnet import ops
from teachnet.autodiff import Tensor
from teachnet.layers.input_layer import InputLayer
from teachnet.layers.node import Node, SymbolicTensor, _is_shape, _outputs_by_running, _producer
from teachnet.tree import flatten, map_structure, pack_like
from teachnet.models.model import Model
from teachnet.models.summary import params_text, print_summary, shape_text


# ---------------------------------------------------------------------------
# The graph: from the outputs back to the inputs
# ---------------------------------------------------------------------------

def _describe(x):
    layer = x.history[0].name if x.history else "?"
    return f"<SymbolicTensor shape={x.shape} from layer '{layer}'>"


def _nodes_from_outputs(inputs, outputs):
    """Depth-first walk back from each output (Keras's `_build_map`).

    Returns the nodes, each after the nodes it depends on, and for each layer
    the order in which the walk first met it (which orders layers of equal
    depth, as in Keras).
    """
    input_ids = {id(x) for x in inputs}
    finished, in_progress, order, first_seen = set(), set(), [], {}

    def visit(tensor):
        if tensor.history is None:
            raise ValueError("Expected a model's tensors to come from `teachnet.Input` and calls of layers on "
                             f"them. Received: {tensor}, which no layer made. Start from teachnet.Input(shape=...).")
        node = _producer(tensor)
        if node in finished:
            return
        if not node.is_input and id(tensor) in input_ids:
            finished.add(node)  # an intermediate tensor declared as input: stop here
            return
        if node in in_progress:
            raise ValueError(f"Expected an acyclic graph of layers. Received: {_describe(tensor)}, part of a cycle. "
                             "A layer's output cannot feed back into its own input.")
        first_seen.setdefault(node.layer, len(first_seen))
        in_progress.add(node)
        if not node.is_input:
            for x in node.input_tensors:
                visit(x)
        in_progress.remove(node)
        finished.add(node)
        order.append(node)

    for x in outputs:
        visit(x)
    return order, first_seen


def map_graph(inputs, outputs):
    """Checks the graph from `inputs` to `outputs` and orders it.

    The depth of a node is the longest path from it to an output; nodes run
    from the deepest to depth 0, and `layers` come in that order (ties: the
    order in which the walk from the outputs met them), which is the order of
    Keras's `model.layers` and therefore of `model.weights`.

    Returns:
        (nodes in running order, layers in Keras's order)
    """
    nodes, first_seen = _nodes_from_outputs(inputs, outputs)
    in_graph = set(nodes)
    node_depth, layer_depth = {}, {}
    for node in reversed(nodes):  # from the outputs towards the inputs
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[node] = depth  # a shared layer sits at its deepest call
        for parent in node.parent_nodes:
            if parent in in_graph:
                node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))

    # Every input must feed some output. (Keras 3 accepts an unused input, for
    # losses added by hand; here it is treated as the mistake it usually is.)
    used = {id(x) for node in nodes for x in node.input_tensors} | {id(x) for x in outputs}
    unused = [x for x in inputs if id(x) not in used]
    if unused:
        raise ValueError("Expected every input to reach an output. Received: inputs that do not reach any output, "
                         f"{[_describe(x) for x in unused]}. Remove them from `inputs` or connect them to an output.")

    running_order = sorted(nodes, key=lambda n: -node_depth[n])  # stable: parents first
    computable = {id(x) for x in inputs}
    done = []
    for node in running_order:
        for x in node.input_tensors:
            if id(x) not in computable:
                raise ValueError(f"Graph disconnected: cannot compute {_describe(x)}, an input of layer "
                                 f"'{node.layer.name}', from the model's inputs. Layers reached without "
                                 f"problem: {done}. Did you forget an Input in `inputs`?")
        if node.is_input and not any(id(x) in computable for x in node.outputs):
            continue  # an InputLayer that is not one of the model's inputs
        computable.update(id(x) for x in node.outputs)
        done.append(node.layer.name)
    for x in outputs:
        if id(x) not in computable:
            raise ValueError(f"Expected outputs computed from the model's inputs. Received: the output {_describe(x)}, "
                             "which is not connected to them. Pass the Input it comes from in `inputs`.")

    layers = sorted(layer_depth, key=lambda layer: (-layer_depth[layer], first_seen[layer]))
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f'The name "{name}" is used {names.count(name)} times in the model. '
                             "All layer names should be unique.")
    return running_order, layers


def _clone_from_intermediate(inputs, outputs):
    """A model whose inputs include intermediate tensors gets a fresh Input for
    each of them, and the calls between them and the outputs are recorded again
    on the new tensors (the layers, and so the weights, are shared), as Keras's
    `clone_graph_nodes` does."""
    nodes, _ = _nodes_from_outputs(flatten(inputs), flatten(outputs))
    clones = {}

    def clone(x):
        if not isinstance(x, SymbolicTensor):
            return x
        if id(x) not in clones:
            clones[id(x)] = SymbolicTensor(x.shape, x.dtype, name=x.name)
        return clones[id(x)]

    for x in flatten(inputs):
        if _producer(x).is_input:
            clones[id(x)] = x
        else:
            layer = InputLayer(shape=x.shape[1:], batch_size=x.shape[0], dtype=x.dtype,
                               name=f"{x.history[0].name}_input")
            clones[id(x)] = layer.output
    new_outputs = map_structure(clone, outputs)
    for node in nodes:
        if not node.is_input:
            Node(node.layer, map_structure(clone, node.args), map_structure(clone, node.kwargs),
                 map_structure(clone, node.output_structure))
    return map_structure(clone, inputs), new_outputs


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------

class Functional(Model):
    """A model defined as a graph of layers: `teachnet.Model(inputs, outputs)`.

    Args:
        inputs: the `teachnet.Input` tensor(s) of the model: one, a list, or a
            dict by name. Intermediate tensors are allowed too (the model
            then starts there, sharing the layers).
        outputs: the symbolic tensor(s) it computes: one, a list or a dict.
        name: the model's name.
        trainable: whether its weights are trained.

    Calling the model runs its layers, in an order where every layer comes
    after the layers it depends on. `model.layers` lists them (InputLayers
    included), in Keras's order; `model.weights` follows it, so weights
    copied from the same Keras model with `set_weights` land in place.

    Example:
        >>> inputs = teachnet.Input(shape=(4,), name="features")
        >>> hidden = teachnet.layers.Dense(8, activation="relu")(inputs)
        >>> price = teachnet.layers.Dense(1, name="price")(hidden)
        >>> kind = teachnet.layers.Dense(3, activation="softmax", name="kind")(hidden)
        >>> model = teachnet.Model(inputs, [price, kind])
        >>> model.output_names
        ['price', 'kind']
    """

    def __init__(self, inputs, outputs, name=None, trainable=True):
        for what, structure in (("inputs", inputs), ("outputs", outputs)):
            flat = flatten(structure)
            if not flat:
                raise ValueError(f"`{what}` of a model cannot be empty. Received: {what}={structure}")
            for x in flat:
                if not isinstance(x, SymbolicTensor):
                    raise ValueError(f"All `{what}` of a functional model must be symbolic tensors (from "
                                     f"`teachnet.Input` and layers called on them). Received {what}={structure} "
                                     f"including {x!r} of type {type(x).__name__}.")
        if not all(_producer(x).is_input for x in flatten(inputs)):
            inputs, outputs = _clone_from_intermediate(inputs, outputs)
        super().__init__(name=name)
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self.inputs, self.outputs = flatten(inputs), flatten(outputs)
        self._nodes, self._graph_layers = map_graph(self.inputs, self.outputs)
        self._tracked_layers = list(self._graph_layers)  # weights follow the layers' order
        self.input_names = [x.history[0].name for x in self.inputs]
        self.output_names = [x.history[0].name for x in self.outputs]
        self.built = True
        if not trainable:
            self.trainable = False

    @property
    def layers(self):
        """The layers of the graph, InputLayers first, in Keras's order."""
        return list(self._graph_layers)

    @property
    def input(self):
        """The inputs as given to the constructor (a tensor, list or dict)."""
        return self._inputs_struct

    @property
    def output(self):
        """The outputs as given to the constructor (a tensor, list or dict)."""
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [x.shape for x in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [x.shape for x in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        """Prints the layers, output shapes and parameter counts; for a graph
        that is not a plain chain, also what each layer is connected to:
        `name[node][tensor]`, the `node`-th call of layer `name`, its
        `tensor`-th output (Keras 3's "Connected to" column)."""
        own = set(self._nodes)
        rows = []
        for layer in self.layers:
            nodes = [node for node in layer._inbound_nodes if node in own]
            outputs = [x.shape for x in nodes[-1].outputs] if nodes else None
            shape = shape_text(outputs[0] if outputs and len(outputs) == 1 else outputs)
            connections = ", ".join(f"{x.history[0].name}[{x.history[1]}][{x.history[2]}]"
                                    for node in nodes for x in node.input_tensors)
            rows.append((f"{layer.name} ({type(layer).__name__})", shape, params_text(layer), connections or "-"))
        if self._is_a_chain():
            print_summary(self, [row[:3] for row in rows], print_fn=print_fn)
        else:
            print_summary(self, rows, headers=("Layer (type)", "Output Shape", "Param #", "Connected to"),
                          widths=(28, 25, 17, 25), print_fn=print_fn)

    def _is_a_chain(self):
        """Whether the graph is one line of layers, each called once (then
        Keras's summary leaves out the "Connected to" column)."""
        calls = [node for node in self._nodes if not node.is_input]
        inputs = [node for node in self._nodes if node.is_input]
        return len(inputs) == 1 and len(self.outputs) == 1 and all(len(n.input_tensors) == 1 for n in calls) \
            and len({id(n.layer) for n in calls}) == len(calls) \
            and len({id(x) for n in calls for x in n.input_tensors}) == len(calls)

    # -- config: the graph as data (teachnet/saving/model_config.py) ------------
    def get_config(self):
        """Keras's config: the layers, each with the calls connecting it, and the input/output tensors."""
        from teachnet.saving.model_config import functional_config  # saving sits above models
        return functional_config(self)

    @classmethod
    def from_config(cls, config):
        # saving sits above models (it imports this module): a top-level import would be a cycle
        from teachnet.saving.model_config import functional_from_config
        return functional_from_config(cls, config)

    def get_build_config(self):
        return None  # the config's Inputs build it

    # -- running the graph --------------------------------------------------
    def _cast_input(self, x):
        # Layer.__call__ would cast floating data to the model's dtype; a model
        # converts each input to the dtype of its Input instead (_conform).
        return x if isinstance(x, (Tensor, list, tuple, dict)) else np.asarray(x)

    def call(self, inputs, training=None, mask=None):
        flat = self._standardize_inputs(inputs)
        if mask is not None:
            for x, m in zip(flat, flatten(mask)):
                if m is not None:
                    _check_model_mask(self, x, m)
                    x._keras_mask = m
        values = {id(x): value for x, value in zip(self.inputs, flat)}
        for node in self._nodes:  # every node after the nodes it depends on
            if node.is_input:
                continue
            args, kwargs = node.fill_in(values)
            if training is not None:
                kwargs["training"] = training  # Layer.__call__ drops it for layers that don't take it
            outputs = node.layer(*args, **kwargs)
            for x, y in zip(node.outputs, flatten(outputs)):
                values[id(x)] = y
        outputs = pack_like(self._outputs_struct, [values[id(x)] for x in self.outputs])
        if isinstance(outputs, (list, tuple)) and len(outputs) == 1:
            return outputs[0]
        return outputs

    def compute_mask(self, inputs, mask=None):
        return None  # the layers inside have already put their masks on the outputs

    def _standardize_inputs(self, inputs):
        """The inputs as a flat list of tensors in the order of `model.inputs`,
        from a tensor, a list, or a dict keyed by input name."""
        if isinstance(inputs, dict):
            keys = list(self._inputs_struct) if isinstance(self._inputs_struct, dict) else self.input_names
            missing = [k for k in keys if k not in inputs]
            unknown = [k for k in inputs if k not in keys]
            if missing or unknown:
                raise ValueError(f'Model "{self.name}" expects inputs named {keys}. Received: a dict with keys '
                                 f"{list(inputs)} (missing: {missing}, unknown: {unknown}). Use the input names as "
                                 "keys.")
            if isinstance(self._inputs_struct, dict):
                flat = flatten({k: inputs[k] for k in keys})
            else:
                flat = [inputs[k] for k in keys]
        elif isinstance(inputs, (list, tuple)):
            flat = list(inputs)
        else:
            flat = [inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(f'Model "{self.name}" expects {len(self.inputs)} input(s) {self.input_names}. '
                             f"Received: {len(flat)} input arrays/tensors with shapes "
                             f"{[tuple(np.shape(x)) for x in flat]}. Pass one array per input, in this order.")
        return [self._conform(value, x) for value, x in zip(flat, self.inputs)]

    def _conform(self, value, x):
        """Converts one input to x's dtype and checks its shape against x's."""
        if not isinstance(value, Tensor):
            value = Tensor(np.asarray(value, dtype=x.dtype))
        elif value.dtype != x.dtype and value.dtype.kind == x.dtype.kind == "f":
            value = ops.cast(value, x.dtype)
        # As Keras: a trailing axis of size 1 may be missing or extra.
        if value.ndim == len(x.shape) + 1 and value.shape[-1] == 1:
            value = ops.squeeze(value, axis=-1)
        elif value.ndim == len(x.shape) - 1 and x.shape[-1] == 1:
            value = ops.expand_dims(value, axis=-1)
        if value.ndim != len(x.shape) or any(
                d is not None and d != v for d, v in zip(x.shape[1:], value.shape[1:])):
            raise ValueError(f'Input "{x.history[0].name}" of model "{self.name}" expects shape {x.shape}. '
                             f"Received: an array of shape {value.shape}.")
        return value

    def compute_output_shape(self, input_shape):
        shapes = _shape_list(input_shape)
        same = len(shapes) == len(self.inputs) and all(
            len(s) == len(x.shape) and tuple(s[1:]) == x.shape[1:] for s, x in zip(shapes, self.inputs))
        if same:
            out = map_structure(lambda x: x.shape, self._outputs_struct)
        else:  # other shapes: run the graph on zeros of those shapes
            inputs = [SymbolicTensor(s, x.dtype) for s, x in zip(shapes, self.inputs)]
            out = map_structure(lambda x: x.shape, _outputs_by_running(self, inputs, (), {}))
        return out[0] if isinstance(out, list) and len(out) == 1 else out


def _check_model_mask(model, x, mask):
    """A mask given to `model(x, mask=...)` covers the first axes of its input."""
    shape = tuple(np.shape(mask))
    if len(shape) > x.ndim or shape != tuple(x.shape[:len(shape)]):
        axes, expected = ("(batch, time)", x.shape[:2]) if x.ndim > 2 else ("(batch,)", x.shape[:1])
        raise ValueError(f'Model "{model.name}": the mask must have shape {axes} = {tuple(expected)}, the first '
                         f"axes of its input of shape {tuple(x.shape)}. Received: mask with shape {shape}. Give "
                         "one True/False per sample and time step (True = use this step).")


def _shape_list(shapes):
    """A flat list of the shapes in a shape or a (nested) structure of shapes."""
    if _is_shape(shapes):
        return [tuple(shapes)]
    if isinstance(shapes, dict):
        return [s for key in sorted(shapes) for s in _shape_list(shapes[key])]
    return [s for item in shapes for s in _shape_list(item)]
