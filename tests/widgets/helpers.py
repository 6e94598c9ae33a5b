"""What the browser does to a widget's Play control, done headless.

The visible Play/Pause control is an `ipywidgets.Play` (widgets/base.py): its buttons set the timer's
`playing` trait (`_playing` in ipywidgets 7.x) and the browser's timer then bumps its `value` every
`interval` ms. These helpers do the same from Python.
"""
from widgets.base import is_playing, set_playing


def press_play(widget):
    """What clicking the Play button does: the timer's playing state becomes True."""
    set_playing(widget.ticker, True)


def press_pause(widget):
    """What clicking the Pause button does: the timer's playing state becomes False."""
    set_playing(widget.ticker, False)


def tick(widget):
    """One tick of the browser's timer, arriving on time (not queued behind the previous tick)."""
    widget._last_tick_end = -float("inf")
    widget.ticker.value += 1


def ticker_playing(widget):
    return is_playing(widget.ticker)
