"""Random numbers for teachnet: one seedable generator behind every initializer,
Dropout mask and shuffle, so `teachnet.utils.set_random_seed(0)` makes a run
repeatable.

The functions have `keras.random`'s names and arguments. Their `seed` is what
Keras takes:

- `None`: draw from the shared generator (a new draw each call);
- an int: a fresh generator seeded with it, so the same int gives the same
  numbers every call (Keras's "stateless" use of an int seed);
- a `SeedGenerator`: its own generator, a new draw each call, repeatable
  from the seed it was made with (what a layer keeps for its noise).

The numbers are numpy's, not the ones Keras draws for the same seed: the
distributions match, the streams do not.
"""
import numpy as np

from teachnet.autodiff import Tensor

__all__ = ["SeedGenerator", "set_seed", "generator", "uniform", "normal", "truncated_normal", "randint",
           "shuffle", "dropout", "categorical", "gamma", "binomial", "beta"]

_generator = np.random.default_rng()


class SeedGenerator:
    """A generator with its own state: each draw from it is new, and the
    sequence of draws repeats for the same `seed`.

    Args:
        seed: an int, or None for a seed drawn from the shared generator
            (so `set_random_seed` still makes it repeatable).

    Example:
        >>> seed_generator = teachnet.random.SeedGenerator(1337)
        >>> a = teachnet.random.normal((2,), seed=seed_generator)
        >>> b = teachnet.random.normal((2,), seed=seed_generator)   # different from a
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"SeedGenerator: `seed` must be an integer or None. Received: seed={seed!r}")
        self.seed = seed
        self.name = name or "seed_generator"
        self._rng = np.random.default_rng(_generator.integers(2 ** 31) if seed is None else seed)

    def get_config(self):
        return {"seed": self.seed}

    def __repr__(self):
        return f"SeedGenerator(seed={self.seed})"


def set_seed(seed):
    """Seeds teachnet's generator (numpy's global generator is left alone)."""
    global _generator
    _generator = np.random.default_rng(seed)


def generator(seed=None):
    """The numpy Generator a draw with this `seed` uses (see the module docstring)."""
    if seed is None:
        return _generator
    if isinstance(seed, SeedGenerator):
        return seed._rng
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    raise ValueError(f"`seed` must be None, an integer or a teachnet.random.SeedGenerator. "
                     f"Received: seed={seed!r} of type {type(seed).__name__}")


def _shape(shape, function):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise ValueError(f"teachnet.random.{function}: `shape` must be a tuple of non-negative integers, e.g. "
                         f"(32, 10). Received: shape={shape!r}") from None
    if any(s < 0 for s in shape):
        raise ValueError(f"teachnet.random.{function}: `shape` must be a tuple of non-negative integers. "
                         f"Received: shape={shape}")
    return shape


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from U[minval, maxval)."""
    shape = _shape(shape, "uniform")
    return Tensor(generator(seed).uniform(minval, maxval, size=shape).astype(dtype or "float32"))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev^2)."""
    shape = _shape(shape, "normal")
    return Tensor(generator(seed).normal(mean, stddev, size=shape).astype(dtype or "float32"))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """N(mean, stddev^2) with samples beyond two standard deviations redrawn."""
    shape = _shape(shape, "truncated_normal")
    rng = generator(seed)
    x = rng.normal(size=shape)
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.normal(size=int(bad.sum()))
        bad = np.abs(x) > 2
    return Tensor((mean + stddev * x).astype(dtype or "float32"))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from [minval, maxval) (maxval excluded)."""
    shape = _shape(shape, "randint")
    if not minval < maxval:
        raise ValueError(f"teachnet.random.randint: `minval` must be less than `maxval` (the range is "
                         f"[minval, maxval)). Received: minval={minval}, maxval={maxval}")
    return Tensor(generator(seed).integers(minval, maxval, size=shape).astype(dtype))


def shuffle(x, axis=0, seed=None):
    """`x` with its entries along `axis` in a random order (the same order
    for every slice); gradients flow back to the original positions."""
    from teachnet import ops  # ops imports this module (initializers), so import late
    x = ops.convert_to_tensor(x)
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise ValueError(f"teachnet.random.shuffle: `axis`={axis} is out of range for an input of shape "
                         f"{x.shape}.")
    order = generator(seed).permutation(x.shape[axis])
    return ops.take(x, order, axis=axis)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Sets each entry to 0 with probability `rate` and scales the others by
    1 / (1 - rate), so the expected value is unchanged (inverted dropout).

    Formula: `output = inputs * keep / (1 - rate)`, `keep ~ Bernoulli(1 - rate)`

    Args:
        inputs: the tensor to drop entries of.
        rate: the fraction to drop, in [0, 1).
        noise_shape: the shape of the keep mask, broadcast to `inputs`' shape
            (e.g. (batch, 1, features) drops the same features at every step).
        seed: None, an int or a `SeedGenerator`.
    """
    from teachnet import ops  # late: see `shuffle`
    inputs = ops.convert_to_tensor(inputs)
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating)) or not 0 <= rate < 1:
        raise ValueError(f"teachnet.random.dropout: `rate` must be a number in [0, 1), the fraction of entries "
                         f"to drop. Received: rate={rate!r}")
    noise_shape = inputs.shape if noise_shape is None else tuple(
        inputs.shape[i] if s is None else s for i, s in enumerate(noise_shape))
    try:
        np.broadcast_shapes(noise_shape, inputs.shape)
    except ValueError:
        raise ValueError(f"teachnet.random.dropout: `noise_shape` {noise_shape} cannot be broadcast to the "
                         f"inputs' shape {inputs.shape}; use 1 on the axes that share a mask.") from None
    keep = generator(seed).random(noise_shape) >= rate
    scale = (keep / (1 - rate)).astype(inputs.dtype)
    return ops.multiply(inputs, scale)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """For each row of `logits` (batch, classes), `num_samples` class ids drawn
    with probabilities softmax(logits): how a language model picks its next token.

    Returns: (batch, num_samples) ids.
    """
    logits = np.asarray(getattr(logits, "data", logits), dtype=np.float64)
    if logits.ndim != 2:
        raise ValueError(f"teachnet.random.categorical: `logits` must have shape (batch, classes). "
                         f"Received: logits.shape={logits.shape}")
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    # Inverse transform sampling: the first class whose cumulative probability exceeds u ~ U[0, 1).
    u = generator(seed).random((logits.shape[0], int(num_samples), 1))
    ids = (u >= np.cumsum(p, axis=1)[:, None, :]).sum(axis=-1)
    return Tensor(np.minimum(ids, logits.shape[1] - 1).astype(dtype))  # guards u beyond a rounded-down total


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from the Gamma distribution with shape parameter `alpha` (scale 1)."""
    return Tensor(generator(seed).gamma(alpha, size=_shape(shape, "gamma")).astype(dtype or "float32"))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """The number of successes in `counts` trials of probability `probabilities`."""
    draws = generator(seed).binomial(counts, probabilities, size=_shape(shape, "binomial"))
    return Tensor(draws.astype(dtype or "float32"))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from the Beta(alpha, beta) distribution, in [0, 1]."""
    return Tensor(generator(seed).beta(alpha, beta, size=_shape(shape, "beta")).astype(dtype or "float32"))
