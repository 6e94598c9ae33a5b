"""Initializers: Keras's fans, variances and defaults, measured on large samples; seeds repeat; `get` refuses
unknown names."""
import numpy as np
import pytest

from teachnet import initializers
from teachnet.utils import set_random_seed

N = 200_000  # samples per statistic: the standard error of a std estimate is ~0.2% of it


@pytest.mark.parametrize("shape, fans", [
    ((), (1, 1)),
    ((7,), (7, 7)),
    ((3, 5), (3, 5)),
    ((3, 3, 4, 8), (3 * 3 * 4, 3 * 3 * 8)),     # Conv2D kernel: the receptive field multiplies both
    ((5, 4, 8), (5 * 4, 5 * 8)),                # Conv1D kernel
])
def test_compute_fans_as_keras(shape, fans):
    assert initializers.compute_fans(shape) == fans


@pytest.mark.parametrize("name, std_of_fans", [
    ("glorot_uniform", lambda fi, fo: np.sqrt(2 / (fi + fo))),
    ("glorot_normal", lambda fi, fo: np.sqrt(2 / (fi + fo))),
    ("he_normal", lambda fi, fo: np.sqrt(2 / fi)),
    ("he_uniform", lambda fi, fo: np.sqrt(2 / fi)),
    ("lecun_normal", lambda fi, fo: np.sqrt(1 / fi)),
])
def test_variance_scaling_family_has_keras_standard_deviation(name, std_of_fans):
    shape = (400, 500)
    w = initializers.get(name)(shape)
    assert w.shape == shape and w.dtype == np.float32
    assert abs(w.mean()) < 0.01 * std_of_fans(*shape) * 10
    assert w.std() == pytest.approx(std_of_fans(*shape), rel=0.01)


def test_uniform_variants_stay_within_their_limit():
    w = initializers.GlorotUniform()((300, 700))
    limit = np.sqrt(6 / (300 + 700))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit


def test_truncated_normals_never_pass_two_standard_deviations():
    w = initializers.TruncatedNormal(mean=1.0, stddev=0.5)((N,))
    assert w.min() >= 1.0 - 2 * 0.5 and w.max() <= 1.0 + 2 * 0.5
    # The std of a unit normal cut at +-2 is 0.8796; VarianceScaling divides by it so the result has the
    # asked-for variance.
    assert w.std() == pytest.approx(0.5 * 0.87962566, rel=0.01)


def test_random_normal_and_uniform_defaults_are_keras():
    normal, uniform = initializers.RandomNormal(), initializers.RandomUniform()
    assert (normal.mean, normal.stddev) == (0.0, 0.05)
    assert (uniform.minval, uniform.maxval) == (-0.05, 0.05)
    assert normal((N,)).std() == pytest.approx(0.05, rel=0.01)
    u = uniform((N,))
    assert u.min() >= -0.05 and u.max() < 0.05


def test_constants():
    assert (initializers.get("zeros")((2, 3)) == 0).all()
    assert (initializers.get("ones")((2,)) == 1).all()
    assert (initializers.Constant(0.5)((4,), dtype="float64") == 0.5).all()
    assert initializers.Constant(0.5)((4,), dtype="float64").dtype == np.float64


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (3, 2, 5)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    w = initializers.Orthogonal(gain=2.0)(shape).reshape(-1, shape[-1]).astype(np.float64) / 2.0
    small = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
    np.testing.assert_allclose(small, np.eye(len(small)), atol=1e-5)


def test_identity_is_gain_times_eye():
    np.testing.assert_array_equal(initializers.Identity(gain=3.0)((2, 3)), 3.0 * np.eye(2, 3))


def test_a_seed_repeats_and_the_global_seed_repeats():
    assert (initializers.HeNormal(seed=4)((5, 5)) == initializers.HeNormal(seed=4)((5, 5))).all()
    set_random_seed(11)
    first = initializers.GlorotUniform()((5, 5))
    set_random_seed(11)
    assert (initializers.GlorotUniform()((5, 5)) == first).all()


def test_get_takes_names_objects_and_callables():
    he = initializers.HeNormal()
    assert initializers.get(he) is he
    assert isinstance(initializers.get("GLOROT_UNIFORM"), initializers.GlorotUniform)

    def ones_like_keras(shape, dtype=None):
        return np.ones(shape, dtype or "float32")
    assert initializers.get(ones_like_keras) is ones_like_keras


def test_get_refuses_unknown_names_listing_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown initializer 'glorot'.*glorot_uniform"):
        initializers.get("glorot")
    with pytest.raises(TypeError, match="must be a name or a callable"):
        initializers.get(3)


@pytest.mark.parametrize("kwargs, words", [
    (dict(scale=0), "scale must be positive"),
    (dict(mode="fan_max"), "mode must be 'fan_in', 'fan_out' or 'fan_avg'"),
    (dict(distribution="gauss"), "distribution must be"),
])
def test_variance_scaling_refuses_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        initializers.VarianceScaling(**kwargs)


def test_orthogonal_and_identity_refuse_shapes_they_cannot_fill():
    with pytest.raises(ValueError, match="rank >= 2"):
        initializers.Orthogonal()((4,))
    with pytest.raises(ValueError, match="2D shape"):
        initializers.Identity()((2, 2, 2))
