"""Small layers shared by the model tests."""
import teachnet
from teachnet import ops


class Linear(teachnet.layers.Layer):
    """A dense layer written as a learner would: `build` and `call` only.

    It has no compute_output_shape, so model summaries must run it on zeros.
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight((input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight((self.units,), initializer="zeros", name="bias")

    def call(self, x):
        return ops.matmul(x, self.kernel) + self.bias
