"""The 2-D generators: shapes and dtypes, seeding, and the geometry of DLwP's
Gaussian clouds and of the TensorFlow Playground's dataset.ts."""
import numpy as np
import pytest

from teachnet import random
from teachnet.datasets import circle, gauss, gaussian_clouds, plane, regress_gaussian, spiral, xor

PLAYGROUND = [circle, xor, gauss, spiral, plane, regress_gaussian]


@pytest.mark.parametrize("make", PLAYGROUND)
@pytest.mark.parametrize("n", [1, 7, 200])
def test_playground_shapes_dtypes(make, n):
    x, y = make(n, noise=0.1, seed=0)
    assert x.shape == (n, 2) and y.shape == (n, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert np.isfinite(x).all() and np.isfinite(y).all()


@pytest.mark.parametrize("make", PLAYGROUND)
def test_same_seed_same_data_other_seed_other_data(make):
    x1, y1 = make(50, noise=0.2, seed=3)
    x2, y2 = make(50, noise=0.2, seed=3)
    x3, _ = make(50, noise=0.2, seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(x1, x3)


@pytest.mark.parametrize("make", PLAYGROUND + [gaussian_clouds])
def test_seed_none_uses_teachnets_shared_generator(make):
    random.set_seed(11)
    first = make()
    random.set_seed(11)
    second = make()
    np.testing.assert_array_equal(first[0], second[0])
    assert not np.array_equal(make()[0], second[0])  # the shared generator moved on


@pytest.mark.parametrize("make", [circle, xor, gauss, spiral])
def test_classification_labels_are_zero_one_and_balanced(make):
    _, y = make(400, noise=0.0, seed=1)
    assert set(np.unique(y)) == {0.0, 1.0}
    if make is not xor:  # xor's classes are balanced only on average
        assert y.sum() == 200


def test_gaussian_clouds_matches_dlwp():
    x, y = gaussian_clouds(seed=0)
    assert x.shape == (2000, 2) and y.shape == (2000, 1) and x.dtype == y.dtype == np.float32
    # the book's order: 1000 negatives (label 0) at [0, 3], then 1000 positives at [3, 0]
    np.testing.assert_array_equal(y[:1000], 0)
    np.testing.assert_array_equal(y[1000:], 1)
    for cloud, mean in ((x[:1000], [0, 3]), (x[1000:], [3, 0])):
        np.testing.assert_allclose(cloud.mean(axis=0), mean, atol=0.1)
        np.testing.assert_allclose(np.cov(cloud.T), [[1, 0.5], [0.5, 1]], atol=0.12)


def test_gaussian_clouds_shuffle_keeps_pairs():
    x, y = gaussian_clouds(300, seed=2, shuffle=True)
    assert y.sum() == 300 and not np.all(y[:300] == 0)
    # every point still carries the label of the cloud it was drawn from: the
    # clouds are ~4.2 std apart along x1 - x0, so the sign of x1 - x0 tells them apart
    assert np.mean((x[:, 0] > x[:, 1]) == (y[:, 0] == 1)) > 0.99


def test_circle_geometry_without_noise():
    x, y = circle(400, seed=0)
    r = np.linalg.norm(x, axis=1)
    inside = y[:, 0] == 1
    assert r[inside].max() <= 2.5 and r[~inside].min() >= 3.5 - 1e-5 and r.max() <= 5 + 1e-5


def test_circle_noise_flips_labels_but_does_not_move_points():
    x, y = circle(2000, noise=0.5, seed=0)
    r = np.linalg.norm(x, axis=1)
    assert r.max() <= 5 + 1e-5  # points stay on the disc and ring
    wrong = (r < 2.5) != (y[:, 0] == 1)
    assert 0.05 < wrong.mean() < 0.6


def test_xor_geometry():
    x, y = xor(1000, seed=0)
    assert np.abs(x).min() >= 0.3 - 1e-6 and np.abs(x).max() <= 5.3 + 1e-5
    np.testing.assert_array_equal(y[:, 0] == 1, x[:, 0] * x[:, 1] >= 0)
    _, y_noisy = xor(1000, noise=0.5, seed=0)
    assert 0.05 < np.mean(y_noisy != y) < 0.6  # same points (same seed), some labels flipped


@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_gauss_centres_and_variance(noise):
    x, y = gauss(4000, noise=noise, seed=0)
    pos, neg = x[y[:, 0] == 1], x[y[:, 0] == 0]
    np.testing.assert_allclose(pos.mean(axis=0), [2, 2], atol=0.15)
    np.testing.assert_allclose(neg.mean(axis=0), [-2, -2], atol=0.15)
    expected_variance = 0.5 + 7 * noise  # dataset.ts: noise 0..0.5 maps to variance 0.5..4
    np.testing.assert_allclose(pos.var(axis=0), expected_variance, rtol=0.1)


def test_spiral_geometry_without_noise():
    n = 100
    x, y = spiral(2 * n, seed=0)
    for label, delta in ((1, 0.0), (0, np.pi)):
        arm = x[y[:, 0] == label]
        r = np.linalg.norm(arm, axis=1)
        order = np.argsort(r)
        np.testing.assert_allclose(r[order], np.arange(n) / n * 5, atol=1e-5)
        t = 1.75 * np.arange(n) / n * 2 * np.pi + delta
        np.testing.assert_allclose(arm[order], np.stack([r[order] * np.sin(t), r[order] * np.cos(t)], 1),
                                   atol=1e-5)


def test_spiral_noise_moves_points_by_at_most_noise():
    clean, y_clean = spiral(200, seed=0)
    noisy, _ = spiral(200, noise=0.4, seed=5)
    r_clean = np.sort(np.linalg.norm(clean, axis=1))
    r_noisy = np.sort(np.linalg.norm(noisy, axis=1))
    assert np.abs(r_noisy - r_clean).max() <= 0.4 * np.sqrt(2) + 1e-5
    assert not np.allclose(r_noisy, r_clean)


def test_plane_target():
    x, y = plane(500, seed=0)
    assert np.abs(x).max() <= 6
    np.testing.assert_allclose(y[:, 0], x.sum(axis=1) / 10, atol=1e-6)
    x, y = plane(2000, noise=0.5, seed=0)
    residual = y[:, 0] - x.sum(axis=1) / 10
    # noise * (U[-6, 6] + U[-6, 6]) / 10 has variance 0.25 * 2 * 12 / 100 = 0.06
    np.testing.assert_allclose(residual.var(), 0.06, rtol=0.15)


def test_regress_gaussian_bumps():
    x, y = regress_gaussian(3000, seed=0)
    centres = np.array([[-4, 2.5], [0, 2.5], [4, 2.5], [-4, -2.5], [0, -2.5], [4, -2.5]])
    signs = np.array([1, -1, 1, -1, 1, -1])
    d = np.linalg.norm(x[:, None] - centres[None], axis=2)  # (n, 6)
    # the centres are at least 4 apart, so a point is within 2 of at most one of them
    near = d.min(axis=1) < 2
    nearest = d.argmin(axis=1)
    expected = np.where(near, signs[nearest] * (1 - d.min(axis=1) / 2), 0.0)
    np.testing.assert_allclose(y[:, 0], expected, atol=1e-6)
    assert y.min() < -0.5 and y.max() > 0.5


@pytest.mark.parametrize("make", PLAYGROUND)
@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10"])
def test_bad_n_samples(make, bad):
    with pytest.raises(ValueError, match=r"`n_samples`, expected an integer >= 1. Received: n_samples="):
        make(bad)


@pytest.mark.parametrize("make", PLAYGROUND)
@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1"])
def test_bad_noise(make, bad):
    with pytest.raises(ValueError, match=r"`noise`, expected a finite number >= 0. Received: noise="):
        make(10, noise=bad)


def test_gaussian_clouds_bad_count():
    with pytest.raises(ValueError, match=r"`samples_per_class`.*Received: samples_per_class=0"):
        gaussian_clouds(0)
