"""LossLedger, headless: its terms add up to the loss fit minimized, with the compiled loss weights and
the regularization, and "averaging" is weights 1/n."""
import base64
import time

import numpy as np
import pytest

import teachnet as tn
from teachnet import examples
from teachnet.callbacks import LambdaCallback
from widgets.loss_ledger import LossLedger

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LOSSES = {"price": "mse", "kind": "sparse_categorical_crossentropy"}


def multi_head(loss_weights):
    tn.utils.set_random_seed(0)
    model = examples.multi_head_model()
    model.compile(optimizer="adam", loss=LOSSES, loss_weights=loss_weights)
    return model


def test_terms_add_up_to_the_total_of_every_batch_with_the_compiled_weights():
    model = multi_head({"price": 1.0, "kind": 0.3})
    ledger = LossLedger(model)
    x, y = examples.multi_head_data(96)
    checked = []

    def check(batch, logs):  # runs after the ledger, on the same batch
        step = model.last_step
        weights = dict((label, w) for label, w, _ in ledger.terms)
        assert weights == {"price": 1.0, "kind": pytest.approx(0.3)}
        assert {label: value for label, _, value in ledger.terms} == {
            "price": step.losses["price_loss"], "kind": step.losses["kind_loss"]}
        assert sum(ledger.history[-1]) == pytest.approx(step.loss, rel=1e-5)
        checked.append(batch)

    model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[ledger, LambdaCallback(on_train_batch_end=check)])
    assert len(checked) == 6 and ledger.batches == 6 and len(ledger.history) == 6
    assert ledger.total == pytest.approx(model.last_step.loss)
    assert not ledger.is_average


def test_averaging_is_weights_one_over_n():
    x, y = examples.multi_head_data(64)
    averaged = multi_head([0.5, 0.5])
    ledger = LossLedger(averaged)
    averaged.fit(x, y, batch_size=64, epochs=1, verbose=0, callbacks=[ledger])
    heads = [value for _, _, value in ledger.terms]
    assert ledger.is_average
    assert ledger.total == pytest.approx(np.mean(heads), rel=1e-5)
    summed = multi_head(None)  # Keras's default weight 1: the sum, not the average
    ledger = LossLedger(summed)
    summed.fit(x, y, batch_size=64, epochs=1, verbose=0, callbacks=[ledger])
    assert not ledger.is_average
    assert ledger.total == pytest.approx(sum(value for _, _, value in ledger.terms), rel=1e-5)
    assert [w for _, w, _ in ledger.terms] == [1.0, 1.0]


def test_regularization_is_a_term_of_the_total():
    tn.utils.set_random_seed(0)
    model = tn.Sequential([tn.Input((3,)), tn.layers.Dense(4, kernel_regularizer=tn.regularizers.L2(0.1)),
                           tn.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    ledger = LossLedger(model)
    x = np.random.default_rng(0).normal(size=(32, 3)).astype("float32")
    model.fit(x, x[:, :1], batch_size=32, epochs=1, verbose=0, callbacks=[ledger])
    labels = [label for label, _, _ in ledger.terms]
    assert labels[-1] == "regularization" and len(labels) == 2
    kernel_before_step = model.layers[0].kernel.numpy() - model.last_step.updates[0]
    assert ledger.terms[-1][1:] == (1.0, pytest.approx(0.1 * np.sum(kernel_before_step ** 2), rel=1e-5))
    assert sum(ledger.history[-1]) == pytest.approx(model.last_step.loss, rel=1e-5)


def test_picture_changes_per_batch_and_is_the_static_fallback():
    model = multi_head([1.0, 1.0])
    ledger = LossLedger(model)
    ledger.redraw_interval, ledger.max_draw_share = 0.0, 1.0  # drawing may take all the time
    empty = bytes(ledger.image.value)
    pictures = []
    x, y = examples.multi_head_data(64)
    # batches slower than a redraw (a callback before the ledger waits that long), so each one is drawn
    slow_batches = LambdaCallback(on_train_batch_end=lambda b, l: time.sleep(ledger._throttle.spent + 0.01))
    model.fit(x, y, batch_size=32, epochs=1, verbose=0,
              callbacks=[slow_batches, ledger, LambdaCallback(on_train_batch_end=lambda b, l: pictures.append(
                  bytes(ledger.image.value)))])
    assert len(set(pictures)) == 2 and empty not in pictures
    bundle = ledger._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == bytes(ledger.image.value)


def test_redraws_are_throttled():
    model = multi_head(None)
    ledger = LossLedger(model)
    ledger.redraw_interval = 60.0
    x, y = examples.multi_head_data(160)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[ledger])  # 20 batches
    assert ledger.batches == 20 and ledger.redraws == 2  # the empty ledger, then the end of fit


def test_bad_input():
    with pytest.raises(TypeError, match="expects a teachnet Model"):
        LossLedger(object())
    model = examples.multi_head_model()
    ledger = LossLedger(model)
    with pytest.raises(ValueError, match="is not compiled"):
        ledger.on_train_begin()
    with pytest.raises(ValueError, match=r"LossLedger: expected `max_draw_share` in \(0, 1\].*Received: max_draw_share=1\.5"):
        ledger.max_draw_share = 1.5


@pytest.mark.parametrize("weights, values", [((1.0, 0.1), (0.238, 1.74)), ((1.0, 1.0), (0.9, 1.1)),
                                             ((0.5, 0.5), (0.01, 3.0))])
def test_each_terms_text_fits_in_its_bar_or_follows_the_row(monkeypatch, weights, values):
    # A term's "weight x loss" inside its bar only when the bar holds it (narrow ones overlapped their
    # neighbours, as in lesson 03 at 778 px); else the row's terms follow its end, inside the axes.
    import widgets.loss_ledger as module
    figures = []
    monkeypatch.setattr(module, "figure_to_png", lambda fig: figures.append(fig) or b"png")
    ledger = LossLedger(multi_head({"price": 1.0, "kind": 1.0}))
    ledger.terms = [("kind", weights[0], values[0]), ("price", weights[1], values[1])]
    ledger.total = sum(w * v for w, v in zip(weights, values))
    ledger.history = [[w * v for w, v in zip(weights, values)]] * 3
    ledger.draw()
    fig = figures[-1]
    bars = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    inside = [t for t in bars.texts if not t.get_text().startswith("=")]
    after = [t for t in bars.texts if t.get_text().startswith("=")]
    for text in inside:
        box = text.get_window_extent(renderer)
        patches = [p for p in bars.patches if p.get_window_extent(renderer).contains(box.x0 + box.width / 2,
                                                                                   box.y0 + box.height / 2)]
        assert len(patches) == 1 and box.width <= patches[0].get_window_extent(renderer).width
    for text in after:
        assert text.get_window_extent(renderer).x1 <= bars.get_window_extent(renderer).x1
    rows_written = {round(t.get_position()[1]) if t in inside else round(t.xy[1]) for t in inside + after}
    assert len(inside) + len(after) > 0 and rows_written <= {0, 1, 2}
    if values == (0.238, 1.74):   # the total's narrow bars: its terms follow it
        assert any(t.get_text() == "= 1 × 0.238 + 0.1 × 1.74" for t in after)
