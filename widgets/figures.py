"""The pictures of teachnet's widgets: matplotlib figures drawn off-screen, sent as PNG bytes.

- A figure is drawn with Agg, without pyplot's state (`new_figure`), sized in CSS pixels and rendered at
  `SCALE` times that, so it stays sharp on high-DPI screens; the images scale down to their container.
- A view builds each figure once and updates its artists in place (`set_data`, bar heights, `set_array`,
  texts); `LiveFigure` draws only what moves over a kept background, and `PngFrames` deflates again only
  the rows that changed: a frame costs a fraction of a full redraw (benchmarks/bench.py --frames).
- `steady_limits` keeps axis limits still while the data fit, so the background is drawn again rarely.
"""
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

DPI = 96      # CSS pixels per inch: a figure of width w px is w / DPI inches wide
SCALE = 1.5   # rendered pixels per CSS pixel: sharp on high-DPI screens, cheap enough for 20 frames/s
PNG_COMPRESS_LEVEL = 1  # zlib level 1: a few ms per frame; level 6 (matplotlib's default) takes 3-5x longer
FONT, TITLE = 8.5, 9.5  # points: a 980 px picture shrunk into 820 px still shows text of ~9.5 px and more


def new_figure(width_px, height_px, dpi=DPI):
    """A matplotlib Figure `width_px` x `height_px` CSS pixels, not attached to pyplot.

    It is rendered at `SCALE` x the resolution, so font sizes in points keep their size on screen."""
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi * SCALE)
    FigureCanvasAgg(fig)
    return fig


def css_height(fig):
    """The figure's height in CSS pixels (its bbox counts rendered pixels, SCALE times more)."""
    return fig.get_figheight() * DPI


def figure_to_png(fig):
    """The figure rendered to PNG bytes, with fast compression (the Agg buffer encoded by `rgb_png`)."""
    fig.canvas.draw()
    return canvas_png(fig.canvas)


def canvas_png(canvas):
    """What the Agg canvas holds now, as PNG bytes (RGB: the figures are opaque)."""
    return rgb_png(np.asarray(canvas.buffer_rgba())[:, :, :3])


def _png_chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _png(width, height, colour_type, stream):
    """PNG bytes of an image `width` x `height`, 8 bits per channel, of PNG colour type `colour_type`
    (2: RGB, 6: RGBA), whose filtered rows `stream` holds zlib-compressed."""
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)  # no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", stream)
            + _png_chunk(b"IEND", b""))


def rgb_png(rgb):
    """An (height, width, 3) uint8 array as PNG bytes: every row with PNG's filter 0 (none), deflated at
    zlib level `PNG_COMPRESS_LEVEL`. Pillow tries every filter on every row ("adaptive"), which takes
    2-3x longer on these flat-coloured pictures and makes them no smaller."""
    height, width, _ = rgb.shape
    rows = np.empty((height, 1 + 3 * width), np.uint8)
    rows[:, 0] = 0  # the filter type of each row
    rows[:, 1:] = rgb.reshape(height, 3 * width)
    return _png(width, height, 2, zlib.compress(rows.tobytes(), PNG_COMPRESS_LEVEL))


class PngFrames:
    """PNG bytes of the successive frames of one picture, deflating again only the rows that changed.

    The rows are cut into bands of `band` rows, each deflated on its own (a zlib full flush ends each
    band: no band refers back to another, so the stream is the bands' bytes one after the other); a
    band whose pixels are the last frame's keeps its deflated bytes. A frame in which a few numbers
    changed costs the deflating of the few bands they sit in. The pixels are written as RGBA (PNG
    colour type 6): the canvas's own buffer, copied once, with no per-pixel repacking."""

    def __init__(self, band=16):
        self.band = band
        self._rows = None  # the last frame: (height, 1 + 4 * width) bytes, each row led by its filter type
        self._deflated = []  # its bands, deflated

    def png(self, rgba):
        """An (height, width, 4) uint8 array as PNG bytes."""
        height, width, _ = rgba.shape
        rows = np.empty((height, 1 + 4 * width), np.uint8)
        rows[:, 0] = 0  # filter none
        rows[:, 1:] = rgba.reshape(height, 4 * width)
        same_size = self._rows is not None and self._rows.shape == rows.shape
        deflated = []
        for i, start in enumerate(range(0, height, self.band)):
            band = rows[start:start + self.band]
            if same_size and np.array_equal(band, self._rows[start:start + self.band]):
                deflated.append(self._deflated[i])
            else:
                deflate = zlib.compressobj(PNG_COMPRESS_LEVEL, zlib.DEFLATED, -15)  # raw deflate
                deflated.append(deflate.compress(band) + deflate.flush(zlib.Z_FULL_FLUSH))
        self._rows, self._deflated = rows, deflated
        # zlib's stream: its header (deflate, fastest), the bands, an empty final block, the checksum
        stream = b"\x78\x01" + b"".join(deflated) + b"\x03\x00" + struct.pack(">I", zlib.adler32(rows))
        return _png(width, height, 6, stream)


def steady_limits(current, low, high, log=False, margin=0.08, headroom=0.0):
    """Axis limits that change rarely (each change redraws a LiveFigure's background): `current`
    while the data range [low, high] fits inside it and fills at least 40% of it, else the data range
    with a margin (on a log axis, in decades). With `headroom`, limits that the data outgrew leave
    `headroom` times the data's span free on the side it grew (a falling loss keeps falling), so that
    a curve that keeps growing moves the limits a few times, not at every frame."""
    if log:
        if not (low > 0 and high > 0):
            return current or (0.1, 1.0)
        limits = steady_limits(None if current is None else tuple(np.log10(current)), np.log10(low),
                               np.log10(high), margin=margin, headroom=headroom)
        return None if current is None and limits is None else tuple(10.0 ** np.asarray(limits))
    if not (np.isfinite(low) and np.isfinite(high)):
        return current or (0.0, 1.0)
    if high - low < 1e-12 * max(abs(low), abs(high), 1e-30):
        low, high = low - max(abs(low) * 0.1, 1e-6), high + max(abs(high) * 0.1, 1e-6)
    if current is not None:
        c0, c1 = current
        if c0 <= low and high <= c1 and high - low >= 0.4 * (c1 - c0):
            return current
        if headroom and (low < c0 or high > c1):  # outgrown: room to grow on the side(s) it grew
            span = high - low
            lower = low - (headroom if low < c0 else margin) * span
            upper = high + (headroom if high > c1 else margin) * span
            if low >= 0:  # not across zero (a loss does not fall below it): at most the margin beyond
                lower = max(lower, -margin * span)
            if high <= 0:
                upper = min(upper, margin * span)
            return (lower, upper)
    span = high - low
    return (low - margin * span, high + margin * span)


def nice_ceiling(value):
    """The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 (times a power of ten) at or above `value` (> 0)."""
    if not value > 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    return next(m * power for m in (1, 1.5, 2, 3, 4, 5, 6, 8, 10) if m * power >= value * (1 - 1e-9))


class LiveFigure:
    """A figure drawn in two layers, the way animations are drawn fast (matplotlib's blitting):
    the background (axes, ticks, labels: everything not marked animated) is rendered once per `key`
    and kept as pixels; each frame restores those pixels and draws only the animated artists
    (lines, images, bars, changing texts) over them.

    Text is most of a matplotlib figure's drawing time, and most of it does not change between
    frames: a frame that draws a few lines and numbers costs a fraction of a full draw.

    Example:
        >>> live = LiveFigure(new_figure(400, 300))
        >>> ax = live.fig.add_subplot()
        >>> line = live.animate(ax.plot([], [])[0])
        >>> line.set_data(x, y); png = live.png(key=(ax.get_xlim(), ax.get_ylim()))
    """

    def __init__(self, fig):
        self.fig = fig
        self.animated = []
        self.pinned = []  # opaque artists on top of the animated ones, kept as pixels
        self.labels = {}  # text artist -> {string: its pixels}, for texts given to `label`
        self._background = None
        self._sprites = []
        self._key = None
        self._frame = self._png = None  # what the last frame showed, and its PNG
        self._encoder = PngFrames()
        self._kept = {}  # key -> (its background's pixels deflated, the pinned artists' pixels), see `png(keep=...)`

    def animate(self, artist, position=None):
        """Marks `artist` as drawn every frame (over the background), after the others or at `position`
        in their drawing order (0: under them all); returns it."""
        artist.set_animated(True)
        self.animated.insert(len(self.animated) if position is None else position, artist)
        return artist

    def pin(self, artist):
        """Marks `artist` (an opaque box that does not change, e.g. a legend with `framealpha=1` and
        `fancybox=False`) as drawn over the animated artists. It is rendered once per `key` and then
        pasted as pixels: legends are text, and text is the slow part of a frame. Returns it."""
        artist.set_animated(True)
        self.pinned.append(artist)
        return artist

    def label(self, text, facecolor="white", pad=1.0):
        """Marks `text` as animated and drawn from cached pixels when its string is one drawn before.

        The text gets an opaque box (`facecolor`, `pad` points around the letters), so its pixels do
        not depend on what is under it: a label whose string repeats (a range such as "±0.04", a
        learning rate) is pasted, not typeset again (text is the slow part of a frame). Its place and
        style are kept with its pixels until the background is drawn again. Returns it."""
        # a square box, not antialiased: every pixel of it is wholly the box's (none blends with what is under)
        text.set_bbox({"facecolor": facecolor, "edgecolor": "none", "pad": pad, "antialiased": False})
        self.labels[text] = {}
        return self.animate(text)

    def forget(self, artist):
        """Stops drawing an artist given to `animate` or `pin` (the caller removes it from its axes)."""
        if artist in self.pinned:
            self.pinned.remove(artist)
            self._background = None  # its pixels are in the kept sprites: the next frame draws all again
            self._kept.clear()
        if artist in self.animated:
            self.animated.remove(artist)
        self.labels.pop(artist, None)

    KEPT = 16  # at most this many backgrounds kept by `png(keep=True)` (the oldest goes first)

    def png(self, key=None, frame=None, keep=False):
        """The frame as PNG bytes. The background (and the pinned artists' pixels) is drawn again only
        when `key` (anything that changes the non-animated artists, e.g. axis limits or static texts)
        differs from last time. `frame`, when given, stands for what the animated artists show (their
        texts, a data version): the same `frame` and `key` as last time return the last PNG, undrawn.

        `keep=True` also keeps this background for a later frame with the same key (and `keep=True`),
        which then pastes it instead of drawing it again: a view that goes back to a few backgrounds
        (OptimizerRace's surfaces, LossExplorer's losses) redraws them at the cost of an unchanged frame.
        A kept background is deflated (zlib level 1: a few ms; 0.1-0.3 MB instead of 2.5-4 MB of pixels);
        `key` must then be hashable."""
        if frame is not None and self._png is not None and (key, frame) == (self._key, self._frame):
            return self._png
        canvas = self.fig.canvas
        if self._background is None or key != self._key:
            if keep and key in self._kept:
                deflated, self._sprites = self._kept[key]
                pixels = np.asarray(canvas.buffer_rgba())  # (height, width, 4): the canvas's own buffer, writable
                pixels[...] = np.frombuffer(zlib.decompress(deflated), np.uint8).reshape(pixels.shape)
                self._background, self._key = canvas.copy_from_bbox(self.fig.bbox), key
            else:
                canvas.draw()  # skips the animated and pinned artists
                self._background, self._key = canvas.copy_from_bbox(self.fig.bbox), key
                deflated = zlib.compress(np.asarray(canvas.buffer_rgba()), 1) if keep else None
                self._sprites = []
                for artist in self.pinned:
                    if artist.get_visible():
                        self.fig.draw_artist(artist)
                        # 2 pixels around its box: the outer half of the box's edge lies outside the box
                        extent = artist.get_window_extent(canvas.get_renderer()).padded(2)
                        self._sprites.append(canvas.copy_from_bbox(extent))
                if keep:
                    if len(self._kept) >= self.KEPT:
                        del self._kept[next(iter(self._kept))]
                    self._kept[key] = (deflated, self._sprites)
            for drawn in self.labels.values():  # a new background may move them: typeset them again
                drawn.clear()
        canvas.restore_region(self._background)
        for artist in self.animated:
            if not artist.get_visible():
                continue
            drawn = self.labels.get(artist)
            if drawn is None:
                self.fig.draw_artist(artist)
            elif artist.get_text() in drawn:
                canvas.restore_region(drawn[artist.get_text()])
            else:
                self.fig.draw_artist(artist)
                if len(drawn) >= 64:  # a label whose string keeps changing: keep the latest ones
                    drawn.clear()
                drawn[artist.get_text()] = canvas.copy_from_bbox(_box_pixels(artist.get_bbox_patch(), canvas))
        for sprite in self._sprites:
            canvas.restore_region(sprite)
        self._frame, self._png = frame, self._encoder.png(np.asarray(canvas.buffer_rgba()))
        return self._png


def _box_pixels(patch, canvas):
    """The pixels a label's box (not antialiased) covers: those whose centre is inside it."""
    extent = patch.get_window_extent(canvas.get_renderer())
    return Bbox.from_extents(*np.round(extent.extents))
