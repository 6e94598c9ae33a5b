"""The whole browser chain works in each frontend (JupyterLab 4, Notebook 7, classic Notebook with
ipywidgets 7.7.1): the server starts, a notebook runs in the frontend's Python, a widget button click
changes an image in the page, errors in cells are caught, and screenshots are written."""
import os
import sys

import pytest

from conftest import CLASSIC_PYTHON, FRONTENDS

WIDGET_NOTEBOOK = [
    "# md\n# Smoke test\nA button and an image whose PNG bytes change on every click.",
    "import sys\nprint(sys.executable)",
    '''import struct, zlib
import ipywidgets as widgets

def solid_png(rgb, size=32):
    """A size x size PNG of one colour, written by hand so the test needs no imaging library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\\x00" + bytes(rgb) * size for _ in range(size))  # filter byte 0, then RGB pixels
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)       # 8-bit RGB
    return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

clicks = 0
image = widgets.Image(value=solid_png((200, 30, 30)), format="png", width=96, height=96)
button = widgets.Button(description="Step")

def on_click(_):
    global clicks
    clicks += 1
    image.value = solid_png((30, (60 * clicks) % 256, 200))

button.on_click(on_click)
widgets.VBox([button, image])''',
]


@pytest.mark.parametrize("frontend_name", FRONTENDS)
def test_notebook_runs_and_button_changes_image(request, frontend_name):
    lab = request.getfixturevalue(frontend_name)
    path = lab.write_notebook("smoke.ipynb", WIDGET_NOTEBOOK)
    lab.open_notebook(path)
    outputs = lab.run_all_cells()

    printed = "".join(o.get("text", "") for o in outputs[0] if o["output_type"] == "stream").strip()
    python = CLASSIC_PYTHON if frontend_name == "classic" else sys.executable
    assert os.path.realpath(printed) == os.path.realpath(python), "the kernel should be the frontend's Python"
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs[1])

    first, second = lab.click_and_wait_for_image_change("Step")
    assert first != second
    _, third = lab.click_and_wait_for_image_change("Step")
    assert third not in (first, second)

    shot = lab.screenshot(f"browser-smoke-{frontend_name}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 1000


@pytest.mark.parametrize("frontend_name", FRONTENDS)
def test_cell_error_is_reported(request, frontend_name):
    lab = request.getfixturevalue(frontend_name)
    path = lab.write_notebook("broken.ipynb", ["x = 1", "1 / 0", "print('never runs')"])
    lab.open_notebook(path)
    with pytest.raises(AssertionError, match="cell 1: ZeroDivisionError"):
        lab.run_all_cells()


def test_missing_button_and_unchanged_image_are_reported(lab):
    path = lab.write_notebook("inert.ipynb", [
        "import ipywidgets as w\n"
        "png = bytes.fromhex('89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de'\n"
        "                    '0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082')\n"
        "w.VBox([w.Button(description='Other'), w.Image(value=png, format='png')])",  # a button that does nothing
    ])
    lab.open_notebook(path)
    lab.run_all_cells()
    lab.page.wait_for_selector("button.jupyter-button")
    with pytest.raises(AssertionError, match="expected one widget button labelled 'Step'.*'Other'"):
        lab.button("Step")
    with pytest.raises(AssertionError, match="clicking 'Other' did not change Image 0"):
        lab.click_and_wait_for_image_change("Other", timeout=2)
