"""The Keras-format progress bar: what it writes for verbose=1 (in place and line by line) and verbose=2."""
import io
import re

import pytest

from teachnet import progbar
from teachnet.progbar import Progbar, format_time, format_value

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text):
    return ANSI.sub("", text)


def bar(dynamic, **kwargs):
    stream = io.StringIO()
    bar = Progbar(stream=stream, interval=0, **kwargs)
    bar._dynamic = dynamic
    return bar, stream


@pytest.mark.parametrize("value, text", [
    (0.5, "0.5000"), (12.0, "12.0000"), (0.0001234, "1.2340e-04"), ("n/a", "n/a"), (0, "0.0000e+00"),
])
def test_format_value_as_keras(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize("seconds, text", [
    (2.0, " 2s/step"), (0.0, " 0s/step"), (0.0123, " 12ms/step"), (3.5e-5, " 35us/step"),
])
def test_format_time(seconds, text):
    assert format_time(seconds, "step") == text


def test_verbose_1_redraws_one_line_in_place_and_ends_it():
    b, stream = bar(dynamic=True, target=4)
    for step in range(1, 5):
        b.update(step, [("loss", 1.0 / step)])
    out = plain(stream.getvalue())
    assert out.count("\r") == 4 and out.endswith("\n") and out.count("\n") == 1
    last = out.split("\r")[-1]
    assert last.startswith("4/4 " + "━" * 20)
    assert last.rstrip().endswith("loss: 0.2500")


def test_verbose_1_without_a_terminal_writes_a_line_per_update():
    b, stream = bar(dynamic=False, target=2)
    b.update(1, [("acc", 0.5)])
    b.update(2, [("acc", 0.75)])
    lines = plain(stream.getvalue()).strip("\n").split("\n")
    assert len(lines) == 2 and "\r" not in stream.getvalue()
    assert lines[0].startswith("1/2 " + "━" * 10) and lines[1].endswith("acc: 0.7500")


def test_a_shorter_line_erases_the_end_of_a_longer_one():
    b, stream = bar(dynamic=True, target=10)
    b.update(1, [("a_very_long_metric_name", 1.0)])
    b._values.clear()
    b.update(2, [("x", 1.0)])
    first, second = plain(stream.getvalue()).split("\r")[1:]
    assert len(second) >= len(first)  # padded with spaces over the old text


def test_verbose_2_prints_once_at_the_end():
    b, stream = bar(dynamic=True, target=3, verbose=2)
    b.update(1, [("loss", 3.0)])
    b.update(2, [("loss", 2.0)])
    assert stream.getvalue() == ""
    b.update(3, [("loss", 1.0)])
    out = plain(stream.getvalue())
    assert out.startswith("3/3 - ") and out.endswith("loss: 1.0000\n") and out.count("\n") == 1


def test_verbose_0_is_silent():
    b, stream = bar(dynamic=True, target=2, verbose=0)
    b.update(1)
    b.update(2)
    assert stream.getvalue() == ""


def test_unknown_target_counts_steps():
    b, stream = bar(dynamic=True, target=None)
    b.update(17, [("loss", 0.5)])
    assert "17/Unknown" in plain(stream.getvalue())
    b.update(18, finalize=True)
    assert plain(stream.getvalue()).endswith("\n")


def test_redraws_are_rate_limited_but_the_last_step_always_shows():
    stream = io.StringIO()
    b = Progbar(target=1000, stream=stream, interval=3600)
    b._dynamic = True
    for step in range(1, 1001):
        b.update(step)
    # the first update passes (the clock starts at 0), then nothing until the final one
    assert plain(stream.getvalue()).count("\r") == 2
    assert "1000/1000" in stream.getvalue()


def test_eta_switches_to_minutes_and_hours(monkeypatch):
    clock = iter([0.0, 100.0, 0.0, 1.0])  # each bar reads the clock at its start and at its update
    monkeypatch.setattr(progbar.time, "time", lambda: next(clock))
    b, stream = bar(dynamic=True, target=1000)
    b.update(1)   # 100 s for the first step: ETA 999 * 100 s = 27 h 45 min
    assert " 27:45:00 " in plain(stream.getvalue())
    b, stream = bar(dynamic=True, target=100)
    b.update(1)   # 1 s a step: ETA 99 s
    assert " 1:39 " in plain(stream.getvalue())
