"""EnvironmentCheck: does this notebook run the kit's live views? (lesson 00)

Three checks, in the order a learner needs them:

1. the packages import (numpy, matplotlib, ipywidgets, teachnet), with their versions, and where the
   notebook runs (Colab, VS Code, or Jupyter: Lab and Notebook 7 cannot be told apart from the kernel);
2. a click reaches the kernel: the button's counter goes up only if the front end and the kernel talk
   through ipywidgets (a notebook shows the saved picture, not a live widget, when they do not);
3. a tiny live training: one sigmoid unit learns to separate two clouds of points, the boundary and the
   loss redrawn at each step of Play.
"""
import importlib
import os
import platform
import sys

import ipywidgets
import numpy as np
import traitlets

from widgets.base import LiveTrainer, image_widget
from widgets.figures import figure_to_png, new_figure

PACKAGES = ["numpy", "matplotlib", "ipywidgets", "teachnet"]


def where_am_i():
    """Where the kernel runs, as far as the kernel can tell: "Colab", "VS Code" or "Jupyter"."""
    if "google.colab" in sys.modules:
        return "Colab"
    if "VSCODE_PID" in os.environ or "VSCODE_CWD" in os.environ:
        return "VS Code"
    return "Jupyter"


def package_versions():
    """{package: version string, or None when it does not import}."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = getattr(importlib.import_module(name), "__version__", "?")
        except ImportError:
            versions[name] = None
    return versions


class EnvironmentCheck(LiveTrainer):
    """Checks that the kit and its live views work in this notebook, and trains a tiny model live.

    Args:
        samples_per_class: points in each of the two clouds.
        learning_rate: SGD's learning rate for the tiny model.
        seed: the seed of the data (the model starts from zero weights: no boundary yet).

    Example:
        >>> check = EnvironmentCheck()
        >>> check            # click "Click me", then Play
        >>> check.advance(30); check.redraw()   # the same training, from code
    """

    clicks = traitlets.Int(0, help="How many times the button was clicked (each click is a round trip "
                                   "from the browser to the kernel).")
    loss = traitlets.Float(float("nan"), help="The tiny model's loss after its last step.")

    def __init__(self, samples_per_class=100, learning_rate=0.02, seed=0):
        import teachnet as tn
        super().__init__(interval_ms=150)
        self.versions = package_versions()
        self.place = where_am_i()
        self.x, self.y = tn.datasets.gaussian_clouds(samples_per_class=samples_per_class, seed=seed,
                                                     shuffle=True)
        tn.utils.set_random_seed(seed)
        self.model = tn.Sequential([tn.Input(shape=(2,)), tn.layers.Dense(1, activation="sigmoid",
                                                                     kernel_initializer="zeros")])
        self.model.compile(optimizer=tn.optimizers.SGD(learning_rate=learning_rate), loss="binary_crossentropy",
                           metrics=["accuracy"])
        self.losses, self.accuracy = [], float("nan")
        self.click_button = self.button("Click me", self._click, "Checks that a click reaches the kernel",
                                         width="120px")
        self.click_status = ipywidgets.HTML()
        self.table = ipywidgets.HTML(self._versions_html())
        self.image = image_widget(640)
        self.children = [self.error_banner, self.table,
                         ipywidgets.HBox([self.click_button, self.click_status]),
                         self.buttons, self.image]
        self._show_clicks()
        self.redraw()

    def _versions_html(self):
        name = "<td style='padding-right:1em'>"   # some front ends (the classic Notebook) pad no table cell
        rows = "".join(
            f"<tr>{name}{package}</td><td>{version if version else '<b style=color:#b71c1c>missing</b>: '}"
            f"{'' if version else f'%pip install {package}, then restart the kernel'}</td></tr>"
            for package, version in self.versions.items())
        return (f"<table><tr>{name}python</td><td>{platform.python_version()}</td></tr>{rows}"
                f"<tr>{name}running in</td><td>{self.place}</td></tr></table>")

    def _click(self):
        self.clicks += 1

    @traitlets.observe("clicks")
    def _show_clicks(self, change=None):
        if self.clicks:
            self.click_status.value = (f"&nbsp;<b style='color:#1b7e3c'>{self.clicks} click(s) reached the "
                                       "kernel: live widgets work here.</b>")
        else:
            self.click_status.value = ("&nbsp;Click the button. If the count does not appear, widgets are not "
                                       "live here: in JupyterLab or VS Code install ipywidgets (and the Jupyter "
                                       "extension in VS Code), then reload the page.")

    def advance(self, steps):
        """Trains `steps` full-batch steps of the tiny model."""
        for _ in range(steps):
            logs = self.model.train_on_batch(self.x, self.y, return_dict=True)
            self.losses.append(float(logs["loss"]))
            self.step += 1
        if self.losses:
            self.loss = self.losses[-1]
            self.accuracy = float(logs["accuracy"]) if steps else self.accuracy

    def draw(self):
        """The two clouds with the model's boundary (where it says 0.5), and the loss per step."""
        fig = new_figure(640, 260)
        points, curve = fig.subplots(1, 2)
        labels = self.y.reshape(-1)
        points.scatter(self.x[:, 0], self.x[:, 1], c=np.where(labels > 0.5, "#1f77b4", "#ff7f0e"), s=6)
        (w1, w2), b = self.model.layers[-1].kernel.numpy()[:, 0], float(self.model.layers[-1].bias.numpy()[0])
        xs = np.array([-4.0, 7.0])
        if abs(w2) > 1e-9:  # sigmoid(w1 x1 + w2 x2 + b) = 0.5 on the line w1 x1 + w2 x2 + b = 0
            points.plot(xs, -(w1 * xs + b) / w2, color="black", lw=1.5)
        points.set_xlim(-4, 7)
        points.set_ylim(-4, 7)
        points.set_title("boundary (where the model says 0.5)", fontsize=9)
        curve.plot(range(1, len(self.losses) + 1), self.losses, color="#d62728")
        curve.set_xlabel("step", fontsize=9)
        curve.set_title(f"loss: {self.loss:.3f}   accuracy: {self.accuracy:.3f}" if self.losses
                        else "loss (press Play)", fontsize=9)
        fig.tight_layout()
        return figure_to_png(fig)
