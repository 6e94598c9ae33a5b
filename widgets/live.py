"""LiveTrainer: what the lessons' small live views share: Play / Pause / Step buttons driving a timer.

Play starts an `ipywidgets.Play` timer whose ticks each run `advance(steps_per_tick)` and redraw, so the
kernel stays free between ticks to handle Pause (a cell running one long loop would handle no clicks
until it ends). The same steps run from code, `view.advance(20); view.redraw()`, which is how the saved
notebooks and the tests drive them.
"""
import ipywidgets
import traitlets

from widgets.base import WidgetView


class LiveTrainer(WidgetView):
    """A WidgetView with Play, Pause and Step. Subclasses implement `advance(steps)` (train, without drawing),
    `redraw()` and `static_png()`, and put `self.buttons` where they want it among their children."""

    running = traitlets.Bool(False, help="Whether Play is running.")
    steps_per_tick = traitlets.Int(1, help="Steps taken at each tick of Play.")
    max_steps = traitlets.Int(2000, help="Play pauses after this many steps.")
    step = traitlets.Int(0, help="Steps taken since the last reset.")

    def __init__(self, interval_ms=200, **kwargs):
        super().__init__(**kwargs)
        self.play_button = self._button("Play", self.play, "Train continuously until Pause")
        self.pause_button = self._button("Pause", self.pause, "Stop after the current tick")
        self.step_button = self._button("Step", self.take_step, "Train one step")
        # the timer: the front end bumps `value` every `interval` ms while playing
        self.ticker = ipywidgets.Play(interval=interval_ms, min=0, max=10**9,
                                      layout=ipywidgets.Layout(display="none"))
        self.ticker.observe(self.guarded(self._on_tick), names="value")
        self.buttons = ipywidgets.HBox([self.play_button, self.pause_button, self.step_button, self.ticker])

    def _button(self, label, action, tip, width="80px"):
        button = ipywidgets.Button(description=label, tooltip=tip, layout=ipywidgets.Layout(width=width))
        button.on_click(self.guarded(lambda _: action()))
        return button

    @traitlets.validate("steps_per_tick", "max_steps")
    def _valid_count(self, proposal):
        if proposal.value < 1:
            raise ValueError(f"{type(self).__name__}: expected `{proposal.trait.name}` >= 1. "
                             f"Received: {proposal.trait.name}={proposal.value}")
        return proposal.value

    @traitlets.observe("running")
    def _start_or_stop_ticker(self, change):
        # ipywidgets 8 calls the trait `playing`, 7.x `_playing`
        setattr(self.ticker, "playing" if self.ticker.has_trait("playing") else "_playing", change["new"])

    def play(self):
        """Takes `steps_per_tick` steps at each tick of the timer until `pause()` (or `max_steps`)."""
        self.running = True

    def pause(self):
        """Stops Play and draws the current state."""
        self.running = False
        self.redraw()

    def take_step(self):
        """One step, then a redraw."""
        self.advance(1)
        self.redraw()

    def _on_tick(self, change):
        if not self.running:
            return
        try:
            self.advance(self.steps_per_tick)
        except Exception:
            self.running = False  # an error stops Play; the banner shows it
            raise
        if self.step >= self.max_steps:
            self.running = False
        self.redraw()

    def advance(self, steps):
        raise NotImplementedError(f"{type(self).__name__} must implement advance(steps).")

    def redraw(self):
        raise NotImplementedError(f"{type(self).__name__} must implement redraw().")
