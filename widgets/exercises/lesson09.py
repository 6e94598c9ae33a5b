"""Lesson 09, sequences: an LSTM's weights, Conv1D's shape."""
from widgets.exercises._common import numeric_exercise, shape_exercise


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
}
