"""plot_model: a PNG is written, and no two boxes (nor their labels) overlap."""
import itertools

import matplotlib
import numpy as np
import pytest

from teachnet import examples
from teachnet.layers import Input
from teachnet.layers import merge
from teachnet.models.model import Model
from teachnet.utils.plot import plot_model
from tests.test_functional import Affine, Tanh

matplotlib.use("Agg")


def branchy_model(blocks=5):
    """About 30 layers: an input, then `blocks` blocks of three parallel
    branches concatenated, with a skip connection from each block's input."""
    x = inputs = Input(shape=(6,), name="features")
    for b in range(blocks):
        branches = [Affine(2, name=f"b{b}_branch{i}")(x) for i in range(3)]
        branches[2] = Tanh(name=f"b{b}_tanh")(branches[2])
        joined = merge.concatenate(branches + [x], name=f"b{b}_concat")
        x = Affine(6, name=f"b{b}_mix")(joined)
    heads = [Affine(1, name="price")(x), Affine(3, name="kind")(inputs)]
    return Model(inputs, heads)


def overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_readable(fig):
    """No two boxes overlap, and each label (as rendered) lies inside its box."""
    boxes = fig.box_extents
    for (name_a, a), (name_b, b) in itertools.combinations(boxes.items(), 2):
        assert not overlaps(a, b), f"boxes of {name_a} and {name_b} overlap: {a} {b}"
    renderer = fig.canvas.get_renderer()
    texts = fig.axes[0].texts
    assert len(texts) == len(boxes)
    for text in texts:
        name = text.get_text().split(" (")[0]
        e = text.get_window_extent(renderer)
        x0, y0, x1, y1 = boxes[name]
        assert x0 <= e.x0 and e.x1 <= x1 and y0 <= e.y0 and e.y1 <= y1, f"label of {name} leaves its box"


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
@pytest.mark.parametrize("show_shapes", [False, True])
def test_boxes_and_labels_do_not_overlap(rankdir, show_shapes, tmp_path):
    model = branchy_model()
    assert len(model.layers) >= 28
    path = tmp_path / "model.png"
    fig = plot_model(model, to_file=str(path), show_shapes=show_shapes, rankdir=rankdir)
    boxes = fig.box_extents
    assert set(boxes) == {layer.name for layer in model.layers}
    assert_readable(fig)
    renderer = fig.canvas.get_renderer()
    # The reported extents are where the patches really are.
    patch_extents = sorted(tuple(np.round(p.get_window_extent(renderer).extents, 1)) for p in fig.axes[0].patches
                           if type(p).__name__ == "FancyBboxPatch")
    assert patch_extents == sorted(tuple(np.round(b, 1)) for b in boxes.values())
    # A real picture was written.
    assert path.stat().st_size > 10_000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("builder", ["two_branch_model", "multi_head_model", "inception_block_model",
                                     "inception_conv_model"])
def test_the_worked_topologies_are_drawn_readably(builder):
    model = getattr(examples, builder)()
    for rankdir in ("TB", "LR"):
        assert_readable(plot_model(model, show_shapes=True, rankdir=rankdir))


def test_layers_are_layered_along_the_arrows():
    model = branchy_model(blocks=2)
    boxes = plot_model(model).box_extents
    for node in model._nodes:  # every arrow points down: the source box is above the target box
        for x in node.input_tensors:
            source, target = boxes[x.history[0].name], boxes[node.layer.name]
            assert source[1] >= target[3], (x.history[0].name, node.layer.name)


def test_shapes_and_names_options_change_the_labels():
    x = Input(shape=(3,), name="x")
    model = Model(x, Affine(2, name="out")(x))
    labels = [t.get_text() for t in plot_model(model, show_shapes=True).axes[0].texts]
    assert "out (Affine)\nin: (None, 3)\nout: (None, 2)" in labels
    labels = [t.get_text() for t in plot_model(model, show_layer_names=False).axes[0].texts]
    assert sorted(labels) == ["Affine", "InputLayer"]


def test_bad_arguments():
    x = Input(shape=(3,))
    model = Model(x, Affine(2)(x))
    with pytest.raises(ValueError, match=r"`rankdir`, expected \"TB\" or \"LR\". Received: rankdir='BT'"):
        plot_model(model, rankdir="BT")

    class Subclassed(Model):
        def call(self, inputs):
            return inputs
    with pytest.raises(ValueError, match="subclassed model"):
        plot_model(Subclassed(name="sub"))


def test_higher_dpi_scales_the_whole_picture():
    model = examples.inception_block_model()
    small, large = plot_model(model, dpi=96), plot_model(model, dpi=192)
    assert_readable(large)
    w_small, h_small = small.get_size_inches() * 96
    w_large, h_large = large.get_size_inches() * 192
    assert 1.8 < w_large / w_small < 2.2 and 1.8 < h_large / h_small < 2.2


def test_a_sequential_model_is_drawn_as_a_chain():
    import teachnet
    model = teachnet.Sequential([teachnet.Input(shape=(4,)), teachnet.layers.Dense(3, name="hidden"),
                                 teachnet.layers.Dense(1, name="out")])
    fig = plot_model(model, show_shapes=True)
    assert_readable(fig)
    boxes = fig.box_extents
    assert boxes["hidden"][1] > boxes["out"][3]  # hidden above out
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "out (Dense)\nin: (None, 3)\nout: (None, 1)" in labels


def test_jupyter_shows_the_figure_as_a_png():
    """The returned figure is shown as the cell's value, even without `%matplotlib inline`."""
    formatters = pytest.importorskip("IPython.core.formatters", reason="IPython formats notebook output")
    fig = plot_model(examples.two_branch_model())
    png = formatters.PNGFormatter()(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
