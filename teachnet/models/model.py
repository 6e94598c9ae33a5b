"""`Model`: a layer that can be trained, with Keras 3's compile/fit/evaluate/predict.

One training step is the whole story of deep learning, and it is all in
`train_step`, which you can override exactly as in Keras:

    def train_step(self, data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)                       # forward pass
            loss = self.compute_loss(x, y, y_pred, sample_weight)  # how wrong we are
        gradients = tape.gradient(loss, self.trainable_weights)   # backward pass
        self.optimizer.apply(gradients, self.trainable_weights)   # a small step downhill
        return self.compute_metrics(x, y, y_pred, sample_weight)  # {"loss": ..., "accuracy": ...}

`fit` repeats it over the batches of each epoch (data.py turns arrays,
generators and PyDatasets into batches), keeps running means of the loss and
metrics (the numbers Keras prints and stores in `History`) and calls callbacks
in between; when a callback asks for a step's details, step_details.py records
them around the step. compile_utils.py holds the compiled loss and metrics.

Subclass `Model` and define `call` to write your own model; `Sequential` and
the functional `Model(inputs, outputs)` are models too, and a subclass can be
built either way (`CustomModel(inputs, outputs)`).
"""
import json
import signal
import threading

import numpy as np

from teachnet.autodiff import GradientTape, Tensor
from teachnet.callbacks import CallbackList
from teachnet.layers.base import Layer
from teachnet import metrics as metrics_module
from teachnet import optimizers
from teachnet.metrics import Metric
from teachnet.models import compile_utils as cu
from teachnet.models import data as data_module
from teachnet.models import summary as summary_module
from teachnet.models.data import unpack_x_y_sample_weight
from teachnet.models.step_details import StepRecorder
from teachnet import random as tn_random


class Model(Layer):
    """A layer with training and inference: `compile`, `fit`, `evaluate`, `predict`.

    `Model(inputs, outputs)` builds a functional model from symbolic tensors;
    subclassing `Model` and defining `call` gives a model written in code.
    Override `train_step(self, data)` (and `test_step`, `predict_step`) to
    change what `fit` does with each batch, as in Keras.

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
        # Model(inputs, outputs) is the functional API, as in Keras; so is a
        # subclass built the same way, CustomModel(inputs, outputs).
        from teachnet.models.sequential import Sequential  # sequential.py imports this module
        if _functional_arguments(args, kwargs) and not issubclass(cls, Sequential):
            return object.__new__(_functional_class(cls))
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if _functional_arguments(args, kwargs):
            # `super().__init__(inputs=..., outputs=...)` inside a subclass's __init__ (Keras's
            # pattern): this object becomes the functional version of its class.
            from teachnet.models.functional import Functional  # functional.py imports this module
            if not isinstance(self, Functional):
                self.__class__ = _functional_class(type(self))
            Functional.__init__(self, *args, **kwargs)
            return
        super().__init__(*args, **kwargs)
        self.optimizer = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self.last_step = None  # the last batch's StepRecord if a callback wanted its details, else None
        self.last_batch_loss = None  # the loss of the last trained batch (a float), after every step
        self._compile_loss = None
        self._compile_metrics = None
        self._loss_tracker = None
        self._metrics = []  # Metric objects assigned as attributes (a custom train_step's trackers)
        self._last_loss = None  # (total, regularization, y_pred) of the last compute_loss, for step records

    def __setattr__(self, name, value):
        # Trackers created in __init__ (`self.loss_tracker = metrics.Mean(name="loss")`) join
        # `model.metrics`, as in Keras.
        if not name.startswith("_") and isinstance(value, Metric) and hasattr(self, "_metrics"):
            if not any(value is m for m in self._metrics):
                self._metrics.append(value)
        super().__setattr__(name, value)

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (list, tuple)) and data_module.is_plain_numbers(inputs):
            if self._count("inputs") in (None, 1):
                inputs = np.asarray(inputs)  # a list of numbers (or of lists of numbers) is one array
            else:  # one list per input
                inputs = [np.asarray(v) if data_module.is_plain_numbers(v) else v for v in inputs]
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape):
        """Creates the weights of every sub-layer by running `call` once on a
        batch of zeros of `input_shape` (None axes become 1), as Keras builds
        a subclassed model. `input_shape` may be a list or dict of shapes."""
        if input_shape is None:
            raise ValueError(f'Model "{self.name}": build() needs the input shape, e.g. build((None, 784)).')
        self.built = True  # so the sub-layer calls below do not build this model again
        self.call(_as_tensors(_zeros(input_shape, self.dtype)))

    def get_layer(self, name=None, index=None):
        """The layer called `name`, or at position `index` of `model.layers` (any kind of model)."""
        if (name is None) == (index is None):
            raise ValueError(f"Provide either a layer name or a layer index to get_layer. "
                             f"Received: name={name}, index={index}.")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Expected `index` in [-{len(self.layers)}, {len(self.layers) - 1}]: model "
                                 f"\"{self.name}\" has {len(self.layers)} layers. Received: index={index}.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in self.layers]}.")

    def _count(self, kind):
        """The number of model inputs or outputs (`kind`), or None when the model
        does not say (a subclassed model)."""
        from teachnet.models.sequential import Sequential  # sequential.py imports this module
        if kind == "inputs":
            return 1 if isinstance(self, Sequential) else (
                len(self.inputs) if isinstance(getattr(self, "inputs", None), list) else None)
        names = getattr(self, "output_names", None)
        return len(names) if names else None

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
        self.optimizer = optimizers.get(optimizer)
        output_names = getattr(self, "output_names", None)
        self._compile_loss = cu.CompileLoss(loss, loss_weights, output_names) if loss is not None else None
        self._compile_metrics = (cu.CompileMetrics(metrics, weighted_metrics, output_names)
                                 if metrics or weighted_metrics else None)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.loss = loss
        # What model.save writes as Keras's compile_config (teachnet/saving/keras_file.py).
        self._compile_config = {"loss": loss, "loss_weights": loss_weights, "metrics": metrics,
                                "weighted_metrics": weighted_metrics}
        self.compiled = True
        self.stop_training = False

    def _assert_compiled(self, method):
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before `{method}()`: e.g. "
                             f"model.compile(optimizer=\"rmsprop\", loss=\"mse\") for model \"{self.name}\".")

    # -- metrics ----------------------------------------------------------------------
    @property
    def metrics(self):
        """The model's metrics, as Keras 3 lists them: the loss tracker, the compiled
        metrics (one entry, "compile_metrics", whose result is a dict), the
        per-output loss trackers, then the trackers assigned in `__init__`."""
        out = []
        if self.compiled:
            if self._loss_tracker is not None:
                out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            if self._compile_loss is not None:
                out += self._compile_loss.metrics
        return out + list(self._metrics)

    def _flat_metrics(self):
        """The individual Metric objects of `metrics` (the compiled ones one by one)."""
        out = []
        for m in self.metrics:
            out += m.metrics if isinstance(m, cu.CompileMetrics) else [m]
        return out

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
        """Resets every metric in `metrics` (fit does this at the start of each epoch)."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self):
        """The running values of `metrics` as a dict of floats: `{"loss": ..., "accuracy": ..., ...}`."""
        logs = {}
        for m in self.metrics:
            result = m.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[m.name] = float(result)
        return logs

    def _metrics_result_or_logs(self, logs):
        """The epoch's logs, as Keras: the metrics' running values when the step
        returned the same names, else what the (custom) step returned last."""
        results = self.get_metrics_result()
        return results if set(results) == set(logs) else dict(logs)

    # -- one step: the loss, the metrics, train_step, test_step, predict_step ----------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss of a batch: the compiled loss plus `model.losses` (e.g.
        weight regularization), a scalar Tensor. `x` is not used here; an
        override may use it."""
        self._assert_compiled("compute_loss")
        flat_pred, names = cu.output_structure(y_pred, getattr(self, "output_names", None))
        total = None
        if self._compile_loss is not None:
            flat_y = [None] * len(names) if y is None else cu.flat_targets(y, names, "y")
            flat_sw = ([None] * len(names) if sample_weight is None
                       else cu.flat_targets(sample_weight, names, "sample_weight"))
            if not self._compile_loss.built:
                self._compile_loss.build(flat_y, flat_pred, names, pred_is_dict=isinstance(y_pred, dict))
            total = self._compile_loss(flat_y, flat_pred, flat_sw, len(flat_pred[0]))
        regularization = None
        for term in self.losses:
            regularization = term if regularization is None else regularization + term
        if regularization is not None:
            total = regularization if total is None else total + regularization
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        self._last_loss = (total, regularization, y_pred)  # read by step_details.StepRecorder
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics with a batch; returns `get_metrics_result()`."""
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def train_step(self, data):
        """One step of gradient descent on a batch `data`: `x`, `(x,)`, `(x, y)` or
        `(x, y, sample_weight)`. Returns the running logs, `{"loss": ..., ...}`.

        Override it to change what `fit` does with each batch, as in Keras."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        self._loss_tracker.update_state(float(loss), sample_weight=_batch_size(x))
        weights = self.trainable_weights
        gradients = tape.gradient(loss, weights)
        self.optimizer.apply(gradients, weights)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """The loss and metrics of a batch without training; returns the running logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(float(loss), sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for a batch (targets in `data`, if any, are ignored)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def run_train_step(self, data, details=False):
        """Runs `train_step(data)` as `fit` does for each batch: sets
        `last_batch_loss` and, with `details`, `last_step` (a StepRecord of the
        gradients and updates, see step_details.py). Returns the step's logs."""
        self._last_loss = None
        if details:
            with StepRecorder(self, data) as recorder:
                logs = _checked_logs(self.train_step(data), self, "train_step")
            self.last_step = recorder.record(logs)
        else:
            logs = _checked_logs(self.train_step(data), self, "train_step")
            self.last_step = None  # never a record of an earlier batch
        last, self._last_loss = self._last_loss, None  # let go of the step's graph, which the loss holds
        self.last_batch_loss = float(last[0]) if last is not None else logs.get("loss")
        return logs

    # -- data ---------------------------------------------------------------------------
    def _batches(self, x, y, sample_weight, batch_size, steps, method, shuffle=False, class_weight=None,
                 needs_targets=False):
        """A batch source for `x` (arrays, a generator, an iterable or a PyDataset); see data.py."""
        if data_module.is_batch_source(x):
            for argument, value in (("y", y), ("sample_weight", sample_weight)):
                if value is not None:
                    raise ValueError(f"`{argument}` argument is not supported when `x` is a "
                                     f"{type(x).__name__}: it gives the batches, targets and weights included. "
                                     f"Yield (x, y) or (x, y, sample_weight) from it instead. Received: "
                                     f"{argument} of type {type(value).__name__}")
            if class_weight is not None:
                class_weight = data_module.check_class_weight(class_weight)
            return data_module.batch_source(x, steps, shuffle, class_weight, tn_random.generator(),
                                            self._count("inputs"), self._count("outputs"))
        x = data_module.to_arrays(x, "x", self._count("inputs"))
        y = data_module.to_arrays(y, "y", self._count("outputs"))
        sample_weight = data_module.to_arrays(sample_weight, "sample_weight")
        data_module.check_same_length(x, y, sample_weight)
        if needs_targets and y is None and self._compile_loss is not None:
            raise ValueError(f"`{method}` needs targets `y` for the loss {self.loss!r}: pass y with one "
                             "target per sample.")
        if class_weight is not None:  # training samples only, as Keras
            sample_weight = data_module.class_weight_to_sample_weight(
                y, data_module.check_class_weight(class_weight))
        return data_module.ArrayBatches(x, y, sample_weight, batch_size, shuffle, steps, tn_random.generator())

    def _build_from(self, batches):
        """Creates the weights (from one sample) before fit lists them, for a model
        with its own `call` (a GAN that only overrides train_step has none)."""
        if not self.built and type(self).call is not Layer.call:
            self(_as_tensors(batches.first_x()), training=False)

    # -- fit ----------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for `epochs` passes over the data; returns a `History`.

        Args:
            x: inputs: an array (or a list of numbers), a list of arrays or a
                dict keyed by input name; or a source of whole batches `(x, y)` /
                `(x, y, sample_weight)`: a Python generator, an iterable, a
                `teachnet.utils.PyDataset` (then `y` stays None).
            y: targets, with the structure of the model's outputs.
            batch_size: samples per gradient step (32 when None; arrays only).
            epochs: the index of the last epoch to train (training runs from
                `initial_epoch` to `epochs`).
            verbose: "auto" or 1 a progress bar, 2 one line per epoch, 0 silent.
            callbacks: a list of `teachnet.callbacks.Callback`.
            validation_split: the fraction of the data, taken from the END of
                x and y before shuffling, held out to compute `val_` metrics.
            validation_data: `(x_val, y_val)` or `(x_val, y_val, sample_weight)`,
                or a generator / iterable / PyDataset of batches; takes
                precedence over `validation_split`.
            shuffle: reshuffle the training samples (or a PyDataset's batches) at each epoch.
            class_weight: dict `{class index: weight}` scaling each sample's loss.
            sample_weight: one weight per sample.
            initial_epoch: the epoch to start from (to resume training).
            steps_per_epoch: batches per epoch (default: the whole data; a
                generator: until it runs out).
            validation_steps: batches per validation (default: all of it).
            validation_batch_size: batch size of validation (default: batch_size).
            validation_freq: validate every n-th epoch (an int) or at the listed epochs.

        Returns:
            A `History`: `history.history["loss"]` holds one value per epoch, the
            mean over the epoch's batches weighted by batch size, as Keras computes it.

        Each batch goes through `train_step(data)` (override it to train
        differently). Interrupting (Ctrl-C, or the notebook's stop button)
        finishes the current batch, then returns the History of the completed
        epochs; the weights are those after the last completed step (callbacks'
        `on_train_end` is not called, so e.g. EarlyStopping does not restore
        other weights). A second interrupt raises KeyboardInterrupt at once.
        """
        self._assert_compiled("fit")
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"Expected `epochs` to be a non-negative integer. Received: epochs={epochs!r}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError("Expected `validation_split` to be a float in [0, 1): the fraction of the data "
                             f"held out for validation. Received: validation_split={validation_split!r}")
        for argument, value in (("steps_per_epoch", steps_per_epoch), ("validation_steps", validation_steps)):
            if value is not None:
                _check_positive_int(value, argument)
        if x is None:
            raise ValueError("`fit` needs training inputs: pass `x` (e.g. a numpy array with one row per sample).")
        if class_weight is not None and sample_weight is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        if validation_split and validation_data is None:
            if data_module.is_batch_source(x):
                raise ValueError("`validation_split` is only supported for arrays (it holds out their last "
                                 f"samples); x is a {type(x).__name__}. Pass `validation_data` instead.")
            x, y, sample_weight = (data_module.to_arrays(x, "x", self._count("inputs")),
                                   data_module.to_arrays(y, "y", self._count("outputs")),
                                   data_module.to_arrays(sample_weight, "sample_weight"))
            data_module.check_same_length(x, y, sample_weight)
            (x, y, sample_weight), validation_data = data_module.train_validation_split(
                (x, y, sample_weight), validation_split)
        batches = self._batches(x, y, sample_weight, batch_size, steps_per_epoch, "fit", shuffle=shuffle,
                                class_weight=class_weight, needs_targets=True)
        val_batches = None
        if validation_data is not None:
            val_batches = self._validation_batches(validation_data, validation_batch_size or batch_size,
                                                   validation_steps, batches)
        callbacks = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                                 verbose=verbose, epochs=epochs, steps=batches.steps)
        self._build_from(batches)  # the weights exist before callbacks and the optimizer see them
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
                for step, data in batches.epoch():
                    callbacks.on_train_batch_begin(step)
                    # asked each batch: a callback may want the details of some batches only
                    logs = self.run_train_step(data, details=callbacks.wants_step_details)
                    callbacks.on_train_batch_end(step, logs)
                    if self.stop_training or interrupt.requested:
                        break
                if interrupt.requested:
                    break
                epoch_logs = self._metrics_result_or_logs(logs) if logs else {}
                if val_batches is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._run_test_batches(val_batches, callbacks, "the validation data")
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

    def _validation_batches(self, validation_data, batch_size, steps, train_batches):
        """The batches of `validation_data`: a tuple of arrays, or a source of batches."""
        if data_module.is_batch_source(validation_data):
            return self._batches(validation_data, None, None, batch_size, steps, "fit")
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            length = f" of length {len(validation_data)}" if hasattr(validation_data, "__len__") else ""
            raise ValueError("`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, "
                             "sample_weight_val), or a generator / PyDataset of such batches. "
                             f"Received: {type(validation_data).__name__}{length}")
        val_x, val_y, val_sw = (tuple(validation_data) + (None,))[:3]
        val_batches = self._batches(val_x, val_y, val_sw, batch_size, steps, "fit")
        if isinstance(train_batches, data_module.ArrayBatches):
            _check_same_label_format(train_batches.y, val_batches.y, getattr(self, "output_names", None))
        return val_batches

    # -- evaluate and predict ------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        """The loss and metrics over the data, without training.

        `x` (and `y`) as in `fit`: arrays, or a generator / iterable / PyDataset
        of `(x, y)` batches (then `steps` batches, or until it runs out).

        Returns:
            The loss (a float) if there are no metrics, else a list of floats in
            the order of `metrics_names`; a dict with `return_dict=True`.
        """
        self._assert_compiled("evaluate")
        if x is None:
            raise ValueError("`evaluate` needs inputs: pass `x` (e.g. a numpy array with one row per sample).")
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if steps is not None:
            _check_positive_int(steps, "steps")
        batches = self._batches(x, y, sample_weight, batch_size, steps, "evaluate", needs_targets=True)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                     epochs=1, steps=batches.steps)
        logs = self._run_test_batches(batches, callbacks)
        return dict(sorted(logs.items())) if return_dict else self._flatten_logs_in_order(logs)

    def _run_test_batches(self, batches, callbacks, what=None):
        """`test_step` over every batch, with the callbacks' test hooks; returns the logs.
        `what` names the data in errors ("the validation data")."""
        self.reset_metrics()
        callbacks.on_test_begin()
        logs = {}
        for step, data in batches.epoch():
            callbacks.on_test_batch_begin(step)
            try:
                logs = _checked_logs(self.test_step(data), self, "test_step")
            except (ValueError, TypeError) as error:
                if what is None:
                    raise
                raise type(error)(f"In {what} (batch {step}): {error}\nThe validation data must have the "
                                  "format of the training data (the same inputs, and the same kind of "
                                  "targets, e.g. class ids in both or one-hot rows in both).") from None
            callbacks.on_test_batch_end(step, logs)
        logs = self._metrics_result_or_logs(logs) if logs else {}
        callbacks.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for `x` as numpy arrays (same structure as the outputs).

        `x` as in `fit`: arrays, or a generator / iterable / PyDataset of batches
        (targets in them are ignored)."""
        if x is None:
            raise ValueError("`predict` needs inputs: pass `x` (e.g. a numpy array with one row per sample).")
        batch_size = _check_positive_int(32 if batch_size is None else batch_size, "batch_size")
        if steps is not None:
            _check_positive_int(steps, "steps")
        batches = self._batches(x, None, None, batch_size, steps, "predict")
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                                     epochs=1, steps=batches.steps)
        callbacks.on_predict_begin()
        outputs = []
        for step, data in batches.epoch():
            callbacks.on_predict_batch_begin(step)
            outputs.append(data_module.to_numpy(self.predict_step(data)))
            callbacks.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError("`predict` got no batch from `x`: the data is empty (a generator used up by an "
                             "earlier call?). Pass data with at least one sample.")
        return _concatenate(outputs)

    # -- one batch at a time ---------------------------------------------------------
    def _one_batch(self, x, y, sample_weight):
        x = data_module.to_arrays(x, "x", self._count("inputs"))
        y = data_module.to_arrays(y, "y", self._count("outputs"))
        sample_weight = data_module.to_arrays(sample_weight, "sample_weight")
        data_module.check_same_length(x, y, sample_weight)
        return x, y, sample_weight

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One gradient step on one batch; returns its loss and metrics (as `evaluate`)."""
        self._assert_compiled("train_on_batch")
        x, y, sample_weight = self._one_batch(x, y, sample_weight)
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("Arguments `sample_weight` and `class_weight` cannot be specified at the same time.")
            sample_weight = data_module.class_weight_to_sample_weight(
                y, data_module.check_class_weight(class_weight))
        self.reset_metrics()
        logs = self.run_train_step(data_module.pack_x_y_sample_weight(x, y, sample_weight))
        return dict(sorted(logs.items())) if return_dict else self._flatten_logs_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics of one batch without training."""
        self._assert_compiled("test_on_batch")
        x, y, sample_weight = self._one_batch(x, y, sample_weight)
        self.reset_metrics()
        logs = _checked_logs(self.test_step(data_module.pack_x_y_sample_weight(x, y, sample_weight)), self,
                             "test_step")
        return dict(sorted(logs.items())) if return_dict else self._flatten_logs_in_order(logs)

    def predict_on_batch(self, x):
        """The outputs for one batch, as numpy arrays."""
        x = data_module.to_arrays(x, "x", self._count("inputs"))
        return data_module.to_numpy(self.predict_step(data_module.pack_x_y_sample_weight(x)))

    # -- saving and summary ------------------------------------------------------------
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Writes the whole model to a `.keras` file, in Keras 3's format (see `teachnet.saving`).

        The file holds the architecture, the weights and, when compiled, the
        compile settings and optimizer state: `teachnet.saving.load_model` and
        Keras's `keras.saving.load_model` both read it, and training continues
        where it stopped.
        """
        from teachnet import saving  # saving sits above models (it imports them)
        if kwargs:
            raise ValueError("model.save takes filepath, overwrite and zipped. Received: the unknown argument(s) "
                             f"{sorted(kwargs)}. Leave them out.")
        saving.save_model(self, filepath, overwrite=overwrite, zipped=zipped)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Writes the weights to `.weights.h5` (Keras's layout) or `.weights.npz` (see `teachnet.saving`)."""
        from teachnet import saving  # saving sits above models (it imports them)
        saving.save_weights(self, filepath, overwrite=overwrite, max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch=False):
        """Reads weights from `.weights.h5`, `.weights.npz` or `.keras` into this (built) model."""
        from teachnet import saving  # saving sits above models (it imports them)
        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        """The model's config as a JSON string (Keras's format); `teachnet.models.model_from_json` reads it."""
        from teachnet.saving.serialization import serialize_keras_object  # saving sits above models
        return json.dumps(serialize_keras_object(self), **kwargs)

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        """Prints a table of the layers, their output shapes and parameter counts."""
        rows = [(f"{layer.name} ({type(layer).__name__})",
                 summary_module.shape_text(getattr(layer, "_output_shape", None)),
                 summary_module.params_text(layer)) for layer in self.layers]
        summary_module.print_summary(self, rows, print_fn=print_fn)

# -- helpers of the step and the data -----------------------------------------------------------
def _functional_arguments(args, kwargs):
    """Whether a Model is being built the functional way: Model(inputs, outputs), as Keras decides."""
    return (len(args) == 2 or (len(args) == 1 and "outputs" in kwargs)
            or ("inputs" in kwargs and "outputs" in kwargs))


_FUNCTIONAL_CLASSES = {}


def _functional_class(cls):
    """The functional version of a Model class: `Functional` itself for `Model`, and
    for a subclass `CustomModel` a class deriving from both (same name), so that
    `CustomModel(inputs, outputs)` runs the graph and keeps the subclass's
    `train_step`. Keras swaps the subclass's base class for this; a new class
    leaves the user's class as written."""
    from teachnet.models.functional import Functional  # functional.py imports this module
    if issubclass(cls, Functional):
        return cls
    if cls is Model:
        return Functional
    if cls not in _FUNCTIONAL_CLASSES:
        _FUNCTIONAL_CLASSES[cls] = type(cls.__name__, (cls, Functional),
                                        {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                         "__doc__": cls.__doc__})
    return _FUNCTIONAL_CLASSES[cls]


def _batch_size(x):
    """The number of samples in a batch of inputs (one array, a list or a dict of them)."""
    return len(data_module.arrays_in(x)[0])


def _checked_logs(logs, model, method):
    """A step's return value as a dict of floats (nested dicts flattened, as Keras does);
    refuses anything else, saying what a step must return."""
    if not isinstance(logs, dict):
        raise TypeError(f"{type(model).__name__}.{method}() must return a dict of numbers, such as "
                        "`{m.name: m.result() for m in self.metrics}` or `{\"loss\": loss}`. "
                        f"Received: {type(logs).__name__} {logs!r:.80}")
    out = {}
    for name, value in logs.items():
        if type(value) is float:  # what the library's own steps return
            out[name] = value
            continue
        if isinstance(value, dict):
            out.update(_checked_logs(value, model, method))
            continue
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
        if array.size != 1 or array.dtype.kind not in "biuf":
            raise TypeError(f"{type(model).__name__}.{method}() must return a dict of numbers (one number per "
                            f"metric name), such as `{{m.name: m.result() for m in self.metrics}}`; the value "
                            f"of {name!r} is {type(value).__name__} {value!r:.60}.")
        out[name] = float(array.reshape(()))
    return out


def _check_same_label_format(train_y, val_y, output_names):
    """Validation targets must be encoded as the training targets (e.g. both class ids). Each side is
    put in the outputs' order first, so a dict of training targets pairs with a list of validation
    targets by output name, as the step pairs them with the outputs."""
    train, val = (cu.in_output_order(y, output_names) for y in (train_y, val_y))
    if isinstance(train, list) and isinstance(val, list) and len(train) == len(val) > 1:
        # output by output: an output one side leaves out (None) is skipped, not paired with the next one
        pairs = [(i, t, v) for i, (t, v) in enumerate(zip(train, val)) if t is not None and v is not None]
    else:
        pairs = [(i, t, v) for i, (t, v) in
                 enumerate(zip(data_module.arrays_in(train), data_module.arrays_in(val)))]
    for i, t, v in pairs:
        if t.shape[1:] != v.shape[1:]:
            output = f" (output {i})" if isinstance(train, (list, tuple)) and len(train) > 1 else ""
            raise ValueError(f"Expected the validation data's targets{output} in the label format of the training "
                             f"targets, of shape {t.shape}. Received: validation targets of shape {v.shape}. "
                             f"{_label_format_hint(t, v)}")


def _label_format_hint(t, v):
    if t.ndim == 1 and v.ndim == 2 and v.shape[1] > 1:
        return ("The validation labels look one-hot and the training labels are class ids: convert them "
                "with np.argmax(y_val, axis=-1).")
    if v.ndim == 1 and t.ndim == 2 and t.shape[1] > 1:
        return ("The validation labels are class ids and the training labels look one-hot: convert them "
                f"with teachnet.utils.to_categorical(y_val, {t.shape[1]}).")
    return "Encode both the same way."



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


def _concatenate(batches):
    first = batches[0]
    if isinstance(first, dict):
        return {k: np.concatenate([b[k] for b in batches]) for k in first}
    if isinstance(first, list):
        return [np.concatenate([b[i] for b in batches]) for i in range(len(first))]
    return np.concatenate(batches)
