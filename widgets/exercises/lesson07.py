"""Lesson 07, compile: the loss for integer labels, a custom loss, History's keys."""
import numpy as np

from teachnet import losses
from widgets.exercises._common import Verdict, loss_exercise, verdict, callable_exercise, choice_exercise, per_sample_loss_test


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
    "7.2": (callable_exercise(per_sample_loss_test(lambda t, p: np.mean(np.abs(t - p), axis=-1),
                                                     "the mean absolute differences over the last axis"),
                               "One mean absolute difference per sample.", ""),
            "```python\ndef mean_absolute(y_true, y_pred):\n    return ops.mean(ops.abs(y_true - y_pred), axis=-1)\n```"),
    "7.3": (choice_exercise("val_accuracy", "Validation metrics carry the prefix val_.",
                             "Validation values have the training name with a prefix."),
            "`answer = \"val_accuracy\"`; `print(sorted(history.history))` lists all keys."),
    "7.4": (_check_sgd_settings,
            "```python\nexplorer.optimizer = \"sgd\"\nexplorer.learning_rate = 0.1   # 0.001 (RMSprop's default) "
            "barely moves SGD\nexplorer.run()\nanswer = explorer\n```"),
}
