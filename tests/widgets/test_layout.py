"""Layouts that fit the output area (the browser tests measure it at 820 and 1280 px; these check the
settings that make it so): pictures shrink to their container without margins that stick out, and text
lines wrap instead of running past the edge."""
import io

import numpy as np
from PIL import Image

import teachnet as tn
from teachnet import examples
from widgets.figures import figure_to_png, new_figure, rgb_png
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


def test_png_encoder_round_trips_every_pixel():
    rgb = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(rgb_png(rgb))))
    assert decoded.shape == (7, 5, 3) and (decoded == rgb).all()
    fig = new_figure(100, 60)
    fig.text(0.5, 0.5, "frame", ha="center")
    png = figure_to_png(fig)
    picture = np.asarray(Image.open(io.BytesIO(png)))
    assert picture.shape == (90, 150, 3), "100 x 60 CSS pixels drawn at SCALE 1.5"
    assert (np.asarray(fig.canvas.buffer_rgba())[:, :, :3] == picture).all()
