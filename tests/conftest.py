"""Shared pytest configuration for all of teachnet's tests.

- matplotlib draws off-screen (Agg) in the test process, so tests that render widget figures need no
  display. Only this process: notebook kernels started by nbval or JupyterLab keep their inline backend.
- `@pytest.mark.slow` marks a test that takes more than a few seconds; it still runs by default
  (CI runs everything); `-m "not slow"` skips those while iterating.
- `@pytest.mark.browser` is set on every test in tests/browser/; `-m "not browser"` skips them.
- the `loops` fixture runs a test twice: with teachnet/ops/compiled.py's loops, then with the numpy versions.
"""
import pytest

try:
    import matplotlib
except ImportError:  # the engine's own tests need no matplotlib
    matplotlib = None
else:
    matplotlib.use("Agg")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than ~5 s; still runs in CI (deselect with -m 'not slow')")
    config.addinivalue_line("markers", "browser: drives a real JupyterLab in headless Chromium (tests/browser/)")


@pytest.fixture(params=[True, False], ids=["compiled", "numpy"])
def loops(request):
    """Runs a test with ops/compiled.py's loops on, then off (the numpy versions)."""
    from teachnet.ops import compiled
    if request.param and not compiled.enabled():
        pytest.skip("numba is not installed")   # a dependency: installed wherever the README's commands ran
    saved = compiled.enabled()
    compiled.set_enabled(request.param)
    yield request.param
    compiled.set_enabled(saved)
