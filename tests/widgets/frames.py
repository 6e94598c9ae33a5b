"""Checks that a view's fast frame (a kept background with the animated artists drawn over it, see
`widgets.figures.LiveFigure`) is the picture a full redraw of the same figure gives."""
import io

import numpy as np
from matplotlib.image import imread


def png_pixels(png):
    """PNG bytes as an (height, width, 3) uint8 array."""
    return (imread(io.BytesIO(png), format="png")[:, :, :3] * 255).round().astype(np.uint8)


def full_redraw(live):
    """The figure of `live` drawn from scratch, every artist at once (none kept as background
    pixels), as an (height, width, 3) uint8 array. The LiveFigure's own state is left as it was."""
    kept = live.animated + live.pinned
    for artist in kept:
        artist.set_animated(False)
    try:
        live.fig.canvas.draw()
        return np.asarray(live.fig.canvas.buffer_rgba())[:, :, :3].copy()
    finally:
        for artist in kept:
            artist.set_animated(True)


def assert_frame_is_a_full_redraw(png, live, tolerance=1):
    """The frame `png` equals a full redraw of `live`'s figure, up to `tolerance` levels per channel
    (blending an artist over kept pixels may round differently from blending it in one pass)."""
    frame, full = png_pixels(png).astype(int), full_redraw(live).astype(int)
    assert frame.shape == full.shape
    differ = np.abs(frame - full).max(axis=-1) > tolerance
    assert differ.mean() < 1e-3, f"{differ.sum()} pixels differ from a full redraw"
