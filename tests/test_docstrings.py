"""Every public name of `teachnet.ops`, `teachnet.layers` and `teachnet.initializers` is documented.

The template is STYLE.md's (after Keras's dense.py and PyTorch's Linear): one plain first sentence,
`Formula:` where there is one, `Args:` for anything that takes arguments, shapes, a short example.
This file checks the parts a machine can check (a first sentence, an `Args:` section, an example)
and runs every `>>>` example with doctest, so an example whose printed output is wrong fails here.
The examples see their own module's names (as `python -m doctest` would), plus `np`, `teachnet`
and `ops` (= `teachnet.ops`), the names a notebook has imported.
"""
import doctest
import importlib
import inspect
import sys
import types

import numpy as np
import pytest

import teachnet

MODULES = ["teachnet.ops", "teachnet.layers", "teachnet.initializers"]


def public_names(module_name):
    """(qualified name, object) for every public function and class a module exports."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    found = []
    for name in sorted(names):
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType) or not callable(obj):
            continue  # submodules and constants (e.g. RECURRENT_ACTIVATIONS) are not API entries
        if not (getattr(obj, "__module__", "") or "").startswith("teachnet"):
            continue  # a re-exported name from elsewhere (none today) documents itself
        found.append((f"{module_name}.{name}", obj))
    return found


ALL_NAMES = [entry for module in MODULES for entry in public_names(module)]


def takes_arguments(obj):
    """True when the public signature has a parameter (other than self) a caller can pass."""
    try:
        params = list(inspect.signature(obj).parameters.values())  # of a class: its constructor's
    except (TypeError, ValueError):
        return False
    return any(p.name != "self" for p in params)


def docstring_problems(obj):
    doc = inspect.getdoc(obj) if not inspect.isclass(obj) else obj.__dict__.get("__doc__")
    if inspect.isclass(obj) and doc is None:
        return ["no docstring of its own"]
    doc = inspect.cleandoc(doc) if doc else ""
    if not doc.strip():
        return ["no docstring"]
    problems = []
    first = doc.strip().split("\n\n")[0].strip()
    if not first.endswith((".", ":")) or len(first.split()) < 3:
        problems.append(f"first paragraph is not a sentence: {first[:60]!r}")
    if takes_arguments(obj) and "\nArgs:" not in "\n" + doc:
        problems.append("no Args: section")
    if ">>> " not in doc:
        problems.append("no example (>>> lines)")
    return problems


def test_the_check_finds_a_missing_docstring():
    def undocumented(x):
        return x

    def no_args_no_example(x):
        """Return `x` unchanged."""
        return x

    def documented(x):
        """Return `x` unchanged.

        Args:
            x: anything.

        Example:
            >>> documented(3)
            3
        """
        return x

    assert docstring_problems(undocumented) == ["no docstring"]
    assert docstring_problems(no_args_no_example) == ["no Args: section", "no example (>>> lines)"]
    assert docstring_problems(documented) == []


def test_every_public_name_has_a_docstring_in_the_template():
    assert len(ALL_NAMES) > 150  # the three modules' surface; guards against the listing going empty
    offenders = [f"{name}: {'; '.join(problems)}" for name, obj in ALL_NAMES
                 for problems in [docstring_problems(obj)] if problems]
    print("\n".join(offenders))
    assert not offenders, f"{len(offenders)} public names break the docstring template:\n" + "\n".join(offenders)


def _doctests():
    finder = doctest.DocTestFinder(exclude_empty=True)
    seen = set()
    for name, obj in ALL_NAMES:
        globs = {**vars(sys.modules[obj.__module__]), "np": np, "teachnet": teachnet, "ops": teachnet.ops}
        for test in finder.find(obj, name, globs=globs):
            where = (test.filename, test.lineno)  # an alias (AvgPool2D = AveragePooling2D) finds it again
            if test.examples and where not in seen:
                seen.add(where)
                yield test


DOCTESTS = list(_doctests())


def test_there_are_examples_to_run():
    assert len(DOCTESTS) > 100


@pytest.mark.parametrize("test", DOCTESTS, ids=[t.name for t in DOCTESTS])
def test_docstring_example_runs_and_prints_what_it_says(test):
    report = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    np.random.seed(0)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
