"""Layouts that fit the output area (the browser tests measure it at 820 and 1280 px; these check the
settings that make it so): pictures shrink to their container without margins that stick out, and text
lines wrap instead of running past the edge."""
import numpy as np

import teachnet as tn
from teachnet import examples
from widgets.environment_check import EnvironmentCheck
from widgets.loss_ledger import LossLedger
from widgets.optimizer_race import OptimizerRace


def assert_fits(image, widest):
    layout = image.layout
    assert (layout.width, layout.max_width, layout.height, layout.margin) == (f"{widest}px", "100%", "auto", "0"), \
        "a picture shrinks with its container; ipywidgets' default 2 px margins would stick out of a full row"


def test_loss_ledger_picture_has_no_margin_to_stick_out():
    model = examples.multi_head_model()
    model.compile(optimizer="adam", loss={"price": "mse", "kind": "sparse_categorical_crossentropy"})
    assert_fits(LossLedger(model).image, 980)


def test_lesson_views_pictures_fit():
    assert_fits(EnvironmentCheck().image, 640)


def test_optimizer_race_status_wraps_inside_the_output_area():
    race = OptimizerRace("ravine")
    assert race.status.layout.width == "100%" and race.status.layout.min_width == "0"
    assert "white-space:normal" in race.status.value and "&nbsp;" not in race.status.value
    assert "<b>step</b> 0" in race.status.value
    tn.utils.set_random_seed(0)
    race.step_button.click()
    assert "<b>step</b> 1" in race.status.value and np.isfinite(race.racers["SGD"].losses[-1])
