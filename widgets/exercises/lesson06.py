"""Lesson 06, Keras and TensorFlow: predict the steps a `.keras` file carries, how far the two libraries' weights
drift, and which optimizer's state a continued training can do without."""
from widgets.exercises._common import Verdict, as_number, normal_word, numeric_exercise


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


def _check_steps(number, answer):
    value = as_number(answer)
    hints = {50: "50 is where teachnet stopped; Keras then trains 2 more epochs, and its counter goes on from there.",
             20: "20 is only Keras's 2 epochs: the file brought teachnet's steps along, and the counter goes on.",
             7: "Count batches, not epochs: the optimizer takes one step per batch.",
             2: "Count batches, not epochs: the optimizer takes one step per batch.",
             5: "Count batches, not epochs: the optimizer takes one step per batch."}
    if value in hints:
        return Verdict(number, False, hints[value])
    return numeric_exercise(70, "5 epochs x 10 batches in teachnet, then 2 x 10 in Keras: 70 steps, counted on.",
                            "One step per batch: 200 points in batches of 20 make 10 steps per epoch, and the "
                            "file carries the count from teachnet to Keras.")(number, answer)


# what a learner may write for each optimizer of exercise 6.3
OPTIMIZER_NAMES = {"sgd": "SGD", "plainsgd": "SGD", "sgd(momentum=0)": "SGD",
                   "momentum": "momentum", "sgdwithmomentum": "momentum", "sgd(momentum=0.9)": "momentum",
                   "rmsprop": "RMSprop", "adam": "Adam"}
STATE = {"momentum": "SGD with momentum keeps a velocity (a running sum of past gradients)",
         "RMSprop": "RMSprop keeps a running mean of squared gradients",
         "Adam": "Adam keeps running means of the gradients and of their squares, and its bias correction reads the "
                 "step count"}


def _check_stateless(number, answer):
    if answer is None:
        return Verdict(number, False, "Replace `None` with your answer, then run the cell again.")
    names = [answer] if isinstance(answer, str) else answer
    if not isinstance(names, (list, tuple, set)) or not all(isinstance(n, str) for n in names):
        return Verdict(number, False, f"Expected a list of names such as [\"Adam\"]. Received: {answer!r}")
    unknown = [n for n in names if normal_word(n) not in OPTIMIZER_NAMES]
    if unknown:
        return Verdict(number, False, f"Pick from \"SGD\", \"SGD with momentum\", \"RMSprop\" and \"Adam\". "
                                      f"Received: {unknown}")
    picked = {OPTIMIZER_NAMES[normal_word(n)] for n in names}
    wrong = [name for name in STATE if name in picked]
    if wrong:
        return Verdict(number, False, f"{STATE[wrong[0]]}: a fresh optimizer starts that at zero, so its next "
                                      "steps differ from the ones the saved state gives.")
    if "SGD" not in picked:
        return Verdict(number, False, "One of them reads nothing but the learning rate and the gradient: "
                                      "`w -= lr * g`. Which?")
    return Verdict(number, True, "Plain SGD's update `w -= lr * g` has no state: the weights alone decide its next "
                                 "steps. The others would restart their running averages.")


EXERCISES = {
    "6.1": (_check_steps,
            "`answer = 70`: 200 points in batches of 20 are 10 steps per epoch; teachnet's 5 epochs are 50 steps, "
            "the `.keras` file carries `iterations = 50` to Keras, and its 2 epochs add 20. "
            "To check: `int(in_keras.optimizer.iterations)` after the cell's `fit`."),
    "6.2": (_check_gap_order,
            "`answer = 1e-7`: float32 keeps about 7 significant digits, and the two libraries add the same "
            "numbers in a different order, so the weights drift apart by a few units in the 7th digit, and no more."),
    "6.3": (_check_stateless,
            "`answer = [\"SGD\"]`: `w -= lr * g` reads only the learning rate and the gradient, so a fresh SGD "
            "continues exactly as the saved one would. Momentum, RMSprop and Adam keep running averages of past "
            "gradients (their slots, saved in the file); a fresh optimizer starts them at zero. To see it:\n"
            "```python\nfresh = build(tn)\nfresh.set_weights(ours.get_weights())   # weights only, a new SGD\n"
            "a = fresh.fit(x, y, epochs=1, batch_size=20, shuffle=False, verbose=0).history[\"loss\"]\n"
            "b = tn.saving.load_model(folder / \"from_teachnet.keras\").fit(x, y, epochs=1, batch_size=20, "
            "shuffle=False, verbose=0).history[\"loss\"]\nprint(a, b)   # the same\n```"),
}
