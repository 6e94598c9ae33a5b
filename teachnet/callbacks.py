"""Callbacks: code that `fit`, `evaluate` and `predict` run at fixed moments.

A callback subclasses `Callback` and overrides the hooks it needs. Each hook
receives `logs`, a dict of plain floats such as `{"loss": 0.31,
"accuracy": 0.9}`: during an epoch the running means so far, at the end of
an epoch the epoch's values plus the `val_` ones from validation.

    fit:  on_train_begin
            on_epoch_begin(epoch)
              on_train_batch_begin(batch) -> one step -> on_train_batch_end(batch, logs)
              ...
            (validation: on_test_begin, on_test_batch_*, on_test_end)
            on_epoch_end(epoch, logs)
          on_train_end

A callback that sets `wants_step_details = True` can read
`self.model.last_step` (a `StepRecord`: gradients, weight updates, ...)
after each training batch; otherwise `fit` does not collect them (they cost
a copy of every weight) and `last_step` is None. `fit` reads the attribute
before every batch, so a property can ask for some batches only. `self.model.last_batch_loss` holds
the last batch's loss either way.
Setting `self.model.stop_training = True` ends training after the current
batch (as `EarlyStopping` and `TerminateOnNaN` do).
"""
import warnings

import numpy as np

from teachnet.progbar import Progbar


class StepRecord:
    """What happened in one training step, for callbacks that want details.

    Attributes:
        loss: the total loss (float), regularization included.
        losses: dict `{"loss": total, "<output>_loss": ..., "regularization": ...}`.
        loss_weights: the per-output loss weights (list, or None).
        learning_rate: the optimizer's learning rate for this step.
        gradients: numpy arrays aligned with `model.trainable_weights`.
        updates: the change of each weight made by the step (new - old).
        batch_size: the number of samples in the batch.
        x, y, y_pred: the batch's inputs, targets and predictions (numpy).
    """

    __slots__ = ("loss", "losses", "loss_weights", "learning_rate", "gradients", "updates",
                 "batch_size", "x", "y", "y_pred")

    def __init__(self, **fields):
        for name in self.__slots__:
            setattr(self, name, fields.get(name))

    def __repr__(self):
        return (f"<StepRecord loss={self.loss:.4g}, batch_size={self.batch_size}, "
                f"learning_rate={self.learning_rate}, {len(self.gradients or [])} gradients>")


class Callback:
    """Base class of callbacks: every hook does nothing until overridden.

    Attributes:
        model: the model being trained (set by `fit`).
        params: `{"verbose": ..., "epochs": ..., "steps": ...}`.
        wants_step_details: True to have `model.last_step` filled after
            each training batch (read before each batch).
    """

    wants_step_details = False

    def __init__(self):
        self.params = {}
        self._model = None

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self._model = model

    @property
    def model(self):
        return self._model

    def on_train_begin(self, logs=None): """Called once when `fit` starts."""
    def on_train_end(self, logs=None): """Called once when `fit` ends, with the last epoch's logs."""
    def on_train_interrupted(self, epoch): """Called instead of `on_train_end` when Ctrl-C stops fit (teachnet's)."""
    def on_epoch_begin(self, epoch, logs=None): """Called when an epoch (0-based) starts."""
    def on_epoch_end(self, epoch, logs=None): """Called at the end of an epoch with its logs (val_ included)."""
    def on_test_begin(self, logs=None): """Called when `evaluate` (or validation) starts."""
    def on_test_end(self, logs=None): """Called when `evaluate` ends, with its logs."""
    def on_predict_begin(self, logs=None): """Called when `predict` starts."""
    def on_predict_end(self, logs=None): """Called when `predict` ends."""
    def on_test_batch_begin(self, batch, logs=None): """Called before each evaluation batch."""
    def on_test_batch_end(self, batch, logs=None): """Called after each evaluation batch."""
    def on_predict_batch_begin(self, batch, logs=None): """Called before each prediction batch."""
    def on_predict_batch_end(self, batch, logs=None): """Called after each prediction batch."""
    def on_batch_begin(self, batch, logs=None): """Old name of `on_train_batch_begin`."""
    def on_batch_end(self, batch, logs=None): """Old name of `on_train_batch_end`."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch (0-based within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch with the running logs."""
        self.on_batch_end(batch, logs=logs)


class CallbackList:
    """Calls a list of callbacks in order; adds `History` and `ProgbarLogger`
    at the end when asked (as Keras does, so they see changes made by the
    user's callbacks, e.g. the `learning_rate` a scheduler adds to the logs)."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        if isinstance(callbacks, Callback):
            raise TypeError(f"`callbacks` must be a list of Callback instances; received a single "
                            f"{type(callbacks).__name__}. Pass callbacks=[...].")
        self.callbacks = list(callbacks) if callbacks else []
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"`callbacks` must contain teachnet.callbacks.Callback instances; "
                                f"received {cb!r} of type {type(cb).__name__}.")
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        self.params = params
        for cb in self.callbacks:
            if params:
                cb.set_params(params)
            if model is not None:
                cb.set_model(model)

    @property
    def wants_step_details(self):
        return any(cb.wants_step_details for cb in self.callbacks)

    def __iter__(self):
        return iter(self.callbacks)

    def on_train_begin(self, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_train_interrupted(self, epoch):
        for cb in self.callbacks:
            cb.on_train_interrupted(epoch)

    def on_epoch_begin(self, epoch, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_train_batch_end(batch, logs)

    def on_test_begin(self, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_test_batch_begin(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_test_batch_end(batch, logs)

    def on_predict_begin(self, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_predict_batch_begin(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = _sorted(logs)
        for cb in self.callbacks:
            cb.on_predict_batch_end(batch, logs)


def _sorted(logs):
    """The logs in alphabetical order (`accuracy` before `loss`), as Keras passes them."""
    return {} if logs is None else dict(sorted(logs.items()))


class History(Callback):
    """Records the logs of every epoch; `fit` returns it.

    `history.history` maps each name (`loss`, `accuracy`, `val_loss`, ...) to
    the list of its values, one per epoch; `history.epoch` lists the epochs.

    Example:
        >>> history = model.fit(x, y, epochs=3, verbose=0)
        >>> history.history["loss"]     # three floats
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints the progress bar of `fit` (`verbose=1`) or one line per epoch
    (`verbose=2`), and the bars of `evaluate` and `predict`."""

    def __init__(self):
        super().__init__()
        self.progbar = None
        self.verbose = 1
        self.epochs = 1
        self.target = None
        self.seen = 0
        self._called_in_fit = False

    def set_params(self, params):
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _new_bar(self):
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose)

    def _update(self, batch, logs):
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize(self, logs):
        if self.progbar is None:
            return
        if self.target is None:
            self.progbar.target = self.target = self.seen
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)

    def on_train_begin(self, logs=None):
        self._called_in_fit = True

    def on_epoch_begin(self, epoch, logs=None):
        self._new_bar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize(logs)

    # evaluate() and predict() draw their own bar, except for validation in fit.
    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._new_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize(logs)

    def on_predict_begin(self, logs=None):
        self._new_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)

    def on_predict_end(self, logs=None):
        self._finalize(None)


class LambdaCallback(Callback):
    """A callback made of plain functions, for quick one-off hooks.

    Args:
        on_epoch_begin, on_epoch_end: `f(epoch, logs)`.
        on_train_begin, on_train_end: `f(logs)`.
        on_train_batch_begin, on_train_batch_end: `f(batch, logs)`.

    Example:
        >>> print_loss = LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None):
        super().__init__()
        self._functions = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                           "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                           "on_train_batch_begin": on_train_batch_begin,
                           "on_train_batch_end": on_train_batch_end}
        for hook, fn in self._functions.items():
            if fn is not None and not callable(fn):
                raise TypeError(f"LambdaCallback: `{hook}` must be a function; received {fn!r}.")

    def _run(self, hook, *args):
        fn = self._functions[hook]
        if fn is not None:
            fn(*args)

    def on_epoch_begin(self, epoch, logs=None): self._run("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._run("on_epoch_end", epoch, logs)
    def on_train_begin(self, logs=None): self._run("on_train_begin", logs)
    def on_train_end(self, logs=None): self._run("on_train_end", logs)
    def on_train_batch_begin(self, batch, logs=None): self._run("on_train_batch_begin", batch, logs)
    def on_train_batch_end(self, batch, logs=None): self._run("on_train_batch_end", batch, logs)


# -- callbacks that watch a quantity ----------------------------------------
_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1", "iou")


class MonitorCallback(Callback):
    """Shared by `EarlyStopping` and `ReduceLROnPlateau`: which direction of
    the monitored quantity is an improvement.

    In "auto" mode a loss should go down; names such as accuracy, auc,
    precision and recall should go up (a metric can say so itself with
    `_direction = "up"` or `"down"`, as Keras's metrics do).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto mode.",
                          stacklevel=3)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
        if self.mode == "min":
            self.monitor_op = np.less
        elif self.mode == "max":
            self.monitor_op = np.greater
        else:
            metrics = self.model._flat_metrics() if hasattr(self.model, "_flat_metrics") else []
            direction = next((m._direction for m in metrics
                              if m.name == name and getattr(m, "_direction", None)), None)
            if direction is None and (name == "loss" or name.endswith(("_loss", "error"))):
                direction = "down"
            if direction is None and any(word in name for word in _HIGHER_IS_BETTER):
                direction = "up"
            if direction == "up":
                self.monitor_op = np.greater
            elif direction == "down":
                self.monitor_op = np.less
            else:
                raise ValueError(f"{type(self).__name__} received monitor={self.monitor!r}, but cannot tell "
                                 "whether it should be maximized or minimized. Pass mode='max' to keep "
                                 "the highest value, or mode='min' to keep the lowest.")
        if self.monitor_op is np.less:
            self.min_delta = -abs(self.min_delta)  # "better" means lower by more than min_delta

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        return bool(self.monitor_op(value - self.min_delta, reference))

    def _monitor_value(self, logs, what):
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn(f"{what} conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs or {})}", stacklevel=3)
        return value


class EarlyStopping(MonitorCallback):
    """Stops training when a monitored quantity has stopped improving.

    After each epoch (from `start_from_epoch` on) the monitored value is
    compared with the best so far; an improvement must beat it by more than
    `min_delta`. After `patience` epochs without improvement, training stops.

    Args:
        monitor: the log name to watch, e.g. "val_loss" or "val_accuracy".
        min_delta: the smallest change that counts as an improvement.
        patience: the number of epochs without improvement before stopping.
        verbose: 1 prints a message when stopping.
        mode: "min", "max" or "auto" (inferred from the name).
        baseline: a value to beat; epochs that improve on the best value but
            not on the baseline still count as waiting.
        restore_best_weights: at the end of training, put back the weights
            of the best epoch.
        start_from_epoch: the number of warm-up epochs that are not monitored.

    Example:
        >>> stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
        >>> model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        if patience < 0:
            raise ValueError(f"EarlyStopping: `patience` must be >= 0. Received: patience={patience}")
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self._monitor_value(logs, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # the first monitored epoch
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(MonitorCallback):
    """Saves the model's weights at the end of epochs (the best ones, if asked).

    Args:
        filepath: where to save; must end in `.weights.npz` (teachnet saves
            weights only). It may hold `{epoch}` and log names, formatted
            with the epoch's logs: "ckpt-{epoch:02d}-{val_loss:.2f}.weights.npz".
        monitor: the log name that decides what "best" means.
        verbose: 1 prints a message at each save.
        save_best_only: only save when `monitor` improved on the best so far.
        save_weights_only: must be True (the default here): whole-model
            files are not supported.
        mode: "min", "max" or "auto" (inferred from the name).
        initial_value_threshold: a value the first saved epoch must beat.

    Example:
        >>> keep_best = ModelCheckpoint("best.weights.npz", monitor="val_loss", save_best_only=True)
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=True, mode="auto", initial_value_threshold=None):
        super().__init__(monitor, mode, baseline=initial_value_threshold)
        if not save_weights_only:
            raise ValueError("ModelCheckpoint: teachnet saves weights only; pass save_weights_only=True "
                             "and a filepath ending in `.weights.npz`.")
        if not str(filepath).endswith(".weights.npz"):
            raise ValueError(f"ModelCheckpoint: the filepath must end in `.weights.npz`. Received: filepath={filepath}")
        self.filepath = str(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            if self.monitor_op is None:
                self._set_monitor_op()
            current = self._monitor_value(logs, "Can save best model only with")
            if current is None or not self._is_improvement(current, self.best):
                if self.verbose > 0 and current is not None:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                previous = "inf" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {previous} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        self.model.save_weights(path, overwrite=True)


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` when a quantity stops improving.

    Args:
        monitor: the log name to watch.
        factor: new_lr = lr * factor (must be < 1).
        patience: epochs without improvement before reducing.
        verbose: 1 prints a message at each reduction.
        mode: "min", "max" or "auto".
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before watching again.
        min_lr: the learning rate never goes below this.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = self._monitor_value(logs, "Learning rate reduction")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(self.model.optimizer.learning_rate)
                if old_lr > np.float32(self.min_lr):
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    self.model.optimizer.learning_rate = new_lr
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Sets the learning rate at the start of each epoch from a schedule.

    Args:
        schedule: `f(epoch, lr) -> new_lr` (or `f(epoch) -> new_lr`), epoch 0-based.
        verbose: 1 prints the new rate each epoch.

    Example:
        >>> halve = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5)
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: `schedule` must be a function; received {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = float(optimizer.learning_rate)
        try:
            lr = self.schedule(epoch, lr)
        except TypeError:  # a schedule of the epoch only
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, int, np.floating, np.integer)) or isinstance(lr, bool):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr!r}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(lr)}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class TerminateOnNaN(Callback):
    """Stops training as soon as the loss becomes NaN or infinite.

    Args:
        raise_error: raise a RuntimeError instead of stopping quietly.
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. "
                                   f"Loss value: {loss}. Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
