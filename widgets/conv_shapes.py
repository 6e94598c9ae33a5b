"""ConvShapeExplorer: the output shape and the weights of a Conv2D, as you move its sliders. (lesson 01)

A real `teachnet.layers.Conv2D` is built on a blank image for each setting, so the shape and the count shown
are what the layer computes, not a formula. The picture draws the image's pixel grid, the first window
(kernel) in its top-left corner, and the grid of output positions beside it, one square per position.
"""
import ipywidgets
import numpy as np
import traitlets
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from widgets.base import WidgetView, image_widget
from widgets.figures import LiveFigure, new_figure


def _grid_lines(n):
    """The segments of an n x n grid of unit squares from (0, 0): n + 1 vertical and n + 1 horizontal."""
    return [[(i, 0), (i, n)] for i in range(n + 1)] + [[(0, i), (n, i)] for i in range(n + 1)]


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

    _figure = None  # the picture's figure, built on the first draw and then updated in place

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
        for name, control in self.controls.items():
            control.value = getattr(self, name)  # the defaults, inside every control's range
            self.bind(control, name)
        self.set_traits_from(kwargs, self.controls)  # a value outside a slider's range widens it
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
        """The image's pixel grid with the first window (and the next, one stride on), beside the grid of
        output positions, both at the same scale. The figure is built once and every piece of it is
        moved in place (the axes are off: there is no background to keep but white)."""
        if self._figure is None:
            self._figure = self._build()
        f = self._figure
        n, k, s = self.image_size, self.kernel_size, self.strides
        pad = (k - 1) // 2 if self.padding == "same" else 0
        f["image"].set_bounds(0, 0, n, n)
        f["image_grid"].set_segments(_grid_lines(n))
        f["window"].set_bounds(-pad, n + pad - k, k, k)
        f["next_window"].set_bounds(-pad + s, n + pad - k, k, k)
        f["next_window"].set_visible(s < n)  # the window's next position, one stride to the right
        f["image_title"].set_text(f"image {n}x{n}, window {k}x{k}, stride {s}")
        for artist in f["output_artists"]:
            artist.set_visible(bool(self.output_shape))
        # (the title is emptied, not hidden: a full draw would move a hidden title off the figure)
        f["output_title"].set_text("")
        if self.output_shape:
            m = self.output_shape[0]
            f["output"].set_bounds(0, 0, m, m)
            f["output_grid"].set_segments(_grid_lines(m))
            f["first_output"].set_xy((0, m - 1))
            f["output_title"].set_text(f"output {m}x{m}, {self.filters} channels")
        size = max(n, 4) + 2
        for ax in f["axes"]:
            ax.set_xlim(-pad - 1, size)
            ax.set_ylim(-1, size)
            ax.apply_aspect()  # a full draw would: square pixels for the new limits
        return f["live"].png()

    def _build(self):
        live = LiveFigure(new_figure(640, 260))
        image_ax, output_ax = live.fig.subplots(1, 2)
        live.fig.subplots_adjust(left=0.02, right=0.98, bottom=0.04, top=0.9, wspace=0.1)
        # drawn in this order: squares, then the grid lines over them (as lines go over patches)
        f = {"live": live, "axes": (image_ax, output_ax),
             "image": image_ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="#eeeeee", edgecolor="black")),
             "window": image_ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="#d62728", alpha=0.4,
                                                    edgecolor="#d62728")),
             "next_window": image_ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="#d62728", ls="--")),
             "image_grid": image_ax.add_collection(LineCollection([], colors="#cccccc", linewidths=0.5)),
             "image_title": image_ax.set_title("", fontsize=9),
             "output": output_ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="#c6dbef", edgecolor="black")),
             "first_output": output_ax.add_patch(Rectangle((0, 0), 1, 1, facecolor="#d62728", alpha=0.6)),
             "output_grid": output_ax.add_collection(LineCollection([], colors="white", linewidths=0.5)),
             "output_title": output_ax.set_title("", fontsize=9)}
        f["output_artists"] = [f[name] for name in ("output", "first_output", "output_grid")]
        for name in ("image", "window", "next_window", "image_grid", "image_title", "output", "first_output",
                     "output_grid", "output_title"):
            live.animate(f[name])
        for ax in (image_ax, output_ax):
            ax.set_aspect("equal")
            ax.axis("off")
        return f
