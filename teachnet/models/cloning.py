"""Models from configs: `model_from_json`, `clone_model`, `load_model` (Keras's names)."""
import json

from teachnet.layers.base import Layer
from teachnet.saving.serialization import deserialize_keras_object, serialize_keras_object


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a `.keras` file (see `teachnet.saving.load_model`)."""
    from teachnet.saving import load_model as load  # saving sits above models
    return load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    """A model (with fresh weights) from `model.to_json()`'s output, or Keras's."""
    try:
        config = json.loads(json_string)
    except ValueError as error:
        raise ValueError(f"model_from_json: the string is not JSON ({error}). Pass what model.to_json() "
                         "returns.") from None
    return deserialize_keras_object(config, custom_objects=custom_objects)


def clone_model(model, custom_objects=None):
    """A new model with the same architecture and fresh weights (Keras's clone_model).

    The clone's layers are new objects, created from their configs, so they
    draw new initial weights; copy the weights with
    `clone.set_weights(model.get_weights())` if you want them too.
    """
    if not isinstance(model, Layer):
        raise ValueError(f"clone_model expects a teachnet model. Received: {model!r} of type "
                         f"{type(model).__name__}")
    return deserialize_keras_object(serialize_keras_object(model), custom_objects=custom_objects)
