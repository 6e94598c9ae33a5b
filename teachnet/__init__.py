"""teachnet: a small, transparent numpy engine with Keras's API and numerics."""
from teachnet.autodiff import GradientTape, Tensor, Variable  # noqa: F401
from teachnet import activations, initializers, ops, optimizers, random, regularizers  # noqa: F401
from teachnet import layers, utils  # noqa: F401
from teachnet import losses, metrics  # noqa: F401
from teachnet import datasets  # noqa: F401
from teachnet.layers import Input  # noqa: F401
from teachnet import callbacks, models  # noqa: F401
from teachnet.models import Model, Sequential  # noqa: F401

__version__ = "0.1.0"
