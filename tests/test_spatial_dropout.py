"""SpatialDropout1D/2D: whole channels dropped in training, identity otherwise."""
import numpy as np
import pytest

import teachnet
from teachnet import layers
from tests.gradcheck import check_gradients


def test_1d_drops_whole_channels_and_scales_the_rest():
    layer = layers.SpatialDropout1D(0.5, seed=1)
    y = layer(np.ones((8, 6, 10), "float32"), training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert np.all(y == y[:, :1, :])                  # the same decision at every step
    assert 0 < (y == 0).mean() < 1
    np.testing.assert_array_equal(layer(np.ones((2, 3, 4), "float32")).numpy(), 1.0)   # inference: identity


@pytest.mark.parametrize("data_format,axes", [("channels_last", (1, 2)), ("channels_first", (2, 3))])
def test_2d_drops_whole_feature_maps(data_format, axes):
    layer = layers.SpatialDropout2D(0.3, data_format=data_format, seed=0)
    y = layer(np.ones((6, 4, 4, 4), "float32"), training=True).numpy()
    assert np.all(y.min(axis=axes) == y.max(axis=axes))      # each map all kept or all dropped
    np.testing.assert_allclose(np.unique(y[y != 0]), [1 / 0.7], rtol=1e-6)


def test_mask_is_new_each_call_but_reproducible_with_a_seed():
    x = np.ones((16, 2, 8), "float32")
    a, b = layers.SpatialDropout1D(0.5, seed=3), layers.SpatialDropout1D(0.5, seed=3)
    first = a(x, training=True).numpy()
    np.testing.assert_array_equal(first, b(x, training=True).numpy())
    assert not np.array_equal(first, a(x, training=True).numpy())


def test_gradient_is_the_mask():
    layer = layers.SpatialDropout1D(0.4, dtype="float64")

    def f(x):
        teachnet.random.set_seed(0)                  # the same mask at every evaluation of the check
        return layer(x, training=True)
    check_gradients(f, np.random.default_rng(0).normal(size=(3, 4, 5)))


def test_bad_rate_and_rank():
    with pytest.raises(ValueError, match="rate"):
        layers.SpatialDropout1D(1.5)
    with pytest.raises(ValueError, match=r"\"spatial_dropout1d.*rank 3, \(batch, steps, channels\).*\(2, 3\)"):
        layers.SpatialDropout1D(0.1)(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"rank 4.*\(2, 3, 4\)"):
        layers.SpatialDropout2D(0.1)(np.ones((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="data_format"):
        layers.SpatialDropout2D(0.1, data_format="nhwc")
