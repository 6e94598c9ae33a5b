"""widgets/figures.py's fast frames: what LiveFigure keeps between frames (deflated bands of rows, typeset
labels, the last PNG) must give the very pixels a frame drawn from scratch gives."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from widgets.base import Throttle
from widgets.figures import FONT, LiveFigure, PngFrames, new_figure, steady_limits


def decoded(png):
    return np.asarray(Image.open(io.BytesIO(png)))


def idat_stream(png):
    """The zlib stream of a PNG (its IDAT chunks joined)."""
    position, stream = 8, b""
    while position < len(png):
        length, tag = struct.unpack(">I4s", png[position:position + 8])
        if tag == b"IDAT":
            stream += png[position + 8:position + 8 + length]
        position += 12 + length
    return stream


def test_png_frames_deflate_again_only_changed_bands_and_round_trip_every_pixel():
    rng = np.random.default_rng(0)
    frames = PngFrames(band=4)
    picture = rng.integers(0, 256, (23, 9, 4), dtype=np.uint8)  # 23 rows: the last band is short
    picture[:, :, 3] = 255
    first = frames.png(picture)
    assert (decoded(first) == picture).all()
    bands = list(frames._deflated)
    picture[9, 2, :3] = 255 - picture[9, 2, :3]  # one pixel, in band 2 (rows 8-11)
    second = frames.png(picture)
    assert (decoded(second) == picture).all()
    assert [a is b for a, b in zip(bands, frames._deflated)] == [True, True, False, True, True, True]
    # zlib itself inflates the stream, checking its Adler-32 checksum
    rows = zlib.decompress(idat_stream(second))
    assert len(rows) == 23 * (1 + 4 * 9)
    smaller = rng.integers(0, 256, (5, 3, 4), dtype=np.uint8)
    assert (decoded(frames.png(smaller)) == smaller).all()  # a new size: every band deflated afresh


def labelled_figure(x, y):
    """A figure with a thick animated line and a label above it, at (x, y) in axes coordinates."""
    live = LiveFigure(new_figure(300, 200))
    ax = live.fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    line = live.animate(ax.plot([], [], linewidth=6)[0])
    label = live.label(ax.text(x, y, "", fontsize=FONT, va="top"))
    return live, line, label


def frame(figure, height, text):
    live, line, label = figure
    line.set_data([0, 1], [height, height])
    label.set_text(text)
    return decoded(live.png())


@pytest.mark.parametrize("x, y", [(0.31, 0.47), (0.123, 0.777), (0.5, 0.3)])
def test_a_pasted_label_gives_the_pixels_of_a_typeset_one(x, y):
    kept = labelled_figure(x, y)
    texts = ["±0.04", "lr = 1.00e-03"]
    for i, height in enumerate(np.linspace(y - 0.2, y + 0.05, 12)):  # the line passes under the label
        text = texts[i % 2]
        pasted = frame(kept, height, text)
        typeset = frame(labelled_figure(x, y), height, text)  # a fresh figure typesets it
        assert (pasted == typeset).all(), f"frame {i}: {(pasted != typeset).any(-1).sum()} pixels differ"
    assert set(kept[0].labels[kept[2]]) == set(texts)  # each string typeset once, then pasted


def test_png_with_an_unchanged_frame_returns_the_last_picture_undrawn():
    live, line, label = labelled_figure(0.3, 0.5)
    line.set_data([0, 1], [0.2, 0.2])
    first = live.png(key="a", frame=1)
    line.set_data([0, 1], [0.8, 0.8])  # not drawn: the caller says the frame is the same
    assert live.png(key="a", frame=1) is first
    backgrounds = []  # canvas.draw() draws the background; the animated artists are blitted on it
    draw = live.fig.canvas.draw
    live.fig.canvas.draw = lambda: (backgrounds.append(1), draw())
    second = live.png(key="a", frame=2)
    assert second != first and backgrounds == []  # a new frame is drawn, on the kept background
    assert live.png(key="b", frame=2) is not second and backgrounds == [1]  # a new key: the background again


def test_a_kept_background_pasted_again_gives_the_pixels_of_a_drawn_one():
    live = LiveFigure(new_figure(300, 200))
    ax = live.fig.add_subplot()
    line = live.animate(ax.plot([0, 1], [0.2, 0.8], linewidth=4)[0])
    draws = []
    live.fig.canvas.mpl_connect("draw_event", lambda event: draws.append(1))  # a full draw of the background
    pictures = {}
    for limits in [(0, 1), (0, 2), (0, 1), (0, 2), (-1, 1)]:
        ax.set_ylim(*limits)
        pictures.setdefault(limits, []).append(decoded(live.png(key=limits, keep=True)))
    assert len(draws) == 3  # (0, 1), (0, 2) and (-1, 1) drawn once each; their returns pasted
    for limits, seen in pictures.items():
        fresh = LiveFigure(new_figure(300, 200))
        fresh_ax = fresh.fig.add_subplot()
        fresh.animate(fresh_ax.plot([0, 1], [0.2, 0.8], linewidth=4)[0])
        fresh_ax.set_ylim(*limits)
        drawn = decoded(fresh.png(key=limits))
        assert all((picture == drawn).all() for picture in seen), limits
    kept_bytes = sum(len(deflated) for deflated, _ in live._kept.values())
    assert kept_bytes < 0.1 * 3 * drawn.size  # deflated: a small part of three RGBA pictures (drawn.size bytes each)
    assert line.get_animated()
    for i in range(LiveFigure.KEPT + 5):  # never more than KEPT backgrounds, the oldest dropped first
        ax.set_ylim(0, 3 + i)
        live.png(key=(0, 3 + i), keep=True)
    assert len(live._kept) == LiveFigure.KEPT and (0, 1) not in live._kept and (0, 7 + LiveFigure.KEPT) in live._kept


def test_steady_limits_with_headroom_move_a_few_times_for_a_falling_loss():
    loss = 2.3 * np.exp(-np.linspace(0, 4, 400)) + 0.05  # > 0, falling
    changes = {}
    for headroom in (0.0, 0.5):
        limits, changes[headroom] = None, 0
        for i in range(1, loss.size + 1):
            new = steady_limits(limits, loss[:i].min(), loss[:i].max(), headroom=headroom)
            changes[headroom] += new != limits
            limits = new
        assert limits[0] <= loss.min() and loss.max() <= limits[1]
        assert limits[0] > -0.1 * (loss.max() - loss.min()), "a loss's axis does not reach far below zero"
    assert changes[0.5] <= changes[0.0] / 2, changes
    assert steady_limits((0.0, 1.0), 0.2, 0.9, headroom=0.5) == (0.0, 1.0)  # data inside: no change


def test_throttle_share_is_a_budget_counted_from_restart():
    throttle = Throttle(0.0, share=0.1)
    throttle.restart()
    assert throttle.due()
    throttle.spend(0.05)  # an action of 50 ms: the next may run once 0.5 s have passed since restart
    assert not throttle.due() and 0.4 < throttle.wait() <= 0.5
    assert not throttle.ready() and throttle.ready(force=True)
    throttle.restart()  # a new run: a new budget
    assert throttle.spent == 0 and throttle.due()
    paced = Throttle(10.0)  # no share: the interval only
    assert paced.ready() and not paced.ready() and 9 < paced.wait() <= 10
