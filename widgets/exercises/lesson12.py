"""Lesson 12, the Playground: features for a circle, XOR trained live, XOR without a hidden layer."""
from widgets.exercises._common import Verdict, verdict


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


def _check_xor_without_hidden_layer(number, answer):
    from widgets.playground import Playground
    if not isinstance(answer, Playground):
        return Verdict(number, False, f"Expected a Playground. Received: {type(answer).__name__}")
    if answer.dataset != "xor":
        return Verdict(number, False, f"Use dataset=\"xor\". Received: dataset={answer.dataset!r}")
    if answer.hidden_layers:
        return Verdict(number, False, f"Remove every hidden layer (hidden_layers=[]): the features alone must do "
                                      f"it. Received: hidden_layers={answer.hidden_layers}")
    if answer.epoch == 0 or not answer.history["val_loss"]:
        return Verdict(number, False, "Train it first: `answer.train(30)`, or Play.")
    val_loss = answer.history["val_loss"][-1]
    if val_loss < 0.2:
        return Verdict(number, True, f"Validation loss {val_loss:.3f} with features {answer.features} and no "
                                     "hidden layer: x1 * x2 is positive in two opposite quadrants and negative in "
                                     "the other two, so one weight on it separates XOR.")
    if "x1x2" not in answer.features:
        return Verdict(number, False, f"Validation loss {val_loss:.3f}: with no hidden layer the boundary is a "
                                      f"straight line in the features {answer.features}. XOR's class is whether x1 "
                                      "and x2 have the same sign: which feature's sign says that?")
    return Verdict(number, False, f"Validation loss {val_loss:.3f}: the features are right; train more epochs "
                                  "(or a larger learning rate).")


EXERCISES = {
    "12.1": (_check_circle_features, "`answer = [\"x1^2\", \"x2^2\"]`: the circle `x1^2 + x2^2 = r^2` is a "
                                     "straight line in these two features."),
    "12.2": (_check_xor_playground,
             "```python\nanswer = Playground(dataset=\"xor\", features=[\"x1\", \"x2\"], hidden_layers=[4],\n"
             "                    activation=\"tanh\", optimizer=\"Adam\", learning_rate=0.03)\nanswer.train(60)\n```"),
    "12.3": (_check_xor_without_hidden_layer,
             "`x1x2` is positive where x1 and x2 have the same sign and negative elsewhere: that is XOR's label, "
             "so a single weight on it separates the classes, no hidden layer needed.\n"
             "```python\nanswer = Playground(dataset=\"xor\", features=[\"x1x2\"], hidden_layers=[], "
             "optimizer=\"Adam\",\n                    learning_rate=0.03)\nanswer.train(30)\n```"),
}
