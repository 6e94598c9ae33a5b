"""`teachnet.layers`: the building blocks, with Keras's names and weight layouts."""
from teachnet.layers.base import InputSpec, Layer  # noqa: F401
from teachnet.layers.input_layer import Input, InputLayer, SymbolicTensor  # noqa: F401
from teachnet.layers.core import Activation, Dense, Dropout, Flatten, Lambda, Reshape  # noqa: F401
from teachnet.layers.convolutional import Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose  # noqa: F401
from teachnet.layers.pooling import (  # noqa: F401
    AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D, GlobalAveragePooling1D, GlobalAveragePooling2D,
    GlobalAvgPool1D, GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
    MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from teachnet.layers.embedding import Embedding  # noqa: F401
from teachnet.layers.masking import Masking  # noqa: F401
from teachnet.layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell  # noqa: F401
from teachnet.layers.normalization import BatchNormalization, LayerNormalization  # noqa: F401
from teachnet.layers.regularization import SpatialDropout1D, SpatialDropout2D  # noqa: F401
from teachnet.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: F401
from teachnet.layers.reshaping import (  # noqa: F401
    Cropping1D, Cropping2D, Identity, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D)
from teachnet.layers.wrappers import Bidirectional, TimeDistributed  # noqa: F401
from teachnet.layers.merge import (  # noqa: F401
    Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract,
    add, average, concatenate, dot, maximum, minimum, multiply, subtract,
)
