"""The Playground in a real JupyterLab: the demo notebook runs without errors, Step and Play change the
pictures, Pause stops them, and a screenshot of the trained Playground is kept for the README."""
import os
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "lessons" / "demo_playground.ipynb"


def test_playground_step_play_pause(lab):
    path = lab.copy_notebook(DEMO)
    lab.open_notebook(path)
    # the file browser takes 250 px of the 1280 px page: fold it, as a learner would for a wide widget
    lab.page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    outputs = lab.run_all_cells()
    widget_outputs = [o for o in outputs[1] if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget_outputs and "image/png" in widget_outputs[0]["data"], "the widget should carry a static PNG"
    printed = "".join(o.get("text", "") for o in outputs[2] if o["output_type"] == "stream")
    assert printed.startswith("epoch 5: train loss")

    lab.page.wait_for_selector("img.widget-image")
    assert len(lab.image_digests()) == 2, "the Playground shows two images: the network and the output"
    for label in ("Step", "Reset"):
        lab.button(label)  # exactly one button with each literal label
    area = lab.widget_areas().first
    assert area.locator(".tn-play").count() == 1, "the Playground should have one Play control (.tn-play)"

    first, second = lab.click_and_wait_for_image_change("Step", image_index=1)
    assert first != second
    lab.screenshot("playground-after-step")

    before = lab.image_digests(area)
    lab.press(area, "play")
    lab.wait_for_image_change(before, 1, area=area, what="Play")
    time.sleep(2)  # let it train a few ticks
    lab.press(area, "pause")
    paused = lab.wait_until_images_stable()
    time.sleep(1.0)
    assert lab.image_digests() == paused, "the images changed after Pause"

    banner = lab.page.locator(".widget-html-content").filter(has_text="Error")
    assert banner.count() == 0, f"the widget shows an error: {banner.all_inner_texts()}"
    widget = lab.page.locator(".jp-OutputArea-output .widget-vbox").filter(
        has=lab.page.locator("img.widget-image")).first  # the outermost box: the whole Playground
    widget.scroll_into_view_if_needed()
    # the boxes (and HTML lines) stretch to the page; what matters is where the controls and images end
    used = widget.evaluate("""(box) => {
        const left = box.getBoundingClientRect().left;
        const parts = box.querySelectorAll(
            'img, button, select, input, .widget-readout, .widget-inline-hbox:not(.widget-html)');
        return Math.max(...[...parts].map(e => e.getBoundingClientRect().right)) - left;
    }""")
    assert used <= 1000, f"the Playground should fit a 1000 px notebook; its content is {used} px wide"
    shot = lab.screenshot("playground-trained")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    picture = shot.parent / "playground-widget.png"
    widget.screenshot(path=str(picture))
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 20_000
    if os.environ.get("TEACHNET_UPDATE_DOCS"):  # refresh the README's picture on request only
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copy(picture, ROOT / "docs" / "playground.png")
