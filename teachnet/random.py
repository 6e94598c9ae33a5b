"""Random numbers for teachnet: one seedable generator behind every initializer,
Dropout mask and shuffle, so `teachnet.utils.set_random_seed(0)` makes a run
repeatable.
"""
import numpy as np

from teachnet.autodiff import Tensor

_generator = np.random.default_rng()


def set_seed(seed):
    """Seeds teachnet's generator (numpy's global generator is left alone)."""
    global _generator
    _generator = np.random.default_rng(seed)


def generator(seed=None):
    """The shared generator, or a fresh one when `seed` is given."""
    return _generator if seed is None else np.random.default_rng(seed)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from U[minval, maxval)."""
    return Tensor(generator(seed).uniform(minval, maxval, size=shape).astype(dtype or "float32"))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev^2)."""
    return Tensor(generator(seed).normal(mean, stddev, size=shape).astype(dtype or "float32"))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(mean, stddev^2) with samples beyond two standard deviations redrawn."""
    rng = generator(seed)
    x = rng.normal(size=shape)
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.normal(size=int(bad.sum()))
        bad = np.abs(x) > 2
    return Tensor((mean + stddev * x).astype(dtype or "float32"))
