"""CompileExplorer: pick the loss, the optimizer, its learning rate and the metrics; watch a short fit. (lesson 07)

Every run (Play, next to "fit") builds a fresh model with the same seed (so only the settings differ
between runs), compiles it with the chosen settings, shows the `compile(...)` call it made, and trains it
one epoch per tick of Play.
The curves show the loss and every metric per epoch, training and validation, with the last runs' validation
loss drawn thin for comparison; `History`'s keys are listed as `fit` returns them. A loss that does not fit
the labels (categorical crossentropy on integer labels) fails as `compile`/`fit` would, in the red banner.
"""
import ipywidgets
import numpy as np
import traitlets

from widgets.base import LiveTrainer, image_widget
from widgets.figures import LiveFigure, new_figure, steady_limits

LOSSES = ["sparse_categorical_crossentropy", "categorical_crossentropy", "mse"]
OPTIMIZERS = {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam", "adagrad": "Adagrad"}
METRICS = ["accuracy", "sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy"]
RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
RUNS_KEPT = 4  # earlier runs drawn for comparison


class CompileExplorer(LiveTrainer):
    """Try compile's settings on a fresh model and watch the fit they give.

    Args:
        make_model: a function with no arguments returning a new, uncompiled teachnet model.
        x, y: training data.
        validation_data: `(x_val, y_val)`, evaluated after each epoch.
        epochs: epochs per run (Play stops there).
        batch_size: samples per batch.
        seed: the seed set before each `make_model()`, so runs start from the same weights.

    Example:
        >>> explorer = CompileExplorer(make_model, x_train, y_train, validation_data=(x_val, y_val))
        >>> explorer                 # pick settings, then press Play ("fit")
        >>> explorer.optimizer = "sgd"; explorer.run()   # the same from code
    """

    loss = traitlets.Unicode(LOSSES[0], help="The loss, as the string passed to compile.")
    optimizer = traitlets.Enum(list(OPTIMIZERS), "rmsprop", help="The optimizer's name.")
    learning_rate = traitlets.Float(0.001, help="The optimizer's learning rate.")
    metrics = traitlets.List(traitlets.Unicode(), ["accuracy"], help="The metrics, as strings.")

    def __init__(self, make_model, x, y, validation_data=None, epochs=8, batch_size=64, seed=0):
        super().__init__(interval_ms=100, description="fit")
        if not callable(make_model):
            raise TypeError(f"CompileExplorer expects `make_model`, a function that returns a new model. "
                            f"Received: make_model={make_model!r}")
        if len(x) != len(y):
            raise ValueError(f"CompileExplorer: `x` and `y` must hold the same number of samples. "
                             f"Received: {len(x)} and {len(y)}")
        self.make_model, self.x, self.y = make_model, x, y
        self.validation_data, self.batch_size, self.seed = validation_data, batch_size, seed
        self.max_steps = epochs
        self.model, self.history, self.runs = None, {}, []
        self._build_controls()
        self.code_text = ipywidgets.HTML()
        self.keys_text = ipywidgets.HTML()
        self.image = image_widget(860)
        self.children = [self.error_banner, self.controls, self.code_text, self.image, self.keys_text]
        self._show_code()
        self.redraw()

    def _build_controls(self):
        style = {"description_width": "initial"}
        self.loss_dropdown = ipywidgets.Dropdown(options=LOSSES, value=self.loss, description="loss", style=style)
        self.optimizer_dropdown = ipywidgets.Dropdown(options=list(OPTIMIZERS), value=self.optimizer,
                                                      description="optimizer", style=style,
                                                      layout=ipywidgets.Layout(width="180px"))
        # a selection slider of round rates: a log slider would snap 0.003 to 10**-2.5 in the browser
        self.lr_slider = ipywidgets.SelectionSlider(options=RATES, value=self.learning_rate,
                                                    description="learning rate", style=style)
        self.metrics_select = ipywidgets.SelectMultiple(options=METRICS, value=tuple(self.metrics),
                                                        description="metrics", rows=3, style=style,
                                                        layout=ipywidgets.Layout(width="360px"))
        for control, name in [(self.loss_dropdown, "loss"), (self.optimizer_dropdown, "optimizer"),
                              (self.lr_slider, "learning_rate"), (self.metrics_select, "metrics")]:
            self.bind(control, name)
        self.controls = ipywidgets.VBox([
            ipywidgets.HBox([self.loss_dropdown, self.optimizer_dropdown, self.lr_slider]),
            ipywidgets.HBox([self.metrics_select, self.buttons])])

    @traitlets.validate("learning_rate")
    def _valid_learning_rate(self, proposal):
        return self.require(proposal, proposal.value > 0, "> 0")

    @traitlets.observe("loss", "optimizer", "learning_rate", "metrics")
    def _settings_changed(self, change):
        self._show_code()

    def compile_code(self):
        """The compile call the next run makes, as Python source."""
        return (f"model.compile(optimizer=tn.optimizers.{OPTIMIZERS[self.optimizer]}(learning_rate="
                f"{self.learning_rate:.3g}),\n              loss=\"{self.loss}\", metrics={list(self.metrics)})")

    def _show_code(self):
        self.code_text.value = f"<pre style='margin:2px 0'>{self.compile_code()}</pre>"

    def label(self):
        return f"{self.optimizer} lr={self.learning_rate:.3g}, {self.loss}"

    # -- training ------------------------------------------------------------------------------------------
    def start(self):
        """A fresh model (same seed every time) compiled with the current settings; the last run is kept."""
        import teachnet as tn
        if self.history.get("loss"):
            self.runs = (self.runs + [(self._run_label, self.history)])[-RUNS_KEPT:]
        tn.utils.set_random_seed(self.seed)
        model = self.make_model()
        optimizer = getattr(tn.optimizers, OPTIMIZERS[self.optimizer])(learning_rate=self.learning_rate)
        model.compile(optimizer=optimizer, loss=self.loss, metrics=list(self.metrics))
        self.model, self.history, self.step, self._run_label = model, {}, 0, self.label()
        self._run_code = self.compile_code()

    def advance(self, steps):
        """Trains `steps` more epochs (at most up to `max_steps` epochs in the run). With no run yet, a
        finished run, or settings changed since the run started, a fresh run starts first."""
        if self.model is None or self.step >= self.max_steps or self._run_code != self.compile_code():
            self.start()
        for _ in range(min(steps, self.max_steps - self.step)):
            result = self.model.fit(self.x, self.y, epochs=1, batch_size=self.batch_size, verbose=0,
                                    validation_data=self.validation_data)
            for name, values in result.history.items():
                self.history.setdefault(name, []).extend(values)
            self.step += 1

    def run(self):
        """A whole run at once (start, every epoch, redraw): Play without the animation."""
        self.start()
        self.advance(self.max_steps)
        self.redraw()
        return self.history

    # -- drawing -------------------------------------------------------------------------------------------
    def redraw(self):
        super().redraw()
        keys = sorted(self.history)
        self.keys_text.value = (f"<code>sorted(history.history)</code> = <code>{keys}</code>" if keys else
                           "Press Play (<b>fit</b>): a fresh model, compiled as above, trains for "
                           f"{self.max_steps} epochs.")

    def draw(self):
        """The curves as PNG bytes. The figure (panels, titles, the earlier runs' curves, legends) is built
        when the panels or the earlier runs change; each epoch only moves the current run's lines over it,
        so a frame costs a fraction of a full draw and Pause is answered within a frame."""
        names = sorted((n for n in self.history if not n.startswith("val_")), key=lambda n: n != "loss") or ["loss"]
        self._build_figure(names)
        key = []
        for name, (ax, training, validation) in self._panels.items():
            values, checked = self.history.get(name, []), self.history.get(f"val_{name}", [])
            training.set_data(np.arange(1, len(values) + 1), values)
            validation.set_data(np.arange(1, len(checked) + 1), checked)
            shown = [v for v in values + checked if np.isfinite(v)]
            if name == "loss":
                shown += [v for _, history in self.runs for v in history.get("val_loss", history["loss"])
                          if np.isfinite(v)]
            limits = steady_limits(ax.get_ylim() if self._limits_set else None, min(shown, default=0.0),
                                   max(shown, default=1.0))
            ax.set_ylim(limits)
            key.append(tuple(limits))
        self._limits_set = True
        return self._live.png(key=tuple(key))

    def _build_figure(self, names):
        """Builds the figure for these panels (once per set of panels and earlier runs)."""
        layout = (tuple(names), tuple(label for label, _ in self.runs))
        if getattr(self, "_layout", None) == layout:
            return
        self._layout, self._limits_set, self._panels = layout, False, {}
        fig = new_figure(860, 250)
        self._live = LiveFigure(fig)
        for ax, name in zip(np.atleast_1d(fig.subplots(1, len(names))), names):
            if name == "loss":
                for i, (label, history) in enumerate(self.runs):
                    values = history.get("val_loss", history["loss"])
                    ax.plot(range(1, len(values) + 1), values, lw=1, alpha=0.5, color=f"C{i + 2}",
                            label=f"earlier: {label}")
            training = self._live.animate(ax.plot([], [], "o-", color="C0", label="training")[0])
            validation = self._live.animate(ax.plot([], [], "s-", color="C1", label="validation")[0])
            if self.validation_data is None:
                validation.set_label("_nolegend_")
            ax.set_title(name, fontsize=9)
            ax.set_xlabel("epoch", fontsize=8)
            ax.set_xlim(0.5, self.max_steps + 0.5)
            ax.tick_params(labelsize=8)
            # an opaque legend kept as pixels over the moving lines
            self._live.pin(ax.legend(fontsize=6, framealpha=1, fancybox=False))
            self._panels[name] = (ax, training, validation)
        fig.tight_layout()
