"""Lesson 12, the Playground: features for a circle, XOR trained live, what no hidden layer can draw."""
from widgets.exercises._common import Verdict, choice_exercise, verdict


def _check_circle_features(number, answer):
    if isinstance(answer, str) or not isinstance(answer, (list, tuple, set)):
        return Verdict(number, False, f"Expected a list of two feature names. Received: {answer!r}")
    names = {str(a).replace(" ", "").lower() for a in answer}
    return verdict(number, names == {"x1^2", "x2^2"},
                    "x1^2 + x2^2 = r^2: in these features the circle's boundary is a straight line.",
                    "Write the circle's equation: which features does it use?")


def _check_xor_playground(number, answer):
    from widgets.playground import Playground
    if not isinstance(answer, Playground):
        return Verdict(number, False, f"Expected a Playground. Received: {type(answer).__name__}")
    if answer.dataset != "xor" or answer.noise != 0 or sorted(answer.features) != ["x1", "x2"]:
        return Verdict(number, False, f"Use dataset=\"xor\", noise 0 and features [\"x1\", \"x2\"]. Received: "
                                      f"dataset={answer.dataset!r}, noise={answer.noise}, features={answer.features}")
    val_loss = answer.history["val_loss"][-1] if answer.history["val_loss"] else float("inf")
    return verdict(number, val_loss < 0.2, f"Validation loss {val_loss:.3f}, with hidden layers "
                                            f"{answer.hidden_layers}.",
                    f"Validation loss {val_loss:.3f}: not below 0.2 yet. A hidden layer (4 neurons) and more "
                    f"epochs will do it.")


EXERCISES = {
    "12.1": (_check_circle_features, "`answer = [\"x1^2\", \"x2^2\"]`: the circle `x1^2 + x2^2 = r^2` is a "
                                     "straight line in these two features."),
    "12.2": (_check_xor_playground,
             "```python\nanswer = Playground(dataset=\"xor\", features=[\"x1\", \"x2\"], hidden_layers=[4],\n"
             "                    activation=\"tanh\", optimizer=\"Adam\", learning_rate=0.03)\nanswer.train(60)\n```"),
    "12.3": (choice_exercise(["line", "straight line", "straight", "linear", "a line", "a straight line"],
                              "A weighted sum of x1 and x2 compared with a threshold: a straight line.",
                              "Without hidden layers, the output is sigmoid(w1 x1 + w2 x2 + b)."),
             "`answer = \"line\"`: the prediction is `sigmoid(w1*x1 + w2*x2 + b)`, and it equals 0.5 where "
             "`w1*x1 + w2*x2 + b = 0`, a straight line."),
}
