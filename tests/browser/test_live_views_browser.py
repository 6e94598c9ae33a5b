"""The animated views in a real JupyterLab: Play (the ipywidgets.Play control's own button, `.tn-play`)
makes the picture move (at least 10 distinct frames in 5 s), Pause stops it within half a second, and at
an 820 px wide output area (JupyterLab with its sidebar open in a 1280 px window) nothing overflows."""
import time

import pytest

CELLS = [
    "import numpy as np\nimport teachnet as tn\nfrom widgets import OptimizerRace, Playground, TrainingDashboard\n"
    "tn.utils.set_random_seed(0)",
    "x = np.random.default_rng(0).random((4096, 20)).astype('float32')\ny = (x[:, :1] > 0.5).astype('float32')\n"
    "model = tn.Sequential([tn.Input((20,)), tn.layers.Dense(16, activation='relu'),\n"
    "                       tn.layers.Dense(1, activation='sigmoid')])\n"
    "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
    "TrainingDashboard(model, x, y, batch_size=16)",
    "Playground(dataset='spiral', hidden_layers=[6, 6])",
    "OptimizerRace('ravine', max_steps=100000)",
]
VIEWS = {"TrainingDashboard": 0, "Playground": 1, "OptimizerRace": 2}  # the output area of each view


def output_areas(lab):
    return lab.page.locator(".jp-OutputArea-output:has(.tn-play)")


def count_frames(lab, area, seconds):
    """Distinct pictures the view's images showed while polling for `seconds`."""
    seen, deadline = set(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.add(tuple(lab.image_digests(area)))
        time.sleep(0.05)
    return len(seen)


@pytest.mark.parametrize("view", list(VIEWS))
def test_play_moves_the_picture_and_pause_stops_it(lab, view):
    lab.open_notebook(lab.write_notebook(f"live_{view}.ipynb", CELLS))
    lab.run_all_cells()
    area = output_areas(lab).nth(VIEWS[view])
    area.scroll_into_view_if_needed()
    area.locator(".tn-play button:has(i.fa-play)").click()
    frames = count_frames(lab, area, 5.0)
    lab.screenshot(f"live-{view}-playing")
    assert frames >= 10, f"{view}: only {frames} distinct frames in 5 s after Play"
    area.locator(".tn-play button:has(i.fa-pause)").click()
    paused_at, last, last_change = time.monotonic(), lab.image_digests(area), 0.0
    while time.monotonic() - paused_at < 3.0:  # when did the picture last change after Pause?
        now = lab.image_digests(area)
        if now != last:
            last, last_change = now, time.monotonic() - paused_at
        time.sleep(0.05)
    print(f"{view}: {frames} frames in 5 s after Play; last change {last_change:.2f} s after Pause")
    assert last_change <= 0.5, f"{view}: the pictures still changed {last_change:.2f} s after Pause"


def test_the_views_fit_an_820_px_output_area(lab):
    lab.page.set_viewport_size({"width": 1003, "height": 900})  # no sidebar: the output area is ~820 px
    lab.open_notebook(lab.write_notebook("live_layout.ipynb", CELLS))
    lab.page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    lab.run_all_cells()
    time.sleep(2)
    areas = output_areas(lab)
    assert areas.count() == 3
    for i, view in enumerate(VIEWS):
        area = areas.nth(i)
        area.scroll_into_view_if_needed()
        width, overflow = area.evaluate(
            "(a) => [a.clientWidth, Math.max(...[...a.querySelectorAll('*')].map("
            "e => e.getBoundingClientRect().right)) - a.getBoundingClientRect().right]")
        area.screenshot(path=str(lab.screenshot(f"layout-820-{view}")).replace(".png", "-widget.png"))
        assert 780 <= width <= 860, f"the output area should be ~820 px wide; it is {width} px"
        assert overflow <= 1, f"{view} overflows its {width} px output area by {overflow:.0f} px"
