"""Lesson 07, compile: the loss for integer labels, a custom loss, History's keys."""
import numpy as np

from teachnet import losses
from widgets.exercises._common import loss_exercise, callable_exercise, choice_exercise, per_sample_loss_test


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
}
