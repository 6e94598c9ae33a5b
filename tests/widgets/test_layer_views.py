"""Layer views, headless: the pictures come from the layers' own numbers (feature maps are the layer's
output, the LSTM gates rebuild the layer's output, the CTC lattice and best path agree with the loss and
with brute force), controls change trait values and PNG bytes, bad inputs are refused."""
import base64
import itertools

import numpy as np
import pytest

import teachnet as tn
from widgets.layer_views import GATES, ConvFilterView, CTCLatticeView, LSTMGateView, best_alignment

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def digits(n=5):
    (x, _), _ = tn.datasets.load_digits()
    return (x[:n, :, :, None] / 16.0).astype("float32")  # (n, 8, 8, 1)


def test_conv_view_shows_the_layers_own_feature_maps():
    tn.utils.set_random_seed(0)
    conv = tn.layers.Conv2D(6, 3, activation="relu")
    view = ConvFilterView(conv, digits())
    assert bytes(view.image.value).startswith(PNG_SIGNATURE)
    view.index_control.value = 3
    assert view.index == 3
    np.testing.assert_array_equal(view.feature_maps(), conv(digits()[3:4]).numpy()[0])  # (6, 6, 6)
    before = bytes(view.image.value)
    conv.kernel.assign(conv.kernel.numpy() * -1)  # "training" changed the weights
    view.refresh_button.click()
    assert bytes(view.image.value) != before and view.redraws == 3
    assert base64.b64decode(view._repr_mimebundle_()["image/png"]) == bytes(view.image.value)


def test_conv_view_from_a_model_computes_the_layers_inputs():
    tn.utils.set_random_seed(0)
    model = tn.Sequential([tn.Input((8, 8, 1)), tn.layers.Conv2D(4, 3, activation="relu", name="first"),
                           tn.layers.Conv2D(5, 3, name="second")])
    view = ConvFilterView.from_model(model, "second", digits(3))
    assert view.images.shape == (3, 6, 6, 4) and view.channel_control.options == (0, 1, 2, 3)
    view.channel_control.value = 2
    assert view.channel == 2
    np.testing.assert_allclose(view.feature_maps(), model.predict(digits(3), verbose=0)[0], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"no layer 'third'.*\['first', 'second'\]"):
        ConvFilterView.from_model(model, "third", digits(3))


def test_conv_view_refuses_bad_inputs():
    conv = tn.layers.Conv2D(2, 3)
    with pytest.raises(ValueError, match=r"`images` of shape \(batch, height, width, channels\).*\(5, 8, 8\)"):
        ConvFilterView(conv, digits()[..., 0])
    conv(digits(1))
    with pytest.raises(ValueError, match=r"expects 1 input channels. Received: images of shape \(2, 8, 8, 3\)"):
        ConvFilterView(conv, np.zeros((2, 8, 8, 3)))
    with pytest.raises(TypeError, match="expects a teachnet.layers.Conv2D. Received: Dense"):
        ConvFilterView(tn.layers.Dense(2), digits())
    view = ConvFilterView(conv, digits())
    with pytest.raises(ValueError, match=r"`index` in \[0, 4\]. Received: index=5"):
        view.index = 5


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_gates_rebuild_the_layers_output(go_backwards):
    tn.utils.set_random_seed(0)
    sequences = np.random.default_rng(0).normal(size=(3, 7, 4)).astype("float32")
    lstm = tn.layers.LSTM(5, return_sequences=True, go_backwards=go_backwards)
    output = lstm(sequences).numpy()                                      # (3, 7, 5)
    view = LSTMGateView(lstm, sequences)
    view.index_control.value = 2
    gates = view.gates()
    assert list(gates) == GATES and all(v.shape == (7, 5) for v in gates.values())
    np.testing.assert_allclose(gates["output h"], output[2], rtol=1e-5, atol=1e-6)
    for name in ("input gate i", "forget gate f", "output gate o"):
        assert np.all((gates[name] > 0) & (gates[name] < 1))
    # the cell recursion, from the gates shown: c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
    c_prev = np.vstack([np.zeros((1, 5)), gates["cell c"][:-1]])
    np.testing.assert_allclose(gates["cell c"], gates["forget gate f"] * c_prev
                               + gates["input gate i"] * gates["candidate g"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gates["output h"], gates["output gate o"] * np.tanh(gates["cell c"]),
                               rtol=1e-5, atol=1e-6)


def test_lstm_view_controls_and_errors():
    sequences = np.random.default_rng(1).normal(size=(2, 6, 3)).astype("float32")
    lstm = tn.layers.LSTM(4)
    view = LSTMGateView(lstm, sequences)  # builds the layer
    before = bytes(view.image.value)
    view.unit_control.value = 3
    assert view.unit == 3 and bytes(view.image.value) != before
    with pytest.raises(ValueError, match=r"`unit` in \[0, 3\]. Received: unit=4"):
        view.unit = 4
    with pytest.raises(ValueError, match=r"reads 3 features per step. Received: sequences of shape \(2, 6, 5\)"):
        LSTMGateView(lstm, np.zeros((2, 6, 5)))
    with pytest.raises(ValueError, match=r"\(batch, time, features\).*Received: shape \(6, 3\)"):
        LSTMGateView(lstm, np.zeros((6, 3)))
    with pytest.raises(TypeError, match="expects a teachnet.layers.LSTM. Received: GRU"):
        LSTMGateView(tn.layers.GRU(2), sequences)


def brute_force_best(log_probs, labels, blank=0):
    """The best frame-level path spelling `labels`, by trying every path."""
    best = -np.inf
    for path in itertools.product(range(log_probs.shape[1]), repeat=len(log_probs)):
        collapsed = [k for i, k in enumerate(path) if k != blank and (i == 0 or k != path[i - 1])]
        if collapsed == list(labels):
            best = max(best, sum(log_probs[t, k] for t, k in enumerate(path)))
    return best


@pytest.mark.parametrize("labels", [[1, 2], [2, 2], [1]])
def test_best_alignment_is_the_best_path_and_spells_the_label(labels):
    rng = np.random.default_rng(len(labels) + labels[0])
    logits = rng.normal(size=(5, 3)) * 2
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    states, log_prob = best_alignment(log_probs, labels)
    assert log_prob == pytest.approx(brute_force_best(log_probs, labels))
    ext = [0] + [x for label in labels for x in (label, 0)]
    path = [ext[s] for s in states]
    assert sum(log_probs[t, k] for t, k in enumerate(path)) == pytest.approx(log_prob)
    assert [k for i, k in enumerate(path) if k != 0 and (i == 0 or k != path[i - 1])] == labels


def test_ctc_view_lattice_agrees_with_the_loss():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 9, 4)) * 2
    targets, lengths = np.array([[1, 2, 2], [3, 1, 0]]), np.array([3, 2])
    view = CTCLatticeView(logits, targets, lengths, alphabet="-abc")
    for i in range(2):
        view.index_control.value = i
        log_probs, labels, log_alpha = view.sample()
        assert log_alpha.shape == (9, 2 * lengths[i] + 1)
        log_p = np.logaddexp(log_alpha[-1, -1], log_alpha[-1, -2])      # P(label | input)
        assert -log_p == pytest.approx(view.losses[i], rel=1e-5)
        _, best = best_alignment(log_probs, labels)
        assert best <= log_p  # one path is at most the sum over all of them
    assert view.index == 1 and view.redraws == 2  # the first draw, then sample 1 (0 was already shown)
    assert base64.b64decode(view._repr_mimebundle_()["image/png"]).startswith(PNG_SIGNATURE)


def test_ctc_view_refuses_bad_inputs():
    logits = np.zeros((2, 4, 3))
    with pytest.raises(ValueError, match=r"`logits` of shape \(batch, time, classes\). Received: shape \(4, 3\)"):
        CTCLatticeView(logits[0], np.array([[1]]), np.array([1]))
    with pytest.raises(ValueError, match=r"with batch = 2. Received: targets \(1, 1\)"):
        CTCLatticeView(logits, np.array([[1]]), np.array([1]))
    with pytest.raises(ValueError, match=r"one `alphabet` name per class \(3\). Received: 2 names"):
        CTCLatticeView(logits, np.array([[1], [2]]), np.array([1, 1]), alphabet="-a")
    with pytest.raises(ValueError):  # five symbols cannot fit four frames: the engine says so
        CTCLatticeView(logits, np.array([[1, 2, 1, 2, 1]] * 2), np.array([5, 5]))


def test_ctc_view_slider_draws_the_new_samples_lattice_in_place():
    from tests.widgets.frames import assert_frame_is_a_full_redraw

    rng = np.random.default_rng(1)
    logits = rng.normal(size=(3, 12, 4)) * 2
    targets, lengths = np.array([[1, 2, 3], [3, 0, 0], [2, 2, 0]]), np.array([3, 1, 2])
    view = CTCLatticeView(logits, targets, lengths, alphabet="-abc")
    figure = view._figure
    for i in (2, 1, 0, 2):
        before = bytes(view.image.value)
        view.index_control.value = i
        assert view._figure is figure  # kept and updated, not rebuilt
        f = view._figure
        log_probs, labels, log_alpha = view.sample()
        S = 2 * lengths[i] + 1
        shown = f["lattice"].get_array()                                  # (states of the longest, time)
        np.testing.assert_array_equal(shown[:S].filled(-np.inf), np.where(np.isfinite(log_alpha), log_alpha,
                                                                          -np.inf).T)
        assert shown.mask[S:].all() and f["top"].get_ylim() == (S - 0.5, -0.5)
        ext = view.extended[i, :S]
        assert [t.get_text() for t in f["top"].get_yticklabels()] == ["-abc"[k] for k in ext]
        finite = log_alpha[np.isfinite(log_alpha)]
        assert f["lattice"].get_clim() == (finite.min(), finite.max())
        states, log_p = best_alignment(log_probs, labels)
        np.testing.assert_array_equal(f["path"].get_ydata(), states)
        assert f"log p = {log_p:.3g}" in f["path_label"].get_text()
        assert f"sample {i}, label \"{''.join('-abc'[k] for k in labels)}\"" in f["top_title"].get_text()
        np.testing.assert_allclose(f["frames"].get_array(), np.exp(log_probs).T)
        np.testing.assert_array_equal(f["frame_classes"].get_ydata(), ext[states])
        assert bytes(view.image.value) != before
        assert_frame_is_a_full_redraw(bytes(view.image.value), f["live"])


def test_conv_view_channel_and_image_controls_draw_the_new_slices_in_place():
    from tests.widgets.frames import assert_frame_is_a_full_redraw

    tn.utils.set_random_seed(0)
    images = np.random.default_rng(0).random((4, 9, 9, 3), dtype=np.float32)
    conv = tn.layers.Conv2D(5, 3, activation="relu")
    view = ConvFilterView(conv, images)
    figure = view._figure
    for channel, index in ((2, 0), (2, 3), (1, 3), (0, 1)):
        before = bytes(view.image.value)
        view.channel_control.value, view.index_control.value = channel, index
        f = view._figure
        assert f is figure  # kept and updated, not rebuilt
        kernel = conv.kernel.numpy()                                      # (3, 3, 3, 5)
        for i, cells in enumerate(f["filters"]):
            np.testing.assert_array_equal(cells.get_array(), kernel[:, :, channel, i])
        maps = conv(images[index:index + 1]).numpy()[0]                   # (7, 7, 5)
        for i, cells in enumerate(f["maps"]):
            np.testing.assert_array_equal(cells.get_array(), maps[:, :, i])
        np.testing.assert_array_equal(f["input"].get_array(), images[index, :, :, channel])
        assert f["input_title"].get_text() == f"input {index}, channel {channel}"
        assert f["filters_title"].get_text().endswith(f"channel {channel})")
        assert bytes(view.image.value) != before
        assert_frame_is_a_full_redraw(bytes(view.image.value), f["live"])


def test_lstm_view_sequence_slider_draws_the_new_gates_in_place():
    from tests.widgets.frames import assert_frame_is_a_full_redraw

    tn.utils.set_random_seed(0)
    scales = np.array([1.0, 3.0, 0.5, 2.0], "float32")[:, None, None]         # sequences of different sizes
    sequences = np.random.default_rng(3).normal(size=(4, 6, 2)).astype("float32") * scales
    view = LSTMGateView(tn.layers.LSTM(3), sequences)
    figure = view._figure
    widest = {}
    for index in (1, 2, 3, 0):
        before = bytes(view.image.value)
        view.index_control.value = index
        f = view._figure
        assert f is figure
        gates = view.gates()
        panels = [("input x", sequences[index])] + list(gates.items())
        for cells, (name, values) in zip(f["images"], panels):
            np.testing.assert_allclose(cells.get_array(), values.T)
            low, high = cells.get_clim()
            assert low <= values.min() and values.max() <= high, name  # every value within the colour scale
            widest[name] = max(widest.get(name, 0.0), high)
            assert high == widest[name], name  # the scale only widens
        np.testing.assert_allclose(f["traces"][4].get_ydata(), gates["cell c"][:, view.unit])
        assert bytes(view.image.value) != before
        assert_frame_is_a_full_redraw(bytes(view.image.value), f["live"])
