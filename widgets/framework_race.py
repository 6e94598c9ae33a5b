"""FrameworkRace: the same model trained in teachnet and in Keras, batch by batch, curves drawn together. (lesson 06)

`build(lib)` builds and compiles one model from a library module (`teachnet` or `keras`); the race builds it
twice, copies Keras's initial weights into teachnet's model, and trains both on the same batches in the same
order. The left picture draws both losses per batch (they lie on top of each other); the right one the
largest difference between the two sets of weights, on a log scale, so float32 rounding shows as what it is.
Without Keras the race trains teachnet alone and says so: nothing is drawn that did not run.
"""
import html

import ipywidgets
import numpy as np
import traitlets

from widgets.base import LiveTrainer, image_widget
from widgets.figures import figure_to_png, new_figure


def _batch_loss(model, x, y):
    """One training step on (x, y), returning that batch's loss (metrics reset first: no running mean)."""
    model.reset_metrics()
    logs = model.train_on_batch(x, y, return_dict=True)
    return float(np.asarray(logs["loss"]))


class FrameworkRace(LiveTrainer):
    """teachnet and Keras train the same model on the same batches; their losses are drawn together, live.

    Args:
        build: a function `build(lib)` returning a compiled model made with `lib` (`teachnet` or `keras`).
        x, y: the training data, cut into batches in order (no shuffling: both see the same batches).
        keras: the imported `keras` module, or None when Keras is not installed (teachnet then trains alone).
        batch_size: samples per batch.
        seed: the seed set in both libraries before building.

    Example:
        >>> race = FrameworkRace(build, x, y, keras=keras)
        >>> race                                  # Play, or Step
        >>> race.advance(50); race.redraw()       # the same from code
    """

    largest_gap = traitlets.Float(0.0, help="The largest |teachnet weight - Keras weight| after the last step.")

    def __init__(self, build, x, y, keras=None, batch_size=20, seed=0):
        import teachnet as tn
        super().__init__(interval_ms=100)
        if len(x) != len(y) or len(x) < batch_size:
            raise ValueError(f"FrameworkRace: `x` and `y` must hold the same number of samples, at least "
                             f"batch_size={batch_size}. Received: {len(x)} and {len(y)}")
        self.x, self.y, self.batch_size, self.keras = x, y, batch_size, keras
        self.steps_per_tick = 2
        tn.utils.set_random_seed(seed)
        self.ours = build(tn)
        self.theirs = None
        if keras is not None:
            keras.utils.set_random_seed(seed)
            self.theirs = build(keras)
            self.ours.set_weights([np.asarray(w) for w in self.theirs.get_weights()])
        self.losses = {"teachnet": [], "Keras": []}
        self.gaps = []
        self.image = image_widget(860)
        self.note = ipywidgets.HTML(self._note())
        self.children = [self.error_banner, self.note, self.buttons, self.image]
        self.redraw()

    def _note(self):
        if self.keras is None:
            return ("<b>Keras is not installed here</b>, so only teachnet trains and only its curve is drawn. "
                    "Install it with <code>%pip install keras tensorflow</code> (or <code>keras torch</code>), "
                    "restart the kernel and run the lesson again to see both curves.")
        return (f"teachnet and Keras {html.escape(self.keras.__version__)} ({html.escape(self.keras.backend.backend())}"
                " backend), from the same initial weights, on the same batches.")

    def advance(self, steps):
        """Both models train `steps` batches (the data in order, starting again after the last batch)."""
        batches = len(self.x) // self.batch_size
        for _ in range(steps):
            start = (self.step % batches) * self.batch_size
            xb, yb = self.x[start:start + self.batch_size], self.y[start:start + self.batch_size]
            self.losses["teachnet"].append(_batch_loss(self.ours, xb, yb))
            if self.theirs is not None:
                self.losses["Keras"].append(_batch_loss(self.theirs, xb, yb))
                self.largest_gap = max(float(np.abs(a - np.asarray(b)).max())
                                       for a, b in zip(self.ours.get_weights(), self.theirs.get_weights()))
                self.gaps.append(self.largest_gap)
            self.step += 1

    def draw(self):
        fig = new_figure(860, 260)
        curves, gaps = fig.subplots(1, 2)
        steps = range(1, len(self.losses["teachnet"]) + 1)
        curves.plot(steps, self.losses["teachnet"], color="C0", lw=3, alpha=0.6, label="teachnet")
        if self.losses["Keras"]:
            curves.plot(steps, self.losses["Keras"], color="C3", lw=1, ls="--", label="Keras")
        curves.set_title("loss of each batch", fontsize=9)
        curves.set_xlabel("batch", fontsize=8)
        if self.losses["teachnet"]:
            curves.legend(fontsize=8)
        if self.gaps:
            gaps.semilogy(steps, np.maximum(self.gaps, 1e-12), color="C2")
            gaps.set_ylim(1e-10, 1e-2)
            gaps.set_title(f"largest |teachnet weight - Keras weight|: {self.largest_gap:.1e}", fontsize=9)
        else:
            gaps.text(0.5, 0.5, "no Keras: nothing to compare" if self.keras is None else "press Play",
                      ha="center", va="center", transform=gaps.transAxes)
            gaps.set_axis_off()
        gaps.set_xlabel("batch", fontsize=8)
        fig.tight_layout()
        return figure_to_png(fig)
