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
