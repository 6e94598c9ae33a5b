"""TrainingDashboard: watch a network learn, one batch at a time.

Three pictures, redrawn as training runs:

1. the relationship diagram of Deep Learning with Python (figure 1.9): input X
   -> layers (weights) -> predictions Y'; Y' and the true targets Y -> loss
   function -> loss score -> optimizer -> weight update back into the layers,
   each box showing its live value;
2. the learning curves: loss and every metric, per batch and per epoch,
   training and validation, with the best epoch marked;
3. the weights: per layer, histograms of the weights, their gradients and the
   last update, with the update-to-weight ratio.

The dashboard is a Keras callback (`model.fit(x, y, callbacks=[dashboard])`
updates it while fit runs) and an interactive trainer: its Play button trains
a few batches at each tick of an `ipywidgets.Play` timer, so the kernel stays
free to handle Pause, the learning-rate slider and the other controls between
ticks (a cell running one long loop would handle no clicks until it ends).
"""
import copy
import io
import re
import time

import ipywidgets
import numpy as np
import traitlets
from matplotlib import image as mpl_image
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import ScaledTranslation

from teachnet import random as tn_random
from teachnet.callbacks import Callback
from teachnet.models import data as batching
from widgets.base import Bool, Enum, Float, Int, Throttle, Unicode, WidgetView, image_widget, row
from widgets.figures import (FONT, TITLE, LiveFigure, css_height, figure_to_png, new_figure, nice_ceiling,
                             steady_limits)

WIDTH = 980          # px: the whole dashboard fits a 1000 px wide notebook
HALF = WIDTH // 2
EPOCH_LABEL_DROP = 19  # points from the curves' x axis to the top of its label: ticks, their numbers, a gap
ACTIVE, IDLE = "#d62728", "#9e9e9e"  # arrow colours: the phase that just ran, the others
SPEEDS = [("1 batch per tick", 1), ("4 batches per tick", 4), ("16 batches per tick", 16),
          ("64 batches per tick", 64)]


SETTABLE = ("learning_rate", "speed", "use_validation", "log_scale", "redraw_interval", "max_draw_share",
            "highlight")


def _wrapped(name, width=14):
    """`name` on lines of at most `width` characters where it can be broken: after "_" or before a capital
    ("sparse_" / "categorical_" / "crossentropy"; "Categorical" / "Focal" / "Crossentropy")."""
    lines = [""]
    for part in re.split(r"(?<=_)|(?<=[a-z0-9])(?=[A-Z])", name):
        if lines[-1] and len(lines[-1] + part) > width:
            lines.append(part)
        else:
            lines[-1] += part
    return "\n".join(lines)


class TrainingLog:
    """The numbers behind the curves, kept apart from the drawing.

    `batch_x` is the position of each trained batch in epochs (1.5 = half way
    through the second epoch); `batch_values[name]` holds, per batch, the
    batch's own loss for "loss" and the running epoch value of each metric (as
    the progress bar shows it). `epoch_values[name]` holds one value per epoch,
    with `val_` twins when the model was validated.
    """

    def __init__(self):
        self.version = 0  # changes with the numbers: a picture drawn at this version is current
        self.clear()

    def clear(self):
        self.batch_x = []
        self.batch_values = {}
        self.epochs = []
        self.epoch_values = {}
        self.version += 1

    def add_batch(self, x, values):
        self.version += 1
        self.batch_x.append(x)
        for name, value in values.items():
            self.batch_values.setdefault(name, []).append(float(value))

    def add_epoch(self, epoch, logs):
        self.version += 1
        self.epochs.append(epoch)
        for name, value in logs.items():
            self.epoch_values.setdefault(name, [np.nan] * (len(self.epochs) - 1)).append(float(value))
        for values in self.epoch_values.values():  # a key missing this epoch (e.g. no validation)
            values.extend([np.nan] * (len(self.epochs) - len(values)))

    def names(self):
        """The quantities to plot: the loss first, then the metrics (without `val_`)."""
        names = [n for n in list(self.batch_values) + list(self.epoch_values) if not n.startswith("val_")]
        return sorted(set(names), key=lambda n: (n != "loss", names.index(n)))

    def best_epoch(self):
        """The epoch with the lowest validation loss (training loss without validation), or None."""
        values = self.epoch_values.get("val_loss") or self.epoch_values.get("loss")
        if not values or np.all(np.isnan(values)):
            return None
        return self.epochs[int(np.nanargmin(values))]


class TrainingDashboard(WidgetView, Callback):
    """A live view of training: the diagram of what happens in a step, the
    learning curves and the weights, with controls to train step by step.

    Use it as a callback, `model.fit(x, y, callbacks=[dashboard])`, or
    interactively with its buttons: Play / Pause (train continuously, a few
    batches per tick), Step (one batch), Step epoch, Reset (fresh weights and
    optimizer state, curves cleared), a learning-rate slider that takes effect
    at the next batch, and a speed setting (batches per tick).

    Args:
        model: a compiled teachnet model.
        x, y: training data for the interactive trainer (arrays, or lists/dicts
            of arrays for several inputs/outputs). Not needed as a callback.
        validation_data: `(x_val, y_val)`, evaluated at the end of each epoch
            by the interactive trainer (`fit` does its own validation).
        batch_size: samples per step of the interactive trainer.
        **kwargs: initial values of the traits below, e.g. `speed=4`.

    Example:
        >>> dashboard = TrainingDashboard(model, x_train, y_train, validation_data=(x_val, y_val))
        >>> dashboard                     # then click Step, Play, ...
        >>> model.fit(x_train, y_train, epochs=5, callbacks=[dashboard])  # or watch fit
    """

    learning_rate = Float(help="The optimizer's learning rate; changing it takes effect at the "
                                         "next batch (and replaces a learning-rate schedule).")
    speed = Int(1, help="Batches trained at each tick of Play.")
    use_validation = Bool(False, help="Evaluate `validation_data` at the end of each epoch "
                                                "(interactive trainer).")
    log_scale = Bool(False, help="Plot losses on a logarithmic axis.")
    redraw_interval = Float(0.25, help="The shortest time between two redraws, in seconds.")
    max_draw_share = Float(0.08, help="The largest share of training time spent drawing, counted from the "
                                                "start of fit (or of Play): a redraw waits until drawing has "
                                                "taken at most this share of the time. With frames of ~25-30 ms "
                                                "(an MLP's curves and one more picture during fit) that is "
                                                "~3 redraws a second.")
    highlight = Enum(["forward", "loss", "update"], "forward",
                               help="The phase whose arrows the diagram highlights.")
    epoch = Int(0, help="Completed epochs.")
    step = Int(0, help="Trained batches, in all epochs.")
    redraws = Int(0, help="How many times the pictures were redrawn.")
    fit_state = Unicode("", help="What the status line says of `fit`: running, interrupted, or nothing.")

    def __init__(self, model, x=None, y=None, validation_data=None, batch_size=32, **kwargs):
        WidgetView.__init__(self)
        Callback.__init__(self)
        from teachnet.models import Model
        if not isinstance(model, Model):
            raise TypeError(f"TrainingDashboard expects a teachnet Model (e.g. teachnet.Sequential). "
                            f"Received: model={model!r} of type {type(model).__name__}")
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"TrainingDashboard: expected `batch_size` to be a positive integer. "
                             f"Received: batch_size={batch_size!r}")
        self.set_model(model)
        self.batch_size = int(batch_size)
        self.x, self.y = self._checked_data(x, y, "x", "y")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("TrainingDashboard: `validation_data` must be a tuple (x_val, y_val). "
                                 f"Received: {type(validation_data).__name__}")
            validation_data = self._checked_data(*validation_data, "validation_data[0]", "validation_data[1]")
        self.validation_data = validation_data
        self.training_log = TrainingLog()
        self._throttle = Throttle(self.redraw_interval, self.max_draw_share)
        self._last_draw_seconds = 0.0  # how long the last redraw took
        self.seconds_drawing = 0.0  # all throttled redraws so far (the benchmark reports its share)
        self.cpu_seconds_drawing = 0.0  # the same in CPU seconds of the thread that drew (its own cost, without
        # the waits for a core that a busy machine adds to the wall clock)
        self._fit_clock = None  # inside fit: (start time, batches done, batches in all)
        self._fit_last_epoch = None  # the last fit's final epoch (the curves' x axis reaches it; reset() clears it)
        self._epoch_batches = None  # the interactive trainer's epoch: fit's batch iterator, (step, rows) pairs
        self._batches_left = 0  # how many of them are still to come
        self._last_step = None  # the last step record drawn or to draw
        self._diagram = self._curves = self._weights = None  # the figures, built once and updated in place
        self._optimizer_template = copy.deepcopy(model.optimizer)  # what Reset returns to
        lr = float(np.asarray(model.optimizer.learning_rate)) if model.optimizer is not None else 1e-3
        self._build_controls(lr)
        self.learning_rate = lr
        self.set_traits_from(kwargs, SETTABLE)
        self.use_validation = kwargs.get("use_validation", validation_data is not None)
        self.children = [self.error_banner, self.controls, self.status, self.diagram_image,
                         ipywidgets.HBox([self.curves_image, self.weights_image])]
        if not model.compiled:
            self.error_banner.show(ValueError(self._compile_message()))
        self._maybe_redraw(force=True)

    # -- checks ------------------------------------------------------------------------
    def _compile_message(self):
        return (f'Model "{self.model.name}" is not compiled: call model.compile(optimizer=..., loss=...) '
                "before training it with the dashboard.")

    def _checked_data(self, x, y, x_name, y_name):
        """x and y as fit takes them (numpy arrays, floats as float32); a ValueError when they cannot
        train the model (lengths, shapes)."""
        if x is None and y is None:
            return None, None
        if x is None or y is None:
            raise ValueError(f"TrainingDashboard needs both `{x_name}` and `{y_name}` to train. "
                             f"Received: {x_name}={'None' if x is None else 'data'}, "
                             f"{y_name}={'None' if y is None else 'data'}")
        x, y = batching.to_arrays(x, x_name), batching.to_arrays(y, y_name)
        n_x, n_y = batching.num_samples(x, x_name), batching.num_samples(y, y_name)
        if n_x != n_y or n_x == 0:
            raise ValueError(f"TrainingDashboard: `{x_name}` and `{y_name}` must hold the same, non-zero "
                             f"number of samples. Received: {n_x} and {n_y} samples")
        if not self.model.compiled:
            return x, y
        first = slice(0, min(2, n_x))
        try:  # one forward pass and loss on two samples: the errors fit would give, said up front
            self.model.compute_loss(y=batching.take(y, first), y_pred=self.model(batching.take(x, first)))
        except (ValueError, TypeError) as error:
            raise ValueError(f"TrainingDashboard: model \"{self.model.name}\" cannot train on {x_name} of shape "
                             f"{shapes_text(x)} and {y_name} of shape {shapes_text(y)}: {error}") from error
        return x, y

    @traitlets.validate("use_validation")
    def _valid_use_validation(self, proposal):
        if proposal.value and self.validation_data is None:
            raise ValueError("TrainingDashboard: validation was asked for, but there is no validation data: "
                             "pass validation_data=(x_val, y_val) when creating the dashboard.")
        return proposal.value

    @traitlets.validate("speed")
    def _valid_speed(self, proposal):
        return self.require(proposal, proposal.value >= 1, ">= 1 (batches per tick)")

    @traitlets.validate("max_draw_share")
    def _valid_max_draw_share(self, proposal):
        return self.require(proposal, 0 < proposal.value <= 1, "in (0, 1], a fraction of the time")

    @traitlets.validate("learning_rate")
    def _valid_learning_rate(self, proposal):
        return self.require(proposal, proposal.value > 0, "> 0")

    # -- controls -----------------------------------------------------------------------
    def _build_controls(self, lr):
        # Play/Pause are the timer's own buttons: the front end bumps its `value` every `interval` ms
        self.play_button = self.make_play(100, "train", "Train continuously, `speed` batches per tick")
        self.step_button = self.button("Step", self.train_step, "Train one batch", "100px")
        self.epoch_button = self.button("Step epoch", self.train_epoch, "Train to the end of the epoch", "100px")
        self.reset_button = self.button("Reset", self.reset, "Fresh weights and optimizer state; clear the curves",
                                        "100px")
        power = np.log10(lr)  # the slider spans 1000x below the rate to 100x above (at most 10, unless above)
        self.lr_slider = ipywidgets.FloatLogSlider(
            value=lr, base=10, min=np.floor(power) - 3, max=max(min(1.0, np.floor(power) + 2), np.ceil(power)),
            step=0.1, description="learning rate", readout_format=".1e",
            style={"description_width": "initial"}, layout=ipywidgets.Layout(width="330px"))
        self.speed_dropdown = ipywidgets.Dropdown(options=SPEEDS, value=1, description="speed",
                                                  layout=ipywidgets.Layout(width="230px"),
                                                  style={"description_width": "initial"})
        self.log_button = ipywidgets.ToggleButton(description="log scale", layout=ipywidgets.Layout(width="90px"))
        self.validation_button = ipywidgets.ToggleButton(description="validate",
                                                         layout=ipywidgets.Layout(width="90px"))
        for control, name in [(self.lr_slider, "learning_rate"), (self.speed_dropdown, "speed"),
                              (self.log_button, "log_scale"), (self.validation_button, "use_validation")]:
            self.bind(control, name)  # a refused value (validation without data) puts the control back
        self.status = ipywidgets.HTML()
        # drawn for 980 px, shrunk to fit a narrower notebook
        # (no margins: two half-width pictures and their margins would be wider than the row)
        self.diagram_image = image_widget(WIDTH)
        self.curves_image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(
            width="50%", max_width=f"{HALF}px", height="auto", margin="0"))
        self.weights_image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(
            width="50%", max_width=f"{HALF}px", height="auto", margin="0"))
        self.controls = ipywidgets.VBox([
            row([self.play_button, self.step_button, self.epoch_button, self.reset_button]),
            row([self.lr_slider, self.speed_dropdown, self.log_button, self.validation_button])])

    @traitlets.observe("learning_rate")
    def _apply_learning_rate(self, change):
        if self.model.optimizer is not None:
            self.model.optimizer.learning_rate = change["new"]

    @traitlets.observe("log_scale")
    def _redraw_curves(self, change):
        self.curves_image.value = self.draw_curves()

    # -- the interactive trainer -----------------------------------------------------------
    def check_can_play(self):
        self._assert_can_train()

    def _assert_can_train(self):
        if not self.model.compiled:
            raise ValueError(self._compile_message())
        if self.x is None:
            raise ValueError("TrainingDashboard has no training data: create it with "
                             "TrainingDashboard(model, x, y) to train with its buttons.")

    def on_pause(self):
        self._maybe_redraw(force=True)

    @traitlets.observe("running")
    def _count_drawing_from_play(self, change):
        if change["new"]:
            self._throttle.restart()  # Play's share of drawing is counted from its start

    def tick(self):
        """One tick of Play: trains `speed` batches, redraws when the throttle allows."""
        self._train_batches(self.speed)
        # the timer paces training here, so drawing may take up to half the time (not max_draw_share):
        # the picture moves, and the kernel stays free half the time to handle Pause and the slider
        self._maybe_redraw(share=0.5)

    def train_step(self):
        """Trains one batch and redraws."""
        self._train_batches(1)
        self._maybe_redraw(force=True)

    def train_epoch(self):
        """Trains the remaining batches of the current epoch and redraws."""
        self._assert_can_train()
        remaining = self._batches_left if self._epoch_batches is not None else None
        self._train_batches(remaining or self._batches_per_epoch())
        self._maybe_redraw(force=True)

    def _batches_per_epoch(self):
        return -(-batching.num_samples(self.x, "x") // self.batch_size)

    def _train_batches(self, count):
        """Trains `count` batches as `fit` would, with fit's own batching (teachnet.models.data): shuffled
        epochs, running metrics, validation at the end of each epoch, the callback hooks called as fit calls
        them."""
        self._assert_can_train()
        model = self.model
        for _ in range(count):
            if self._epoch_batches is None:  # a new epoch: fresh running metrics, a new shuffle
                model.reset_metrics()
                source = batching.BatchIterator(batching.num_samples(self.x, "x"), self.batch_size, shuffle=True,
                                                rng=tn_random.generator())
                self._epoch_batches, self._batches_left = source.epoch(), source.steps
                self.params = {"epochs": None, "steps": source.steps, "verbose": 0}
            batch, index = next(self._epoch_batches)
            self._batches_left -= 1
            # the rows are taken at each batch: data set on the dashboard (dashboard.y = ...) counts at once
            data = batching.pack_x_y_sample_weight(batching.take(self.x, index), batching.take(self.y, index))
            logs = model.run_train_step(data, details=True)
            self.on_train_batch_end(batch, logs)
            if not self._batches_left:
                self._epoch_batches = None
                logs = model.get_metrics_result()
                if self.use_validation:
                    x_val, y_val = self.validation_data
                    val = model.evaluate(x_val, y_val, batch_size=self.batch_size, verbose=0, return_dict=True)
                    logs.update({f"val_{name}": value for name, value in val.items()})
                self.on_epoch_end(self.epoch, logs)

    def reset(self):
        """Fresh weights (drawn again from each weight's initializer) and a fresh
        optimizer (as it was when the dashboard was created); clears the curves."""
        self.running = False
        for w in self.model.weights:
            initializer = getattr(w, "initializer", None)
            if initializer is None:
                raise ValueError(f"Reset cannot re-initialize weight {getattr(w, 'path', w.name)!r}: it was "
                                 "not created with Layer.add_weight, so its initializer is unknown.")
            w.assign(np.asarray(initializer(w.shape, dtype=w.dtype), dtype=w.dtype))
        if self._optimizer_template is not None:
            self.model.optimizer = copy.deepcopy(self._optimizer_template)
            self.model.optimizer.learning_rate = self.learning_rate
        if self.model.compiled:
            self.model.reset_metrics()
        self.training_log.clear()
        self._fit_last_epoch = None  # the curves' x axis starts again from one epoch
        self._epoch_batches = None
        self._last_step = None
        self.epoch = self.step = 0
        self.highlight = "forward"
        self._maybe_redraw(force=True)

    # -- the callback hooks (called by fit, and by the interactive trainer) -----------------
    def on_train_begin(self, logs=None):
        self.fit_state = "fit running"
        if self.model.optimizer is not None:  # fit may come with a new optimizer (compile again)
            self.learning_rate = float(np.asarray(self.model.optimizer.learning_rate))
        self._throttle.restart()  # the picture is current: the first redraw can wait an interval
        epochs, steps = self.params.get("epochs"), self.params.get("steps")
        self._fit_last_epoch = self.epoch + epochs if epochs else None
        self._fit_clock = (time.perf_counter(), 0, epochs * steps if epochs and steps else None)

    @property
    def wants_step_details(self):
        """Whether fit should fill model.last_step (gradients and updates, which cost a copy of
        every weight) for the coming batch: only for batches that may be drawn, that is when a
        redraw is due, and for the last batch of each epoch and of fit."""
        if self._fit_clock is None:
            return True  # the interactive trainer, or a loop other than fit
        _, done, total = self._fit_clock
        steps = self.params.get("steps")
        return (self._throttle.due() or (steps is not None and (done + 1) % steps == 0)
                or (total is not None and done + 1 >= total))

    def on_train_batch_end(self, batch, logs=None):
        fresh = self.model.last_step is not None  # fit filled it for this batch
        if fresh:
            self._last_step = self.model.last_step
        steps = self.params.get("steps") or 1
        values = {name: value for name, value in (logs or {}).items() if name != "loss"}
        batch_loss = self.model.last_batch_loss
        values["loss"] = batch_loss if batch_loss is not None else logs["loss"]
        self.training_log.add_batch(self.epoch + (batch + 1) / steps, values)
        self.step += 1
        self.highlight = "update"
        if self._fit_clock is not None:
            start, done, total = self._fit_clock
            self._fit_clock = (start, done + 1, total)
        if fresh and not self._end_of_fit_is_near():  # draw only what this batch did
            self._maybe_redraw()

    def _end_of_fit_is_near(self):
        """Whether fit will end (and redraw) before the throttle would allow a redraw anyway:
        then a redraw now would cost time and show nothing the final one does not."""
        if self._fit_clock is None or self._fit_clock[2] is None:
            return False  # not inside fit (the interactive trainer), or fit's length unknown
        start, done, total = self._fit_clock
        seconds_left = (time.perf_counter() - start) / max(done, 1) * (total - done)  # at the pace so far
        return done >= total or seconds_left < max(self.redraw_interval, self._throttle.wait())

    def on_epoch_end(self, epoch, logs=None):
        self.training_log.add_epoch(self.epoch + 1, logs or {})
        self.epoch += 1
        if not self._end_of_fit_is_near():
            self._maybe_redraw()

    def on_train_interrupted(self, epoch):
        self.fit_state = (f"fit interrupted during epoch {epoch + 1}: the weights are those after the last "
                          "completed batch")
        self._fit_clock = None
        self._maybe_redraw(force=True)

    def on_train_end(self, logs=None):
        self.fit_state = ""
        self._fit_clock = None
        self._maybe_redraw(force=True)

    # -- drawing ----------------------------------------------------------------------------
    def _maybe_redraw(self, force=False, share=None):
        """Redraws when the throttle allows: at most every `redraw_interval` seconds, and only while
        drawing has taken at most `share` (default `max_draw_share`) of the time since fit (or Play)
        started."""
        self._throttle.interval = self.redraw_interval
        self._throttle.share = self.max_draw_share if share is None else share
        if not self._throttle.ready(force):
            return
        start, start_cpu = time.perf_counter(), time.thread_time()
        try:
            self.redraw(every_picture=force or self._fit_clock is None)
        except Exception as error:  # a picture that cannot be drawn must not stop fit: say it, train on
            self.last_error = error
            self.error_banner.show(error)
        self._last_draw_seconds = time.perf_counter() - start
        self._throttle.spend(self._last_draw_seconds)
        self.seconds_drawing += self._last_draw_seconds
        self.cpu_seconds_drawing += time.thread_time() - start_cpu

    def redraw(self, every_picture=True):
        """Draws the pictures and the status line now: all three, or (`every_picture=False`, the
        redraws while fit runs) the curves and, in turn, the diagram or the weights. Such a frame
        costs ~60% of a full one (the weights' nine histograms are the dearest picture), so within
        the same share of fit's time the curves move ~1.6 times as often; fit's last redraw draws all."""
        if every_picture or self.redraws % 2 == 0:
            self.diagram_image.value = self.draw_diagram()
        self.curves_image.value = self.draw_curves()
        if every_picture or self.redraws % 2 == 1:
            self.weights_image.value = self.draw_weights()
        step = self._last_step
        loss = f"{step.loss:.4g}" if step is not None else "-"
        self.status.value = (f"<b>epoch</b> {self.epoch} &nbsp; <b>batches trained</b> {self.step} &nbsp; "
                             f"<b>last batch loss</b> {loss} &nbsp; <b>learning rate</b> {self.learning_rate:.3g}"
                             + (f" &nbsp; <b style='color:{'#b71c1c' if 'interrupted' in self.fit_state else '#333'}'>"
                                f"{self.fit_state}</b>" if self.fit_state else ""))
        self.redraws += 1

    def static_png(self):
        """The three pictures stacked into one PNG (the notebook's saved output)."""
        pictures = [self.diagram_image.value, self.curves_image.value, self.weights_image.value]
        images = [mpl_image.imread(io.BytesIO(bytes(p)), format="png") for p in pictures]
        height = images[0].shape[0] + max(images[1].shape[0], images[2].shape[0])
        fig = new_figure(images[0].shape[1], height)
        top = images[0].shape[0] / height
        placements = [(0, 1 - top, 1, top), (0, 0, 0.5, 1 - top), (0.5, 0, 0.5, 1 - top)]
        for picture, box in zip(images, placements):
            ax = fig.add_axes(box)
            ax.imshow(picture)
            ax.axis("off")
        return figure_to_png(fig)

    def _layers(self):
        return [layer for layer in self.model.layers if type(layer).__name__ != "InputLayer"]

    def _layer_weight_indices(self):
        """For each layer with trainable weights: (layer, positions in model.trainable_weights)."""
        position = {id(w): i for i, w in enumerate(self.model.trainable_weights)}
        return [(layer, [position[id(w)] for w in layer.trainable_weights if id(w) in position])
                for layer in self._layers() if layer.trainable_weights]

    def draw_diagram(self):
        """The relationship diagram with live values, as PNG bytes. Boxes, arrows and the fixed
        words are the figure's background (drawn again only when they change, e.g. the highlighted
        phase); a frame draws the numbers: each layer's |Δw|, the loss score, the learning rate."""
        layers = self._layers()
        shown = layers if len(layers) <= 5 else layers[:4] + [None]  # None: the "more layers" box
        if self._diagram is None or self._diagram["layers"] != layers:
            self._diagram = self._build_diagram(shown, layers)
        d, step, model = self._diagram, self._last_step, self.model
        norms = {}
        if step is not None:
            for layer, indices in self._layer_weight_indices():
                norms[layer.name] = np.sqrt(sum(float(np.sum(step.updates[i] ** 2)) for i in indices))
        for text, layer in zip(d["values"]["layers"], shown):
            if layer is not None:
                text.set_text(f"|Δw| = {norms[layer.name]:.2e}" if layer.name in norms else (
                    f"{layer.count_params()} weights" if layer.weights else "no weights"))
        d["values"]["score"].set_text(f"{step.loss:.4g}" if step is not None else "-")
        d["values"]["optimizer"].set_text(f"lr = {self.learning_rate:.2e}" if model.optimizer else "-")
        x_shape = shapes_text(step.x) if step is not None else shapes_text(self.x) if self.x is not None else ""
        loss = getattr(model, "loss", None)
        loss = loss if isinstance(loss, str) else type(loss).__name__ if loss is not None else "?"
        loss = _wrapped(loss) if len(loss) > 16 else loss   # a long name on several lines, to fit its box
        words = {"input": f"Input X\n{x_shape}",
                 "predictions": "Predictions Y'\n" + (shapes_text(step.y_pred) if step is not None else ""),
                 "targets": "True targets Y\n" + (shapes_text(step.y) if step is not None else ""),
                 "loss": f"Loss function\n{loss}", "optimizer": f"Optimizer\n{type(model.optimizer).__name__}"}
        for name, text in words.items():
            d["words"][name].set_text(text)
        for phase, arrows in d["arrows"].items():
            active = self.highlight == phase
            for arrow in arrows:
                arrow.set_color(ACTIVE if active else IDLE)
                arrow.set_linewidth(2.2 if active else 1.2)
        d["update_label"].set_color(ACTIVE if self.highlight == "update" else IDLE)
        frame = tuple(text.get_text() for text in d["values"]["layers"] if text is not None) + (
            d["values"]["score"].get_text(), d["values"]["optimizer"].get_text())
        return d["live"].png(key=(self.highlight, tuple(words.values())), frame=frame)

    def _build_diagram(self, shown, layers):
        """The diagram's figure: boxes, arrows (per phase), fixed words and the animated value texts."""
        live = LiveFigure(new_figure(WIDTH, 240))
        ax = live.fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        arrows = {"forward": [], "loss": [], "update": []}
        words, values = {}, {"layers": []}

        def box(x, y, face, name=None, text="", value=None):
            """A box with words (background) and a number under them: "animated" (typeset every frame)
            or "label" (a number that changes rarely, pasted from cached pixels while it repeats)."""
            ax.add_patch(FancyBboxPatch((x - 0.05, y - 0.13), 0.1, 0.26, boxstyle="round,pad=0.004",
                                        facecolor=face, edgecolor="#555555"))
            word = ax.text(x, y + (0.035 if value else 0), text, ha="center", va="center", fontsize=FONT)
            if name is not None:
                words[name] = word
            if value is None:
                return None
            number = ax.text(x, y - 0.075, "", ha="center", va="center", fontsize=FONT)
            return live.animate(number) if value == "animated" else live.label(number, facecolor=face, pad=0.5)

        def arrow(start, end, phase):
            patch = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=IDLE, linewidth=1.2)
            arrows[phase].append(ax.add_patch(patch))

        # fixed places: the forward pass along the top, the loss and the update along the bottom
        top, bottom, half_w, half_h = 0.77, 0.2, 0.052, 0.135
        xs = [0.4] if len(shown) == 1 else list(np.linspace(0.19, 0.62, len(shown)))
        pred_x, targets_x, loss_x, score_x, opt_x = 0.76, 0.93, 0.845, 0.64, 0.42
        box(0.06, top, "#e3f2fd", "input")
        previous = 0.06
        for x, layer in zip(xs, shown):
            if layer is None:
                box(x, top, "#fff8e1", text=f"... {len(layers) - 4} more\nlayers")
                values["layers"].append(None)
            else:
                values["layers"].append(box(x, top, "#fff8e1", text=f"{layer.name}\n{type(layer).__name__}",
                                            value="animated"))
            arrow((previous + half_w, top), (x - half_w, top), "forward")
            previous = x
        box(pred_x, top, "#e8f5e9", "predictions")
        arrow((previous + half_w, top), (pred_x - half_w, top), "forward")
        box(targets_x, top, "#e8f5e9", "targets")
        box(loss_x, bottom, "#fce4ec", "loss")
        arrow((pred_x, top - half_h), (loss_x - 0.02, bottom + half_h), "loss")
        arrow((targets_x, top - half_h), (loss_x + 0.02, bottom + half_h), "loss")
        values["score"] = box(score_x, bottom, "#fce4ec", text="Loss score", value="animated")
        arrow((loss_x - half_w, bottom), (score_x + half_w, bottom), "loss")
        values["optimizer"] = box(opt_x, bottom, "#ede7f6", "optimizer", value="label")  # the learning rate
        arrow((score_x - half_w, bottom), (opt_x + half_w, bottom), "update")
        for x, layer in zip(xs, shown):
            if layer is None or layer.weights:  # the update flows back into each layer with weights
                arrow((opt_x + np.clip(x - opt_x, -0.04, 0.04), bottom + half_h), (x, top - half_h), "update")
        update_label = ax.text(0.19, 0.47, "weight update", color=IDLE, fontsize=FONT, ha="center")
        return {"live": live, "layers": layers, "words": words, "values": values, "arrows": arrows,
                "update_label": update_label}

    def draw_curves(self):
        """The loss and metric curves, as PNG bytes. Axes, ticks and titles are the background
        (drawn again only when an axis's limits change, which they do rarely: see steady_limits);
        a frame draws the lines and the legend."""
        log = self.training_log
        names = (log.names() or ["loss"])[:4]  # loss and the first metrics fit the half-width panel
        best = log.best_epoch()
        if self._curves is None or self._curves["names"] != names:
            self._curves = self._build_curves(names)
        c = self._curves
        last_x = max(log.batch_x[-1] if log.batch_x else 0, log.epochs[-1] if log.epochs else 0)
        # the epoch fit will end at, when inside fit: the x axis is fixed for the whole fit (one background);
        # else the next round number (the first epoch's batches share one background)
        x_limits = (0.0, max(self._fit_last_epoch or 0, nice_ceiling(max(last_x, 1.0))))
        key = []
        for name, ax, lines in zip(names, c["axes"], c["lines"]):
            batch_values = log.batch_values.get(name, [])
            epoch_values = log.epoch_values.get(name, [np.nan] * len(log.epochs))
            val_values = log.epoch_values.get(f"val_{name}", [np.nan] * len(log.epochs))
            lines["batch"].set_data(*thin_line(log.batch_x[-len(batch_values):] if batch_values else [],
                                               batch_values))
            lines["train"].set_data(log.epochs, epoch_values)
            lines["validation"].set_data(log.epochs, val_values)
            lines["best"].set_xdata([best, best] if best is not None else [np.nan, np.nan])
            lines["empty"].set_visible(not log.batch_x)
            shown = np.asarray(list(batch_values) + list(epoch_values) + list(val_values), dtype=float)
            shown = shown[np.isfinite(shown)]
            log_axis = self.log_scale and name.endswith("loss") and shown.size > 0 and shown.min() > 0
            if log_axis != (ax.get_yscale() == "log"):
                ax.set_yscale("log" if log_axis else "linear")
                lines["limits"] = None
            if shown.size:
                low, high = shown.min(), shown.max()
                if not log_axis:  # limits that rarely move while the curves grow (each move redraws the axes)
                    low = min(low, 0.0)  # values >= 0 (losses, most metrics) on an axis from 0
                    high = 1.0 if 0 <= shown.min() and high <= 1 else high  # fractions (accuracy) over [0, 1]
                lines["limits"] = steady_limits(lines["limits"], low, high, log=log_axis, headroom=0.5)
                ax.set_ylim(*lines["limits"])
            ax.set_xlim(*x_limits)
            key.append((ax.get_ylim(), log_axis))
        # (the best epoch is where its line stands: a legend naming its number would be drawn again each epoch)
        legend_key = (bool(log.batch_x), bool(log.epochs), "val_loss" in log.epoch_values, best is not None)
        if c["legend_key"] != legend_key:  # the legend lists the series that have data
            c["legend_key"] = legend_key
            lines, ax = c["lines"][0], c["axes"][0]
            lines["best"].set_label("best epoch")
            if c["legend"] is not None:
                c["live"].forget(c["legend"])
                c["legend"].remove()
                c["legend"] = None
            if log.batch_x:
                shown = [lines["batch"]] + ([lines["train"]] if log.epochs else []) + (
                    [lines["validation"]] if legend_key[2] else []) + ([lines["best"]] if best is not None else [])
                c["legend"] = c["live"].pin(ax.legend(handles=shown, fontsize=FONT, loc="upper right",
                                                      framealpha=1, fancybox=False))
        return c["live"].png(key=(x_limits, tuple(key), legend_key), frame=log.version)

    def _build_curves(self, names):
        rows = (len(names) + 1) // 2
        live = LiveFigure(new_figure(HALF, 130 + 170 * rows))
        axes, lines = [], []
        for i, name in enumerate(names):
            ax = live.fig.add_subplot(rows, min(2, len(names)), i + 1)
            lines.append({
                "batch": live.animate(ax.plot([], [], color="#90caf9", linewidth=0.8, label="batch")[0]),
                "train": live.animate(ax.plot([], [], "o-", color="#1565c0", markersize=4, label="train")[0]),
                "validation": live.animate(ax.plot([], [], "s--", color="#ef6c00", markersize=4,
                                                   label="validation")[0]),
                "best": live.animate(ax.axvline(np.nan, color="#2e7d32", linestyle=":", linewidth=1.2)),
                "empty": live.animate(ax.text(0.5, 0.5, "no training yet", ha="center", va="center",
                                              transform=ax.transAxes, color="#757575", fontsize=FONT)),
                "limits": None})
            # title and label at fixed places (matplotlib would measure the tick labels to place them at
            # every draw of the background: a third of its time)
            ax.set_title(name, fontsize=TITLE, y=1.0)
            ax.set_xlabel("epoch", fontsize=FONT)
            ax.xaxis.set_label_coords(0.5, 0.0, transform=ax.transAxes + ScaledTranslation(
                0, -EPOCH_LABEL_DROP / 72, live.fig.dpi_scale_trans))
            ax.tick_params(labelsize=FONT)
            ax.xaxis.set_major_locator(MaxNLocator(4))
            ax.yaxis.set_major_locator(MaxNLocator(4))
            axes.append(ax)
        height = css_height(live.fig)
        live.fig.subplots_adjust(left=0.14, right=0.97, top=1 - 28 / height, bottom=40 / height, wspace=0.4,
                                 hspace=0.6)
        return {"live": live, "names": names, "axes": axes, "lines": lines, "legend": None, "legend_key": None}

    def draw_weights(self):
        """Per layer: histograms of weights, gradients and last update, as PNG bytes. Each panel's
        axes are fixed (0 to 1 both ways, no ticks): a frame draws the bars, scaled to the panel,
        and the range of the values as text, so the background never has to be drawn again."""
        rows = self._layer_weight_indices()[:5]
        weights, step = self.model.trainable_weights, self._last_step
        key = tuple((layer.name, tuple(indices)) for layer, indices in rows)
        if self._weights is None or self._weights["key"] != key:
            self._weights = self._build_weights(rows, key)
        frame = []  # what the panels show: unchanged (no batch since the last frame), the last PNG is kept
        for (layer, indices), panels in zip(rows, self._weights["panels"]):
            w = np.concatenate([weights[i].numpy().ravel() for i in indices])
            values = [w]
            if step is not None:
                g = np.concatenate([step.gradients[i].ravel() for i in indices])
                u = np.concatenate([step.updates[i].ravel() for i in indices])
                values += [g, u]
            for (bars, text), v in zip(panels, values):
                counts, edges, not_finite = _histogram(v)
                bars.set_data(counts / max(counts.max(), 1), (edges - edges[0]) / (edges[-1] - edges[0]))
                reach = f"±{max(abs(edges[0]), abs(edges[-1])):.1g}"  # the x axis's reach, tickless
                text.set_text(reach + (f"  {not_finite} NaN/inf" if not_finite else ""))
                frame.append(counts.tobytes() + edges.tobytes() + bytes(str(not_finite), "ascii"))
            for bars, text in panels[len(values):]:  # no step yet: no gradients, no update
                bars.set_data(np.zeros(1), [0.0, 1.0])
                text.set_text("no step yet")
            if step is not None:  # the update-to-weight ratio: how big a step is, relative to the weights
                ratio = np.linalg.norm(u) / max(np.linalg.norm(w), 1e-12)
                panels[2][1].set_text(f"{panels[2][1].get_text()}  |Δw|/|w| {ratio:.0e}")
                frame.append(panels[2][1].get_text())
        return self._weights["live"].png(frame=tuple(frame))

    def _build_weights(self, rows, key):
        live = LiveFigure(new_figure(HALF, 60 + 110 * max(1, len(rows))))
        panels = []
        if not rows:
            live.fig.text(0.5, 0.5, "no trainable weights yet\n(the model is built on its first batch)",
                          ha="center", va="center", fontsize=TITLE)
        for r, (layer, _) in enumerate(rows):
            row_panels = []
            for c in range(3):  # from the start, so that the first step does not build the figure again
                ax = live.fig.add_subplot(len(rows), 3, 3 * r + c + 1)
                ax.set_xlim(0, 1)
                ax.set_ylim(0, 1.05)
                ax.set_xticks([])
                ax.set_yticks([])
                ax.set_title((f"{layer.name} weights", "gradients", "update")[c], fontsize=FONT, loc="left")
                bars = live.animate(ax.stairs(np.zeros(1), [0.0, 1.0], fill=True,
                                              color=("#1565c0", "#ef6c00", "#6a1b9a")[c]))
                text = live.label(ax.text(0.02, 0.97, "", transform=ax.transAxes, fontsize=FONT, va="top",
                                          color="#333333"))  # over the bars, on a white box
                row_panels.append((bars, text))
            panels.append(row_panels)
        height = css_height(live.fig)
        live.fig.subplots_adjust(left=0.02, right=0.98, top=1 - 24 / height, bottom=10 / height, wspace=0.08,
                                 hspace=0.45)
        return {"live": live, "key": key, "panels": panels}


def _histogram(values, bins=30):
    """Counts and edges of the finite `values` in `bins` equal bins (one bin around the value when all
    are equal), and how many values are NaN or infinite (a diverged training has them).

    np.histogram's counts, from one pass of arithmetic and np.bincount (half its time on a layer's
    65,536 weights; nine histograms are drawn each frame): bin i holds edges[i] <= v < edges[i + 1],
    the last bin its right edge too."""
    low, high = float(values.min()), float(values.max())  # NaN when there is one, inf when there is one
    not_finite = 0
    if not (np.isfinite(low) and np.isfinite(high)):  # only then the pass that finds them
        finite = np.isfinite(values)
        not_finite = values.size - int(np.count_nonzero(finite))
        values = values[finite]
        if values.size == 0:
            return np.zeros(bins, dtype=np.intp), np.linspace(-0.5, 0.5, bins + 1), not_finite
        low, high = float(values.min()), float(values.max())
    if not high > low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    if high - low > float(np.finfo(values.dtype).max) / 2:  # values - low would overflow (3e38 - -1e38, float32)
        values = values.astype(np.float64)
    index = ((values - low) * (bins / (high - low))).astype(np.intp)
    np.minimum(index, bins - 1, out=index)  # the maximum, at the right edge, is in the last bin
    return np.bincount(index, minlength=bins), edges, not_finite


def thin_line(x, y, columns=500):
    """The points of a long line (x increasing) that draw the same picture `columns` pixels across:
    of each of `columns` runs of points, the first, the lowest, the highest and the last, in order.
    A fit of 40 epochs of 128 batches has 5,120 batch losses; drawing them all took most of a frame."""
    n = len(y)
    if n <= 4 * columns:
        return x, y
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    run = -(-n // columns)  # points in a run (the last run is padded with the last point)
    runs = np.concatenate([y, np.full(run * columns - n, y[-1])]).reshape(columns, run)
    first = np.arange(columns) * run
    index = np.concatenate([first, first + runs.argmin(axis=1), first + runs.argmax(axis=1), first + run - 1])
    index = np.unique(np.minimum(index, n - 1))
    return x[index], y[index]


def shapes_text(data):
    """The shape of an array, or of each array of a list or dict, as text."""
    if isinstance(data, dict):
        return ", ".join(f"{name}: {tuple(np.shape(v))}" for name, v in data.items())
    if isinstance(data, (list, tuple)):
        return ", ".join(str(tuple(np.shape(v))) for v in data)
    return str(tuple(np.shape(data)))
