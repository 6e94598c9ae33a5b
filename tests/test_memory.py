"""teachnet keeps freed memory in the process (glibc's malloc thresholds), so a
training step does not page-fault its arrays back in (teachnet/utils/memory.py)."""
import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="the setting exists only in glibc's malloc")

# What a training step does to memory: make and drop arrays of a few MB; count the
# page faults of the last 20 rounds.
ROUNDS = """
import resource, numpy as np
import teachnet
from teachnet.utils import memory
def step():
    a = np.ones((1024, 1536), np.float32)   # 6 MiB
    b = a * 2                                # 6 MiB
    c = np.zeros((512, 1024), np.float32)    # 2 MiB
    return float(b[0, 0] + c[0, 0])
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(memory.applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def run_rounds(extra_env):
    """(whether teachnet set the thresholds, page faults per round)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.update(extra_env)
    out = subprocess.run([sys.executable, "-c", ROUNDS], env=env, capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    applied, faults = out.stdout.split()[-2:]
    return applied == "True", int(faults) / 20


def test_importing_teachnet_stops_the_page_faults_of_repeated_big_arrays():
    applied, faults = run_rounds({})
    assert applied and faults < 50  # 0 here; with fresh pages each round, about 1,000


def test_the_measurement_sees_page_faults_when_malloc_returns_memory():
    # glibc's fixed default threshold (128 KiB, set through its own variable, which teachnet respects):
    # every array is fresh pages from the system, each 4 KiB page a fault.
    applied, faults = run_rounds({"MALLOC_MMAP_THRESHOLD_": "131072"})
    assert not applied and faults > 500


def test_environment_settings_win(monkeypatch):
    from teachnet.utils import memory
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert memory.keep_freed_memory() is False
    assert memory.keep_freed_memory() is False  # asked again, it reads the environment again


def test_the_documented_switch_turns_the_setting_off():
    # TEACHNET_KEEP_FREED_MEMORY=0 before the import: malloc stays glibc's own, so repeated big arrays
    # page-fault as in any numpy program; "1" (or unset) keeps the default.
    applied, faults = run_rounds({"TEACHNET_KEEP_FREED_MEMORY": "0"})
    assert not applied and faults > 500
    applied, faults = run_rounds({"TEACHNET_KEEP_FREED_MEMORY": "1"})
    assert applied and faults < 50
