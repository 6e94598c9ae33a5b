"""Small two-dimensional datasets you can look at: the Gaussian clouds of
*Deep Learning with Python*'s linear classifier and the TensorFlow Playground
datasets (circle, xor, gauss, spiral, plane, regress_gaussian).

Every generator takes `seed=` (an int gives a fresh numpy Generator, so the
same seed gives the same data; `None` uses teachnet's shared generator, which
`teachnet.utils.set_random_seed` seeds) and returns float32 arrays
`(x, y)` with `x` of shape `(n_samples, 2)` and `y` of shape `(n_samples, 1)`.

The Playground geometry follows `src/dataset.ts` of tensorflow/playground,
with two changes for our losses: class labels are 0/1 instead of -1/+1, and
the points are returned as arrays (shuffled, as the Playground shuffles them
before splitting train from test). `noise` has the Playground's meaning: the
slider's percentage divided by 100, so 0 to 0.5 covers the slider.
"""
import numbers

import numpy as np

from teachnet import random


# -- argument checks (shared with sequences.py) --------------------------------

def check_count(value, name, minimum=1):
    """Returns `value` as an int, or raises if it is not an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"Received an invalid value for `{name}`, expected an integer >= {minimum}. "
                         f"Received: {name}={value!r}")
    return int(value)


def check_noise(noise, name="noise"):
    """Returns `noise` as a float, or raises if it is negative or not a finite number."""
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"Received an invalid value for `{name}`, expected a finite number >= 0. "
                         f"Received: {name}={noise!r}")
    return float(noise)


def _as_xy(points, labels, rng, shuffle=True):
    """Stacks points (n, 2) and labels (n,) into float32 (x, y), y of shape (n, 1)."""
    x = np.asarray(points, dtype="float32")                # (n, 2)
    y = np.asarray(labels, dtype="float32").reshape(-1, 1)  # (n, 1)
    if shuffle:
        order = rng.permutation(len(x))
        x, y = x[order], y[order]
    return x, y


def _class_sizes(n_samples):
    """How many points each of two classes gets: n // 2 and the rest."""
    return n_samples // 2, n_samples - n_samples // 2


# -- Deep Learning with Python, chapter 3 -------------------------------------

def gaussian_clouds(samples_per_class=1000, seed=None, shuffle=False):
    """Two correlated Gaussian clouds, the data of DLwP's linear classifier.

    Formula:
        negatives (label 0) ~ N(mean=[0, 3], cov=[[1, .5], [.5, 1]])
        positives (label 1) ~ N(mean=[3, 0], cov=[[1, .5], [.5, 1]])

    Args:
        samples_per_class: points in each cloud.
        seed: int for a repeatable draw, or None for teachnet's shared generator.
        shuffle: False keeps the book's order (all negatives, then all
            positives); True mixes them, which matters for `validation_split`
            because it takes the *last* samples.

    Returns:
        `(x, y)`: float32 arrays of shape `(2 * samples_per_class, 2)` and
        `(2 * samples_per_class, 1)`.

    Example:
    >>> x, y = gaussian_clouds(seed=0)
    >>> x.shape, y.shape
    ((2000, 2), (2000, 1))
    """
    n = check_count(samples_per_class, "samples_per_class")
    rng = random.generator(seed)
    cov = [[1.0, 0.5], [0.5, 1.0]]
    negatives = rng.multivariate_normal(mean=[0.0, 3.0], cov=cov, size=n)  # (n, 2)
    positives = rng.multivariate_normal(mean=[3.0, 0.0], cov=cov, size=n)  # (n, 2)
    labels = np.concatenate([np.zeros(n), np.ones(n)])
    return _as_xy(np.vstack([negatives, positives]), labels, rng, shuffle=shuffle)


# -- TensorFlow Playground ----------------------------------------------------

def circle(n_samples=500, noise=0.0, seed=None):
    """A disc of one class (label 1) inside a ring of the other (label 0).

    Formula:
        inside:  radius ~ U[0, 2.5],  angle ~ U[0, 2 pi]
        outside: radius ~ U[3.5, 5],  angle ~ U[0, 2 pi]
        label = 1 if |point + noise * U[-5, 5]^2| < 2.5 else 0
    Noise does not move the points: it jitters the point used to decide the
    label, so points near the boundary may get the other class (as in the
    Playground).

    Args:
        n_samples: total number of points (half inside, half outside).
        noise: the Playground's noise (slider percentage / 100), >= 0.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, 2)` and `(n_samples, 1)`.

    Example:
    >>> x, y = circle(200, noise=0.1, seed=0)
    """
    n_samples, noise = check_count(n_samples, "n_samples"), check_noise(noise)
    rng, radius = random.generator(seed), 5.0
    n_in, n_out = _class_sizes(n_samples)
    r = np.concatenate([rng.uniform(0, radius * 0.5, n_in), rng.uniform(radius * 0.7, radius, n_out)])
    angle = rng.uniform(0, 2 * np.pi, n_samples)
    points = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)      # (n, 2)
    jitter = rng.uniform(-radius, radius, (n_samples, 2)) * noise          # (n, 2)
    labels = np.linalg.norm(points + jitter, axis=1) < radius * 0.5
    return _as_xy(points, labels, rng)


def xor(n_samples=500, noise=0.0, seed=None):
    """Four squares labelled like XOR: 1 where x and y have the same sign.

    Formula:
        x, y ~ U[-5, 5], each pushed 0.3 away from its axis
        label = 1 if (x + noise * U[-5, 5]) * (y + noise * U[-5, 5]) >= 0 else 0

    Args:
        n_samples: number of points.
        noise: the Playground's noise (slider percentage / 100), >= 0.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, 2)` and `(n_samples, 1)`.

    Example:
    >>> x, y = xor(200, seed=0)
    """
    n_samples, noise = check_count(n_samples, "n_samples"), check_noise(noise)
    rng, padding = random.generator(seed), 0.3
    points = rng.uniform(-5, 5, (n_samples, 2))                             # (n, 2)
    points += np.where(points > 0, padding, -padding)  # a gap along both axes
    jitter = rng.uniform(-5, 5, (n_samples, 2)) * noise
    noisy = points + jitter
    labels = noisy[:, 0] * noisy[:, 1] >= 0
    return _as_xy(points, labels, rng)


def gauss(n_samples=500, noise=0.0, seed=None):
    """Two round Gaussian blobs, centred at (2, 2) (label 1) and (-2, -2) (label 0).

    Formula:
        variance = 0.5 + 7 * noise    (the Playground maps noise 0..0.5 to 0.5..4)
        point ~ N(centre, variance * I)

    Args:
        n_samples: total number of points (half per blob).
        noise: the Playground's noise (slider percentage / 100), >= 0.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, 2)` and `(n_samples, 1)`.

    Example:
    >>> x, y = gauss(200, noise=0.2, seed=0)
    """
    n_samples, noise = check_count(n_samples, "n_samples"), check_noise(noise)
    rng = random.generator(seed)
    std = np.sqrt(0.5 + (4.0 - 0.5) / 0.5 * noise)
    n_pos, n_neg = _class_sizes(n_samples)
    points = np.vstack([rng.normal(2.0, std, (n_pos, 2)), rng.normal(-2.0, std, (n_neg, 2))])
    labels = np.concatenate([np.ones(n_pos), np.zeros(n_neg)])
    return _as_xy(points, labels, rng)


def spiral(n_samples=500, noise=0.0, seed=None):
    """Two interleaved spiral arms, label 1 and label 0, each turning 1.75 times.

    Formula (point i of an arm with n points, arm offset delta = 0 or pi):
        r = 5 * i / n,   t = 1.75 * 2 pi * i / n + delta
        point = (r sin t, r cos t) + noise * U[-1, 1]^2

    Args:
        n_samples: total number of points (half per arm).
        noise: the Playground's noise (slider percentage / 100), >= 0.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, 2)` and `(n_samples, 1)`.

    Example:
    >>> x, y = spiral(200, noise=0.1, seed=0)
    """
    n_samples, noise = check_count(n_samples, "n_samples"), check_noise(noise)
    rng = random.generator(seed)
    arms, labels = [], []
    for n, delta, label in zip(_class_sizes(n_samples), (0.0, np.pi), (1.0, 0.0)):
        i = np.arange(n)
        r = i / n * 5
        t = 1.75 * i / n * 2 * np.pi + delta
        arm = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)             # (n, 2)
        arms.append(arm + rng.uniform(-1, 1, (n, 2)) * noise)
        labels.append(np.full(n, label))
    return _as_xy(np.vstack(arms), np.concatenate(labels), rng)


def plane(n_samples=500, noise=0.0, seed=None):
    """A regression target that rises along the diagonal: y = (x0 + x1) / 10.

    Formula:
        x ~ U[-6, 6]^2
        y = (x0 + x1 + noise * (U[-6, 6] + U[-6, 6])) / 10,   so y lies in about [-1.2, 1.2]

    Args:
        n_samples: number of points.
        noise: the Playground's noise (slider percentage / 100), >= 0.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, 2)` and `(n_samples, 1)`.

    Example:
    >>> x, y = plane(200, seed=0)
    """
    n_samples, noise = check_count(n_samples, "n_samples"), check_noise(noise)
    rng, radius = random.generator(seed), 6.0
    points = rng.uniform(-radius, radius, (n_samples, 2))                  # (n, 2)
    jitter = rng.uniform(-radius, radius, (n_samples, 2)) * noise
    target = (points + jitter).sum(axis=1) / 10.0  # the Playground maps [-10, 10] to [-1, 1]
    return _as_xy(points, target, rng)


def regress_gaussian(n_samples=500, noise=0.0, seed=None):
    """A regression target made of six bumps of alternating sign.

    Formula:
        x ~ U[-6, 6]^2; bumps at (-4, 2.5)+, (0, 2.5)-, (4, 2.5)+, (-4, -2.5)-, (0, -2.5)+, (4, -2.5)-
        bump value = sign * max(0, 1 - distance / 2); y = the bump value largest in size,
        evaluated at x + noise * U[-6, 6]^2

    Args:
        n_samples: number of points.
        noise: the Playground's noise (slider percentage / 100), >= 0.
        seed: int for a repeatable draw, or None for teachnet's shared generator.

    Returns:
        `(x, y)`: float32, shapes `(n_samples, 2)` and `(n_samples, 1)`, y in [-1, 1].

    Example:
    >>> x, y = regress_gaussian(200, seed=0)
    """
    n_samples, noise = check_count(n_samples, "n_samples"), check_noise(noise)
    rng, radius = random.generator(seed), 6.0
    points = rng.uniform(-radius, radius, (n_samples, 2))                  # (n, 2)
    noisy = points + rng.uniform(-radius, radius, (n_samples, 2)) * noise
    centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])  # (6, 2)
    signs = np.array([1, -1, 1, -1, 1, -1])
    distance = np.linalg.norm(noisy[:, None, :] - centres[None, :, :], axis=2)  # (n, 6)
    bumps = signs * np.clip(1 - distance / 2, 0, 1)                         # (n, 6)
    target = bumps[np.arange(n_samples), np.abs(bumps).argmax(axis=1)]      # (n,)
    return _as_xy(points, target, rng)
