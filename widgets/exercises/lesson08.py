"""Lesson 08, validation: the split, where EarlyStopping stops, predicted classes, reading curves."""
import numpy as np

from widgets.exercises._common import callable_exercise, numeric_exercise


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


EXERCISES = {
    "8.1": (numeric_exercise(300, "The last 100 examples (25%) are held out; 300 train.",
                              "validation_split takes that fraction off the end."),
            "```python\nanswer = 400 - int(400 * 0.25)   # 300\n```"),
    "8.2": (numeric_exercise(5, "Best at epoch 3; epochs 4 and 5 do not improve on it: patience 2 is used up.",
                              "Find the best epoch, then count epochs without improvement on it."),
            "`answer = 5`: the best loss, 0.6, comes at epoch 3. Epoch 4 (0.65) and epoch 5 (0.62) are worse: "
            "two epochs without improvement, so training stops after epoch 5, never seeing epoch 7's 0.58."),
    "8.3": (callable_exercise(_test_predicted_classes, "argmax along the class axis.", ""),
            "```python\ndef predicted_classes(probabilities):\n    return np.argmax(probabilities, axis=1)\n```"),
}
