"""LossExplorer, headless: the curves are teachnet's losses and their tape gradients (checked against the
closed forms), the from_logits story, trait values and PNG bytes; a loss picked from the dropdown must give the pixels
an explorer built with that loss gives."""
import base64

import numpy as np
import pytest

from widgets.loss_explorer import LOSSES, LossExplorer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_binary_crossentropy_from_logits_is_log_loss_with_gradient_p_minus_y():
    explorer = LossExplorer(loss="binary crossentropy", outputs="logits", from_logits=True, target=1.0)
    z = np.array([-4.0, -1.0, 0.5, 3.0])
    loss, gradient = explorer.loss_and_gradient(z)
    np.testing.assert_allclose(loss, np.log1p(np.exp(-z)), rtol=1e-6)
    np.testing.assert_allclose(gradient, sigmoid(z) - 1.0, rtol=1e-6)
    explorer.target = 0.25  # a soft label
    np.testing.assert_allclose(explorer.loss_and_gradient(z)[1], sigmoid(z) - 0.25, rtol=1e-6)
    assert explorer.matched and "this is the right curve" in explorer.explanation.value


def test_binary_crossentropy_on_probabilities():
    explorer = LossExplorer(loss="binary crossentropy", target=1.0)
    p = np.array([0.1, 0.5, 0.9])
    loss, gradient = explorer.loss_and_gradient(p)
    np.testing.assert_allclose(loss, -np.log(p), rtol=1e-6)
    np.testing.assert_allclose(gradient, -1 / p, rtol=1e-6)
    # the same numbers through the sigmoid: from logits and from probabilities agree
    logits = LossExplorer(loss="binary crossentropy", outputs="logits", from_logits=True, target=1.0)
    np.testing.assert_allclose(logits.loss_and_gradient(np.log(p / (1 - p)))[0], loss, rtol=1e-6)


def test_logits_passed_to_from_logits_false_are_clipped_flat_and_the_mismatch_is_explained():
    explorer = LossExplorer(loss="binary crossentropy", outputs="logits", from_logits=True, target=1.0)
    matched_png = bytes(explorer.image.value)
    explorer.from_logits_control.value = False
    assert not explorer.from_logits and not explorer.matched
    assert bytes(explorer.image.value) != matched_png
    z = np.array([-5.0, -2.0, 2.0, 5.0])
    loss, gradient = explorer.loss_and_gradient(z)
    np.testing.assert_allclose(loss[:2], -np.log(1e-7), rtol=1e-5)  # negative logits: clipped to p = 1e-7
    np.testing.assert_allclose(loss[2:], -np.log(1 - 1e-7), atol=1e-6)  # > 1: clipped to 1 - 1e-7
    np.testing.assert_array_equal(gradient, 0.0)  # flat: nothing to learn from
    assert "Mismatch" in explorer.explanation.value and "gradient is 0" in explorer.explanation.value


def test_probabilities_passed_to_from_logits_true_go_through_the_sigmoid_again():
    explorer = LossExplorer(loss="binary crossentropy", outputs="probabilities", from_logits=True, target=1.0)
    loss, _ = explorer.loss_and_gradient([0.999])
    assert loss[0] == pytest.approx(np.log1p(np.exp(-0.999)), rel=1e-6)  # about 0.31, never 0
    assert "never reaches 0" in explorer.explanation.value


def test_categorical_crossentropy_on_the_target_class_score():
    explorer = LossExplorer(loss="categorical crossentropy", outputs="logits", from_logits=True)
    z = np.array([-2.0, 0.5, 3.0])
    loss, gradient = explorer.loss_and_gradient(z)
    p0 = np.exp(z) / (np.exp(z) + 2)  # the other two logits are 0
    np.testing.assert_allclose(loss, -np.log(p0), rtol=1e-6)
    np.testing.assert_allclose(gradient, p0 - 1, rtol=1e-6)  # softmax - one_hot, for the target class
    explorer.outputs_control.value = "probabilities"
    explorer.from_logits_control.value = False
    assert explorer.prediction == 0.7  # the marker moved onto the probability axis
    p = np.array([0.2, 0.6])
    loss, gradient = explorer.loss_and_gradient(p)
    np.testing.assert_allclose(loss, -np.log(p), rtol=1e-6)
    np.testing.assert_allclose(gradient, -1 / p, rtol=1e-5)  # the others' share adds nothing: y is 0 there


@pytest.mark.parametrize("name, value, slope", [
    ("mean squared error", lambda e, d: e ** 2, lambda e, d: 2 * e),
    ("mean absolute error", lambda e, d: np.abs(e), lambda e, d: np.sign(e)),
    ("Huber", lambda e, d: np.where(np.abs(e) <= d, e ** 2 / 2, d * np.abs(e) - d ** 2 / 2),
     lambda e, d: np.clip(e, -d, d)),
])
def test_regression_losses_and_their_gradients(name, value, slope):
    explorer = LossExplorer(loss=name, target=0.5, delta=1.5)
    assert explorer.axis == "regression" and explorer.matched
    y_pred = np.array([-3.0, -0.2, 0.9, 2.5])
    loss, gradient = explorer.loss_and_gradient(y_pred)
    e = y_pred - 0.5
    np.testing.assert_allclose(loss, value(e, 1.5), rtol=1e-6)
    np.testing.assert_allclose(gradient, slope(e, 1.5), rtol=1e-6)
    assert "no from_logits" in explorer.explanation.value


def test_controls_move_the_marker_and_change_the_picture():
    explorer = LossExplorer()
    pictures = {bytes(explorer.image.value)}
    explorer.prediction_control.value = 0.3
    pictures.add(bytes(explorer.image.value))
    explorer.target_control.value = 0.0
    pictures.add(bytes(explorer.image.value))
    assert len(pictures) == 3 and explorer.prediction == 0.3 and explorer.target == 0.0
    loss, gradient = explorer.loss_and_gradient([0.3])
    assert f"loss = <b>{loss[0]:.4g}</b>, gradient = <b>{gradient[0]:.4g}</b>" in explorer.explanation.value
    explorer.loss_control.value = "Huber"
    assert explorer.delta_control.layout.display is None and explorer.outputs_control.layout.display == "none"
    assert explorer.prediction == 2.0 and explorer.prediction_control.value == 2.0
    assert explorer.prediction_control.max == 5.0
    explorer.delta_control.value = 0.5
    assert explorer.delta == 0.5
    explorer.loss_control.value = "binary crossentropy"
    assert explorer.prediction == 0.7 and explorer.prediction_control.max == 0.999


def test_bad_values_are_refused_with_the_argument_named():
    explorer = LossExplorer()
    with pytest.raises(ValueError, match=r"`target` in \[0.0, 1.0\] for binary crossentropy. Received: target=2"):
        explorer.target = 2.0
    with pytest.raises(ValueError, match=r"`prediction` in \[0.001, 0.999\] when the x axis holds probabilities"):
        explorer.prediction = 3.0
    with pytest.raises(ValueError, match=r"expected `delta` > 0 \(Huber's threshold\)\. Received: delta=0"):
        explorer.delta = 0.0
    with pytest.raises(TypeError, match="unexpected argument 'y_true'"):
        LossExplorer(y_true=1.0)
    assert explorer.target == 1.0 and explorer.prediction == 0.7


def test_static_png_in_the_display_data():
    explorer = LossExplorer()
    png = base64.b64decode(explorer._repr_mimebundle_()["image/png"])
    assert png.startswith(PNG_SIGNATURE) and png == bytes(explorer.image.value)
    assert set(LOSSES) == {"binary crossentropy", "categorical crossentropy", "mean squared error",
                           "mean absolute error", "Huber"}


@pytest.mark.parametrize("settings", [dict(), dict(outputs="logits", from_logits=False),
                                      dict(loss="Huber", target=-1.0)])
def test_the_target_slider_moves_the_curves_in_place(settings):
    from tests.widgets.frames import assert_frame_is_a_full_redraw

    explorer = LossExplorer(**settings)
    figure = explorer._figure
    targets = [0.4, 0.1, 0.9] if explorer.kind != "regression" else [1.5, -2.5, 0.0]
    for target in targets:
        before = bytes(explorer.image.value)
        explorer.target_control.value = target
        f = explorer._figure
        assert f is figure  # the same figure, its curves updated
        x = explorer.curve_points()
        loss, gradient = explorer.loss_and_gradient(x)
        np.testing.assert_allclose(f["loss_lines"][0].get_ydata(), loss)
        np.testing.assert_allclose(f["gradient_lines"][0].get_ydata(), gradient)
        if not explorer.matched:  # the matching flag's curve moves too
            np.testing.assert_allclose(f["loss_lines"][1].get_ydata(),
                                       explorer.loss_and_gradient(x, from_logits=not explorer.from_logits)[0])
        if f["target_line"] is not None:
            assert list(f["target_line"].get_xdata()) == [target, target]
            assert f["target_label"].get_text() == f"target y = {target:g}"
        top, bottom = f["top"].get_ylim(), f["bottom"].get_ylim()
        losses = np.concatenate([line.get_ydata() for line in f["loss_lines"]])
        assert top[0] <= losses.min() and losses.max() <= top[1]  # every curve within its axes
        gradients = np.concatenate([line.get_ydata() for line in f["gradient_lines"]])
        low, high = np.percentile(gradients, [3, 97])  # (the steepest 3% may leave the axes, as before)
        assert bottom[0] <= low and high <= bottom[1]
        assert bytes(explorer.image.value) != before
        assert_frame_is_a_full_redraw(bytes(explorer.image.value), f["live"])


SETTINGS = [dict(loss=name, outputs="probabilities", from_logits=False) for name in LOSSES] + [
    dict(loss="binary crossentropy", outputs="logits", from_logits=False),
    dict(loss="binary crossentropy", outputs="logits", from_logits=True),
    dict(loss="categorical crossentropy", outputs="logits", from_logits=False)]


def test_another_loss_is_drawn_in_the_same_figure_as_a_fresh_explorer_draws_it():
    from tests.widgets.frames import assert_frame_is_a_full_redraw, png_pixels

    explorer = LossExplorer()
    figure = explorer._figure
    pictures = set()
    for settings in SETTINGS + SETTINGS[::-1]:  # every loss and from_logits story, there and back again
        for name, value in settings.items():
            getattr(explorer, f"{name}_control").value = value
        # (a new loss moves the prediction to its axis' default place; one built with it keeps the trait's)
        fresh = LossExplorer(**settings, target=explorer.target, prediction=explorer.prediction)
        f = explorer._figure
        assert f is figure and (explorer.loss, explorer.outputs) == (fresh.loss, fresh.outputs)
        assert f["top"].get_title() == f"{explorer.loss}: loss"
        assert f["bottom"].get_xlabel() == fresh._figure["bottom"].get_xlabel()
        assert [t.get_text() for t in f["legend"].get_texts()] == [
            t.get_text() for t in fresh._figure["legend"].get_texts()]
        shown = [line for line in f["top"].lines if line.get_visible()]
        assert len(shown) == len([line for line in fresh._figure["top"].lines if line.get_visible()])
        assert (png_pixels(bytes(explorer.image.value)) == png_pixels(bytes(fresh.image.value))).all(), settings
        assert_frame_is_a_full_redraw(bytes(explorer.image.value), f["live"])  # a pasted background is this one
        pictures.add(bytes(explorer.image.value))
    assert len(pictures) == len(SETTINGS)  # each setting its own picture, the same one on the way back


def test_controls_after_switching_losses_move_the_new_curves():
    from tests.widgets.frames import assert_frame_is_a_full_redraw, png_pixels

    explorer = LossExplorer()
    explorer.loss_control.value = "Huber"
    explorer.loss_control.value = "mean squared error"
    explorer.loss_control.value = "Huber"
    fresh = LossExplorer(loss="Huber", prediction=explorer.prediction)
    for control, value in [("delta", 0.5), ("target", -1.0), ("prediction", 0.25)]:
        getattr(explorer, f"{control}_control").value = value
        getattr(fresh, f"{control}_control").value = value
        assert (png_pixels(bytes(explorer.image.value)) == png_pixels(bytes(fresh.image.value))).all(), control
        assert_frame_is_a_full_redraw(bytes(explorer.image.value), explorer._figure["live"])
    loss, _ = explorer.loss_and_gradient(explorer.curve_points())
    np.testing.assert_allclose(explorer._figure["loss_lines"][0].get_ydata(), loss)
    explorer.loss_control.value = "binary crossentropy"  # back: the target line and its legend entry return
    assert explorer.target == 1.0 and explorer._figure["target_label"].get_text() == "target y = 1"
    assert (png_pixels(bytes(explorer.image.value)) == png_pixels(bytes(LossExplorer().image.value))).all()
