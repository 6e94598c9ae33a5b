"""Lesson 01, layers: counting weights, the layer that fits a tensor, output shapes, a first model."""
import numpy as np

from widgets.exercises._common import layer_types, model_exercise, name_exercise, numeric_exercise, output_shape, shape_exercise


def _test_model_20_16_3(model):
    shape = output_shape(model, (20,))
    if shape != (3,):
        return False, f"Expected the output shape (3,) for inputs of 20 features. Received: {shape}"
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    if len(dense) != 2 or dense[0].units != 16:
        return False, f"Expected two Dense layers, the first with 16 units. Received layers: {layer_types(model)}"
    probabilities = model.predict(np.random.default_rng(0).normal(size=(4, 20)).astype("float32"), verbose=0)
    if not np.allclose(probabilities.sum(axis=1), 1, atol=1e-4):
        return False, "The outputs should be probabilities that add up to 1: use activation=\"softmax\" last."
    return model.count_params() == 20 * 16 + 16 + 16 * 3 + 3, "Unexpected number of weights."


EXERCISES = {
    "1.1": (numeric_exercise(144, "8 x 16 kernel weights + 16 biases = 144.",
                              "Count the kernel (inputs x units) and the bias (one per unit)."),
            "```python\nanswer = 8 * 16 + 16   # kernel + bias = 144\n```\nCheck: "
            "`tn.layers.Dense(16)(np.zeros((1, 8), \"float32\"))` then `.count_params()`."),
    "1.2": (name_exercise(["LSTM", "Conv1D", "GRU", "SimpleRNN"],
                          "It reads (samples, timesteps, features) tensors: 24 timesteps of 6 features.",
                          "The tensor is (samples, timesteps, features): which layers read sequences?"), "`answer = \"LSTM\"` (or `\"Conv1D\"`): the tensor is (samples, timesteps, "
                                   "features) with 24 timesteps of 6 features."),
    "1.3": (shape_exercise((28, 28, 8), "32 - 5 + 1 = 28 positions per side, one channel per filter.",
                            "A 5-wide window fits 32 - 5 + 1 times along each side; the channels are the filters."),
            "```python\nanswer = (28, 28, 8)   # 32 - 5 + 1 = 28; 8 filters\n"
                               "tn.layers.Conv2D(8, kernel_size=5)(np.zeros((1, 32, 32, 3), \"float32\")).shape\n```"),
    "1.4": (model_exercise(_test_model_20_16_3, "20 -> 16 -> 3 with a softmax output.", ""),
            "```python\nanswer = tn.Sequential([\n    tn.Input(shape=(20,)),\n"
            "    tn.layers.Dense(16, activation=\"relu\"),\n    tn.layers.Dense(3, activation=\"softmax\"),\n])\n```"),
    "1.5": (shape_exercise((500, 24, 1), "(500, 24, 1): 24 timesteps of one feature; LSTM(8) then gives (500, 8).",
                           "An LSTM reads (samples, timesteps, features): which axis is missing?"),
            "```python\nanswer = (500, 24, 1)\ntemperatures = np.zeros((500, 24), \"float32\")\n"
            "tn.layers.LSTM(8)(temperatures[..., None]).shape   # (500, 8)\n```"),
}
