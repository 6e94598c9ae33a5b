"""teachnet: a small, transparent numpy engine with Keras's API and numerics."""
from teachnet.autodiff import GradientTape, Tensor, Variable  # noqa: F401
from teachnet import activations, initializers, ops, optimizers, random, regularizers  # noqa: F401
from teachnet import layers, utils  # noqa: F401
from teachnet import losses, metrics  # noqa: F401
from teachnet import datasets  # noqa: F401
from teachnet.layers import Input  # noqa: F401
from teachnet import callbacks, models, saving  # noqa: F401
from teachnet.models import Model, Sequential  # noqa: F401
from teachnet.utils.memory import keep_freed_memory

# Training frees and re-allocates the same large arrays every step; keep that
# memory in the process instead of page-faulting it back each step (Linux/glibc).
keep_freed_memory()

__version__ = "0.1.0"
