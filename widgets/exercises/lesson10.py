"""Lesson 10, CTC: how many frames a label needs, and the collapse of a frame path."""
from widgets.exercises._common import callable_exercise, numeric_exercise


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


EXERCISES = {
    "10.1": (numeric_exercise(3, "Two 7s need a blank between them (7, blank, 7), or they merge into one 7.",
                              "Repeats merge: how does a path keep two equal labels apart?"),
            "`answer = 3`: the path `7 - 7` (with `-` the blank). `7 7` collapses to a single 7. In general a "
            "label needs its length plus one frame per pair of equal neighbours."),
    "10.2": (callable_exercise(_test_ctc_collapse, "Merge repeats first, then drop the blanks.", ""),
            "```python\ndef collapse(path):\n    labels, previous = [], None\n    for k in path:\n"
            "        if k != previous and k != 0:   # a new symbol that is not the blank\n"
            "            labels.append(k)\n        previous = k\n    return labels\n```"),
}
