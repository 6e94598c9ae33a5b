"""`teachnet.models`: `Model` (compile/fit/evaluate/predict) and `Sequential`, and
Keras's model functions: `load_model`, `model_from_json`, `clone_model`."""
from teachnet.models.model import Model  # noqa: F401
from teachnet.models.sequential import Sequential  # noqa: F401
from teachnet.models.functional import Functional  # noqa: F401
from teachnet.models.cloning import clone_model, load_model, model_from_json  # noqa: F401
