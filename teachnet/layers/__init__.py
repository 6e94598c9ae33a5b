"""`teachnet.layers`: the building blocks, with Keras's names and weight layouts."""
from teachnet.layers.base import InputSpec, Layer  # noqa: F401
from teachnet.layers.input_layer import Input, InputLayer, SymbolicTensor  # noqa: F401
from teachnet.layers.core import Activation, Dense, Dropout, Flatten, Lambda, Reshape  # noqa: F401
from teachnet.layers.merge import (  # noqa: F401
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,
    add, average, concatenate, dot, maximum, minimum, multiply, subtract,
)
