"""teachnet.random: Keras's functions and seeds (an int repeats, a SeedGenerator
advances), their distributions, and dropout's gradient."""
import numpy as np
import pytest

import teachnet
from teachnet import random
from tests.gradcheck import check_gradients


def test_an_int_seed_repeats_and_a_seed_generator_advances():
    assert np.array_equal(random.normal((3,), seed=5).numpy(), random.normal((3,), seed=5).numpy())
    generator = random.SeedGenerator(7)
    first, second = random.uniform((3,), seed=generator).numpy(), random.uniform((3,), seed=generator).numpy()
    assert not np.array_equal(first, second)
    again = random.SeedGenerator(7)
    assert np.array_equal(random.uniform((3,), seed=again).numpy(), first)


def test_set_random_seed_makes_unseeded_draws_and_seed_generators_repeat():
    def draws():
        teachnet.utils.set_random_seed(3)
        return random.normal((2,)).numpy(), random.uniform((2,), seed=random.SeedGenerator()).numpy()
    a, b = draws(), draws()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_distributions():
    n = 200_000
    normal = random.normal((n,), mean=2.0, stddev=0.5, seed=0).numpy()
    assert normal.dtype == np.float32 and abs(normal.mean() - 2.0) < 0.01 and abs(normal.std() - 0.5) < 0.01
    uniform = random.uniform((n,), minval=-1, maxval=3, seed=0).numpy()
    assert uniform.min() >= -1 and uniform.max() < 3 and abs(uniform.mean() - 1.0) < 0.02
    truncated = random.truncated_normal((n,), stddev=2.0, seed=0).numpy()
    assert np.abs(truncated).max() <= 4.0 and abs(truncated.std() - 2.0 * 0.8796) < 0.02  # std of N(0,1) cut at 2
    ints = random.randint((n,), 2, 5, seed=0).numpy()
    assert ints.dtype == np.int32 and set(np.unique(ints)) == {2, 3, 4}


def test_categorical_gamma_binomial_beta():
    n = 100_000
    logits = np.log(np.array([[0.2, 0.5, 0.3], [0.9, 0.05, 0.05]]))
    ids = random.categorical(logits, n, seed=0).numpy()
    assert ids.shape == (2, n) and ids.dtype == np.int32
    np.testing.assert_allclose([np.bincount(row, minlength=3) / n for row in ids], np.exp(logits), atol=0.01)
    assert abs(random.gamma((n,), alpha=3.0, seed=0).numpy().mean() - 3.0) < 0.03
    counts = random.binomial((n,), counts=10, probabilities=0.3, seed=0).numpy()
    assert counts.dtype == np.float32 and abs(counts.mean() - 3.0) < 0.03 and counts.max() <= 10
    b = random.beta((n,), alpha=2.0, beta=6.0, seed=0).numpy()
    assert b.min() >= 0 and b.max() <= 1 and abs(b.mean() - 0.25) < 0.01
    with pytest.raises(ValueError, match=r"`logits` must have shape \(batch, classes\). Received: logits.shape=\(3,\)"):
        random.categorical(np.zeros(3), 2)


def test_shuffle_keeps_rows_and_passes_gradients_back():
    x = np.arange(30.0).reshape(10, 3)
    shuffled = random.shuffle(x, seed=1).numpy()
    assert sorted(map(tuple, shuffled)) == sorted(map(tuple, x)) and not np.array_equal(shuffled, x)
    columns = random.shuffle(x.T, axis=1, seed=1).numpy()
    assert np.array_equal(np.sort(columns, axis=1), x.T) and not np.array_equal(columns, x.T)
    check_gradients(lambda v: random.shuffle(v, seed=2), x)


def test_dropout_drops_a_fraction_and_rescales():
    out = random.dropout(np.ones((400, 500), "float32"), 0.3, seed=0).numpy()
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.7)}
    assert abs((out == 0).mean() - 0.3) < 0.01
    shared = random.dropout(np.ones((4, 5, 6), "float32"), 0.5, noise_shape=(4, 1, 6), seed=0).numpy()
    assert (shared == shared[:, :1, :]).all()  # one mask for every step
    check_gradients(lambda v: random.dropout(v, 0.5, seed=3), np.linspace(-1, 1, 12).reshape(3, 4))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"`seed` must be None, an integer or a teachnet.random.SeedGenerator. "
                                         r"Received: seed='a' of type str"):
        random.normal((2,), seed="a")
    with pytest.raises(ValueError, match=r"randint: `minval` must be less than `maxval`.*Received: minval=3, maxval=3"):
        random.randint((2,), 3, 3)
    with pytest.raises(ValueError, match=r"dropout: `rate` must be a number in \[0, 1\).*Received: rate=1"):
        random.dropout(np.ones(3), 1)
    with pytest.raises(ValueError, match=r"`noise_shape` \(3, 2\) cannot be broadcast to the inputs' shape \(3, 4\)"):
        random.dropout(np.ones((3, 4)), 0.5, noise_shape=(3, 2))
    with pytest.raises(ValueError, match=r"normal: `shape` must be a tuple of non-negative integers.*"
                                         r"Received: shape=\(2, -1\)"):
        random.normal((2, -1))
    with pytest.raises(ValueError, match="SeedGenerator: `seed` must be an integer or None. Received: seed=1.5"):
        random.SeedGenerator(1.5)
