"""Learning-rate schedules: the learning rate as a function of the step.

Reached as `teachnet.optimizers.schedules`, as in Keras. A schedule is passed
where a learning rate goes; the optimizer then calls it with the number of
steps done so far (`optimizer.iterations`) before every step:

    lr = teachnet.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)
    model.compile(optimizer=teachnet.optimizers.SGD(learning_rate=lr), loss="mse")

`optimizer.learning_rate` then reads the schedule's value at the current step,
and setting it to a number raises a TypeError, as in Keras (callbacks such as
ReduceLROnPlateau need an optimizer made with a float learning rate).

The formulas are Keras's, computed in float32 as Keras does, so the rates
agree with Keras's to the last bit.
"""
import math

import numpy as np

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "InverseTimeDecay",
           "CosineDecay", "serialize", "deserialize"]

_F = np.float32  # Keras converts a Python float learning rate to a float32 tensor


class LearningRateSchedule:
    """Base class: subclasses define `__call__(step) -> learning rate` and `get_config()`.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / (1 + step // 100)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate}
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _positive_steps(schedule, decay_steps):
    if isinstance(decay_steps, bool) or not isinstance(decay_steps, (int, float, np.integer, np.floating)) \
            or not decay_steps > 0:
        raise ValueError(f"{schedule}: argument `decay_steps` must be > 0. Received: decay_steps={decay_steps!r}")


def _step(step):
    """The step as float32: an int, a numpy scalar or a Variable (`iterations`)."""
    return _F(np.asarray(getattr(step, "data", step)))


class ExponentialDecay(LearningRateSchedule):
    """The rate shrinks by `decay_rate` every `decay_steps` steps.

    Formula:
        lr(step) = initial_learning_rate * decay_rate ^ (step / decay_steps)
        (with staircase=True the exponent is floor(step / decay_steps))

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: a positive number of steps.
        decay_rate: the factor per `decay_steps` steps.
        staircase: decay in jumps instead of smoothly.
        name: the schedule's name.

    Example:
        >>> lr = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
        >>> float(lr(10))
        0.05000000074505806
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        _positive_steps("ExponentialDecay", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step(step) / _F(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _F(self.initial_learning_rate) * np.power(_F(self.decay_rate), p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate on each interval of steps.

    Formula:
        lr(step) = values[0]   if step <= boundaries[0]
                   values[i]   if boundaries[i-1] < step <= boundaries[i]
                   values[-1]  if step > boundaries[-1]

    Args:
        boundaries: increasing step numbers where the rate changes.
        values: the rates, one more than `boundaries`.
        name: the schedule's name.

    Example:
        >>> lr = PiecewiseConstantDecay(boundaries=[100, 200], values=[1.0, 0.5, 0.1])
        >>> float(lr(150))
        0.5
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. "
                             f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                             f"values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = np.asarray(getattr(step, "data", step))
        interval = int(np.searchsorted(np.asarray(self.boundaries), step, side="left"))  # step <= b[i] -> i
        return _F(self.values[interval])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """The rate falls as 1 / (1 + decay_rate * t), t the step in units of `decay_steps`.

    Formula:
        lr(step) = initial_learning_rate / (1 + decay_rate * step / decay_steps)
        (with staircase=True, step / decay_steps is floored)

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: a positive number of steps.
        decay_rate: how fast the rate falls.
        staircase: decay in jumps instead of smoothly.
        name: the schedule's name.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        _positive_steps("InverseTimeDecay", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step(step) / _F(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return _F(self.initial_learning_rate) / (_F(1) + _F(self.decay_rate) * p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from the rate down to `alpha` times it, after an optional linear warmup.

    Formula:
        warmup (step < warmup_steps, only with warmup_target):
            lr = initial_learning_rate + (warmup_target - initial_learning_rate) * step / warmup_steps
        decay (t = min(step - warmup_steps, decay_steps), start = warmup_target or initial_learning_rate):
            lr = start * ((1 - alpha) * 0.5 * (1 + cos(pi * t / decay_steps)) + alpha)

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: the number of steps the cosine takes.
        alpha: the final rate as a fraction of the start rate.
        name: the schedule's name.
        warmup_target: if set, the rate rises linearly from
            `initial_learning_rate` to this over `warmup_steps` steps first.
        warmup_steps: the length of the warmup.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        _positive_steps("CosineDecay", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def _decay(self, step, start):
        cosine = _F(0.5) * (_F(1.0) + np.cos(_F(math.pi) * (step / _F(self.decay_steps))))
        return start * ((_F(1) - _F(self.alpha)) * cosine + _F(self.alpha))

    def __call__(self, step):
        step, initial = _step(step), _F(self.initial_learning_rate)
        if self.warmup_target is None:
            return self._decay(np.minimum(step, _F(self.decay_steps)), initial)
        target, warmup_steps = _F(self.warmup_target), _F(self.warmup_steps)
        step = np.minimum(step, _F(self.decay_steps) + warmup_steps)
        if step < warmup_steps:
            return (target - initial) * (step / warmup_steps) + initial
        return self._decay(step - warmup_steps, target)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


_BY_NAME = {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, InverseTimeDecay,
                                           CosineDecay)}


def serialize(learning_rate_schedule):
    """{"class_name": ..., "config": ...}, Keras's description of a schedule."""
    return {"class_name": type(learning_rate_schedule).__name__, "config": learning_rate_schedule.get_config()}


def deserialize(config, custom_objects=None):
    """The schedule that `serialize` described."""
    classes = {**_BY_NAME, **(custom_objects or {})}
    name = config.get("class_name") if isinstance(config, dict) else None
    if name not in classes:
        raise ValueError(f"Unknown learning rate schedule {name!r}. Known: {sorted(classes)}; pass your own "
                         "classes as custom_objects={'Name': Class}.")
    return classes[name].from_config(config["config"])
