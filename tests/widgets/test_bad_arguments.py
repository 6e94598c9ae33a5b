"""Widgets refuse bad arguments with a ValueError (an unknown choice) or TypeError (a wrong type) that names
the widget, the argument, what it accepts and what it received, never a bare traitlets TraitError, and
show the same message in their banner (issue 14, item 7)."""
import numpy as np
import pytest
import traitlets

import teachnet as tn
from widgets import LossExplorer, OptimizerRace, Playground, TrainingDashboard
from widgets.base import Float, Int, Unicode, WidgetView, image_widget


def small_model():
    model = tn.Sequential([tn.Input((3,)), tn.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("make, argument, value, kind, expected", [
    (lambda **kw: Playground(n_samples=40, **kw), "activation", "sigmoidx", ValueError,
     "expected one of ['tanh', 'relu', 'sigmoid', 'linear']"),
    (lambda **kw: Playground(n_samples=40, **kw), "batch_size", "ten", TypeError, "expected an int"),
    (lambda **kw: TrainingDashboard(small_model(), **kw), "speed", "fast", TypeError, "expected an int"),
    (lambda **kw: TrainingDashboard(small_model(), **kw), "highlight", "backward", ValueError,
     "expected one of ['forward', 'loss', 'update']"),
    (lambda **kw: OptimizerRace("bowl", **kw), "steps_per_tick", "3", TypeError, "expected an int"),
    (lambda **kw: LossExplorer(**kw), "outputs", "probs", ValueError,
     "expected one of ['probabilities', 'logits']"),
])
def test_a_bad_argument_says_what_was_expected_and_received(make, argument, value, kind, expected):
    with pytest.raises(kind) as raised:
        make(**{argument: value})
    assert not isinstance(raised.value, traitlets.TraitError)
    message = str(raised.value)
    assert f"`{argument}`" in message and expected in message and f"Received: {argument}={value!r}" in message
    widget = make()  # the same mistake made in code, on a widget on screen: raised and shown in its banner
    with pytest.raises(kind, match="Received: "):
        setattr(widget, argument, value)
    assert widget.error_banner.message.endswith(message.split(": ", 1)[1])


def test_an_unknown_argument_lists_the_settable_ones():
    with pytest.raises(TypeError, match=r"unexpected argument 'epochs_per_tik'\. Expected one of: .*epochs_per_tick"):
        Playground(epochs_per_tik=2)
    with pytest.raises(TypeError, match=r"unexpected argument 'steps'\. Expected one of: gradient_noise, "
                                        r"max_steps, noise_seed, start, steps_per_tick\. Received: steps=3"):
        OptimizerRace(steps=3)
    x = np.zeros((4, 3), "float32")
    with pytest.raises(TypeError, match="unexpected argument 'running'"):
        TrainingDashboard(small_model(), x, x[:, :1], running=True)


class _Counter(WidgetView):
    """A bare view for the shared validator bodies of widgets/base.py."""
    count = Int(1)
    index = Int(0)
    share = Float(0.5)
    name = Unicode("a")

    @traitlets.validate("count")
    def _valid_count(self, proposal):
        return self.require_count(proposal)

    @traitlets.validate("index")
    def _valid_index(self, proposal):
        return self.require_index(proposal, 3)

    @traitlets.validate("share")
    def _valid_share(self, proposal):
        return self.require(proposal, 0 < proposal.value <= 1, "in (0, 1]")

    @traitlets.validate("name")
    def _valid_name(self, proposal):
        return self.require(proposal, proposal.value in ("a", "b"), "one of ['a', 'b']")


@pytest.mark.parametrize("argument, value, message", [
    ("count", 0, "_Counter: expected `count` >= 1. Received: count=0"),
    ("index", 3, "_Counter: expected `index` in [0, 2]. Received: index=3"),
    ("index", -1, "_Counter: expected `index` in [0, 2]. Received: index=-1"),
    ("share", 0.0, "_Counter: expected `share` in (0, 1]. Received: share=0.0"),
    ("name", "c", "_Counter: expected `name` one of ['a', 'b']. Received: name='c'"),
])
def test_the_shared_validator_bodies_name_the_view_the_trait_and_the_value(argument, value, message):
    view = _Counter()
    with pytest.raises(ValueError) as raised:
        setattr(view, argument, value)
    assert str(raised.value) == message
    view.count, view.index, view.share, view.name = 2, 2, 1.0, "b"  # values inside the bounds pass
    assert (view.count, view.index, view.share, view.name) == (2, 2, 1.0, "b")


def test_static_png_is_the_main_image_or_says_what_is_missing():
    view = _Counter()
    with pytest.raises(NotImplementedError, match="_Counter has no `image`: it must implement static_png"):
        view.static_png()
    view.image = image_widget(100)
    view.image.value = b"\x89PNG"
    assert view.static_png() == b"\x89PNG"
