"""Lesson 08, validation: the split, where EarlyStopping stops, predicted classes, reading curves."""
import numpy as np

from widgets.exercises._common import Verdict, callable_exercise, numeric_exercise, verdict


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


DIAGNOSES = {"overfitting": ["overfitting", "overfit", "over", "overfits", "over-fitting", "over-fit"],
             "underfitting": ["underfitting", "underfit", "under", "underfits", "under-fitting", "under-fit"],
             "good fit": ["good fit", "good", "fine", "goodfit", "good-fit", "ok", "well"]}
RUNS = {"A": "underfitting", "B": "overfitting", "C": "good fit"}


def _diagnosis(word):
    word = str(word).strip().lower()
    return next((name for name, spellings in DIAGNOSES.items() if word in spellings), None)


def _check_diagnoses(number, answer):
    if not isinstance(answer, dict) or set(answer) != set(RUNS):
        return Verdict(number, False, "Expected a dict with one diagnosis per run: {\"A\": ..., \"B\": ..., "
                                      f"\"C\": ...}}. Received: {answer!r}")
    words = {run: _diagnosis(answer[run]) for run in RUNS}
    unknown = [run for run, word in words.items() if word is None]
    if unknown:
        return Verdict(number, False, f"Use \"overfitting\", \"underfitting\" or \"good fit\". Not understood: "
                                      f"{', '.join(f'{run}={answer[run]!r}' for run in unknown)}")
    wrong = [run for run in RUNS if words[run] != RUNS[run]]
    hints = {"underfitting": "both losses stay high and close together",
             "overfitting": "the training loss keeps falling while the validation loss turns up",
             "good fit": "both losses fall and end low, close together"}
    return verdict(number, not wrong, "A: underfitting (both high), B: overfitting (the gap opens), "
                                      "C: a good fit.",
                   " ".join(f"Look again at run {run}: which diagnosis means that {hints[words[run]]}? Is that "
                            f"what its curves do?" for run in wrong))


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
    "8.4": (_check_diagnoses,
            "`answer = {\"A\": \"underfitting\", \"B\": \"overfitting\", \"C\": \"good fit\"}`: A's losses stay "
            "high and together (too small a model, too few epochs); B's training loss falls toward 0 while its "
            "validation loss turns up (memorizing); C's both fall and end low, close together."),
}
