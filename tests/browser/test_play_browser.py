"""Play and Pause in every frontend, timed in the page: JupyterLab 4, Notebook 7 and the classic Notebook
with ipywidgets 7.7.1 (Colab's version).

For the TrainingDashboard, the Playground and the OptimizerRace: after pressing Play the widget's pictures
show at least 10 distinct frames (different PNG bytes) within 5 s, and after Pause no picture changes once
half a second has passed. Frames are recorded in the page by a MutationObserver that hashes every new
picture as it arrives (polling from Python would miss frames), with the page's own clock.
The pages are 820 px wide, a laptop's notebook; screenshots of each widget go to test-artifacts/play/.
"""
import time

import pytest

from conftest import FRONTENDS

FRAMES, WINDOW_MS = 10, 5000  # at least FRAMES distinct frames within WINDOW_MS after Play
PAUSE_MS = 500                # after Pause, no new picture later than this
WIDTH = 820

NOTEBOOKS = {  # the widget under test is the last cell's output
    "dashboard": [
        "import teachnet as tn\n"
        "from teachnet.datasets import circle\n"
        "from widgets.dashboard import TrainingDashboard\n"
        "tn.utils.set_random_seed(0)\n"
        "x, y = circle(400, noise=0.05, seed=0)",
        "model = tn.Sequential([tn.Input(shape=(2,)), tn.layers.Dense(8, activation='relu'),\n"
        "                       tn.layers.Dense(8, activation='relu'),\n"
        "                       tn.layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(optimizer=tn.optimizers.RMSprop(learning_rate=0.01), loss='binary_crossentropy',\n"
        "              metrics=['accuracy'])\n"
        "dashboard = TrainingDashboard(model, x[:320], y[:320], validation_data=(x[320:], y[320:]),\n"
        "                              batch_size=32)\n"
        "dashboard",
    ],
    "playground": [
        "import teachnet as tn\n"
        "from widgets import Playground\n"
        "tn.utils.set_random_seed(0)\n"
        "playground = Playground(dataset='xor', hidden_layers=[4, 2], activation='tanh', learning_rate=0.03)\n"
        "playground",
    ],
    "race": [
        "from widgets import OptimizerRace\n"
        "race = OptimizerRace('ravine')\n"
        "race",
    ],
}


def changes(frames):
    """The frames whose picture differs from the one that picture showed before (a resent PNG is no frame)."""
    last, out = {}, []
    for frame in sorted(frames, key=lambda f: f["t"]):
        if last.get(frame["image"]) != frame["digest"]:
            out.append(frame)
        last[frame["image"]] = frame["digest"]
    return out


@pytest.mark.parametrize("widget", list(NOTEBOOKS))
@pytest.mark.parametrize("frontend_name", FRONTENDS)
def test_play_draws_ten_frames_in_five_seconds_and_pause_stops_them(request, frontend_name, widget):
    frontend = request.getfixturevalue(frontend_name)
    frontend.set_viewport_width(WIDTH)
    path = frontend.write_notebook(f"play_{widget}.ipynb", NOTEBOOKS[widget])
    frontend.open_notebook(path)
    frontend.toggle_left_area()  # JupyterLab's file browser folded: the notebook gets the 820 px
    frontend.run_all_cells()
    frontend.page.wait_for_selector("img.widget-image")
    area = frontend.widget_areas().last
    area.scroll_into_view_if_needed()
    frontend.wait_until_painted(area)
    name = f"play/{widget}-{frontend_name}-{WIDTH}"
    frontend.screenshot(f"{name}-before", area)

    frontend.record_frames(area)
    played = frontend.press(area, "play")
    time.sleep(WINDOW_MS / 1000 + 0.5)  # the last frames' bytes are hashed asynchronously
    frames, unreadable = frontend.frames()
    frontend.screenshot(f"{name}-playing", area)
    playing = changes(f for f in frames if played <= f["t"] <= played + WINDOW_MS)
    distinct = {(f["image"], f["digest"]) for f in playing}

    paused = frontend.press(area, "pause")
    time.sleep(PAUSE_MS / 1000 + 2.5)
    frames, _ = frontend.frames()
    late = [f for f in changes(frames) if f["t"] > paused + PAUSE_MS]
    frontend.screenshot(f"{name}-paused", area)

    times = [round(f["t"] - played) for f in playing]
    print(f"{frontend_name}, {widget}: {len(distinct)} distinct frames in {WINDOW_MS} ms after Play; "
          f"last change {max([round(f['t'] - paused) for f in changes(frames)], default=None)} ms after Pause")
    assert len(distinct) >= FRAMES, (
        f"{frontend_name}, {widget}: {len(distinct)} distinct frames within {WINDOW_MS} ms of pressing Play "
        f"(at ms {times}; {unreadable} pictures could not be read); expected at least {FRAMES}. "
        f"Error banners: {frontend.error_banners()}; browser console errors: {frontend.console}")
    assert not late, (
        f"{frontend_name}, {widget}: pictures still changed after Pause, at ms "
        f"{[round(f['t'] - paused) for f in late]} after the click (allowed: {PAUSE_MS} ms)")
    assert frontend.error_banners() == [], f"{frontend_name}, {widget}: the widget shows an error banner"
