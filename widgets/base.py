"""What every teachnet widget shares.

- Pictures are matplotlib figures drawn off-screen (Agg, no pyplot state) and
  shown as PNG bytes in an `ipywidgets.Image`, updated in place. That works in
  JupyterLab, Notebook 7, VS Code and Colab (ipywidgets 7.7 and 8), where an
  interactive matplotlib backend often does not.
- Every widget also puts a static PNG in its display data, so a notebook saved
  with outputs shows the picture on GitHub or in nbconvert HTML.
- An exception inside a widget callback is shown in the widget (a red banner),
  never swallowed: a click that does nothing would teach nothing.
"""
import base64
import functools
import html
import io
import re
import time
import traceback

import ipywidgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 96


def new_figure(width_px, height_px, dpi=DPI):
    """A matplotlib Figure of the given size in pixels, not attached to pyplot."""
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def figure_to_png(fig):
    """The figure rendered to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


class Throttle:
    """Lets an action through at most once every `interval` seconds.

    Drawing a PNG takes tens of milliseconds; training a batch may take one.
    Redraws are throttled so that watching does not slow training down.
    """

    def __init__(self, interval):
        self.interval = interval
        self._last = -float("inf")

    def restart(self):
        """Counts the interval from now, as if the action had just run."""
        self._last = time.perf_counter()

    def due(self):
        """Whether `ready()` would let the action through now (without counting it)."""
        return time.perf_counter() - self._last >= self.interval

    def ready(self, force=False):
        now = time.perf_counter()
        if force or now - self._last >= self.interval:
            self._last = now
            return True
        return False


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
    """Base class of teachnet's widgets: a VBox with an error banner and a
    static PNG fallback in its display data.

    Subclasses implement `static_png()` (usually their main image's bytes) and
    wrap every callback that reacts to the user with `self.guarded(...)`.
    """

    last_error = None  # the exception last shown in the banner, for tests and debugging

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_banner = ErrorBanner()

    def static_png(self):
        raise NotImplementedError(f"{type(self).__name__} must implement static_png().")

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
