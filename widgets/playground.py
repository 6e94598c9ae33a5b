"""Playground: a decision-boundary lab in the style of the TensorFlow Playground.

Pick a 2-D dataset, the input features, the hidden layers, the activation,
the optimizer, regularization and the loss, then train and watch:

- the network: every feature and every neuron drawn as a small heatmap of
  what it computes over the plane, linked by lines whose width is the weight's
  size and whose colour its sign (blue positive, orange negative);
- the output: the network's prediction over the plane with the training
  points (circles) and the validation points (triangles) on top;
- the train and validation loss after each epoch, and the epoch counter.

The model is a real `teachnet.Sequential` of `Dense` layers trained with
`model.fit`, one epoch at a time. Play trains `epochs_per_tick` epochs at each
tick of an `ipywidgets.Play` timer, so the kernel handles clicks between
ticks; Step trains one epoch; Reset draws fresh weights. Changing the data
(dataset, noise, train share) or the architecture rebuilds the model.
"""
import io
import time

import ipywidgets
import numpy as np
import traitlets
from matplotlib import image as mpl_image
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

import teachnet as tn
from widgets.base import Bool, Enum, Float, Int, List, Throttle, Unicode, WidgetView, image_widget, row
from widgets.figures import FONT, TITLE, LiveFigure, new_figure, nice_ceiling, steady_limits

POSITIVE, NEGATIVE = "#0877bd", "#f59322"  # the Playground's colours: blue for +, orange for -
CMAP = LinearSegmentedColormap.from_list("playground", [NEGATIVE, "#f7f7f7", POSITIVE])
NETWORK_SIZE, OUTPUT_SIZE = (600, 430), (370, 500)  # px; side by side they fit a 1000 px notebook
GRID = 24             # pixels per side of a neuron's heatmap
OUTPUT_GRID = 64      # pixels per side of the output heatmap
MAX_LAYERS, MAX_NEURONS = 6, 8

DATASETS = {  # name shown -> generator(n_samples, noise, seed) returning x (n, 2), y (n, 1) in {0, 1}
    "circle": tn.datasets.circle,
    "xor": tn.datasets.xor,
    "gauss": tn.datasets.gauss,
    "spiral": tn.datasets.spiral,
    # DLwP's clouds have no noise parameter: the noise slider leaves them as they are
    "two Gaussian clouds": lambda n, noise, seed: tn.datasets.gaussian_clouds(n // 2, seed=seed, shuffle=True),
}
FEATURES = {  # name -> the feature computed from the points p (n, 2)
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1^2": lambda p: p[:, 0] ** 2,
    "x2^2": lambda p: p[:, 1] ** 2,
    "x1x2": lambda p: p[:, 0] * p[:, 1],
    "sin x1": lambda p: np.sin(p[:, 0]),
    "sin x2": lambda p: np.sin(p[:, 1]),
}
OPTIMIZERS = [name for name in tn.optimizers.__all__ if name not in ("Optimizer", "get")]
ACTIVATIONS = ["tanh", "relu", "sigmoid", "linear"]


def make_features(points, names):
    """The feature matrix (n, len(names)) of points (n, 2), columns in the order of `names`."""
    return np.stack([FEATURES[name](points) for name in names], axis=1).astype("float32")


class NeuronPictures(Artist):
    """Every neuron's heatmap, written straight into the canvas's pixels (nearest neighbour, as imshow's
    "nearest" draws them). Two dozen small `imshow`s each go through Agg's resampling, which took a third
    of a frame; this is a colour lookup and a copy per neuron.

    Args:
        ax: the axes whose data coordinates `boxes` are in.
        boxes: `(x0, x1, y0, y1)` of each picture.
        cmap: the colour map, from `low` (first colour) to `high` (last colour) of each picture.
    """

    def __init__(self, ax, boxes, cmap):
        super().__init__()
        self.ax, self.boxes, self.cmap = ax, boxes, cmap
        self.pictures = [(np.zeros((1, 1)), -1.0, 1.0)] * len(boxes)

    def set(self, index, picture, low, high):
        """Picture `index` shows `picture` (rows from the top), coloured from `low` to `high`."""
        self.pictures[index] = (picture, low, high)

    def draw(self, renderer):
        pixels = np.asarray(renderer.buffer_rgba())  # (height, width, 4), writable, row 0 at the top
        height = pixels.shape[0]
        for (x0, x1, y0, y1), (picture, low, high) in zip(self.boxes, self.pictures):
            (left, bottom), (right, top) = np.rint(self.ax.transData.transform([(x0, y0), (x1, y1)])).astype(int)
            top, bottom = height - top, height - bottom
            if right <= left or bottom <= top:
                continue
            colours = self.cmap(np.clip((picture - low) / (high - low), 0.0, 1.0), bytes=True)  # (rows, cols, 4)
            rows = np.arange(bottom - top) * picture.shape[0] // (bottom - top)
            cols = np.arange(right - left) * picture.shape[1] // (right - left)
            pixels[top:bottom, left:right] = colours[rows][:, cols]


class Playground(WidgetView):
    """Train a small network on 2-D points and watch its decision boundary form.

    Every setting is a trait (set it in code or with the controls): changing
    the data or the architecture rebuilds the model with fresh weights; the
    learning rate and batch size take effect at the next epoch.

    Args:
        **kwargs: initial values of the traits below, e.g.
            `Playground(dataset="xor", hidden_layers=[4, 4], activation="relu")`.

    Example:
        >>> playground = Playground(dataset="spiral", features=["x1", "x2", "sin x1", "sin x2"])
        >>> playground            # then click Play, or Step for one epoch
        >>> playground.set_data(x, y)  # or your own points: x (n, 2), y (n, 1) of 0/1 labels
    """

    dataset = Enum(list(DATASETS) + ["custom"], "circle",
                             help="The 2-D dataset (\"custom\" after set_data).")
    noise = Float(0.0, help="The Playground's noise, 0 to 0.5 (its slider's percentage / 100).")
    train_share = Float(0.5, help="The share of the points used for training; the rest validate.")
    n_samples = Int(400, help="How many points the dataset has.")
    seed = Int(0, help="Seed of the data draw (the same seed gives the same points).")
    features = List(Unicode(), ["x1", "x2"], help=f"Input features, from {list(FEATURES)}.")
    hidden_layers = List(Int(), [4, 2], help="Neurons in each hidden layer.")
    activation = Enum(ACTIVATIONS, "tanh", help="Activation of the hidden layers.")
    optimizer = Enum(OPTIMIZERS, "SGD", help="The teachnet optimizer class.")
    learning_rate = Float(0.03, help="The optimizer's learning rate (takes effect at the next epoch).")
    regularization = Enum(["none", "L1", "L2"], "none", help="Penalty on the kernels of all layers.")
    regularization_rate = Float(0.001, help="The factor of the L1 or L2 penalty.")
    batch_size = Int(10, help="Samples per gradient step.")
    loss = Enum(["crossentropy", "mse"], "crossentropy", help="The loss the model minimizes.")
    multiclass = Bool(False, help="Two softmax outputs (one per class) instead of one sigmoid.")
    epochs_per_tick = Int(1, help="Epochs trained at each tick of Play.")
    epoch = Int(0, help="Epochs trained since the model was built or reset.")
    redraws = Int(0, help="How many times the pictures were redrawn.")

    def __init__(self, **kwargs):
        super().__init__()
        self._ready = False  # observers wait until every trait has its initial value
        self._custom = None  # (x, y) given to set_data
        self.set_traits_from(kwargs, [n for n in self.class_own_traits() if n not in ("epoch", "redraws")])
        self.history = {"epoch": [], "loss": [], "val_loss": []}
        self._network = self._output = None  # the figures, built once and updated in place
        self._throttle = Throttle(0.0)
        self._build_controls()
        self.children = [self.error_banner, self.controls, self.status,
                         row([self.network_image, self.output_image], align_items="flex-start")]  # wraps
        self._ready = True
        self._new_data()

    # -- checks --------------------------------------------------------------------------
    @traitlets.validate("dataset")
    def _valid_dataset(self, proposal):
        if proposal.value == "custom" and self._custom is None:
            raise ValueError("Playground: dataset=\"custom\" needs points: call set_data(x, y).")
        return proposal.value

    @traitlets.validate("hidden_layers")
    def _valid_layers(self, proposal):
        layers = list(proposal.value)
        ok = len(layers) <= MAX_LAYERS and all(1 <= n <= MAX_NEURONS for n in layers)
        self.require(proposal, ok, f"at most {MAX_LAYERS} layers of 1 to {MAX_NEURONS} neurons")
        return layers

    @traitlets.validate("features")
    def _valid_features(self, proposal):
        unknown = [f for f in proposal.value if f not in FEATURES]
        ok = not unknown and proposal.value and len(set(proposal.value)) == len(proposal.value)
        self.require(proposal, ok, f"a non-empty list of distinct names from {list(FEATURES)}")
        return [f for f in FEATURES if f in proposal.value]  # always in the canonical order

    @traitlets.validate("noise", "train_share", "learning_rate", "regularization_rate", "batch_size",
                        "n_samples", "epochs_per_tick")
    def _valid_number(self, proposal):
        name, value = proposal.trait.name, proposal.value
        limits = {"noise": (0, 0.5), "train_share": (0.1, 0.9), "learning_rate": (1e-6, 10),
                  "regularization_rate": (0, 10), "batch_size": (1, 1000), "n_samples": (20, 5000),
                  "epochs_per_tick": (1, 100)}[name]
        ok = limits[0] <= value <= limits[1] and (name != "learning_rate" or value > 0)
        return self.require(proposal, ok, f"a number from {limits[0]} to {limits[1]}")

    # -- controls ------------------------------------------------------------------------
    def _build_controls(self):
        def control(kind, name, label, width, **options):
            """A control labelled `label`, bound to the trait `name`."""
            widget = kind(value=getattr(self, name), description=label, style={"description_width": "initial"},
                          layout=ipywidgets.Layout(width=width), **options)
            return self.bind(widget, name)

        self.play_button = self.make_play(100, "train", "Train continuously, epochs_per_tick epochs per tick")
        self.step_button = self.button("Step", self.train, "Train one epoch")
        self.reset_button = self.button("Reset", self.reset, "Fresh weights and optimizer; clear the loss curve")
        self.add_layer_button = self.button("Add layer", self.add_layer, "Add a hidden layer of 2 neurons", "90px")
        self.remove_layer_button = self.button("Remove layer", self.remove_layer, "Remove the last hidden layer",
                                          "110px")

        self.dataset_control = control(ipywidgets.Dropdown, "dataset", "data", "220px", options=list(DATASETS))
        self.noise_control = control(ipywidgets.FloatSlider, "noise", "noise", "220px", min=0, max=0.5, step=0.05)
        self.share_control = control(ipywidgets.FloatSlider, "train_share", "train share", "250px",
                                     min=0.1, max=0.9, step=0.1)
        self.batch_control = control(ipywidgets.IntSlider, "batch_size", "batch size", "250px", min=1, max=30)
        self.activation_control = control(ipywidgets.Dropdown, "activation", "activation", "190px",
                                          options=ACTIVATIONS)
        self.optimizer_control = control(ipywidgets.Dropdown, "optimizer", "optimizer", "190px", options=OPTIMIZERS)
        self.lr_control = control(ipywidgets.Dropdown, "learning_rate", "learning rate", "190px",
                                  options=sorted({0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0,
                                                  10.0, self.learning_rate}))
        self.loss_control = control(ipywidgets.Dropdown, "loss", "loss", "190px", options=["crossentropy", "mse"])
        self.regularization_control = control(ipywidgets.Dropdown, "regularization", "regularization", "190px",
                                              options=["none", "L1", "L2"])
        self.rate_control = control(ipywidgets.Dropdown, "regularization_rate", "reg. rate", "190px",
                                    options=sorted({0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
                                                    self.regularization_rate}))
        self.multiclass_control = control(ipywidgets.Checkbox, "multiclass", "softmax output (2 classes)", "220px")
        self.feature_buttons = {}
        for name in FEATURES:
            toggle = ipywidgets.ToggleButton(description=name, value=name in self.features,
                                             tooltip=f"Use the feature {name} as an input",
                                             layout=ipywidgets.Layout(width="70px"))
            toggle.observe(self.guarded(lambda change, name=name: self._toggle_feature(name, change["new"])),
                           names="value")
            self.feature_buttons[name] = toggle
        self.observe(self._show_features, names="features")
        self.layer_controls = ipywidgets.HBox(layout=ipywidgets.Layout(flex_flow="row wrap"))
        self.observe(self._show_layer_controls, names="hidden_layers")
        self._show_layer_controls()
        self.status = ipywidgets.HTML()
        self.network_image = image_widget(NETWORK_SIZE[0])
        self.output_image = image_widget(OUTPUT_SIZE[0])
        self.controls = ipywidgets.VBox([
            row([self.play_button, self.step_button, self.reset_button, self.dataset_control,
                 self.noise_control]),
            row([self.share_control, self.batch_control, self.multiclass_control]),
            row([self.activation_control, self.optimizer_control, self.lr_control, self.loss_control]),
            row([self.regularization_control, self.rate_control]),
            row([ipywidgets.HTML("<b>features</b>&nbsp;")] + list(self.feature_buttons.values())),
            row([self.add_layer_button, self.remove_layer_button, self.layer_controls])])

    def _toggle_feature(self, name, on):
        try:
            self.features = [f for f in self.features if f != name] + ([name] if on else [])
        finally:  # removing the last feature is refused: the button goes back on
            self.feature_buttons[name].value = name in self.features

    def _show_features(self, change):
        for name, toggle in self.feature_buttons.items():
            toggle.value = name in change["new"]

    def _show_layer_controls(self, change=None):
        boxes = []
        for i, units in enumerate(self.hidden_layers):
            plus = ipywidgets.Button(description="+", tooltip=f"Add a neuron to hidden layer {i + 1}",
                                     layout=ipywidgets.Layout(width="32px"))
            minus = ipywidgets.Button(description="-", tooltip=f"Remove a neuron from hidden layer {i + 1}",
                                      layout=ipywidgets.Layout(width="32px"))
            plus.on_click(self.guarded(lambda _, i=i: self.set_units(i, self.hidden_layers[i] + 1)))
            minus.on_click(self.guarded(lambda _, i=i: self.set_units(i, self.hidden_layers[i] - 1)))
            boxes.append(ipywidgets.HBox([ipywidgets.HTML(f"&nbsp;layer {i + 1}: <b>{units}</b>&nbsp;"), plus, minus]))
        self.layer_controls.children = boxes

    def add_layer(self):
        """Adds a hidden layer of 2 neurons (at most 6 layers)."""
        self.hidden_layers = self.hidden_layers + [2]

    def remove_layer(self):
        """Removes the last hidden layer (none left means a linear model on the features)."""
        if not self.hidden_layers:
            raise ValueError("Playground: there is no hidden layer left to remove.")
        self.hidden_layers = self.hidden_layers[:-1]

    def set_units(self, layer, units):
        """Sets the number of neurons of hidden layer `layer` (0-based), 1 to 8."""
        layers = list(self.hidden_layers)
        layers[layer] = units
        self.hidden_layers = layers

    # -- data and model ------------------------------------------------------------------
    def set_data(self, x, y):
        """Trains on your own points: `x` of shape (n, 2), `y` of shape (n, 1) or (n,) with labels 0 and 1.

        A refused dataset is shown in the widget's banner and raised; the widget keeps its data.
        """
        try:
            x, y = np.asarray(x, dtype="float32"), np.asarray(y, dtype="float32")
            if x.ndim != 2 or x.shape[1] != 2:
                raise ValueError(f"Playground.set_data: expected `x` of shape (n, 2), points in the plane. "
                                 f"Received: x.shape={x.shape}")
            y = y.reshape(-1, 1) if y.ndim == 1 else y
            if y.shape != (len(x), 1) or not np.isin(y, (0, 1)).all():
                raise ValueError(f"Playground.set_data: expected `y` of shape ({len(x)}, 1) holding labels 0 and "
                                 f"1, one per point of x. Received: y.shape={y.shape}, "
                                 f"values {np.unique(y)[:5].tolist()}")
            if len(x) < 4:
                raise ValueError(f"Playground.set_data: expected at least 4 points. Received: {len(x)}")
        except ValueError as error:
            self.last_error = error
            self.error_banner.show(error)
            raise
        self._custom = (x, y)
        if self.dataset == "custom":
            self._new_data()
        else:
            self.dataset = "custom"  # the observer draws the new data

    @traitlets.observe("dataset", "noise", "train_share", "n_samples", "seed")
    def _on_data_change(self, change):
        if self._ready:
            self._new_data()

    def _new_data(self):
        if self.dataset == "custom":
            x, y = self._custom
        else:
            x, y = DATASETS[self.dataset](self.n_samples, self.noise, self.seed)
        n_train = max(1, min(len(x) - 1, int(round(len(x) * self.train_share))))
        self.points = {"train": (x[:n_train], y[:n_train]), "validation": (x[n_train:], y[n_train:])}
        # the plane shown, [-extent, extent]^2, in whole units: most data and noise settings share one plane
        # (and one figure: a new plane builds the output picture again)
        self.extent = max(6.0, float(np.ceil(np.abs(x).max() * 1.05)))
        if self.dataset_control.options != tuple(DATASETS) + (("custom",) if self._custom is not None else ()):
            self.dataset_control.options = list(DATASETS) + (["custom"] if self._custom is not None else [])
            self.dataset_control.value = self.dataset
        self.reset()

    @traitlets.observe("features", "hidden_layers", "activation", "optimizer", "regularization",
                       "regularization_rate", "loss", "multiclass")
    def _on_architecture_change(self, change):
        if self._ready:
            self.reset()

    @traitlets.observe("learning_rate")
    def _apply_learning_rate(self, change):
        if self._ready:
            self.model.optimizer.learning_rate = change["new"]

    def build_model(self):
        """A fresh compiled `teachnet.Sequential` for the current settings."""
        regularizer = {"none": None, "L1": tn.regularizers.L1(self.regularization_rate),
                       "L2": tn.regularizers.L2(self.regularization_rate)}[self.regularization]
        layers = [tn.Input((len(self.features),))]
        for i, units in enumerate(self.hidden_layers):
            layers.append(tn.layers.Dense(units, activation=self.activation, kernel_regularizer=regularizer,
                                          name=f"hidden_{i + 1}"))
        if self.multiclass:  # one probability per class; the labels stay integers 0 and 1
            layers.append(tn.layers.Dense(2, activation="softmax", kernel_regularizer=regularizer, name="output"))
            loss = "sparse_categorical_crossentropy" if self.loss == "crossentropy" else self._one_hot_mse
        else:
            layers.append(tn.layers.Dense(1, activation="sigmoid", kernel_regularizer=regularizer, name="output"))
            loss = "binary_crossentropy" if self.loss == "crossentropy" else "mean_squared_error"
        model = tn.Sequential(layers, name="playground")
        optimizer = getattr(tn.optimizers, self.optimizer)(learning_rate=self.learning_rate)
        model.compile(optimizer=optimizer, loss=loss)
        return model

    @staticmethod
    def _one_hot_mse(y_true, y_pred):
        """Mean squared error between the one-hot label (n, 2) and the two softmax outputs (n, 2)."""
        labels = tn.ops.one_hot(tn.ops.cast(tn.ops.reshape(y_true, (-1,)), "int32"), 2)  # (n, 2)
        return tn.losses.mean_squared_error(labels, y_pred)

    # -- training ------------------------------------------------------------------------
    def reset(self):
        """A fresh model (new weights from the shared generator) and optimizer; clears the loss curve."""
        self.running = False
        self.model = self.build_model()
        self.epoch = 0
        self.history = {"epoch": [], "loss": [], "val_loss": []}
        self._record_losses()
        self.redraw()

    def train(self, epochs=1):
        """Trains `epochs` epochs (shuffled batches of `batch_size`, with `model.fit`), then redraws.
        Step trains one; in a cell, `playground.train(50)` trains fifty in one go."""
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"Playground.train: expected `epochs` to be a positive integer. "
                             f"Received: epochs={epochs!r}")
        try:
            self._train(int(epochs))
        finally:  # also show where training stopped when it failed
            self.redraw()

    def on_pause(self):
        self.redraw()

    def tick(self):
        """One tick of Play: trains `epochs_per_tick` epochs, then redraws (when the throttle allows)."""
        self._train(self.epochs_per_tick)
        if self._throttle.ready():
            started = time.perf_counter()
            self.redraw()  # a frame takes tens of ms: the throttle only steps in when a frame gets slow
            self._throttle.interval = 0.5 * (time.perf_counter() - started)

    def _train(self, epochs):
        x, y = self.points["train"]
        x = make_features(x, self.features)  # (n_train, features)
        for _ in range(epochs):
            self.model.fit(x, y, batch_size=self.batch_size, epochs=1, shuffle=True, verbose=0)
            self.epoch += 1
            self._record_losses()
            if not np.isfinite(self.history["loss"][-1]):
                self.running = False
                raise ValueError(f"Playground: the training loss became {self.history['loss'][-1]} at epoch "
                                 f"{self.epoch} (the weights diverged). Lower the learning rate "
                                 f"(now {self.learning_rate}) and press Reset.")

    def _record_losses(self):
        """The loss on all training and all validation points at the current weights."""
        self.history["epoch"].append(self.epoch)
        for key, (x, y) in (("loss", self.points["train"]), ("val_loss", self.points["validation"])):
            loss = self.model.evaluate(make_features(x, self.features), y, batch_size=len(x), verbose=0)
            self.history[key].append(float(loss))

    # -- drawing -------------------------------------------------------------------------
    def _grid(self, size):
        """Points (size * size, 2) covering the plane, row 0 at the top."""
        ticks = np.linspace(-self.extent, self.extent, size, dtype="float32")
        gx, gy = np.meshgrid(ticks, ticks[::-1])
        return np.stack([gx.ravel(), gy.ravel()], axis=1)

    def activations(self, size=GRID):
        """What every node computes over the plane: a list of arrays (size, size, units), one per
        column of the network drawing (the features, each hidden layer, the output layer)."""
        h = make_features(self._grid(size), self.features)                # (size^2, features)
        columns = [h.reshape(size, size, -1)]
        for layer in self.model.layers:
            h = layer(h).numpy()                                          # (size^2, units)
            columns.append(h.reshape(size, size, -1))
        return columns

    def probability(self, points):
        """P(class 1) predicted for points (n, 2): shape (n,)."""
        out = self.model.predict(make_features(points, self.features), batch_size=len(points), verbose=0)
        return out[:, 1] if self.multiclass else out[:, 0]

    def redraw(self):
        """Draws both pictures and the status line now."""
        self.network_image.value = self.draw_network()
        self.output_image.value = self.draw_output()
        train, val = self.history["loss"][-1], self.history["val_loss"][-1]
        self.status.value = (f"<b>epoch</b> {self.epoch} &nbsp; <b>train loss</b> {train:.4f} &nbsp; "
                             f"<b>validation loss</b> {val:.4f} &nbsp; <b>weights</b> {self.model.count_params()}")
        self.redraws += 1

    def draw_network(self):
        """The features, the neurons (each a heatmap over the plane) and the weights between them.

        Built once per architecture (names and titles are the background); a frame sets each
        heatmap's pixels and colour range and each link's colour and width."""
        names = [self.features] + [[f"{i + 1}.{j + 1}" for j in range(units)] for i, units in
                                   enumerate(self.hidden_layers)]
        names.append(["class 0", "class 1"] if self.multiclass else ["P(class 1)"])
        if self._network is None or self._network["names"] != names:
            self._network = self._build_network(names)
        net = self._network
        columns = self.activations()
        for c, layer in enumerate(self.model.layers):
            weights = layer.kernel.numpy().ravel()  # row-major: the same (input, unit) order as the segments
            scale = max(float(np.abs(weights).max()), 1e-9)
            net["links"][c].set_color(np.where(weights > 0, POSITIVE, NEGATIVE))
            net["links"][c].set_linewidth(0.3 + 3.5 * np.abs(weights) / scale)
        for c, values in enumerate(columns):
            for j, index in enumerate(net["images"][c]):
                picture = values[..., j]
                if c < len(columns) - 1:  # the output is a probability, in [0, 1]; the others centre on 0
                    limit = max(float(np.abs(picture).max()), 1e-6)
                    net["pictures"].set(index, picture, -limit, limit)
                else:
                    net["pictures"].set(index, picture, 0.0, 1.0)
        return net["live"].png()

    def _build_network(self, names):
        live = LiveFigure(new_figure(*NETWORK_SIZE))
        ax = live.fig.add_axes([0, 0, 1, 1])
        n_cols, box = len(names), 0.7
        height = 1.2 * max(4, max(len(c) for c in names))
        ax.set_xlim(-0.8, 2.2 * (n_cols - 1) + 0.8)
        ax.set_ylim(-height - 0.3, 1.0)
        ax.axis("off")
        centres = []  # per column: (x, y) of each node's centre
        for c, column in enumerate(names):
            top = -(height - 1.2 * len(column)) / 2 - 0.1  # centre the column vertically
            centres.append([(2.2 * c, top - 1.2 * j - box / 2) for j in range(len(column))])
        links = []  # drawn first, so the nodes are drawn over them
        for c in range(n_cols - 1):
            segments = [[(x0 + box / 2, y0), (x1 - box / 2, y1)] for x0, y0 in centres[c] for x1, y1 in centres[c + 1]]
            links.append(live.animate(ax.add_collection(LineCollection(segments, alpha=0.75, zorder=1))))
        images, frames, boxes, labels = [], [], [], []  # images: per column, each neuron's index in `pictures`
        for c, column in enumerate(names):
            images.append([])
            for j, (x, y) in enumerate(centres[c]):
                images[c].append(len(boxes))
                boxes.append((x - box / 2, x + box / 2, y - box / 2, y + box / 2))
                frames.append(Rectangle((x - box / 2, y - box / 2), box, box))
                labels.append(ax.text(x, y - box / 2 - 0.08, column[j], ha="center", va="top", fontsize=FONT,
                                      zorder=3))
        pictures = live.animate(NeuronPictures(ax, boxes, CMAP))  # over the links, under the frames
        live.animate(ax.add_collection(PatchCollection(frames, facecolor="none", edgecolor="#555555",
                                                       linewidth=0.8, zorder=3)))
        for label in labels:  # over the links too (they are drawn every frame): pasted from cached pixels
            live.label(label, pad=0.5)
        titles = ["features"] + [f"hidden {i + 1}" for i in range(len(self.hidden_layers))] + ["output"]
        for c, title in enumerate(titles):
            ax.text(2.2 * c, 0.75, title, ha="center", va="center", fontsize=TITLE, weight="bold")
        ax.set_aspect("equal")  # square neurons (as imshow would make them)
        ax.set_autoscale_on(False)
        ax.set_xlim(-0.8, 2.2 * (n_cols - 1) + 0.8)
        ax.set_ylim(-height - 0.3, 1.0)
        return {"live": live, "names": names, "links": links, "images": images, "pictures": pictures}

    def draw_output(self):
        """The prediction over the plane with the points, and the loss curves.

        The axes are the background (drawn again when the plane or the loss axis's limits change);
        a frame draws the heatmap, the 0.5 contour, the points, the title and the loss lines."""
        key = (self.extent, self.multiclass)
        if self._output is None or self._output["key"] != key:
            previous = self._output
            self._output = self._build_output(key)
            if previous is not None:  # a new plane: the loss axis stays as it was
                self._output["limits"] = previous["limits"]
        out = self._output
        e = self.extent
        probability = self.probability(self._grid(OUTPUT_GRID)).reshape(OUTPUT_GRID, OUTPUT_GRID)
        out["heatmap"].set_data(probability)
        live, ax = out["live"], out["ax"]
        if out["contour"] is not None:
            live.forget(out["contour"])
            out["contour"].remove()
        ticks = np.linspace(-e, e, OUTPUT_GRID)
        out["contour"] = live.animate(ax.contour(ticks, ticks[::-1], probability, levels=[0.5], colors="#333333",
                                                 linewidths=1), position=1)  # over the heatmap, under the points
        for part in ("train", "validation"):
            x, y = self.points[part]
            out[part].set_offsets(x)
            out[part].set_facecolor(np.where(y[:, 0] > 0.5, POSITIVE, NEGATIVE))
        out["title"].set_text(f"output: P(class 1), epoch {self.epoch}")
        epochs, losses = self.history["epoch"], self.history["loss"] + self.history["val_loss"]
        out["train_loss"].set_data(epochs, self.history["loss"])
        out["val_loss"].set_data(epochs, self.history["val_loss"])
        finite = np.asarray(losses, dtype=float)
        finite = finite[np.isfinite(finite)]
        if finite.size:
            # a fresh start (one epoch, after a reset) asks for the range from 0 to a round number above its
            # losses (they are >= 0): the next fresh starts fit in it, so moving a data or architecture
            # control keeps the background
            fresh = len(epochs) == 1
            low, high = (0.0, nice_ceiling(finite.max())) if fresh else (finite.min(), finite.max())
            out["limits"] = steady_limits(out["limits"], low, high)
            out["curve"].set_ylim(*out["limits"])
        out["curve"].set_xlim(0, nice_ceiling(max(epochs[-1], 10)))  # the first 10 epochs share one background
        return live.png(key=(out["curve"].get_xlim(), out["curve"].get_ylim()))

    def _build_output(self, key):
        live = LiveFigure(new_figure(*OUTPUT_SIZE))
        ax = live.fig.add_axes([0.14, 0.33, 0.82, 0.6])
        e = self.extent
        heatmap = live.animate(ax.imshow(np.zeros((OUTPUT_GRID, OUTPUT_GRID)), cmap=CMAP, norm=Normalize(0.0, 1.0),
                                         extent=(-e, e, -e, e), interpolation="bilinear", alpha=0.65))
        points = {}
        for part, marker in (("train", "o"), ("validation", "^")):
            points[part] = live.animate(ax.scatter([], [], marker=marker, s=16, edgecolors="#222222", linewidths=0.5,
                                                   label=part))
        for spine in ax.spines.values():  # the frame goes over the heatmap and the points, as in a full draw
            live.animate(spine)
        ax.set_xlim(-e, e)
        ax.set_ylim(-e, e)
        ax.tick_params(labelsize=FONT)
        legend = ax.legend(handles=[points["train"], points["validation"]], loc="upper right", fontsize=FONT,
                           framealpha=1, fancybox=False)
        for handle in legend.legend_handles:  # the markers' shape matters here, not their colour
            handle.set_facecolor("#bbbbbb")
        live.pin(legend)  # drawn once, then pasted as pixels over the moving heatmap
        title = live.animate(ax.set_title("", fontsize=TITLE))
        curve = live.fig.add_axes([0.14, 0.07, 0.82, 0.18])
        train_loss = live.animate(curve.plot([], [], color="#333333", marker=".", label="train loss")[0])
        val_loss = live.animate(curve.plot([], [], color="#d62728", linestyle="--", marker=".",
                                           label="validation loss")[0])
        for spine in curve.spines.values():  # over the loss lines (the first epoch's points sit on the left one)
            live.animate(spine)
        curve.set_xlabel("epoch", fontsize=FONT, labelpad=1)
        curve.tick_params(labelsize=FONT)
        curve.yaxis.set_major_locator(MaxNLocator(3))
        live.pin(curve.legend(handles=[train_loss, val_loss], fontsize=FONT, loc="upper right", framealpha=1,
                              fancybox=False))
        return {"live": live, "key": key, "ax": ax, "heatmap": heatmap, "contour": None, "title": title,
                "curve": curve, "train_loss": train_loss, "val_loss": val_loss, "limits": None, **points}

    def static_png(self):
        """Both pictures side by side (the notebook's saved output)."""
        pictures = [mpl_image.imread(io.BytesIO(bytes(p)), format="png")[..., :3]
                    for p in (self.network_image.value, self.output_image.value)]
        height = max(p.shape[0] for p in pictures)
        padded = [np.pad(p, ((0, height - p.shape[0]), (0, 0), (0, 0)), constant_values=1.0) for p in pictures]
        buf = io.BytesIO()
        mpl_image.imsave(buf, np.concatenate(padded, axis=1), format="png")  # (height, width, 3)
        return buf.getvalue()
