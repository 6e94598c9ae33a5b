"""`teachnet.models`: `Model` (compile/fit/evaluate/predict) and `Sequential`."""
from teachnet.models.model import Model  # noqa: F401
from teachnet.models.sequential import Sequential  # noqa: F401
