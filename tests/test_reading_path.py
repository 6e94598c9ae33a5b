"""The "Read the engine" path in `teachnet/__init__.py` points at real code.

Each entry is `file:function` (or `file:Class.method`); the test parses the
file with `ast` and checks the name is defined there, so a rename or a move
breaks this test instead of leaving learners a dead link.
"""
import ast
import pathlib
import re

import teachnet

ROOT = pathlib.Path(teachnet.__file__).parent.parent
ENTRY = re.compile(r"^\s*\d+\.\s+(teachnet/\S+\.py):(\S+)", re.MULTILINE)


def reading_path():
    doc = teachnet.__doc__
    assert "Read the engine" in doc
    return ENTRY.findall(doc.split("Read the engine", 1)[1])


def defined_names(path):
    """Top-level functions and classes, and `Class.method` for each method."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(f"{node.name}.{item.name}" for item in node.body if isinstance(item, ast.FunctionDef))
    return names


def test_every_listed_function_exists_in_the_listed_file():
    entries = reading_path()
    assert len(entries) >= 10
    for file, name in entries:
        path = ROOT / file
        assert path.is_file(), f"reading path: {file} does not exist"
        assert name in defined_names(path), f"reading path: {file} defines no {name}"


def test_the_path_covers_one_training_step():
    names = [name for _, name in reading_path()]
    for needed in ["record", "matmul", "relu", "Dense.call", "Layer.__call__", "GradientTape.gradient",
                   "Optimizer.apply", "SGD.update_step", "Model.train_step", "Model.fit"]:
        assert needed in names, f"the reading path misses {needed}"
    # bottom up: the tape's record comes before the layers, the training loop last
    assert names.index("record") < names.index("Dense.call") < names.index("Model.train_step")
    assert names[-1] == "Model.fit"


def test_a_wrong_entry_is_caught(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("class A:\n    def f(self):\n        pass\n\ndef g():\n    pass\n")
    assert defined_names(module) == {"A", "A.f", "g"}
    assert "A.h" not in defined_names(module)


def test_the_training_step_records_nothing_for_the_widgets():
    # The step reads like Keras's; what callbacks read is recorded by step_details.StepRecorder around it.
    source = (ROOT / "teachnet/models/model.py").read_text()
    step = next(node for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.FunctionDef) and node.name == "train_step")
    calls = {n.func.attr for n in ast.walk(step) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    assert {"compute_loss", "gradient", "apply", "compute_metrics"} <= calls
    assert "StepRecorder" not in ast.unparse(step)


def test_readme_and_lesson_05_point_to_the_reading_path():
    assert "Read the engine" in (ROOT / "README.md").read_text()
    lesson = (ROOT / "lessons" / "05_training.ipynb").read_text()
    assert "Read the engine" in lesson and "../teachnet/__init__.py" in lesson
