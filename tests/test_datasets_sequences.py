"""Sequence tasks: parity and counting targets, the sine recurrence, and digit
strips in the label format Keras 3's CTC loss expects."""
import itertools
import os

import numpy as np
import pytest

from teachnet.datasets import counting, digit_strips, load_digits, noisy_sine, parity


def test_parity_and_counting():
    x, y = parity(300, length=7, seed=0)
    assert x.shape == (300, 7, 1) and y.shape == (300, 1) and x.dtype == y.dtype == np.float32
    assert set(np.unique(x)) == {0.0, 1.0}
    np.testing.assert_array_equal(y[:, 0], x[:, :, 0].sum(axis=1) % 2)
    assert 0.35 < y.mean() < 0.65
    xc, yc = counting(300, length=7, seed=0)
    np.testing.assert_array_equal(xc, x)  # same seed, same bits
    np.testing.assert_array_equal(yc[:, 0], x[:, :, 0].sum(axis=1))
    assert yc.dtype == np.float32 and yc.shape == (300, 1)


def test_noisy_sine_without_noise_follows_the_sine_recurrence():
    # sin(w(k+1) + p) = 2 cos(w) sin(wk + p) - sin(w(k-1) + p): the target is the next step
    x, y = noisy_sine(50, timesteps=12, noise=0.0, omega=0.3, seed=0)
    assert x.shape == (50, 12, 1) and y.shape == (50, 1) and x.dtype == y.dtype == np.float32
    s = np.concatenate([x[:, :, 0], y], axis=1).astype("float64")  # (50, 13)
    np.testing.assert_allclose(s[:, 2:], 2 * np.cos(0.3) * s[:, 1:-1] - s[:, :-2], atol=1e-5)
    assert np.abs(s).max() <= 1 + 1e-6


def test_noisy_sine_random_speed_and_noise_level():
    x, y = noisy_sine(400, timesteps=30, noise=0.0, seed=1)
    s = np.concatenate([x[:, :, 0], y], axis=1).astype("float64")
    cos_w = (s[:, 2:] + s[:, :-2]) / (2 * s[:, 1:-1] + 1e-12)  # each row has its own speed
    w = np.arccos(np.clip(np.median(cos_w, axis=1), -1, 1))
    assert 0.19 < w.min() and w.max() < 0.51 and w.std() > 0.05
    xn, yn = noisy_sine(400, timesteps=30, noise=0.2, seed=1)
    np.testing.assert_allclose(np.std(yn - y), 0.2, rtol=0.15)  # same seed: same waves, plus noise


def test_digit_strips_format_and_content():
    x, y = digit_strips(60, min_digits=1, max_digits=4, max_gap=0, seed=0)
    assert x.shape == (60, 8, 32) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert y.shape == (60, 4) and y.dtype == np.int32
    (images, labels), _ = load_digits()
    lengths = (y > 0).sum(axis=1)
    assert set(lengths) == {1, 2, 3, 4}
    for strip, label, n in zip(x, y, lengths):
        assert np.all(label[:n] > 0) and np.all(label[n:] == 0)  # labels first, then 0 padding
        assert np.all(strip[:, 8 * n:] == 0)
        for j in range(n):  # with max_gap=0 digit j sits in columns 8j .. 8j+7
            block = np.round(strip[:, 8 * j:8 * j + 8] * 16).astype(np.uint8)
            same = np.all(images == block, axis=(1, 2))
            assert same.any() and label[j] - 1 in labels[same]


def test_digit_strips_gaps_and_subset():
    x, y = digit_strips(20, min_digits=3, max_digits=3, max_gap=3, subset="test", seed=2)
    assert x.shape == (20, 8, 33) and np.all((y > 0).sum(axis=1) == 3)
    x2, y2 = digit_strips(20, min_digits=3, max_digits=3, max_gap=3, subset="test", seed=2)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    _, (test_images, test_labels) = load_digits()
    test_set = {(img.tobytes(), label + 1) for img, label in zip(test_images, test_labels)}
    gaps_seen = set()
    for strip, label in zip(np.round(x * 16).astype(np.uint8), y):
        # some choice of gaps in 0..3 before each digit places three test images with these labels
        fits = [gaps for gaps in itertools.product(range(4), repeat=3)
                if all((strip[:, c:c + 8].tobytes(), label[j]) in test_set
                       for j, c in enumerate(np.cumsum(gaps) + 8 * np.arange(3)))]
        assert fits, f"strip with labels {label} is not three test digits with gaps <= 3"
        gaps_seen.update(fits[0])
    assert len(gaps_seen) > 1  # the gaps do vary


def test_digit_strips_work_with_keras_ctc():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras (parity extra) is not installed")
    torch = pytest.importorskip("torch")
    x, y = digit_strips(6, min_digits=1, max_digits=3, seed=0)
    logits = np.random.default_rng(0).normal(size=(6, x.shape[2], 11)).astype("float32")  # (batch, time, 11)
    keras_loss = keras.ops.convert_to_numpy(keras.losses.ctc(y, logits))  # (6,)
    # Keras reads the label length as the count of non-zero entries: the same as torch with explicit lengths
    log_probs = torch.log_softmax(torch.tensor(logits), dim=-1).transpose(0, 1)  # (time, batch, 11)
    lengths = torch.tensor((y > 0).sum(axis=1))
    torch_loss = torch.nn.functional.ctc_loss(log_probs, torch.tensor(y, dtype=torch.long),
                                              torch.full((6,), x.shape[2]), lengths, blank=0, reduction="none")
    np.testing.assert_allclose(keras_loss, torch_loss.numpy(), rtol=1e-4)


@pytest.mark.parametrize("call, message", [
    (lambda: parity(0), "`n_samples`, expected an integer >= 1. Received: n_samples=0"),
    (lambda: parity(5, length=0), "`length`, expected an integer >= 1. Received: length=0"),
    (lambda: counting(5, length=2.0), "`length`, expected an integer >= 1. Received: length=2.0"),
    (lambda: noisy_sine(5, timesteps=-1), "`timesteps`, expected an integer >= 1. Received: timesteps=-1"),
    (lambda: noisy_sine(5, noise=-1), "`noise`, expected a finite number >= 0. Received: noise=-1"),
    (lambda: noisy_sine(5, omega=0), "`omega`, expected a positive number or None. Received: omega=0"),
    (lambda: digit_strips(0), "`n_samples`, expected an integer >= 1. Received: n_samples=0"),
    (lambda: digit_strips(5, min_digits=0), "`min_digits`, expected an integer >= 1. Received: min_digits=0"),
    (lambda: digit_strips(5, min_digits=3, max_digits=2),
     "expected max_digits >= min_digits. Received: min_digits=3, max_digits=2"),
    (lambda: digit_strips(5, max_gap=-1), "`max_gap`, expected an integer >= 0. Received: max_gap=-1"),
    (lambda: digit_strips(5, subset="validation"),
     "`subset`, expected \"train\" or \"test\". Received: subset='validation'"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
