"""Every notebook in lessons/, in real frontends, each run once per frontend with every check done on that
run: it runs without an error, its widgets fit their output area, every Step and every Play in its widgets
changes a picture, Play animates and Pause stops it, and every numbered lesson shows a live widget.

Frontends: JupyterLab 4, Notebook 7 and the classic Notebook 6.5 with ipywidgets 7.7.1 (Colab's version)
run every numbered lesson. The two demo notebooks show the dashboard and the Playground of lessons 5 and 12
again: they are left to nbval, to save CI time.

- Layout (issue 10: "fit 820 px and still use 1000 px"), at two widths on the same run (the window is resized,
  the notebook is not run again): the laptop width first (JupyterLab in a 1280 px window with the file
  browser open: output area 848 px; Notebook 7 in a window sized so the output area is 820 px; the classic
  Notebook in one where it is 778 px: its page has fixed widths between breakpoints, and 778 px in a
  992-1199 px window is the closest to 820), then with room to spare (JupyterLab with the file browser
  folded: 1100 px; the other two in a 1280 px window: 1108 and 978 px). In every output area that holds a
  widget, nothing may end right of the area's edge, no horizontal scrollbar may appear inside it, and no
  picture may be shown below 70 % of the width it was drawn for (the widgets' titles and labels are 9-10 pt,
  12-13 px at 100 % zoom: below 70 % they would end under 9 px). Plain-text outputs (prints,
  `model.summary()`) are not widgets: what sticks out of them is printed as a warning, not a failure.
  Screenshots of every widget output, at both widths, go to test-artifacts/lessons/<frontend>-<output area
  width>/.
- Live (at the laptop width): each Step is clicked and must change a picture of its widget; each Play is pressed and, within 5 s
  of the click, the widget's pictures must show at least 10 distinct frames (different PNG bytes; recorded
  in the page by a MutationObserver with the page's own clock); Pause must stop them within 0.5 s: no
  picture may change later than 500 ms after the Pause click has completed (a frame that was already on its
  way and lands inside those 500 ms is allowed; one landing later fails). A widget without Step or Play is
  live when dragging its first slider (or, without sliders, choosing another option in its first menu)
  changes what it shows. Each numbered lesson must have a live widget.

The server serves a temp copy of each lesson (`copy_notebook`): autosave never writes into lessons/, which
the test checks. The lessons have no quick settings: they run as nbval runs them. Each test prints where its
time went ("TIMING ...": open = page and kernel start, run all, resize, layout, screenshots, step, play,
watch after pause, slider, menu; `pytest -s` shows them).
"""
import hashlib
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
NUMBERED = [p for p in LESSONS if p.stem[:2].isdigit()]
CASES = [pytest.param(f, p, id=f"{f}-{p.stem}") for f in ("lab", "notebook7", "classic") for p in NUMBERED]

FRAMES, WINDOW_MS = 10, 5000  # at least FRAMES distinct frames within WINDOW_MS of pressing Play
# The lesson widgets that train a whole model (an epoch, or a run of batches) per tick: the environment check,
# the FrameworkRace (teachnet and Keras) and the CompileExplorer draw a few frames a second, not 20.
FRAMES_PER_TICK_TRAINING = {"00_setup": 3, "06_keras": 3, "07_compile": 3}
PAUSE_MS = 500                # after Pause has been clicked, no picture may change later than this
# (on a quiet 2-core machine the last change came 0-194 ms after Pause in all three frontends; a tick that
# ipywidgets held back while the kernel was busy and sent with Pause is dropped: widgets/base.py)
WATCH_AFTER_PAUSE_S = 1.5     # how long the test watches for late frames after Pause
OUTPUT_AREA_PX = 820          # Notebook 7 and the classic Notebook: the laptop / Colab width


class Stopwatch:
    """Seconds spent per phase of a test (`with clock("run all"): ...`), printed at its end: where the
    browser suite's time goes."""

    def __init__(self):
        self.seconds = {}

    def __call__(self, phase):
        return _Phase(self, phase)

    def add(self, phase, seconds):
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def line(self):
        total = sum(self.seconds.values())
        return f"{total:.0f} s: " + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.items())


class _Phase:
    def __init__(self, clock, phase):
        self.clock, self.phase = clock, phase

    def __enter__(self):
        self.started = time.monotonic()

    def __exit__(self, *_):
        self.clock.add(self.phase, time.monotonic() - self.started)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def layout_problems(frontend, lesson, setting, clock):
    """Check every output area of the open notebook (see the module docstring); screenshot widget outputs.
    Returns (problems in widget outputs, warnings about plain outputs, (narrowest, widest) output area)."""
    frontend.wait_until_painted()
    areas = frontend.output_areas()
    found, warnings, widths = [], [], []
    for i in range(areas.count()):
        area = areas.nth(i)
        with clock("layout"):
            report = frontend.overflow(area)
            is_widget = area.locator(".jupyter-widgets").count() > 0
        widths.append(report["width"])
        for p in report["problems"]:
            how = {"overflow": f"ends {p['by']} px right of the output area",
                   "scrollbar": f"scrolls sideways over {p['by']} px",
                   "shrunk": f"is shown at {p['by']} % of the {p.get('drawn')} px it was drawn for"}[p["kind"]]
            line = (f"{frontend.name}, {setting}: {lesson}, cell {report['cell']} "
                    f"(output area {report['width']} px wide): {p['element']} {how}")
            (found if is_widget else warnings).append(line)
        if is_widget:
            folder = f"lessons/{frontend.name}-{report['width']}"
            with clock("screenshots"):
                frontend.screenshot(f"{folder}/{lesson}-cell{report['cell']:02d}-output{i}", area)
    return found, warnings, (min(widths, default=None), max(widths, default=None))


def changes(frames):
    """The frames whose picture differs from the one that picture showed before (a resent PNG is no frame)."""
    last, out = {}, []
    for frame in sorted(frames, key=lambda f: f["t"]):
        if last.get(frame["image"]) != frame["digest"]:
            out.append(frame)
        last[frame["image"]] = frame["digest"]
    return out


def check_play(frontend, area, where, clock, needed=FRAMES):
    """Press Play: >= `needed` distinct frames within WINDOW_MS; press Pause: nothing changes after PAUSE_MS.
    Returns a line saying what was measured."""
    started = time.monotonic()
    frontend.record_frames(area)
    played, _ = frontend.press(area, "play")
    deadline = time.monotonic() + WINDOW_MS / 1000 + 1.0  # the last frames' bytes are hashed asynchronously
    while True:
        frames, unreadable = frontend.frames()
        playing = changes(f for f in frames if played <= f["t"] <= played + WINDOW_MS)
        distinct = {(f["image"], f["digest"]) for f in playing}
        if len(distinct) >= needed or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    clock.add("play", time.monotonic() - started)
    _, paused = frontend.press(area, "pause")  # the page clock once the click has completed
    with clock("watch after pause"):
        time.sleep(WATCH_AFTER_PAUSE_S)
    frames, _ = frontend.frames()
    after = [round(f["t"] - paused) for f in changes(frames) if f["t"] > paused]
    measured = (f"{where}: {len(distinct)} distinct frames, the {needed}th at "
                f"{round(sorted(f['t'] for f in playing)[needed - 1] - played) if len(playing) >= needed else '-'}"
                f" ms after Play; changes after Pause at ms {after}")
    print(measured)
    assert len(distinct) >= needed, (
        f"{where}: Play showed {len(distinct)} distinct frames within {WINDOW_MS} ms (at ms "
        f"{[round(f['t'] - played) for f in playing]}; {unreadable} pictures could not be read); expected at "
        f"least {needed}")
    late = [t for t in after if t > PAUSE_MS]
    assert not late, (f"{where}: pictures still changed at ms {late} after the Pause click completed "
                      f"(allowed: {PAUSE_MS} ms)")
    return measured


SLIDERS = ".noUi-target, .ui-slider"


SLIDER_RANGE_JS = """(track) => {
    // [min, max] of a slider: ipywidgets 8's noUiSlider puts them on its handle's aria-valuemin/max; 7.x's
    // jQuery UI slider keeps its options in the jQuery data of the track (a property named jQuery<digits>)
    const handle = track.querySelector('.noUi-handle');
    if (handle) return [handle.getAttribute('aria-valuemin'), handle.getAttribute('aria-valuemax')].map(Number);
    for (const key of Object.keys(track)) {
        const slider = key.startsWith('jQuery') && track[key] && track[key].uiSlider;
        if (slider) return [slider.options.min, slider.options.max];
    }
    return null;
}"""


def movable_sliders(area):
    """The sliders in `area` that have more than one value (a slider over a single sample or unit, min == max,
    cannot move)."""
    tracks = area.locator(SLIDERS)
    movable = []
    for i in range(tracks.count()):
        bounds = tracks.nth(i).evaluate(SLIDER_RANGE_JS)
        assert bounds is not None, f"cannot read the range of slider {i}: neither ipywidgets 8's nor 7's"
        if bounds[0] < bounds[1]:
            movable.append(tracks.nth(i))
    return movable


def drag_first_slider(frontend, area):
    """Drag the first movable slider's handle in `area` (ipywidgets 8's noUiSlider or 7's jQuery UI) to 30 %
    of its track if it sits in the right half, else to 70 %: a real move wherever the slider starts."""
    track = movable_sliders(area)[0]
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


def press_every_control(frontend, lesson, problems, clock):
    """Click each Step, press each Play (timed, then Pause) in every widget output; drag a slider or pick a
    menu option where a widget has neither. Appends what failed to `problems`; returns the indexes of the
    widget outputs that answered."""
    live = []
    areas = frontend.output_areas().filter(has=frontend.page.locator(".jupyter-widgets"))
    for i in range(areas.count()):
        area = areas.nth(i)
        area.scroll_into_view_if_needed()
        frontend.wait_until_painted(area)
        where = f"{frontend.name}: {lesson}, widget output {i}"
        steps = area.get_by_role("button", name="Step", exact=True)
        plays = area.locator(".tn-play").count() + area.get_by_role("button", name="Play", exact=True).count()
        try:
            for j in range(steps.count()):
                with clock("step"):
                    before = frontend.image_digests(area)
                    steps.nth(j).click()
                    frontend.wait_for_image_change(before, None, 30, area, f"{where}: Step {j}")
                live.append(i)
            if plays:
                check_play(frontend, area, where, clock, FRAMES_PER_TICK_TRAINING.get(lesson, FRAMES))
                live.append(i)
            if not steps.count() and not plays and movable_sliders(area):
                with clock("slider"):
                    before = shown(frontend, area)
                    drag_first_slider(frontend, area)
                    wait_for_change(frontend, area, before, f"{where}: dragging its first slider")
                live.append(i)
            elif not steps.count() and not plays and area.locator("select").count():
                with clock("menu"):
                    before = shown(frontend, area)
                    pick_another_option(area.locator("select").first)
                    wait_for_change(frontend, area, before, f"{where}: choosing another option in its first menu")
                live.append(i)
        except AssertionError as e:
            problems.append(str(e).split("; browser console errors")[0])
    banners = frontend.error_banners()
    if banners:
        problems.append(f"{frontend.name}: {lesson}: error banners after pressing the controls: {banners}")
    return sorted(set(live))


def narrow(frontend):
    """Lay the open notebook out at the laptop width (see the module docstring); returns the setting's name."""
    if frontend.name == "jupyterlab":
        return "1280 px window, file browser open"  # the page opens so
    reached = frontend.size_output_area(OUTPUT_AREA_PX)
    # The classic Notebook's page is fixed-width between breakpoints: its closest output area is 778 px
    # (a 992-1199 px window); narrower than 820 is the harder case, so up to 50 px under is accepted.
    assert OUTPUT_AREA_PX - 50 <= reached <= OUTPUT_AREA_PX + 15, (
        f"{frontend.name}: could not size the window for a {OUTPUT_AREA_PX} px output area: {reached} px "
        f"at a {frontend.page.viewport_size['width']} px window")
    return f"{frontend.page.viewport_size['width']} px window"


def wide(frontend):
    """Lay the open notebook out with room to spare; returns the setting's name."""
    if frontend.name == "jupyterlab":
        frontend.toggle_left_area()
        frontend.wait_until_painted()
        return "1280 px window, file browser folded"
    frontend.set_viewport_width(1280)
    return "1280 px window"


@pytest.mark.parametrize("frontend_name, lesson", CASES)
def test_lesson_runs_fits_and_is_live(request, frontend_name, lesson):
    frontend = request.getfixturevalue(frontend_name)
    clock = Stopwatch()
    original = digest(lesson)
    with clock("open"):  # the page, the frontend's scripts and a fresh kernel
        frontend.open_notebook(frontend.copy_notebook(lesson))  # 1280 x 900; JupyterLab's file browser open
    with clock("run all"):
        frontend.run_all_cells()  # fails on any error output
    widths = {}
    with clock("resize"):
        setting = narrow(frontend)
    problems, warnings, widths[setting] = layout_problems(frontend, lesson.stem, setting, clock)
    live = press_every_control(frontend, lesson.stem, problems, clock)
    with clock("resize"):
        setting = wide(frontend)
    found, warned, widths[setting] = layout_problems(frontend, lesson.stem, setting, clock)
    problems += found
    warnings += warned
    print(f"{frontend_name} {lesson.stem}: output area widths (narrowest, widest): {widths}")
    print(f"TIMING {frontend_name} {lesson.stem}: {clock.line()}")
    for line in warnings:
        print("WARNING (plain-text output):", line)
    assert digest(lesson) == original, f"the test run modified {lesson}"
    assert not problems, f"{lesson.stem} in {frontend_name} (output areas {widths}):\n" + "\n".join(problems)
    assert live, (f"{frontend_name}: {lesson.stem} shows no live widget (none whose picture answers Step, "
                  f"Play, a slider or a menu); issue 11 asks for one in every lesson")
