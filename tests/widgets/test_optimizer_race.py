"""OptimizerRace, headless: trait values, the racers' teachnet optimizers and paths, the update text and PNG
bytes; a surface picked from the dropdown must give the pixels a race built on that surface gives. They run
under ipywidgets 8 and, in CI, 7.7.1 too."""
import base64

import numpy as np
import pytest

import teachnet as tn
from tests.gradcheck import check_gradients
from widgets.optimizer_race import RACERS, SURFACES, OptimizerRace, Racer
from tests.widgets.helpers import press_pause, press_play, tick, ticker_playing

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



@pytest.mark.parametrize("name", list(SURFACES))
def test_surfaces_are_teachnet_ops_with_correct_gradients(name):
    surface = SURFACES[name]
    point = np.array([0.7, -0.3])
    check_gradients(lambda w: surface(w), point)
    for minimum in surface.minima:  # the gradient vanishes at the minima drawn as stars
        w = tn.Variable(np.array(minimum, dtype="float64"), dtype="float64")
        with tn.GradientTape() as tape:
            loss = surface(w)
        np.testing.assert_allclose(tape.gradient(loss, w).numpy(), 0.0, atol=1e-9)


def test_the_racers_are_teachnet_optimizers_with_their_parameters():
    race = OptimizerRace("bowl")
    kinds = {name: type(racer.optimizer) for name, racer in race.racers.items()}
    assert kinds == {"SGD": tn.optimizers.SGD, "Momentum": tn.optimizers.SGD, "Nesterov": tn.optimizers.SGD,
                     "RMSprop": tn.optimizers.RMSprop, "Adam": tn.optimizers.Adam, "Adagrad": tn.optimizers.Adagrad}
    assert race.racers["Nesterov"].optimizer.nesterov and not race.racers["Momentum"].optimizer.nesterov
    assert race.racers["SGD"].optimizer.momentum == 0 and race.racers["Momentum"].optimizer.momentum == 0.9
    for name, racer in race.racers.items():
        assert float(racer.optimizer.learning_rate) == pytest.approx(SURFACES["bowl"].learning_rates[name])
        assert isinstance(racer.variable, tn.Variable) and racer.variable.numpy().tolist() == [-4.0, 3.5]


def test_step_moves_every_racer_by_its_update_rule():
    race = OptimizerRace("bowl", start=(2.0, -1.0))
    before = race.image.value
    race.step_button.click()
    assert race.last_error is None and race.step == 1 and race.image.value != before
    w0, g0 = np.array([2.0, -1.0]), np.array([4.0, -2.0])  # bowl: grad = 2 w
    lr = SURFACES["bowl"].learning_rates
    path = {name: racer.path[-1] for name, racer in race.racers.items()}
    np.testing.assert_allclose(path["SGD"], w0 - lr["SGD"] * g0, rtol=1e-6)
    np.testing.assert_allclose(path["Momentum"], w0 - lr["Momentum"] * g0, rtol=1e-6)  # v = -lr g
    np.testing.assert_allclose(path["Nesterov"], w0 - lr["Nesterov"] * g0 * 1.9, rtol=1e-6)  # + mu v - lr g
    # Adam's first step moves each coordinate by lr, whatever the gradient's size
    np.testing.assert_allclose(path["Adam"], w0 - lr["Adam"] * np.sign(g0), rtol=1e-5)
    np.testing.assert_allclose(path["RMSprop"], w0 - lr["RMSprop"] * np.sign(g0) / np.sqrt(0.1), rtol=1e-5)
    np.testing.assert_allclose(path["Adagrad"], w0 - lr["Adagrad"] * g0 / np.sqrt(0.1 + g0 ** 2), rtol=1e-5)
    race.step_button.click()  # momentum: v2 = mu v1 - lr g1
    v1 = -lr["Momentum"] * g0
    w1 = w0 + v1
    np.testing.assert_allclose(race.racers["Momentum"].path[-1], w1 + 0.9 * v1 - lr["Momentum"] * 2 * w1, rtol=1e-5)


def test_trajectories_grow_and_the_update_text_shows_the_numbers():
    race = OptimizerRace("ravine")
    for _ in range(3):
        race.step_button.click()
    for name, racer in race.racers.items():
        assert len(racer.path) == 4 and len(racer.losses) == 4
        last_line = racer.explanation.splitlines()[-1]
        x, y = racer.path[-1]
        assert last_line.startswith("w <- w") and last_line.endswith(f"= ({x:.4g}, {y:.4g})"), (name, last_line)
        assert racer.variable.numpy().tolist() == racer.path[-1].tolist()
    adam = race.racers["Adam"]
    m = adam.slot("momentum")
    assert f"= ({m[0]:.4g}, {m[1]:.4g})" in adam.explanation.splitlines()[1]  # m <- b1*m + (1-b1)*g = m
    assert "alpha = lr*sqrt(1-b2^t)/(1-b1^t) = 0.3*sqrt(1-0.999^3)/(1-0.9^3)" in adam.explanation
    assert "G <- G + g^2" in race.racers["Adagrad"].explanation
    assert "Adam</b> w = (" in race.formulas.value and "&lt;-" in race.formulas.value  # escaped into HTML


def test_sliders_change_the_optimizers_hyperparameters_at_the_next_step():
    race = OptimizerRace("bowl")
    race.step_button.click()
    adam = race.racers["Adam"]
    optimizer = adam.optimizer
    race.sliders["Adam", "beta_1"].value = 0.5
    race.sliders["Adam", "learning_rate"].value = 0.01
    race.sliders["Momentum", "momentum"].value = 0.0
    race.sliders["Adagrad", "initial_accumulator_value"].value = 0.5
    assert adam.optimizer is optimizer and optimizer.beta_1 == 0.5  # the same optimizer, no restart
    assert float(optimizer.learning_rate) == pytest.approx(0.01)
    assert race.racers["Momentum"].optimizer.momentum == 0.0
    momentum_before = race.racers["Momentum"].path[-1]
    race.step_button.click()  # momentum 0 is plain gradient descent now
    np.testing.assert_allclose(race.racers["Momentum"].path[-1],
                               momentum_before * (1 - 2 * SURFACES["bowl"].learning_rates["Momentum"]), rtol=1e-5)
    assert "0.5*(" in adam.explanation.splitlines()[1]
    race.reset_button.click()  # a restart keeps the settings; the accumulator starts at the new value
    assert race.racers["Adam"].optimizer.beta_1 == 0.5
    np.testing.assert_allclose(race.racers["Adagrad"].slot("accumulator"), [0.5, 0.5])


def test_reset_restores_the_start_and_fresh_optimizers():
    race = OptimizerRace("saddle")
    press_play(race)
    for _ in range(3):
        tick(race)
    assert race.step == 3 and race.running and ticker_playing(race)
    old = race.racers["Adam"].optimizer
    race.reset_button.click()
    assert race.step == 0 and not race.running and not ticker_playing(race)
    for racer in race.racers.values():
        assert len(racer.path) == 1 and racer.path[0].tolist() == pytest.approx(list(SURFACES["saddle"].start))
        assert int(racer.optimizer.iterations.data) == 0
    assert race.racers["Adam"].optimizer is not old
    np.testing.assert_array_equal(race.racers["Adam"].slot("momentum"), [0.0, 0.0])


def test_play_takes_steps_per_tick_and_pauses_at_max_steps():
    race = OptimizerRace("bowl", steps_per_tick=4, max_steps=10)
    tick(race)  # paused: nothing moves
    assert race.step == 0
    press_play(race)
    for _ in range(5):
        tick(race)
    assert race.step == 12 and not race.running  # 3 ticks reached 10 steps, then Play paused itself
    assert all(len(r.path) == 13 for r in race.racers.values())
    press_play(race)
    press_pause(race)
    tick(race)
    assert race.step == 12


def test_surface_and_start_changes_restart_the_race():
    race = OptimizerRace("bowl")
    race.step_button.click()
    race.surface_control.value = "Rosenbrock"
    assert race.surface == "Rosenbrock" and race.start == SURFACES["Rosenbrock"].start and race.step == 0
    assert race.sliders["SGD", "learning_rate"].value == pytest.approx(0.001)
    assert float(race.racers["SGD"].optimizer.learning_rate) == pytest.approx(0.001)
    assert (race.start_x.min, race.start_x.max, race.start_y.min, race.start_y.max) == (-2, 2, -1, 3)
    race.step_button.click()
    race.start_x.value = 0.5
    assert race.start == (0.5, 1.0) and race.step == 0
    assert race.racers["Nesterov"].path[0].tolist() == [0.5, 1.0]


def test_a_diverging_racer_stops_and_says_so():
    race = OptimizerRace("ravine", racers=["SGD", "Adam"])
    race.sliders["SGD", "learning_rate"].value = 1.0  # above 2 / 8, the ravine's limit across
    for _ in range(20):
        race.step_button.click()
    sgd = race.racers["SGD"]
    assert sgd.diverged_at is not None and len(sgd.path) == sgd.diverged_at + 1
    assert f"diverged at step {sgd.diverged_at}: lower its learning rate" in race.formulas.value
    assert len(race.racers["Adam"].path) == 21 and race.last_error is None


def test_bad_arguments_are_refused_and_shown():
    with pytest.raises(ValueError, match=r"`racers`.*Received: racers=\['Lion'\]"):
        OptimizerRace(racers=["Lion"])
    with pytest.raises(ValueError, match=r"`surface` to be one of.*Received: surface='cliff'"):
        OptimizerRace("cliff")
    with pytest.raises(TypeError, match="unexpected argument 'lr'"):
        OptimizerRace(lr=0.1)
    race = OptimizerRace("bowl")
    with pytest.raises(ValueError, match=r"`start` inside the bowl box x in \[-5, 5\].*Received: start=\(9"):
        race.start = (9.0, 0.0)
    race.surface = "Rosenbrock"
    race.start_x.value = -2.0
    race.surface_control.value = "bowl"  # the start moves to the bowl's own start
    assert race.start == SURFACES["bowl"].start
    with pytest.raises(KeyError, match="Adam has no slot 'accumulator'"):
        race.racers["Adam"].slot("accumulator")


def test_an_error_in_a_callback_is_shown_in_the_banner():
    race = OptimizerRace("bowl")
    race.sliders["SGD", "learning_rate"].value = 0.5
    def broken_schedule(step):
        raise ValueError(f"this schedule has no value for step {step}")

    race.racers["SGD"].optimizer.learning_rate = broken_schedule  # a learner's own schedule, with a bug
    race.step_button.click()
    assert race.error_banner.message == "ValueError: this schedule has no value for step 0"
    assert race.step == 0 and race.last_error is not None
    race.reset_button.click()  # a fresh optimizer with the slider's learning rate
    race.step_button.click()
    assert race.error_banner.value == "" and race.step == 1


def test_static_png_in_the_display_data():
    race = OptimizerRace("bowl")
    png = base64.b64decode(race._repr_mimebundle_()["image/png"])
    assert png.startswith(PNG_SIGNATURE) and png == bytes(race.image.value)
    labels = [b.description for b in (race.play_button, race.step_button, race.reset_button)]
    assert labels == ["race", "Step", "Reset"]
    assert race.play_button is race.ticker and "tn-play" in race.ticker._dom_classes
    assert set(RACERS) == {"SGD", "Momentum", "Nesterov", "RMSprop", "Adam", "Adagrad"}
    assert Racer("Adam", 0.1, {"beta_1": 0.9, "beta_2": 0.999}).explanation == "(no step yet)"


@pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")
def test_the_race_matches_keras_optimizers_on_the_rosenbrock_surface():
    """Twenty steps of every racer equal Keras 3's optimizers stepping a keras.Variable with torch gradients."""
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras (with the torch backend) is needed for the parity test")
    torch = pytest.importorskip("torch", reason="torch is needed for the parity test")
    if keras.backend.backend() != "torch":
        pytest.skip(f"keras runs on {keras.backend.backend()}, not torch")
    race = OptimizerRace("Rosenbrock")
    for _ in range(20):
        race.take_step()
    makers = {
        "SGD": lambda lr: keras.optimizers.SGD(learning_rate=lr),
        "Momentum": lambda lr: keras.optimizers.SGD(learning_rate=lr, momentum=0.9),
        "Nesterov": lambda lr: keras.optimizers.SGD(learning_rate=lr, momentum=0.9, nesterov=True),
        "RMSprop": lambda lr: keras.optimizers.RMSprop(learning_rate=lr, rho=0.9),
        "Adam": lambda lr: keras.optimizers.Adam(learning_rate=lr, beta_1=0.9, beta_2=0.999),
        "Adagrad": lambda lr: keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=0.1),
    }
    for name, make in makers.items():
        optimizer = make(SURFACES["Rosenbrock"].learning_rates[name])
        w = keras.Variable(np.array(SURFACES["Rosenbrock"].start, dtype="float32"))
        path = [w.numpy().copy()]
        for _ in range(20):
            x = torch.tensor(w.numpy(), requires_grad=True)
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            loss.backward()
            optimizer.apply_gradients([(keras.ops.convert_to_tensor(x.grad.numpy()), w)])
            path.append(w.numpy().copy())
        np.testing.assert_allclose(np.array(race.racers[name].path), np.array(path), rtol=1e-4, atol=1e-5,
                                   err_msg=name)


# -- mini-batch mode: noise on every gradient ---------------------------------------------------

def test_gradient_noise_adds_seeded_zero_mean_noise_to_each_gradient():
    start = (2.0, -1.0)
    race = OptimizerRace("bowl", racers=["SGD"], start=start, gradient_noise=0.5, noise_seed=3)
    race.step_button.click()
    draw = 0.5 * np.random.default_rng(3).standard_normal(2)  # the first draw of the racer's seeded generator
    lr, w0 = SURFACES["bowl"].learning_rates["SGD"], np.array(start)
    np.testing.assert_allclose(race.racers["SGD"].path[-1], w0 - lr * (2 * w0 + draw), rtol=1e-5)
    assert race.racers["SGD"].explanation.startswith("g = grad f(w) + noise = (4, -2) + (")
    assert "gradient noise</b> 0.5" in race.status.value


def test_gradient_noise_repeats_after_reset_and_is_the_same_for_every_racer():
    race = OptimizerRace("ravine", racers=["SGD", "Momentum"], gradient_noise=1.0)
    exact = OptimizerRace("ravine", racers=["SGD", "Momentum"])
    for _ in range(20):
        race.take_step()
        exact.take_step()
    first = [p.copy() for p in race.racers["SGD"].path]
    assert not np.allclose(first, exact.racers["SGD"].path)  # the noise changed the path
    race.reset_button.click()
    for _ in range(20):
        race.take_step()
    np.testing.assert_array_equal(first, race.racers["SGD"].path)  # Reset replays the same noise
    race.noise_seed = 1                                              # another seed restarts, other noise
    assert race.step == 0
    for _ in range(20):
        race.take_step()
    assert not np.allclose(first, race.racers["SGD"].path)
    # SGD and Momentum at their first step: the same draw added to the same exact gradient
    race.reset()
    race.take_step()
    sgd, momentum = race.racers["SGD"], race.racers["Momentum"]
    assert sgd.explanation.splitlines()[0] == momentum.explanation.splitlines()[0]


def test_with_noise_sgd_stalls_at_a_noise_floor_and_without_it_converges():
    def final_losses(noise):
        race = OptimizerRace("ravine", racers=["SGD"], gradient_noise=noise)
        for _ in range(300):
            race.take_step()
        return np.array(race.racers["SGD"].losses[-100:])
    exact, noisy = final_losses(0.0), final_losses(1.0)
    assert exact.max() < 1e-3
    # the stationary spread of w under SGD with noise sigma on the ravine gives a mean loss of ~0.3 sigma^2
    assert 0.1 < noisy.mean() < 1.0


def test_the_noise_slider_sets_the_trait_and_bad_noise_is_refused():
    race = OptimizerRace("ravine")
    race.noise_control.value = 2.5
    assert race.gradient_noise == 2.5
    race.gradient_noise = 0.7
    assert race.noise_control.value == 0.7
    with pytest.raises(Exception, match=r"expected `gradient_noise` between 0 .*Received: gradient_noise=-1"):
        race.gradient_noise = -1.0
    with pytest.raises(Exception, match="Received: gradient_noise=50"):
        OptimizerRace("ravine", gradient_noise=50.0)


def test_advance_takes_many_steps_with_one_redraw():
    race, stepped = OptimizerRace("ravine", gradient_noise=1.0), OptimizerRace("ravine", gradient_noise=1.0)
    redraws = race.redraws
    race.advance(15)
    for _ in range(15):
        stepped.take_step()
    assert race.step == 15 and race.redraws == redraws + 1
    np.testing.assert_array_equal(race.racers["Adam"].path, stepped.racers["Adam"].path)


def test_a_new_surface_is_drawn_in_the_same_figure_as_a_fresh_race_draws_it():
    from tests.widgets.frames import assert_frame_is_a_full_redraw, png_pixels

    fresh = {name: png_pixels(bytes(OptimizerRace(name).image.value)) for name in SURFACES}
    assert len({picture.tobytes() for picture in fresh.values()}) == len(SURFACES)  # four different pictures
    race = OptimizerRace("bowl")
    figure = race._figure
    for name in ["ravine", "Rosenbrock", "bowl", "saddle", "Rosenbrock", "ravine"]:  # there and back again
        race.surface_control.value = name
        f = race._figure
        assert f is figure and race.surface == name and race.step == 0
        assert f["title"].get_text().startswith(f"{name}: paths after 0 steps")
        x0, x1, y0, y1 = SURFACES[name].box
        assert f["ax"].get_xlim() == (x0, x1) and f["ax"].get_ylim() == (y0, y1)
        shown = [surface for surface, sets in f["contours"].items() if all(s.get_visible() for s in sets)]
        assert shown == [name]  # only this surface's contours
        assert f["minima"].get_xydata().tolist() == [list(m) for m in SURFACES[name].minima]
        assert (png_pixels(bytes(race.image.value)) == fresh[name]).all(), name
        assert_frame_is_a_full_redraw(bytes(race.image.value), f["live"])  # a pasted background is this one


def test_step_and_reset_after_switching_surfaces_show_that_surface():
    from tests.widgets.frames import assert_frame_is_a_full_redraw, png_pixels

    race, fresh = OptimizerRace("Rosenbrock"), OptimizerRace("saddle")
    race.surface_control.value = "saddle"
    race.surface_control.value = "bowl"
    race.surface_control.value = "saddle"
    for _ in range(12):  # past 10 steps: the step axis grows, a background not kept
        race.step_button.click()
        fresh.step_button.click()
    assert race.step == 12 and race.racers["Adam"].path[-1].tolist() == fresh.racers["Adam"].path[-1].tolist()
    assert (png_pixels(bytes(race.image.value)) == png_pixels(bytes(fresh.image.value))).all()
    assert_frame_is_a_full_redraw(bytes(race.image.value), race._figure["live"])
    race.reset_button.click()
    fresh.reset_button.click()
    assert race.step == 0 and (png_pixels(bytes(race.image.value)) == png_pixels(bytes(fresh.image.value))).all()
    assert_frame_is_a_full_redraw(bytes(race.image.value), race._figure["live"])
