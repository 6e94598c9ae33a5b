"""What the exercise checks share: the `Verdict` and `Solution` a learner sees, and builders of checks
(a number, a word, a shape, a model, a function)."""
import html
import re

import numpy as np


class Verdict:
    """The result of `check`: `ok` (also the truth value) and a message for the learner."""

    def __init__(self, number, ok, message):
        self.number, self.ok, self.message = number, bool(ok), message

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"{'Correct!' if self.ok else 'Not yet.'} ({self.number}) {self.message}"

    def _repr_html_(self):
        colour, word = ("#1b7e3c", "Correct!") if self.ok else ("#b35900", "Not yet.")
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px">'
                f"<b style=\"color:{colour}\">{word}</b> <small>({self.number})</small> "
                f"{html.escape(self.message)}</div>")


class Solution:
    """A worked answer, shown by `show_solution` as Markdown (code in a fenced block)."""

    def __init__(self, number, markdown):
        self.number, self.markdown = number, markdown

    def __repr__(self):
        return f"Solution {self.number}:\n{self.markdown}"

    def _repr_markdown_(self):
        return f"**Solution {self.number}**\n\n{self.markdown}"


# ---------------------------------------------------------------------------------------------------------
# helpers that the checks share

def as_number(answer):
    """`answer` as a float, or None when it is not a single number."""
    if isinstance(answer, (bool, np.bool_, str, bytes)):
        return None
    try:
        return float(np.asarray(answer).reshape(()))
    except (TypeError, ValueError):
        return None


def close_to(answer, expected, rtol=1e-3, atol=1e-6):
    """Whether `answer` is `expected`, within `rtol`, or `expected` rounded to the decimals the learner typed
    (0.22 for 0.2231 is right to two decimals), as long as that keeps two significant digits."""
    value = as_number(answer)
    if value is None:
        return False
    if np.isclose(value, expected, rtol=rtol, atol=atol):
        return True
    decimals = typed_decimals(value)
    return decimals is not None and significant_digits(value, decimals) >= 2 and \
        round(expected, decimals) == round(value, decimals)


def typed_decimals(value):
    """How many decimals a float was written with (0.22 -> 2), or None for a long computed value."""
    text = repr(float(value))
    if "e" in text or "." not in text:
        return None
    decimals = len(text.split(".")[1].rstrip("0"))
    return decimals if decimals <= 6 else None


def significant_digits(value, decimals):
    digits = f"{abs(value):.{decimals}f}".replace(".", "").lstrip("0")
    return len(digits)


def is_model(answer):
    from teachnet.models import Model
    return isinstance(answer, Model)


def layer_types(model):
    return [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"]


def verdict(number, ok, success, hint):
    return Verdict(number, ok, success if ok else hint)


def numeric_exercise(expected, success, hint, rtol=1e-3):
    """A check that compares a single number with `expected`."""
    def check_number(number, answer):
        if answer is None:
            return Verdict(number, False, "Replace `None` with your answer, then run the cell again.")
        if as_number(answer) is None:
            return Verdict(number, False, f"Expected a single number. Received: {answer!r}")
        if isinstance(expected, int):  # a count: only the exact number will do
            return verdict(number, as_number(answer) == expected, success, hint)
        return verdict(number, close_to(answer, expected, rtol=rtol), success, hint)
    return check_number


def choice_exercise(expected, success, hint):
    """A check that compares a word with `expected` (one spelling or a list of accepted ones); case,
    spaces and a trailing `()` do not matter."""
    accepted = {normal_word(word) for word in ([expected] if isinstance(expected, str) else expected)}

    def check_choice(number, answer):
        if not isinstance(answer, str):
            return Verdict(number, False, f"Expected a string (in quotes). Received: {answer!r}")
        return verdict(number, normal_word(answer) in accepted, success, hint)
    return check_choice


def normal_word(word):
    return word.strip().lower().replace("()", "").replace(" ", "")


# module prefixes a learner may write before a class name: `tn.layers.LSTM`, `keras.layers.LSTM`, `tf.keras...`
PREFIXES = re.compile(r"^((tf|tensorflow|keras|tn|teachnet|torch)\.)*((keras|layers|losses|optimizers|metrics)\.)*",
                      re.IGNORECASE)


def bare_name(answer):
    """The name in a string, a class or an instance, without module prefixes and call parentheses:
    "tn.layers.LSTM()", tn.layers.LSTM and LSTM(4) all give "LSTM"."""
    if isinstance(answer, str):
        name = answer.strip()
        name = name[:name.index("(")] if "(" in name else name
        return PREFIXES.sub("", name.replace(" ", ""))
    if isinstance(answer, type):
        return answer.__name__
    if callable(answer) and hasattr(answer, "__name__"):
        return answer.__name__
    return type(answer).__name__


def name_exercise(accepted, success, hint):
    """A check that accepts a class name, written as a string (any case, with or without `tn.layers.`-style
    prefixes and `()`), or the class or an instance itself."""
    accepted = {name.lower() for name in accepted}

    def check_name(number, answer):
        if answer is None:
            return Verdict(number, False, "Replace `None` with your answer, then run the cell again.")
        if isinstance(answer, (int, float, np.number, list, tuple, dict)):
            return Verdict(number, False, f"Expected a name such as \"Dense\" (in quotes). Received: {answer!r}")
        return verdict(number, bare_name(answer).lower() in accepted, success, hint)
    return check_name


def loss_exercise(expected_fn, success, hint):
    """A check that accepts every way compile() accepts the loss whose per-sample function is `expected_fn`:
    its string names ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"), the function, the
    class or an instance (prefixes such as `tn.losses.` and `()` in a string do not matter)."""
    def check_loss(number, answer):
        from teachnet import losses
        if answer is None:
            return Verdict(number, False, "Replace `None` with your answer, then run the cell again.")
        identifier = answer
        if isinstance(answer, str):  # names are case-sensitive in compile; a learner's capitals are not judged
            names = {name.lower(): name for name in losses.ALL_OBJECTS_DICT}
            identifier = names.get(bare_name(answer).lower(), bare_name(answer))
        try:
            loss = losses.get(identifier)
        except (ValueError, TypeError):
            return Verdict(number, False, f"compile() would not accept this as a loss. Received: {answer!r}. "
                                          "Write a loss's name, e.g. \"mse\" or \"MeanSquaredError\".")
        return verdict(number, getattr(loss, "fn", None) is expected_fn, success, hint)
    return check_loss


def model_exercise(test, success, hint):
    """A check that calls `test(model) -> (ok, hint)` on a teachnet model."""
    def check_model(number, answer):
        if not is_model(answer):
            return Verdict(number, False, f"Expected a teachnet model (Sequential or Model). "
                                          f"Received: {type(answer).__name__}")
        try:
            ok, detail = test(answer)
        except Exception as error:  # the learner's model failed on our probe: say how
            return Verdict(number, False, f"Calling your model failed: {type(error).__name__}: {error}")
        return Verdict(number, ok, success if ok else (detail or hint))
    return check_model


def callable_exercise(test, success, hint):
    """A check that calls `test(fn) -> (ok, detail)` on a function the learner wrote."""
    def check_callable(number, answer):
        if not callable(answer):
            return Verdict(number, False, f"Expected a function. Received: {answer!r}")
        try:
            ok, detail = test(answer)
        except Exception as error:
            return Verdict(number, False, f"Calling your function failed: {type(error).__name__}: {error}")
        return Verdict(number, ok, success if ok else (detail or hint))
    return check_callable


def output_shape(model, input_shape):
    x = np.zeros((2,) + tuple(input_shape), dtype="float32")
    return tuple(np.asarray(model.predict(x, verbose=0)).shape[1:])


def shape_exercise(expected, success, hint):
    """A check that compares a shape (tuple or list of ints) with `expected`."""
    def check_shape(number, answer):
        if isinstance(answer, str):
            return Verdict(number, False, f"Expected a tuple of ints. Received: {answer!r}")
        try:
            shape = tuple(int(n) for n in answer)
        except (TypeError, ValueError):
            return Verdict(number, False, f"Expected a tuple of ints. Received: {answer!r}")
        return verdict(number, shape == tuple(expected), success, hint)
    return check_shape


def loss_function_test(reference, description, returns="one value per sample"):
    """A check for a loss function the learner wrote: on a random batch its values have the shape of
    `reference(y_true, y_pred)`'s (one per sample, or one for the batch: `returns` says which) and equal
    them, and the tape can differentiate them."""
    def test(fn):
        from teachnet import ops
        from teachnet.autodiff import GradientTape, Tensor, Variable
        rng = np.random.default_rng(3)
        y_true = rng.normal(size=(5, 3)).astype("float32")
        y_pred = Variable(rng.normal(size=(5, 3)).astype("float32"))
        with GradientTape() as tape:
            values = fn(y_true, y_pred)
            total = ops.sum(values) if isinstance(values, Tensor) else None
        if values is None:
            return False, f"Your function returned None: return {returns}."
        if total is None:
            return False, "Return a teachnet tensor computed with tn.ops, so that gradients can flow."
        array = np.asarray(values.numpy())
        expected = reference(y_true, y_pred.numpy())
        if array.shape != expected.shape:
            return False, f"Expected {returns}, shape {expected.shape}. Received: shape {array.shape}"
        if not np.allclose(array, expected, rtol=1e-4, atol=1e-6):
            return False, f"The values are not {description}."
        if tape.gradient(total, y_pred) is None:
            return False, "The tape cannot differentiate your loss: use tn.ops, not numpy."
        return True, ""
    return test


