"""Repository-wide pytest setup, loaded for every run from this checkout (tests/ and lessons/ alike).

The notebooks that nbval runs execute in a separate kernel process, which does not see pytest's
`pythonpath` setting; exporting this checkout on PYTHONPATH lets them `import teachnet` and `widgets`
from a checkout that is not pip-installed (a pip-installed checkout is the same code either way).
"""
import os
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent)
_paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
if ROOT not in _paths:
    os.environ["PYTHONPATH"] = os.pathsep.join([ROOT] + _paths)
