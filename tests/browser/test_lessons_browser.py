"""Lessons 5 and 12 in a real JupyterLab: every cell runs without an error, and the lesson's own widgets
answer their buttons in the page: Step and Play redraw the picture, Pause stops it, no error banner shows.

A lesson may show several widgets (lesson 12 shows seven Playgrounds, each with its own Step button), so
the helpers here work inside one output area: the first one holding a button labelled exactly "Step".
The server serves a temp copy of each lesson (`lab.copy_notebook`), so JupyterLab's autosave never writes
back into lessons/; the test checks that the lessons' bytes are unchanged at the end.
"""
import hashlib
import time
from pathlib import Path

import pytest

pytest.importorskip("teachnet.models", reason="teachnet.models (Model, fit) has not landed yet")

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
ARTIFACTS = ROOT / "test-artifacts"  # lab.screenshot creates it
ERROR_BANNER = "div[style*='fdecea']"  # the red banner of widgets.base.ErrorBanner


def widget_area(lab, index=0):
    """Output area number `index` among those holding a widget button labelled exactly "Step"."""
    areas = lab.page.locator(".jp-OutputArea-output").filter(
        has=lab.page.get_by_role("button", name="Step", exact=True))
    assert areas.count() > index, f"expected a widget with a Step button number {index}; found {areas.count()}"
    return areas.nth(index)


def wait_until_painted(lab, area):
    """Waits until `area`'s images are decoded and the browser has painted two more frames."""
    area.evaluate("""(area) => Promise.all([...area.querySelectorAll('img.widget-image')].map(img => img.decode()))""")
    lab.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def step_play_pause(lab, area, image_index, name):
    """Step, Play (two redraws), Pause (no more redraws) on the widget in `area`; screenshots along the way."""
    area.scroll_into_view_if_needed()
    wait_until_painted(lab, area)  # the notebook renders cells lazily: a jump to them paints a frame later
    lab.screenshot(f"{name}-after-run-all")
    lab.click_and_wait_for_image_change("Step", image_index, area=area)
    area.screenshot(path=str(ARTIFACTS / f"{name}-widget-after-step.png"))
    _, playing = lab.click_and_wait_for_image_change("Play", image_index, timeout=90, area=area)
    deadline = time.monotonic() + 90
    while lab.image_digests(area)[image_index] == playing:  # the front end's timer keeps training
        assert time.monotonic() < deadline, f"{name}: the widget did not redraw a second time while playing"
        time.sleep(0.3)
    area.get_by_role("button", name="Pause", exact=True).click()
    paused = lab.wait_until_images_stable(area)
    time.sleep(1.0)
    assert lab.image_digests(area) == paused, f"{name}: the pictures changed after Pause"
    assert lab.page.locator(ERROR_BANNER).all_inner_texts() == [], f"{name}: a widget shows an error banner"
    lab.screenshot(f"{name}-paused")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("lesson, widgets, images, image_index", [
    ("05_training.ipynb", 1, 3, 0),     # the TrainingDashboard: diagram (redrawn every Step), curves, weights
    ("12_playground.ipynb", 7, 2, 1),   # seven Playgrounds: network and output; the first one is driven
])
def test_lesson_widgets_step_play_pause(lab, lesson, widgets, images, image_index):
    source = LESSONS / lesson
    original = digest(source)
    path = lab.copy_notebook(source)
    assert lab.server.root_dir / path != source  # the server edits (and autosaves) a copy, never lessons/
    lab.open_notebook(path)
    lab.page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    lab.run_all_cells()  # fails on any error output
    lab.page.wait_for_selector("img.widget-image")
    areas = lab.page.locator(".jp-OutputArea-output").filter(
        has=lab.page.get_by_role("button", name="Step", exact=True))
    assert areas.count() == widgets, f"{lesson}: expected {widgets} widgets with a Step button"
    area = widget_area(lab)
    assert len(lab.image_digests(area)) == images
    step_play_pause(lab, area, image_index, Path(lesson).stem)
    assert digest(source) == original, f"the test run modified {source}"
