"""Lesson 00, setting up: the environment check, arrays, shapes."""
import re

import numpy as np

from widgets.exercises._common import Verdict, choice_exercise, verdict


import re

def _check_shift_enter(number, answer):
    if not isinstance(answer, str):
        return Verdict(number, False, f"Expected a string such as 'Ctrl+Enter'. Received: {answer!r}")
    keys = sorted(re.split(r"[\s+\-]+", answer.strip().lower()))
    return verdict(number, keys == ["enter", "shift"], "Shift+Enter runs the cell and selects the next one.",
                    "Which keys run a cell *and* move on? (Ctrl+Enter runs it and stays.)")


def _check_ones_3x4(number, answer):
    array = np.asarray(answer) if isinstance(answer, (list, tuple, np.ndarray)) else None
    if array is None:
        return Verdict(number, False, f"Expected a numpy array. Received: {type(answer).__name__}")
    ok = array.shape == (3, 4) and np.all(array == 1)
    return verdict(number, ok, "A (3, 4) array of ones: 3 rows, 4 columns.",
                    f"Expected shape (3, 4) with every entry 1. Received: shape {array.shape}")


EXERCISES = {
    "0.1": (_check_shift_enter, "`answer = \"Shift+Enter\"` (Ctrl+Enter runs the cell without moving on; "
                                "Alt+Enter runs it and inserts a new cell below)."),
    "0.2": (_check_ones_3x4, "```python\nanswer = np.ones((3, 4))\n```"),
    "0.3": (choice_exercise("cpu", "teachnet is numpy only, so it computes on the CPU.",
                             "Which processor does numpy use?"),
            "`answer = \"cpu\"`: teachnet is written in numpy, and numpy computes on the CPU. Frameworks such "
            "as TensorFlow, PyTorch and JAX can hand the same math to a GPU."),
}
