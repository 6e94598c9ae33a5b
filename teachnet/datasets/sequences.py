"""Sequence tasks for recurrent layers: parity and counting of bits, next-step
prediction of a noisy sine, and "digit strips" for a CTC loss.

Like the 2-D generators, each takes `seed=` (int: repeatable; None: teachnet's
shared generator) and returns numpy arrays `(x, y)` with the batch axis first
and time second.
"""
import numbers

import numpy as np

from teachnet import random
from teachnet.datasets.digits import load_digits
from teachnet.datasets.synthetic import check_count, check_noise


def _random_bits(n_samples, length, seed):
    n_samples, length = check_count(n_samples, "n_samples"), check_count(length, "length")
    return random.generator(seed).integers(0, 2, size=(n_samples, length, 1)).astype("float32")


def parity(n_samples=1000, length=8, seed=None):
    """Strings of random bits labelled by their parity: 1 if the count of ones is odd.

    A classic test of memory: the answer flips with every single bit, so a
    model has to carry one bit of state through the whole sequence.

    Formula:
        x[i, t] ~ Bernoulli(1/2),   y[i] = (x[i, 0] + ... + x[i, length-1]) mod 2

    Args:
        n_samples: number of sequences.
        length: timesteps per sequence.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, length, 1)` and `(n_samples, 1)`.

    Example:
    >>> x, y = parity(4, length=5, seed=0)
    >>> x.shape, y.shape
    ((4, 5, 1), (4, 1))
    """
    x = _random_bits(n_samples, length, seed)   # (n, length, 1)
    y = x.sum(axis=1) % 2                       # (n, 1)
    return x, y.astype("float32")


def counting(n_samples=1000, length=8, seed=None):
    """Strings of random bits with the number of ones as a regression target.

    Formula:
        x[i, t] ~ Bernoulli(1/2),   y[i] = x[i, 0] + ... + x[i, length-1]

    Args:
        n_samples: number of sequences.
        length: timesteps per sequence.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, length, 1)` and `(n_samples, 1)`.

    Example:
    >>> x, y = counting(4, length=5, seed=0)
    """
    x = _random_bits(n_samples, length, seed)   # (n, length, 1)
    return x, x.sum(axis=1).astype("float32")   # (n, 1)


def noisy_sine(n_samples=1000, timesteps=20, noise=0.1, omega=None, seed=None):
    """Windows of a noisy sine wave; the target is the wave's next value.

    Each sample has its own random phase and, unless `omega` is given, its own
    speed, so a model must read both from the window before it can predict.

    Formula:
        s[k] = sin(omega * k + phase) + noise * N(0, 1),  k = 0 .. timesteps
        phase ~ U[0, 2 pi),  omega ~ U[0.2, 0.5] radians per step (when omega=None)
        x = s[0 .. timesteps-1],  y = s[timesteps]   (the next *observed* value, noise included,
        so the best possible mean squared error is about noise**2)

    Args:
        n_samples: number of windows.
        timesteps: length of each input window.
        noise: standard deviation of the Gaussian noise, >= 0.
        omega: radians per step shared by all samples, or None to draw one per sample.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, timesteps, 1)` and `(n_samples, 1)`.

    Example:
    >>> x, y = noisy_sine(8, timesteps=10, noise=0.05, seed=0)
    >>> x.shape, y.shape
    ((8, 10, 1), (8, 1))
    """
    n_samples, timesteps = check_count(n_samples, "n_samples"), check_count(timesteps, "timesteps")
    noise = check_noise(noise)
    if omega is not None and (isinstance(omega, bool) or not isinstance(omega, numbers.Real)
                              or not np.isfinite(omega) or omega <= 0):
        raise ValueError(f"Received an invalid value for `omega`, expected a positive number or None. "
                         f"Received: omega={omega!r}")
    rng = random.generator(seed)
    phase = rng.uniform(0, 2 * np.pi, (n_samples, 1))
    speed = rng.uniform(0.2, 0.5, (n_samples, 1)) if omega is None else np.full((n_samples, 1), float(omega))
    k = np.arange(timesteps + 1)                                           # (timesteps + 1,)
    series = np.sin(speed * k + phase)                                     # (n, timesteps + 1)
    series = series + noise * rng.normal(size=series.shape)
    x = series[:, :timesteps, None]                                        # (n, timesteps, 1)
    y = series[:, timesteps:]                                              # (n, 1)
    return x.astype("float32"), y.astype("float32")


def digit_strips(n_samples=1000, min_digits=1, max_digits=4, max_gap=2, subset="train", seed=None):
    """Strips of 8x8 handwritten digits side by side, labelled for a CTC loss.

    Each strip holds between `min_digits` and `max_digits` digits from
    `load_digits()`, placed left to right with random blank gaps, on a canvas
    wide enough for the longest strip. The labels follow Keras 3's CTC loss:
    class 0 is the blank, so digit d is written d + 1, and shorter label
    sequences are padded with 0 (the loss counts the non-zero entries to get
    each label's length).

    Read a strip column by column to make it a sequence:
    `x.transpose(0, 2, 1)` has shape `(n_samples, width, 8)` = (batch, time,
    features), and a model's output `(batch, width, 11)` fits
    `keras.losses.CTC()` / teachnet's CTC loss directly.

    Args:
        n_samples: number of strips.
        min_digits, max_digits: range of digits per strip (both included), 1 <= min <= max.
        max_gap: largest blank gap (in pixel columns) before each digit, >= 0.
        subset: "train" or "test": which part of `load_digits()`'s split the
            digit images come from, so test strips can use unseen handwriting.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: `x` float32 of shape `(n_samples, 8, width)`, values in
        [0, 1], `width = max_digits * (8 + max_gap)`; `y` int32 of shape
        `(n_samples, max_digits)`, entries digit + 1, padded with 0.

    Example:
    >>> x, y = digit_strips(2, min_digits=2, max_digits=3, seed=0)
    >>> x.shape, y.shape
    ((2, 8, 30), (2, 3))
    >>> digits_of_first = y[0][y[0] > 0] - 1
    """
    n_samples = check_count(n_samples, "n_samples")
    min_digits = check_count(min_digits, "min_digits")
    max_digits = check_count(max_digits, "max_digits")
    max_gap = check_count(max_gap, "max_gap", minimum=0)
    if max_digits < min_digits:
        raise ValueError(f"Received an invalid value for `max_digits`, expected max_digits >= min_digits. "
                         f"Received: min_digits={min_digits}, max_digits={max_digits}")
    if subset not in ("train", "test"):
        raise ValueError(f'Received an invalid value for `subset`, expected "train" or "test". '
                         f"Received: subset={subset!r}")
    (x_train, y_train), (x_test, y_test) = load_digits()
    images, labels = (x_train, y_train) if subset == "train" else (x_test, y_test)
    rng = random.generator(seed)
    width = max_digits * (8 + max_gap)
    x = np.zeros((n_samples, 8, width), dtype="float32")                    # (n, 8, width)
    y = np.zeros((n_samples, max_digits), dtype="int32")                    # (n, max_digits)
    for i in range(n_samples):
        count = rng.integers(min_digits, max_digits + 1)
        column = 0
        for j, pick in enumerate(rng.integers(0, len(images), size=count)):
            column += rng.integers(0, max_gap + 1)
            x[i, :, column:column + 8] = images[pick] / 16.0
            y[i, j] = labels[pick] + 1  # 0 is CTC's blank
            column += 8
    return x, y
