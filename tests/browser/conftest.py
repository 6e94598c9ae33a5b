"""Fixtures that drive a real JupyterLab in headless Chromium, for tests that must see what a learner sees.

- `jupyter_lab` (session): a JupyterLab server on 127.0.0.1 with a random free port and token, started with
  `--expose-app-in-browser` so tests drive it through `window.jupyterapp` (clicking menus right after a
  kernel starts is unreliable); config, data, runtime, settings and workspaces live in a temp dir, news and
  update checks are off, and the `python3` kernel is this very Python (ipykernel).
- `browser` (session): Playwright driving Debian's /usr/bin/chromium (Playwright never downloads a browser
  here). Skips with a reason when Chromium is absent; fails instead when CI=true.
- `lab` (per test): a fresh browser page plus helpers (`Lab`): open a notebook, run all cells and check
  that none errored, click a widget button and wait for an image to change, take screenshots into
  `test-artifacts/`. On failure a screenshot is saved there too.

Put browser tests in this folder (these fixtures apply here; `-m "not browser"` deselects them all).
`lab.page` is the Playwright page for anything the helpers do not cover. Usage in a test:

    def test_dashboard(lab):
        path = lab.write_notebook("demo.ipynb", ["import ipywidgets as w", "w.Button(description='Go')"])
        lab.open_notebook(path)
        lab.run_all_cells()
        lab.screenshot("demo")
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason):
    """Skip on a developer's machine; in CI a missing browser stack is a failure, not a silent skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so the browser tests must run)")
    pytest.skip(reason)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A running JupyterLab: where it listens, its token, the folder it serves, and its log."""

    def __init__(self, base_url, token, root_dir, log_path, process):
        self.base_url, self.token, self.root_dir = base_url, token, root_dir
        self.log_path, self.process = log_path, process

    def url(self, path="lab", reset=True):
        """A browser URL for `path` under the server; `?reset` starts from an empty workspace."""
        query = ("reset&" if reset else "") + f"token={self.token}"
        return f"{self.base_url}/{path}?{query}"

    def log(self):
        return self.log_path.read_text(errors="replace")


def _write_jupyter_dirs(home):
    """Temp Jupyter config/data/settings: our kernel, no news, no update checks."""
    env = dict(os.environ)
    dirs = {name: home / name for name in ("config", "data", "runtime", "settings", "workspaces")}
    for d in dirs.values():
        d.mkdir(parents=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        JUPYTER_PLATFORM_DIRS="1",
        # notebooks import the kit from this checkout even when it is not pip-installed
        PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]),
        MPLBACKEND="module://matplotlib_inline.backend_inline",
    )
    kernel_dir = dirs["data"] / "kernels" / "python3"
    kernel_dir.mkdir(parents=True)
    (kernel_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (teachnet tests)",
        "language": "python",
    }))
    notification = dirs["settings"] / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return env


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    """Start JupyterLab for the test session; yields a `LabServer`."""
    pytest.importorskip("jupyterlab", reason="the browser tests need jupyterlab: pip install -e '.[test]'")
    home = tmp_path_factory.mktemp("jupyter")
    root_dir = home / "root"
    root_dir.mkdir()
    env = _write_jupyter_dirs(home)
    port, token = _free_port(), secrets.token_hex(16)
    log_path = home / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
        "--expose-app-in-browser",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--ServerApp.terminals_enabled=False",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI runs as root
        command.append("--allow-root")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log_path, process)
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"jupyter lab did not answer on port {port} within 90 s:\n{server.log()}")
        time.sleep(0.25)
    yield server
    process.terminate()  # the server shuts its kernels down on SIGTERM
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's) driven by Playwright."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found (install Debian's package: apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the `playwright` package is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.browser_test_failed = report.failed


@pytest.fixture
def lab(request, browser, jupyter_lab):  # browser first: skip before starting a server
    """A fresh page on the test server, wrapped in `Lab` helpers; screenshots the page if the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    helper = Lab(page, jupyter_lab)
    page.on("console", lambda m: helper.console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    yield helper
    if getattr(request.node, "browser_test_failed", False):
        try:
            helper.screenshot(f"FAILED-{request.node.name}")
        except Exception as e:  # the page may be gone; the test's own error matters more
            print(f"could not take the failure screenshot: {e}")
    context.close()


class Lab:
    """Helpers to drive one JupyterLab page through `window.jupyterapp` (see module docstring)."""

    def __init__(self, page, server):
        self.page, self.server = page, server
        self.console = []  # browser console errors, for failure messages

    # --- notebooks -------------------------------------------------------------------------------------
    def write_notebook(self, name, cells):
        """Write a notebook (code cells from strings; "# md\\n..." strings become markdown) into the
        server's root; returns its path relative to the root."""
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        for source in cells:
            if source.startswith("# md\n"):
                nb.cells.append(nbformat.v4.new_markdown_cell(source[len("# md\n"):]))
            else:
                nb.cells.append(nbformat.v4.new_code_cell(source))
        path = self.server.root_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))
        return name

    def copy_notebook(self, source):
        """Copy a notebook (e.g. from lessons/) into the server's root; returns its relative path."""
        source = Path(source)
        shutil.copy(source, self.server.root_dir / source.name)
        return source.name

    def open_notebook(self, path, timeout=90):
        """Open `path` (relative to the server root) in a reset workspace and wait for its kernel to be idle."""
        self.page.goto(self.server.url(f"lab/tree/{path}"))
        self.page.wait_for_function("() => window.jupyterapp !== undefined", timeout=timeout * 1000)
        self.page.evaluate("() => window.jupyterapp.restored")
        self._wait_js(
            """(path) => {
                const w = window.jupyterapp.shell.currentWidget;
                if (!w || !w.context || w.context.path !== path || !w.context.isReady) return false;
                const kernel = w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
            }""",
            path, timeout, f"notebook {path} to open with an idle kernel",
        )

    def run_all_cells(self, timeout=300):
        """Run every cell of the current notebook, wait until all finished, and fail on any error output.

        Returns the outputs of each code cell (nbformat dicts), in order.
        """
        # Clearing outputs also clears execution counts, so stored outputs cannot look like a finished run.
        # The commands' promise is not awaited by evaluate (a long run would outlive it): it sets a flag
        # when run-all settles, and we poll for that flag and for the cells' own state.
        self.page.evaluate(
            """() => {
                const commands = window.jupyterapp.commands;
                window.__teachnetRunAll = 'running';
                commands.execute('notebook:clear-all-cell-outputs')
                    .then(() => commands.execute('notebook:run-all-cells'))
                    .then(() => { window.__teachnetRunAll = 'done'; },
                          (e) => { window.__teachnetRunAll = 'failed: ' + e; });
            }"""
        )
        # Done when run-all settled, the kernel is idle, no cell waits ("[*]"), and every code cell ran or
        # one failed (JupyterLab does not run the cells after an error).
        self._wait_js(
            """() => {
                if (window.__teachnetRunAll === 'running') return false;
                const w = window.jupyterapp.shell.currentWidget;
                const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
                const code = w.content.widgets.filter(c => c.model.type === 'code');
                const waiting = code.some(c => c.promptNode && c.promptNode.textContent.includes('*'));
                const ran = code.every(c => c.model.executionCount !== null);
                const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
                return !!kernel && kernel.status === 'idle' && !waiting && (ran || failed);
            }""",
            None, timeout, "all cells to finish running",
        )
        settled = self.page.evaluate("() => window.__teachnetRunAll")
        assert settled == "done", f"JupyterLab's run-all-cells command did not complete: {settled}"
        cells = self.page.evaluate(
            """() => window.jupyterapp.shell.currentWidget.content.widgets
                   .filter(c => c.model.type === 'code')
                   .map(c => ({source: c.model.sharedModel.getSource(), outputs: c.model.outputs.toJSON()}))"""
        )
        errors = [
            f"cell {i}: {o.get('ename')}: {o.get('evalue')}\n--- source ---\n{cell['source']}"
            for i, cell in enumerate(cells) for o in cell["outputs"] if o.get("output_type") == "error"
        ]
        assert not errors, "notebook cells raised errors:\n" + "\n\n".join(errors)
        return [cell["outputs"] for cell in cells]

    # --- widgets ---------------------------------------------------------------------------------------
    def image_digests(self, area=None):
        """SHA-256 (hex) of the bytes shown by each ipywidgets Image (`img.widget-image`) in the page, or
        inside the locator `area`, in page order."""
        root = self.page.locator("body") if area is None else area
        return root.evaluate(
            """async (root) => {
                const out = [];
                for (const img of root.querySelectorAll('img.widget-image')) {
                    if (!img.src) { out.push(null); continue; }
                    const bytes = await (await fetch(img.src)).arrayBuffer();
                    const hash = await crypto.subtle.digest('SHA-256', bytes);
                    out.push([...new Uint8Array(hash)].map(b => b.toString(16).padStart(2, '0')).join(''));
                }
                return out;
            }"""
        )

    def button(self, label):
        """The ipywidgets Button whose label is exactly `label` (fails if there is not exactly one)."""
        buttons = self.page.locator("button.jupyter-button").filter(has_text=label)
        exact = [i for i in range(buttons.count()) if buttons.nth(i).inner_text().strip() == label]
        labels = self.page.locator("button.jupyter-button").all_inner_texts()
        assert len(exact) == 1, f"expected one widget button labelled {label!r}; the page has {labels}"
        return buttons.nth(exact[0])

    def click_and_wait_for_image_change(self, label, image_index=0, timeout=60, area=None):
        """Click the widget button `label`, then wait until Image number `image_index` shows other bytes;
        in the whole page, or inside the locator `area` (a widget's output area).

        Returns (digest before, digest after).
        """
        self.page.wait_for_selector("img.widget-image", timeout=timeout * 1000)
        before = self.image_digests(area)
        assert len(before) > image_index, f"expected an Image number {image_index}; the page has {len(before)}"
        if area is None:
            button = self.button(label)
        else:
            button = area.get_by_role("button", name=label, exact=True)
            assert button.count() == 1, f"expected one button {label!r} in the widget; it has {button.count()}"
        button.click()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = self.image_digests(area)
            if len(now) > image_index and now[image_index] != before[image_index]:
                return before[image_index], now[image_index]
            time.sleep(0.2)
        raise AssertionError(
            f"clicking {label!r} did not change Image {image_index} within {timeout} s; "
            f"browser console errors: {self.console}"
        )

    def wait_until_images_stable(self, area=None, seconds=1.5, timeout=30):
        """Waits until the images (of the page, or inside `area`) stop changing for `seconds` (a tick may
        still be in flight); returns their digests."""
        deadline = time.monotonic() + timeout
        last, since = self.image_digests(area), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.image_digests(area)
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= seconds:
                return now
        raise AssertionError(f"the widget's images kept changing for {timeout} s after Pause")

    # --- evidence --------------------------------------------------------------------------------------
    def screenshot(self, name):
        """Save a PNG of the page to test-artifacts/<name>.png and return its path."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def _wait_js(self, predicate, arg, timeout, what):
        try:
            self.page.wait_for_function(predicate, arg=arg, timeout=timeout * 1000, polling=200)
        except Exception as e:
            raise AssertionError(
                f"timed out after {timeout} s waiting for {what}; browser console errors: {self.console}\n"
                f"server log tail:\n{self.server.log()[-3000:]}"
            ) from e
