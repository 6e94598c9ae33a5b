"""`teachnet.utils`: helpers around the engine (seeding, sessions, pictures)."""
from teachnet.layers.base import clear_session  # noqa: F401
from teachnet.random import set_seed as set_random_seed  # noqa: F401
from teachnet.utils.plot import plot_model  # noqa: F401
