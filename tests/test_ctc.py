"""CTC: loss values against brute force and torch.nn.functional.ctc_loss,
gradients against central differences and torch autograd, decoding against
keras.ops.ctc_decode and against enumerating every path, and errors."""
import itertools
import os

import numpy as np
import pytest

import teachnet
from teachnet import ops
from tests.gradcheck import check_gradients

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(4, 8, 5))                                  # (batch, time, classes); class 0 = blank
TARGET = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [4, 1, 3, 2], [0, 0, 0, 0]])
TARGET_LENGTH = np.array([3, 1, 4, 0])                                # "1 2 2", "3", "4 1 3 2", the empty label
OUTPUT_LENGTH = np.array([8, 5, 7, 3])


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _collapse(path, blank=0):
    out, prev = [], None
    for k in path:
        if k != prev and k != blank:
            out.append(k)
        prev = k
    return tuple(out)


def _label_probabilities(logits, length):
    """P(label) for every label, by enumerating all num_classes ** length frame paths."""
    y = _softmax(logits[:length])
    probs = {}
    for path in itertools.product(range(y.shape[1]), repeat=length):
        label = _collapse(path)
        probs[label] = probs.get(label, 0.0) + np.prod(y[np.arange(length), path])
    return probs


def test_loss_equals_minus_log_of_the_sum_over_all_paths():
    logits = RNG.normal(size=(2, 5, 3))
    target, target_length, output_length = np.array([[1, 2], [2, 2]]), np.array([2, 2]), np.array([5, 4])
    loss = ops.ctc_loss(target, logits, target_length, output_length).numpy()
    for b in range(2):
        p = _label_probabilities(logits[b], output_length[b])[tuple(target[b, :target_length[b]])]
        assert loss[b] == pytest.approx(-np.log(p), rel=1e-10)


def test_loss_matches_torch_ctc_loss_per_sample():
    torch = pytest.importorskip("torch")
    loss = ops.ctc_loss(TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH).numpy()
    log_probs = torch.tensor(LOGITS).log_softmax(-1).transpose(0, 1)          # torch wants (time, batch, classes)
    expected = torch.nn.functional.ctc_loss(log_probs, torch.tensor(TARGET), torch.tensor(OUTPUT_LENGTH),
                                            torch.tensor(TARGET_LENGTH), blank=0, reduction="none")
    np.testing.assert_allclose(loss, expected.numpy(), rtol=1e-10)


def test_gradient_matches_central_differences_and_torch_autograd():
    check_gradients(lambda x: ops.ctc_loss(TARGET, x, TARGET_LENGTH, OUTPUT_LENGTH), LOGITS)
    torch = pytest.importorskip("torch")
    x = torch.tensor(LOGITS, requires_grad=True)
    torch.nn.functional.ctc_loss(x.log_softmax(-1).transpose(0, 1), torch.tensor(TARGET),
                                 torch.tensor(OUTPUT_LENGTH), torch.tensor(TARGET_LENGTH), reduction="sum").backward()
    ours = teachnet.Variable(LOGITS, dtype="float64")
    with teachnet.GradientTape() as tape:
        total = ops.sum(ops.ctc_loss(TARGET, ours, TARGET_LENGTH, OUTPUT_LENGTH))
    grad = tape.gradient(total, ours).numpy()
    np.testing.assert_allclose(grad, x.grad.numpy(), atol=1e-12)
    assert np.all(grad[1, 5:] == 0) and np.all(grad[3, 3:] == 0)     # frames past output_length


def test_another_blank_index():
    torch = pytest.importorskip("torch")
    target = np.array([[0, 1, 1], [2, 3, 4]])                        # blank is 4 here, so 0 is a real symbol
    lengths = np.array([3, 2])
    loss = ops.ctc_loss(target, LOGITS[:2], lengths, np.array([8, 6]), mask_index=4).numpy()
    expected = torch.nn.functional.ctc_loss(torch.tensor(LOGITS[:2]).log_softmax(-1).transpose(0, 1),
                                            torch.tensor(target), torch.tensor([8, 6]), torch.tensor(lengths),
                                            blank=4, reduction="none")
    np.testing.assert_allclose(loss, expected.numpy(), rtol=1e-10)
    check_gradients(lambda x: ops.ctc_loss(target, x, lengths, np.array([8, 6]), mask_index=4), LOGITS[:2])


def test_alpha_lattice_ends_in_the_probability_of_the_label():
    log_alpha, ext = ops.ctc_alpha_lattice(TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH)
    assert log_alpha.shape == (4, 8, 9) and ext.shape == (4, 9)
    np.testing.assert_array_equal(ext[0], [0, 1, 0, 2, 0, 2, 0, 0, 0])
    loss = ops.ctc_loss(TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH).numpy()
    end = log_alpha[0, OUTPUT_LENGTH[0] - 1]
    assert -np.logaddexp(end[6], end[5]) == pytest.approx(loss[0])
    assert np.isneginf(log_alpha[0, 0, 2:]).all()                    # only the first blank and symbol can start


def test_labels_longer_than_the_time_axis_raise():
    with pytest.raises(ValueError, match=r"sample 1 has 4 symbols but its output has only 3 time steps"):
        ops.ctc_loss(np.array([[1, 2, 0, 0], [1, 2, 3, 4]]), LOGITS[:2], np.array([2, 4]), np.array([8, 3]))
    with pytest.raises(ValueError, match=r"\(batch, time, num_classes\)"):
        ops.ctc_loss(TARGET, LOGITS[0], TARGET_LENGTH, OUTPUT_LENGTH)
    with pytest.raises(ValueError, match="output_length must lie in"):
        ops.ctc_loss(TARGET, LOGITS, TARGET_LENGTH, np.array([9, 5, 7, 3]))


def test_greedy_decode_merges_repeats_and_drops_blanks():
    frames = np.array([1, 1, 0, 1, 2, 2, 0, 3])
    logits = np.eye(4)[frames][None] * 5.0
    decoded, scores = ops.ctc_decode(logits, np.array([8]))
    np.testing.assert_array_equal(decoded.numpy()[0, 0], [1, 1, 2, 3, -1, -1, -1, -1])
    assert float(scores.numpy()[0, 0]) == -40.0
    unmerged, _ = ops.ctc_decode(logits, np.array([6]), merge_repeated=False)
    np.testing.assert_array_equal(unmerged.numpy()[0, 0, :6], [1, 1, 1, 2, 2, -1])


def test_beam_search_finds_the_most_probable_labels():
    logits = RNG.normal(size=(2, 5, 3)) * 2
    lengths = np.array([5, 4])
    decoded, scores = ops.ctc_decode(logits, lengths, strategy="beam_search", beam_width=50, top_paths=3)
    assert decoded.shape == (3, 2, 5) and scores.shape == (2, 3)
    for b in range(2):
        probs = _label_probabilities(logits[b], lengths[b])
        best = sorted(probs.items(), key=lambda item: -item[1])[:3]
        for i, (label, p) in enumerate(best):
            got = tuple(int(k) for k in decoded.numpy()[i, b] if k >= 0)
            assert got == label
            assert float(scores.numpy()[b, i]) == pytest.approx(np.log(p), rel=1e-5)


def test_decode_matches_keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras 3 is needed for parity tests")
    logits = RNG.normal(size=(3, 9, 4)).astype("float32")
    lengths = np.array([9, 6, 2])
    for merge in (True, False):
        k_decoded, k_scores = keras.ops.ctc_decode(logits, lengths, strategy="greedy", merge_repeated=merge)
        decoded, scores = ops.ctc_decode(logits, lengths, merge_repeated=merge)
        np.testing.assert_array_equal(decoded.numpy(), keras.ops.convert_to_numpy(k_decoded))
        np.testing.assert_allclose(scores.numpy(), keras.ops.convert_to_numpy(k_scores), rtol=1e-6)
    k_decoded, k_scores = keras.ops.ctc_decode(logits, lengths, strategy="beam_search", beam_width=64, top_paths=2)
    decoded, scores = ops.ctc_decode(logits, lengths, strategy="beam_search", beam_width=64, top_paths=2)
    np.testing.assert_array_equal(decoded.numpy(), keras.ops.convert_to_numpy(k_decoded))
    np.testing.assert_allclose(scores.numpy(), keras.ops.convert_to_numpy(k_scores), rtol=1e-5)


def test_loss_matches_keras_ops_ctc_loss():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras 3 is needed for parity tests")
    logits = LOGITS.astype("float32")
    expected = keras.ops.convert_to_numpy(keras.ops.ctc_loss(TARGET[:3], logits[:3], TARGET_LENGTH[:3],
                                                             OUTPUT_LENGTH[:3]))
    np.testing.assert_allclose(ops.ctc_loss(TARGET[:3], logits[:3], TARGET_LENGTH[:3], OUTPUT_LENGTH[:3]).numpy(),
                               expected, rtol=1e-5)


def test_decode_errors():
    with pytest.raises(ValueError, match="strategy"):
        ops.ctc_decode(LOGITS, OUTPUT_LENGTH, strategy="best")
    with pytest.raises(ValueError, match="sequence_lengths"):
        ops.ctc_decode(LOGITS, np.array([9, 1, 1, 1]))


# ---------------------------------------------------------------------------
# teachnet.losses.CTC
# ---------------------------------------------------------------------------

LABELS = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [4, 1, 3, 2]])        # padded with 0, the blank


def test_ctc_loss_class_matches_keras_losses_ctc_for_every_reduction():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras 3 is needed for parity tests")
    logits = LOGITS[:3].astype("float32")
    for reduction in ("sum_over_batch_size", "sum", None):
        expected = keras.ops.convert_to_numpy(keras.losses.CTC(reduction=reduction)(LABELS, logits))
        got = teachnet.losses.CTC(reduction=reduction)(LABELS, logits).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-5)
    weights = np.array([1.0, 0.5, 2.0])
    expected = keras.ops.convert_to_numpy(keras.losses.CTC()(LABELS, logits, sample_weight=weights))
    np.testing.assert_allclose(teachnet.losses.CTC()(LABELS, logits, sample_weight=weights).numpy(), expected,
                               rtol=1e-5)


def test_ctc_loss_class_is_the_mean_of_per_sample_losses_and_has_a_name():
    per_sample = ops.ctc_loss(LABELS, LOGITS[:3], np.array([3, 1, 4]), np.array([8, 8, 8])).numpy()
    loss = teachnet.losses.CTC(dtype="float64")
    assert float(loss(LABELS, LOGITS[:3])) == pytest.approx(per_sample.mean())
    assert loss.name == "ctc"
    assert isinstance(teachnet.losses.get("CTC"), teachnet.losses.CTC)


def test_ctc_loss_class_gradient_matches_central_differences():
    loss = teachnet.losses.CTC(dtype="float64")
    check_gradients(lambda logits: loss(LABELS, logits), LOGITS[:3])


def test_ctc_loss_class_errors():
    with pytest.raises(ValueError, match=r"y_true.shape=\(3,\)"):
        teachnet.losses.CTC()(np.array([1, 2, 3]), LOGITS[:3])
    with pytest.raises(ValueError, match=r"y_pred.shape=\(3, 8\)"):
        teachnet.losses.CTC()(LABELS, LOGITS[:3, :, 0])
    with pytest.raises(ValueError, match="has 4 symbols but its output has only 3 time steps"):
        teachnet.losses.CTC()(LABELS, LOGITS[:3, :3])


def test_a_recurrent_model_learns_with_ctc_and_greedy_decoding_reads_the_labels():
    """Two symbols in order, signalled by input spikes: a GRU learns to emit them with CTC."""
    teachnet.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = np.zeros((32, 10, 2), "float32")
    labels = np.zeros((32, 2), "int64")
    for b in range(32):
        first, second = rng.integers(1, 3, size=2)
        x[b, 2, first - 1] = x[b, 6, second - 1] = 1.0
        labels[b] = first, second
    model = teachnet.Sequential([teachnet.Input(shape=(10, 2)),
                                 teachnet.layers.GRU(16, return_sequences=True),
                                 teachnet.layers.Dense(3)])
    model.compile(optimizer=teachnet.optimizers.Adam(0.05), loss=teachnet.losses.CTC())
    history = model.fit(x, labels, epochs=80, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    decoded, _ = ops.ctc_decode(model.predict(x, verbose=0), np.full(32, 10))
    assert (decoded.numpy()[0, :, :2] == labels).all(axis=1).mean() > 0.9
