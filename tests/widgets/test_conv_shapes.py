"""ConvShapeExplorer's picture follows its sliders: the squares and grids drawn are the ones the settings
and the layer's output shape give, updated in place in one kept figure."""
from tests.widgets.frames import assert_frame_is_a_full_redraw
from widgets.conv_shapes import ConvShapeExplorer


def test_sliders_redraw_the_grids_and_windows_in_place():
    explorer = ConvShapeExplorer(image_size=12)
    figure = explorer._figure
    for name, value in (("kernel_size", 5), ("strides", 2), ("padding", "same"), ("image_size", 9),
                        ("kernel_size", 7), ("padding", "valid"), ("image_size", 5), ("image_size", 16)):
        before = bytes(explorer.image.value)
        explorer.controls[name].value = value
        f = explorer._figure
        assert f is figure  # kept and updated, not rebuilt
        n, k, s = explorer.image_size, explorer.kernel_size, explorer.strides
        pad = (k - 1) // 2 if explorer.padding == "same" else 0
        assert f["image"].get_bbox().bounds == (0, 0, n, n)
        assert len(f["image_grid"].get_segments()) == 2 * (n + 1)
        assert f["window"].get_bbox().bounds == (-pad, n + pad - k, k, k)
        assert f["next_window"].get_visible() == (s < n)
        assert f["image_title"].get_text() == f"image {n}x{n}, window {k}x{k}, stride {s}"
        if explorer.output_shape:
            m = explorer.output_shape[0]
            assert f["output"].get_visible() and f["output"].get_bbox().bounds == (0, 0, m, m)
            assert len(f["output_grid"].get_segments()) == 2 * (m + 1)
            assert f["output_title"].get_text() == f"output {m}x{m}, {explorer.filters} channels"
        else:  # the window does not fit: no output is drawn
            assert not any(artist.get_visible() for artist in f["output_artists"])
            assert f["output_title"].get_text() == ""
        assert bytes(explorer.image.value) != before, (name, value)
        assert_frame_is_a_full_redraw(bytes(explorer.image.value), f["live"])


def test_a_first_picture_without_output_then_with_one():
    explorer = ConvShapeExplorer(kernel_size=7, image_size=5)  # the first background: nothing on the right
    assert explorer.output_shape == ()
    explorer.image_size = 9
    f = explorer._figure
    assert f["output_title"].get_text() == "output 3x3, 8 channels"
    assert_frame_is_a_full_redraw(bytes(explorer.image.value), f["live"])
