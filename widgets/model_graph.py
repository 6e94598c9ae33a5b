"""ModelGraph: the model's graph of layers, and a look inside one of them.

Left, the layers as `teachnet.utils.plot_model` draws them (shapes in each
box, the parameter count under it), the selected layer outlined in red.
Right, the selected layer (a Dropdown picks it): its weights as heatmaps
(matrices) and histograms (vectors), and, for a sample batch, the statistics
of its activations (what the layer outputs: spread, share of exact zeros,
i.e. "dead" ReLU units).
"""
import io

import ipywidgets
import numpy as np
import traitlets
from matplotlib import image as mpl_image
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from widgets.base import Unicode, WidgetView, row
from widgets.figures import LiveFigure, figure_to_png, new_figure
from widgets.dashboard import shapes_text

PANEL_WIDTH = 500  # px: the layer panel; the graph takes the rest of a 1000 px row


class ModelGraph(WidgetView):
    """The graph of a functional or Sequential model, with a selectable layer
    showing its weights and its activations on a sample batch.

    Args:
        model: a built teachnet model (functional or Sequential).
        sample: a batch of inputs, shaped as for `model.predict`, to compute
            each layer's activation statistics; None shows the weights only.
        layer_name: the layer selected first (default: the first with weights).

    Example:
        >>> model = teachnet.examples.inception_block_model()
        >>> x, y = teachnet.examples.inception_data(64)
        >>> ModelGraph(model, sample=x)
    """

    layer_name = Unicode(help="The name of the selected layer.")

    def __init__(self, model, sample=None, layer_name=None):
        super().__init__()
        from teachnet.models import Model
        from teachnet.utils import plot_model
        if not isinstance(model, Model):
            raise TypeError(f"ModelGraph expects a teachnet Model. Received: model={model!r} "
                            f"of type {type(model).__name__}")
        if not model.built:
            raise ValueError(f'ModelGraph: model "{model.name}" is not built yet, so its layers have no '
                             "shapes or weights: start it with teachnet.Input(shape=...) or call it on data.")
        self.model = model
        self.sample = sample
        self._plot_model = plot_model
        self.activations = self._activations(sample) if sample is not None else {}
        named = [(f"{layer.name} ({type(layer).__name__}, {layer.count_params():,} params)", layer.name)
                 for layer in model.layers]
        self.layer_dropdown = ipywidgets.Dropdown(options=named, description="layer",
                                                  layout=ipywidgets.Layout(width=f"{PANEL_WIDTH - 10}px",
                                                                           max_width="100%"))
        self.graph_image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(
            max_width=f"{1000 - PANEL_WIDTH - 20}px", height="auto"))
        self.layer_image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(
            width=f"{PANEL_WIDTH}px", max_width="100%", height="auto"))
        self.layer_info = ipywidgets.HTML()
        self.bind(self.layer_dropdown, "layer_name")
        self._graph = None  # the graph figure, built once; the selected layer's outline moves
        self._layer_pngs = {}  # layer name -> its panel's PNG, for the weights as they are now
        with_weights = [layer.name for layer in model.layers if layer.weights]
        self.layer_name = layer_name or (with_weights or [model.layers[0].name])[0]
        # side by side in a wide notebook; the layer panel goes under the graph in a narrow one
        self.children = [self.error_banner, row([
            self.graph_image, ipywidgets.VBox([self.layer_dropdown, self.layer_info, self.layer_image],
                                              layout=ipywidgets.Layout(max_width="100%"))],
            align_items="flex-start")]

    @traitlets.validate("layer_name")
    def _valid_layer_name(self, proposal):
        names = [layer.name for layer in self.model.layers]
        return self.require(proposal, proposal.value in names, f'to name a layer of model "{self.model.name}": one '
                                                               f"of {names}")

    @traitlets.observe("layer_name")
    def _show_layer(self, change):
        self._show()

    def refresh(self):
        """Redraws both pictures from the current weights (e.g. after training)."""
        self._layer_pngs.clear()
        self._show()

    def _show(self):
        """Shows the selected layer: the graph's outline moves (a frame of the kept graph figure) and
        the layer's panel is drawn, or taken from the panels drawn since the last refresh()."""
        layer = self.model.get_layer(self.layer_name) if hasattr(self.model, "get_layer") else \
            next(l for l in self.model.layers if l.name == self.layer_name)
        self.graph_image.value = self.draw_graph()
        if layer.name not in self._layer_pngs:
            self._layer_pngs[layer.name] = self.draw_layer(layer)
        self.layer_image.value = self._layer_pngs[layer.name]
        stats = self.activations.get(layer.name)
        self.layer_info.value = (f"<b>{layer.name}</b> ({type(layer).__name__}): {layer.count_params():,} "
                                 f"parameters in {len(layer.weights)} weight arrays"
                                 + (f"; on the sample batch, output {stats.shape}" if stats is not None else ""))

    # -- the numbers -------------------------------------------------------------------------
    def _activations(self, sample):
        """{layer name: its output on `sample`} for every layer (the first output of multi-output layers)."""
        layers = self.model.layers
        try:
            if hasattr(self.model, "_nodes"):  # functional: one model that outputs every layer's output
                from teachnet.models import Model
                probe = Model(inputs=self.model.inputs, outputs=[layer.output for layer in layers])
                outputs = probe.predict(sample, verbose=0)
            else:  # Sequential: the layers one after another
                outputs, h = [], sample
                for layer in layers:
                    h = layer(h)
                    outputs.append(h)
        except (ValueError, TypeError) as error:
            raise ValueError(f'ModelGraph: could not run model "{self.model.name}" on the sample batch '
                             f"(shape {shapes_text(sample)}): {error}") from error
        outputs = [np.asarray(o[0] if isinstance(o, (list, tuple)) else getattr(o, "data", o)) for o in outputs]
        return {layer.name: out for layer, out in zip(layers, outputs)}

    # -- drawing ------------------------------------------------------------------------------
    def draw_graph(self):
        """plot_model's picture with parameter counts and the selected layer outlined, as PNG bytes."""
        if self._graph is None:
            fig = self._plot_model(self.model, show_shapes=True)
            ax, height = fig.axes[0], fig.bbox.height
            for layer in self.model.layers:
                x0, y0, x1, y1 = fig.box_extents[layer.name]  # display pixels, origin bottom left
                if layer.weights:
                    ax.text(x1, height - y0 + 6, f"{layer.count_params():,} params", fontsize=7, color="#555555",
                            ha="right", va="top")  # the axes count pixels downwards
            live = LiveFigure(fig)
            outline = live.animate(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="#d62728",
                                                          linewidth=2.5)))
            self._graph = {"live": live, "outline": outline, "height": height}
        g = self._graph
        x0, y0, x1, y1 = g["live"].fig.box_extents[self.layer_name]
        g["outline"].set_bounds(x0 - 3, g["height"] - y1 - 3, x1 - x0 + 6, y1 - y0 + 6)
        return g["live"].png()

    def draw_layer(self, layer):
        """The selected layer's weights and activation statistics, as PNG bytes."""
        weights = layer.weights[:4]
        activations = self.activations.get(layer.name)
        rows = (1 if weights else 0) + (1 if activations is not None else 0)
        fig = new_figure(PANEL_WIDTH, 70 + 190 * max(rows, 1))
        if not rows:
            fig.text(0.5, 0.5, f"{layer.name} has no weights;\npass sample=... to see its activations",
                     ha="center", va="center", fontsize=9)
            return figure_to_png(fig)
        for i, w in enumerate(weights):
            ax = fig.add_subplot(rows, len(weights), i + 1)
            values = w.numpy()
            if values.ndim >= 2:  # a matrix (a conv kernel flattened to (inputs, outputs))
                matrix = values.reshape(-1, values.shape[-1])  # (fan_in, units)
                image = ax.imshow(matrix, aspect="auto", cmap="RdBu_r", vmin=-np.abs(matrix).max(),
                                  vmax=np.abs(matrix).max())
                fig.colorbar(image, ax=ax, fraction=0.08).ax.tick_params(labelsize=7)
            else:
                ax.bar(np.arange(values.size), values.ravel(), color="#1565c0")
                if not values.any():
                    ax.text(0.5, 0.5, "all zeros", transform=ax.transAxes, ha="center", color="#757575")
            ax.set_xlabel("unit", fontsize=7)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(f"{w.name} {tuple(values.shape)}", fontsize=8)
            ax.tick_params(labelsize=7)
        if activations is not None:
            ax = fig.add_subplot(rows, 1, rows)
            values = activations.ravel()
            counts, edges = np.histogram(values, bins=40)
            ax.stairs(counts, edges, fill=True, color="#2e7d32")
            zeros = float(np.mean(values == 0))
            ax.set_title(f"activations on the sample: mean {values.mean():.3g}, std {values.std():.3g}, "
                         f"exact zeros {zeros:.0%}", fontsize=8)
            ax.tick_params(labelsize=7)
        fig.subplots_adjust(left=0.08, right=0.95, top=1 - 30 / fig.bbox.height, bottom=40 / fig.bbox.height,
                            hspace=0.6, wspace=0.45)
        return figure_to_png(fig)

    def static_png(self):
        """The graph and the layer panel side by side in one PNG."""
        pictures = [mpl_image.imread(io.BytesIO(bytes(p)), format="png")
                    for p in (self.graph_image.value, self.layer_image.value)]
        width = sum(p.shape[1] for p in pictures)
        height = max(p.shape[0] for p in pictures)
        fig = new_figure(width, height)
        left = 0.0
        for p in pictures:
            ax = fig.add_axes((left, 1 - p.shape[0] / height, p.shape[1] / width, p.shape[0] / height))
            ax.imshow(p)
            ax.axis("off")
            left += p.shape[1] / width
        return figure_to_png(fig)

