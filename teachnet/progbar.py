"""A text progress bar, drawn the way Keras draws it during `fit`.

    32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9000 - loss: 0.1000

With `verbose=1` the line is redrawn in place: a carriage return `\\r` moves
the cursor back to the start of the line, so a terminal and a Jupyter output
cell both show one line that fills up. Redraws are rate-limited (`interval`)
so a notebook receives a few clean updates instead of thousands. With
`verbose=2` nothing is drawn until the end, then one summary line is printed.

The values shown are the model's running metrics (already averaged over the
epoch by the metrics themselves), so they are printed as received.
"""
import math
import os
import sys
import time

GREEN, GREY, BOLD, RESET = "\x1b[32m", "\x1b[37m", "\x1b[1m", "\x1b[0m"


def _dynamic_display():
    """True where `\\r` redraws a line in place (terminal, Jupyter, PyCharm)."""
    return ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
            or "ipykernel" in sys.modules or "PYCHARM_HOSTED" in os.environ)


def format_value(value):
    """`0.1234` as "0.1234", tiny numbers in scientific notation (as Keras)."""
    if isinstance(value, str):
        return value
    value = float(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_time(seconds_per_unit, unit_name):
    """" 2ms/step", " 35us/step" or " 1s/step"."""
    if seconds_per_unit >= 1 or seconds_per_unit == 0:
        return f" {seconds_per_unit:.0f}s/{unit_name}"
    if seconds_per_unit >= 1e-3:
        return f" {seconds_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {seconds_per_unit * 1e6:.0f}us/{unit_name}"


class Progbar:
    """Displays a progress bar of `target` steps.

    Args:
        target: the number of steps, or None if unknown.
        width: the number of characters of the bar.
        verbose: 0 silent, 1 a bar redrawn in place, 2 one line at the end.
        interval: the minimum time in seconds between two redraws.
        unit_name: what a step is called ("step").
        stream: where to write (sys.stdout when None, looked up at each write
            so that Jupyter's and pytest's captured streams are honoured).

    Example:
        >>> bar = Progbar(target=3)
        >>> for step in range(1, 4):
        ...     bar.update(step, [("loss", 0.5)])
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, unit_name="step", stream=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stream = stream
        self._dynamic = _dynamic_display()
        self._values = {}  # name -> last value, in order of first appearance
        self._start = time.time()
        self._time_after_first_step = None
        self._last_update = 0.0
        self._prev_width = 0

    def _write(self, text):
        stream = self.stream or sys.stdout
        stream.write(text)
        stream.flush()

    def _seconds_per_step(self, current, now):
        # The first step is usually slow (building weights), so it is left
        # out of the estimate once there are more steps.
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step

    def update(self, current, values=None, finalize=None):
        """Shows that `current` steps are done.

        Args:
            current: the number of steps done so far.
            values: a list of `(name, value)` pairs to show after the bar.
            finalize: whether this is the last update (defaults to
                `current >= target`).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            self._values[name] = value
        now = time.time()
        per_step = self._seconds_per_step(current, now)
        metrics = "".join(f" - {name}: {format_value(v)}" for name, v in self._values.items())

        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._last_update = now
            if self.target:
                digits = int(math.log10(self.target)) + 1
                count = f"{current:{digits}d}/{self.target}"
                done = int(self.width * current / self.target)
                bar = f"{BOLD}{count}{RESET} {GREEN}{'━' * done}{RESET}{GREY}{'━' * (self.width - done)}{RESET}"
                visible = len(count) + 1 + self.width
            else:
                bar = f"{current:7d}/Unknown"
                visible = len(bar)
            if self.target and not finalize:
                eta = per_step * (self.target - current)
                if eta > 3600:
                    eta_text = f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
                elif eta > 60:
                    eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
                else:
                    eta_text = f"{int(eta)}s"
            else:
                eta_text = f"{now - self._start:.0f}s"
            info = f" {BOLD}{eta_text}{RESET}" + format_time(per_step, self.unit_name) + metrics
            visible += 1 + len(eta_text) + len(format_time(per_step, self.unit_name)) + len(metrics)
            # Redraw in place where possible; elsewhere (a log file) one line per update.
            line = ("\r" if self._dynamic else "\n") + bar + info
            if self._prev_width > visible:
                line += " " * (self._prev_width - visible)  # erase the end of a longer old line
            self._prev_width = visible
            self._write(line + ("\n" if finalize else ""))

        elif self.verbose == 2 and finalize:
            if self.target:
                digits = int(math.log10(self.target)) + 1
                count = f"{current:{digits}d}/{self.target}"
            else:
                count = f"{current}"
            self._write(f"{count} - {now - self._start:.0f}s -"
                        + format_time(per_step, self.unit_name) + metrics + "\n")
