"""Lesson 09, sequences: an LSTM's weights, Conv1D's shape, how long a forget gate keeps a value."""
from widgets.exercises._common import Verdict, as_number, close_to, numeric_exercise, shape_exercise

FORGET, STEPS = 0.9, 10  # exercise 9.3: the forget gate's value, and the steps after the write


def _check_kept_share(number, answer):
    value = as_number(answer)
    if value is None:
        return Verdict(number, False, "Replace `None` with a number, then run the cell again." if answer is None
                       else f"Expected a single number. Received: {answer!r}")
    expected = FORGET ** STEPS
    if close_to(value, expected, rtol=0.01):
        return Verdict(number, True, f"0.9^10 = {expected:.3f}: each step keeps 90 % of the cell. With f = 0.99 "
                                     "(bias ln 99) it would keep 90 % after 10 steps: an open forget gate carries "
                                     "a value across many steps.")
    if close_to(value, FORGET ** (STEPS + 1), rtol=0.01) or close_to(value, FORGET ** (STEPS - 1), rtol=0.01):
        return Verdict(number, False, "Count the multiplications: from step 0 to step 10 the cell is multiplied "
                                      "by f ten times.")
    if close_to(value, FORGET, rtol=0.01):
        return Verdict(number, False, "0.9 is what one step keeps; the cell is multiplied by f at every step.")
    if close_to(value, 1 - FORGET * STEPS, rtol=0.01) or close_to(value, (1 - FORGET) ** STEPS, rtol=0.01) \
            or value <= 0:
        return Verdict(number, False, "f does not subtract: c_t = f * c_(t-1) + i * g, and with the input gate "
                                      "closed only f * c_(t-1) is left, a share of the cell kept at each step.")
    return Verdict(number, False, f"{value:g} is not it: with the input gate closed, c_t = f * c_(t-1) at each "
                                  "of the 10 steps.")


EXERCISES = {
    "9.1": (numeric_exercise(1280, "4 gates x (3 x 16 + 16 x 16 + 16) = 4 x 320 = 1,280.",
                              "Each of the 4 gates has a kernel (features x units), a recurrent kernel "
                              "(units x units) and a bias (units)."),
            "```python\nanswer = 4 * (3 * 16 + 16 * 16 + 16)   # 1280\n"
            "tn.Sequential([tn.Input(shape=(10, 3)), layers.LSTM(16)]).count_params()   # to check\n```"),
    "9.2": (shape_exercise((16, 16), "A 5-step window fits 20 - 5 + 1 = 16 times; one channel per filter.",
                            "Without padding a window of 5 steps fits (steps - 5 + 1) times; the channels "
                            "are the filters."),
            "```python\nanswer = (16, 16)   # 20 - 5 + 1 = 16 steps, 16 filters\n"
            "layers.Conv1D(16, kernel_size=5)(np.zeros((1, 20, 1), \"float32\")).shape\n```"),
    "9.3": (_check_kept_share,
            "`answer = 0.9 ** 10`  (0.349). After the write the input gate is closed (i = sigmoid(-10)), so "
            "`c_t = f * c_(t-1)` with f = sigmoid(ln 9) = 0.9, ten times. To read it off the view:\n"
            "```python\nc = carrier_view.gates()[\"cell c\"][:, 0]\nprint(c[-1] / c[0])   # 0.349\n```"),
}
