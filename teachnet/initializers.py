"""Initializers: how a layer's weights start.

Each is a callable `initializer(shape, dtype) -> numpy array`; `get(name)`
turns Keras's string names into one.
"""
import numpy as np

from teachnet import random


def compute_fans(shape):
    """(fan_in, fan_out) of a weight shape, as Keras computes them.

    Formula:
        dense kernel (in, out): fan_in = in, fan_out = out;
        conv kernel (*window, in, out): both multiplied by the window's size (the receptive field);
        a vector (n,): (n, n); a scalar: (1, 1)

    Args:
        shape: the weight's shape, a tuple of ints.

    Example:
        >>> compute_fans((3, 3, 16, 32))
        (144, 288)
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class Initializer:
    """The base class: an initializer is a callable `initializer(shape, dtype) -> numpy array`.

    A subclass stores its settings in `__init__` and draws the values in `__call__`;
    `repr` shows the settings.

    Example:
        >>> class Twos(Initializer):
        ...     def __call__(self, shape, dtype="float32"):
        ...         return np.full(shape, 2.0, dtype=dtype)
        >>> Twos()((2,))
        array([2., 2.], dtype=float32)
    """
    def __call__(self, shape, dtype="float32"):
        raise NotImplementedError(f"{type(self).__name__} must define __call__(shape, dtype).")

    def get_config(self):
        """The arguments that re-create this object (Keras's keys), read back from its attributes."""
        from teachnet.saving.serialization import config_from_init  # saving sits above the engine
        return config_from_init(self)

    @classmethod
    def from_config(cls, config):
        from teachnet.saving.serialization import layer_from_config  # saving sits above the engine
        return layer_from_config(cls, config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """Fills the weight with zeros (Keras's default for biases).

    Formula:
        w = 0

    Example:
        >>> Zeros()((2, 2))
        array([[0., 0.],
               [0., 0.]], dtype=float32)
    """
    def __call__(self, shape, dtype="float32"):
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    """Fills the weight with ones (Keras's default for a normalization layer's scale).

    Formula:
        w = 1

    Example:
        >>> Ones()((3,))
        array([1., 1., 1.], dtype=float32)
    """
    def __call__(self, shape, dtype="float32"):
        return np.ones(shape, dtype=dtype)


class Constant(Initializer):
    """Fills the weight with one value.

    Formula:
        w = value

    Args:
        value: the value of every entry.

    Example:
        >>> Constant(0.5)((2,))
        array([0.5, 0.5], dtype=float32)
    """
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype="float32"):
        return np.full(shape, self.value, dtype=dtype)


class RandomNormal(Initializer):
    """Draws every entry from a normal distribution; Keras's defaults mean=0, stddev=0.05.

    Formula:
        w ~ N(mean, stddev^2)

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> w = RandomNormal(stddev=1.0, seed=0)((1000,))
        >>> bool(abs(w.mean()) < 0.1 and abs(w.std() - 1.0) < 0.1)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype="float32"):
        return random.normal(shape, self.mean, self.stddev, dtype, self.seed).numpy()


class RandomUniform(Initializer):
    """Draws every entry uniformly from [minval, maxval); Keras's defaults -0.05 and 0.05.

    Formula:
        w ~ U[minval, maxval)

    Args:
        minval: the lower bound.
        maxval: the upper bound (not included).
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> w = RandomUniform(0.0, 1.0, seed=0)((1000,))
        >>> bool(w.min() >= 0.0 and w.max() < 1.0)
        True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype="float32"):
        return random.uniform(shape, self.minval, self.maxval, dtype, self.seed).numpy()


class TruncatedNormal(Initializer):
    """Draws every entry from a normal distribution, redrawing values more than two standard deviations from the mean.

    Formula:
        w ~ N(mean, stddev^2), restricted to [mean - 2 stddev, mean + 2 stddev]

    Args:
        mean: the mean.
        stddev: the standard deviation before truncation.
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> w = TruncatedNormal(stddev=1.0, seed=0)((1000,))
        >>> bool(np.abs(w).max() <= 2.0)
        True
    """
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype="float32"):
        return random.truncated_normal(shape, self.mean, self.stddev, dtype, self.seed).numpy()


class VarianceScaling(Initializer):
    """Draws entries with variance `scale / n`, n = fan_in, fan_out or their average (see `compute_fans`).

    Formula:
        uniform: limit = sqrt(3 * scale / n), U[-limit, limit];
        untruncated_normal: N(0, scale / n);
        truncated_normal: stddev = sqrt(scale / n) / .87962566103423978
        (the std of a unit normal truncated at two standard deviations).

    Args:
        scale: a positive float, the variance times n.
        mode: "fan_in", "fan_out" or "fan_avg": which n to divide by.
        distribution: "truncated_normal", "untruncated_normal" or "uniform".
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> w = VarianceScaling(scale=3.0, mode="fan_in", distribution="uniform", seed=0)((900, 10))
        >>> bool(np.abs(w).max() <= 0.1)    # limit = sqrt(3 * 3 / 900) = 0.1
        True
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0:
            raise ValueError(f"VarianceScaling: scale must be positive. Received: scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError("VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg'. "
                             f"Received: mode={mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError("VarianceScaling: distribution must be 'truncated_normal', 'untruncated_normal' "
                             f"or 'uniform'. Received: distribution={distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype="float32"):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = np.sqrt(3 * variance)
            return random.uniform(shape, -limit, limit, dtype, self.seed).numpy()
        if self.distribution == "untruncated_normal":
            return random.normal(shape, 0.0, np.sqrt(variance), dtype, self.seed).numpy()
        stddev = np.sqrt(variance) / 0.87962566103423978
        return random.truncated_normal(shape, 0.0, stddev, dtype, self.seed).numpy()


class GlorotUniform(VarianceScaling):
    """Keras's default kernel initializer: uniform, scaled by the layer's fan-in and fan-out.

    Formula:
        w ~ U[-limit, limit], limit = sqrt(6 / (fan_in + fan_out))

    Args:
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> w = GlorotUniform(seed=0)((4, 2))       # limit = sqrt(6 / 6) = 1
        >>> w.shape, bool(np.abs(w).max() <= 1.0)
        ((4, 2), True)
    """

    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(VarianceScaling):
    """A truncated normal scaled by the layer's fan-in and fan-out (Glorot and Bengio, 2010).

    Formula:
        stddev = sqrt(2 / (fan_in + fan_out)) / .87962566103423978, truncated at two stddevs

    Args:
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> GlorotNormal(seed=0)((4, 2)).shape
        (4, 2)
    """
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeNormal(VarianceScaling):
    """A truncated normal with variance 2 / fan_in: made for relu layers (He et al., 2015).

    Formula:
        stddev = sqrt(2 / fan_in) / .87962566103423978, truncated at two stddevs

    Args:
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> HeNormal(seed=0)((3, 3, 1, 8)).shape
        (3, 3, 1, 8)
    """

    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class HeUniform(VarianceScaling):
    """A uniform distribution with variance 2 / fan_in: made for relu layers.

    Formula:
        w ~ U[-limit, limit], limit = sqrt(6 / fan_in)

    Args:
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> w = HeUniform(seed=0)((6, 4))       # limit = sqrt(6 / 6) = 1
        >>> bool(np.abs(w).max() <= 1.0)
        True
    """
    def __init__(self, seed=None):
        super().__init__(2.0, "fan_in", "uniform", seed)


class LecunNormal(VarianceScaling):
    """A truncated normal with variance 1 / fan_in (LeCun et al., 1998); used with selu.

    Formula:
        stddev = sqrt(1 / fan_in) / .87962566103423978, truncated at two stddevs

    Args:
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> LecunNormal(seed=0)((5, 3)).shape
        (5, 3)
    """
    def __init__(self, seed=None):
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class Orthogonal(Initializer):
    """A (gain-scaled) orthogonal matrix: Keras's default for recurrent kernels.

    It comes from the QR decomposition of a normal sample. A shape of rank > 2 is
    flattened to (prod(shape[:-1]), shape[-1]) first.

    Formula:
        w = gain * Q, with Q^T Q = I (or Q Q^T = I when there are fewer rows than columns)

    Args:
        gain: the factor on the orthogonal matrix.
        seed: an int for reproducible values (the global generator of `teachnet.random` when None).

    Example:
        >>> w = Orthogonal(seed=0)((3, 3))
        >>> np.allclose(w.T @ w, np.eye(3), atol=1e-6)
        True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype="float32"):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer needs a shape of rank >= 2. Received: shape={shape}")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        a = random.normal((max(rows, cols), min(rows, cols)), dtype="float64", seed=self.seed).numpy()
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))  # makes the result uniformly distributed
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(dtype)


class Identity(Initializer):
    """The identity matrix times `gain`, for a 2D weight.

    Formula:
        w = gain * I (ones on the diagonal of a rectangular shape)

    Args:
        gain: the value on the diagonal.

    Example:
        >>> Identity(gain=2.0)((2, 3))
        array([[2., 0., 0.],
               [0., 2., 0.]], dtype=float32)
    """
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype="float32"):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2D shape. Received: shape={shape}")
        return self.gain * np.eye(*shape, dtype=dtype)


_BY_NAME = {
    "zeros": Zeros, "ones": Ones, "constant": Constant,
    "random_normal": RandomNormal, "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_normal": HeNormal, "he_uniform": HeUniform, "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal, "identity": Identity, "variance_scaling": VarianceScaling,
}


def get(identifier):
    """An initializer from a name (Keras's snake_case names), an Initializer, or a callable `(shape, dtype)`.

    Args:
        identifier: a name such as "glorot_uniform" or "he_normal", or a callable returned as it is.

    Example:
        >>> get("zeros")
        Zeros()
    """
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _BY_NAME:
            raise ValueError(f"Unknown initializer {identifier!r}. Valid names: {sorted(_BY_NAME)}.")
        return _BY_NAME[key]()
    if callable(identifier):
        return identifier
    raise TypeError(f"An initializer must be a name or a callable (shape, dtype) -> array. "
                    f"Received: identifier={identifier!r}")
