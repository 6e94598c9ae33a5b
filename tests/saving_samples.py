"""One instance of every layer class, for the config round-trip tests (test_saving_keras.py,
test_parity_saving.py): new layers are covered as soon as `teachnet.layers` exports them."""
import inspect

import teachnet
from teachnet import layers as L

# Values for the required arguments of layer classes. A new layer whose required argument is not
# here makes test_every_layer_config_round_trips fail, naming the argument: add a sample value.
SAMPLE_ARGUMENTS = {"units": 3, "activation": "relu", "filters": 2, "kernel_size": 3, "pool_size": 2, "rate": 0.5,
                    "target_shape": (2, 2), "input_dim": 5, "output_dim": 4, "axes": 1,
                    "function": teachnet.activations.relu}


def layer_classes():
    return sorted({cls for cls in vars(L).values() if inspect.isclass(cls) and issubclass(cls, L.Layer)},
                  key=lambda cls: cls.__name__)


def sample_layer(cls):
    if cls is L.InputLayer:
        return cls(shape=(3,))
    params = inspect.signature(cls.__init__).parameters
    required = [n for n, p in params.items() if n != "self" and p.default is p.empty
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    missing = [n for n in required if n not in SAMPLE_ARGUMENTS]
    assert not missing, f"{cls.__name__} requires {missing}: add sample values to SAMPLE_ARGUMENTS"
    return cls(**{n: SAMPLE_ARGUMENTS[n] for n in required})
