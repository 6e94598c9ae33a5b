"""teachnet: a small, transparent numpy engine with Keras's API and numerics.

Read the engine
---------------
One training step of a Dense MLP with SGD (`model.fit` on `Sequential([Dense(16,
activation="relu"), Dense(1)])` compiled with `SGD()` and `"mse"`) runs these
functions. Read them in this order, from the core outwards:

1. teachnet/autodiff.py:record               an op's result remembers its inputs and backward function
2. teachnet/ops/core.py:matmul               an op: forward and backward side by side
3. teachnet/ops/nn.py:relu                   the activation, the same way
4. teachnet/layers/core.py:Dense.call        the layer's math: activation(inputs @ kernel + bias)
5. teachnet/layers/base.py:Layer.__call__    builds the weights on the first call, then runs `call`
6. teachnet/losses.py:mean_squared_error     the loss of each sample
7. teachnet/losses.py:Loss.__call__          ... averaged over the batch (with sample weights)
8. teachnet/autodiff.py:GradientTape.gradient       asks for d loss / d weights
9. teachnet/autodiff.py:GradientTape._backprop      the backward walk, in reverse topological order
10. teachnet/optimizers.py:Optimizer.apply   one step for every weight
11. teachnet/optimizers.py:SGD.update_step   the update rule: w -= learning_rate * g
12. teachnet/models/model.py:Model.train_step    the four lines that tie it together, as Keras's
13. teachnet/models/model.py:Model.fit       repeats train_step over batches and epochs, calls callbacks

What the widgets read about each step (inputs, outputs, gradients) is recorded
around `train_step`, not inside it: teachnet/models/step_details.py.
"""
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
