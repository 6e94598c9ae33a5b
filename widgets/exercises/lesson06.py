"""Lesson 06, Keras and TensorFlow: the tape, the backends, moving weights between frameworks."""
from widgets.exercises._common import Verdict, as_number, choice_exercise, name_exercise


def _check_gap_order(number, answer):
    value = as_number(answer)
    if value is None or not value > 0:
        return Verdict(number, False, f"Expected a positive number such as 1e-3. Received: {answer!r}")
    if value >= 1e-5:
        return Verdict(number, False, f"{value:g} is far larger than what the race shows: both libraries do the "
                                      "same float32 arithmetic. Look at the right-hand picture after Play.")
    if value < 1e-9:
        return Verdict(number, False, f"{value:g} is smaller than float32 can resolve for weights near 1: it "
                                      "keeps about 7 significant digits.")
    return Verdict(number, True, "About 1e-7: float32's rounding, as sums are added up in a different order.")


EXERCISES = {
    "6.1": (name_exercise(["GradientTape"],
                           "tf.GradientTape records operations so that gradients can be computed.",
                           "Which TensorFlow class records operations for automatic differentiation?"),
            "`answer = \"tf.GradientTape\"`"),
    "6.2": (_check_gap_order,
            "`answer = 1e-7`: float32 keeps about 7 significant digits, and the two libraries add the same "
            "numbers in a different order, so the weights drift apart by a few units in the 7th digit, and no more."),
    "6.3": (choice_exercise(["set_weights", "model.set_weights", "ours.set_weights"],
                           "ours.set_weights(theirs.get_weights()) copies every weight, in Keras's order.",
                           "One method reads the weights (get_...), its twin writes them."),
            "`answer = \"set_weights\"`, as in `ours.set_weights(theirs.get_weights())`."),
}
