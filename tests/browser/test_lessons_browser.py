"""Every notebook in lessons/, in real frontends: it runs without an error, nothing in any output sticks out
of its output area, and (in JupyterLab) every Step and Play in its widgets changes a picture and each
numbered lesson shows at least one live widget.

- Layout, every frontend: JupyterLab in a 1280 px window with its file browser open (the laptop case: the
  output area is ~850 px) and in an 820 px window with it folded; Notebook 7 and the classic Notebook with
  ipywidgets 7.7.1 in an 820 px window (the numbered lessons; the demos' widgets are lessons 5's and 11's).
  For each output area no element or text may end right of the area's right edge, no horizontal
  scrollbar may appear inside it, and no picture may be shown below 70 % of the width it was drawn for
  (text drawn at 13 px would end up under 9 px). Offenders are reported with the
  notebook, the cell number and the element. Screenshots of every widget output go to
  test-artifacts/lessons/<frontend>-<width>/.
- Live, JupyterLab: each Step button is clicked and must change a picture of its widget; each Play is
  pressed, must change a picture, and Pause must stop it. A widget without Step or Play is live when
  dragging its first slider (or, without sliders, choosing another option in its first menu) changes what
  it shows (a picture or its text: lesson 1's `interact` prints).
  Each numbered lesson must have a live widget.

The server serves a temp copy of each lesson (`copy_notebook`): autosave never writes into lessons/, which
the test checks.
"""
import hashlib
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))

# Lessons that have no live widget yet (issue 11 asks for one in each; branch `lessons` is adding them).
# This list must shrink to empty: a lesson listed here that has a live widget fails the test (strict xfail),
# so remove it from the list when its widget lands. It is an expected failure, not a skip: the other checks
# (errors, layout, every button) still run for these lessons.
WITHOUT_LIVE_WIDGET_YET = ["00_setup", "06_keras", "07_compile", "08_validation"]


class NoLiveWidget(AssertionError):
    """A numbered lesson shows no widget whose picture answers its controls."""


def lesson_params():
    params = []
    for path in LESSONS:
        marks = []
        if path.stem in WITHOUT_LIVE_WIDGET_YET:
            marks = [pytest.mark.xfail(raises=NoLiveWidget, strict=True,
                                       reason=f"{path.stem} has no live widget yet (issue 11)")]
        params.append(pytest.param(path, marks=marks, id=path.stem))
    return params


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def layout_problems(frontend, lesson, width):
    """Check every output area of the open notebook (see the module docstring); screenshot widget outputs.
    Returns one line per offender, and the narrowest and widest output area."""
    frontend.wait_until_painted()
    areas = frontend.output_areas()
    found, widths = [], []
    folder = f"lessons/{frontend.name}-{width}"
    for i in range(areas.count()):
        area = areas.nth(i)
        report = frontend.overflow(area)
        widths.append(report["width"])
        for p in report["problems"]:
            how = {"overflow": f"ends {p['by']} px right of the output area",
                   "scrollbar": f"scrolls sideways over {p['by']} px",
                   "shrunk": f"is shown at {p['by']} % of the {p.get('drawn')} px it was drawn for"}[p["kind"]]
            found.append(f"{frontend.name} at {width} px: {lesson}, cell {report['cell']} "
                         f"(output area {report['width']} px wide): {p['element']} {how}")
        if report["problems"] or area.locator(".jupyter-widgets img").count():
            frontend.screenshot(f"{folder}/{lesson}-cell{report['cell']:02d}-output{i}", area)
    return found, (min(widths, default=None), max(widths, default=None))


def drag_first_slider(frontend, area):
    """Drag the first slider's handle in `area` (ipywidgets 8's noUiSlider or 7's jQuery UI) to 30 % of its
    track if it sits in the right half, else to 70 %: a real move wherever the slider starts."""
    track = area.locator(".noUi-target, .ui-slider").first
    handle = track.locator(".noUi-handle, .ui-slider-handle").first
    handle.scroll_into_view_if_needed()
    rail, knob = track.bounding_box(), handle.bounding_box()
    x, y = knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2
    right_half = x > rail["x"] + rail["width"] / 2
    target = rail["x"] + rail["width"] * (0.3 if right_half else 0.7)
    frontend.page.mouse.move(x, y)
    frontend.page.mouse.down()
    frontend.page.mouse.move(target, y, steps=5)
    frontend.page.mouse.up()


def pick_another_option(select):
    """Choose, in the <select> (an ipywidgets Dropdown), the option after the selected one (or the first)."""
    values = select.locator("option").evaluate_all("(options) => options.map(o => o.value)")
    current = select.input_value()
    select.select_option(values[(values.index(current) + 1) % len(values)] if current in values else values[0])


def shown(frontend, area):
    """What `area` shows: its pictures' digests and its text."""
    return frontend.image_digests(area), area.inner_text()


def wait_for_change(frontend, area, before, what, timeout=30):
    """Wait until `area` shows something other than `before` (see `shown`)."""
    deadline = time.monotonic() + timeout
    while shown(frontend, area) == before:
        assert time.monotonic() < deadline, f"{what} changed neither a picture nor a text within {timeout} s"
        time.sleep(0.2)


def press_every_control(frontend, lesson, problems):
    """Click each Step, press each Play (then Pause) in every widget output; drag a slider where a widget
    has neither. Appends what failed to `problems`; returns the output areas that answered with a picture."""
    live = []
    areas = frontend.output_areas().filter(has=frontend.page.locator(".jupyter-widgets"))
    for i in range(areas.count()):
        area = areas.nth(i)
        area.scroll_into_view_if_needed()
        frontend.wait_until_painted(area)
        where = f"{lesson}, widget output {i}"
        steps = area.get_by_role("button", name="Step", exact=True)
        plays = area.locator(".tn-play").count() + area.get_by_role("button", name="Play", exact=True).count()
        try:
            for j in range(steps.count()):
                before = frontend.image_digests(area)
                steps.nth(j).click()
                frontend.wait_for_image_change(before, None, 30, area, f"{where}: Step {j}")
                live.append(i)
            if plays:
                before = frontend.image_digests(area)
                frontend.press(area, "play")
                frontend.wait_for_image_change(before, None, 30, area, f"{where}: Play")
                frontend.press(area, "pause")
                paused = frontend.wait_until_images_stable(area)
                frontend.page.wait_for_timeout(1000)
                assert frontend.image_digests(area) == paused, f"{where}: the pictures changed after Pause"
                live.append(i)
            if not steps.count() and not plays and area.locator(".noUi-target, .ui-slider").count():
                before = shown(frontend, area)
                drag_first_slider(frontend, area)
                wait_for_change(frontend, area, before, f"{where}: dragging its first slider")
                live.append(i)
            elif not steps.count() and not plays and area.locator("select").count():
                before = shown(frontend, area)
                pick_another_option(area.locator("select").first)
                wait_for_change(frontend, area, before, f"{where}: choosing another option in its first menu")
                live.append(i)
        except AssertionError as e:
            problems.append(str(e).split("; browser console errors")[0])
    banners = frontend.error_banners()
    if banners:
        problems.append(f"{lesson}: error banners after pressing the controls: {banners}")
    return sorted(set(live))


@pytest.mark.parametrize("lesson", lesson_params())
def test_lesson_in_jupyterlab_fits_and_is_live(lab, lesson):
    original = digest(lesson)
    path = lab.copy_notebook(lesson)
    lab.open_notebook(path)  # 1280 px, the file browser open
    lab.run_all_cells()  # fails on any error output
    problems, wide = layout_problems(lab, lesson.stem, 1280)
    live = press_every_control(lab, lesson.stem, problems)
    lab.toggle_left_area()
    lab.set_viewport_width(820)
    found, narrow = layout_problems(lab, lesson.stem, 820)
    problems += found
    assert digest(lesson) == original, f"the test run modified {lesson}"
    assert not problems, (f"{lesson.stem} in JupyterLab (output areas {wide} px at 1280, {narrow} px at 820):\n"
                          + "\n".join(problems))
    if lesson.stem[:2].isdigit() and not live:
        raise NoLiveWidget(f"{lesson.stem} shows no live widget (none whose picture answers Step, Play, a "
                           f"slider or a menu); issue 11 asks for one in every lesson")


# The demo notebooks show the dashboard and the Playground of lessons 5 and 11 again: JupyterLab checks them,
# the other frontends skip them to save CI time (their Play tests show those widgets at 820 px too).
NUMBERED = [p for p in LESSONS if p.stem[:2].isdigit()]


@pytest.mark.parametrize("lesson", NUMBERED, ids=[p.stem for p in NUMBERED])
@pytest.mark.parametrize("frontend_name", ["notebook7", "classic"])
def test_lesson_fits_820_px(request, frontend_name, lesson):
    frontend = request.getfixturevalue(frontend_name)
    frontend.set_viewport_width(820)
    path = frontend.copy_notebook(lesson)
    frontend.open_notebook(path)
    frontend.run_all_cells()  # fails on any error output
    problems, widths = layout_problems(frontend, lesson.stem, 820)
    assert not problems, (f"{lesson.stem} in {frontend_name} at 820 px (output areas {widths} px):\n"
                          + "\n".join(problems))
