"""What every teachnet widget shares.

- Pictures are matplotlib figures drawn off-screen (Agg, no pyplot state) and
  shown as PNG bytes in an `ipywidgets.Image`. A view builds each figure once
  and updates its artists in place (`set_data`, bar heights, `set_array`,
  texts) and `LiveFigure` draws only what moves over a kept background: a
  frame costs a fraction of a full redraw (benchmarks/bench.py --frames). Figures are sized in CSS pixels and rendered at
  `SCALE` times that, so they stay sharp on high-DPI screens; the images
  scale down to their container (`max-width: 100%`, height auto).
- Every widget also puts a static PNG in its display data, so a notebook saved
  with outputs shows the picture on GitHub or in nbconvert HTML.
- An exception inside a widget callback is shown in the widget (a red banner),
  never swallowed: a click that does nothing would teach nothing.
- Animated views (the dashboard, the Playground, the OptimizerRace) are driven
  by an `ipywidgets.Play` timer whose *own* buttons are the visible Play /
  Pause control (`WidgetView.make_play`). ipywidgets 7.x (Google Colab) starts
  the browser-side timer only from that button, never from Python, so the
  control must be the Play widget itself. Each tick runs the view's `tick()`
  in the kernel; the kernel stays free between ticks to handle Pause, sliders
  and other clicks.

How a browser test presses Play and Pause: the control carries the CSS class
`tn-play`. Play is the button showing the play icon,
`.tn-play button:has(i.fa-play)` (the first button in ipywidgets 7 and 8).
Pause is the button showing the pause icon, `.tn-play button:has(i.fa-pause)`:
in ipywidgets 8 that is the same first button (it toggles while playing), in
7.x the second one. A headless test sets the timer's trait instead:
`set_playing(widget.ticker, True)`, then bumps `widget.ticker.value` as the
browser's timer would (see `tick()` in tests/widgets/helpers.py).
"""
import base64
import datetime
import functools
import html
import re
import struct
import time
import traceback
import zlib

import ipywidgets
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

DPI = 96      # CSS pixels per inch: a figure of width w px is w / DPI inches wide
SCALE = 1.5   # rendered pixels per CSS pixel: sharp on high-DPI screens, cheap enough for 20 frames/s
PNG_COMPRESS_LEVEL = 1  # zlib level 1: a few ms per frame; level 6 (matplotlib's default) takes 3-5x longer
FONT, TITLE = 8.5, 9.5  # points: a 980 px picture shrunk into 820 px still shows text of ~9.5 px and more
# ipywidgets 8 calls the Play widget's state `playing`, 7.x `_playing`
PLAYING = "playing" if ipywidgets.Play.class_traits().get("playing") is not None else "_playing"


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
    """The figure rendered to PNG bytes, with fast compression (the Agg buffer encoded by Pillow)."""
    fig.canvas.draw()
    return canvas_png(fig.canvas)


def canvas_png(canvas):
    """What the Agg canvas holds now, as PNG bytes (RGB: the figures are opaque)."""
    return rgb_png(np.asarray(canvas.buffer_rgba())[:, :, :3])


def _png_chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def rgb_png(rgb):
    """An (height, width, 3) uint8 array as PNG bytes: every row with PNG's filter 0 (none), deflated at
    zlib level `PNG_COMPRESS_LEVEL`. Pillow tries every filter on every row ("adaptive"), which takes
    2-3x longer on these flat-coloured pictures and makes them no smaller."""
    height, width, _ = rgb.shape
    rows = np.empty((height, 1 + 3 * width), np.uint8)
    rows[:, 0] = 0  # the filter type of each row
    rows[:, 1:] = rgb.reshape(height, 3 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits per channel, RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), PNG_COMPRESS_LEVEL)) + _png_chunk(b"IEND", b""))


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
        header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits per channel, RGBA
        return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", stream)
                + _png_chunk(b"IEND", b""))


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

    def animate(self, artist):
        """Marks `artist` as drawn every frame (over the background); returns it."""
        artist.set_animated(True)
        self.animated.append(artist)
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
        for kept in (self.animated, self.pinned):
            if artist in kept:
                kept.remove(artist)
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


def image_widget(width_px, **layout):
    """An `ipywidgets.Image` shown `width_px` CSS pixels wide at most, shrinking with its container."""
    layout = {"margin": "0", **layout}  # the default 2 px margins would overflow a full-width picture
    return ipywidgets.Image(format="png", layout=ipywidgets.Layout(
        width=f"{width_px}px", max_width="100%", height="auto", **layout))


def row(children, **layout):
    """An HBox whose children wrap onto the next line when the notebook is too narrow for them."""
    layout = {"align_items": "center", **layout}
    return ipywidgets.HBox(children, layout=ipywidgets.Layout(flex_flow="row wrap", **layout))


def set_playing(play, value):
    """Starts or stops a `ipywidgets.Play` timer from Python (ipywidgets 8 honours it in the browser;
    7.x only stops there: it starts its timer from its own button)."""
    setattr(play, PLAYING, value)


def is_playing(play):
    return getattr(play, PLAYING)


def message_sent_at():
    """When the frontend sent the message the kernel is handling now, in seconds by the frontend's clock
    (the `date` the browser writes in every message's header); None outside a kernel or without a date."""
    from IPython import get_ipython  # IPython comes with ipywidgets
    kernel = getattr(get_ipython(), "kernel", None)  # the ipykernel running this code, if any
    if not hasattr(kernel, "get_parent"):  # no kernel (plain Python, tests) or ipykernel < 6
        return None
    date = kernel.get_parent("shell").get("header", {}).get("date")
    if isinstance(date, str):
        try:
            date = datetime.datetime.fromisoformat(date.replace("Z", "+00:00"))
        except ValueError:
            return None
    return date.timestamp() if isinstance(date, datetime.datetime) else None


class Throttle:
    """Lets an action through at most once every `interval` seconds and, given a `share`, only while
    the action has taken at most that share of the time since `restart()` (the time it took is
    counted with `spend`).

    Drawing a PNG takes tens of milliseconds; training a batch may take one.
    Redraws are throttled so that watching does not slow training down. The share is a budget kept
    over the whole run, not a pause after each action: a slow action (a figure built, a background
    drawn again) is paid back by the waits after it, while the cheap ones after it run at `interval`.
    """

    def __init__(self, interval, share=None):
        self.interval = interval
        self.share = share
        self._last = -float("inf")
        self._start = time.perf_counter()
        self.spent = 0.0  # seconds the action took since restart()

    def restart(self):
        """Counts the interval, and the share, from now, as if the action had just run."""
        self._last = self._start = time.perf_counter()
        self.spent = 0.0

    def spend(self, seconds):
        """Counts `seconds` that the action took against its share."""
        self.spent += seconds

    def wait(self):
        """Seconds until `ready()` would let the action through (0 when it would now)."""
        now = time.perf_counter()
        waits = [self._last + self.interval - now]
        if self.share is not None:  # until spent <= share * (time since restart)
            waits.append(self._start + self.spent / self.share - now)
        return max(0.0, *waits)

    def due(self):
        """Whether `ready()` would let the action through now (without counting it)."""
        return self.wait() == 0.0

    def ready(self, force=False):
        if force or self.due():
            self._last = time.perf_counter()
            return True
        return False


# -- traits whose refusals say what was expected ---------------------------------------------------
class _Refusing:
    """A trait type whose wrong value raises a ValueError (an unknown choice) or TypeError (a wrong
    type) naming the widget, the argument, what it accepts and what it received, shown in the
    widget's banner too, instead of traitlets' bare TraitError."""

    def error(self, obj, value, error=None, info=None):
        owner = type(obj).__name__ if obj is not None else "widget"
        if isinstance(self, traitlets.Enum):
            kind, expected = ValueError, f"one of {list(self.values)}"
        else:
            kind, expected = TypeError, self.info()
        refusal = kind(f"{owner}: received an invalid value for `{self.name}`, expected {expected}. "
                       f"Received: {self.name}={value!r} of type {type(value).__name__}")
        if isinstance(obj, WidgetView):
            obj.last_error = refusal
            obj.error_banner.show(refusal)
        raise refusal


class Enum(_Refusing, traitlets.Enum):
    """`traitlets.Enum` that refuses with a ValueError listing the valid values."""


class Int(_Refusing, traitlets.Int):
    """`traitlets.Int` that refuses with a TypeError saying what it expects."""


class Float(_Refusing, traitlets.Float):
    """`traitlets.Float` that refuses with a TypeError saying what it expects."""


class Bool(_Refusing, traitlets.Bool):
    """`traitlets.Bool` that refuses with a TypeError saying what it expects."""


class Unicode(_Refusing, traitlets.Unicode):
    """`traitlets.Unicode` that refuses with a TypeError saying what it expects."""


class List(_Refusing, traitlets.List):
    """`traitlets.List` that refuses with a TypeError saying what it expects."""


class Tuple(_Refusing, traitlets.Tuple):
    """`traitlets.Tuple` that refuses with a TypeError saying what it expects."""


class ErrorBanner(ipywidgets.HTML):
    """A red box that shows the last error of a widget; empty when all is well."""

    def show(self, error):
        name = type(error).__name__
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        self.value = (
            '<div style="background:#fdecea;border:1px solid #e57373;color:#b71c1c;'
            'padding:6px 10px;border-radius:4px;font-family:monospace;white-space:pre-wrap">'
            f"<b>{html.escape(name)}</b>: {html.escape(detail.split(': ', 1)[-1])}</div>")

    def clear(self):
        self.value = ""

    @property
    def message(self):
        """The text currently shown (empty string when there is no error)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.value))


def _model_id(widget):
    # ipywidgets 8 calls it model_id, 7.x _model_id
    return getattr(widget, "model_id", None) or widget._model_id


class WidgetView(ipywidgets.VBox):
    """Base class of teachnet's widgets: a VBox with an error banner, a static
    PNG fallback in its display data and, for animated views, a Play control.

    Subclasses implement `static_png()` (usually their main image's bytes) and
    wrap every callback that reacts to the user with `self.guarded(...)`.
    Animated views call `make_play(...)` and implement `tick()` (one step of
    the animation), `check_can_play()` (raises when Play cannot run) and
    optionally `on_pause()` (e.g. draw the final state).
    """

    last_error = None  # the exception last shown in the banner, for tests and debugging
    running = Bool(False, help="Whether Play is running (its timer ticking).")
    # Without the browser's send times (ticks from code), a tick handled this soon after the previous one
    # ended is taken as queued while that one ran (see `_tick_was_queued`).
    queued_tick_gap = 0.01  # seconds

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_banner = ErrorBanner()
        self.ticker = None
        self._last_tick_end = -float("inf")
        self._last_tick_sent = None  # (browser send time, seconds the tick took) of the last tick that ran

    def static_png(self):
        """The picture a saved notebook shows: the main image's bytes (`self.image`). A view with
        several pictures, or none called `image`, overrides it."""
        if not hasattr(self, "image"):
            raise NotImplementedError(f"{type(self).__name__} has no `image`: it must implement static_png().")
        return bytes(self.image.value)

    def guarded(self, fn):
        """Wraps a callback so that an exception is shown in the widget's banner
        (and clears the banner when the callback succeeds)."""
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                result = fn(*args, **kwargs)
            except Exception as error:  # shown to the learner, and kept for tests
                self.last_error = error
                self.error_banner.show(error)
                return None
            self.error_banner.clear()
            return result
        return wrapper

    def refuse(self, error):
        """Shows `error` in the banner and raises it (for mistakes made in code, e.g. a bad argument)."""
        self.last_error = error
        self.error_banner.show(error)
        raise error

    def button(self, label, action, tooltip, width="80px"):
        """A button that runs `action()` when clicked; an error it raises is shown in the banner."""
        button = ipywidgets.Button(description=label, tooltip=tooltip, layout=ipywidgets.Layout(width=width))
        button.on_click(self.guarded(lambda _: action()))
        return button

    def require(self, proposal, ok, expected):
        """A `traitlets.validate` body: the proposed value when `ok`, else a ValueError naming the widget,
        the trait, what it expects (`expected`: "> 0", "in [0, 9]", ...) and the value received."""
        if not ok:
            name, value = proposal.trait.name, proposal.value
            received = repr(value) if isinstance(value, str) else value
            raise ValueError(f"{type(self).__name__}: expected `{name}` {expected}. Received: {name}={received}")
        return proposal.value

    def require_count(self, proposal):
        """A `traitlets.validate` body for counts that must be >= 1 (steps per tick, max steps, ...)."""
        return self.require(proposal, proposal.value >= 1, ">= 1")

    def require_index(self, proposal, count):
        """A `traitlets.validate` body for an index into `count` things (a sample, a channel, a unit)."""
        return self.require(proposal, 0 <= proposal.value < count, f"in [0, {count - 1}]")

    # -- keyword arguments and controls bound to traits -------------------------------------------
    def set_traits_from(self, kwargs, settable):
        """Sets each trait named in `kwargs`; a name outside `settable` is a TypeError listing them."""
        name = type(self).__name__
        for key in kwargs:
            if key not in settable:
                raise TypeError(f"{name} got an unexpected argument {key!r}. Expected one of: "
                                f"{', '.join(sorted(settable))}. Received: {key}={kwargs[key]!r}")
        for key, value in kwargs.items():
            setattr(self, key, value)  # a wrong type or choice is refused by the trait types below

    def bind(self, control, name):
        """Keeps `control.value` and the trait `name` equal, both ways. A value the trait refuses is
        shown in the banner and the control goes back to the trait's value; a value set in code that a
        Dropdown or SelectionSlider does not offer joins its options. A List trait can be bound to a
        SelectMultiple (whose value is a tuple)."""
        def to_trait(change):
            try:
                setattr(self, name, change["new"])
            finally:
                control.value = getattr(self, name)

        def to_control(change):
            options = getattr(control, "options", None)
            one_of_options = isinstance(control, (ipywidgets.Dropdown, ipywidgets.SelectionSlider))
            if options is not None and one_of_options:
                values = [o[1] if isinstance(o, tuple) else o for o in options]
                if change["new"] not in values:  # a value set in code joins the options
                    control.options = sorted(set(options) | {change["new"]},
                                             key=lambda o: o[1] if isinstance(o, tuple) else o)
            control.value = change["new"]
        control.observe(self.guarded(to_trait), names="value")
        self.observe(to_control, names=name)
        return control

    # -- Play: the timer and its own buttons ------------------------------------------------------
    def make_play(self, interval_ms, description, tooltip=""):
        """The Play control: an `ipywidgets.Play` whose own play/pause buttons start and stop the
        animation (the only start ipywidgets 7.x honours). Each tick of its timer calls `tick()`."""
        play = ipywidgets.Play(value=0, min=0, max=10 ** 9, interval=interval_ms, description=description,
                               show_repeat=False, style={"description_width": "initial"},
                               layout=ipywidgets.Layout(width="auto", flex="0 0 auto"))
        if tooltip and play.has_trait("tooltip"):  # ipywidgets 8 (7.x has no tooltip on a Play)
            play.tooltip = tooltip
        play.add_class("tn-play")
        play.observe(self.guarded(self._on_play_state), names=PLAYING)
        play.observe(self.guarded(self._on_play_value), names="value")
        self.ticker = play
        return play

    def play(self):
        """Starts the animation (as the Play button does). In ipywidgets 7.x only the button starts
        the browser's timer."""
        self.check_can_play()
        self.running = True

    def pause(self):
        """Stops the animation after the current tick."""
        was_running = self.running
        self.running = False
        if was_running:
            self.on_pause()

    def check_can_play(self):
        """Raises an error saying why Play cannot run (e.g. no compiled model or no data)."""

    def tick(self):
        """One step of the animation (train a little, redraw)."""
        raise NotImplementedError(f"{type(self).__name__} must implement tick() to use make_play().")

    def on_pause(self):
        """Called when Pause stops a running animation."""

    @traitlets.observe("running")
    def _running_to_timer(self, change):
        if self.ticker is not None and is_playing(self.ticker) != change["new"]:
            set_playing(self.ticker, change["new"])

    def _on_play_state(self, change):
        """The Play widget's own buttons (or set_playing) started or stopped its timer."""
        if change["new"] and not self.running:
            try:
                self.check_can_play()
            except Exception:
                set_playing(self.ticker, False)  # the button goes back to Play; the banner says why
                raise
            self.running = True
        elif not change["new"] and self.running:
            self.pause()

    def _on_play_value(self, change):
        """A tick of the timer."""
        # While the kernel is busy with a tick, ipywidgets 8 keeps the timer's next value in the browser and
        # sends it with whatever changes next: a Pause clicked meanwhile arrives in the same message as a
        # tick. Traitlets sets both before notifying, so that tick sees the timer stopped and is dropped.
        if not self.running or not is_playing(self.ticker):
            return
        sent, started = message_sent_at(), time.perf_counter()
        if self._tick_was_queued(sent, started):
            return
        try:
            self.tick()
        except Exception:
            self.running = False  # an error stops Play; the banner shows it
            raise
        finally:
            self._last_tick_end = time.perf_counter()
            self._last_tick_sent = None if sent is None else (sent, self._last_tick_end - started)

    def _tick_was_queued(self, sent, now):
        """Whether this tick waited in the kernel's queue while the previous one ran: it is then dropped, so
        that ticks never pile up and a Pause sent behind them is handled at once.

        A tick sent (by the browser's clock, `sent`) less than the previous tick's duration after the previous
        one was sent reached the kernel while that one ran. (ipywidgets 7 and 8 hold a widget's changes back
        while its last message is unanswered, so this is rare; a frontend that does not sends a tick every
        `interval` ms.) Without send times, a tick handled within `queued_tick_gap` of the previous one's end
        counts as queued: a guess, as on a loaded machine the kernel may take longer between two messages."""
        if sent is not None and self._last_tick_sent is not None:
            previous_sent, previous_took = self._last_tick_sent
            return 0 <= sent - previous_sent < previous_took
        if now - self._last_tick_end < self.queued_tick_gap:
            self._last_tick_end = now  # the next one queued behind it is measured from here
            return True
        return False

    def _repr_mimebundle_(self, **kwargs):
        data = {
            "text/plain": f"<{type(self).__name__}: a teachnet widget; run the notebook to use it>",
            "image/png": base64.b64encode(self.static_png()).decode("ascii"),
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": _model_id(self)},
        }
        return data

    def _ipython_display_(self, **kwargs):
        # ipywidgets 7 displays through this hook; route it through the same bundle.
        from IPython.display import display
        display(self._repr_mimebundle_(), raw=True)


class LiveTrainer(WidgetView):
    """What the lessons' small live views share: a Play control (`make_play`) and a Step button, each
    tick taking `steps_per_tick` steps of `advance` and redrawing; Play pauses itself at `max_steps`.

    Subclasses implement `advance(steps)` (train, without drawing) and `draw()` (the picture as PNG bytes, put
    in `self.image` by `redraw()`), and put `self.buttons` where they want it among their children. The same steps run from code,
    `view.advance(20); view.redraw()`, which is how the saved notebooks and the tests drive them.
    """

    steps_per_tick = Int(1, help="Steps taken at each tick of Play.")
    max_steps = Int(2000, help="Play pauses after this many steps.")
    step = Int(0, help="Steps taken since the last reset.")

    def __init__(self, interval_ms=200, description="train", **kwargs):
        super().__init__(**kwargs)
        self.play_button = self.make_play(interval_ms, description, "Train continuously until Pause")
        self.step_button = self.button("Step", self.take_step, "Train one step")
        self.buttons = row([self.play_button, self.step_button])

    @traitlets.validate("steps_per_tick", "max_steps")
    def _valid_count(self, proposal):
        return self.require_count(proposal)

    def take_step(self):
        """One step, then a redraw."""
        self.advance(1)
        self.redraw()

    def tick(self):
        self.advance(self.steps_per_tick)
        if self.step >= self.max_steps:
            self.pause()
        else:
            self.redraw()

    def on_pause(self):
        self.redraw()

    def advance(self, steps):
        raise NotImplementedError(f"{type(self).__name__} must implement advance(steps).")

    def redraw(self):
        """Draws the picture again into `self.image`."""
        self.image.value = self.draw()

    def draw(self):
        raise NotImplementedError(f"{type(self).__name__} must implement draw() (or redraw()).")
