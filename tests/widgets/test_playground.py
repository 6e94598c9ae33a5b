"""Playground, headless: the tests read trait values, the model, the loss history and PNG bytes (never
pixels). They run under ipywidgets 8 and, in CI, 7.7.1 too."""
import base64

import numpy as np
import pytest

import teachnet as tn
from widgets.playground import DATASETS, FEATURES, OPTIMIZERS, Playground, make_features
from tests.widgets.helpers import press_pause, press_play, tick, ticker_playing

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_playground(**kwargs):
    tn.utils.set_random_seed(0)
    kwargs.setdefault("n_samples", 120)
    return Playground(**kwargs)


def images(playground):
    return [bytes(playground.network_image.value), bytes(playground.output_image.value)]



def dense_units(model):
    return [layer.units for layer in model.layers]


def test_starts_with_pictures_a_model_and_literal_button_labels():
    playground = make_playground()
    assert all(picture.startswith(PNG_SIGNATURE) for picture in images(playground))
    labels = [b.description for b in (playground.play_button, playground.step_button, playground.reset_button)]
    assert labels == ["train", "Step", "Reset"]
    assert playground.play_button is playground.ticker and "tn-play" in playground.ticker._dom_classes
    assert dense_units(playground.model) == [4, 2, 1]
    assert playground.epoch == 0 and playground.history["epoch"] == [0] and len(playground.history["loss"]) == 1
    n_train = len(playground.points["train"][0])
    assert n_train == 60 and len(playground.points["validation"][0]) == 60  # train_share 0.5 of 120 points
    assert playground.last_error is None and playground.error_banner.value == ""


def test_step_trains_one_epoch_and_changes_both_pictures():
    playground = make_playground()
    before_images, before_weights = images(playground), playground.model.get_weights()
    playground.step_button.click()
    assert playground.last_error is None
    assert playground.epoch == 1 and playground.history["epoch"] == [0, 1]
    assert len(playground.history["loss"]) == len(playground.history["val_loss"]) == 2
    assert all(a != b for a, b in zip(before_images, images(playground)))
    assert all(not np.array_equal(a, b) for a, b in zip(before_weights, playground.model.get_weights()))
    assert f"<b>epoch</b> 1" in playground.status.value


def test_training_learns_the_circle_with_squared_features():
    playground = make_playground(features=["x1", "x2", "x1^2", "x2^2"], optimizer="Adam", learning_rate=0.03)
    playground.train(15)
    loss, val_loss = playground.history["loss"], playground.history["val_loss"]
    assert loss[-1] < 0.5 * loss[0] and val_loss[-1] < 0.5 * val_loss[0]
    x, y = playground.points["validation"]
    accuracy = np.mean((playground.probability(x) > 0.5) == (y[:, 0] > 0.5))
    assert accuracy > 0.9


def test_play_trains_at_each_tick_and_pause_stops():
    playground = make_playground(epochs_per_tick=2)
    tick(playground)  # a tick while paused trains nothing
    assert playground.epoch == 0
    press_play(playground)
    assert playground.running and ticker_playing(playground)
    tick(playground)
    tick(playground)
    assert playground.epoch == 4
    press_pause(playground)
    assert not playground.running and not ticker_playing(playground)
    tick(playground)
    assert playground.epoch == 4
    assert playground.output_image.value == playground.draw_output()  # Pause drew the final state


def test_reset_draws_fresh_weights_and_clears_the_curve():
    playground = make_playground()
    playground.train(3)
    trained = playground.model.get_weights()
    old_model = playground.model
    playground.reset_button.click()
    assert playground.epoch == 0 and playground.history["epoch"] == [0]
    assert playground.model is not old_model and int(playground.model.optimizer.iterations.data) == 0
    assert dense_units(playground.model) == [4, 2, 1]
    assert all(not np.array_equal(a, b) for a, b in zip(trained, playground.model.get_weights()))


def test_changing_the_dataset_regenerates_points_and_rebuilds_the_model():
    playground = make_playground()
    playground.step_button.click()
    old_model, old_points = playground.model, playground.points["train"][0].copy()
    playground.dataset_control.value = "xor"
    assert playground.dataset == "xor"
    assert playground.model is not old_model and playground.epoch == 0
    assert not np.array_equal(old_points, playground.points["train"][0])
    assert sorted(DATASETS) == sorted(["circle", "xor", "gauss", "spiral", "two Gaussian clouds"])
    for name in DATASETS:
        playground.dataset = name
        x, y = playground.points["train"]
        assert x.shape[1] == 2 and set(np.unique(y)) <= {0.0, 1.0}, name
    playground.noise = 0.3
    playground.train_share = 0.8
    assert len(playground.points["train"][0]) == 96


def test_adding_and_removing_layers_and_neurons_rebuilds_the_model():
    playground = make_playground()
    playground.add_layer_button.click()
    assert playground.hidden_layers == [4, 2, 2] and dense_units(playground.model) == [4, 2, 2, 1]
    plus = playground.layer_controls.children[0].children[1]   # "+" of hidden layer 1
    minus = playground.layer_controls.children[2].children[2]  # "-" of hidden layer 3
    assert plus.description == "+" and minus.description == "-"
    plus.click()
    minus.click()
    assert playground.hidden_layers == [5, 2, 1] and dense_units(playground.model) == [5, 2, 1, 1]
    assert len(playground.layer_controls.children) == 3
    for _ in range(3):
        playground.remove_layer_button.click()
    assert playground.hidden_layers == [] and dense_units(playground.model) == [1]  # logistic regression
    playground.remove_layer_button.click()
    assert "no hidden layer left" in playground.error_banner.message
    playground.step_button.click()  # a model without hidden layers trains too
    assert playground.last_error is not None and playground.error_banner.value == ""
    assert playground.epoch == 1


def test_features_choose_the_inputs():
    playground = make_playground()
    playground.feature_buttons["sin x1"].value = True
    playground.feature_buttons["x1x2"].value = True
    assert playground.features == ["x1", "x2", "x1x2", "sin x1"]  # canonical order
    assert playground.model.layers[0].kernel.shape == (4, 4)
    points = np.array([[1.0, 2.0]], dtype="float32")
    assert make_features(points, playground.features).tolist() == [[1.0, 2.0, 2.0, pytest.approx(np.sin(1.0))]]
    playground.feature_buttons["x1"].value = False
    playground.feature_buttons["x2"].value = False
    playground.feature_buttons["x1x2"].value = False
    assert playground.features == ["sin x1"]
    playground.feature_buttons["sin x1"].value = False  # the last feature cannot go
    assert playground.features == ["sin x1"] and playground.feature_buttons["sin x1"].value
    assert "non-empty list" in playground.error_banner.message
    assert set(FEATURES) == {"x1", "x2", "x1^2", "x2^2", "x1x2", "sin x1", "sin x2"}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_teachnet_optimizer_can_train(name):
    playground = make_playground(optimizer=name, learning_rate=0.01)
    assert type(playground.model.optimizer).__name__ == name
    playground.step_button.click()
    assert playground.last_error is None and int(playground.model.optimizer.iterations.data) == 6  # 60 / 10


def test_learning_rate_and_batch_size_take_effect_without_a_rebuild():
    playground = make_playground()
    model = playground.model
    playground.lr_control.value = 0.1
    assert playground.learning_rate == 0.1 and float(model.optimizer.learning_rate) == pytest.approx(0.1)
    playground.batch_control.value = 20
    playground.step_button.click()
    assert playground.model is model and int(model.optimizer.iterations.data) == 3  # 60 points / 20
    playground.learning_rate = 0.0042  # a value set in code joins the dropdown
    assert playground.lr_control.value == 0.0042


def test_regularization_loss_and_softmax_output_shape_the_model():
    playground = make_playground(regularization="L2", regularization_rate=0.1)
    assert all(isinstance(layer.kernel_regularizer, tn.regularizers.L2) for layer in playground.model.layers)
    assert playground.model.layers[0].kernel_regularizer.l2 == pytest.approx(0.1)
    plain = make_playground()
    plain.model.set_weights(playground.model.get_weights())
    x, y = playground.points["train"]
    features = make_features(x, playground.features)
    penalty = sum(0.1 * np.sum(np.square(w)) for w in playground.model.get_weights()[::2])  # the kernels
    assert playground.model.evaluate(features, y, verbose=0) == pytest.approx(
        plain.model.evaluate(features, y, verbose=0) + penalty, rel=1e-5)
    playground.multiclass = True
    assert playground.model.layers[-1].units == 2 and playground.model.layers[-1].activation.__name__ == "softmax"
    playground.loss = "mse"
    playground.step_button.click()
    probability = playground.probability(x)
    assert probability.shape == (len(x),) and np.all((probability >= 0) & (probability <= 1))
    assert playground.last_error is None


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_an_error_while_playing_is_shown_in_the_banner_and_stops_play():
    playground = make_playground()
    press_play(playground)
    tick(playground)
    assert playground.epoch == 1 and playground.last_error is None
    kernel = playground.model.layers[0].kernel
    kernel.assign(np.full(kernel.shape, np.inf))  # weights that overflowed: every prediction is nan
    tick(playground)
    assert not playground.running and not ticker_playing(playground)
    assert "training loss became nan at epoch 2" in playground.error_banner.message
    assert "Lower the learning rate (now 0.03) and press Reset" in playground.error_banner.message
    playground.reset_button.click()
    playground.step_button.click()
    assert playground.error_banner.value == "" and playground.epoch == 1


def test_a_dataset_of_the_wrong_shape_is_refused_in_the_banner():
    playground = make_playground()
    model = playground.model
    with pytest.raises(ValueError, match=r"expected `x` of shape \(n, 2\).*x.shape=\(10, 3\)"):
        playground.set_data(np.zeros((10, 3)), np.zeros((10, 1)))
    assert "expected `x` of shape (n, 2)" in playground.error_banner.message
    with pytest.raises(ValueError, match=r"expected `y` of shape \(10, 1\).*y.shape=\(9, 1\)"):
        playground.set_data(np.zeros((10, 2)), np.zeros((9, 1)))
    with pytest.raises(ValueError, match=r"labels 0 and 1"):
        playground.set_data(np.zeros((10, 2)), np.full(10, 3.0))
    assert playground.model is model and playground.dataset == "circle"  # nothing changed


def test_custom_data_is_used_for_training():
    playground = make_playground()
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (40, 2))
    y = (x[:, 0] > 0).astype("float32")
    playground.set_data(x, y)
    assert playground.dataset == "custom" and playground.dataset_control.value == "custom"
    assert len(playground.points["train"][0]) == 20
    np.testing.assert_allclose(np.vstack([playground.points["train"][0], playground.points["validation"][0]]), x,
                               rtol=1e-6)
    playground.step_button.click()
    assert playground.epoch == 1 and playground.last_error is None


def test_bad_settings_are_refused_with_the_argument_named():
    playground = make_playground()
    playground.noise_control.value = 0.5
    with pytest.raises(ValueError, match=r"`hidden_layers`.*at most 6 layers of 1 to 8 neurons.*\[9\]"):
        playground.hidden_layers = [9]
    with pytest.raises(ValueError, match=r"`features`.*Received: features=\['x3'\]"):
        playground.features = ["x3"]
    with pytest.raises(ValueError, match=r"^Playground: expected `train_share` a number from 0.1 to 0.9\. Received: train_share=1.5"):
        playground.train_share = 1.5
    with pytest.raises(ValueError, match=r"`learning_rate`"):
        playground.learning_rate = 0.0
    with pytest.raises(TypeError, match=r"unexpected argument 'units'"):
        Playground(units=3)
    with pytest.raises(ValueError, match=r"needs points: call set_data"):
        Playground(dataset="custom")
    assert playground.hidden_layers == [4, 2] and playground.train_share == 0.5


def test_static_png_in_the_display_data():
    playground = make_playground()
    bundle = playground._repr_mimebundle_()
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(PNG_SIGNATURE) and png == playground.static_png()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    before = playground.static_png()
    playground.step_button.click()
    assert playground.static_png() != before


def test_neuron_pictures_are_the_layers_outputs_over_the_plane():
    playground = make_playground(hidden_layers=[3])
    columns = playground.activations(size=5)
    assert [c.shape for c in columns] == [(5, 5, 2), (5, 5, 3), (5, 5, 1)]
    grid = playground._grid(5)
    kernel, bias = playground.model.layers[0].get_weights()
    np.testing.assert_allclose(columns[1].reshape(25, 3), np.tanh(grid @ kernel + bias), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(columns[2].reshape(25), playground.probability(grid), rtol=1e-5)


def test_data_sliders_draw_the_new_points_over_a_kept_background():
    playground = make_playground(dataset="spiral")
    playground.train(3)
    output = playground._output
    for noise, share in ((0.2, 0.5), (0.35, 0.5), (0.35, 0.7)):
        before = bytes(playground.output_image.value)
        playground.noise_control.value = noise
        playground.share_control.value = share
        assert playground._output is output  # the same figure, updated
        for part, marker in (("train", output["train"]), ("validation", output["validation"])):
            np.testing.assert_array_equal(marker.get_offsets(), playground.points[part][0])
        losses = playground.history["loss"] + playground.history["val_loss"]
        low, high = output["curve"].get_ylim()
        assert playground.epoch == 0 and low <= 0.0 and max(losses) <= high  # a fresh start, from 0
        assert bytes(playground.output_image.value) != before
        # (not compared with a full redraw: a frame draws the 0.5 contour under the points on purpose)
    limits = output["curve"].get_ylim()
    playground.noise_control.value = 0.1  # the next fresh start fits the same loss axis: no new background
    assert output["curve"].get_ylim() == limits


def test_neuron_pictures_put_each_cell_where_imshow_would_in_its_colour():
    """NeuronPictures writes the canvas's pixels itself: a 2 x 3 picture in a box shows its first row at the
    top and its first column at the left, each cell in the colour map's colour for its value."""
    import io

    from matplotlib import colormaps
    from PIL import Image
    from widgets.figures import LiveFigure, new_figure
    from widgets.playground import NeuronPictures

    live = LiveFigure(new_figure(300, 200))
    ax = live.fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    cmap = colormaps["viridis"]
    picture = np.array([[0.0, 0.5, 1.0], [1.0, 0.25, 0.0]])
    pictures = live.animate(NeuronPictures(ax, [(2, 8, 3, 7)], cmap))
    pictures.set(0, picture, 0.0, 1.0)
    pixels = np.asarray(Image.open(io.BytesIO(live.png())).convert("RGB"))
    height = pixels.shape[0]
    for row in range(2):
        for col in range(3):
            # the cell's centre in data coordinates: columns from x=2 to 8, rows from the top (y=7) down to y=3
            x, y = 2 + (col + 0.5) * 2, 7 - (row + 0.5) * 2
            px, py = ax.transData.transform((x, y))
            shown = pixels[height - 1 - int(py), int(px)]
            expected = np.array(cmap(picture[row, col], bytes=True)[:3])
            np.testing.assert_array_equal(shown, expected, err_msg=f"cell ({row}, {col})")
    outside = ax.transData.transform((1, 1))
    assert tuple(pixels[height - 1 - int(outside[1]), int(outside[0])]) == (255, 255, 255)  # nothing drawn there


def test_neuron_names_are_drawn_over_the_links():
    # The links are drawn every frame, over the background: a name left in the background was crossed by
    # them ("P(class 1)" under the lines of two hidden layers of 8). The names are pasted after the links.
    playground = make_playground(hidden_layers=[8, 8])
    net = playground._network
    live = net["live"]
    names = [text for text in live.labels]
    assert sorted(text.get_text() for text in names) == sorted(
        ["x1", "x2"] + [f"{layer}.{unit}" for layer in (1, 2) for unit in range(1, 9)] + ["P(class 1)"])
    assert max(live.animated.index(links) for links in net["links"]) < min(live.animated.index(t) for t in names)
