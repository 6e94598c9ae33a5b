"""`model.last_step`: what one training step did, recorded from outside the step.

`train_step` is the four lines of deep learning and nothing else (model.py).
When a callback asks for the details of a batch (`wants_step_details`, e.g.
the TrainingDashboard), `fit` runs that step inside a `StepRecorder`:

    with StepRecorder(model, data) as recorder:
        logs = model.train_step(data)
    model.last_step = recorder.record(logs)

The recorder notes the weights and the learning rate before the step, catches
the gradients on their way into `model.optimizer.apply`, and afterwards
reads the loss and predictions that `compute_loss` left on the model. It works
the same for a user's own `train_step`.
"""
import numpy as np

from teachnet.autodiff import Tensor
from teachnet.callbacks import StepRecord
from teachnet.models.data import arrays_in, to_numpy, unpack_x_y_sample_weight


class StepRecorder:
    """Records one training step of `model` on the batch `data` (see the module docstring)."""

    def __init__(self, model, data):
        self.model = model
        self.data = data
        self.gradients = {}  # id(variable) -> the gradient the optimizer received for it

    def __enter__(self):
        model, optimizer = self.model, self.model.optimizer
        self.weights = model.trainable_weights
        self.before = [w.numpy() for w in self.weights]  # a copy: the step updates in place
        self.learning_rate = float(optimizer.learning_rate) if optimizer is not None else None
        model._last_loss = None
        if optimizer is not None:
            apply = optimizer.apply

            def recording_apply(grads, trainable_variables=None):
                grads = list(grads)
                variables = (optimizer._trainable_variables if trainable_variables is None
                             else list(trainable_variables))
                self.gradients.update({id(v): g for g, v in zip(grads, variables)})
                return apply(grads, trainable_variables)
            # For this one step, an attribute on the optimizer object shadows its `apply`
            # method (apply_gradients calls self.apply, so it passes here too).
            optimizer.apply = recording_apply
        return self

    def __exit__(self, *exc):
        if self.model.optimizer is not None:
            self.model.optimizer.__dict__.pop("apply", None)  # the class's method again
        return False

    def record(self, logs):
        """The `StepRecord` of the step that just ran (which returned `logs`)."""
        model = self.model
        x, y, _ = unpack_x_y_sample_weight(self.data)
        loss, regularization, y_pred = model._last_loss or (logs.get("loss"), None, None)
        loss = None if loss is None else float(loss)
        losses = {"loss": loss}
        if model._compile_loss is not None and model._last_loss is not None:
            losses.update(model._compile_loss.last_values)
        if regularization is not None:
            losses["regularization"] = float(regularization)
        return StepRecord(
            loss=loss, losses=losses,
            loss_weights=getattr(model._compile_loss, "loss_weights", None),
            learning_rate=self.learning_rate,
            gradients=[_gradient_array(self.gradients.get(id(w)), w) for w in self.weights],
            updates=[w.data - old for w, old in zip(self.weights, self.before)],
            batch_size=len(arrays_in(x)[0]), x=x, y=y, y_pred=None if y_pred is None else to_numpy(y_pred))


def _gradient_array(gradient, weight):
    """A gradient as numpy; zeros for a weight the step gave no gradient (it did not change)."""
    if gradient is None:
        return np.zeros(weight.shape, weight.dtype)
    return np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient)
