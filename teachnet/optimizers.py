"""Optimizers: how gradients become weight updates.

Every optimizer follows Keras 3's contract:

- `build(var_list)` creates the slots, the per-weight state such as Adam's
  moments m and v (zeros shaped like each weight);
- `update_step(gradient, variable, learning_rate)` is the rule for one
  weight, written in the notation of the paper; the docstring of each class
  gives the algorithm;
- `apply_gradients(zip(grads, vars))` (or `apply(grads, vars)`) runs one
  training step: clip the gradients, decay the weights, call `update_step`
  for every weight, apply weight constraints, count the step in `iterations`.

The updates are vectorised numpy operations done in place on the weights'
arrays, in the weights' dtype, with Keras's exact order of operations.
"""
import inspect
import math
import re
import sys
import warnings

import numpy as np

from teachnet import old_names, schedules
from teachnet.autodiff import Tensor, Variable
from teachnet.naming import snake_case
from teachnet.ops import compiled, parallel

# `teachnet.optimizers.schedules` is the module teachnet/schedules.py (Keras's
# path). Registering it under that name too lets
# `from teachnet.optimizers.schedules import ExponentialDecay` work while this
# file stays a plain module.
sys.modules[__name__ + ".schedules"] = schedules

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adamax", "Nadam", "Adadelta", "get"]


FLUSH_EVERY = 16  # steps between flushes of subnormal slot values (see Optimizer._flush_subnormal_slots)

# Keras 3 Optimizer arguments this engine does not implement, with their defaults.
_KERAS_ONLY = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
               "loss_scale_factor": None, "gradient_accumulation_steps": None}


class Optimizer:
    """Base class of all optimizers.

    Args:
        learning_rate: a non-negative float, or a schedule: a
            `teachnet.optimizers.schedules.LearningRateSchedule` (or any
            `schedule(step)` taking the number of steps done so far), or a
            callable without arguments.
        weight_decay: if set, each step first shrinks every weight:
            `w <- w - w * weight_decay * learning_rate` (decoupled decay).
        clipnorm: if set, each gradient is rescaled so its L2 norm is at most this.
        clipvalue: if set, each gradient element is clipped to [-clipvalue, clipvalue].
        global_clipnorm: if set, all gradients together are rescaled so their
            joint L2 norm is at most this.
        name: a name for the optimizer.

    Example:
        >>> opt = teachnet.optimizers.SGD(learning_rate=0.1)
        >>> w = teachnet.Variable([1.0, 2.0])
        >>> opt.apply_gradients([(np.array([1.0, 1.0]), w)])
        >>> w.numpy()
        array([0.9, 1.9], dtype=float32)
    """

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None, **kwargs):
        for arg, keras_default in _KERAS_ONLY.items():  # Keras code may pass these at their defaults
            if arg in kwargs and kwargs.pop(arg) != keras_default:
                raise ValueError(f"{type(self).__name__}: `{arg}` is not supported by teachnet; only its "
                                 f"Keras default {arg}={keras_default!r} is accepted.")
        decay = kwargs.pop("decay", None)
        if decay:  # Keras 3 warns and ignores it; say what Keras 2 computed with it
            warnings.warn(f"{type(self).__name__}: argument `decay` is no longer supported (Keras 3) and is ignored. "
                          "Keras 2's lr / (1 + decay * step) is the schedule learning_rate="
                          "teachnet.optimizers.schedules.InverseTimeDecay(learning_rate, decay_steps=1, "
                          f"decay_rate={decay}).", UserWarning, stacklevel=3)
        if kwargs:
            raise ValueError(f"{type(self).__name__}: argument(s) not recognized: {sorted(kwargs)}."
                             f"{old_names.hint(kwargs)}")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                             f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        for arg, value in (("weight_decay", weight_decay), ("clipnorm", clipnorm),
                           ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if value is not None:
                _check_number(self, arg, value, low=0.0)
        self.name = name or snake_case(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.built = False
        self._variables = []              # iteration, learning rate, then the slots
        self._trainable_variables = []
        self._index = {}                  # id(weight) -> position in _trainable_variables
        self._exclude_ids, self._exclude_pattern = set(), None
        self._iterations = self._track(Variable(0, trainable=False, name="iteration", dtype="int64"))
        self._learning_rate = None
        self.learning_rate = learning_rate

    # -- learning rate and step count ---------------------------------------------
    @property
    def iterations(self):
        """The number of steps applied so far (a non-trainable int Variable)."""
        return self._iterations

    @property
    def learning_rate(self):
        """The learning rate of the next step: a Variable holding a float, or
        the value of the schedule at the current step.

        Set it between steps with a float (`opt.learning_rate = 0.01`) or a
        callable schedule. An optimizer made with a `LearningRateSchedule`
        refuses a float, as in Keras.
        """
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        if self._schedule_takes_step:
            return self._learning_rate(int(self._iterations.data))
        return self._learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(value):
            if isinstance(self._learning_rate, Variable):  # a schedule replaces the variable
                self._variables = [v for v in self._variables if v is not self._learning_rate]
            self._learning_rate = value
            self._schedule_takes_step = isinstance(value, schedules.LearningRateSchedule) or _takes_an_argument(value)
            return
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not settable "
                            f"(received learning_rate={value!r}). If you need the learning rate to be "
                            "settable, instantiate the optimizer with a float `learning_rate` argument.")
        if isinstance(value, Tensor) and value.ndim == 0:
            value = value.data.item()
        value = _check_number(self, "learning_rate", value, low=0.0)
        if isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(value)
        else:
            self._learning_rate = Variable(value, trainable=False, name="learning_rate")
            self._variables.insert(1, self._learning_rate)  # after `iteration`, as Keras lists them

    def _current_learning_rate(self):
        return float(np.asarray(self.learning_rate))

    @property
    def variables(self):
        """The optimizer's own state: iteration, learning rate, then the slots."""
        return list(self._variables)

    # -- slots -----------------------------------------------------------------------
    def build(self, var_list):
        """Remembers the weights to train; subclasses add their slots here."""
        self._trainable_variables = list(var_list)
        self._index = {id(v): i for i, v in enumerate(self._trainable_variables)}
        self.built = True

    def add_variable_from_reference(self, reference_variable, name, initializer=0.0):
        """A slot: a non-trainable Variable shaped like `reference_variable`,
        filled with `initializer`, named e.g. `dense_kernel_momentum`."""
        prefix = getattr(reference_variable, "path", reference_variable.name).replace("/", "_")
        value = np.full(reference_variable.shape, initializer, dtype=reference_variable.dtype)
        return self._track(Variable(value, trainable=False, name=f"{prefix}_{name}",
                                    dtype=reference_variable.dtype))

    def add_optimizer_variables(self, var_list, names, initializer=0.0):
        """One slot per weight for each name, interleaved as Keras creates them.
        Returns a list for one name, a tuple of lists for several."""
        single = isinstance(names, str)
        names = [names] if single else list(names)
        slots = tuple([] for _ in names)
        for variable in var_list:
            for i, name in enumerate(names):
                slots[i].append(self.add_variable_from_reference(variable, name, initializer))
        return slots[0] if single else slots

    def _get_variable_index(self, variable):
        return self._index[id(variable)]

    def _track(self, variable):
        self._variables.append(variable)
        return variable

    # -- one training step -----------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Applies one step from `(gradient, variable)` pairs; returns `iterations`."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Applies one step: `grads[i]` updates `trainable_variables[i]`.

        On the first call the optimizer is built on `trainable_variables`;
        later calls may omit them (the built list is used).
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be "
                                 "built on a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"{type(self).__name__}: pass one gradient per variable. Received: {len(grads)} "
                             f"gradients for {len(trainable_variables)} variables")
        if not self.built:
            self.build(trainable_variables)
            self.built = True
        for v in trainable_variables:
            if id(v) not in self._index:
                raise ValueError(f"Unknown variable {getattr(v, 'path', v.name)!r}: the optimizer was built on "
                                 f"{[getattr(w, 'path', w.name) for w in self._trainable_variables]}. "
                                 "Create a new optimizer to train other variables.")
        grads, variables = self._filter_empty_gradients(grads, trainable_variables)
        for g, v in zip(grads, variables):
            if g.shape != v.shape:
                raise ValueError(f"Gradient of shape {g.shape} does not match variable "
                                 f"{getattr(v, 'path', v.name)!r} of shape {v.shape}.")
        grads = self._clip_gradients(grads)
        learning_rate = self._current_learning_rate()
        if self.weight_decay is not None:
            for v in variables:
                if self._use_weight_decay(v):
                    lr, wd = v.dtype.type(learning_rate), v.dtype.type(self.weight_decay)
                    v.data -= v.data * wd * lr          # w <- w - w * wd * lr, before the update
        self._update_all(grads, variables, learning_rate)
        for v in variables:
            if getattr(v, "constraint", None) is not None:
                v.assign(v.constraint(v))
        self._iterations.data += 1
        if int(self._iterations.data) % FLUSH_EVERY == 0:
            self._flush_subnormal_slots()

    def _flush_subnormal_slots(self):
        """Sets slot values too small for a normal float (below ~1e-38 in float32) to 0.

        A slot that decays while its gradient is 0 (s <- rho * s for a weight
        of a dead relu unit) becomes a subnormal number after a few hundred
        steps, and CPUs do arithmetic on those 10-100x slower: an MLP trained
        with RMSprop fell from ~50,000 to ~31,000 samples/s after 10 epochs
        (benchmarks/bench.py's dashboard line). TensorFlow flushes
        them to zero in its CPU kernels; here it is done every FLUSH_EVERY
        steps. The updates cannot tell: epsilon (1e-7) dwarfs such values.
        """
        for slot in self._variables[1:]:
            data = slot.data
            if data.dtype.kind == "f" and data.size > 1:
                data[np.abs(data) < np.finfo(data.dtype).tiny] = 0

    def _update_all(self, grads, variables, learning_rate):
        for g, v in zip(grads, variables):
            self.update_step(g, v, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        """The update rule for one weight; every optimizer defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define update_step(gradient, variable, learning_rate).")

    def _filter_empty_gradients(self, grads, variables):
        kept = [(np.asarray(g.data if isinstance(g, Tensor) else g, dtype=v.dtype), v)
                for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(variables):
            missing = [getattr(v, "path", v.name) for g, v in zip(grads, variables) if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. "
                          "If using `model.compile()`, did you forget to provide a `loss` argument?")
        return [g for g, _ in kept], [v for _, v in kept]

    def _clip_gradients(self, grads):
        """Keras's clipping; returns new arrays (the caller's gradients are left as they were)."""
        if self.clipnorm:
            c = self.clipnorm
            return [g * g.dtype.type(c) / np.maximum(np.sqrt(np.sum(g * g)), g.dtype.type(c)) for g in grads]
        if self.global_clipnorm:
            c = self.global_clipnorm
            norm = math.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads))
            # c * min(1/norm, 1/c) is 1 when norm <= c; NaN/inf norms give NaN, as Keras.
            with np.errstate(divide="ignore"):
                scale = c * min(1 / norm if norm else math.inf, 1 / c) + (norm - norm)
            return [g * g.dtype.type(scale) for g in grads]
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Exempts variables (or those whose name contains one of `var_names`,
        e.g. ["bias"]) from weight decay. Call it before the first step."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_pattern = re.compile("|".join(var_names)) if var_names else None

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        return not (self._exclude_pattern and self._exclude_pattern.search(variable.name))

    def get_config(self):
        from teachnet.saving.serialization import config_from_init  # saving sits above the engine
        lr = self._learning_rate
        return {"name": self.name, "learning_rate": float(lr.data) if isinstance(lr, Variable) else lr,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm,
                **config_from_init(self, skip=("name", "learning_rate", "weight_decay", "clipnorm",
                                               "clipvalue", "global_clipnorm"))}

    @classmethod
    def from_config(cls, config):
        from teachnet.saving.serialization import layer_from_config  # saving sits above the engine
        return layer_from_config(cls, config, extra_arguments=_KERAS_ONLY)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, learning_rate={self._current_learning_rate():g}>"


class SGD(Optimizer):
    """Gradient descent, with optional momentum and Nesterov momentum.

    Algorithm (Keras's form: the velocity already contains the learning rate)::

        given: learning rate lr, momentum mu
        if mu == 0:   w <- w - lr * g
        else:
            v <- mu * v - lr * g                       (v starts at 0)
            w <- w + v                                  (classical momentum)
            w <- w + mu * v - lr * g                    (nesterov=True)

    Args:
        learning_rate: float >= 0 (default 0.01).
        momentum: float in [0, 1] (default 0: plain gradient descent).
        nesterov: whether to use Nesterov momentum.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = _check_number(self, "momentum", momentum, low=0.0, high=1.0)
        self.nesterov = bool(nesterov)

    def build(self, var_list):
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum") if self.momentum else []

    def update_step(self, gradient, variable, learning_rate):
        w = variable.data
        lr, mu = w.dtype.type(learning_rate), w.dtype.type(self.momentum)
        if self.momentum and not self.momentums:  # momentum was switched on after build (e.g. by a slider)
            self.momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")
        v = self.momentums[self._get_variable_index(variable)].data if self.momentum else None

        def rule(g, w, v):
            if v is None:
                w -= g * lr
                return
            v *= mu
            v -= g * lr                        # v <- mu * v - lr * g
            if self.nesterov:
                w += v * mu - g * lr           # look ahead along the velocity
            else:
                w += v
        # Elementwise, so a large weight is updated a piece per thread (teachnet.ops.parallel).
        parallel.elementwise(rule, gradient, w, v)


class RMSprop(Optimizer):
    """Divides the gradient by a running root-mean-square of recent gradients.

    Algorithm (Keras's form: epsilon inside the square root)::

        given: lr, rho, momentum mu, epsilon
        s <- rho * s + (1 - rho) * g^2                 (mean square, starts at 0)
        if centered:
            a <- rho * a + (1 - rho) * g               (mean gradient)
            delta = lr * g / sqrt(s - a^2 + epsilon)
        else:
            delta = lr * g / sqrt(s + epsilon)
        if mu > 0:  b <- mu * b + delta;  w <- w - b
        else:       w <- w - delta

    Args:
        learning_rate: float >= 0 (default 0.001).
        rho: discount of the running averages (default 0.9).
        momentum: float in [0, 1] (default 0).
        epsilon: small constant for numerical stability (default 1e-7).
        centered: normalize by the variance of the gradient instead of its
            second moment.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _check_number(self, "rho", rho, low=0.0, high=1.0)
        self.momentum = _check_number(self, "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = _check_number(self, "epsilon", epsilon, low=0.0)
        self.centered = bool(centered)

    def build(self, var_list):
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = self.add_optimizer_variables(var_list, "momentum") if self.momentum > 0 else []
        self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient") if self.centered else []

    def update_step(self, gradient, variable, learning_rate):
        i, w = self._get_variable_index(variable), variable.data
        lr, rho, eps = (w.dtype.type(x) for x in (learning_rate, self.rho, self.epsilon))
        if self.centered and not self._average_gradients:  # switched on after build
            self._average_gradients = self.add_optimizer_variables(self._trainable_variables, "average_gradient")
        if self.momentum > 0 and not self._momentums:     # switched on after build
            self._momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")
        a = self._average_gradients[i].data if self.centered else None
        b = self._momentums[i].data if self.momentum > 0 else None

        def rule(g, w, s, a, b):
            # In place, reusing one scratch array `tmp`: fresh arrays of a big
            # weight's size cost more than the arithmetic (the order of operations
            # is Keras's, so the results agree to the last bit or so).
            tmp = np.square(g)
            tmp *= 1 - self.rho                        # (1 - rho) in Python floats, as Keras
            s *= rho
            s += tmp                                   # s <- rho * s + (1 - rho) * g^2
            if a is not None:
                a *= rho
                a += (1 - self.rho) * g                # a <- rho * a + (1 - rho) * g
                np.square(a, out=tmp)
                np.subtract(s, tmp, out=tmp)
                tmp += eps                             # s - a^2 + epsilon
            else:
                np.add(s, eps, out=tmp)                # s + epsilon
            np.sqrt(tmp, out=tmp)
            delta = g * lr
            delta /= tmp                               # delta = lr * g / sqrt(...)
            if b is not None:
                b *= w.dtype.type(self.momentum)
                b += delta                             # b <- mu * b + delta
                w -= b
            else:
                w -= delta
        one_minus_rho, mu = w.dtype.type(1 - self.rho), w.dtype.type(self.momentum)

        def loop(g, w, s, a, b):                       # `rule`'s arithmetic, in its order, as one compiled pass
            compiled.rmsprop_step(g, w, s, a, b, lr, rho, one_minus_rho, eps, mu)
        arrays = (gradient, w, self._velocities[i].data, a, b)
        # Elementwise, so a large weight is updated a piece per thread (teachnet.ops.parallel).
        parallel.elementwise(loop if _compiles(*arrays) else rule, *_flat(*arrays))


class Adam(Optimizer):
    """Adam: momentum on the gradient, scaled per element by the running RMS.

    Algorithm (Keras's form: bias corrections folded into the step size, and
    epsilon added to sqrt(v), i.e. "epsilon hat" of the paper)::

        given: lr, beta_1, beta_2, epsilon; m, v start at 0; t = step (from 1)
        m <- m + (g - m) * (1 - beta_1)                = beta_1 m + (1 - beta_1) g
        v <- v + (g^2 - v) * (1 - beta_2)              = beta_2 v + (1 - beta_2) g^2
        if amsgrad:  v_hat <- max(v_hat, v);  v = v_hat
        alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
        w <- w - alpha * m / (sqrt(v) + epsilon)

    Args:
        learning_rate: float >= 0 (default 0.001).
        beta_1: decay of the first moment (default 0.9).
        beta_2: decay of the second moment (default 0.999).
        epsilon: the "epsilon hat" of Kingma and Ba (default 1e-7).
        amsgrad: use the running maximum of v (Reddi et al., 2018).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _check_number(self, "beta_1", beta_1, low=0.0, high=1.0)
        self.beta_2 = _check_number(self, "beta_2", beta_2, low=0.0, high=1.0)
        self.epsilon = _check_number(self, "epsilon", epsilon, low=0.0)
        self.amsgrad = bool(amsgrad)

    def build(self, var_list):
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def update_step(self, gradient, variable, learning_rate):
        i, w = self._get_variable_index(variable), variable.data
        f = w.dtype.type
        lr, beta_1, beta_2, eps = f(learning_rate), f(self.beta_1), f(self.beta_2), f(self.epsilon)
        t = f(int(self._iterations.data) + 1)
        alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        if self.amsgrad and not getattr(self, "_velocity_hats", None):  # switched on after build
            self._velocity_hats = self.add_optimizer_variables(self._trainable_variables, "velocity_hat")
        v_hat = self._velocity_hats[i].data if self.amsgrad else None

        def rule(g, w, m, v, v_hat):
            # In place, reusing one scratch array `tmp` (fresh arrays of a big
            # weight's size cost more than the arithmetic); Keras's order of operations.
            tmp = g - m
            tmp *= 1 - self.beta_1                     # (1 - beta) in Python floats, as Keras
            m += tmp                                   # m <- m + (g - m) * (1 - beta_1)
            np.square(g, out=tmp)
            tmp -= v
            tmp *= 1 - self.beta_2
            v += tmp                                   # v <- v + (g^2 - v) * (1 - beta_2)
            if v_hat is not None:
                np.maximum(v_hat, v, out=v_hat)
                v = v_hat
            np.sqrt(v, out=tmp)
            tmp += eps
            step = m * alpha
            step /= tmp
            w -= step                                  # w <- w - alpha * m / (sqrt(v) + epsilon)
        one_minus_beta_1, one_minus_beta_2 = w.dtype.type(1 - self.beta_1), w.dtype.type(1 - self.beta_2)

        def loop(g, w, m, v, v_hat):                   # `rule`'s arithmetic, in its order, as one compiled pass
            compiled.adam_step(g, w, m, v, v_hat, one_minus_beta_1, one_minus_beta_2, alpha, eps)
        arrays = (gradient, w, self._momentums[i].data, self._velocities[i].data, v_hat)
        # Elementwise, so a large weight is updated a piece per thread (teachnet.ops.parallel).
        parallel.elementwise(loop if _compiles(*arrays) else rule, *_flat(*arrays))


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    Algorithm: before each Adam step, every weight shrinks,
    `w <- w - w * weight_decay * lr`, then the Adam update (see `Adam`) runs.

    Args:
        learning_rate: float >= 0 (default 0.001).
        weight_decay: float (default 0.004, as Keras).
        beta_1, beta_2, epsilon, amsgrad: as `Adam`.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    """Adagrad: each element's step shrinks with the sum of its squared gradients.

    Algorithm::

        given: lr, epsilon; G starts at initial_accumulator_value
        G <- G + g^2
        w <- w - lr * g / sqrt(G + epsilon)

    Args:
        learning_rate: float >= 0 (default 0.001).
        initial_accumulator_value: starting value of G (default 0.1).
        epsilon: small constant for numerical stability (default 1e-7).
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _check_number(self, "initial_accumulator_value",
                                                       initial_accumulator_value, low=0.0)
        self.epsilon = _check_number(self, "epsilon", epsilon, low=0.0)

    def build(self, var_list):
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(var_list, "accumulator",
                                                          initializer=self.initial_accumulator_value)

    def update_step(self, gradient, variable, learning_rate):
        g, w = gradient, variable.data
        lr, eps = w.dtype.type(learning_rate), w.dtype.type(self.epsilon)
        G = self._accumulators[self._get_variable_index(variable)].data
        G += np.square(g)
        w -= lr * g / np.sqrt(G + eps)


class Adamax(Optimizer):
    """Adamax: Adam with the infinity norm in place of the RMS.

    Algorithm::

        given: lr, beta_1, beta_2, epsilon; m, u start at 0; t = step (from 1)
        m <- m + (g - m) * (1 - beta_1)
        u <- max(beta_2 * u, |g|)
        w <- w - lr * m / ((1 - beta_1^t) * (u + epsilon))

    Args:
        learning_rate: float >= 0 (default 0.001).
        beta_1: decay of the first moment (default 0.9).
        beta_2: decay of the infinity norm (default 0.999).
        epsilon: small constant for numerical stability (default 1e-7).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _check_number(self, "beta_1", beta_1, low=0.0, high=1.0)
        self.beta_2 = _check_number(self, "beta_2", beta_2, low=0.0, high=1.0)
        self.epsilon = _check_number(self, "epsilon", epsilon, low=0.0)

    def build(self, var_list):
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient, variable, learning_rate):
        i, g, w = self._get_variable_index(variable), gradient, variable.data
        f = w.dtype.type
        lr, beta_1, beta_2, eps = f(learning_rate), f(self.beta_1), f(self.beta_2), f(self.epsilon)
        t = f(int(self._iterations.data) + 1)
        m, u = self._m[i].data, self._u[i].data
        m += (g - m) * (1 - self.beta_1)
        np.maximum(beta_2 * u, np.abs(g), out=u)
        w -= lr * m / ((1 - beta_1 ** t) * (u + eps))


class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum (Dozat, 2016), with Keras's momentum schedule.

    Algorithm::

        given: lr, beta_1, beta_2, epsilon; m, v start at 0; P starts at 1
        mu_t = beta_1 * (1 - 0.5 * 0.96^t),  mu_{t+1} = beta_1 * (1 - 0.5 * 0.96^(t+1))
        P <- P * mu_t                                  (once per step, shared by all weights)
        m <- m + (g - m) * (1 - beta_1)
        v <- v + (g^2 - v) * (1 - beta_2)
        m_hat = mu_{t+1} * m / (1 - P * mu_{t+1}) + (1 - mu_t) * g / (1 - P)
        v_hat = v / (1 - beta_2^t)
        w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)

    Args:
        learning_rate: float >= 0 (default 0.001).
        beta_1, beta_2, epsilon: as `Adam`.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _check_number(self, "beta_1", beta_1, low=0.0, high=1.0)
        self.beta_2 = _check_number(self, "beta_2", beta_2, low=0.0, high=1.0)
        self.epsilon = _check_number(self, "epsilon", epsilon, low=0.0)

    def build(self, var_list):
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        dtype = var_list[0].dtype if var_list else np.float32
        self._u_product = self._track(Variable(1.0, trainable=False, name="u_product", dtype=dtype))

    def _update_all(self, grads, variables, learning_rate):
        f = self._u_product.dtype.type
        t = f(int(self._iterations.data) + 1)
        self._u_product.data *= f(self.beta_1) * (1 - f(0.5) * f(0.96) ** t)   # P <- P * mu_t
        super()._update_all(grads, variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        i, g, w = self._get_variable_index(variable), gradient, variable.data
        f = w.dtype.type
        lr, beta_1, beta_2, eps = f(learning_rate), f(self.beta_1), f(self.beta_2), f(self.epsilon)
        t = f(int(self._iterations.data) + 1)
        mu_t = beta_1 * (1 - f(0.5) * f(0.96) ** t)
        mu_next = beta_1 * (1 - f(0.5) * f(0.96) ** (t + 1))
        P = f(self._u_product.data)
        P_next = P * mu_next
        m, v = self._momentums[i].data, self._velocities[i].data
        m += (g - m) * (1 - beta_1)
        v += (np.square(g) - v) * (1 - beta_2)
        m_hat = mu_next * m / (1 - P_next) + (1 - mu_t) * g / (1 - P)
        v_hat = v / (1 - beta_2 ** t)
        w -= m_hat * lr / (np.sqrt(v_hat) + eps)


class Adadelta(Optimizer):
    """Adadelta: steps sized by the ratio of running RMS of updates and of gradients.

    Algorithm (Zeiler, 2012; Keras multiplies the step by learning_rate)::

        given: lr, rho, epsilon; E[g^2], E[dw^2] start at 0
        E[g^2] <- rho * E[g^2] + (1 - rho) * g^2
        dw = -sqrt(E[dw^2] + epsilon) / sqrt(E[g^2] + epsilon) * g
        E[dw^2] <- rho * E[dw^2] + (1 - rho) * dw^2
        w <- w + lr * dw

    Args:
        learning_rate: float >= 0 (default 0.001).
        rho: decay rate (default 0.95).
        epsilon: small constant for numerical stability (default 1e-7).
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _check_number(self, "rho", rho, low=0.0, high=1.0)
        self.epsilon = _check_number(self, "epsilon", epsilon, low=0.0)

    def build(self, var_list):
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable, learning_rate):
        i, g, w = self._get_variable_index(variable), gradient, variable.data
        lr, rho, eps = (w.dtype.type(x) for x in (learning_rate, self.rho, self.epsilon))
        Eg2, Edw2 = self._accumulated_grads[i].data, self._accumulated_delta_vars[i].data
        Eg2 *= rho
        Eg2 += (1 - self.rho) * np.square(g)
        dw = -(np.sqrt(Edw2 + eps) * g) / np.sqrt(Eg2 + eps)
        Edw2 *= rho
        Edw2 += (1 - self.rho) * np.square(dw)
        w += lr * dw


_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad,
            "adamax": Adamax, "nadam": Nadam, "adadelta": Adadelta}


def get(identifier):
    """An optimizer from a name ("sgd", "adam", ...; Keras's defaults) or an Optimizer.

    Example:
        >>> get("adam").learning_rate.numpy()
        array(0.001, dtype=float32)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _BY_NAME:
            raise ValueError(f"Unknown optimizer {identifier!r}. Valid names: {sorted(_BY_NAME)}.")
        return _BY_NAME[key]()
    raise TypeError(f"An optimizer must be a name like 'adam' or an Optimizer instance. "
                    f"Received: identifier={identifier!r} of type {type(identifier).__name__}")


def _compiles(*arrays):
    """Whether an update over these arrays (None: a slot not used) runs as a compiled loop (ops/compiled.py):
    numba is there, and they are contiguous, of one float dtype and one size (a compiled loop does not check
    its indices: a shorter array would be written past its end)."""
    given = [a for a in arrays if a is not None]
    return (compiled.enabled_for(*(a.dtype for a in given)) and all(a.flags.c_contiguous for a in given)
            and len({a.size for a in given}) == 1)


def _flat(*arrays):
    """Flat views of contiguous arrays (None stays None); the arrays themselves if any is not contiguous."""
    if all(a is None or a.flags.c_contiguous for a in arrays):
        return [None if a is None else a.reshape(-1) for a in arrays]
    return arrays


def _check_number(optimizer, name, value, low=None, high=None):
    """`value` as a float, or a ValueError naming the optimizer and argument."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and not math.isnan(value)
    if ok and low is not None and value < low:
        ok = False
    if ok and high is not None and value > high:
        ok = False
    if not ok:
        expected = {(0.0, None): "a non-negative float", (0.0, 1.0): "a float in [0, 1]"}.get((low, high), "a float")
        raise ValueError(f"{type(optimizer).__name__}: invalid value for argument `{name}`, expected {expected}. "
                         f"Received: {name}={value!r}")
    return float(value)


def _takes_an_argument(fn):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)
