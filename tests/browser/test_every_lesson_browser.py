"""Every lesson in a real JupyterLab: all cells run without an error, the lesson shows at least one live widget
(an ipywidgets image the kernel redraws, not the saved picture), every widget's Step (and Fit) redraws its
picture, and the first widget with Play keeps redrawing until Pause. Screenshots go to test-artifacts/.

The server serves a temp copy of each lesson (`lab.copy_notebook`), so JupyterLab's autosave never writes back
into lessons/.
"""
import hashlib
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts"
ERROR_BANNER = "div[style*='fdecea']"  # the red banner of widgets.base.ErrorBanner


def _areas_with(lab, label):
    return lab.page.locator(".jp-OutputArea-output").filter(
        has=lab.page.get_by_role("button", name=label, exact=True))


@pytest.mark.parametrize("lesson", [path.name for path in NOTEBOOKS])
def test_lesson_runs_and_its_widgets_are_live(lab, lesson):
    source = LESSONS / lesson
    original = hashlib.sha256(source.read_bytes()).hexdigest()
    lab.open_notebook(lab.copy_notebook(source))
    lab.run_all_cells()  # fails on any error output
    lab.page.wait_for_selector("img.widget-image", timeout=60_000)
    live_images = lab.page.locator("img.widget-image").count()
    assert live_images >= 1, f"{lesson} shows no live widget"
    name = Path(lesson).stem
    stepped = _areas_with(lab, "Step")
    for index in range(stepped.count()):
        area = stepped.nth(index)
        area.scroll_into_view_if_needed()
        lab.click_and_wait_for_image_change("Step", 0, area=area)
    fitted = _areas_with(lab, "Fit")  # the CompileExplorer: Fit starts a fresh run, epoch by epoch
    for index in range(fitted.count()):
        area = fitted.nth(index)
        area.scroll_into_view_if_needed()
        lab.click_and_wait_for_image_change("Fit", 0, timeout=90, area=area)
        lab.wait_until_images_stable(area, timeout=120)
        ARTIFACTS.mkdir(exist_ok=True)
        area.screenshot(path=str(ARTIFACTS / f"{name}-after-fit.png"))
    played = _areas_with(lab, "Play")
    if played.count():
        area = played.nth(0)
        area.scroll_into_view_if_needed()
        _, playing = lab.click_and_wait_for_image_change("Play", 0, timeout=90, area=area)
        area.get_by_role("button", name="Pause", exact=True).click()
        paused = lab.wait_until_images_stable(area)
        time.sleep(1.0)
        assert lab.image_digests(area) == paused, f"{lesson}: the pictures changed after Pause"
        ARTIFACTS.mkdir(exist_ok=True)
        area.screenshot(path=str(ARTIFACTS / f"{name}-first-live-widget.png"))
    assert lab.page.locator(ERROR_BANNER).all_inner_texts() == [], f"{lesson}: a widget shows an error banner"
    lab.screenshot(f"{name}-after-run-all")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == original, f"the test run modified {source}"
