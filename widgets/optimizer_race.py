"""OptimizerRace: six optimizers side by side on a two-dimensional loss surface.

Each racer is one of teachnet's own optimizer classes (`SGD`, `SGD` with
momentum, `SGD` with Nesterov momentum, `RMSprop`, `Adam`, `Adagrad`)
training one `teachnet.Variable` w = (x, y). Every step is what training a
network does, in two dimensions you can see:

    with GradientTape() as tape:
        loss = surface(w)                      # written with teachnet.ops
    g = tape.gradient(loss, w)
    optimizer.apply_gradients([(g, w)])

The picture shows the contour lines of the surface, each racer's path and
its loss per step; the text under it shows each racer's last update written
out with its numbers (read from the optimizer's own slots). Sliders set each
optimizer's learning rate and parameters (they take effect at the next step),
and the start point; Play/Pause/Step/Reset drive the race.

Mini-batch mode: `gradient_noise` (the "gradient noise" slider) adds zero-mean
normal noise of that standard deviation to every gradient, as a mini-batch's
gradient is a noisy estimate of the full one. The noise is seeded
(`noise_seed`), every racer gets the same draws, and Reset replays them.
"""
import html
import time

import ipywidgets
import numpy as np
import traitlets

import teachnet as tn
from teachnet import ops
from widgets.base import Enum, Float, Int, Throttle, Tuple, WidgetView, image_widget, row
from widgets.figures import FONT, TITLE, LiveFigure, new_figure, nice_ceiling

WIDTH, HEIGHT = 980, 430  # px: fits a 1000 px wide notebook


# -- the surfaces -----------------------------------------------------------------------------

def bowl(x, y):
    """A round bowl: f = x^2 + y^2, minimum 0 at (0, 0)."""
    return ops.square(x) + ops.square(y)


def ravine(x, y):
    """An elongated ravine, 40 times steeper across than along: f = 0.1 x^2 + 4 y^2, minimum 0 at (0, 0)."""
    return 0.1 * ops.square(x) + 4.0 * ops.square(y)


def rosenbrock(x, y):
    """Rosenbrock's banana valley: f = (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1)."""
    return ops.square(1.0 - x) + 100.0 * ops.square(y - ops.square(x))


def saddle(x, y):
    """A saddle at (0, 0) between two minima: f = x^2 - y^2 + y^4 / 20, minimum -5 at (0, +-sqrt(10))."""
    return ops.square(x) - ops.square(y) + 0.05 * ops.square(ops.square(y))


class Surface:
    """A loss surface of two variables, the box drawn, a default start and the minima.

    `learning_rates` gives each racer a learning rate that makes an interesting race on this surface.
    """

    def __init__(self, fn, box, start, minima, learning_rates):
        self.fn, self.box, self.start, self.minima = fn, box, start, minima
        self.learning_rates = learning_rates
        self.description = fn.__doc__

    def __call__(self, w):
        """The loss at w, a Tensor of shape (2,)."""
        return self.fn(w[0], w[1])


SURFACES = {
    "bowl": Surface(bowl, (-5, 5, -5, 5), (-4.0, 3.5), [(0, 0)],
                    {"SGD": 0.1, "Momentum": 0.05, "Nesterov": 0.05, "RMSprop": 0.1, "Adam": 0.3, "Adagrad": 1.0}),
    "ravine": Surface(ravine, (-5, 5, -5, 5), (-4.5, 2.0), [(0, 0)],
                      {"SGD": 0.2, "Momentum": 0.05, "Nesterov": 0.05, "RMSprop": 0.1, "Adam": 0.3,
                       "Adagrad": 1.0}),
    "Rosenbrock": Surface(rosenbrock, (-2, 2, -1, 3), (-1.2, 1.0), [(1, 1)],
                          {"SGD": 0.001, "Momentum": 0.0005, "Nesterov": 0.0005, "RMSprop": 0.01, "Adam": 0.1,
                           "Adagrad": 0.5}),
    "saddle": Surface(saddle, (-5, 5, -5, 5), (-4.5, 0.01), [(0, 10 ** 0.5), (0, -10 ** 0.5)],
                      {"SGD": 0.05, "Momentum": 0.02, "Nesterov": 0.02, "RMSprop": 0.05, "Adam": 0.2,
                       "Adagrad": 1.0}),
}

# racer -> (colour, teachnet optimizer class, fixed arguments, {parameter: (default, min, max)})
RACERS = {
    "SGD": ("#1f77b4", tn.optimizers.SGD, {}, {}),
    "Momentum": ("#ff7f0e", tn.optimizers.SGD, {}, {"momentum": (0.9, 0.0, 0.99)}),
    "Nesterov": ("#2ca02c", tn.optimizers.SGD, {"nesterov": True}, {"momentum": (0.9, 0.0, 0.99)}),
    "RMSprop": ("#d62728", tn.optimizers.RMSprop, {}, {"rho": (0.9, 0.0, 0.999)}),
    "Adam": ("#9467bd", tn.optimizers.Adam, {}, {"beta_1": (0.9, 0.0, 0.999), "beta_2": (0.999, 0.0, 0.9999)}),
    "Adagrad": ("#8c564b", tn.optimizers.Adagrad, {}, {"initial_accumulator_value": (0.1, 0.0, 1.0)}),
}
TOO_FAR = 1e4  # a racer whose |w| grows beyond this has diverged and stops
MAX_NOISE = 10.0  # the largest gradient noise the slider offers


def _vec(values):
    """A 2-vector as text: (-1.234, 0.5678)."""
    return "(" + ", ".join(f"{v:.4g}" for v in np.ravel(values)) + ")"


class Racer:
    """One optimizer and its variable, with the path it took and the text of its last update."""

    def __init__(self, name, learning_rate, parameters):
        self.name = name
        self.colour, self.optimizer_class, self.fixed, _ = RACERS[name]
        self.parameters = dict(parameters)
        self.learning_rate = learning_rate
        self.restart((0.0, 0.0))

    def restart(self, start, noise_seed=0):
        """A fresh variable at `start`, a fresh optimizer (no slots, iterations 0) and the gradient noise
        from its first draw."""
        self.noise = np.random.default_rng(noise_seed)  # every racer seeded alike: they all see the same noise
        self.variable = tn.Variable(np.array(start, dtype="float32"), name="w")
        self.optimizer = self.optimizer_class(learning_rate=self.learning_rate, **self.fixed, **self.parameters)
        self.optimizer.build([self.variable])  # the slots exist from the start, so the text can show them
        self.path = [self.variable.numpy()]  # (x, y) after each step, the start first
        self.losses = []                     # loss at each point of the path
        self.explanation = "(no step yet)"
        self.diverged_at = None

    def set_parameter(self, name, value):
        """Changes a hyper-parameter of the optimizer; it takes effect at the next step."""
        if name == "learning_rate":
            self.learning_rate = value
            self.optimizer.learning_rate = value
        else:
            self.parameters[name] = value
            setattr(self.optimizer, name, value)

    def slot(self, name):
        """The optimizer's slot for w (e.g. "momentum", "velocity"), as a numpy array."""
        for variable in self.optimizer.variables:
            if variable.name == f"w_{name}":
                return variable.numpy()
        raise KeyError(f"{type(self.optimizer).__name__} has no slot {name!r}")

    def step(self, surface, gradient_noise=0.0):
        """One step of the optimizer on `surface`, its gradient plus `gradient_noise` times a standard
        normal draw (a mini-batch's noisy gradient); returns False when the racer has stopped."""
        if self.diverged_at is not None:
            return False
        with tn.GradientTape() as tape:
            loss = surface(self.variable)
        exact = tape.gradient(loss, self.variable).numpy()  # (2,)
        # drawn at every step, even at scale 0, so that step t gets the same draw whatever the scale was before
        noise = (gradient_noise * self.noise.standard_normal(2)).astype(exact.dtype)
        g = exact + noise
        if not self.losses:
            self.losses.append(float(loss))
        before = self.variable.numpy()
        slots_before = {v.name[2:]: v.numpy() for v in self.optimizer.variables if v.name.startswith("w_")}
        self.optimizer.apply_gradients([(g, self.variable)])
        after = self.variable.numpy()
        self.path.append(after)
        self.losses.append(float(surface(ops.convert_to_tensor(after))))
        self.explanation = self.explain(g, before, after, slots_before)
        if gradient_noise:
            self.explanation = (f"g = grad f(w) + noise = {_vec(exact)} + {_vec(noise)} = {_vec(g)}\n"
                                + self.explanation.split("\n", 1)[1])
        if not np.all(np.isfinite(after)) or np.abs(after).max() > TOO_FAR:
            self.diverged_at = len(self.path) - 1
        return True

    def explain(self, g, w, new_w, old):
        """The update rule of the step just taken, with its numbers."""
        lr, t = self.learning_rate, int(self.optimizer.iterations.data)
        lines = [f"g = grad f(w) = {_vec(g)}"]
        kind, p = self.optimizer, self.parameters
        if isinstance(kind, tn.optimizers.SGD) and not kind.momentum:
            lines.append(f"w <- w - lr*g = {_vec(w)} - {lr:g}*{_vec(g)} = {_vec(new_w)}")
        elif isinstance(kind, tn.optimizers.SGD):
            mu, v_old, v = p["momentum"], old.get("momentum", np.zeros(2)), self.slot("momentum")
            lines.append(f"v <- mu*v - lr*g = {mu:g}*{_vec(v_old)} - {lr:g}*{_vec(g)} = {_vec(v)}")
            if kind.nesterov:
                lines.append(f"w <- w + mu*v - lr*g = {_vec(w)} + {mu:g}*{_vec(v)} - {lr:g}*{_vec(g)} = "
                             f"{_vec(new_w)}")
            else:
                lines.append(f"w <- w + v = {_vec(w)} + {_vec(v)} = {_vec(new_w)}")
        elif isinstance(kind, tn.optimizers.RMSprop):
            rho, s = p["rho"], self.slot("velocity")
            lines.append(f"s <- rho*s + (1-rho)*g^2 = {rho:g}*{_vec(old['velocity'])} + {1 - rho:.3g}*"
                         f"{_vec(g ** 2)} = {_vec(s)}")
            lines.append(f"w <- w - lr*g/sqrt(s+eps) = {_vec(w)} - {lr:g}*{_vec(g)}/{_vec(np.sqrt(s))} = "
                         f"{_vec(new_w)}")
        elif isinstance(kind, tn.optimizers.Adam):
            b1, b2, m, v = p["beta_1"], p["beta_2"], self.slot("momentum"), self.slot("velocity")
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            lines.append(f"m <- b1*m + (1-b1)*g = {b1:g}*{_vec(old['momentum'])} + {1 - b1:.3g}*{_vec(g)} = {_vec(m)}")
            lines.append(f"v <- b2*v + (1-b2)*g^2 = {b2:g}*{_vec(old['velocity'])} + {1 - b2:.3g}*{_vec(g ** 2)} "
                         f"= {_vec(v)}")
            lines.append(f"alpha = lr*sqrt(1-b2^t)/(1-b1^t) = {lr:g}*sqrt(1-{b2:g}^{t})/(1-{b1:g}^{t}) = {alpha:.4g}")
            lines.append(f"w <- w - alpha*m/(sqrt(v)+eps) = {_vec(w)} - {alpha:.4g}*{_vec(m)}/{_vec(np.sqrt(v))} = "
                         f"{_vec(new_w)}")
        else:  # Adagrad
            G = self.slot("accumulator")
            lines.append(f"G <- G + g^2 = {_vec(old['accumulator'])} + {_vec(g ** 2)} = {_vec(G)}")
            lines.append(f"w <- w - lr*g/sqrt(G+eps) = {_vec(w)} - {lr:g}*{_vec(g)}/{_vec(np.sqrt(G))} = "
                         f"{_vec(new_w)}")
        return "\n".join(lines)


class OptimizerRace(WidgetView):
    """SGD, momentum, Nesterov, RMSprop, Adam and Adagrad racing downhill on a 2-D surface.

    Args:
        surface: "bowl", "ravine", "Rosenbrock" or "saddle".
        racers: the optimizers taking part (default: all six), from
            "SGD", "Momentum", "Nesterov", "RMSprop", "Adam", "Adagrad".
        **kwargs: initial values of the other traits, e.g. `steps_per_tick=5`.

    Example:
        >>> race = OptimizerRace("ravine")
        >>> race                                   # then Play, or Step
        >>> race.racers["Adam"].optimizer.beta_1   # each racer holds a real teachnet optimizer
        0.9
    """

    surface = Enum(list(SURFACES), "bowl", help="The loss surface the optimizers descend.")
    start = Tuple(Float(), Float(), default_value=(0.0, 0.0),
                            help="The point (x, y) every racer starts from; changing it restarts the race.")
    steps_per_tick = Int(1, help="Steps each racer takes at each tick of Play.")
    max_steps = Int(500, help="Play pauses after this many steps.")
    gradient_noise = Float(0.0, help="Standard deviation of the zero-mean noise added to every gradient (a "
                                     "mini-batch's gradient is noisy); 0 is the exact, full-batch gradient.")
    noise_seed = Int(0, help="Seed of the gradient noise; Reset replays the same noise.")
    step = Int(0, help="Steps taken since the start.")
    redraws = Int(0, help="How many times the picture was redrawn.")

    def __init__(self, surface="bowl", racers=None, **kwargs):
        super().__init__()
        names = list(RACERS) if racers is None else list(racers)
        unknown = [n for n in names if n not in RACERS]
        if unknown or not names:
            raise ValueError(f"OptimizerRace: expected `racers` to be a non-empty list from {list(RACERS)}. "
                             f"Received: racers={racers!r}")
        if surface not in SURFACES:
            raise ValueError(f"OptimizerRace: expected `surface` to be one of {list(SURFACES)}. "
                             f"Received: surface={surface!r}")
        self._ready = False
        self.racers = {name: Racer(name, SURFACES[surface].learning_rates[name],
                                   {p: spec[0] for p, spec in RACERS[name][3].items()}) for name in names}
        self.surface = surface
        self.start = SURFACES[surface].start
        self.set_traits_from(kwargs, ["start", "steps_per_tick", "max_steps", "gradient_noise", "noise_seed"])
        self._throttle = Throttle(0.0)
        self._contours = {}  # surface name -> (xs, ys, values) of its grid
        self._figure = None  # the picture, built once and updated in place (a new surface too)
        self._build_controls()
        self.children = [self.error_banner, self.controls, self.status, self.image, self.racer_controls,
                         self.formulas]
        self._ready = True
        self.reset()

    # -- checks -------------------------------------------------------------------------------
    @traitlets.validate("start")
    def _valid_start(self, proposal):
        x, y = proposal.value
        x0, x1, y0, y1 = SURFACES[self.surface].box
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            raise ValueError(f"OptimizerRace: expected `start` inside the {self.surface} box x in [{x0}, {x1}], "
                             f"y in [{y0}, {y1}]. Received: start={proposal.value}")
        return (float(x), float(y))

    @traitlets.validate("gradient_noise")
    def _valid_noise(self, proposal):
        if not 0 <= proposal.value <= MAX_NOISE:
            raise ValueError(f"OptimizerRace: expected `gradient_noise` between 0 (exact gradients) and "
                             f"{MAX_NOISE:g}. Received: gradient_noise={proposal.value}")
        return float(proposal.value)

    @traitlets.validate("steps_per_tick", "max_steps")
    def _valid_count(self, proposal):
        return self.require_count(proposal)

    # -- controls -----------------------------------------------------------------------------
    def _build_controls(self):
        wide = {"description_width": "initial"}
        self.play_button = self.make_play(60, "race", "Race continuously, steps_per_tick steps per tick")
        self.step_button = self.button("Step", self.take_step, "Every racer takes one step")
        self.reset_button = self.button("Reset", self.reset, "Back to the start with fresh optimizers")
        self.surface_control = self.bind(ipywidgets.Dropdown(
            options=list(SURFACES), value=self.surface, description="surface", style=wide,
            layout=ipywidgets.Layout(width="190px")), "surface")
        box = SURFACES[self.surface].box
        narrow = ipywidgets.Layout(width="240px")
        self.start_x = ipywidgets.FloatSlider(value=self.start[0], min=box[0], max=box[1], step=0.05,
                                              description="start x", style=wide, layout=narrow)
        self.start_y = ipywidgets.FloatSlider(value=self.start[1], min=box[2], max=box[3], step=0.05,
                                              description="start y", style=wide, layout=narrow)
        self.start_x.observe(self.guarded(lambda c: setattr(self, "start", (c["new"], self.start[1]))), names="value")
        self.start_y.observe(self.guarded(lambda c: setattr(self, "start", (self.start[0], c["new"]))), names="value")
        self.noise_control = self.bind(ipywidgets.FloatSlider(
            value=self.gradient_noise, min=0.0, max=MAX_NOISE, step=0.1, description="gradient noise", style=wide,
            layout=narrow), "gradient_noise")
        # a status line that wraps inside the output area (a long surface description must not stick out)
        # (no margin: ipywidgets' default 2 px margins on a 100 % wide line stick out of the output area)
        self.status = ipywidgets.HTML(layout=ipywidgets.Layout(width="100%", max_width=f"{WIDTH}px", min_width="0",
                                                               margin="0"))
        self.image = image_widget(WIDTH)
        self.formulas = ipywidgets.HTML()
        self.controls = row([self.play_button, self.step_button, self.reset_button, self.surface_control,
                             self.start_x, self.start_y, self.noise_control])
        self.sliders = {}  # (racer, parameter) -> slider
        rows = []
        for name, racer in self.racers.items():
            lr = ipywidgets.FloatLogSlider(value=racer.learning_rate, base=10, min=-4, max=1, step=0.1,
                                           description="learning rate", readout_format=".2g", style=wide,
                                           layout=ipywidgets.Layout(width="300px"))
            self.sliders[name, "learning_rate"] = lr
            cells = [ipywidgets.HTML(f'<b style="color:{racer.colour}">{name}</b>',
                                   layout=ipywidgets.Layout(width="90px")), lr]
            for parameter, (_, low, high) in RACERS[name][3].items():
                slider = ipywidgets.FloatSlider(value=racer.parameters[parameter], min=low, max=high,
                                                step=0.001 if high < 1 else 0.01, readout_format=".4g",
                                                description=parameter, style=wide,
                                                layout=ipywidgets.Layout(width="280px"))
                self.sliders[name, parameter] = slider
                cells.append(slider)
            rows.append(row(cells))
        for (name, parameter), slider in self.sliders.items():
            slider.observe(self.guarded(lambda c, n=name, p=parameter: self.racers[n].set_parameter(p, c["new"])),
                           names="value")
        self.racer_controls = ipywidgets.VBox(rows)

    @traitlets.observe("surface")
    def _on_surface(self, change):
        if not self._ready:
            return
        surface = SURFACES[change["new"]]
        for name, racer in self.racers.items():  # learning rates that suit this surface
            self.sliders[name, "learning_rate"].value = surface.learning_rates[name]
        x0, x1, y0, y1 = surface.box
        self.start_x.min, self.start_x.max = min(x0, self.start_x.min), max(x1, self.start_x.max)
        self.start_y.min, self.start_y.max = min(y0, self.start_y.min), max(y1, self.start_y.max)
        if self.start == surface.start:
            self.reset()
        else:
            self.start = surface.start  # the observer restarts
        self.start_x.min, self.start_x.max, self.start_y.min, self.start_y.max = x0, x1, y0, y1

    @traitlets.observe("noise_seed")
    def _on_noise_seed(self, change):
        if self._ready:
            self.reset()

    @traitlets.observe("start")
    def _on_start(self, change):
        if not self._ready:
            return
        self.start_x.value, self.start_y.value = change["new"]
        self.reset()

    # -- the race -------------------------------------------------------------------------------
    def reset(self):
        """Every racer back at the start with a fresh optimizer."""
        self.running = False
        for racer in self.racers.values():
            racer.restart(self.start, self.noise_seed)
        self.step = 0
        self.redraw()

    def take_step(self):
        """Every racer takes one step; redraws."""
        self._advance(1)
        self.redraw()

    def advance(self, steps):
        """Every racer takes `steps` steps, then one redraw (quicker than `steps` calls of `take_step`)."""
        self._advance(steps)
        self.redraw()

    def on_pause(self):
        self.redraw()

    def tick(self):
        """One tick of Play: every racer takes `steps_per_tick` steps; Play pauses itself at `max_steps`."""
        self._advance(self.steps_per_tick)
        if self.step >= self.max_steps:
            self.running = False
        if not self.running or self._throttle.ready():
            started = time.perf_counter()
            self.redraw()  # a frame takes tens of ms: the throttle only steps in when a frame gets slow
            self._throttle.interval = 0.5 * (time.perf_counter() - started)

    def _advance(self, steps):
        surface = SURFACES[self.surface]
        for _ in range(steps):
            moved = [racer.step(surface, self.gradient_noise) for racer in self.racers.values()]
            if not any(moved):
                self.running = False
                return
            self.step += 1

    # -- drawing --------------------------------------------------------------------------------
    def _grid(self):
        """The surface's values on a 120 x 120 grid (computed once per surface, with the same teachnet ops)."""
        if self.surface not in self._contours:
            x0, x1, y0, y1 = SURFACES[self.surface].box
            xs, ys = np.linspace(x0, x1, 120), np.linspace(y0, y1, 120)
            gx, gy = np.meshgrid(xs, ys)                                   # (120, 120) each
            values = SURFACES[self.surface].fn(ops.convert_to_tensor(gx), ops.convert_to_tensor(gy)).numpy()
            self._contours[self.surface] = (xs, ys, values)
        return self._contours[self.surface]

    def redraw(self):
        """Draws the picture, the status line and the formulas now."""
        self.image.value = self.draw()
        rows = []
        for name, racer in self.racers.items():
            where = _vec(racer.path[-1])
            state = f" (diverged at step {racer.diverged_at}: lower its learning rate)" if racer.diverged_at else ""
            rows.append(f'<b style="color:{racer.colour}">{name}</b> w = {where}, f(w) = {racer.losses[-1]:.4g}'
                        f"{state}\n{html.escape(racer.explanation)}" if racer.losses else
                        f'<b style="color:{racer.colour}">{name}</b> w = {where}\n{html.escape(racer.explanation)}')
        self.formulas.value = ('<pre style="font-size:11px;line-height:1.3;white-space:pre-wrap">'
                               + "\n\n".join(rows) + "</pre>")
        surface = SURFACES[self.surface]
        self.status.value = (f'<div style="white-space:normal;overflow-wrap:anywhere;line-height:1.4">'
                             f"<b>step</b> {self.step}; <b>surface</b> {html.escape(surface.description.rstrip('.'))}; "
                             f"<b>start</b> {_vec(self.start)}"
                             + (f"; <b>gradient noise</b> {self.gradient_noise:g}" if self.gradient_noise else "")
                             + "</div>")
        self.redraws += 1

    def draw(self):
        """The contour plot with the paths (left) and each racer's loss per step (right).

        One figure for every surface: picking a surface shows that surface's contours, box, minima and loss
        axis in it (`_show_surface`). The contours, axes and minima are the background, drawn again only
        for a new surface or when the step axis grows (and kept per surface for the first steps); a frame
        draws the paths, the start, the title and the loss curves."""
        if self._figure is None:
            self._figure = self._build_figure()
        f = self._figure
        if f["surface"] != self.surface:
            self._show_surface(f)
        for racer, path_line, head in zip(self.racers.values(), f["paths"], f["heads"]):
            path = np.array(racer.path)                                    # (steps + 1, 2)
            path_line.set_data(path[:, 0], path[:, 1])
            head.set_data([path[-1, 0]], [path[-1, 1]])
        f["start"].set_data([self.start[0]], [self.start[1]])
        f["title"].set_text(f"{self.surface}: paths after {self.step} steps (square: start, star: minimum)")
        for racer, line in zip(self.racers.values(), f["curves"]):
            # loss above the minimum, on a log axis floored at float32's resolution
            gap = np.maximum(np.array(racer.losses) - f["lowest"], 1e-7) if racer.losses else []
            line.set_data(np.arange(len(gap)), gap)
        steps = max(len(r.losses) for r in self.racers.values())
        f["curve"].set_xlim(0, nice_ceiling(max(steps, 10)))
        # the background of the first ten steps, which every race starts with, is kept for each surface: going
        # back to a surface (or Reset) pastes it instead of drawing the contours and axes again
        return f["live"].png(key=(self.surface, f["curve"].get_xlim()), keep=steps <= 10)

    def _build_figure(self):
        """The figure without a surface: axes, the racers' lines, the legend and the titles."""
        live = LiveFigure(new_figure(WIDTH, HEIGHT))
        ax = live.fig.add_axes([0.05, 0.1, 0.5, 0.82])
        paths, heads = [], []
        for racer in self.racers.values():
            paths.append(live.animate(ax.plot([], [], color=racer.colour, linewidth=1.5, marker=".", markersize=3,
                                              label=racer.name)[0]))
            heads.append(live.animate(ax.plot([], [], "o", color=racer.colour, markeredgecolor="black",
                                              markersize=7)[0]))
        start = live.animate(ax.plot([], [], "s", color="white", markeredgecolor="black", markersize=7)[0])
        # zorder 3: over the contour lines (zorder 2) of the surfaces added after them
        minima = ax.plot([], [], "*", color="gold", markeredgecolor="black", markersize=13, zorder=3)[0]
        ax.set_xlabel("x", fontsize=FONT)
        ax.set_ylabel("y", fontsize=FONT)
        # the titles stay where they are (matplotlib would otherwise look for room above the axes at every draw)
        title = live.animate(ax.set_title("", fontsize=TITLE, y=1.0))
        ax.tick_params(labelsize=FONT)
        # an opaque legend, drawn once per background and pasted over the paths (its text is most of a frame)
        live.pin(ax.legend(handles=paths, fontsize=FONT, loc="lower right", framealpha=1, fancybox=False))
        curve = live.fig.add_axes([0.63, 0.1, 0.35, 0.82])
        curves = [live.animate(curve.plot([], [], color=racer.colour, label=racer.name)[0])
                  for racer in self.racers.values()]
        curve.set_yscale("log")
        curve.set_xlabel("step", fontsize=FONT)
        curve.set_title("f(w) - f(minimum)", fontsize=TITLE, y=1.0)
        curve.tick_params(labelsize=FONT)
        return {"live": live, "surface": None, "ax": ax, "contours": {}, "minima": minima, "paths": paths,
                "heads": heads, "start": start, "title": title, "curve": curve, "curves": curves, "lowest": None}

    def _show_surface(self, f):
        """Shows `self.surface` in the figure `f`: its contours (made on its first visit, ~10 ms, then kept
        and hidden while another surface is shown: 0.3-0.5 MB of paths each), its box, its minima and the
        loss axis' range."""
        xs, ys, values = self._grid()
        surface = SURFACES[self.surface]
        if self.surface not in f["contours"]:
            # levels at quantiles of the values: every band covers the same area, so the valley floor, where the
            # racing happens, gets as many contour lines as the steep walls
            levels = np.unique(np.quantile(values, np.linspace(0, 1, 26)))
            f["contours"][self.surface] = (
                f["ax"].contourf(xs, ys, values, levels=levels, cmap="Greys_r", alpha=0.6),
                f["ax"].contour(xs, ys, values, levels=levels[1:-1:2], colors="white", linewidths=0.5))
        for name, contour_sets in f["contours"].items():
            for contour_set in contour_sets:
                contour_set.set_visible(name == self.surface)
        f["minima"].set_data([m[0] for m in surface.minima], [m[1] for m in surface.minima])
        x0, x1, y0, y1 = surface.box
        f["ax"].set_xlim(x0, x1)
        f["ax"].set_ylim(y0, y1)
        f["lowest"] = float(min(min(surface.fn(*[ops.convert_to_tensor(np.float64(c)) for c in m]).numpy()
                                    for m in surface.minima), 0.0))
        f["curve"].set_ylim(1e-7, max(float(values.max()) - f["lowest"], 1.0) * 10)  # all the surface's values fit
        f["surface"] = self.surface

    def static_png(self):
        return bytes(self.image.value)
