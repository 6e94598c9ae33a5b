"""`teachnet.ops`: the differentiable operations, with numpy / keras.ops names.

- `core`: conversions, arithmetic, reductions, shapes, selection.
- `nn`: activations and softmax.
- `numpy_names`: more keras.ops names (rounding, sizes, cumsum, prod, sort, split, einsum, top_k, ...).
- `elementwise`: more elementwise math (trigonometry, erf, mod, logaddexp, ...).
- `control_flow`: cond, fori_loop, while_loop, scan, map: plain Python loops here.
- `conv`: convolution and pooling.
"""
from teachnet.ops.core import *  # noqa: F401,F403
from teachnet.ops.nn import *  # noqa: F401,F403
from teachnet.ops.numpy_names import *  # noqa: F401,F403
from teachnet.ops.elementwise import *  # noqa: F401,F403
from teachnet.ops.control_flow import *  # noqa: F401,F403
from teachnet.ops.conv import *  # noqa: F401,F403
from teachnet.ops.recurrent import gru, lstm, simple_rnn  # noqa: F401
from teachnet.ops.ctc import ctc_alpha_lattice, ctc_decode, ctc_loss  # noqa: F401
