"""The TrainingDashboard in a real JupyterLab: the demo notebook runs without errors, Step and Play/Pause
change the dashboard's pictures in the page, Pause stops them, and no error banner appears."""
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "lessons" / "demo_dashboard.ipynb"
DIAGRAM = 0  # the dashboard's first Image: the relationship diagram, redrawn after every Step


def error_banners(lab):
    """The texts of the red error banners shown by teachnet widgets."""
    return lab.page.locator("div[style*='fdecea']").all_inner_texts()


def test_dashboard_steps_plays_and_pauses_in_jupyterlab(lab):
    path = lab.copy_notebook(NOTEBOOK)
    lab.open_notebook(path)
    outputs = lab.run_all_cells()  # fails on any error output
    widget_outputs = [o for cell in outputs for o in cell
                      if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widget_outputs) == 1 and "image/png" in widget_outputs[0]["data"]  # the static fallback too
    lab.page.wait_for_selector("img.widget-image")
    assert len(lab.image_digests()) == 3  # diagram, curves, weights
    lab.screenshot("dashboard-after-run-all")

    first, second = lab.click_and_wait_for_image_change("Step", DIAGRAM)
    assert first != second
    lab.screenshot("dashboard-after-step")

    # Play: the front end's timer ticks, each tick trains a batch; the picture keeps changing by itself
    area = lab.widget_areas().first
    before = lab.image_digests(area)
    lab.press(area, "play")
    playing = lab.wait_for_image_change(before, DIAGRAM, timeout=90, area=area, what="Play")
    deadline = time.monotonic() + 90
    while lab.image_digests(area)[DIAGRAM] == playing:
        assert time.monotonic() < deadline, "the dashboard did not redraw a second time while playing"
        time.sleep(0.3)
    lab.screenshot("dashboard-playing")

    lab.press(area, "pause")
    time.sleep(3)  # the last tick and Pause's own redraw land
    paused = lab.image_digests()
    time.sleep(3)
    assert lab.image_digests() == paused, "the pictures kept changing after Pause"
    assert error_banners(lab) == []
    lab.screenshot("dashboard-paused")
    # the dashboard alone, with the file browser closed: the picture for the README (docs/dashboard.png)
    lab.page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    time.sleep(1)
    dashboard = lab.page.locator(".jp-OutputArea-output:has(img.widget-image)").first
    dashboard.scroll_into_view_if_needed()
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    dashboard.screenshot(path=str(ROOT / "test-artifacts" / "dashboard-widget.png"))
