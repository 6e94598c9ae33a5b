"""Lesson 04, optimizers: a gradient step by hand, the largest stable learning rate, picking a rate."""
import numpy as np

from widgets.exercises._common import Verdict, as_number, numeric_exercise, verdict


def _check_fast_learning_rate(number, answer):
    rate = as_number(answer)
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
    return verdict(number, abs(end - 3.0) <= 0.01, f"After 5 steps w = {end:.4f}.",
                    f"After 5 steps with learning rate {rate} w = {end:.4g}, not within 0.01 of 3.")


EXERCISES = {
    "4.1": (numeric_exercise(2.0, "f'(1) = -4, so w = 1 - 0.25 * (-4) = 2.",
                              "Compute f'(1) = 2 (1 - 3) first, then w - learning_rate * f'(w)."),
            "```python\ngradient = 2 * (1 - 3)           # -4\nanswer = 1 - 0.25 * gradient      # 2.0\n```"),
    "4.2": (numeric_exercise(1.0, "Above 1.0, |1 - 2 lr| > 1: every step overshoots further.",
                              "When is |1 - 2 * learning_rate| larger than 1?"),
            "`answer = 1.0`: the distance is multiplied by |1 - 2 lr|, which exceeds 1 when lr > 1 "
            "(at exactly 1 it bounces between -1 and 7 forever)."),
    "4.3": (_check_fast_learning_rate, "Any rate from about 0.35 to 0.65 works; 0.5 lands on 3 in one step: "
                                       "1 - 2 * 0.5 = 0. ```python\nanswer = 0.5\ndescend(0.5, steps=5)\n```"),
    "4.4": (numeric_exercise(0.25, "The steep direction has curvature 8, and SGD is stable there while "
                                   "|1 - 8 lr| < 1, that is lr < 2/8 = 0.25.",
                             "Across the ravine, f = 4 y^2: the gradient is 8 y, so a step multiplies y by "
                             "(1 - 8 * learning_rate). When does that have size above 1?", rtol=0.02),
            "`answer = 2 / 8`  (0.25). On `y` alone, SGD's step is `y -= lr * 8 y`, i.e. `y *= (1 - 8 lr)`, which "
            "grows once `8 lr > 2`. In the race: `race.sliders[\"SGD\", \"learning_rate\"].value = 0.2` zig-zags "
            "inward, `= 0.3` flies out of the box."),
}
