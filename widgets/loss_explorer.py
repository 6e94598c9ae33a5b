"""LossExplorer: a loss and its gradient as functions of one prediction.

Pick a loss from `teachnet.losses`, a target and what the model outputs
(probabilities from a sigmoid/softmax, or raw logits), and see

- the loss as a function of the model's output, with a marker at a chosen
  prediction and its value;
- the gradient of the loss with respect to that output, computed with a
  `GradientTape` (what backpropagation sends into the last layer);
- what `from_logits` changes: when the flag matches the output, the curve is
  the right one (drawn solid); when it does not, the curve is what the loss
  really computes on your numbers (a probability taken for a logit, or a
  logit clipped into [1e-7, 1 - 1e-7] as if it were a probability), drawn
  next to the right one, with the difference explained.
"""
import html

import ipywidgets
import numpy as np
import traitlets

import teachnet as tn
from widgets.base import Bool, Enum, Float, Int, WidgetView, image_widget, row
from widgets.figures import FONT, TITLE, LiveFigure, new_figure, steady_limits

WIDTH, HEIGHT = 620, 460  # px; the text panel beside it takes the rest of a 1000 px notebook
CLASSES = 3               # categorical crossentropy: three classes, the target is class 0

LOSSES = {  # name shown -> (kind, formula)
    "binary crossentropy": ("binary", "-(y log p + (1 - y) log(1 - p)),  p = sigmoid(z) from logits"),
    "categorical crossentropy": ("categorical", "-sum_k y_k log p_k,  p = softmax(z) from logits"),
    "mean squared error": ("regression", "(y_pred - y)^2"),
    "mean absolute error": ("regression", "|y_pred - y|"),
    "Huber": ("regression", "e^2 / 2 if |e| <= delta else delta |e| - delta^2 / 2,  e = y_pred - y"),
}
RANGES = {"probabilities": (0.001, 0.999), "logits": (-8.0, 8.0), "regression": (-5.0, 5.0)}


def _sliding_limits(current, low, high, margin):
    """Axis limits for curves that slide and stretch as a slider moves (the target shifts them): the
    `steady_limits` of [low, high] at first; when the curves leave them or fill too little of them, new
    limits leave room to slide on (30% of the curves' range on each side) and also take in the old limits
    while the curves fill 30% of the whole. A drag then redraws the axes (the background) a few times, not
    at every step."""
    limits = steady_limits(current, low, high, margin=margin)
    if current is None or limits == current:
        return limits
    span = high - low
    roomy = (low - (margin + 0.3) * span, high + (margin + 0.3) * span)
    both = (min(current[0], roomy[0]), max(current[1], roomy[1]))
    return both if span >= 0.3 * (both[1] - both[0]) else roomy


class LossExplorer(WidgetView):
    """A loss from `teachnet.losses` and its gradient, as functions of the model's output.

    Args:
        **kwargs: initial values of the traits below, e.g.
            `LossExplorer(loss="binary crossentropy", outputs="logits", from_logits=False)`.

    Example:
        >>> explorer = LossExplorer(loss="binary crossentropy", outputs="logits")
        >>> explorer                          # then toggle from_logits and watch the curve
        >>> explorer.loss_and_gradient([2.0]) # (loss values, gradients) at a logit of 2
    """

    loss = Enum(list(LOSSES), "binary crossentropy", help="The teachnet loss shown.")
    outputs = Enum(["probabilities", "logits"], "probabilities",
                             help="What the model's last layer outputs: probabilities (sigmoid/softmax) or "
                                  "logits (no activation). Classification losses only.")
    from_logits = Bool(False, help="The loss's from_logits argument.")
    target = Float(1.0, help="The true value y: a label in [0, 1] for binary crossentropy (the target "
                                       "of categorical crossentropy is class 0), any number in [-3, 3] for "
                                       "regression losses.")
    prediction = Float(0.7, help="The model output marked on the curves.")
    delta = Float(1.0, help="Huber's delta: where the quadratic part becomes linear.")
    redraws = Int(0, help="How many times the picture was redrawn.")

    def __init__(self, **kwargs):
        super().__init__()
        self._ready = False
        self._figure = None  # the picture, built once and updated in place (another loss too)
        self.set_traits_from(kwargs, ["loss", "outputs", "from_logits", "target", "prediction", "delta"])
        self._build_controls()
        # the explanation goes under the picture when the notebook is narrower than both
        self.children = [self.error_banner, self.controls, row([self.image, self.explanation])]
        self._ready = True
        self._configure_controls()
        self.redraw()

    # -- what is plotted ------------------------------------------------------------------------
    @property
    def kind(self):
        """"binary", "categorical" or "regression"."""
        return LOSSES[self.loss][0]

    @property
    def axis(self):
        """What the x axis holds: "probabilities", "logits" or "regression"."""
        return "regression" if self.kind == "regression" else self.outputs

    @property
    def matched(self):
        """Whether from_logits agrees with what the model outputs (always true for regression losses)."""
        return self.kind == "regression" or self.from_logits == (self.outputs == "logits")

    def _batch(self, outputs):
        """y_true and y_pred for one sample per output value: (n, 1) for binary and regression losses;
        (n, 3) for categorical, the output being class 0's score, the other two classes sharing the rest
        (probabilities) or scoring 0 (logits)."""
        s = outputs.reshape(-1, 1)                                        # (n, 1)
        if self.kind != "categorical":
            return np.full_like(s, self.target), s
        if self.outputs == "probabilities":
            rest = (1.0 - s) / (CLASSES - 1)
        else:
            rest = np.zeros_like(s)
        y_pred = np.concatenate([s] + [rest] * (CLASSES - 1), axis=1)     # (n, 3)
        y_true = np.zeros_like(y_pred)
        y_true[:, 0] = 1.0
        return y_true, y_pred

    def _loss_fn(self, from_logits):
        if self.loss == "binary crossentropy":
            return lambda y, p: tn.losses.binary_crossentropy(y, p, from_logits=from_logits)
        if self.loss == "categorical crossentropy":
            return lambda y, p: tn.losses.categorical_crossentropy(y, p, from_logits=from_logits)
        if self.loss == "mean squared error":
            return tn.losses.mean_squared_error
        if self.loss == "mean absolute error":
            return tn.losses.mean_absolute_error
        return lambda y, p: tn.losses.huber(y, p, delta=self.delta)

    def loss_and_gradient(self, outputs, from_logits=None):
        """The per-sample loss and d(loss)/d(output) at each output value, with the GradientTape.

        Args:
            outputs: model outputs (the x axis), array-like of shape (n,).
            from_logits: the flag passed to the loss; defaults to the `from_logits` trait.

        Returns:
            `(loss, gradient)`, float64 arrays of shape (n,).
        """
        from_logits = self.from_logits if from_logits is None else from_logits
        y_true, y_pred = self._batch(np.asarray(outputs, dtype="float64"))
        scores = tn.ops.convert_to_tensor(y_pred)
        with tn.GradientTape() as tape:
            tape.watch(scores)
            loss = self._loss_fn(from_logits)(y_true, scores)            # (n,): one sample per output
            total = tn.ops.sum(loss)  # samples are independent: d total / d output_i = d loss_i / d output_i
        gradient = tape.gradient(total, scores).numpy()                  # (n, 1) or (n, 3)
        if self.kind == "categorical" and self.outputs == "probabilities":
            # the other two probabilities move with class 0's: d rest / d s = -1/2 each
            gradient = gradient[:, :1] - gradient[:, 1:].sum(axis=1, keepdims=True) / (CLASSES - 1)
        return loss.numpy().astype("float64"), gradient[:, 0].astype("float64")

    # -- checks ---------------------------------------------------------------------------------
    @traitlets.validate("target")
    def _valid_target(self, proposal):
        low, high = (0.0, 1.0) if self.kind != "regression" else (-3.0, 3.0)
        return self.require(proposal, low <= proposal.value <= high, f"in [{low}, {high}] for {self.loss}")

    @traitlets.validate("prediction")
    def _valid_prediction(self, proposal):
        low, high = RANGES[self.axis]
        return self.require(proposal, low <= proposal.value <= high, f"in [{low}, {high}] when the x axis holds "
                                                                     f"{self.axis}")

    @traitlets.validate("delta")
    def _valid_delta(self, proposal):
        return self.require(proposal, proposal.value > 0, "> 0 (Huber's threshold)")

    # -- controls -------------------------------------------------------------------------------
    def _build_controls(self):
        wide = {"description_width": "initial"}
        self.loss_control = ipywidgets.Dropdown(options=list(LOSSES), value=self.loss, description="loss",
                                                style=wide, layout=ipywidgets.Layout(width="260px"))
        self.outputs_control = ipywidgets.ToggleButtons(options=["probabilities", "logits"], value=self.outputs,
                                                        description="model outputs", style=wide)
        self.from_logits_control = ipywidgets.Checkbox(value=self.from_logits, description="from_logits",
                                                       style=wide, layout=ipywidgets.Layout(width="150px"))
        self.target_control = ipywidgets.FloatSlider(value=self.target, min=0, max=1, step=0.05,
                                                     description="target y", style=wide,
                                                     layout=ipywidgets.Layout(width="300px"))
        self.prediction_control = ipywidgets.FloatSlider(value=self.prediction, min=0.001, max=0.999, step=0.001,
                                                         description="prediction", style=wide,
                                                         layout=ipywidgets.Layout(width="360px"))
        self.delta_control = ipywidgets.FloatSlider(value=self.delta, min=0.1, max=3, step=0.1,
                                                    description="Huber delta", style=wide,
                                                    layout=ipywidgets.Layout(width="260px"))
        pairs = [(self.loss_control, "loss"), (self.outputs_control, "outputs"),
                 (self.from_logits_control, "from_logits"), (self.target_control, "target"),
                 (self.prediction_control, "prediction"), (self.delta_control, "delta")]
        for control, name in pairs:
            control.observe(self.guarded(lambda c, name=name: setattr(self, name, c["new"])), names="value")
        self.image = image_widget(WIDTH)
        self.explanation = ipywidgets.HTML(layout=ipywidgets.Layout(width="350px"))
        self.controls = ipywidgets.VBox([
            row([self.loss_control, self.outputs_control, self.from_logits_control]),
            row([self.target_control, self.prediction_control, self.delta_control])])

    @traitlets.observe("loss", "outputs", "from_logits", "target", "prediction", "delta")
    def _on_change(self, change):
        """Any change: a new x axis moves the prediction to a sensible place of it; then the controls
        follow the traits and the picture is redrawn (once, whatever the values set on the way)."""
        if not self._ready:
            return
        self._ready = False
        try:
            if change["name"] in ("loss", "outputs"):
                if self.kind == "regression":
                    self.target = self.target if -3 <= self.target <= 3 else 1.0
                    self.prediction = 2.0
                else:
                    self.target = self.target if 0 <= self.target <= 1 else 1.0
                    self.prediction = 0.7 if self.axis == "probabilities" else 1.0
            self._configure_controls()
        finally:
            self._ready = True
        self.redraw()

    def _configure_controls(self):
        regression = self.kind == "regression"
        low, high = RANGES[self.axis]
        # widen first so that the new value always fits, then narrow to the range
        self.prediction_control.min, self.prediction_control.max = min(low, self.prediction_control.min), max(
            high, self.prediction_control.max)
        self.prediction_control.value = self.prediction
        self.prediction_control.min, self.prediction_control.max = low, high
        self.prediction_control.step = 0.001 if self.axis == "probabilities" else 0.05
        self.target_control.min, self.target_control.max = -3.0, 3.0
        self.target_control.value = self.target
        self.target_control.min, self.target_control.max = (-3.0, 3.0) if regression else (0.0, 1.0)
        self.outputs_control.value, self.from_logits_control.value = self.outputs, self.from_logits
        self.loss_control.value, self.delta_control.value = self.loss, self.delta
        self.target_control.layout.display = "none" if self.kind == "categorical" else None
        self.delta_control.layout.display = None if self.loss == "Huber" else "none"
        self.outputs_control.layout.display = "none" if regression else None
        self.from_logits_control.layout.display = "none" if regression else None

    # -- drawing --------------------------------------------------------------------------------
    def redraw(self):
        """Draws the curves and writes the explanation now."""
        self.image.value = self.draw()
        self.explanation.value = self.explain()
        self.redraws += 1

    def curve_points(self):
        """The x values of the curves: 400 points across the axis (never exactly 0, where a logit
        taken for a probability would divide 0 by 0)."""
        low, high = RANGES[self.axis]
        return np.linspace(low, high, 400)

    def draw(self):
        """Loss (top) and gradient (bottom) against the model's output.

        One figure for every setting: the loss, the outputs and from_logits choose which curves are shown,
        their style and labels, the titles and the x axis (`_show_curves`). The target and delta move the
        curves in place and the prediction moves the markers: the curves, markers and legend are drawn
        every frame over the axes, which are drawn again only when the curves need new y limits (kept while
        the curves still fill them well) or another setting is shown (its opening background is kept)."""
        if self._figure is None:
            self._figure = self._build_figure()
        f = self._figure
        key = (self.loss, self.outputs, self.from_logits)
        if f["key"] != key:
            self._show_curves(f, key)
        opening = f["top_limits"] is None  # the setting's first frame
        x = f["x"]
        curves = [self.loss_and_gradient(x)]                                  # [(loss (400,), gradient (400,))]
        if not self.matched:  # what the matching flag would give
            curves.append(self.loss_and_gradient(x, from_logits=not self.from_logits))
        for (loss, gradient), loss_line, gradient_line in zip(curves, f["loss_lines"], f["gradient_lines"]):
            loss_line.set_ydata(loss)
            gradient_line.set_ydata(gradient)
        if f["target_line"] is not None:
            f["target_line"].set_xdata([self.target, self.target])
            f["target_label"].set_text(f"target y = {self.target:g}")
        at_loss, at_gradient = self.loss_and_gradient([self.prediction])
        f["loss_marker"].set_data([self.prediction], at_loss)
        f["gradient_marker"].set_data([self.prediction], at_gradient)
        losses = np.concatenate([loss for loss, _ in curves])
        f["top_limits"] = _sliding_limits(f["top_limits"], losses.min(), losses.max(), margin=0.05)
        gradients = np.concatenate([gradient for _, gradient in curves])
        low, high = np.percentile(gradients, [3, 97])  # near p = 0 crossentropy's slope runs off to -1e7
        margin = 0.15 * max(high - low, 1e-3)
        f["bottom_limits"] = _sliding_limits(f["bottom_limits"], min(low, 0.0) - margin, max(high, 0.0) + margin,
                                             margin=0.0)
        f["top"].set_ylim(*f["top_limits"])
        f["bottom"].set_ylim(*f["bottom_limits"])
        # the background a setting opens with is kept: going back to a loss pastes it instead of drawing the axes
        return f["live"].png(key=(key, f["top_limits"], f["bottom_limits"]), keep=opening)

    def _build_figure(self):
        """The figure for any setting: both axes, two curves on each (the flag's and, dashed, the matching
        flag's when they differ), the markers, the target line and the titles' places."""
        live = LiveFigure(new_figure(WIDTH, HEIGHT))
        fig = live.fig
        top = fig.add_axes([0.11, 0.55, 0.85, 0.38])
        bottom = fig.add_axes([0.11, 0.09, 0.85, 0.34], sharex=top)
        loss_lines = [live.animate(top.plot([], [], linewidth=2)[0]),
                      live.animate(top.plot([], [], color="#1f77b4", linestyle="--")[0])]
        gradient_lines = [live.animate(bottom.plot([], [], linewidth=2)[0]),
                          live.animate(bottom.plot([], [], color="#1f77b4", linestyle="--")[0])]
        loss_marker = live.animate(top.plot([], [], "o", color="black")[0])
        gradient_marker = live.animate(bottom.plot([], [], "o", color="black")[0])
        target_line = live.animate(top.axvline(0.0, color="#2ca02c", linewidth=1, linestyle=":", label="target y"))
        live.animate(bottom.axhline(0, color="#999999", linewidth=0.8))  # over the curves, as before
        # the titles stay where they are (matplotlib would otherwise look for room above the axes at every draw)
        top.set_title("", fontsize=TITLE, y=1.0)
        bottom.set_title("gradient d loss / d output (from the GradientTape)", fontsize=TITLE, y=1.0)
        for ax in (top, bottom):
            ax.tick_params(labelsize=FONT)
            ax.grid(alpha=0.3)
        return {"live": live, "key": None, "top": top, "bottom": bottom, "lines": (loss_lines, gradient_lines),
                "loss_marker": loss_marker, "gradient_marker": gradient_marker, "target": target_line,
                "legend": None}

    def _show_curves(self, f, key):
        """Shows the curves of the setting `key` = (loss, outputs, from_logits) in the figure `f`: the
        flag's curve (blue when it matches the outputs, red when not), the matching flag's (dashed, on a
        mismatch), the target line where the x axis holds predictions of it, the x axis and the titles."""
        loss_lines, gradient_lines = f["lines"]
        x = self.curve_points()
        shown = 1 if self.matched else 2
        for lines in (loss_lines, gradient_lines):
            lines[0].set_color("#1f77b4" if self.matched else "#d62728")
            for i, line in enumerate(lines):
                # a hidden curve has no points: the legend's "best" place avoids every line of the axes, shown or not
                line.set_data((x, np.zeros_like(x)) if i < shown else ([], []))
                line.set_visible(i < shown)
        loss_lines[0].set_label(f"from_logits={self.from_logits}" if self.kind != "regression" else self.loss)
        loss_lines[1].set_label(f"from_logits={not self.from_logits} (matches the outputs)")
        has_target = self.kind != "categorical" and self.axis != "logits"
        f["target"].set_data(([self.target] * 2, [0, 1]) if has_target else ([], []))  # y in axes fractions
        f["target"].set_visible(has_target)
        low, high = RANGES[self.axis]
        f["top"].set_xlim(low - 0.05 * (high - low), high + 0.05 * (high - low))  # as autoscaling would
        name = {"probabilities": "model output p (a probability)", "logits": "model output z (a logit)",
                "regression": "prediction y_pred"}[self.axis]
        if self.kind == "categorical":
            name += " of the target class (of 3)"
        f["bottom"].set_xlabel(name, fontsize=FONT)
        f["top"].set_title(f"{self.loss}: loss", fontsize=TITLE, y=1.0)
        # a legend of the curves shown: it finds its best place among them every frame (they move with the target)
        if f["legend"] is not None:
            f["live"].forget(f["legend"])
            f["legend"].remove()
        handles = loss_lines[:shown] + ([f["target"]] if has_target else [])
        f["legend"] = f["live"].animate(f["top"].legend(handles=handles, fontsize=FONT, loc="best"))
        f.update(key=key, x=x, loss_lines=loss_lines[:shown], gradient_lines=gradient_lines[:shown],
                 target_line=f["target"] if has_target else None,
                 target_label=f["legend"].get_texts()[-1] if has_target else None, top_limits=None,
                 bottom_limits=None)

    def explain(self):
        """The text beside the picture: formula, values at the marker, and what from_logits does."""
        kind, formula = LOSSES[self.loss]
        loss, gradient = self.loss_and_gradient([self.prediction])
        lines = [f"<b>{html.escape(self.loss)}</b>", f"<code>{html.escape(formula)}</code>",
                 f"at output {self.prediction:g}: loss = <b>{loss[0]:.4g}</b>, gradient = <b>{gradient[0]:.4g}</b>"]
        if kind == "regression":
            lines.append("Regression losses compare values directly: there are no logits and no from_logits.")
        elif self.matched:
            what = "logits" if self.outputs == "logits" else "probabilities"
            lines.append(f"from_logits={self.from_logits} matches a model that outputs {what}: this is the "
                         "right curve.")
            if self.outputs == "logits":
                lines.append("From logits the loss applies the sigmoid/softmax itself, in a stable way: the "
                             "gradient with respect to the logit is simply p - y, never vanishing while wrong.")
        elif self.outputs == "logits":
            lines.append("<b style='color:#b71c1c'>Mismatch:</b> logits passed to a loss with "
                         "from_logits=False are taken for probabilities: clipped into [1e-7, 1 - 1e-7]"
                         + (" (and divided by their sum)" if kind == "categorical" else "") +
                         ". Outside (0, 1) the loss is flat and its gradient is 0: the model stops learning.")
        else:
            lines.append("<b style='color:#b71c1c'>Mismatch:</b> probabilities passed to a loss with "
                         "from_logits=True are taken for logits: the loss applies a sigmoid/softmax again, "
                         "so p = 1 counts as only sigmoid(1) = 0.73 and the loss never reaches 0.")
        return "<div style='font-size:12px;line-height:1.4'>" + "<br><br>".join(lines) + "</div>"

    def static_png(self):
        return bytes(self.image.value)
