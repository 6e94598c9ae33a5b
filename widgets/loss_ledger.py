"""LossLedger: the one number the optimizer minimizes, taken apart.

A model with several outputs has one loss per output ("head"); compile's
`loss_weights` say how much each counts, and regularization adds its terms:

    total = sum_i loss_weight_i * loss_i  +  regularization

Keras's default weight is 1: the heads' losses are summed, not averaged.
Averaging is the special case of weights 1/n. The ledger draws the total as
a stacked bar of its terms (per batch, as a fit callback), next to the sum
and the average of the same head losses, and the terms' history as a stack.
"""
import time

import numpy as np
import traitlets

from teachnet.callbacks import Callback
from widgets.base import Float, Int, Throttle, WidgetView, image_widget
from widgets.figures import FONT, figure_to_png, new_figure

COLORS = ["#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a", "#c62828", "#00838f"]
REGULARIZATION_COLOR = "#9e9e9e"


class LossLedger(WidgetView, Callback):
    """A live stacked bar of the total loss: each head's weighted loss and the
    regularization terms, updated after every batch of `fit`.

    Args:
        model: a teachnet model (with one or several outputs), compiled
            before training.

    Example:
        >>> ledger = LossLedger(model)
        >>> ledger
        >>> model.fit(x, y, epochs=5, callbacks=[ledger])
    """

    redraw_interval = Float(0.5, help="The shortest time between two redraws, in seconds.")
    max_draw_share = Float(0.05, help="The largest share of training time spent drawing.")
    redraws = Int(0, help="How many times the picture was redrawn.")
    batches = Int(0, help="Training batches seen.")

    wants_step_details = True  # fit fills model.last_step after each batch

    def __init__(self, model):
        WidgetView.__init__(self)
        Callback.__init__(self)
        from teachnet.models import Model
        if not isinstance(model, Model):
            raise TypeError(f"LossLedger expects a teachnet Model. Received: model={model!r} "
                            f"of type {type(model).__name__}")
        self.set_model(model)
        self.terms = []    # the last batch: (label, weight, unweighted loss) per head, then regularization
        self.total = None  # the last batch's total loss, as fit computed it
        self.history = []  # per batch: the weighted terms, in the order of `terms`
        self._throttle = Throttle(self.redraw_interval, self.max_draw_share)
        self.image = image_widget(980)
        self.children = [self.error_banner, self.image]
        self._maybe_redraw(force=True)

    @traitlets.validate("max_draw_share")
    def _valid_max_draw_share(self, proposal):
        return self.require(proposal, 0 < proposal.value <= 1, "in (0, 1], a fraction of the time")

    # -- the numbers ----------------------------------------------------------------------
    def ledger_terms(self, step):
        """[(label, weight, unweighted loss)] of a StepRecord: the heads, then regularization."""
        names = list(getattr(self.model, "output_names", None) or [])
        weights = list(step.loss_weights or [])
        regularization = step.losses.get("regularization", 0.0)
        heads = [(name, weights[i] if i < len(weights) and weights[i] is not None else 1.0,
                  step.losses[f"{name}_loss"]) for i, name in enumerate(names) if f"{name}_loss" in step.losses]
        if not heads:  # one output: its loss is what is left of the total
            weight = weights[0] if weights and weights[0] is not None else 1.0
            heads = [(names[0] if names else "loss", weight, (step.loss - regularization) / weight)]
        return heads + ([("regularization", 1.0, regularization)] if "regularization" in step.losses else [])

    @property
    def is_average(self):
        """Whether the heads' weights are all 1/n: then the model minimizes their average."""
        heads = [t for t in self.terms if t[0] != "regularization"]
        return len(heads) > 1 and all(np.isclose(w, 1 / len(heads)) for _, w, _ in heads)

    # -- the callback hooks -------------------------------------------------------------
    def on_train_begin(self, logs=None):
        if not self.model.compiled:
            raise ValueError(f'LossLedger: model "{self.model.name}" is not compiled: call '
                             "model.compile(optimizer=..., loss=...) first.")
        self._throttle.restart()  # the picture is current: the first redraw can wait an interval

    def on_train_batch_end(self, batch, logs=None):
        step = self.model.last_step
        self.terms = self.ledger_terms(step)
        self.total = step.loss
        self.history.append([w * value for _, w, value in self.terms])
        self.batches += 1
        self._maybe_redraw()

    def on_train_end(self, logs=None):
        self._maybe_redraw(force=True)

    def _maybe_redraw(self, force=False):
        self._throttle.interval, self._throttle.share = self.redraw_interval, self.max_draw_share
        if self._throttle.ready(force):
            start = time.perf_counter()
            self.guarded(self._redraw)()  # a drawing error shows in the banner; training goes on
            self._throttle.spend(time.perf_counter() - start)

    def _redraw(self):
        self.image.value = self.draw()
        self.redraws += 1

    # -- drawing --------------------------------------------------------------------------
    @staticmethod
    def _fit_texts(fig, bars, texts, ends):
        """Keeps each term's text inside its bar only where the bar is wide enough to hold it. A row with a
        bar too narrow gets all its terms written after its end instead, where the axes leave room."""
        renderer = fig.canvas.get_renderer()
        right = bars.get_window_extent(renderer).x1
        for y, (row, end) in enumerate(zip(texts, ends)):
            narrow = []
            for text, left, width in row:
                start, stop = bars.transData.transform([(left, 0), (left + width, 0)])[:, 0]
                narrow.append(text.get_window_extent(renderer).width > 0.9 * (stop - start))
            if not any(narrow):
                continue
            terms = " + ".join(text.get_text() for text, _, _ in row)
            after = bars.annotate(f"= {terms}", (end, y), xytext=(4, 0), textcoords="offset points",
                                  ha="left", va="center", fontsize=FONT)
            fits_after = after.get_window_extent(renderer).x1 <= right
            if not fits_after:
                after.remove()
            for (text, _, _), too_narrow in zip(row, narrow):
                if fits_after or too_narrow:
                    text.remove()

    def draw(self):
        """The ledger as PNG bytes: stacked bars of the last batch, and the terms over batches."""
        fig = new_figure(980, 300)
        bars = fig.add_axes((0.2, 0.2, 0.45, 0.62))
        trace = fig.add_axes((0.72, 0.2, 0.26, 0.62))
        if not self.terms:
            fig.text(0.5, 0.5, "Train with model.fit(..., callbacks=[ledger]) to fill the ledger.",
                     ha="center", va="center", fontsize=10)
            bars.axis("off")
            trace.axis("off")
            return figure_to_png(fig)
        heads = [t for t in self.terms if t[0] != "regularization"]
        n = len(heads)
        rows = [("total: what the\noptimizer minimizes", [(label, w) for label, w, _ in self.terms]),
                ("sum of the head losses\n(weights 1)", [(label, 1.0) for label, _, _ in heads]),
                (f"average of the head\nlosses (weights 1/{n})", [(label, 1 / n) for label, _, _ in heads])]
        losses = {label: value for label, _, value in self.terms}
        texts, ends = [], []  # per row: [(a term's text, its bar's left end and width)], where the row ends
        for y, (title, row) in enumerate(reversed(rows)):
            left, texts_of_row = 0.0, []
            for k, (label, weight) in enumerate(row):
                width = weight * losses[label]
                color = REGULARIZATION_COLOR if label == "regularization" else COLORS[k % len(COLORS)]
                bars.barh(y, width, left=left, color=color, edgecolor="white", height=0.6,
                          label=label if y == len(rows) - 1 else None)
                texts_of_row.append((bars.text(left + width / 2, y, f"{weight:.3g} × {losses[label]:.3g}",
                                               ha="center", va="center", fontsize=FONT, color="white"), left, width))
                left += width
            texts.append(texts_of_row)
            ends.append(left)
        bars.axvline(self.total, color="black", linestyle="--", linewidth=1)
        self._fit_texts(fig, bars, texts, ends)
        bars.set_yticks(range(len(rows)), [title for title, _ in reversed(rows)], fontsize=8)
        bars.tick_params(axis="x", labelsize=FONT)
        bars.legend(fontsize=FONT, loc="upper center", bbox_to_anchor=(0.5, 1.22), ncol=min(len(self.terms), 5),
                    frameon=False)
        note = ("the weights are 1/n: this model minimizes the AVERAGE of its heads' losses" if self.is_average
                else "averaging = weights 1/n: it is the sum of (1/n) × loss")
        bars.set_xlabel(f"batch {self.batches}: total = {self.total:.4g} (dashed line); {note}", fontsize=8)
        history = np.array(self.history)  # (batches, terms)
        colors = [REGULARIZATION_COLOR if label == "regularization" else COLORS[k % len(COLORS)]
                  for k, (label, _, _) in enumerate(self.terms)]
        trace.stackplot(np.arange(1, len(history) + 1), history.T, colors=colors)
        trace.set_title("weighted terms per batch", fontsize=8)
        trace.set_xlabel("batch", fontsize=8)
        trace.tick_params(labelsize=FONT)
        return figure_to_png(fig)
