"""Fixtures that drive three real notebook frontends in headless Chromium, for tests that must see what a
learner sees: JupyterLab 4, Notebook 7 and the classic Notebook 6.5 with ipywidgets 7.7.1 (the version
Google Colab ships; the classic Notebook is its stand-in here).

- `jupyter_lab`, `notebook7_server`, `classic_server` (session): a server on 127.0.0.1 with a random free
  port and token; config, data, runtime, settings and workspaces live in a temp dir, news and update checks
  are off, and the `python3` kernel is the server's own Python. JupyterLab and Notebook 7 run in this
  Python with `--expose-app-in-browser` (tests drive them through `window.jupyterapp`: clicking menus right
  after a kernel starts is unreliable) and with notebook windowing off (every cell's output is in the page).
  The classic Notebook runs in a second virtual environment (notebook<7, ipywidgets 7.7.1,
  widgetsnbextension 3.6, ipykernel; `.ci/run` builds it) named by `TEACHNET_CLASSIC_PYTHON`, and is driven
  through `window.Jupyter.notebook`.
- `browser` (session): Playwright driving Debian's /usr/bin/chromium (Playwright never downloads a browser
  here).
- `lab`, `notebook7`, `classic` (per test): a fresh 1280 x 900 page on that server wrapped in one shared
  API (`Frontend`): `write_notebook`/`copy_notebook`, `open_notebook`, `run_all_cells` (fails on any error
  output), `output_areas`/`widget_areas`, `image_digests(area)`, `click(selector, area)`,
  `press(area, "play" | "pause")`, `record_frames(area)`, `overflow(area)`, `screenshot(name, area)`,
  `set_viewport_width(px)`, `size_output_area(px)`. On failure a screenshot is saved to `test-artifacts/`.
  A test that runs in every frontend takes `frontend_name` from `FRONTENDS` and calls
  `request.getfixturevalue(frontend_name)`.

A missing piece (Chromium, jupyterlab, notebook 7, TEACHNET_CLASSIC_PYTHON) skips with a reason on a
developer's machine and fails under CI=true. Put browser tests in this folder (`-m "not browser"`
deselects them all). `frontend.page` is the Playwright page for anything the helpers do not cover:

    def test_demo(lab):
        path = lab.write_notebook("demo.ipynb", ["import ipywidgets as w", "w.Button(description='Go')"])
        lab.open_notebook(path)
        lab.run_all_cells()
        lab.screenshot("demo")
"""
import concurrent.futures
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
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
CLASSIC_PYTHON = os.environ.get("TEACHNET_CLASSIC_PYTHON")
FRONTENDS = ["lab", "notebook7", "classic"]  # fixture names, for tests that run in every frontend
ERROR_BANNER = "div[style*='fdecea']"  # the red banner of widgets.base.ErrorBanner
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"  # the MIME type of a widget in a cell's outputs


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


_BACKGROUND = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="server-api")


class Server:
    """A running notebook server: where it listens, its token, the folder it serves, and its log."""

    def __init__(self, base_url, token, root_dir, log_path, process):
        self.base_url, self.token, self.root_dir = base_url, token, root_dir
        self.log_path, self.process = log_path, process

    def url(self, path="lab", reset=True):
        """A browser URL for `path` under the server; `?reset` starts JupyterLab from an empty workspace."""
        query = ("reset&" if reset else "") + f"token={self.token}"
        return f"{self.base_url}/{path}?{query}"

    def log(self):
        return self.log_path.read_text(errors="replace")

    def api(self, method, path, body=None):
        """Call the server's REST API (`/api/...`); returns the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(f"{self.base_url}/api/{path}?token={self.token}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def start_session(self, path):
        """Start a kernel for the notebook `path` in a background thread: the frontend finds the session by
        its path and uses that kernel, so the kernel starts while the page loads. Returns a future: its
        `result()` waits for the server's answer and raises the request's error, if any."""
        body = {"path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}}
        return _BACKGROUND.submit(self.api, "POST", "sessions", body)

    def shut_down_kernels(self):
        """End every session and its kernel (a test's kernel would otherwise stay up, idle, until the end), in
        a background thread: the server waits for each kernel to exit, the next test need not."""
        def shut_down():
            try:
                for session in self.api("GET", "sessions"):
                    try:
                        self.api("DELETE", f"sessions/{session['id']}")
                    except urllib.error.HTTPError as e:
                        if e.code != 404:  # 404: already ended (by an earlier test's thread)
                            raise
            except OSError as e:  # a server that no longer answers fails the next test, not this one
                print(f"could not shut the kernels down: {e}")
        threading.Thread(target=shut_down, daemon=True).start()


def _write_jupyter_dirs(home, python):
    """Temp Jupyter config/data/settings: a kernel running `python`, no news, no update checks, and no
    notebook windowing (JupyterLab 4 leaves off-screen cells out of the page by default)."""
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
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (teachnet tests)",
        "language": "python",
    }))
    settings = {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "notebook-extension/tracker": {"windowingMode": "none"},
    }
    for name, values in settings.items():
        path = dirs["settings"] / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return env


def _start_server(home, python, arguments, name):
    """Start `python -m <arguments>` serving a fresh folder on a free port; wait until it answers."""
    root_dir = home / "root"
    root_dir.mkdir()
    env = _write_jupyter_dirs(home, python)
    port, token = _free_port(), secrets.token_hex(16)
    log_path = home / f"{name}.log"
    command = [python, "-m", *[a.format(port=port, token=token, root_dir=root_dir) for a in arguments]]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI runs as root
        command.append("--allow-root")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=root_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", token, root_dir, log_path, process)
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{name} did not answer on port {port} within 90 s:\n{server.log()}")
        time.sleep(0.25)


def _stop_server(server):
    server.process.terminate()  # the server shuts its kernels down on SIGTERM
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, 9)
        server.process.wait()


# JupyterLab and Notebook 7 are the same server (jupyter_server) with different front ends.
SERVER_ARGUMENTS = [
    "--no-browser", "--ip=127.0.0.1", "--port={port}", "--ServerApp.port_retries=0",
    "--IdentityProvider.token={token}", "--ServerApp.root_dir={root_dir}", "--expose-app-in-browser",
    "--ServerApp.terminals_enabled=False",
]


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    """JupyterLab 4 for the test session; yields a `Server`."""
    pytest.importorskip("jupyterlab", reason="the browser tests need jupyterlab: pip install -e '.[test]'")
    server = _start_server(tmp_path_factory.mktemp("jupyterlab"), sys.executable, [
        "jupyterlab", *SERVER_ARGUMENTS, "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    ], "jupyterlab")
    yield server
    _stop_server(server)


@pytest.fixture(scope="session")
def notebook7_server(tmp_path_factory):
    """Notebook 7 for the test session; yields a `Server`."""
    try:
        import notebook
    except ImportError:
        notebook = None
    if notebook is None or int(notebook.__version__.split(".")[0]) < 7:
        _unavailable("the Notebook 7 tests need notebook>=7: pip install -e '.[test]'")
    server = _start_server(tmp_path_factory.mktemp("notebook7"), sys.executable,
                           ["notebook", *SERVER_ARGUMENTS], "notebook7")
    yield server
    _stop_server(server)


@pytest.fixture(scope="session")
def classic_server(tmp_path_factory):
    """The classic Notebook (6.5) with ipywidgets 7.7.1, from the environment TEACHNET_CLASSIC_PYTHON names."""
    if not CLASSIC_PYTHON:
        _unavailable("TEACHNET_CLASSIC_PYTHON is not set: the classic-Notebook tests need a second environment "
                     "with notebook<7 and ipywidgets 7.7.1 (see .ci/run, which builds .venv-classic)")
    if not Path(CLASSIC_PYTHON).exists():
        _unavailable(f"TEACHNET_CLASSIC_PYTHON={CLASSIC_PYTHON} does not exist")
    versions = subprocess.run(
        [CLASSIC_PYTHON, "-c", "import notebook, ipywidgets; print(notebook.__version__, ipywidgets.__version__)"],
        capture_output=True, text=True)
    notebook_version, _, widgets_version = versions.stdout.strip().partition(" ")
    if versions.returncode or not notebook_version.startswith("6.") or widgets_version != "7.7.1":
        _unavailable(f"{CLASSIC_PYTHON} should have notebook 6.x and ipywidgets 7.7.1; it has "
                     f"{versions.stdout.strip() or versions.stderr.strip()[-500:]}")
    server = _start_server(tmp_path_factory.mktemp("classic"), CLASSIC_PYTHON, [
        "notebook", "--no-browser", "--ip=127.0.0.1", "--port={port}", "--NotebookApp.port_retries=0",
        "--NotebookApp.token={token}", "--NotebookApp.notebook_dir={root_dir}",
        "--NotebookApp.open_browser=False",
    ], "classic")
    yield server
    _stop_server(server)


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
        for context in _contexts.values():
            context.close()
        _contexts.clear()
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.browser_test_failed = report.failed


_contexts = {}  # server base URL -> the browser context its pages share


def _page(request, browser, frontend_class, server):
    # One context per server for the session: its pages share the HTTP cache, so each test's page loads the
    # frontend's scripts from the cache instead of the server. Each test still gets a fresh page; the
    # workspace is reset (JupyterLab) and the notebook is a fresh copy with its own kernel.
    if server.base_url not in _contexts:
        _contexts[server.base_url] = browser.new_context(viewport={"width": 1280, "height": 900})
    page = _contexts[server.base_url].new_page()
    page.set_default_timeout(60_000)
    helper = frontend_class(page, server)
    page.on("console", helper.on_console)
    return page, helper


def _close(request, page, helper):
    if getattr(request.node, "browser_test_failed", False):
        try:
            helper.screenshot(f"FAILED-{request.node.name}")
        except Exception as e:  # the page may be gone; the test's own error matters more
            print(f"could not take the failure screenshot: {e}")
    page.close()
    helper.server.shut_down_kernels()


@pytest.fixture
def lab(request, browser, jupyter_lab):  # browser first: skip before starting a server
    """A fresh JupyterLab 4 page (`Lab`); screenshots the page if the test fails."""
    page, helper = _page(request, browser, Lab, jupyter_lab)
    yield helper
    _close(request, page, helper)


@pytest.fixture
def notebook7(request, browser, notebook7_server):
    """A fresh Notebook 7 page (`Notebook7`); screenshots the page if the test fails."""
    page, helper = _page(request, browser, Notebook7, notebook7_server)
    yield helper
    _close(request, page, helper)


@pytest.fixture
def classic(request, browser, classic_server):
    """A fresh classic Notebook page with ipywidgets 7.7.1 (`Classic`); screenshots the page on failure."""
    page, helper = _page(request, browser, Classic, classic_server)
    yield helper
    _close(request, page, helper)


# --- in-page scripts shared by every frontend ----------------------------------------------------------
DIGESTS_JS = """async (root, selector) => {
    // SHA-256 of the bytes each picture matching `selector` shows, in page order
    const out = [];
    for (const img of root.querySelectorAll(selector)) {
        if (!img.src) { out.push(null); continue; }
        const bytes = await (await fetch(img.src)).arrayBuffer();
        const hash = await crypto.subtle.digest('SHA-256', bytes);
        out.push([...new Uint8Array(hash)].map(b => b.toString(16).padStart(2, '0')).join(''));
    }
    return out;
}"""

RECORD_FRAMES_JS = """(root) => {
    // Every time a picture inside `root` gets new bytes (an <img>'s src changes or a new <img> appears),
    // hash the bytes and note when: window.__teachnetFrames = {frames: [{t, image, digest}], failures}.
    const record = {frames: [], failures: 0};
    window.__teachnetFrames = record;
    const digest = async (img) => {
        const t = performance.now();
        const image = [...root.querySelectorAll('img')].indexOf(img);
        try {
            const bytes = await (await fetch(img.src)).arrayBuffer();
            const hash = await crypto.subtle.digest('SHA-256', bytes);
            const hex = [...new Uint8Array(hash)].map(b => b.toString(16).padStart(2, '0')).join('');
            record.frames.push({t, image, digest: hex});
        } catch (e) { record.failures += 1; }  // the URL was revoked before we read it
    };
    if (window.__teachnetObserver) window.__teachnetObserver.disconnect();
    window.__teachnetObserver = new MutationObserver(mutations => {
        for (const m of mutations) {
            if (m.type === 'attributes' && m.target.tagName === 'IMG' && m.target.src) digest(m.target);
            for (const node of m.addedNodes || []) {
                if (node.nodeType !== 1) continue;
                for (const img of node.tagName === 'IMG' ? [node] : node.querySelectorAll('img')) {
                    if (img.src) digest(img);
                }
            }
        }
    });
    window.__teachnetObserver.observe(root, {attributes: true, attributeFilter: ['src'], childList: true,
                                             subtree: true});
    return performance.now();
}"""

OVERFLOW_JS = """(area, cellSelector) => {
    // What sticks out of the output area `area` on the right, which scrollbars appear in it, and which
    // pictures are shown much smaller than they were drawn.
    const box = area.getBoundingClientRect();
    const cells = [...document.querySelectorAll(cellSelector)];
    const describe = (el) => {
        const classes = [...el.classList].filter(c => !c.startsWith('lm-mod')).slice(0, 3);
        const text = (el.innerText || el.alt || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
        return el.tagName.toLowerCase() + classes.map(c => '.' + c).join('') + (text ? ` "${text}"` : '');
    };
    const shown = (el) => {
        const s = getComputedStyle(el);
        return s.display !== 'none' && s.visibility !== 'hidden';
    };
    const problems = [];
    const sticking = new Set();
    for (const el of area.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || !shown(el)) continue;
        if (r.right > box.right + 1) {
            sticking.add(el);
            if (!sticking.has(el.parentElement)) {  // the outermost element that sticks out says most
                problems.push({kind: 'overflow', element: describe(el), by: Math.round(r.right - box.right)});
            }
        }
    }
    const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.textContent.trim() || sticking.has(node.parentElement) || !shown(node.parentElement)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const r = range.getBoundingClientRect();
        if (r.width > 0 && r.right > box.right + 1) {
            problems.push({kind: 'overflow', element: 'text "' + node.textContent.trim().slice(0, 40) + '"',
                           by: Math.round(r.right - box.right)});
        }
    }
    for (const el of [area, ...area.querySelectorAll('*')]) {
        const s = getComputedStyle(el);
        if (['auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 1 && shown(el)) {
            problems.push({kind: 'scrollbar', element: describe(el), by: el.scrollWidth - el.clientWidth});
        }
    }
    for (const img of area.querySelectorAll('img')) {
        const r = img.getBoundingClientRect();
        if (!img.naturalWidth || r.width === 0 || !shown(img)) continue;
        // the width it was drawn for: its own width in px if set, else its max-width in px, else its pixels
        const s = getComputedStyle(img);
        const own = img.getAttribute('width') || (img.style.width.endsWith('px') ? img.style.width : null);
        const cap = s.maxWidth.endsWith('px') ? parseFloat(s.maxWidth) : null;
        const drawn = own ? parseFloat(own) : (cap || img.naturalWidth);
        if (drawn >= 100 && r.width < 0.7 * drawn) {
            problems.push({kind: 'shrunk', element: describe(img),
                           by: Math.round(100 * r.width / drawn), drawn: Math.round(drawn)});
        }
    }
    const cell = cells.findIndex(c => c.contains(area));
    return {cell, width: Math.round(box.width), problems};
}"""


class Frontend:
    """The shared API of the three frontends; subclasses say how to open, run and find things."""

    name = "frontend"
    _window_for = {}    # (frontend name, output area px) -> the window width `size_output_area` found
    OUTPUT_AREA = None  # CSS selector of one output of a code cell
    CELL = None         # CSS selector of a cell (its index is the cell number in reports)

    def __init__(self, page, server):
        self.page, self.server = page, server
        self.console = []  # browser console errors, for failure messages
        self.console_texts = []  # every console message's text, for frontends that say what they did there

    def on_console(self, message):
        self.console_texts.append(message.text)
        if message.type == "error":
            self.console.append(f"{message.type}: {message.text}")

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
        """Copy a notebook (e.g. from lessons/) into the server's root; returns its relative path. The server
        edits and autosaves the copy, never the original."""
        source = Path(source)
        shutil.copy(source, self.server.root_dir / source.name)
        return source.name

    def open_notebook(self, path, timeout=90):
        raise NotImplementedError

    def run_all_cells(self, timeout=300):
        """Run every cell of the open notebook, wait until all finished, fail on any error output; returns
        each code cell's outputs (nbformat dicts), in order."""
        self._start_run_all()
        self._wait_js(self.RUN_ALL_DONE_JS, None, timeout, "all cells to finish running")
        settled = self.page.evaluate("() => window.__teachnetRunAll")
        assert settled == "done", f"{self.name}: running all cells did not complete: {settled}"
        cells = self.page.evaluate(self.CODE_CELLS_JS)
        errors = [
            f"cell {i}: {o.get('ename')}: {o.get('evalue')}\n--- source ---\n{cell['source']}"
            for i, cell in enumerate(cells) for o in cell["outputs"] if o.get("output_type") == "error"
        ]
        assert not errors, f"{self.name}: notebook cells raised errors:\n" + "\n\n".join(errors)
        self.wait_for_widget_views(sum(WIDGET_VIEW in o.get("data", {}) for cell in cells for o in cell["outputs"]))
        return [cell["outputs"] for cell in cells]

    def wait_for_widget_views(self, expected, timeout=60):
        """Wait until `expected` output areas show a rendered widget: the kernel is idle as soon as it has sent
        the widgets' messages, but the page builds their views later (seconds later on a loaded machine)."""
        try:
            self._wait_js("([selector, expected]) => [...document.querySelectorAll(selector)]"
                          ".filter(a => a.querySelector('.jupyter-widgets') !== null).length >= expected",
                          [self.OUTPUT_AREA, expected], timeout, f"{expected} widget views to be rendered")
        except AssertionError as e:  # say what the unrendered outputs show instead (e.g. an error message)
            shown = self.output_areas().evaluate_all(
                "(areas) => areas.filter(a => !a.querySelector('.jupyter-widgets'))"
                ".map(a => a.innerText.trim().slice(0, 120)).filter(t => /widget|error/i.test(t))")
            raise AssertionError(f"{e}\noutputs without a rendered widget that mention one: {shown}") from None

    # --- finding things --------------------------------------------------------------------------------
    def output_areas(self):
        """A locator of every output of every code cell, in page order."""
        return self.page.locator(self.OUTPUT_AREA)

    def widget_areas(self, button=None):
        """The output areas that hold a widget with a picture (and, if given, a button labelled `button`)."""
        areas = self.output_areas().filter(has=self.page.locator(".jupyter-widgets img"))
        if button is not None:
            areas = areas.filter(has=self.page.get_by_role("button", name=button, exact=True))
        return areas

    def image_digests(self, area=None):
        """SHA-256 (hex) of the bytes shown by each ipywidgets Image in the page, or by each picture (`img`:
        widget Images and inline matplotlib PNGs) inside the locator `area` (an output area), in page order."""
        if area is None:
            return self.page.locator("body").evaluate(DIGESTS_JS, "img.widget-image")
        return area.evaluate(DIGESTS_JS, "img")

    def button(self, label):
        """The ipywidgets Button whose label is exactly `label` (fails if there is not exactly one)."""
        buttons = self.page.locator("button.jupyter-button").filter(has_text=label)
        exact = [i for i in range(buttons.count()) if buttons.nth(i).inner_text().strip() == label]
        labels = self.page.locator("button.jupyter-button").all_inner_texts()
        assert len(exact) == 1, f"expected one widget button labelled {label!r}; the page has {labels}"
        return buttons.nth(exact[0])

    def click(self, selector, area=None):
        """Click the one element matching the CSS `selector` in the page or inside the locator `area`."""
        found = (self.page if area is None else area).locator(selector)
        assert found.count() == 1, f"expected one element {selector!r}; found {found.count()}"
        found.click()

    # --- widgets ---------------------------------------------------------------------------------------
    def play_control(self, area, action):
        """The element to click to `action` ("play" or "pause") the widget in `area`.

        A view marks its play control with the CSS class `tn-play`: either an ipywidgets.Play (whose own
        buttons show the fa-play / fa-pause icons) or a button. Without that class, the buttons labelled
        "Play" and "Pause" are the controls.
        """
        assert action in ("play", "pause"), action
        marked = area.locator(".tn-play")
        if marked.count():
            assert marked.count() == 1, f"expected one .tn-play control in the widget; found {marked.count()}"
            icon = marked.locator(f"button:has(.fa-{action})")
            if icon.count():  # an ipywidgets.Play: its own play / pause button
                return icon.first
            if action == "pause":
                pause = area.get_by_role("button", name="Pause", exact=True)
                if pause.count() == 1:
                    return pause
            return marked  # a toggle: the same control plays and pauses
        control = area.get_by_role("button", name=action.capitalize(), exact=True)
        assert control.count() == 1, f"expected one button {action.capitalize()!r} in the widget; " \
                                     f"found {control.count()}"
        return control

    def press(self, area, action):
        """Press the widget's Play or Pause (`action` "play" or "pause"); returns the page clock (ms)
        just before the click and once the click has completed: (before, after)."""
        control = self.play_control(area, action)
        before = self.page.evaluate("() => performance.now()")
        control.click()
        return before, self.page.evaluate("() => performance.now()")

    def record_frames(self, area):
        """Start recording every new picture inside `area` (see `frames`); returns the page clock (ms)."""
        return area.evaluate(RECORD_FRAMES_JS)

    def frames(self):
        """The pictures recorded since `record_frames`: ([{t, image, digest}], how many could not be read)."""
        record = self.page.evaluate("() => window.__teachnetFrames")
        return record["frames"], record["failures"]

    def click_and_wait_for_image_change(self, label, image_index=0, timeout=60, area=None):
        """Click the widget button `label`, then wait until picture number `image_index` shows other bytes;
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
        after = self.wait_for_image_change(before, image_index, timeout, area, f"clicking {label!r}")
        return before[image_index], after

    def wait_for_image_change(self, before, image_index=None, timeout=60, area=None, what="the click"):
        """Wait until picture `image_index` (None: any picture, or their number) differs from `before`
        (digests); returns the new digest (or the new digests when `image_index` is None)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = self.image_digests(area)
            if image_index is None and now != before:
                return now
            if image_index is not None and len(now) > image_index and now[image_index] != before[image_index]:
                return now[image_index]
            time.sleep(0.2)
        which = "any picture" if image_index is None else f"Image {image_index}"
        raise AssertionError(f"{self.name}: {what} did not change {which} within {timeout} s; "
                             f"browser console errors: {self.console}")

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
        raise AssertionError(f"{self.name}: the widget's images kept changing for {timeout} s")

    def wait_until_painted(self, area=None):
        """Waits until the pictures (in `area` or the page) are decoded and two more frames are painted."""
        root = self.page.locator("body") if area is None else area
        root.evaluate("(root) => Promise.all([...root.querySelectorAll('img')]"
                      ".map(img => img.decode().catch(() => null)))")
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")

    def error_banners(self):
        """The texts of the red error banners shown by teachnet widgets."""
        return self.page.locator(ERROR_BANNER).all_inner_texts()

    # --- layout ----------------------------------------------------------------------------------------
    def set_viewport_width(self, width, height=900):
        """Resize the browser window to `width` px and wait for the layout to settle."""
        self.page.set_viewport_size({"width": width, "height": height})
        time.sleep(0.5)  # the frontends re-lay out on a resize event, a tick later
        self.wait_until_painted()

    def size_output_area(self, target, area=None, tries=5):
        """Resize the window (height 900) so that output areas are about `target` px wide, measured on
        `area` (default: the first output area); returns the width reached. The frontends' layouts are
        linear in the window width except at the classic Notebook's breakpoints, so a few corrections do."""
        area = self.output_areas().first if area is None else area
        measure = lambda: area.evaluate("(a) => a.getBoundingClientRect().width")
        known = Frontend._window_for.get((self.name, target))
        if known is not None:  # the window width an earlier page needed: the layout depends on nothing else
            self.set_viewport_width(known)
            return round(measure())
        width, last = self.page.viewport_size["width"], None
        for _ in range(tries):
            now = measure()
            if abs(now - target) <= 12 or now == last:  # close enough, or a fixed-width band (classic)
                break
            last, width = now, int(width - (now - target))
            self.set_viewport_width(width)
        Frontend._window_for[(self.name, target)] = width
        return round(measure())

    def overflow(self, area):
        """What is wrong with the layout of output `area`: {cell, width, problems}, each problem a dict with
        `kind` ("overflow": sticks out on the right by `by` px; "scrollbar": a horizontal scrollbar over
        `by` px; "shrunk": a picture shown at `by` % of the `drawn` px width it was drawn for), `element`."""
        return area.evaluate(OVERFLOW_JS, self.CELL)

    def toggle_left_area(self):
        """Fold (or unfold) JupyterLab's left sidebar; the other frontends have none."""

    # --- evidence --------------------------------------------------------------------------------------
    def screenshot(self, name, area=None):
        """Save a PNG of the page (or of the locator `area`) to test-artifacts/<name>.png; returns its path."""
        path = ARTIFACTS / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if area is None:
            self.page.screenshot(path=str(path))
            return path
        # The frontends scroll the notebook inside their own panel, so a widget taller than the window
        # would be cut: make the window tall enough for a moment (its width, and so the layout, stays).
        size = self.page.viewport_size
        height = area.evaluate("(a) => a.getBoundingClientRect().height")
        if height + 300 > size["height"]:
            self.page.set_viewport_size({"width": size["width"], "height": int(height) + 300})
        try:
            area.scroll_into_view_if_needed()
            area.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)
        return path

    def _wait_js(self, predicate, arg, timeout, what):
        try:
            self.page.wait_for_function(predicate, arg=arg, timeout=timeout * 1000, polling=200)
        except Exception as e:
            raise AssertionError(
                f"{self.name}: timed out after {timeout} s waiting for {what}; browser console errors: "
                f"{self.console}\nserver log tail:\n{self.server.log()[-3000:]}"
            ) from e


class Lab(Frontend):
    """JupyterLab 4, driven through `window.jupyterapp` and its commands."""

    name = "jupyterlab"
    APP_PATH = "lab/tree"
    OUTPUT_AREA = ".jp-OutputArea-output"
    CELL = ".jp-Notebook .jp-Cell"
    RUN_ALL_DONE_JS = """() => {
        // done when run-all settled, the kernel is idle, no cell waits ("[*]"), and every code cell ran or
        // one failed (the frontend does not run the cells after an error)
        if (window.__teachnetRunAll === 'running') return false;
        const w = window.jupyterapp.shell.currentWidget;
        const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
        const code = w.content.widgets.filter(c => c.model.type === 'code');
        const waiting = code.some(c => c.promptNode && c.promptNode.textContent.includes('*'));
        const ran = code.every(c => c.model.executionCount !== null);
        const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
        return !!kernel && kernel.status === 'idle' && !waiting && (ran || failed);
    }"""
    CODE_CELLS_JS = """() => window.jupyterapp.shell.currentWidget.content.widgets
        .filter(c => c.model.type === 'code')
        .map(c => ({source: c.model.sharedModel.getSource(), outputs: c.model.outputs.toJSON()}))"""

    def open_notebook(self, path, timeout=90):
        """Open `path` (relative to the server root) in a reset workspace and wait for its kernel to be idle."""
        starting = self.server.start_session(path)
        self.page.goto(self.server.url(f"{self.APP_PATH}/{path}"))
        starting.result()  # a refused session start fails here, naming the server's error
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

    def _start_run_all(self):
        # Clearing outputs also clears execution counts, so stored outputs cannot look like a finished run.
        # The commands' promise is not awaited by evaluate (a long run would outlive it): it sets a flag
        # when run-all settles, and RUN_ALL_DONE_JS polls for that flag and for the cells' own state.
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

    def toggle_left_area(self):
        self.page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
        time.sleep(0.5)


class Notebook7(Lab):
    """Notebook 7: JupyterLab's components in a one-document page, the same `window.jupyterapp` commands."""

    name = "notebook7"
    APP_PATH = "notebooks"

    def toggle_left_area(self):
        """Notebook 7 opens a notebook without a sidebar."""


class Classic(Frontend):
    """The classic Notebook 6.5 with ipywidgets 7.7.1 (Colab's widget version), driven through
    `window.Jupyter.notebook`."""

    name = "classic"
    OUTPUT_AREA = ".output_area .output_subarea"
    CELL = "#notebook-container .cell"
    RUN_ALL_DONE_JS = """() => {
        const nb = window.Jupyter.notebook;
        const code = nb.get_cells().filter(c => c.cell_type === 'code');
        const waiting = code.some(c => c.input_prompt_number === '*');
        const ran = code.every(c => typeof c.input_prompt_number === 'number');
        const failed = code.some(c => c.output_area.outputs.some(o => o.output_type === 'error'));
        const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
        return idle && !waiting && (ran || failed);
    }"""
    CODE_CELLS_JS = """() => window.Jupyter.notebook.get_cells()
        .filter(c => c.cell_type === 'code')
        .map(c => ({source: c.get_text(), outputs: c.output_area.toJSON()}))"""

    def open_notebook(self, path, timeout=90):
        """Open `path` (relative to the server root) and wait for its kernel to be idle."""
        starting = self.server.start_session(path)
        self.page.goto(self.server.url(f"notebooks/{path}", reset=False))
        starting.result()  # a refused session start fails here, naming the server's error
        self._wait_js(
            """() => {
                // and ipywidgets 7's manager is there: a kernel started before the page (start_session) is
                // ready first, and widgets whose comms open before the manager listens are never shown
                const nb = window.Jupyter && window.Jupyter.notebook;
                const widgets = window.Jupyter && window.Jupyter.WidgetManager;
                return !!nb && nb._fully_loaded && !!nb.kernel && nb.kernel.is_connected()
                    && !!widgets && widgets._managers.length > 0
                    && document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
            }""",
            None, timeout, f"notebook {path} to open with an idle kernel",
        )
        self._wait_for_widgets_from_kernel(timeout)

    # ipywidgets 7's manager, once its kernel is connected, asks the kernel for the widgets it already has;
    # a fresh kernel has not imported ipywidgets, so the first way (a control comm) is refused and the manager
    # logs this and asks again with a comm_info request. When that answer comes, it re-renders every cell
    # that has widget outputs by then, and a re-rendered widget view comes back hidden: the removed view
    # blanks the model id its output shares. So cells must not run before that request has gone out.
    WIDGETS_FROM_KERNEL = 'Failed to fetch ipywidgets through the "jupyter.widget.control" comm channel'

    def _wait_for_widgets_from_kernel(self, timeout):
        """Wait until ipywidgets 7's manager has sent its comm_info request (see WIDGETS_FROM_KERNEL): the
        kernel answers it before the cells run_all_cells queues after it, so no cell's widget is re-rendered."""
        deadline = time.monotonic() + timeout
        while not any(self.WIDGETS_FROM_KERNEL in text for text in self.console_texts):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name}: timed out after {timeout} s waiting for ipywidgets' manager to ask the kernel "
                    f"for its widgets (the console line {self.WIDGETS_FROM_KERNEL!r}); console: "
                    f"{self.console_texts[-20:]}")
            self.page.wait_for_timeout(50)  # lets Playwright deliver the page's console events

    def _start_run_all(self):
        self.page.evaluate(
            """() => {
                const nb = window.Jupyter.notebook;
                nb.clear_all_output();
                nb.get_cells().forEach(c => { if (c.cell_type === 'code') c.set_input_prompt(null); });
                window.__teachnetRunAll = 'running';
                nb.execute_all_cells();  // queues every cell at once; their prompts show '*' until they ran
                window.__teachnetRunAll = 'done';
            }"""
        )
