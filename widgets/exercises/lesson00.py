"""Lesson 00, setting up: the live check works here, arrays, the shape of a layer's product."""
import numpy as np

from widgets.exercises._common import Verdict, shape_exercise, verdict


def _check_live_view(number, answer):
    from widgets.environment_check import EnvironmentCheck
    if not isinstance(answer, EnvironmentCheck):
        return Verdict(number, False, f"Expected the live check, `live` (an EnvironmentCheck). "
                                      f"Received: {type(answer).__name__}")
    if answer.clicks < 1:
        return Verdict(number, False, "No click has reached the kernel yet: click \"Click me\" in the live check. "
                                      "If the count never appears, widgets are not live here (see the text "
                                      "above the check).")
    if not answer.loss < 0.3:
        return Verdict(number, False, f"The loss is {answer.loss:.3f} after {answer.step} steps: press Play "
                                      "(or Step) until it is below 0.3.")
    return Verdict(number, True, f"Widgets are live here, and the model trained to loss {answer.loss:.3f} in "
                                 f"{answer.step} steps.")


def _check_ones_3x4(number, answer):
    array = np.asarray(answer) if isinstance(answer, (list, tuple, np.ndarray)) else None
    if array is None:
        return Verdict(number, False, f"Expected a numpy array. Received: {type(answer).__name__}")
    ok = array.shape == (3, 4) and np.all(array == 1)
    return verdict(number, ok, "A (3, 4) array of ones: 3 rows, 4 columns.",
                   f"Expected shape (3, 4) with every entry 1. Received: shape {array.shape}")


EXERCISES = {
    "0.1": (_check_live_view, "Click \"Click me\", press Play until the loss is below 0.3, then "
                              "`answer = live`. From code, `live.advance(30)` trains 30 more steps (but only a "
                              "click proves that the widgets are live)."),
    "0.2": (_check_ones_3x4, "```python\nanswer = np.ones((3, 4))\n```"),
    "0.3": (shape_exercise((3, 2), "(3, 4) @ (4, 2) gives (3, 2): one row per example, one column per unit.",
                           "A product (a, b) @ (b, c) keeps the rows of the first and the columns of the second."),
            "```python\nanswer = (3, 2)\n(np.ones((3, 4)) @ np.ones((4, 2))).shape   # to check\n```"),
}
