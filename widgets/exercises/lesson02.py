"""Lesson 02, models: widths through Concatenate, a two-input model, heads' weights."""
import numpy as np

from widgets.exercises._common import layer_types, model_exercise, numeric_exercise


def _test_two_input_model(model):
    if len(model.inputs) != 2:
        return False, f"Expected a model with two inputs. Received: {len(model.inputs)} input(s)"
    shapes = sorted(tuple(t.shape[1:]) for t in model.inputs)
    if shapes != [(3,), (5,)]:
        return False, f"Expected inputs of shapes (3,) and (5,). Received: {shapes}"
    if "Concatenate" not in layer_types(model):
        return False, f"Join the two inputs with layers.Concatenate. Received layers: {layer_types(model)}"
    batch = [np.ones((2,) + tuple(t.shape[1:]), dtype="float32") for t in model.inputs]
    shape = np.asarray(model.predict(batch, verbose=0)).shape
    return shape == (2, 1) and model.count_params() == 9, \
        f"Expected one Dense(1) unit after the join (output (batch, 1), 9 weights). Received: output {shape}, " \
        f"{model.count_params()} weights"


EXERCISES = {
    "2.1": (numeric_exercise(10, "8 features from the measurement branch + 2 from the category branch.",
                              "Concatenate puts its inputs side by side: add their widths."),
            "`answer = 8 + 2` (10); `two_branch.get_layer(\"join\")` and "
            "`tn.utils.plot_model(two_branch, show_shapes=True)` show it."),
    "2.2": (model_exercise(_test_two_input_model, "Two inputs, one Concatenate, one Dense(1).", ""),
            "```python\na = tn.Input(shape=(3,), name=\"a\")\nb = tn.Input(shape=(5,), name=\"b\")\n"
            "joined = layers.Concatenate()([a, b])\nanswer = tn.Model([a, b], layers.Dense(1)(joined))\n```"),
    "2.3": (numeric_exercise(68, "(16 x 3 + 3) + (16 x 1 + 1) = 51 + 17 = 68.",
                              "Each head is a Dense layer on 16 inputs: kernel plus bias."),
            "```python\nanswer = (16 * 3 + 3) + (16 * 1 + 1)   # 68\n```"),
    "2.4": (numeric_exercise(16, "One kernel (3 x 4) and one bias (4): 16 weights, used twice. Sharing adds no "
                                 "weights.", "The layer is applied twice, but how many weight tensors does it own?"),
            "```python\nanswer = 3 * 4 + 4   # 16: the same kernel and bias serve both inputs\n"
            "shared = layers.Dense(4)\na, b = tn.Input(shape=(3,)), tn.Input(shape=(3,))\n"
            "tn.Model([a, b], layers.Add()([shared(a), shared(b)])).count_params()   # 16\n```"),
}
