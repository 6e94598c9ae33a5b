"""`plot_model`: a picture of a model's graph of layers, drawn with matplotlib only.

Keras draws models with graphviz; teachnet lays the graph out itself, in the
classic layered ("Sugiyama") way, so that no system package is needed:

1. layering: each layer goes on the rank of its longest path from an input,
   so every arrow points down (or right, with `rankdir="LR"`);
2. an arrow that skips ranks gets an invisible waypoint on each rank it
   crosses, so it is routed between boxes, not through them;
3. ordering: a few sweeps put each box at the mean position (barycenter) of
   its neighbours on the previous rank, which untangles most crossings;
4. boxes are sized from their text as the renderer measures it (in pixels),
   then placed with a fixed gap, so neither boxes nor labels overlap.

The figure is drawn in pixel units (1 data unit = 1 pixel at `dpi`), and the
returned figure carries `fig.box_extents`: each layer's box as
`(x0, y0, x1, y1)` in display pixels, for checks and for widgets.
"""
import io
import os

import numpy as np

from teachnet.models.summary import shape_text  # the summary's spelling of a shape

# matplotlib is imported inside the functions that draw, so that `import
# teachnet` stays fast for code that never draws.

FONT_SIZE = 10
# Distances in pixels at 96 dpi (scaled with `dpi`, like the text).
PAD_X, PAD_Y = 10, 6         # text to box border
GAP_WITHIN_RANK = 24         # between neighbouring boxes of one rank
GAP_BETWEEN_RANKS = 44       # room for the arrows
WAYPOINT_WIDTH = 12          # the lane reserved for an arrow crossing a rank
MARGIN = 12
BOX_COLOR, INPUT_COLOR, EDGE_COLOR = "#dbe9f6", "#e8f4e0", "#4a4a4a"


def plot_model(model, to_file=None, show_shapes=False, show_layer_names=True, rankdir="TB", dpi=96):
    """Draws the model's layers as boxes and the tensors between them as arrows.

    Args:
        model: a functional or Sequential model.
        to_file: a file name to write the picture to (PNG, or any format
            matplotlib knows from the extension); None writes nothing.
        show_shapes: add each layer's input and output shapes to its box.
        show_layer_names: show layer names (the class name is always shown).
        rankdir: "TB" draws top to bottom, "LR" left to right.
        dpi: resolution of the figure.

    Returns:
        A matplotlib Figure (shown by Jupyter when it is the cell's value),
        with `fig.box_extents = {layer name: (x0, y0, x1, y1)}` in pixels.

    Example:
        >>> fig = teachnet.utils.plot_model(model, "model.png", show_shapes=True)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch
    if rankdir not in ("TB", "LR"):
        raise ValueError(f'Received an invalid value for `rankdir`, expected "TB" or "LR". Received: '
                         f"rankdir={rankdir!r}")
    layers, edges, shapes = model_graph(model)
    labels = [_label(layer, shapes.get(id(layer)), show_shapes, show_layer_names) for layer in layers]
    scale = dpi / 96
    sizes = _measure(labels, dpi, scale)
    ranks = _longest_path_ranks(len(layers), edges)
    rows, waypoints, chains = _add_waypoints(ranks, edges)
    up, down = {}, {}  # neighbours on the rank before / after, along the chains
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    rows = _order_by_barycenter(rows, up, down)
    centers, bands, (width, height) = _place(rows, sizes, waypoints, up, rankdir, scale)

    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)  # pixel rows grow downwards, as on screen
    ax.axis("off")
    boxes = {}
    for i, (layer, label) in enumerate(zip(layers, labels)):
        (cx, cy), (w, h) = centers[i], sizes[i]
        boxes[i] = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        color = INPUT_COLOR if type(layer).__name__ == "InputLayer" else BOX_COLOR
        ax.add_patch(FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle="round,pad=0,rounding_size=4",
                                    facecolor=color, edgecolor="#2f4f6f", linewidth=1))
        ax.text(cx, cy, label, ha="center", va="center", fontsize=FONT_SIZE, family="DejaVu Sans",
                linespacing=1.3)
    rank_of = {k: r for r, row in enumerate(rows) for k in row}

    def at(point, across):  # the point moved across the ranks to `across`
        return (point[0], across) if rankdir == "TB" else (across, point[1])
    for chain, (start, end) in zip(chains, _ports(chains, centers, boxes, rankdir)):
        # Straight through each rank's band, slanted only in the gaps between
        # bands, where there are no boxes to cross.
        points = [start, at(start, bands[rank_of[chain[0]]][1])]
        for k in chain[1:-1]:
            points += [at(centers[k], bands[rank_of[k]][0]), at(centers[k], bands[rank_of[k]][1])]
        points += [at(end, bands[rank_of[chain[-1]]][0]), end]
        _draw_arrow(ax, [p for i, p in enumerate(points) if i == 0 or not np.allclose(p, points[i - 1])])
    # The boxes in display pixels (origin at the bottom left, as matplotlib's renderer).
    fig.box_extents = {layer.name: (float(x0), float(height - y1), float(x1), float(height - y0))
                       for i, layer in enumerate(layers) for (x0, y0, x1, y1) in [boxes[i]]}
    # Jupyter shows an object by its `_repr_png_`: the picture appears as the
    # cell's value even where no matplotlib backend was set up (%matplotlib).
    fig._repr_png_ = lambda: _png_bytes(fig)
    if to_file is not None:
        from teachnet.saving.atomic import atomic_write  # a failed save keeps any older picture
        extension = os.path.splitext(os.fspath(to_file))[1].lstrip(".").lower() or "png"
        with atomic_write(to_file) as tmp_path:
            fig.savefig(tmp_path, dpi=dpi, format=extension)
    return fig


def _png_bytes(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def model_graph(model):
    """The model's layers, the edges between them (index pairs) and the output shapes.

    A functional model gives its graph; a Sequential model a chain.
    """
    if hasattr(model, "_nodes"):  # functional: one box per layer, one arrow per connection
        layers = model.layers
        index = {id(layer): i for i, layer in enumerate(layers)}
        edges, shapes = [], {}
        for node in model._nodes:
            for x in node.input_tensors:
                edge = (index[id(x.history[0])], index[id(node.layer)])
                if edge not in edges and edge[0] != edge[1]:
                    edges.append(edge)
            outs = [x.shape for x in node.outputs]
            ins = [x.shape for x in node.input_tensors]
            shapes[id(node.layer)] = (ins[0] if len(ins) == 1 else ins or None, outs[0] if len(outs) == 1 else outs)
        return layers, edges, shapes
    if hasattr(model, "_output_shapes"):  # Sequential: a chain, with the shapes it knows
        first = getattr(model, "_input_layer", None)
        layers = ([first] if first is not None else []) + list(model.layers)
        shapes, previous = {}, getattr(first, "batch_shape", None)
        for layer in layers:
            out = previous if layer is first else model._output_shapes.get(id(layer))
            shapes[id(layer)] = (previous if layer is not first else None, out)
            previous = out
        return layers, [(i, i + 1) for i in range(len(layers) - 1)], shapes
    raise ValueError(f'plot_model draws functional and Sequential models; "{model.name}" '
                     f"({type(model).__name__}) is a subclassed model, whose graph is only known to its "
                     "`call` code. Build it with the functional API to draw it.")


def _label(layer, shapes, show_shapes, show_layer_names):
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    if show_shapes and shapes is not None:
        inputs, outputs = shapes
        if inputs is not None:
            lines.append(f"in: {shape_text(inputs)}")
        lines.append(f"out: {shape_text(outputs)}")
    return "\n".join(lines)


def _measure(labels, dpi, scale):
    """(width, height) of each box in pixels: the rendered text plus padding."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(dpi=dpi)
    renderer = FigureCanvasAgg(fig).get_renderer()
    sizes = []
    for label in labels:
        text = fig.text(0, 0, label, fontsize=FONT_SIZE, family="DejaVu Sans", linespacing=1.3)
        extent = text.get_window_extent(renderer)
        sizes.append((extent.width + 2 * PAD_X * scale, extent.height + 2 * PAD_Y * scale))
        text.remove()
    return sizes


def _longest_path_ranks(n, edges):
    """rank[i] = the length of the longest path from a source to box i."""
    parents = [[] for _ in range(n)]
    for a, b in edges:
        parents[b].append(a)
    ranks = [None] * n

    def rank(i, seen=()):
        if ranks[i] is None:
            ranks[i] = 1 + max((rank(p, seen + (i,)) for p in parents[i] if p not in seen), default=-1)
        return ranks[i]
    for i in range(n):
        rank(i)
    return ranks


def _add_waypoints(ranks, edges):
    """Rows of box indices per rank, with a waypoint (a new index) on every rank
    an edge skips; each edge becomes a chain of indices from its source to its target."""
    rows = [[] for _ in range(max(ranks) + 1)]
    for i, r in enumerate(ranks):
        rows[r].append(i)
    waypoints, chains, next_index = set(), [], len(ranks)
    for a, b in edges:
        chain = [a]
        for r in range(ranks[a] + 1, ranks[b]):
            rows[r].append(next_index)
            waypoints.add(next_index)
            chain.append(next_index)
            next_index += 1
        chains.append(chain + [b])
    return rows, waypoints, chains


def _order_by_barycenter(rows, up, down, sweeps=4):
    """Reorders each rank by the mean position of its neighbours on the rank
    before (sweeping down) or after (sweeping up): fewer crossing arrows."""
    rows = [list(row) for row in rows]
    for sweep in range(sweeps):
        order = range(1, len(rows)) if sweep % 2 == 0 else range(len(rows) - 2, -1, -1)
        neighbours = up if sweep % 2 == 0 else down
        for r in order:
            reference = rows[r - 1] if sweep % 2 == 0 else rows[r + 1]
            position = {k: i for i, k in enumerate(reference)}
            current = {k: i for i, k in enumerate(rows[r])}

            def barycenter(k):
                linked = [position[j] for j in neighbours.get(k, []) if j in position]
                return np.mean(linked) if linked else current[k]  # unlinked boxes stay put
            rows[r].sort(key=barycenter)  # stable: ties keep their order
    return rows


def _place(rows, sizes, waypoints, up, rankdir, scale):
    """Centers of boxes and waypoints (pixels), the band (start, end) of each
    rank across the ranks, and the figure size.

    Along a rank, items keep a fixed gap; each item is pulled towards the mean
    position of its neighbours on the previous rank, and the rank is then
    shifted so that it sits centered on those wishes.
    """
    along = 0 if rankdir == "TB" else 1  # the axis along a rank: x for TB, y for LR
    gap_within, gap_between, margin = GAP_WITHIN_RANK * scale, GAP_BETWEEN_RANKS * scale, MARGIN * scale

    def extent(k):
        if k in waypoints:
            return (WAYPOINT_WIDTH * scale, 0)
        w, h = sizes[k]
        return (w, h) if rankdir == "TB" else (h, w)  # (size along the rank, size across)
    depth = [max((extent(k)[1] for k in row), default=0) for row in rows]
    centers, bands = {}, []
    for r, row in enumerate(rows):
        wished = []  # the mean position of the neighbours on the rank before
        for k in row:
            linked = [centers[j][0] for j in up.get(k, []) if j in centers]
            wished.append(np.mean(linked) if linked else None)
        # Pack left to right with gaps, then shift to match the wishes on average.
        position, cursor = [], 0.0
        for k in row:
            size = extent(k)[0]
            position.append(cursor + size / 2)
            cursor += size + gap_within
        offsets = [w - p for w, p in zip(wished, position) if w is not None]
        shift = np.mean(offsets) if offsets else -cursor / 2
        band_start = margin + sum(depth[:r]) + r * gap_between
        bands.append((band_start, band_start + depth[r]))
        across = band_start + depth[r] / 2
        for k, p in zip(row, position):
            centers[k] = [p + shift, across]
    lo = min(c[0] - extent(k)[0] / 2 for k, c in centers.items())
    hi = max(c[0] + extent(k)[0] / 2 for k, c in centers.items())
    for c in centers.values():
        c[0] += margin - lo
    length_along = hi - lo + 2 * margin
    length_across = sum(depth) + gap_between * (len(rows) - 1) + 2 * margin
    if along == 0:
        return {k: tuple(c) for k, c in centers.items()}, bands, (length_along, length_across)
    return {k: (c[1], c[0]) for k, c in centers.items()}, bands, (length_across, length_along)


def _ports(chains, centers, boxes, rankdir):
    """Where each arrow leaves its source box and enters its target box: the
    arrows of one box are spread along its edge, in the order of the boxes at
    their other end, so they do not pile up on one point."""
    along = 0 if rankdir == "TB" else 1
    leaving, entering = {}, {}
    for i, chain in enumerate(chains):
        leaving.setdefault(chain[0], []).append(i)
        entering.setdefault(chain[-1], []).append(i)
    ports = [[None, None] for _ in chains]
    for end, groups in ((0, leaving), (1, entering)):
        for box, arrows in groups.items():
            other = (lambda i: centers[chains[i][1]]) if end == 0 else (lambda i: centers[chains[i][-2]])
            arrows = sorted(arrows, key=lambda i: other(i)[along])
            x0, y0, x1, y1 = boxes[box]
            for j, i in enumerate(arrows):
                f = (j + 1) / (len(arrows) + 1)
                if rankdir == "TB":
                    ports[i][end] = (x0 + f * (x1 - x0), y1 if end == 0 else y0)
                else:
                    ports[i][end] = (x1 if end == 0 else x0, y0 + f * (y1 - y0))
    return ports


def _draw_arrow(ax, points):
    """A polyline through `points`, with an arrowhead on the last segment."""
    from matplotlib.patches import FancyArrowPatch
    if len(points) > 2:
        xs, ys = zip(*points[:-1])
        ax.plot(xs, ys, color=EDGE_COLOR, linewidth=1, solid_capstyle="round")
    ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>", mutation_scale=10,
                                 color=EDGE_COLOR, linewidth=1, shrinkA=0, shrinkB=0))
