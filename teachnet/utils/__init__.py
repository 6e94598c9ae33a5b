"""`teachnet.utils`: helpers around the engine (seeding, sessions, pictures, data)."""
from teachnet.layers.base import clear_session  # noqa: F401
from teachnet.random import set_seed as set_random_seed  # noqa: F401
from teachnet.utils.arrays import normalize, pad_sequences, to_categorical  # noqa: F401
from teachnet.models.data import pack_x_y_sample_weight, unpack_x_y_sample_weight  # noqa: F401
from teachnet.utils.plot import plot_model  # noqa: F401
from teachnet.utils.py_dataset import PyDataset  # noqa: F401
