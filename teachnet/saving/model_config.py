"""Configs of Sequential and functional models, in Keras 3's layout.

A Sequential model's config lists its layers (its Input first, when it has
one). A functional model's config lists its layers, each with the calls that
connect it (`inbound_nodes`): every call records its arguments, with each
symbolic tensor written as

    {"class_name": "__keras_tensor__", "config": {"shape": ..., "dtype": ...,
     "keras_history": [layer name, node index, tensor index]}}

(the `node index`-th call of that layer, its `tensor index`-th output), and
the model's `input_layers` / `output_layers` name the tensors the same way.
Reading a config replays these calls on fresh `Input`s, which rebuilds the
graph.
"""
from teachnet.layers.input_layer import InputLayer
from teachnet.layers.node import SymbolicTensor
from teachnet.models.functional import Functional
from teachnet.saving import serialization
from teachnet.tree import flatten, map_structure


# ---------------------------------------------------------------------------
# Sequential
# ---------------------------------------------------------------------------

def sequential_config(model):
    layers = ([model._input_layer] if model._input_layer is not None else []) + list(model._tracked_layers)
    config = {"name": model.name, "trainable": model.trainable, "dtype": str(model.dtype),
              "layers": [serialization.serialize_keras_object(layer) for layer in layers]}
    if model.input_shape is not None:
        config["build_input_shape"] = list(model.input_shape)
    return config


def sequential_from_config(cls, config):
    config = serialization.check_config_keys(cls, config, {"name", "trainable", "dtype", "layers",
                                                            "build_input_shape"})
    layers = [serialization.deserialize_keras_object(c) for c in config["layers"]]
    model = cls(name=config.get("name"), trainable=config.get("trainable", True))
    for layer in layers:
        model.add(layer, rebuild=False)
    shape = config.get("build_input_shape")
    if model._input_layer is None and shape is not None:
        model.build(tuple(shape))
    elif model._input_layer is not None and not isinstance(layers[0], InputLayer):
        model.build(model._input_layer.batch_shape)
    else:
        model._maybe_build()
    return model


# ---------------------------------------------------------------------------
# Functional
# ---------------------------------------------------------------------------

def functional_config(model):
    own = set(model._nodes)
    # Node indices count only this model's calls of a layer (a shared layer may have others).
    new_index = {}
    for layer in model.layers:
        kept = [i for i, node in enumerate(layer._inbound_nodes) if node in own]
        new_index.update({(id(layer), old): new for new, old in enumerate(kept)})

    def history(x):
        layer, node_index, tensor_index = x.history
        return [layer.name, new_index[(id(layer), node_index)], tensor_index]

    def tensor(x):
        if not isinstance(x, SymbolicTensor):
            return serialization.serialize_keras_object(x)
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(x.shape), "dtype": str(x.dtype), "keras_history": history(x)}}

    layers = []
    for layer in model.layers:
        entry = serialization.serialize_keras_object(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [{"args": map_structure(tensor, list(node.args)),
                                   "kwargs": map_structure(tensor, node.kwargs)}
                                  for node in layer._inbound_nodes if node in own and not node.is_input]
        layers.append(entry)
    def structure(struct):  # a dict of inputs (or outputs) stays a dict, by name; anything else a list
        if isinstance(struct, dict):
            return {key: history(x) for key, x in struct.items()}
        return [history(x) for x in flatten(struct)]
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": structure(model._inputs_struct), "output_layers": structure(model._outputs_struct)}


def functional_from_config(cls, config):
    config = serialization.check_config_keys(cls, config, {"name", "trainable", "layers", "input_layers",
                                                            "output_layers", "dtype"})
    created, pending = {}, []
    for entry in config["layers"]:
        entry = dict(entry)
        name, nodes = entry.pop("name", None), entry.pop("inbound_nodes", [])
        entry.pop("build_config", None)  # the calls below build each layer for its real inputs
        layer = serialization.deserialize_keras_object(entry)
        created[name or layer.name] = layer
        pending += [(layer, node) for node in nodes]
    tensors = {}  # (layer name, node index, tensor index) -> SymbolicTensor
    calls = {}    # layer name -> calls replayed so far
    for name, layer in created.items():
        if isinstance(layer, InputLayer):
            tensors[(name, 0, 0)] = layer.output
            calls[name] = 1

    def ready(value):
        return all(tuple(h) in tensors for h in _histories(value))

    while pending:  # replay every call whose inputs exist, until none is left
        progress = False
        for item in list(pending):
            layer, node = item
            name = layer.name
            if not ready(node) or any(other[0] is layer for other in pending[:pending.index(item)]):
                continue  # a layer's calls are replayed in their saved order
            args = _fill(node.get("args", []), tensors)
            # Keras writes call arguments left at None (mask=None); teachnet's calls may not take them.
            kwargs = {k: v for k, v in _fill(node.get("kwargs", {}), tensors).items() if v is not None}
            outputs = layer(*args, **kwargs)
            index = calls.get(name, 0)
            for i, x in enumerate(flatten(outputs)):
                tensors[(name, index, i)] = x
            calls[name] = index + 1
            pending.remove(item)
            progress = True
        if not progress:
            missing = sorted({tuple(h) for _, node in pending for h in _histories(node) if tuple(h) not in tensors})
            raise ValueError(f"The model config is inconsistent: calls need tensors {missing} that no layer makes.")

    def lookup(spec):
        if isinstance(spec, dict):  # inputs or outputs by name
            return {key: lookup(s) for key, s in spec.items()}
        if spec and isinstance(spec[0], str):  # one tensor: [name, node, index]
            return tensors[tuple(spec)]
        return [lookup(s) for s in spec]
    inputs, outputs = lookup(config["input_layers"]), lookup(config["output_layers"])
    return Functional(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True))


def _histories(value):
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return [value["config"]["keras_history"]]
        return [h for v in value.values() for h in _histories(v)]
    if isinstance(value, list):
        return [h for v in value for h in _histories(v)]
    return []


def _fill(value, tensors):
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            return tensors[tuple(value["config"]["keras_history"])]
        if "class_name" in value:
            return serialization.deserialize_keras_object(value)
        return {k: _fill(v, tensors) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, tensors) for v in value]
    return value
