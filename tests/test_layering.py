"""The engine's layers import only downwards: `autodiff` <- `ops` <- `layers` <- `models`.

Parsed with `ast`, so imports inside functions count too: a late import is
still an import, and `layers/` reaching up into `models/` is what this guards.
"""
import ast
import pathlib

import teachnet

ENGINE = pathlib.Path(teachnet.__file__).parent


def imported_modules(path):
    """Every module a file imports, at any depth (functions included)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module)
            # `from teachnet import models` imports teachnet.models too
            names += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path}: relative import; the engine spells imports out (teachnet.x.y)")
    return names


def imports_of(package, forbidden):
    bad = []
    for path in sorted((ENGINE / package).rglob("*.py")):
        for name in imported_modules(path):
            if name == forbidden or name.startswith(forbidden + "."):
                bad.append(f"{path.relative_to(ENGINE.parent)} imports {name}")
    return bad


def test_layers_do_not_import_models():
    assert imports_of("layers", "teachnet.models") == []


def test_layers_and_ops_do_not_import_widgets():
    assert imports_of("layers", "widgets") == []
    assert imports_of("ops", "widgets") == []


def test_ops_do_not_import_layers_or_models():
    assert imports_of("ops", "teachnet.layers") == []
    assert imports_of("ops", "teachnet.models") == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    # The check must not pass just because it only reads module-level imports.
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from teachnet.models.functional import Node\n    return Node\n")
    assert "teachnet.models.functional" in imported_modules(module)


def imports_inside_functions_without_a_reason(path, root=ENGINE.parent):
    """`file:line` of each teachnet or h5py import in a function body with no comment on it or just above."""
    source = path.read_text()
    lines = source.splitlines()
    bad = []
    for function in ast.walk(ast.parse(source, filename=str(path))):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if not any(name.split(".")[0] in ("teachnet", "h5py") for name in names):
                continue
            said_why = "#" in lines[node.lineno - 1] or lines[node.lineno - 2].strip().startswith("#")
            if not said_why:
                bad.append(node.lineno)
    # A nested function's imports are seen from the outer function too: once each, in line order.
    return [f"{path.relative_to(root)}:{line}" for line in sorted(set(bad))]


def test_imports_inside_functions_say_why():
    # A late import is either a real cycle or an optional dependency; either way the
    # reader is told which, and every other import sits at the top of its module.
    bad = []
    for path in sorted(ENGINE.rglob("*.py")):
        bad += imports_inside_functions_without_a_reason(path)
    assert bad == [], ("imports inside functions with no comment saying why; move them to the top of the module, "
                       "or say on the line (or just above) why they cannot be:\n" + "\n".join(bad))


def test_the_late_import_check_reads_comments(tmp_path):
    # The check must fail on a bare late import and accept one with a reason beside or above it.
    module = tmp_path / "late.py"
    module.write_text("def f():\n    import teachnet.ops\n    return teachnet.ops\n")
    assert imports_inside_functions_without_a_reason(module, root=tmp_path) == ["late.py:2"]
    module.write_text("def f():\n    # a cycle\n    import teachnet.ops\n    import h5py  # optional\n")
    assert imports_inside_functions_without_a_reason(module, root=tmp_path) == []
