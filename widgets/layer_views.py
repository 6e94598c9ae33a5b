"""Layer views: look inside a convolution, an LSTM and a CTC loss.

- `ConvFilterView`: a `Conv2D` layer's filters (its kernel, one small image
  per filter) and the feature maps they produce on a chosen input image.
- `LSTMGateView`: an `LSTM` layer's gates over time for a chosen sequence:
  input gate i, forget gate f, candidate g, output gate o, cell c and output
  h, computed from the layer's own weights with teachnet ops (and checked
  against the layer's output).
- `CTCLatticeView`: the CTC forward variables alpha_t(s) of one sample as a
  lattice (time across, extended-label states down) with the best single
  alignment drawn through it, next to the frame probabilities.

Each view draws one PNG into an `ipywidgets.Image` and redraws when its
controls change; `refresh()` redraws after the weights changed (e.g. after
more training).
"""
import ipywidgets
import numpy as np
import traitlets

import teachnet as tn
from teachnet import ops
from widgets.base import Int, WidgetView, image_widget, row
from widgets.figures import FONT, TITLE, LiveFigure, new_figure, nice_ceiling

WIDTH = 980  # px: fits a 1000 px wide notebook


def _grid_shape(count, columns):
    """(rows, columns) of a grid of `count` small pictures at most `columns` wide."""
    columns = max(1, min(columns, count))
    return -(-count // columns), columns


def _index_slider(description, maximum):
    return ipywidgets.IntSlider(value=0, min=0, max=max(maximum, 0), description=description,
                                style={"description_width": "initial"}, layout=ipywidgets.Layout(width="320px"))


def _pixels(ax, picture, aspect="equal", **style):
    """`ax.imshow(picture, interpolation="nearest", aspect=aspect)` drawn as a grid of cells (pcolormesh):
    the same picture (row 0 at the top), drawn 3-10x faster (imshow resamples to the screen's pixels).
    Update it with `set_array(new_picture)` (same shape)."""
    height, width = picture.shape
    cells = ax.pcolormesh(np.arange(width + 1) - 0.5, np.arange(height + 1) - 0.5, picture, **style)
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    ax.set_aspect(aspect)
    return cells


class _LayerView(WidgetView):
    """What the three views share: an image, a sample slider and a Redraw button."""

    index = Int(0, help="Which sample (image, sequence) is shown.")
    redraws = Int(0, help="How many times the picture was redrawn.")

    def _setup(self, count, what, extra_controls=None):
        """The controls and the image; `extra_controls` maps more traits to the controls bound to them."""
        extra_controls = extra_controls or {}
        self._count = count
        self.image = image_widget(WIDTH)
        self.index_control = self.bind(_index_slider(what, count - 1), "index")
        for name, control in extra_controls.items():
            self.bind(control, name)
        self.observe(lambda _: self._show(), names=["index", *extra_controls])  # a new choice: draw it
        self.refresh_button = self.button("Redraw", self.refresh, "Draw again from the current weights", "90px")
        self.children = [self.error_banner, row([self.index_control, *extra_controls.values(), self.refresh_button]),
                         self.image]

    def _layer_inputs(self, layer, kind, data, argument, axes):
        """`data` as the float32 inputs of `layer`, which must be a `kind`; `axes` names the axes of
        `data` for the error that refuses another shape (or no samples)."""
        view = type(self).__name__
        if not isinstance(layer, kind):
            raise TypeError(f"{view} expects a teachnet.layers.{kind.__name__}. Received: {type(layer).__name__}")
        data = np.asarray(getattr(data, "data", data), dtype="float32")
        if data.ndim != len(axes) or len(data) == 0:
            raise ValueError(f"{view}: expected `{argument}` of shape ({', '.join(axes)}), the inputs of layer "
                             f"\"{layer.name}\". Received: shape {data.shape}")
        return data

    @traitlets.validate("index")
    def _valid_index(self, proposal):
        return self.require_index(proposal, self._count)

    _figure = None  # the figure, built once (again after refresh()) and updated in place

    def refresh(self):
        """Draws the picture again (from the layer's current weights)."""
        self._figure = None  # the weights may have changed: build the figure again
        self._show()

    def _show(self):
        """Draws the picture for the current controls (the kept figure, updated in place)."""
        self.image.value = self.draw()
        self.redraws += 1


# -- Conv2D ---------------------------------------------------------------------------------------

class ConvFilterView(_LayerView):
    """A Conv2D layer's filters and the feature maps they produce on one input.

    Args:
        layer: a `teachnet.layers.Conv2D` (built on first use if needed).
        images: the layer's inputs, `(batch, height, width, channels)`.
        max_filters: how many filters (and maps) to draw at most (default 16).

    Example:
        >>> view = ConvFilterView(model.layers[0], x_test[:10])
        >>> ConvFilterView.from_model(model, "conv2d_1", x_test[:10])  # a deeper layer: its inputs are computed
    """

    channel = Int(0, help="The input channel whose slice of each filter is drawn.")

    def __init__(self, layer, images, max_filters=16):
        super().__init__()
        images = self._layer_inputs(layer, tn.layers.Conv2D, images, "images", ("batch", "height", "width", "channels"))
        if layer.built and images.shape[-1] != layer.kernel.shape[2]:
            raise ValueError(f"ConvFilterView: layer \"{layer.name}\" expects {layer.kernel.shape[2]} input "
                             f"channels. Received: images of shape {images.shape}")
        self.layer, self.images, self.max_filters = layer, images, int(max_filters)
        self.channel_control = ipywidgets.Dropdown(options=list(range(images.shape[-1])), value=0,
                                                   description="channel", style={"description_width": "initial"},
                                                   layout=ipywidgets.Layout(width="140px"))
        self._setup(len(images), "image", {"channel": self.channel_control})
        self.refresh()

    @classmethod
    def from_model(cls, model, layer_name, images, max_filters=16):
        """The view of the Conv2D `layer_name` of a Sequential `model`, its inputs computed from `images`."""
        x = images
        for layer in model.layers:
            if layer.name == layer_name:
                return cls(layer, ops.convert_to_tensor(x).numpy(), max_filters=max_filters)
            x = layer(x)
        raise ValueError(f"ConvFilterView.from_model: model \"{model.name}\" has no layer {layer_name!r}. "
                         f"Its layers: {[layer.name for layer in model.layers]}")

    @traitlets.validate("channel")
    def _valid_channel(self, proposal):
        return self.require_index(proposal, self.images.shape[-1])

    def feature_maps(self):
        """The layer's output for the chosen image: `(new_height, new_width, filters)`."""
        return self.layer(self.images[self.index:self.index + 1]).numpy()[0]

    def draw(self):
        """The input, the filters and the feature maps, drawn every frame over the axes and titles that
        do not change (the background): the image slider changes the input and the maps, the channel
        dropdown the input and the filters (the channel's slice of each)."""
        maps = self.feature_maps()                                        # (h', w', filters)
        kernel = self.layer.kernel.numpy()                                # (kh, kw, channels, filters)
        shown = min(kernel.shape[-1], self.max_filters)
        if self._figure is None:
            self._figure = self._build(kernel, maps, shown)
        f = self._figure
        f["input"].set_array(self.images[self.index, :, :, self.channel])
        f["input"].autoscale()
        f["input_title"].set_text(f"input {self.index}, channel {self.channel}")
        limit = float(np.abs(kernel).max()) or 1.0  # one colour scale for all filters: they compare
        for i, image in enumerate(f["filters"]):
            image.set_array(kernel[:, :, self.channel, i])
            image.set_clim(-limit, limit)
        f["filters_title"].set_text(f"filters (kernel {kernel.shape[0]}x{kernel.shape[1]}, channel {self.channel})")
        for i, image in enumerate(f["maps"]):
            image.set_array(maps[:, :, i])
            image.autoscale()
        return f["live"].png()

    def _build(self, kernel, maps, shown):
        rows, cols = _grid_shape(shown, 4)
        live = LiveFigure(new_figure(WIDTH, 40 + 110 * rows))
        panels = live.fig.subfigures(1, 3, width_ratios=[1, 1.6, 1.6])
        ax = panels[0].add_subplot(1, 1, 1)
        f = {"live": live, "input": live.animate(_pixels(ax, self.images[0, :, :, 0], cmap="gray")),
             "input_title": live.animate(ax.set_title("", fontsize=TITLE))}
        ax.axis("off")
        f["filters_title"] = live.animate(panels[1].suptitle("", fontsize=TITLE))
        panels[2].suptitle(f"feature maps ({self.layer.activation.__name__} applied)", fontsize=TITLE)
        for panel, name, picture, style in ((panels[1], "filters", kernel[:, :, 0, 0], dict(cmap="RdBu_r")),
                                            (panels[2], "maps", maps[:, :, 0], dict(cmap="viridis"))):
            f[name] = []
            for i in range(shown):
                a = panel.add_subplot(rows, cols, i + 1)
                f[name].append(live.animate(_pixels(a, picture, **style)))
                a.set_title(str(i), fontsize=FONT, pad=1)
                a.axis("off")
        return f


# -- LSTM -----------------------------------------------------------------------------------------

GATES = ["input gate i", "forget gate f", "candidate g", "output gate o", "cell c", "output h"]


class LSTMGateView(_LayerView):
    """An LSTM layer's gates over time for one input sequence.

    The gates are computed from the layer's weights (kernel, recurrent_kernel,
    bias; blocks i, f, c, o as Keras) with teachnet ops, step by step:

        z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
        i, f, o = sigma(z_i), sigma(z_f), sigma(z_o);   g = tanh(z_c)
        c_t = f * c_{t-1} + i * g;   h_t = o * tanh(c_t)

    Args:
        layer: a built `teachnet.layers.LSTM`.
        sequences: inputs of the layer, `(batch, time, features)`.

    Example:
        >>> view = LSTMGateView(model.layers[1], x_test[:8])
    """

    unit = Int(0, help="The unit whose gates are drawn as curves under the heatmaps.")

    def __init__(self, layer, sequences):
        super().__init__()
        sequences = self._layer_inputs(layer, tn.layers.LSTM, sequences, "sequences", ("batch", "time", "features"))
        if not layer.built:
            layer(sequences[:1])
        if sequences.shape[-1] != layer.cell.kernel.shape[0]:
            raise ValueError(f"LSTMGateView: layer \"{layer.name}\" reads {layer.cell.kernel.shape[0]} features "
                             f"per step. Received: sequences of shape {sequences.shape}")
        self.layer, self.sequences = layer, sequences
        self.unit_control = ipywidgets.IntSlider(value=0, min=0, max=layer.units - 1, description="unit",
                                                 style={"description_width": "initial"},
                                                 layout=ipywidgets.Layout(width="260px"))
        self._setup(len(sequences), "sequence", {"unit": self.unit_control})
        self.refresh()

    @traitlets.validate("unit")
    def _valid_unit(self, proposal):
        return self.require_index(proposal, self.layer.units)

    def gates(self):
        """The gate activations of the chosen sequence: a dict name -> array (time, units), GATES order."""
        cell, n = self.layer.cell, self.layer.units
        sigma, act = tn.activations.get(cell.recurrent_activation), tn.activations.get(cell.activation)
        x = self.sequences[self.index]                                    # (time, features)
        if self.layer.go_backwards:
            x = x[::-1]                                                   # the layer reads from the end
        h, c = np.zeros((1, n), "float32"), np.zeros((1, n), "float32")
        rows = {name: [] for name in GATES}
        for x_t in x:
            z = ops.matmul(x_t[None], cell.kernel) + ops.matmul(h, cell.recurrent_kernel)   # (1, 4 units)
            if cell.bias is not None:
                z = z + cell.bias
            i, f, g, o = sigma(z[:, :n]), sigma(z[:, n:2 * n]), act(z[:, 2 * n:3 * n]), sigma(z[:, 3 * n:])
            c = f * c + i * g
            h = o * act(c)
            for name, value in zip(GATES, (i, f, g, o, c, h)):
                rows[name].append(np.asarray(value.numpy())[0])
        return {name: np.array(values) for name, values in rows.items()}   # (time, units) each

    def draw(self):
        """The input and the gates as heatmaps (time across, units down) and one unit's gates as curves.

        Axes, titles and colour bars are the background: the gates i, f, o are in [0, 1] and g in
        [-1, 1] always; the input, c and h get a symmetric scale rounded up (nice_ceiling) that only
        widens (to the widest the sequences shown so far need), so the background changes the first
        times a sequence needs a wider scale, then no more. A frame draws the heatmaps and curves."""
        gates = self.gates()
        panels = [("input x", self.sequences[self.index])] + list(gates.items())
        if self._figure is None:
            self._figure = self._build(panels)
        f = self._figure
        for image, (name, values) in zip(f["images"], panels):
            image.set_array(values.T)                                     # (units, time)
            if name in f["limits"]:
                needed = nice_ceiling(max(float(np.abs(values).max()), 1e-6))
                f["limits"][name] = max(f["limits"][name], needed)
                image.set_clim(-f["limits"][name], f["limits"][name])
        time_steps = len(self.sequences[self.index])
        for line, name in zip(f["traces"], GATES):
            line.set_data(np.arange(time_steps), gates[name][:, self.unit])
        f["reach"] = max(f["reach"], nice_ceiling(max(1.0, float(np.abs(gates["cell c"][:, self.unit]).max()))))
        reach = f["reach"]
        f["trace"].set_ylim(-reach * 1.05, reach * 1.6)     # room above the lines for the legend
        f["trace"].set_yticks([-reach, 0, reach])
        f["trace_title"].set_text(f"unit {self.unit} over time")
        return f["live"].png(key=(tuple(f["limits"].values()), f["reach"]))

    def _build(self, panels):
        live = LiveFigure(new_figure(WIDTH, 560))
        axes = live.fig.subplots(4, 2, gridspec_kw={"height_ratios": [1, 1, 1, 1.2]})
        images = []
        for ax, (name, values) in zip(axes.ravel()[:7], panels):
            bounded = name.split()[-1] in ("i", "f", "o")
            image = live.animate(_pixels(ax, values.T, aspect="auto", cmap="viridis" if bounded else "RdBu_r",
                                         vmin=0 if bounded else -1, vmax=1))
            images.append(image)
            ax.set_title(name + (" (read from the end)" if self.layer.go_backwards and name == "input x" else ""),
                         fontsize=FONT, pad=2)
            ax.set_ylabel("feature" if name == "input x" else "unit", fontsize=FONT)
            ax.tick_params(labelsize=FONT)
            live.fig.colorbar(image, ax=ax, fraction=0.03, pad=0.01).ax.tick_params(labelsize=FONT)
            for spine in ax.spines.values():  # the frame goes over the (animated) heatmap, as in a full draw
                live.animate(spine)
        trace = axes[3, 1]
        traces = [live.animate(trace.plot([], [], color=colour, label=name.split()[-1])[0]) for name, colour in
                  zip(GATES, ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"))]
        trace.set_xlim(-0.5, len(panels[0][1]) - 0.5)
        trace_title = live.animate(trace.set_title("", fontsize=FONT, pad=2))
        live.animate(trace.legend(fontsize=FONT, ncol=6, loc="upper center"))
        trace.tick_params(labelsize=FONT)
        for ax in axes[3]:
            ax.set_xlabel("time step", fontsize=FONT)
        live.fig.subplots_adjust(left=0.07, right=0.95, top=0.95, bottom=0.08, hspace=0.6, wspace=0.28)
        limits = {name: 0.0 for name, _ in panels if name.split()[-1] not in ("i", "f", "o", "g")}  # input x, c, h
        return {"live": live, "images": images, "traces": traces, "trace": trace, "trace_title": trace_title,
                "limits": limits, "reach": 1.0}


# -- CTC ------------------------------------------------------------------------------------------

def best_alignment(log_probs, labels, blank=0):
    """The most probable single frame-level path that spells `labels` (Viterbi on the CTC lattice).

    Args:
        log_probs: `(time, classes)` log probabilities of one sample.
        labels: the target label ids (no blanks), length L; the frames must be enough to spell them.
        blank: the blank class.

    Returns:
        `(states, log_prob)`: the extended-label state at each frame `(time,)` and the path's log probability.
    """
    ext = [blank]
    for label in labels:
        ext += [int(label), blank]
    T, S = len(log_probs), len(ext)
    score = np.full((T, S), -np.inf)
    came_from = np.zeros((T, S), dtype=int)
    score[0, 0] = log_probs[0, ext[0]]
    if S > 1:
        score[0, 1] = log_probs[0, ext[1]]
    for t in range(1, T):
        for s in range(S):
            options = [s, s - 1] + ([s - 2] if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2] else [])
            options = [p for p in options if p >= 0]
            best = max(options, key=lambda p: score[t - 1, p])
            score[t, s] = score[t - 1, best] + log_probs[t, ext[s]]
            came_from[t, s] = best
    ends = [S - 1] + ([S - 2] if S > 1 else [])
    state = max(ends, key=lambda s: score[T - 1, s])
    log_prob = score[T - 1, state]
    path = [state]
    for t in range(T - 1, 0, -1):
        state = came_from[t, state]
        path.append(state)
    return np.array(path[::-1]), float(log_prob)


class CTCLatticeView(_LayerView):
    """The CTC alpha lattice of one sample, with its best alignment.

    Args:
        logits: `(batch, time, classes)` model outputs (not softmaxed), e.g. `model.predict(x)` of a model
            whose last layer has no activation.
        targets: `(batch, max_label_length)` int labels (padded) and
        target_lengths: `(batch,)` symbols per label.
        alphabet: optional names of the classes (e.g. "-0123456789" with the blank first).
        blank: the blank class (default 0, as `teachnet.ops.ctc_loss`'s mask_index).

    Example:
        >>> view = CTCLatticeView(model.predict(x[:4]), y[:4], y_lengths[:4], alphabet="-0123456789")
    """

    def __init__(self, logits, targets, target_lengths, alphabet=None, blank=0):
        super().__init__()
        logits = np.asarray(getattr(logits, "data", logits), dtype="float64")
        targets, target_lengths = np.asarray(targets), np.asarray(target_lengths)
        if logits.ndim != 3:
            raise ValueError(f"CTCLatticeView: expected `logits` of shape (batch, time, classes). "
                             f"Received: shape {logits.shape}")
        if targets.ndim != 2 or len(targets) != len(logits) or target_lengths.shape != (len(logits),):
            raise ValueError(f"CTCLatticeView: expected `targets` (batch, max_label_length) and `target_lengths` "
                             f"(batch,) with batch = {len(logits)}. Received: targets {targets.shape}, "
                             f"target_lengths {target_lengths.shape}")
        if alphabet is not None and len(alphabet) != logits.shape[-1]:
            raise ValueError(f"CTCLatticeView: expected one `alphabet` name per class ({logits.shape[-1]}). "
                             f"Received: {len(alphabet)} names")
        self.logits, self.targets, self.target_lengths, self.blank = logits, targets, target_lengths, blank
        self.alphabet = list(alphabet) if alphabet is not None else [
            "-" if k == blank else str(k) for k in range(logits.shape[-1])]
        lengths = np.full(len(logits), logits.shape[1])
        # the lattice of every sample at once (also checks that each label fits its frames)
        self.log_alpha, self.extended = ops.ctc_alpha_lattice(targets, logits, target_lengths, lengths, blank)
        self.losses = ops.ctc_loss(targets, logits, target_lengths, lengths, blank).numpy()
        self._setup(len(logits), "sample")
        self.refresh()

    def sample(self):
        """(log_probs (time, classes), labels, log_alpha (time, states)) of the chosen sample."""
        i = self.index
        labels = self.targets[i, :self.target_lengths[i]]
        log_probs = ops.log_softmax(ops.convert_to_tensor(self.logits[i]), axis=-1).numpy()
        return log_probs, labels, self.log_alpha[i, :, :2 * len(labels) + 1]

    def draw(self):
        """The lattice with the best path through it, over the frame probabilities.

        The figure is built once: every sample has the same frames and classes. A frame redraws the two
        grids of cells, the path, the titles and legend, the lattice's state labels (their count follows
        the label's length) and its colour bar's ticks (each sample has its own colour scale); the axes,
        the time axis and the class names are the background."""
        log_probs, labels, log_alpha = self.sample()                   # (T, classes), (L,), (T, 2L + 1)
        states, path_log_prob = best_alignment(log_probs, labels, self.blank)
        ext = self.extended[self.index, :len(log_alpha[0])]              # (2L + 1,) class of each state
        T, S = log_alpha.shape
        if self._figure is None:
            self._figure = self._build(T)
        f = self._figure
        # the grid has a row for each state of the longest label; rows past this label's 2L + 1 states
        # are masked like the unreachable cells and fall below the y limit
        shown = np.full(f["lattice"].get_array().shape, -np.inf)          # (states of the longest, time)
        shown[:S] = log_alpha.T
        f["lattice"].set_array(np.ma.masked_invalid(shown))               # unreachable (-inf): left blank
        finite = log_alpha[np.isfinite(log_alpha)]
        f["lattice"].set_clim(finite.min(), finite.max())                 # the colour bar follows
        f["top"].set_ylim(S - 0.5, -0.5)
        f["top"].set_yticks(range(S), [self.alphabet[k] for k in ext])
        f["path"].set_data(np.arange(T), states)
        f["path_label"].set_text(f"best alignment (log p = {path_log_prob:.3g})")
        label_text = "".join(self.alphabet[k] for k in labels)
        f["top_title"].set_text(f"log alpha_t(s) of sample {self.index}, label \"{label_text}\": loss = -log p = "
                                f"{self.losses[self.index]:.4g}")
        f["frames"].set_array(np.exp(log_probs).T)                        # (classes, time)
        f["frame_classes"].set_data(np.arange(T), ext[states])            # the best path's class per frame
        spelled = "".join(self.alphabet[ext[s]] for s in states)
        f["bottom_title"].set_text(f"frame probabilities; the best alignment reads \"{spelled}\"")
        return f["live"].png()

    def _build(self, T):
        """The figure; its cells are drawn with pcolormesh (a grid of quads, as `_pixels`): 10x faster
        than an upsampled imshow at this size, and the same picture."""
        live = LiveFigure(new_figure(WIDTH, 520))
        fig = live.fig
        time_edges = np.arange(T + 1) - 0.5
        top = fig.add_axes([0.07, 0.43, 0.86, 0.5])
        most_states = self.log_alpha.shape[-1]
        lattice = live.animate(top.pcolormesh(time_edges, np.arange(most_states + 1) - 0.5,
                                              np.zeros((most_states, T)), cmap="magma"))
        path = live.animate(top.plot([], [], color="#00e5ff", linewidth=2, marker="o", markersize=3, label=" ")[0])
        top.set_xlim(-0.5, T - 0.5)
        top.set_ylabel("extended label state", fontsize=FONT)
        top.tick_params(labelsize=FONT)
        colorbar = fig.colorbar(lattice, ax=top, fraction=0.02, pad=0.01)
        colorbar.ax.tick_params(labelsize=FONT)
        bottom = fig.add_axes([0.07, 0.08, 0.86 * 0.978, 0.25])
        classes = len(self.alphabet)
        frames = live.animate(_pixels(bottom, np.zeros((classes, T)), aspect="auto", cmap="Greys", vmin=0, vmax=1))
        frame_classes = live.animate(bottom.plot([], [], "o", color="#00b8d4", markersize=4)[0])
        bottom.set_yticks(range(classes), self.alphabet, fontsize=FONT)
        bottom.set_xlabel("time step (frame)", fontsize=FONT)
        bottom.tick_params(labelsize=FONT)
        for ax in (top, bottom):  # the frames of both panels go over their (animated) cells, as in a full draw
            for spine in ax.spines.values():
                live.animate(spine)
        legend = live.animate(top.legend(fontsize=FONT, loc="lower right"))
        # the lattice's rows (states) change with the label and its colour scale with the sample: the state
        # labels (the y axis) and the colour bar's ticks are drawn every frame, not kept in the background
        # (the colour bar's gradient looks the same for every scale)
        live.animate(top.yaxis)
        live.animate(colorbar.ax.yaxis)
        return {"live": live, "top": top, "lattice": lattice, "path": path, "path_label": legend.get_texts()[0],
                "top_title": live.animate(top.set_title("", fontsize=TITLE)), "frames": frames,
                "frame_classes": frame_classes, "bottom_title": live.animate(bottom.set_title("", fontsize=TITLE))}
