"""Shared pytest configuration for all of teachnet's tests.

- matplotlib draws off-screen (Agg), so tests that render widget figures need no display.
- `@pytest.mark.slow` marks a test that takes more than a few seconds; it still runs by default
  (CI runs everything); `-m "not slow"` skips those while iterating.
"""
import os

os.environ.setdefault("MPLBACKEND", "Agg")  # before anything imports matplotlib.pyplot


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes more than ~5 s; still runs in CI (deselect with -m 'not slow')")
    config.addinivalue_line("markers", "browser: drives a real JupyterLab in headless Chromium (tests/browser/)")
