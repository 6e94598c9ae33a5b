"""Checks on the lessons as files: every notebook has its Colab badge and setup cell built from the one
REPO_URL in lessons/README.md, an exercises section with checks, saved outputs without errors, small
pictures, and a line in the README's index. (nbval runs the notebooks themselves; lessons/conftest.py
times them under nbval and enforces 60 s per lesson.)

`python tests/test_lessons.py --fix-urls` rewrites every badge and install line from README's REPO_URL;
`python tests/test_lessons.py --shrink` re-encodes the saved PNGs above 20 kB with a 256-colour octree palette
(when that is smaller) and drops saved widget state, to run after executing the lessons.
"""
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
README = LESSONS / "README.md"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
MAX_NOTEBOOK_BYTES = 600_000
MAX_SAVED_WIDTH = 1000  # px: a saved picture as wide as a notebook shows it (widgets are at most 980 CSS px)


def repo_url():
    match = re.search(r"`REPO_URL = (https://github\.com/[\w.-]+/[\w.-]+)`", README.read_text())
    assert match, "lessons/README.md must state the kit's source as `REPO_URL = https://github.com/<owner>/<repo>`"
    return match.group(1)


def colab_url(notebook_name, url=None):
    url = url or repo_url()
    return url.replace("https://github.com/", "https://colab.research.google.com/github/") + \
        f"/blob/main/lessons/{notebook_name}"


def install_line(url=None):
    return f'%pip install -q "teachnet @ git+{url or repo_url()}"'


def load(path):
    return json.loads(path.read_text())


def source(cell):
    return "".join(cell["source"])


def code_cells(nb):
    return [cell for cell in nb["cells"] if cell["cell_type"] == "code"]


def test_lessons_are_numbered_once_each():
    numbers = [int(path.name[:2]) for path in NOTEBOOKS]
    assert numbers and numbers[0] == 0, f"the series starts at 00_setup.ipynb; found {numbers}"
    assert len(set(numbers)) == len(numbers), f"two lessons share a number: {numbers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_badge_is_built_from_readme_url(path):
    first = load(path)["cells"][0]
    assert first["cell_type"] == "markdown", "the first cell must be the markdown cell with the Colab badge"
    badges = re.findall(r"\]\((https://colab\.research\.google\.com/github/[^)]+)\)", source(first))
    assert badges == [colab_url(path.name)], f"expected one badge to {colab_url(path.name)}, found {badges}"
    assert "colab-badge.svg" in source(first)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_installs_the_kit_only_in_colab(path):
    setup = source(code_cells(load(path))[0])
    assert 'if "google.colab" in sys.modules:' in setup, "the setup cell must test for Colab"
    assert install_line() in setup, f"the setup cell must run {install_line()}"
    # the install line sits inside the `if`, so it never runs outside Colab
    assert f"    {install_line()}" in setup.splitlines()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lesson_ends_with_checked_exercises(path):
    nb = load(path)
    headings = [i for i, cell in enumerate(nb["cells"]) if cell["cell_type"] == "markdown"
                and re.search(r"^#+ Exercises", source(cell), re.M)]
    assert headings, "a lesson needs a markdown heading '## Exercises'"
    after = "\n".join(source(cell) for cell in nb["cells"][headings[-1]:])
    numbers = re.findall(r"check\(\"(\d+\.\d+)\"", after)
    lesson = int(path.name[:2])
    assert numbers, "the exercises section must call check(\"N.k\", answer)"
    assert all(int(n.split(".")[0]) == lesson for n in numbers), f"exercise numbers {numbers} in lesson {lesson}"
    from widgets.exercises import EXERCISES
    missing = [n for n in numbers if n not in EXERCISES]
    assert not missing, f"exercises {missing} have no check in widgets/exercises/"
    assert "show_solution" in after or "<details>" in after, "solutions must be reachable"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_outputs_have_no_errors_and_stay_small(path):
    nb = load(path)
    cells = code_cells(nb)
    assert all(cell.get("execution_count") for cell in cells), "commit the lesson executed (run all cells)"
    counts = [cell["execution_count"] for cell in cells]
    assert counts == sorted(counts), "cells were run out of order; run the notebook top to bottom"
    for cell in cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"saved error in cell: {source(cell)[:80]!r}"
            assert not (output["output_type"] == "stream" and output["name"] == "stderr"
                        and "Traceback" in output["text"]), "saved traceback on stderr"
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{path.name} is {path.stat().st_size} bytes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_some_outputs_are_checked_exactly(path):
    checked = [cell for cell in code_cells(load(path)) if "# NBVAL_CHECK_OUTPUT" in source(cell)]
    assert checked, "mark the cells with deterministic, meaningful printed output with # NBVAL_CHECK_OUTPUT"
    assert all(cell.get("outputs") for cell in checked), "a checked cell must have saved output to compare"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_defines_no_library_code(path):
    for cell in code_cells(load(path)):
        assert not re.search(r"^\s*class \w+.*:\s*$", source(cell), re.M) or "(tn.layers.Layer)" in source(cell) \
            or "(Layer)" in source(cell), "notebooks import the kit; only lesson-sized Layer subclasses are written"


def test_readme_lists_every_lesson():
    text = README.read_text()
    missing = [path.name for path in NOTEBOOKS if f"]({path.name})" not in text]
    assert not missing, f"lessons/README.md does not link {missing}"


def test_lesson_timing_budget_logic():
    spec = importlib.util.spec_from_file_location("lessons_conftest", LESSONS / "conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    assert conftest.over_budget({"00_setup.ipynb": 12.0, "01_layers.ipynb": 59.9}) == []
    assert conftest.over_budget({"05_training.ipynb": 61.0}) == ["05_training.ipynb took 61.0 s (budget 60 s)"]
    assert conftest.over_budget({f"{i:02d}.ipynb": 40.0 for i in range(10)}) == \
        ["the lessons took 400.0 s together (budget 360 s)"]


def fix_urls():
    """Rewrites every lesson's badge and Colab install line from README's REPO_URL."""
    url = repo_url()
    for path in NOTEBOOKS:
        nb = load(path)
        first = nb["cells"][0]
        text = re.sub(r"\]\(https://colab\.research\.google\.com/github/[^)]+\)", f"]({colab_url(path.name)})",
                      source(first))
        first["source"] = text.splitlines(keepends=True)
        setup = code_cells(nb)[0]
        text = re.sub(r'%pip install -q "teachnet @ git\+[^"]+"', install_line(url), source(setup))
        setup["source"] = text.splitlines(keepends=True)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        print("updated", path.name)


def shrink(paths=None, threshold=20_000):
    """Re-encodes big saved PNGs with a palette (at most MAX_SAVED_WIDTH px wide) and drops `metadata.widgets` (the widgets' state, which
    repeats their pictures); every widget keeps its own static PNG in its output."""
    import base64
    import io
    from PIL import Image
    for path in paths or sorted(LESSONS.glob("*.ipynb")):
        nb = load(path)
        before = path.stat().st_size
        nb["metadata"].pop("widgets", None)
        for cell in code_cells(nb):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if len(data.get("image/png", "")) < threshold:
                    continue
                image = Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).convert("RGB")
                if image.width > MAX_SAVED_WIDTH:  # widgets draw at 1.5 px per CSS px; a saved copy needs 1
                    image = image.resize((MAX_SAVED_WIDTH, round(image.height * MAX_SAVED_WIDTH / image.width)),
                                         Image.Resampling.LANCZOS)
                buffer = io.BytesIO()
                image.quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, format="png", optimize=True)
                smaller = base64.b64encode(buffer.getvalue()).decode("ascii")
                if len(smaller) < len(data["image/png"]):
                    data["image/png"] = smaller
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        print(f"{path.name}: {before} -> {path.stat().st_size} bytes")


if __name__ == "__main__":
    if sys.argv[1:] == ["--fix-urls"]:
        fix_urls()
    elif sys.argv[1:] == ["--shrink"]:
        shrink()
    else:
        print(__doc__)
