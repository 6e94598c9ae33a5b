"""Lesson 07, compile: the loss for integer labels, a custom loss, the loss of an untrained classifier, SGD's
learning rate in the compile explorer."""
import numpy as np

from teachnet import losses
from widgets.exercises._common import (Verdict, as_number, callable_exercise, close_to, loss_exercise,
                                       loss_function_test, verdict)


def _check_untrained_loss(number, answer):
    value = as_number(answer)
    if value is None:
        return Verdict(number, False, "Replace `None` with a number, then run the cell again." if answer is None
                       else f"Expected a single number. Received: {answer!r}")
    if close_to(value, np.log(10), rtol=0.03):
        return Verdict(number, True, "-ln(1/10) = ln 10 = 2.30: an untrained model spreads its probability about "
                                     "evenly, and a first epoch's loss far above 2.3 means something is wrong.")
    if close_to(value, 0.1, rtol=0.05):
        return Verdict(number, False, "0.1 is the probability of the right class; the loss is -ln of it.")
    if close_to(value, 1.0, rtol=0.05):
        return Verdict(number, False, "That is log base 10 of 10: crossentropy uses the natural logarithm, ln.")
    if value < 0:
        return Verdict(number, False, "A crossentropy is -ln(p), and ln(p) < 0 for p < 1: the loss is positive.")
    return Verdict(number, False, f"{value:g} is not it: the loss of one sample is -ln(probability of its right "
                                  "class), and a model that knows nothing gives each of the 10 classes the same.")


def _check_sgd_settings(number, answer):
    from widgets.compile_explorer import CompileExplorer
    if not isinstance(answer, CompileExplorer):
        return Verdict(number, False, f"Expected the compile explorer, `explorer`. Received: {type(answer).__name__}")
    if answer.optimizer != "sgd":
        return Verdict(number, False, f"Pick the optimizer \"sgd\" in the explorer. Received: optimizer="
                                      f"{answer.optimizer!r}")
    if answer.model is None or answer.step < answer.max_steps or not answer.history.get("val_accuracy"):
        return Verdict(number, False, "Press Fit and let the run finish (with the metric \"accuracy\" selected): "
                                      f"{answer.step} of {answer.max_steps} epochs so far.")
    if answer.loss != "sparse_categorical_crossentropy":
        return Verdict(number, False, f"Keep the loss that fits integer labels. Received: loss={answer.loss!r}")
    accuracy = answer.history["val_accuracy"][-1]
    return verdict(number, accuracy >= 0.9, f"SGD at learning rate {answer.learning_rate:.3g}: validation "
                                            f"accuracy {accuracy:.3f}.",
                   f"Validation accuracy {accuracy:.3f} at learning rate {answer.learning_rate:.3g}: SGD needs a "
                   "larger step than RMSprop. Move the learning-rate slider up, then Fit again.")


EXERCISES = {
    "7.1": (loss_exercise(losses.sparse_categorical_crossentropy, "Integer labels and a softmax: sparse "
                          "categorical crossentropy.",
                          "The labels are integers, not one-hot vectors: which crossentropy reads integers?"),
            "`answer = \"sparse_categorical_crossentropy\"` (or `\"SparseCategoricalCrossentropy\"`, or the "
            "class; one-hot labels would take `\"categorical_crossentropy\"`)."),
    "7.2": (callable_exercise(loss_function_test(lambda t, p: np.mean(np.abs(t - p), axis=-1),
                                                     "the mean absolute differences over the last axis"),
                               "One mean absolute difference per sample.", ""),
            "```python\ndef mean_absolute(y_true, y_pred):\n    return ops.mean(ops.abs(y_true - y_pred), axis=-1)\n```"),
    "7.3": (_check_untrained_loss,
            "`answer = np.log(10)`  (2.30). An untrained model gives each of the 10 classes about 1/10, and the "
            "loss of a sample is -ln(1/10) = ln 10. To confirm, evaluate a fresh model before any `fit`:\n"
            "```python\ntn.utils.set_random_seed(0)\nfresh = make_model()\n"
            "fresh.compile(loss=\"sparse_categorical_crossentropy\")\n"
            "fresh.evaluate(x_test, y_test, verbose=0)   # 2.34\n```"),
    "7.4": (_check_sgd_settings,
            "```python\nexplorer.optimizer = \"sgd\"\nexplorer.learning_rate = 0.1   # 0.001 (RMSprop's default) "
            "barely moves SGD\nexplorer.run()\nanswer = explorer\n```"),
}
