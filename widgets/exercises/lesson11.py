"""Lesson 11, images: pooling and convolution shapes, a filter's weights, a digit convnet."""
import numpy as np

from widgets.exercises._common import name_exercise, layer_types, model_exercise, numeric_exercise, shape_exercise


def _test_digit_convnet(model):
    types = layer_types(model)
    if "Conv2D" not in types or not any("Pool" in t for t in types):
        return False, f"Use at least one Conv2D and one pooling layer. Received layers: {types}"
    probabilities = np.asarray(model.predict(np.random.default_rng(10).random((3, 8, 8, 1)).astype("float32"),
                                             verbose=0))
    if probabilities.shape != (3, 10):
        return False, f"Expected 10 outputs per image. Received: output shape {probabilities.shape[1:]}"
    return np.allclose(probabilities.sum(axis=1), 1, atol=1e-4), "End with Dense(10, activation=\"softmax\")."


EXERCISES = {
    "11.1": (shape_exercise((13, 13, 8), "Each 2 x 2 block becomes one value: 26 / 2 = 13; channels stay 8.",
                             "Pooling halves height and width; what happens to the channels?"),
             "```python\nanswer = (13, 13, 8)\n```"),
    "11.2": (numeric_exercise(1168, "3 x 3 x 8 x 16 + 16 = 1,168.",
                               "Each filter has 3 x 3 x (input channels) weights, and there are 16 filters "
                               "plus 16 biases."),
             "```python\nanswer = 3 * 3 * 8 * 16 + 16   # 1168\n```"),
    "11.3": (model_exercise(_test_digit_convnet, "A convnet for the digits.", ""),
             "```python\nanswer = tn.Sequential([\n    tn.Input(shape=(8, 8, 1)),\n"
             "    layers.Conv2D(8, kernel_size=3, activation=\"relu\"),\n    layers.MaxPooling2D(pool_size=2),\n"
             "    layers.Flatten(),\n    layers.Dense(10, activation=\"softmax\"),\n])\n```"),
    "11.4": (shape_exercise((7, 7, 4), "(15 - 3) // 2 + 1 = 7 positions per side; 4 filters.",
                             "With padding=\"valid\" a 3-wide window moving 2 pixels at a time fits "
                             "(size - 3) // 2 + 1 times."),
             "```python\nanswer = (7, 7, 4)   # (15 - 3) // 2 + 1 = 7\n"
             "layers.Conv2D(4, kernel_size=3, strides=2)(np.zeros((1, 15, 15, 1), \"float32\")).shape\n```"),
    "11.5": (name_exercise(["GlobalMaxPooling2D"], "The max over each map says whether a stroke is anywhere: it "
                                                    "barely cares where, so a one-pixel move costs least.",
                           "Which head keeps only *whether* a stroke was found, not where, and not diluted by "
                           "an average?"),
             "`answer = \"GlobalMaxPooling2D\"`: the comparison's last row loses least under every shift."),
}
