"""Exercises for the lessons: a check function per exercise and its solution.

A lesson ends with a few exercises. The learner writes an answer in a cell and
calls `check("5.1", answer)`; the answer is judged here, not in the notebook,
so the notebooks hold no library code and the checks are tested like the rest
of the kit (tests/widgets/test_exercises.py). `show_solution("5.1")` reveals a
worked answer when the learner asks for it, and only then.

`check` never raises for a wrong answer: it returns a `Verdict` (true or false)
that Jupyter shows as a short coloured message with a hint.

Example:
    >>> from widgets.exercises import check, show_solution
    >>> check("1.1", 144)
    Correct! ...
    >>> show_solution("1.1")
"""
import html
import re

import numpy as np


class Verdict:
    """The result of `check`: `ok` (also the truth value) and a message for the learner."""

    def __init__(self, number, ok, message):
        self.number, self.ok, self.message = number, bool(ok), message

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"{'Correct!' if self.ok else 'Not yet.'} ({self.number}) {self.message}"

    def _repr_html_(self):
        colour, word = ("#1b7e3c", "Correct!") if self.ok else ("#b35900", "Not yet.")
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px">'
                f"<b style=\"color:{colour}\">{word}</b> <small>({self.number})</small> "
                f"{html.escape(self.message)}</div>")


class Solution:
    """A worked answer, shown by `show_solution` as Markdown (code in a fenced block)."""

    def __init__(self, number, markdown):
        self.number, self.markdown = number, markdown

    def __repr__(self):
        return f"Solution {self.number}:\n{self.markdown}"

    def _repr_markdown_(self):
        return f"**Solution {self.number}**\n\n{self.markdown}"


# ---------------------------------------------------------------------------------------------------------
# helpers that the checks share

def _number(answer):
    """`answer` as a float, or None when it is not a single number."""
    if isinstance(answer, (bool, np.bool_, str, bytes)):
        return None
    try:
        return float(np.asarray(answer).reshape(()))
    except (TypeError, ValueError):
        return None


def _close(answer, expected, rtol=1e-3, atol=1e-6):
    value = _number(answer)
    return value is not None and np.isclose(value, expected, rtol=rtol, atol=atol)


def _is_model(answer):
    from teachnet.models import Model
    return isinstance(answer, Model)


def _layer_types(model):
    return [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]


def _verdict(number, ok, success, hint):
    return Verdict(number, ok, success if ok else hint)


def _numeric_exercise(expected, success, hint, rtol=1e-3):
    """A check that compares a single number with `expected`."""
    def check_number(number, answer):
        if answer is None:
            return Verdict(number, False, "Replace `None` with your answer, then run the cell again.")
        if _number(answer) is None:
            return Verdict(number, False, f"Expected a single number. Received: {answer!r}")
        if isinstance(expected, int):  # a count: only the exact number will do
            return _verdict(number, _number(answer) == expected, success, hint)
        return _verdict(number, _close(answer, expected, rtol=rtol), success, hint)
    return check_number


def _choice_exercise(expected, success, hint):
    """A check that compares a word with `expected` (one spelling or a list of accepted ones); case,
    spaces and a trailing `()` do not matter."""
    accepted = {_normal_word(word) for word in ([expected] if isinstance(expected, str) else expected)}

    def check_choice(number, answer):
        if not isinstance(answer, str):
            return Verdict(number, False, f"Expected a string (in quotes). Received: {answer!r}")
        return _verdict(number, _normal_word(answer) in accepted, success, hint)
    return check_choice


def _normal_word(word):
    return word.strip().lower().replace("()", "").replace(" ", "")


def _model_exercise(test, success, hint):
    """A check that calls `test(model) -> (ok, hint)` on a teachnet model."""
    def check_model(number, answer):
        if not _is_model(answer):
            return Verdict(number, False, f"Expected a teachnet model (Sequential or Model). "
                                          f"Received: {type(answer).__name__}")
        try:
            ok, detail = test(answer)
        except Exception as error:  # the learner's model failed on our probe: say how
            return Verdict(number, False, f"Calling your model failed: {type(error).__name__}: {error}")
        return Verdict(number, ok, success if ok else (detail or hint))
    return check_model


def _callable_exercise(test, success, hint):
    """A check that calls `test(fn) -> (ok, detail)` on a function the learner wrote."""
    def check_callable(number, answer):
        if not callable(answer):
            return Verdict(number, False, f"Expected a function. Received: {answer!r}")
        try:
            ok, detail = test(answer)
        except Exception as error:
            return Verdict(number, False, f"Calling your function failed: {type(error).__name__}: {error}")
        return Verdict(number, ok, success if ok else (detail or hint))
    return check_callable


def _output_shape(model, input_shape):
    x = np.zeros((2,) + tuple(input_shape), dtype="float32")
    return tuple(np.asarray(model.predict(x, verbose=0)).shape[1:])


def _shape_exercise(expected, success, hint):
    """A check that compares a shape (tuple or list of ints) with `expected`."""
    def check_shape(number, answer):
        if isinstance(answer, str):
            return Verdict(number, False, f"Expected a tuple of ints. Received: {answer!r}")
        try:
            shape = tuple(int(n) for n in answer)
        except (TypeError, ValueError):
            return Verdict(number, False, f"Expected a tuple of ints. Received: {answer!r}")
        return _verdict(number, shape == tuple(expected), success, hint)
    return check_shape


def _per_sample_loss_test(reference, description):
    """A check for a loss function the learner wrote: one value per sample, equal to `reference`, and
    differentiable by the tape."""
    def test(fn):
        from teachnet import ops
        from teachnet.autodiff import GradientTape, Tensor, Variable
        rng = np.random.default_rng(3)
        y_true = rng.normal(size=(5, 3)).astype("float32")
        y_pred = Variable(rng.normal(size=(5, 3)).astype("float32"))
        with GradientTape() as tape:
            values = fn(y_true, y_pred)
            total = ops.sum(values) if isinstance(values, Tensor) else None
        if values is None:
            return False, "Your function returned None: return one value per sample."
        if total is None:
            return False, "Return a teachnet tensor computed with tn.ops, so that gradients can flow."
        array = np.asarray(values.numpy())
        expected = reference(y_true, y_pred.numpy())
        if array.shape != expected.shape:
            return False, f"Expected one value per sample, shape {expected.shape}. Received: shape {array.shape}"
        if not np.allclose(array, expected, rtol=1e-4, atol=1e-6):
            return False, f"The values are not {description}."
        if tape.gradient(total, y_pred) is None:
            return False, "The tape cannot differentiate your loss: use tn.ops, not numpy."
        return True, ""
    return test


# ---------------------------------------------------------------------------------------------------------
# the exercises, lesson by lesson: number -> (check, solution in Markdown)

EXERCISES = {}


def _check_shift_enter(number, answer):
    if not isinstance(answer, str):
        return Verdict(number, False, f"Expected a string such as 'Ctrl+Enter'. Received: {answer!r}")
    keys = sorted(re.split(r"[\s+\-]+", answer.strip().lower()))
    return _verdict(number, keys == ["enter", "shift"], "Shift+Enter runs the cell and selects the next one.",
                    "Which keys run a cell *and* move on? (Ctrl+Enter runs it and stays.)")


def _check_ones_3x4(number, answer):
    array = np.asarray(answer) if isinstance(answer, (list, tuple, np.ndarray)) else None
    if array is None:
        return Verdict(number, False, f"Expected a numpy array. Received: {type(answer).__name__}")
    ok = array.shape == (3, 4) and np.all(array == 1)
    return _verdict(number, ok, "A (3, 4) array of ones: 3 rows, 4 columns.",
                    f"Expected shape (3, 4) with every entry 1. Received: shape {array.shape}")


EXERCISES.update({
    "0.1": (_check_shift_enter, "`answer = \"Shift+Enter\"` (Ctrl+Enter runs the cell without moving on; "
                                "Alt+Enter runs it and inserts a new cell below)."),
    "0.2": (_check_ones_3x4, "```python\nanswer = np.ones((3, 4))\n```"),
    "0.3": (_choice_exercise("cpu", "teachnet is numpy only, so it computes on the CPU.",
                             "Which processor does numpy use?"),
            "`answer = \"cpu\"`: teachnet is written in numpy, and numpy computes on the CPU. Frameworks such "
            "as TensorFlow, PyTorch and JAX can hand the same math to a GPU."),
})


def _check_sequence_layer(number, answer):
    if not isinstance(answer, str):
        return Verdict(number, False, f"Expected a layer name as a string, e.g. \"Dense\". Received: {answer!r}")
    name = answer.strip().lower().replace("keras.layers.", "").replace("layers.", "")
    fits = {"lstm", "conv1d", "gru", "simplernn"}
    return _verdict(number, name in fits,
                    f"{answer.strip()} reads (samples, timesteps, features) tensors: 24 timesteps of 6 features.",
                    "The tensor is (samples, timesteps, features): which layers read sequences?")


def _test_model_20_16_3(model):
    shape = _output_shape(model, (20,))
    if shape != (3,):
        return False, f"Expected the output shape (3,) for inputs of 20 features. Received: {shape}"
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    if len(dense) != 2 or dense[0].units != 16:
        return False, f"Expected two Dense layers, the first with 16 units. Received layers: {_layer_types(model)}"
    probabilities = model.predict(np.random.default_rng(0).normal(size=(4, 20)).astype("float32"), verbose=0)
    if not np.allclose(probabilities.sum(axis=1), 1, atol=1e-4):
        return False, "The outputs should be probabilities that add up to 1: use activation=\"softmax\" last."
    return model.count_params() == 20 * 16 + 16 + 16 * 3 + 3, "Unexpected number of weights."


EXERCISES.update({
    "1.1": (_numeric_exercise(144, "8 x 16 kernel weights + 16 biases = 144.",
                              "Count the kernel (inputs x units) and the bias (one per unit)."),
            "```python\nanswer = 8 * 16 + 16   # kernel + bias = 144\n```\nCheck: "
            "`tn.layers.Dense(16)(np.zeros((1, 8), \"float32\"))` then `.count_params()`."),
    "1.2": (_check_sequence_layer, "`answer = \"LSTM\"` (or `\"Conv1D\"`): the tensor is (samples, timesteps, "
                                   "features) with 24 timesteps of 6 features."),
    "1.3": (_shape_exercise((28, 28, 8), "32 - 5 + 1 = 28 positions per side, one channel per filter.",
                            "A 5-wide window fits 32 - 5 + 1 times along each side; the channels are the filters."),
            "```python\nanswer = (28, 28, 8)   # 32 - 5 + 1 = 28; 8 filters\n"
                               "tn.layers.Conv2D(8, kernel_size=5)(np.zeros((1, 32, 32, 3), \"float32\")).shape\n```"),
    "1.4": (_model_exercise(_test_model_20_16_3, "20 -> 16 -> 3 with a softmax output.", ""),
            "```python\nanswer = tn.Sequential([\n    tn.Input(shape=(20,)),\n"
            "    tn.layers.Dense(16, activation=\"relu\"),\n    tn.layers.Dense(3, activation=\"softmax\"),\n])\n```"),
})


def _test_square_loss(fn):
    from teachnet.autodiff import GradientTape, Variable
    rng = np.random.default_rng(5)
    targets = rng.normal(size=(6, 1)).astype("float32")
    predictions = Variable(rng.normal(size=(6, 1)).astype("float32"))
    with GradientTape() as tape:
        loss = fn(targets, predictions)
    if loss is None:
        return False, "Your function returned None: return the mean of the squared differences."
    expected = np.mean((targets - predictions.numpy()) ** 2)
    if not np.isclose(float(np.asarray(loss.numpy() if hasattr(loss, "numpy") else loss)), expected, rtol=1e-4):
        return False, f"Expected {expected:.4f} on a test batch. Received: {loss}"
    gradient = tape.gradient(loss, predictions)
    if gradient is None:
        return False, "The tape cannot differentiate your loss: use ops.square and ops.mean, not numpy."
    return True, ""


def _test_cloud_classifier(model):
    from teachnet.datasets import gaussian_clouds
    x, y = gaussian_clouds(samples_per_class=500, seed=123)
    scores = np.asarray(model.predict(x, verbose=0)).reshape(-1)
    accuracy = np.mean((scores > 0.5) == (y[:, 0] > 0.5))
    return accuracy >= 0.95, (f"Accuracy on fresh points: {accuracy:.3f}; expected at least 0.95. "
                              "Train longer, or use a sigmoid output with binary_crossentropy.")


EXERCISES.update({
    "5.1": (_callable_exercise(_test_square_loss, "Right value, and the tape can differentiate it.", ""),
            "```python\ndef my_square_loss(targets, predictions):\n"
            "    return ops.mean(ops.square(targets - predictions))\n```"),
    "5.2": (_numeric_exercise(1.95, "2.0 - 0.1 * 0.5 = 1.95: one small step against the gradient.",
                              "new weight = weight - learning_rate * gradient"),
            "```python\nanswer = 2.0 - 0.1 * 0.5   # 1.95\n```"),
    "5.3": (_model_exercise(_test_cloud_classifier, "Over 95% on fresh points.", ""),
            "```python\nanswer = tn.Sequential([tn.Input(shape=(2,)), tn.layers.Dense(1, activation=\"sigmoid\")])\n"
            "answer.compile(optimizer=\"rmsprop\", loss=\"binary_crossentropy\", metrics=[\"accuracy\"])\n"
            "answer.fit(inputs, targets, epochs=10, batch_size=32, verbose=0)\n```"),
})


EXERCISES.update({
    "7.1": (_choice_exercise("sparse_categorical_crossentropy", "Integer labels and a softmax: sparse "
                             "categorical crossentropy.", "Labels are integers, not one-hot vectors."),
            "`answer = \"sparse_categorical_crossentropy\"` (one-hot labels would take "
            "`\"categorical_crossentropy\"`)."),
    "7.2": (_callable_exercise(_per_sample_loss_test(lambda t, p: np.mean(np.abs(t - p), axis=-1),
                                                     "the mean absolute differences over the last axis"),
                               "One mean absolute difference per sample.", ""),
            "```python\ndef mean_absolute(y_true, y_pred):\n    return ops.mean(ops.abs(y_true - y_pred), axis=-1)\n```"),
    "7.3": (_choice_exercise("val_accuracy", "Validation metrics carry the prefix val_.",
                             "Validation values have the training name with a prefix."),
            "`answer = \"val_accuracy\"`; `print(sorted(history.history))` lists all keys."),
})


def _test_predicted_classes(fn):
    rng = np.random.default_rng(8)
    probabilities = rng.dirichlet(np.ones(4), size=6).astype("float32")
    result = fn(probabilities)
    if result is None:
        return False, "Your function returned None: return one class number per sample."
    result = np.asarray(result)
    expected = probabilities.argmax(axis=1)
    if result.shape != expected.shape:
        return False, f"Expected shape {expected.shape} (one number per sample). Received: shape {result.shape}"
    return bool(np.array_equal(result, expected)), "Pick, in each row, the position of the largest probability."


EXERCISES.update({
    "8.1": (_numeric_exercise(300, "The last 100 examples (25%) are held out; 300 train.",
                              "validation_split takes that fraction off the end."),
            "```python\nanswer = 400 - int(400 * 0.25)   # 300\n```"),
    "8.2": (_numeric_exercise(5, "Best at epoch 3; epochs 4 and 5 do not improve on it: patience 2 is used up.",
                              "Find the best epoch, then count epochs without improvement on it."),
            "`answer = 5`: the best loss, 0.6, comes at epoch 3. Epoch 4 (0.65) and epoch 5 (0.62) are worse: "
            "two epochs without improvement, so training stops after epoch 5, never seeing epoch 7's 0.58."),
    "8.3": (_callable_exercise(_test_predicted_classes, "argmax along the class axis.", ""),
            "```python\ndef predicted_classes(probabilities):\n    return np.argmax(probabilities, axis=1)\n```"),
})


def _check_sparse_loss_class(number, answer):
    if not isinstance(answer, str):
        return Verdict(number, False, f"Expected the class name as a string (in quotes). Received: {answer!r}")
    name = answer.strip().replace("tn.losses.", "").replace("losses.", "").replace("()", "")
    return _verdict(number, name == "SparseCategoricalCrossentropy",
                    "Integer labels with a softmax: SparseCategoricalCrossentropy.",
                    "The labels are class numbers, not one-hot vectors.")


EXERCISES.update({
    "3.1": (_numeric_exercise(-np.log(0.8), "-log(0.8) = 0.223: a fairly confident right answer costs little.",
                              "For label 1 the loss is -log(p)."),
            "```python\nanswer = -np.log(0.8)   # 0.2231\n```"),
    "3.2": (_check_sparse_loss_class, "`answer = \"SparseCategoricalCrossentropy\"` (string form: "
                                      "`\"sparse_categorical_crossentropy\"`)."),
    "3.3": (_numeric_exercise(2.0, "Weights default to 1: the losses are summed, 0.5 + 1.2 + 0.3 = 2.0.",
                              "Keras adds the heads' losses, each times its weight (default 1)."),
            "`answer = 0.5 + 1.2 + 0.3` (= 2.0). Averaging (0.667) would need `loss_weights=[1/3, 1/3, 1/3]`."),
    "3.4": (_callable_exercise(_per_sample_loss_test(
                lambda t, p: np.mean(np.abs(p - t) ** 3, axis=-1), "the mean cubed absolute errors"),
                "One mean cubed error per sample.", ""),
            "```python\ndef mean_cubed_error(y_true, y_pred):\n    error = ops.abs(y_pred - y_true)\n"
            "    return ops.mean(error * error * error, axis=-1)\n```"),
})


def _check_fast_learning_rate(number, answer):
    rate = _number(answer)
    if rate is None:
        return Verdict(number, False, f"Expected a learning rate (a number). Received: {answer!r}")
    from teachnet import ops, optimizers
    from teachnet.autodiff import GradientTape, Variable
    w = Variable(np.array(-1.0, dtype="float32"))
    optimizer = optimizers.SGD(learning_rate=rate)
    for _ in range(5):
        with GradientTape() as tape:
            loss = ops.square(w - 3.0)
        optimizer.apply_gradients([(tape.gradient(loss, w), w)])
    end = float(w.numpy())
    return _verdict(number, abs(end - 3.0) <= 0.01, f"After 5 steps w = {end:.4f}.",
                    f"After 5 steps with learning rate {rate} w = {end:.4g}, not within 0.01 of 3.")


EXERCISES.update({
    "4.1": (_numeric_exercise(2.0, "f'(1) = -4, so w = 1 - 0.25 * (-4) = 2.",
                              "Compute f'(1) = 2 (1 - 3) first, then w - learning_rate * f'(w)."),
            "```python\ngradient = 2 * (1 - 3)           # -4\nanswer = 1 - 0.25 * gradient      # 2.0\n```"),
    "4.2": (_numeric_exercise(1.0, "Above 1.0, |1 - 2 lr| > 1: every step overshoots further.",
                              "When is |1 - 2 * learning_rate| larger than 1?"),
            "`answer = 1.0`: the distance is multiplied by |1 - 2 lr|, which exceeds 1 when lr > 1 "
            "(at exactly 1 it bounces between -1 and 7 forever)."),
    "4.3": (_check_fast_learning_rate, "Any rate from about 0.35 to 0.65 works; 0.5 lands on 3 in one step: "
                                       "1 - 2 * 0.5 = 0. ```python\nanswer = 0.5\ndescend(0.5, steps=5)\n```"),
})


def _test_two_input_model(model):
    if len(model.inputs) != 2:
        return False, f"Expected a model with two inputs. Received: {len(model.inputs)} input(s)"
    shapes = sorted(tuple(t.shape[1:]) for t in model.inputs)
    if shapes != [(3,), (5,)]:
        return False, f"Expected inputs of shapes (3,) and (5,). Received: {shapes}"
    if "Concatenate" not in _layer_types(model):
        return False, f"Join the two inputs with layers.Concatenate. Received layers: {_layer_types(model)}"
    batch = [np.ones((2,) + tuple(t.shape[1:]), dtype="float32") for t in model.inputs]
    shape = np.asarray(model.predict(batch, verbose=0)).shape
    return shape == (2, 1) and model.count_params() == 9, \
        f"Expected one Dense(1) unit after the join (output (batch, 1), 9 weights). Received: output {shape}, " \
        f"{model.count_params()} weights"


EXERCISES.update({
    "2.1": (_numeric_exercise(10, "8 features from the measurement branch + 2 from the category branch.",
                              "Concatenate puts its inputs side by side: add their widths."),
            "`answer = 8 + 2` (10); `two_branch.get_layer(\"join\")` and "
            "`tn.utils.plot_model(two_branch, show_shapes=True)` show it."),
    "2.2": (_model_exercise(_test_two_input_model, "Two inputs, one Concatenate, one Dense(1).", ""),
            "```python\na = tn.Input(shape=(3,), name=\"a\")\nb = tn.Input(shape=(5,), name=\"b\")\n"
            "joined = layers.Concatenate()([a, b])\nanswer = tn.Model([a, b], layers.Dense(1)(joined))\n```"),
    "2.3": (_numeric_exercise(68, "(16 x 3 + 3) + (16 x 1 + 1) = 51 + 17 = 68.",
                              "Each head is a Dense layer on 16 inputs: kernel plus bias."),
            "```python\nanswer = (16 * 3 + 3) + (16 * 1 + 1)   # 68\n```"),
})


EXERCISES.update({
    "6.1": (_choice_exercise(["tf.GradientTape", "tensorflow.GradientTape"],
                           "tf.GradientTape records operations so that gradients can be computed.",
                           "Which TensorFlow class records operations for automatic differentiation?"),
            "`answer = \"tf.GradientTape\"`"),
    "6.2": (_choice_exercise(["tensorflow", "tf", "jax", "torch", "pytorch", "openvino", "numpy"],
                           "Keras 3 hands its math to that backend.",
                           "Keras 3 runs on three big frameworks (and a couple more)."),
            "`answer = \"tensorflow\"` (or `\"jax\"`, `\"torch\"`; Keras 3 also has a NumPy backend for "
            "inference and an OpenVINO one)."),
    "6.3": (_choice_exercise(["set_weights", "model.set_weights", "ours.set_weights"],
                           "ours.set_weights(theirs.get_weights()) copies every weight, in Keras's order.",
                           "One method reads the weights (get_...), its twin writes them."),
            "`answer = \"set_weights\"`, as in `ours.set_weights(theirs.get_weights())`."),
})


def _test_digit_convnet(model):
    types = _layer_types(model)
    if "Conv2D" not in types or not any("Pool" in t for t in types):
        return False, f"Use at least one Conv2D and one pooling layer. Received layers: {types}"
    probabilities = np.asarray(model.predict(np.random.default_rng(10).random((3, 8, 8, 1)).astype("float32"),
                                             verbose=0))
    if probabilities.shape != (3, 10):
        return False, f"Expected 10 outputs per image. Received: output shape {probabilities.shape[1:]}"
    return np.allclose(probabilities.sum(axis=1), 1, atol=1e-4), "End with Dense(10, activation=\"softmax\")."


EXERCISES.update({
    "10.1": (_shape_exercise((13, 13, 8), "Each 2 x 2 block becomes one value: 26 / 2 = 13; channels stay 8.",
                             "Pooling halves height and width; what happens to the channels?"),
             "```python\nanswer = (13, 13, 8)\n```"),
    "10.2": (_numeric_exercise(1168, "3 x 3 x 8 x 16 + 16 = 1,168.",
                               "Each filter has 3 x 3 x (input channels) weights, and there are 16 filters "
                               "plus 16 biases."),
             "```python\nanswer = 3 * 3 * 8 * 16 + 16   # 1168\n```"),
    "10.3": (_model_exercise(_test_digit_convnet, "A convnet for the digits.", ""),
             "```python\nanswer = tn.Sequential([\n    tn.Input(shape=(8, 8, 1)),\n"
             "    layers.Conv2D(8, kernel_size=3, activation=\"relu\"),\n    layers.MaxPooling2D(pool_size=2),\n"
             "    layers.Flatten(),\n    layers.Dense(10, activation=\"softmax\"),\n])\n```"),
})


def _check_circle_features(number, answer):
    if isinstance(answer, str) or not isinstance(answer, (list, tuple, set)):
        return Verdict(number, False, f"Expected a list of two feature names. Received: {answer!r}")
    names = {str(a).replace(" ", "").lower() for a in answer}
    return _verdict(number, names == {"x1^2", "x2^2"},
                    "x1^2 + x2^2 = r^2: in these features the circle's boundary is a straight line.",
                    "Write the circle's equation: which features does it use?")


def _check_xor_playground(number, answer):
    from widgets.playground import Playground
    if not isinstance(answer, Playground):
        return Verdict(number, False, f"Expected a Playground. Received: {type(answer).__name__}")
    if answer.dataset != "xor" or answer.noise != 0 or sorted(answer.features) != ["x1", "x2"]:
        return Verdict(number, False, f"Use dataset=\"xor\", noise 0 and features [\"x1\", \"x2\"]. Received: "
                                      f"dataset={answer.dataset!r}, noise={answer.noise}, features={answer.features}")
    val_loss = answer.history["val_loss"][-1] if answer.history["val_loss"] else float("inf")
    return _verdict(number, val_loss < 0.2, f"Validation loss {val_loss:.3f}, with hidden layers "
                                            f"{answer.hidden_layers}.",
                    f"Validation loss {val_loss:.3f}: not below 0.2 yet. A hidden layer (4 neurons) and more "
                    f"epochs will do it.")


EXERCISES.update({
    "11.1": (_check_circle_features, "`answer = [\"x1^2\", \"x2^2\"]`: the circle `x1^2 + x2^2 = r^2` is a "
                                     "straight line in these two features."),
    "11.2": (_check_xor_playground,
             "```python\nanswer = Playground(dataset=\"xor\", features=[\"x1\", \"x2\"], hidden_layers=[4],\n"
             "                    activation=\"tanh\", optimizer=\"Adam\", learning_rate=0.03)\nanswer.train(60)\n```"),
    "11.3": (_choice_exercise(["line", "straight line", "straight", "linear", "a line", "a straight line"],
                              "A weighted sum of x1 and x2 compared with a threshold: a straight line.",
                              "Without hidden layers, the output is sigmoid(w1 x1 + w2 x2 + b)."),
             "`answer = \"line\"`: the prediction is `sigmoid(w1*x1 + w2*x2 + b)`, and it equals 0.5 where "
             "`w1*x1 + w2*x2 + b = 0`, a straight line."),
})


# ---------------------------------------------------------------------------------------------------------
# what the notebooks call

def check(number, answer):
    """Judges the answer to exercise `number` (e.g. "5.1") and returns a `Verdict` that shows a short message.

    Args:
        number: the exercise's number as a string, "lesson.exercise".
        answer: what the exercise asks for: a number, a string, an array, a model or a function.
    """
    if number not in EXERCISES:
        raise ValueError(f"Unknown exercise {number!r}. Known exercises: {sorted(EXERCISES)}")
    judge, _ = EXERCISES[number]
    return judge(number, answer)


def show_solution(number):
    """A worked answer to exercise `number`, shown as Markdown. Try the exercise first!"""
    if number not in EXERCISES:
        raise ValueError(f"Unknown exercise {number!r}. Known exercises: {sorted(EXERCISES)}")
    return Solution(number, EXERCISES[number][1])


# ---------------------------------------------------------------------------------------------------------
# Lessons 9 and 10

def _collapse_reference(path):
    """CTC's collapse of a frame path (class 0 = blank): merge repeats, then drop blanks."""
    labels, previous = [], None
    for k in path:
        if k != previous and k != 0:
            labels.append(int(k))
        previous = k
    return labels


def _test_ctc_collapse(fn):
    paths = [[0, 3, 3, 0, 0, 5, 5, 5, 0], [2, 2, 0, 2, 0], [0, 0, 0], [4, 4, 4], [1, 2, 3],
             [0, 7, 0, 7, 7, 0, 8], []]
    for path in paths:
        result = fn(list(path))
        if result is None:
            return False, "Your function returned None: return the list of labels."
        try:
            labels = [int(k) for k in result]
        except (TypeError, ValueError):
            return False, f"Expected a list of ints. Received: {result!r}"
        expected = _collapse_reference(path)
        if labels != expected:
            return False, f"For the path {path} expected {expected}. Received: {labels}"
    return True, ""


EXERCISES.update({
    "9.1": (_numeric_exercise(1280, "4 gates x (3 x 16 + 16 x 16 + 16) = 4 x 320 = 1,280.",
                              "Each of the 4 gates has a kernel (features x units), a recurrent kernel "
                              "(units x units) and a bias (units)."),
            "```python\nanswer = 4 * (3 * 16 + 16 * 16 + 16)   # 1280\n"
            "tn.Sequential([tn.Input(shape=(10, 3)), layers.LSTM(16)]).count_params()   # to check\n```"),
    "9.2": (_shape_exercise((16, 16), "A 5-step window fits 20 - 5 + 1 = 16 times; one channel per filter.",
                            "Without padding a window of 5 steps fits (steps - 5 + 1) times; the channels "
                            "are the filters."),
            "```python\nanswer = (16, 16)   # 20 - 5 + 1 = 16 steps, 16 filters\n"
            "layers.Conv1D(16, kernel_size=5)(np.zeros((1, 20, 1), \"float32\")).shape\n```"),
    "9.3": (_numeric_exercise(3, "Two 7s need a blank between them (7, blank, 7), or they merge into one 7.",
                              "Repeats merge: how does a path keep two equal labels apart?"),
            "`answer = 3`: the path `7 - 7` (with `-` the blank). `7 7` collapses to a single 7. In general a "
            "label needs its length plus one frame per pair of equal neighbours."),
    "9.4": (_callable_exercise(_test_ctc_collapse, "Merge repeats first, then drop the blanks.", ""),
            "```python\ndef collapse(path):\n    labels, previous = [], None\n    for k in path:\n"
            "        if k != previous and k != 0:   # a new symbol that is not the blank\n"
            "            labels.append(k)\n        previous = k\n    return labels\n```"),
})


EXERCISES.update({
    "10.4": (_shape_exercise((7, 7, 4), "(15 - 3) // 2 + 1 = 7 positions per side; 4 filters.",
                             "With padding=\"valid\" a 3-wide window moving 2 pixels at a time fits "
                             "(size - 3) // 2 + 1 times."),
             "```python\nanswer = (7, 7, 4)   # (15 - 3) // 2 + 1 = 7\n"
             "layers.Conv2D(4, kernel_size=3, strides=2)(np.zeros((1, 15, 15, 1), \"float32\")).shape\n```"),
})
