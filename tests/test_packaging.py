"""Packaging checks: what a learner installs is what the code needs, and nothing more.

- environment.yml (conda) lists the same packages and bounds as pyproject's dependencies + `lab` extra;
- every conda match spec in it parses (with py-rattler when installed, else a strict regex);
- the engine `teachnet/` imports only numpy and the standard library, and never `widgets`;
- `widgets/` imports only what pyproject declares for it;
- a built wheel holds both import packages and the dataset files.
"""
import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is in the `test` extra: pip install -e '.[test]'")
try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli", reason="Python 3.10 needs tomli to read pyproject.toml")
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
# conda-forge name -> PyPI name, where they differ (none of ours do today).
CONDA_TO_PYPI = {}
# A conda match spec as we write them: name, then optional version constraints like >=1.24,<3.
MATCH_SPEC = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_.\-]*)\s*(?P<version>(?:[<>=!~]=?\s*[0-9][0-9a-z.*]*\s*,?\s*)*)$")


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _environment():
    with open(ROOT / "environment.yml") as f:
        return yaml.safe_load(f)


def _conda_specs(env):
    """The plain string entries of `dependencies` (the `pip:` sub-list is a dict)."""
    return [d for d in env["dependencies"] if isinstance(d, str)]


def _parse_match_spec(spec):
    """(name, SpecifierSet) of one conda match spec; raises ValueError when it does not parse."""
    try:
        from rattler import MatchSpec
    except ImportError:
        m = MATCH_SPEC.match(spec.strip())
        if m is None:
            raise ValueError(f"Not a conda match spec: {spec!r}")
        return m["name"], SpecifierSet(m["version"].replace(" ", ""))
    try:
        parsed = MatchSpec(spec)
    except Exception as e:  # rattler's InvalidMatchSpecError is not a ValueError
        raise ValueError(f"Not a conda match spec: {spec!r} ({e})") from e
    name = parsed.name.normalized
    version = str(parsed.version) if parsed.version is not None else ""
    return name, SpecifierSet(version.replace(" ", ""))


def test_environment_yml_match_specs_parse():
    specs = _conda_specs(_environment())
    assert specs, "environment.yml lists no conda packages"
    for spec in specs:
        name, _ = _parse_match_spec(spec)
        assert spec.startswith(name), f"{spec!r} parsed to the name {name!r}"


def test_match_spec_parser_rejects_garbage():
    # Proves the parse check above can fail.
    with pytest.raises(ValueError, match="Not a conda match spec"):
        _parse_match_spec("numpy >>= 1..2 ][")


def test_environment_yml_matches_pyproject_dependencies_and_lab_extra():
    project = _pyproject()["project"]
    wanted = {}
    for line in project["dependencies"] + project["optional-dependencies"]["lab"]:
        req = Requirement(line)
        wanted[req.name.lower()] = req.specifier
    env = _environment()
    got = {}
    for spec in _conda_specs(env):
        name, specifier = _parse_match_spec(spec)
        got[CONDA_TO_PYPI.get(name, name)] = specifier
    assert got.pop("python") == SpecifierSet(project["requires-python"]), (
        "environment.yml's python bound differs from pyproject's requires-python"
    )
    assert "pip" in got, "environment.yml must list pip (it installs the kit itself with `pip install -e .`)"
    got.pop("pip")
    assert set(got) == set(wanted), (
        f"environment.yml and pyproject (dependencies + lab extra) list different packages. "
        f"Only in environment.yml: {sorted(set(got) - set(wanted))}; "
        f"only in pyproject: {sorted(set(wanted) - set(got))}"
    )
    for name in wanted:
        assert got[name] == wanted[name], f"{name}: environment.yml has {got[name]}, pyproject has {wanted[name]}"
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section and "-e ." in pip_section[0]["pip"], "environment.yml must `pip install -e .` the kit"


def _imported_top_level_modules(package_dir):
    """{top-level module name: [file:line, ...]} for every absolute import under package_dir."""
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.setdefault(name.split(".")[0], []).append(where)
    return found


# The one exception: teachnet.utils.plot_model draws with matplotlib (the issue asks for a picture
# without graphviz), importing it inside the function, so `import teachnet` never loads it.
LAZY_PLOTTING = "teachnet/utils/plot.py"
# And h5py, for Keras's `.keras` / `.weights.h5` files (issue 12): only this module, inside its functions.
H5_MODULE = "teachnet/saving/keras_file.py"
# And numba, which compiles the few loops numpy makes slowly (pooling, col2im, bias + relu; issue 15): only
# this module, inside its functions (imported on first use, so `import teachnet` stays quick).
NUMBA_MODULE = "teachnet/ops/compiled.py"


def test_engine_imports_only_numpy_and_stdlib():
    imports = _imported_top_level_modules(ROOT / "teachnet")
    assert "numpy" in imports  # the scan sees the engine's imports at all
    assert "widgets" not in imports, f"the engine must never import widgets: {imports.get('widgets')}"
    # threadpoolctl (a declared dependency) reads and sets BLAS's thread count for teachnet/ops/parallel.py
    allowed = {"numpy", "teachnet", "threadpoolctl"} | set(sys.stdlib_module_names)
    extra = {name: where for name, where in imports.items() if name not in allowed}
    matplotlib_uses = extra.pop("matplotlib", [])
    h5py_uses = extra.pop("h5py", [])
    numba_uses = extra.pop("numba", [])
    assert not extra, f"teachnet/ may import only numpy and the standard library; found {extra}"
    assert numba_uses and all(w.startswith(NUMBA_MODULE + ":") for w in numba_uses), numba_uses
    numba_module_level = ast.parse((ROOT / NUMBA_MODULE).read_text()).body
    assert not [n for n in numba_module_level if isinstance(n, (ast.Import, ast.ImportFrom))
                and "numba" in ast.dump(n)], "compiled.py must import numba lazily, on first use"
    assert h5py_uses and all(w.startswith(H5_MODULE + ":") for w in h5py_uses), h5py_uses
    h5_module_level = ast.parse((ROOT / H5_MODULE).read_text()).body
    assert not [n for n in h5_module_level if isinstance(n, (ast.Import, ast.ImportFrom))
                and "h5py" in ast.dump(n)], "keras_file.py must import h5py lazily, when a file is read or written"
    assert all(w.startswith(LAZY_PLOTTING + ":") for w in matplotlib_uses), matplotlib_uses
    module_level = ast.parse((ROOT / LAZY_PLOTTING).read_text()).body
    assert not [n for n in module_level if isinstance(n, (ast.Import, ast.ImportFrom))
                and "matplotlib" in ast.dump(n)], "plot.py must import matplotlib lazily, inside plot_model"


def test_engine_import_loads_no_plotting_or_widget_modules():
    code = (
        "import sys, teachnet; "
        "bad = sorted(m for m in ('matplotlib', 'ipywidgets', 'widgets', 'torch', 'keras', 'IPython', "
        "'h5py', 'numba') if m in sys.modules); print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"`import teachnet` loaded {out.stdout.strip()}"


def test_widgets_import_only_declared_dependencies():
    imports = _imported_top_level_modules(ROOT / "widgets")
    # ipywidgets itself requires traitlets and IPython, so those come with it.
    allowed = {"numpy", "matplotlib", "PIL", "ipywidgets", "traitlets", "IPython", "teachnet", "widgets"}
    allowed |= set(sys.stdlib_module_names)
    extra = {name: where for name, where in imports.items() if name not in allowed}
    assert not extra, f"widgets/ imports packages pyproject does not declare (add them to dependencies): {extra}"


def test_wheel_holds_both_packages_and_dataset_files(tmp_path):
    pytest.importorskip("setuptools", reason="building the wheel offline needs setuptools in this environment")
    # Build from a copy of what the wheel is made of, so no build/ or egg-info lands in the checkout.
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("teachnet", "widgets"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, f"building the wheel failed:\n{out.stdout}\n{out.stderr}"
    (wheel,) = tmp_path.glob("teachnet-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "teachnet/__init__.py" in names and "teachnet/autodiff.py" in names
    assert "widgets/__init__.py" in names
    sources = [p for p in ROOT.glob("teachnet/**/*.py") if "__pycache__" not in p.parts]
    missing = [str(p.relative_to(ROOT)) for p in sources if p.relative_to(ROOT).as_posix() not in names]
    assert not missing, f"wheel lacks engine modules (a package without __init__.py?): {missing}"
    data_dir = ROOT / "teachnet" / "datasets" / "data"
    data = [p.relative_to(ROOT).as_posix() for p in data_dir.glob("*") if p.is_file()] if data_dir.is_dir() else []
    assert not (set(data) - names), f"wheel lacks dataset files: {sorted(set(data) - names)}"


def test_ci_runs_the_readme_install_and_test_commands():
    """CI must install and test exactly as README's quick start tells a learner."""
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)\n```", quick_start, flags=re.S)
    assert len(blocks) == 2, f"README's quick start should hold exactly two commands; found {blocks}"
    assert "jupyter lab lessons/" in blocks[0]
    ci_lines = {line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()}
    ci_text = "\n".join(ci_lines)
    for command in blocks[1].split(" && "):
        if "pytest" in command:
            assert any(line.startswith(command) for line in ci_lines), f".ci/run does not run {command!r}"
        else:
            assert command in ci_lines, f".ci/run does not run README's {command!r}"
    assert "set -euo pipefail" in ci_text
