"""ConvShapeExplorer: the output shape and the weights of a Conv2D, as you move its sliders. (lesson 01)

A real `teachnet.layers.Conv2D` is built on a blank image for each setting, so the shape and the count shown
are what the layer computes, not a formula. The picture draws the image's pixel grid, the first window
(kernel) in its top-left corner, and the grid of output positions beside it, one square per position.
"""
import ipywidgets
import numpy as np
import traitlets
from matplotlib.patches import Rectangle

from widgets.base import WidgetView, figure_to_png, image_widget, new_figure


class ConvShapeExplorer(WidgetView):
    """Sliders for Conv2D's filters, kernel size, strides and padding on a square one-channel image.

    Example:
        >>> explorer = ConvShapeExplorer()
        >>> explorer                        # move the sliders
        >>> explorer.output_shape           # (26, 26, 8) for the defaults
    """

    filters = traitlets.Int(8, help="Conv2D's filters (output channels).")
    kernel_size = traitlets.Int(3, help="The square window's side.")
    strides = traitlets.Int(1, help="How many pixels the window moves at a time.")
    padding = traitlets.Enum(["valid", "same"], "valid", help="\"valid\": the window stays inside; \"same\": zeros "
                                                              "around the image keep its size (at stride 1).")
    image_size = traitlets.Int(28, help="The image's height and width.")
    output_shape = traitlets.Tuple(help="The layer's output shape without the batch axis.")
    weights = traitlets.Int(0, help="The layer's weights: kernel and bias.")

    def __init__(self, **kwargs):
        super().__init__()
        wide = {"description_width": "initial"}
        self.controls = {
            "filters": ipywidgets.IntSlider(min=1, max=32, description="filters", style=wide),
            "kernel_size": ipywidgets.IntSlider(min=1, max=7, description="kernel_size", style=wide),
            "strides": ipywidgets.IntSlider(min=1, max=3, description="strides", style=wide),
            "padding": ipywidgets.ToggleButtons(options=["valid", "same"], description="padding", style=wide),
            "image_size": ipywidgets.IntSlider(min=4, max=32, description="image size", style=wide),
        }
        for name, value in kwargs.items():
            if name not in self.controls:
                raise TypeError(f"ConvShapeExplorer got an unexpected argument {name!r}; "
                                f"settable: {sorted(self.controls)}")
            setattr(self, name, value)
        for name, control in self.controls.items():
            control.value = getattr(self, name)
            control.observe(self.guarded(lambda change, name=name: setattr(self, name, change["new"])), names="value")
        self.text = ipywidgets.HTML()
        self.image = image_widget(640)
        self.children = [self.error_banner,
                         ipywidgets.HBox([self.controls["filters"], self.controls["kernel_size"]]),
                         ipywidgets.HBox([self.controls["strides"], self.controls["image_size"]]),
                         self.controls["padding"], self.text, self.image]
        self._ready = True
        self.update()

    @traitlets.observe("filters", "kernel_size", "strides", "padding", "image_size")
    def _changed(self, change):
        if not getattr(self, "_ready", False):  # __init__ is still applying its arguments
            return
        self.controls[change["name"]].value = change["new"]
        self.update()

    def update(self):
        """Builds the layer for the current settings and redraws."""
        import teachnet as tn
        layer = tn.layers.Conv2D(self.filters, self.kernel_size, strides=self.strides, padding=self.padding)
        if self.padding == "valid" and self.kernel_size > self.image_size:
            self.output_shape, self.weights = (), 0
            self.text.value = (f"A {self.kernel_size}x{self.kernel_size} window does not fit in a "
                               f"{self.image_size}x{self.image_size} image without padding: no output.")
        else:
            out = layer(np.zeros((1, self.image_size, self.image_size, 1), "float32"))
            self.output_shape, self.weights = tuple(out.shape[1:]), layer.count_params()
            self.text.value = (f"input (1, {self.image_size}, {self.image_size}, 1) → output "
                               f"<b>(1, {', '.join(map(str, self.output_shape))})</b>; weights: "
                               f"{self.kernel_size}×{self.kernel_size}×1×{self.filters} + {self.filters} = "
                               f"<b>{self.weights}</b>")
        self.image.value = self.draw()

    def draw(self):
        fig = new_figure(640, 260)
        image_ax, output_ax = fig.subplots(1, 2)
        n, k = self.image_size, self.kernel_size
        pad = (k - 1) // 2 if self.padding == "same" else 0
        image_ax.add_patch(Rectangle((0, 0), n, n, facecolor="#eeeeee", edgecolor="black"))
        for i in range(n + 1):
            image_ax.plot([i, i], [0, n], color="#cccccc", lw=0.5)
            image_ax.plot([0, n], [i, i], color="#cccccc", lw=0.5)
        image_ax.add_patch(Rectangle((-pad, n + pad - k), k, k, facecolor="#d62728", alpha=0.4, edgecolor="#d62728"))
        if self.strides < n:  # the window's next position, one stride to the right
            image_ax.add_patch(Rectangle((-pad + self.strides, n + pad - k), k, k, fill=False, edgecolor="#d62728",
                                         ls="--"))
        image_ax.set_title(f"image {n}x{n}, window {k}x{k}, stride {self.strides}", fontsize=9)
        if self.output_shape:
            m = self.output_shape[0]
            output_ax.add_patch(Rectangle((0, 0), m, m, facecolor="#c6dbef", edgecolor="black"))
            for i in range(m + 1):
                output_ax.plot([i, i], [0, m], color="white", lw=0.5)
                output_ax.plot([0, m], [i, i], color="white", lw=0.5)
            output_ax.add_patch(Rectangle((0, m - 1), 1, 1, facecolor="#d62728", alpha=0.6))
            output_ax.set_title(f"output {m}x{m}, {self.filters} channels", fontsize=9)
        size = max(n, 4) + 2
        for ax in (image_ax, output_ax):
            ax.set_xlim(-pad - 1, size)
            ax.set_ylim(-1, size)
            ax.set_aspect("equal")
            ax.axis("off")
        fig.tight_layout()
        return figure_to_png(fig)

    def static_png(self):
        return bytes(self.image.value)
