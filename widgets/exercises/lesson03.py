"""Lesson 03, losses: a crossentropy by hand, the loss for integer labels, how heads' losses add up."""
import numpy as np

from teachnet import losses
from widgets.exercises._common import (Verdict, as_number, callable_exercise, loss_exercise, loss_function_test,
                                       numeric_exercise)


def _first_head_losses():
    """The multi-head model's two losses on the whole data set before any training (seed 0, as in the lesson)."""
    import teachnet as tn
    from teachnet.examples import multi_head_data, multi_head_model
    x, y = multi_head_data(n=512, seed=0)
    tn.utils.set_random_seed(0)
    model = multi_head_model()
    model.compile(optimizer="adam", loss={"price": "mse", "kind": "sparse_categorical_crossentropy"})
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    return logs["price_loss"], logs["kind_loss"]


def _check_equal_pull(number, answer):
    if isinstance(answer, dict):
        if set(answer) != {"price", "kind"}:
            return Verdict(number, False, f"Expected loss_weights for the heads \"price\" and \"kind\". "
                                          f"Received keys: {sorted(answer)}")
        weights = [answer["price"], answer["kind"]]
    elif isinstance(answer, (list, tuple)) and len(answer) == 2:
        weights = list(answer)
    else:
        return Verdict(number, False, "Expected loss_weights as a dict {\"price\": ..., \"kind\": ...} or a list "
                                      f"[price_weight, kind_weight]. Received: {answer!r}")
    weights = [as_number(w) for w in weights]
    if any(w is None or not w > 0 for w in weights):
        return Verdict(number, False, f"Both weights must be positive numbers. Received: {answer!r}")
    price, kind = _first_head_losses()
    ratio = (weights[0] * price) / (weights[1] * kind)
    ok = 2 / 3 <= ratio <= 1.5
    return Verdict(number, ok, f"The weighted terms start at {weights[0] * price:.3f} (price) and "
                               f"{weights[1] * kind:.3f} (kind): equal shares of the total."
                   if ok else f"With these weights the price term starts {ratio:.2g} times the kind term "
                              f"({weights[0] * price:.3f} vs {weights[1] * kind:.3f}); the ledger's first bar shows "
                              "the two. Scale the weights so the two terms come out about equal.")


EXERCISES = {
    "3.1": (numeric_exercise(-np.log(0.8), "-log(0.8) = 0.223: a fairly confident right answer costs little.",
                              "For label 1 the loss is -log(p)."),
            "```python\nanswer = -np.log(0.8)   # 0.2231\n```"),
    "3.2": (loss_exercise(losses.sparse_categorical_crossentropy,
                          "Integer labels with a softmax: sparse categorical crossentropy.",
                          "The labels are class numbers (0, 1, 2), not one-hot vectors: which crossentropy "
                          "reads class numbers?"),
            "`answer = \"SparseCategoricalCrossentropy\"` (or `\"sparse_categorical_crossentropy\"`, "
            "`tn.losses.SparseCategoricalCrossentropy()`: every form `compile` accepts)."),
    "3.3": (numeric_exercise(2.0, "Weights default to 1: the losses are summed, 0.5 + 1.2 + 0.3 = 2.0.",
                              "Keras adds the heads' losses, each times its weight (default 1)."),
            "`answer = 0.5 + 1.2 + 0.3` (= 2.0). Averaging (0.667) would need `loss_weights=[1/3, 1/3, 1/3]`."),
    "3.4": (callable_exercise(loss_function_test(
                lambda t, p: np.mean(np.abs(p - t) ** 3, axis=-1), "the mean cubed absolute errors"),
                "One mean cubed error per sample.", ""),
            "```python\ndef mean_cubed_error(y_true, y_pred):\n    error = ops.abs(y_pred - y_true)\n"
            "    return ops.mean(error * error * error, axis=-1)\n```"),
    "3.5": (_check_equal_pull,
            "Before training the price loss (MSE) is about 5.3 and the kind loss about 1.14, so equal terms need "
            "`price_weight * 5.3 = kind_weight * 1.14`:\n```python\nanswer = {\"price\": 1.14 / 5.3, \"kind\": 1.0}"
            "   # about 0.21 and 1\n```\nOnly the ratio matters: `{\"price\": 1.0, \"kind\": 4.7}` pulls the same "
            "way (with SGD it also doubles every step, like a larger learning rate)."),
}
