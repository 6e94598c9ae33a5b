"""Times each lesson under nbval and enforces the budget: at most 60 s per lesson, 6 min for the series.

nbval turns every code cell of a notebook into a test item; this conftest adds up the durations of the
items (setup, call and teardown, so the kernel's start-up counts) per notebook, prints one line per lesson
at the end of the run, and marks the run failed when a lesson went over its budget. Measuring the real
nbval run avoids executing every lesson a second time just to time it.
"""
from pathlib import Path

import pytest

LESSON_BUDGET_S = 60.0
SERIES_BUDGET_S = 360.0
HERE = Path(__file__).resolve().parent

_seconds = {}  # notebook file name -> seconds spent on its cells so far


def pytest_runtest_logreport(report):
    path = Path(str(report.fspath)).resolve() if report.fspath else None
    if path is None or path.suffix != ".ipynb" or path.parent != HERE:
        return
    _seconds[path.name] = _seconds.get(path.name, 0.0) + report.duration


def over_budget(seconds, lesson_budget=LESSON_BUDGET_S, series_budget=SERIES_BUDGET_S):
    """The complaints for a {notebook: seconds} table: lessons over `lesson_budget`, the series over its own."""
    problems = [f"{name} took {s:.1f} s (budget {lesson_budget:.0f} s)"
                for name, s in sorted(seconds.items()) if s > lesson_budget]
    total = sum(seconds.values())
    if total > series_budget:
        problems.append(f"the lessons took {total:.1f} s together (budget {series_budget:.0f} s)")
    return problems


def pytest_terminal_summary(terminalreporter):
    if not _seconds:
        return
    terminalreporter.section("lesson timings (nbval)")
    for name, seconds in sorted(_seconds.items()):
        terminalreporter.write_line(f"{seconds:7.1f} s  {name}")
    terminalreporter.write_line(f"{sum(_seconds.values()):7.1f} s  all lessons")
    for problem in over_budget(_seconds):
        terminalreporter.write_line(f"OVER BUDGET: {problem}", red=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if over_budget(_seconds) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
