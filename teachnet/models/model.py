"""`Model`: a layer that can be trained, with Keras 3's compile/fit/evaluate/predict.

One training step is the whole story of deep learning, and it is all in
`train_step`:

    with GradientTape() as tape:
        y_pred = model(x, training=True)            # forward pass
        loss = loss_fn(y, y_pred) + regularization  # how wrong we are
    gradients = tape.gradient(loss, weights)        # backward pass
    optimizer.apply_gradients(zip(gradients, weights))  # a small step downhill

`fit` repeats it over batches and epochs, keeping running means of the loss
and metrics (the numbers Keras prints and stores in `History`), and calls
callbacks in between. The bookkeeping of compile arguments and data lives in
compile_utils.py.

Subclass `Model` and define `call` to write your own model; `Sequential` and
the functional `Model(inputs, outputs)` are models too.
"""
import signal
import threading

import numpy as np

from teachnet.autodiff import GradientTape, Tensor
from teachnet.callbacks import CallbackList, StepRecord
from teachnet.layers.base import Layer
from teachnet.models import compile_utils as cu
from teachnet import random as tn_random


class Model(Layer):
    """A layer with training and inference: `compile`, `fit`, `evaluate`, `predict`.

    `Model(inputs, outputs)` builds a functional model from symbolic tensors;
    subclassing `Model` and defining `call` gives a model written in code.

    Example:
        >>> class TwoLayers(teachnet.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = teachnet.layers.Dense(16, activation="relu")
        ...         self.out = teachnet.layers.Dense(1, activation="sigmoid")
        ...     def call(self, inputs):
        ...         return self.out(self.hidden(inputs))
        >>> model = TwoLayers()
        >>> model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
        >>> history = model.fit(x, y, epochs=5, batch_size=32)
    """

    def __new__(cls, *args, **kwargs):
        # Model(inputs, outputs) is the functional API, as in Keras.
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from teachnet.models.functional import Functional
            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, name=None, trainable=True, dtype=None, **kwargs):
        super().__init__(name=name, trainable=trainable, dtype=dtype, **kwargs)
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self.last_step = None  # the last batch's StepRecord if a callback wanted its details, else None
        self.last_batch_loss = None  # the loss of the last trained batch (a float), after every step
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None

    def build(self, input_shape):
        """Creates the weights of every sub-layer by running `call` once on a
        batch of zeros of `input_shape` (None axes become 1), as Keras builds
        a subclassed model. `input_shape` may be a list or dict of shapes."""
        if input_shape is None:
            raise ValueError(f'Model "{self.name}": build() needs the input shape, e.g. build((None, 784)).')
        self.built = True  # so the sub-layer calls below do not build this model again
        self.call(_as_tensors(_zeros(input_shape, self.dtype)))

    # -- compile -------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None):
        """Chooses how the model learns: the optimizer, the loss and the metrics.

        Args:
            optimizer: a name ("rmsprop", "adam", "sgd", ...) or an Optimizer.
            loss: a name ("mse", "binary_crossentropy", ...), a Loss, a
                function `(y_true, y_pred) -> per-sample losses`; with several
                outputs, a list (one per output) or a dict keyed by output name.
            loss_weights: the weight of each output's loss in the total (list
                or dict), or one float for a single output.
            metrics: a list of metrics ("accuracy", "mae", Metric objects,
                functions); with several outputs, a list of lists or a dict
                keyed by output name.
            weighted_metrics: like `metrics`, but computed with `sample_weight`.
        """
        from teachnet import metrics as metrics_module
        from teachnet import optimizers
        self.optimizer = optimizers.get(optimizer)
        output_names = getattr(self, "output_names", None)
        self._compile_loss = cu.CompileLoss(loss, loss_weights, output_names) if loss is not None else None
        self._compile_metrics = (cu.CompileMetrics(metrics, weighted_metrics, output_names)
                                 if metrics or weighted_metrics else None)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.loss = loss
        self.compiled = True
        self.stop_training = False

    def _assert_compiled(self, method):
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before `{method}()`: e.g. "
                             f"model.compile(optimizer=\"rmsprop\", loss=\"mse\") for model \"{self.name}\".")

    # -- metrics ----------------------------------------------------------------------
    def _flat_metrics(self):
        """The Metric objects, in the order of the logs: loss, compiled metrics, per-output losses."""
        out = [self._loss_tracker] if self._loss_tracker is not None else []
        if self._compile_metrics is not None:
            out += self._compile_metrics.metrics
        if self._compile_loss is not None:
            out += self._compile_loss.metrics
        return out

    @property
    def metrics(self):
        """The model's Metric objects (loss tracker first)."""
        return self._flat_metrics()

    @property
    def metrics_names(self):
        """The names of the values `evaluate` returns as a list, in that order.

        (Keras 3 lists `["loss", "compile_metrics"]` here; teachnet lists the
        actual names, which are known once the model has seen one batch.)
        """
        return self._ordered_names(self.get_metrics_result()) if self.compiled else []

    def _ordered_names(self, logs):
        """Keras's order for `evaluate`'s list: the metrics whose own name is a
        log key (loss, single-output metrics, per-output losses), then the
        other keys (prefixed multi-output metrics) sorted."""
        names = list(dict.fromkeys(m.name for m in self._flat_metrics() if m.name in logs))
        return names + sorted(k for k in logs if k not in names)

    def _flatten_logs_in_order(self, logs):
        """The values as a list in `_ordered_names` order; a lone value as a float."""
        values = [logs[name] for name in self._ordered_names(logs)]
        return values[0] if len(values) == 1 else values

    def reset_metrics(self):
        for m in self._flat_metrics():
            m.reset_state()

    def get_metrics_result(self):
        """The running values as a dict of floats: `{"loss": ..., "accuracy": ..., ...}`."""
        logs = {}
        if self._loss_tracker is not None:
            logs["loss"] = float(self._loss_tracker.result())
        if self._compile_metrics is not None and self._compile_metrics.built:
            logs.update(self._compile_metrics.result())
        if self._compile_loss is not None:
            for m in self._compile_loss.metrics:
                logs[m.name] = float(m.result())
        return logs

    # -- one step ------------------------------------------------------------------------
    def _structure(self, y_pred, y, sample_weight):
        """Flat lists (one entry per output) of predictions, targets and weights."""
        flat_pred, names = cu.output_structure(y_pred, getattr(self, "output_names", None))
        n = len(flat_pred)
        flat_y = [None] * n if y is None else cu.flat_targets(y, names, "y")
        flat_sw = [None] * n if sample_weight is None else cu.flat_targets(sample_weight, names, "sample_weight")
        if self._compile_loss is not None and not self._compile_loss.built:
            self._compile_loss.build(flat_y, flat_pred, names, pred_is_dict=isinstance(y_pred, dict))
        if self._compile_metrics is not None and not self._compile_metrics.built:
            self._compile_metrics.build(flat_y, flat_pred, names)
        return flat_pred, flat_y, flat_sw

    def _compute_loss(self, flat_y, flat_pred, flat_sw, batch_size):
        """(total loss, regularization) as Tensors: the compiled loss plus `model.losses`."""
        total = None
        if self._compile_loss is not None:
            total = self._compile_loss(flat_y, flat_pred, flat_sw, batch_size)
        regularization = None
        for term in self.losses:
            regularization = term if regularization is None else regularization + term
        if regularization is not None:
            total = regularization if total is None else total + regularization
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return total, regularization

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The total loss of a batch (compiled loss + regularization), a scalar Tensor."""
        self._assert_compiled("compute_loss")
        flat_pred, flat_y, flat_sw = self._structure(y_pred, y, sample_weight)
        return self._compute_loss(flat_y, flat_pred, flat_sw, len(flat_pred[0]))[0]

    def train_step(self, x, y, sample_weight=None, weights=None, details=False):
        """One step of gradient descent on a batch; returns the running logs."""
        weights = self.trainable_weights if weights is None else weights
        batch_size = len(cu.flatten(x)[0])
        with GradientTape() as tape:
            y_pred = self(_as_tensors(x), training=True)
            flat_pred, flat_y, flat_sw = self._structure(y_pred, y, sample_weight)
            loss, regularization = self._compute_loss(flat_y, flat_pred, flat_sw, batch_size)
        gradients = tape.gradient(loss, weights)
        self.last_batch_loss = float(loss)
        self._loss_tracker.update_state(self.last_batch_loss, sample_weight=batch_size)
        if details:
            learning_rate = float(self.optimizer.learning_rate)
            before = [w.numpy() for w in weights]
        if weights:
            pairs = [(g, w) for g, w in zip(gradients, weights) if g is not None]
            if not pairs:
                raise ValueError(f'No gradients for any weight of model "{self.name}": the loss does not '
                                 f"depend on the weights {[w.path for w in weights]}.")
            self.optimizer.apply_gradients(pairs)
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(flat_y, [p.data for p in flat_pred], flat_sw)
        if details:
            losses = {"loss": float(loss), **self._compile_loss.last_values} if self._compile_loss else {
                "loss": float(loss)}
            if regularization is not None:
                losses["regularization"] = float(regularization)
            self.last_step = StepRecord(
                loss=float(loss), losses=losses,
                loss_weights=getattr(self._compile_loss, "loss_weights", None),
                learning_rate=learning_rate,
                gradients=[np.zeros(w.shape, w.dtype) if g is None else np.asarray(g) for g, w in
                           zip(gradients, weights)],
                updates=[w.data - old for w, old in zip(weights, before)],
                batch_size=batch_size, x=x, y=y, y_pred=_to_numpy(y_pred))
        else:
            self.last_step = None  # never a record of an earlier batch
        return self.get_metrics_result()

    def test_step(self, x, y, sample_weight=None):
        """Loss and metrics of a batch without training; returns the running logs."""
        batch_size = len(cu.flatten(x)[0])
        y_pred = self(_as_tensors(x), training=False)
        flat_pred, flat_y, flat_sw = self._structure(y_pred, y, sample_weight)
        loss, _ = self._compute_loss(flat_y, flat_pred, flat_sw, batch_size)
        self._loss_tracker.update_state(float(loss), sample_weight=batch_size)
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(flat_y, [p.data for p in flat_pred], flat_sw)
        return self.get_metrics_result()

    # -- fit ----------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_batch_size=None,
            validation_freq=1):
        """Trains the model for `epochs` passes over the data; returns a `History`.

        Args:
            x: inputs: an array, a list of arrays or a dict keyed by input name.
            y: targets, with the structure of the model's outputs.
            batch_size: samples per gradient step (32 when None).
            epochs: the index of the last epoch to train (training runs from
                `initial_epoch` to `epochs`).
            verbose: "auto" or 1 a progress bar, 2 one line per epoch, 0 silent.
            callbacks: a list of `teachnet.callbacks.Callback`.
            validation_split: the fraction of the data, taken from the END of
                x and y before shuffling, held out to compute `val_` metrics.
            validation_data: `(x_val, y_val)` or `(x_val, y_val, sample_weight)`;
                takes precedence over `validation_split`.
            shuffle: reshuffle the training samples at each epoch.
            class_weight: dict `{class index: weight}` scaling each sample's loss.
            sample_weight: one weight per sample.
            initial_epoch: the epoch to start from (to resume training).
            steps_per_epoch: batches per epoch (default: the whole data).
            validation_batch_size: batch size of validation (default: batch_size).
            validation_freq: validate every n-th epoch (an int) or at the listed epochs.

        Returns:
            A `History`: `history.history["loss"]` holds one value per epoch, the
            mean over the epoch's batches weighted by batch size, as Keras computes it.

        Interrupting (Ctrl-C, or the notebook's stop button) finishes the current
        batch, then returns the History of the completed epochs; the weights are
        those after the last completed step (callbacks' `on_train_end` is not
        called, so e.g. EarlyStopping does not restore other weights). A second
        interrupt raises KeyboardInterrupt at once.
        """
        self._assert_compiled("fit")
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"Expected `epochs` to be a non-negative integer. Received: epochs={epochs!r}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError("Expected `validation_split` to be a float in [0, 1): the fraction of the data "
                             f"held out for validation. Received: validation_split={validation_split!r}")
        if steps_per_epoch is not None:
            _check_positive_int(steps_per_epoch, "steps_per_epoch")
        if x is None:
            raise ValueError("`fit` needs training inputs: pass `x` (e.g. a numpy array with one row per sample).")
        if y is None and self._compile_loss is not None:
            raise ValueError(f"`fit` needs targets `y` for the loss {self.loss!r}: pass y with one target per sample.")
        if class_weight is not None and sample_weight is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")

        x, y, sample_weight = cu.to_arrays(x, "x"), cu.to_arrays(y, "y"), cu.to_arrays(sample_weight, "sample_weight")
        cu.check_same_length(x, y, sample_weight)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = cu.train_validation_split((x, y, sample_weight),
                                                                                validation_split)
        if class_weight is not None:  # training samples only, as Keras
            sample_weight = cu.class_weight_to_sample_weight(y, class_weight)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
                                 f"sample_weight_val). Received: {type(validation_data).__name__}")
            val_x, val_y, val_sw = (cu.to_arrays(a, name) for a, name in
                                    zip((tuple(validation_data) + (None,))[:3], ("x_val", "y_val", "sample_weight")))

        batches = cu.BatchIterator(cu.num_samples(x, "x"), batch_size, shuffle=shuffle,
                                   steps_per_epoch=steps_per_epoch, rng=tn_random.generator())
        callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                 verbose=verbose, epochs=epochs, steps=batches.steps)
        if not self.built:  # create the weights (from one sample) before listing them
            self(_as_tensors(cu.take(x, slice(0, 1))), training=False)
        weights = self.trainable_weights
        self.stop_training = False
        training_logs = {}
        callbacks.on_train_begin()
        epoch = initial_epoch
        # a second Ctrl-C raises KeyboardInterrupt at once: the message is printed on the way out
        with _DeferInterrupt(on_raise=lambda: _say_interrupted(epoch, callbacks)) as interrupt:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callbacks.on_epoch_begin(epoch)
                logs = {}
                for step, index in batches.epoch():
                    callbacks.on_train_batch_begin(step)
                    details = callbacks.wants_step_details  # asked each batch: a callback may want only some
                    logs = self.train_step(cu.take(x, index), cu.take(y, index), cu.take(sample_weight, index),
                                           weights=weights, details=details)
                    callbacks.on_train_batch_end(step, logs)
                    if self.stop_training or interrupt.requested:
                        break
                if interrupt.requested:
                    break
                epoch_logs = self.get_metrics_result() if logs else {}
                if validation_data is not None and _should_validate(epoch, validation_freq):
                    val_logs = self.evaluate(val_x, val_y, sample_weight=val_sw,
                                             batch_size=validation_batch_size or batch_size,
                                             callbacks=callbacks, return_dict=True)
                    epoch_logs.update({f"val_{name}": value for name, value in val_logs.items()})
                callbacks.on_epoch_end(epoch, epoch_logs)
                training_logs = epoch_logs
                if self.stop_training or interrupt.requested:
                    break
        if interrupt.requested:  # wherever it landed: a batch, validation, a callback
            _say_interrupted(epoch, callbacks)
            self.history = callbacks.history
            return callbacks.history
        callbacks.on_train_end(logs=training_logs)
        self.history = callbacks.history
        return callbacks.history

    # -- evaluate and predict ------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """The loss and metrics over the data, without training.

        Returns:
            The loss (a float) if there are no metrics, else a list of floats in
            the order of `metrics_names`; a dict with `return_dict=True`.
        """
        self._assert_compiled("evaluate")
        if x is None:
            raise ValueError("`evaluate` needs inputs: pass `x` (e.g. a numpy array with one row per sample).")
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if y is None and self._compile_loss is not None:
            raise ValueError(f"`evaluate` needs targets `y` for the loss {self.loss!r}.")
        x, y, sample_weight = cu.to_arrays(x, "x"), cu.to_arrays(y, "y"), cu.to_arrays(sample_weight, "sample_weight")
        cu.check_same_length(x, y, sample_weight)
        batches = cu.BatchIterator(cu.num_samples(x, "x"), batch_size, steps_per_epoch=steps)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                     epochs=1, steps=batches.steps)
        self.reset_metrics()
        callbacks.on_test_begin()
        logs = {}
        for step, index in batches.epoch():
            callbacks.on_test_batch_begin(step)
            logs = self.test_step(cu.take(x, index), cu.take(y, index), cu.take(sample_weight, index))
            callbacks.on_test_batch_end(step, logs)
        logs = self.get_metrics_result() if logs else {}
        callbacks.on_test_end(logs)
        return dict(sorted(logs.items())) if return_dict else self._flatten_logs_in_order(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for `x` as numpy arrays (same structure as the outputs)."""
        if x is None:
            raise ValueError("`predict` needs inputs: pass `x` (e.g. a numpy array with one row per sample).")
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        x = cu.to_arrays(x, "x")
        batches = cu.BatchIterator(cu.check_same_length(x, None), batch_size, steps_per_epoch=steps)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                     epochs=1, steps=batches.steps)
        callbacks.on_predict_begin()
        outputs = []
        for step, index in batches.epoch():
            callbacks.on_predict_batch_begin(step)
            outputs.append(self.predict_on_batch(cu.take(x, index)))
            callbacks.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callbacks.on_predict_end()
        return _concatenate(outputs)

    # -- one batch at a time ---------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One gradient step on one batch; returns its loss and metrics (as `evaluate`)."""
        self._assert_compiled("train_on_batch")
        x, y, sample_weight = cu.to_arrays(x, "x"), cu.to_arrays(y, "y"), cu.to_arrays(sample_weight, "sample_weight")
        cu.check_same_length(x, y, sample_weight)
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("Arguments `sample_weight` and `class_weight` cannot be specified at the same time.")
            sample_weight = cu.class_weight_to_sample_weight(y, class_weight)
        self.reset_metrics()
        logs = self.train_step(x, y, sample_weight)
        return dict(sorted(logs.items())) if return_dict else self._flatten_logs_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics of one batch without training."""
        self._assert_compiled("test_on_batch")
        x, y, sample_weight = cu.to_arrays(x, "x"), cu.to_arrays(y, "y"), cu.to_arrays(sample_weight, "sample_weight")
        cu.check_same_length(x, y, sample_weight)
        self.reset_metrics()
        logs = self.test_step(x, y, sample_weight)
        return dict(sorted(logs.items())) if return_dict else self._flatten_logs_in_order(logs)

    def predict_on_batch(self, x):
        """The outputs for one batch, as numpy arrays."""
        return _to_numpy(self(_as_tensors(cu.to_arrays(x, "x")), training=False))

    # -- saving and summary ------------------------------------------------------------
    def save_weights(self, filepath, overwrite=True):
        """Writes the weights to a `.weights.npz` file (see `teachnet.saving`)."""
        from teachnet import saving
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath):
        """Reads weights written by `save_weights` into this (built) model."""
        from teachnet import saving
        saving.load_weights(self, filepath)

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        """Prints a table of the layers, their output shapes and parameter counts."""
        rows = [(f"{layer.name} ({type(layer).__name__})", _shape_text(getattr(layer, "_output_shape", None)),
                 _params_text(layer)) for layer in self.layers]
        print_summary(self, rows, print_fn=print_fn)


# -- helpers -----------------------------------------------------------------------
def _say_interrupted(epoch, callbacks):
    """Prints that fit was interrupted (in `epoch`, 0-based) and tells the callbacks."""
    print(f"\nTraining interrupted during epoch {epoch + 1}: the weights are those after the last completed "
          f"step; the History holds {len(callbacks.history.epoch)} completed epoch(s).")
    callbacks.on_train_interrupted(epoch)


class _DeferInterrupt:
    """During `fit`, Ctrl-C (a notebook's interrupt) is turned into a request
    that the loop honours after the current step, so the weights are never
    left half-updated. A second Ctrl-C raises KeyboardInterrupt at once (after
    calling `on_raise`, which says so)."""

    def __init__(self, on_raise=None):
        self.on_raise = on_raise

    def __enter__(self):
        self.requested = False
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._handler)
            except ValueError:  # not allowed here (e.g. some embedded interpreters)
                self._previous = None
        return self

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is KeyboardInterrupt and self.on_raise is not None:
            self.on_raise()
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def _check_positive_int(value, argument):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Expected `{argument}` to be a positive integer. Received: {argument}={value!r}")
    return int(value)


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    if isinstance(validation_freq, (list, tuple, set)):
        return epoch + 1 in validation_freq
    raise ValueError(f"Expected `validation_freq` to be a list or int. Received: validation_freq={validation_freq!r}")


def _as_tensors(x):
    """numpy batches as Tensors (no copy), keeping list/dict structure."""
    if isinstance(x, dict):
        return {k: _as_tensors(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_as_tensors(v) for v in x]
    return x if isinstance(x, Tensor) else Tensor(x)


def _zeros(shape, dtype):
    """A zeros batch for a shape (None -> 1), or a list/dict of them for several inputs."""
    if isinstance(shape, dict):
        return {k: _zeros(v, dtype) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)) and shape and all(isinstance(s, (list, tuple, dict)) for s in shape):
        return [_zeros(s, dtype) for s in shape]
    return np.zeros(tuple(1 if s is None else int(s) for s in shape), dtype=dtype)


def _to_numpy(y):
    if isinstance(y, dict):
        return {k: _to_numpy(v) for k, v in y.items()}
    if isinstance(y, (list, tuple)):
        return [_to_numpy(v) for v in y]
    return y.data if isinstance(y, Tensor) else np.asarray(y)


def _concatenate(batches):
    first = batches[0]
    if isinstance(first, dict):
        return {k: np.concatenate([b[k] for b in batches]) for k in first}
    if isinstance(first, list):
        return [np.concatenate([b[i] for b in batches]) for i in range(len(first))]
    return np.concatenate(batches)


# -- summary -------------------------------------------------------------------------
def readable_memory_size(num_bytes):
    """1630200 -> "1.55 MB", as Keras prints sizes."""
    for unit in ["B", "KB", "MB", "GB", "TB"]:
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def _shape_text(shape):
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _params_text(layer):
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def print_summary(model, rows, headers=("Layer (type)", "Output Shape", "Param #"), widths=(31, 22, 13),
                  right_aligned=(2,), print_fn=None):
    """Draws Keras 3's summary table (box-drawing characters, no colours).

    Args:
        rows: one tuple of strings per layer, one string per column.
        widths: the minimal text width of each column (widened to fit).
        right_aligned: the columns aligned to the right (Param #).
    """
    widths = [max([w, len(h)] + [len(r[i]) for r in rows]) for i, (w, h) in enumerate(zip(widths, headers))]

    def line(cells, sep):
        text = [c.rjust(w) if i in right_aligned else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return sep + sep.join(f" {t} " for t in text) + sep

    def rule(left, mid, right, fill):
        return left + mid.join(fill * (w + 2) for w in widths) + right

    out = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"), line(headers, "┃"), rule("┡", "╇", "┩", "━")]
    for i, row in enumerate(rows):
        out.append(line(row, "│"))
        out.append(rule("├", "┼", "┤", "─") if i < len(rows) - 1 else rule("└", "┴", "┘", "─"))
    if not rows:
        out.append(rule("└", "┴", "┘", "─"))
    trainable = model.trainable_weights if model.built else []
    trainable_ids = {id(w) for w in trainable}
    others = [w for w in model.weights if id(w) not in trainable_ids] if model.built else []

    def total(ws):
        return f"{sum(w.size for w in ws):,} ({readable_memory_size(sum(w.size * w.dtype.itemsize for w in ws))})"
    out += [f" Total params: {total(trainable + others)}", f" Trainable params: {total(trainable)}",
            f" Non-trainable params: {total(others)}"]
    text = "\n".join(out) + "\n"
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)
