"""Lesson 03, losses: a crossentropy by hand, the loss for integer labels, how heads' losses add up."""
import numpy as np

from teachnet import losses
from widgets.exercises._common import loss_exercise, callable_exercise, numeric_exercise, per_sample_loss_test, verdict


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
    "3.4": (callable_exercise(per_sample_loss_test(
                lambda t, p: np.mean(np.abs(p - t) ** 3, axis=-1), "the mean cubed absolute errors"),
                "One mean cubed error per sample.", ""),
            "```python\ndef mean_cubed_error(y_true, y_pred):\n    error = ops.abs(y_pred - y_true)\n"
            "    return ops.mean(error * error * error, axis=-1)\n```"),
}
