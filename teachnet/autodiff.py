"""Reverse-mode automatic differentiation over numpy arrays.

Three objects do all the work:

- `Tensor` wraps a numpy array. Every op in `teachnet.ops` takes tensors (or
  anything numpy understands) and returns a new `Tensor`.
- `Variable` is a `Tensor` whose value can change (`assign`, `assign_sub`, ...):
  the weights of a layer.
- `GradientTape` records the ops that run inside its `with` block. Each recorded
  op remembers its inputs and a `backward` function, so `tape.gradient(loss,
  weights)` can walk the record backwards applying the chain rule.

Outside a tape nothing is recorded, so inference costs no bookkeeping. Only
first-order gradients are computed: the backward functions work on plain numpy
arrays, which keeps them short enough to read next to their forward pass.
"""
import weakref

import numpy as np

_ACTIVE_TAPES = []  # the tapes whose `with` block is running, innermost last
# The tape whose `with` block ended last (a weak reference: it does not keep the
# tape alive). Ops run afterwards on what it recorded mark their outputs, so
# that `tape.gradient` on a loss computed after the block can say so.
_LAST_EXITED = None


def _conversion_error(value):
    """The ValueError for data numpy cannot turn into one array (rows of different lengths)."""
    lengths = sorted({len(v) for v in value if hasattr(v, "__len__")}) if isinstance(value, (list, tuple)) else []
    return ValueError(f"Cannot convert a nested list with rows of different lengths {lengths} to a tensor: "
                      "every row must have the same length (pad short rows first, e.g. with 0).")


def floatx_of(value):
    """The dtype a new tensor gets: float32 unless numpy data says otherwise."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.dtype
    try:
        array = np.asarray(value)
    except ValueError:
        raise _conversion_error(value) from None
    # Python floats and lists become float32 (as tf.constant and keras do);
    # Python ints stay integer.
    return np.float32 if array.dtype == np.float64 else array.dtype


class Tensor:
    """An immutable n-dimensional array that remembers the op that made it.

    Tensors mix with numpy arrays and Python numbers on either side of every
    operator, convert with `np.asarray(t)` or `t.numpy()`, and format like the
    number they hold (`f"{loss:.4f}"`, `float(loss)`).
    """

    __array_priority__ = 1000
    # Set on a layer's output when its steps are masked (True = use this step):
    # Keras's attribute, read by the next layers, the losses and the metrics.
    _keras_mask = None
    _after_tape = None  # see record(): the name of the tape whose tensors this was computed from, too late

    def __init__(self, value, dtype=None):
        if isinstance(value, Tensor):
            value = value.numpy()  # a Variable gives a copy: a snapshot of the weight
        if dtype is None:
            dtype = floatx_of(value)
        try:
            self.data = np.asarray(value, dtype=dtype)
        except ValueError:
            if isinstance(value, (list, tuple)):
                raise _conversion_error(value) from None
            raise
        self._node = None  # set by a tape: (op name, inputs, backward)

    # -- what a tensor looks like ------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def numpy(self):
        """The value as a numpy array."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.data, dtype=dtype, copy=True)
        if dtype is not None:
            return self.numpy().astype(dtype, copy=False)
        return self.numpy()

    def __repr__(self):
        return (f"<{type(self).__name__} shape={self.shape}, dtype={self.dtype}, "
                f"numpy=\n{np.array2string(self.data)}>" if self.ndim else
                f"<{type(self).__name__} shape=(), dtype={self.dtype}, numpy={self.data!r}>")

    def __str__(self):
        return str(self.data)

    def __format__(self, spec):
        return format(self.data.item() if self.ndim == 0 else self.data, spec)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __bool__(self):
        return bool(self.data)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor (a scalar) is undefined.")
        return len(self.data)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("Cannot iterate over a 0-d tensor (a scalar).")
        return (self[i] for i in range(len(self)))

    __hash__ = object.__hash__  # tensors are dictionary keys by identity

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """numpy's hook for ufuncs with a tensor among the operands.

        `array - tensor` reaches numpy first, which calls `np.subtract` and so
        this hook: operators become the teachnet op (recorded by tapes, as
        `tensor - array` is). Any other ufunc (`np.exp(v)`, `np.tanh(x)`)
        would compute outside the GradientTape, so it is refused, naming the
        `teachnet.ops` function to use instead."""
        if method == "__call__" and not kwargs and ufunc.__name__ in _OPERATOR_UFUNCS:
            return getattr(_ops(), ufunc.__name__)(*inputs)
        return NotImplemented if _ufunc_advice(ufunc, method, inputs) is None else _refuse_ufunc(ufunc, method, inputs)

    # -- operators: each is one op from teachnet.ops ----------------------------
    def __add__(self, other): return _ops().add(self, other)
    def __radd__(self, other): return _ops().add(other, self)
    def __sub__(self, other): return _ops().subtract(self, other)
    def __rsub__(self, other): return _ops().subtract(other, self)
    def __mul__(self, other): return _ops().multiply(self, other)
    def __rmul__(self, other): return _ops().multiply(other, self)
    def __truediv__(self, other): return _ops().divide(self, other)
    def __rtruediv__(self, other): return _ops().divide(other, self)
    def __matmul__(self, other): return _ops().matmul(self, other)
    def __rmatmul__(self, other): return _ops().matmul(other, self)
    def __pow__(self, other): return _ops().power(self, other)
    def __rpow__(self, other): return _ops().power(other, self)
    def __neg__(self): return _ops().negative(self)
    def __pos__(self): return self
    def __abs__(self): return _ops().abs(self)
    def __getitem__(self, index): return _ops().getitem(self, index)

    # Comparisons give boolean tensors and are not differentiable.
    def __eq__(self, other): return _ops().equal(self, other)
    def __ne__(self, other): return _ops().not_equal(self, other)
    def __lt__(self, other): return _ops().less(self, other)
    def __le__(self, other): return _ops().less_equal(self, other)
    def __gt__(self, other): return _ops().greater(self, other)
    def __ge__(self, other): return _ops().greater_equal(self, other)

    @property
    def T(self):
        return _ops().transpose(self)

    def reshape(self, *shape):
        return _ops().reshape(self, shape[0] if len(shape) == 1 else shape)


def _ops():
    # ops imports this module, so the operators look it up when first used.
    from teachnet import ops
    return ops


# The ufuncs numpy calls for an operator with an array on the left (`array - tensor`).
_OPERATOR_UFUNCS = {"add", "subtract", "multiply", "divide", "power", "matmul", "equal", "not_equal", "less",
                    "less_equal", "greater", "greater_equal"}
# numpy's spelling -> teachnet.ops's, where they differ (np.add.reduce is what np.sum calls).
_UFUNC_TO_OP = {("add", "reduce"): "sum", ("multiply", "reduce"): "prod", ("maximum", "reduce"): "max",
                ("minimum", "reduce"): "min", ("absolute", "__call__"): "abs", ("true_divide", "__call__"): "divide"}


def _ufunc_advice(ufunc, method, inputs):
    """The teachnet.ops name to use instead of numpy's ufunc (None when ops has none)."""
    name = _UFUNC_TO_OP.get((ufunc.__name__, method), ufunc.__name__ if method == "__call__" else None)
    return name if name is not None and hasattr(_ops(), name) else None


def _refuse_ufunc(ufunc, method, inputs):
    name = _ufunc_advice(ufunc, method, inputs)
    spelled = f"np.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
    tensor = next(x for x in inputs if isinstance(x, Tensor))
    what = f"Variable '{tensor.name}'" if isinstance(tensor, Variable) else "Tensor"
    raise TypeError(
        f"{spelled} was applied to a teachnet {what} of shape {tensor.shape}. Numpy functions leave the "
        f"GradientTape: no gradient would flow through them. Use teachnet.ops.{name}(...) instead (the same "
        f"name: `from teachnet import ops; ops.{name}(x)`), or np.asarray(x) when you only want the numbers. "
        f"Received: {spelled}({', '.join(type(x).__name__ for x in inputs)}).")


class Variable(Tensor):
    """A tensor whose value changes during training: a weight.

    Args:
        initial_value: array-like, a Tensor, or a callable returning one.
        trainable: whether optimizers update it and tapes watch it.
        name: a name shown in summaries and error messages.
        dtype: defaults to float32 for floating and Python values (as Keras).

    Example:
        >>> v = teachnet.Variable(np.zeros((2, 1)))
        >>> v.assign_add(np.ones((2, 1)))
    """

    def __init__(self, initial_value, trainable=True, name=None, dtype=None):
        if callable(initial_value):
            initial_value = initial_value()
        if isinstance(initial_value, Tensor):
            initial_value = initial_value.data
        try:
            value = np.asarray(initial_value)
        except ValueError:
            raise _conversion_error(initial_value) from None
        if dtype is None:
            dtype = np.float32 if value.dtype.kind in "fiub" else value.dtype
        super().__init__(np.array(value, dtype=dtype))  # own copy
        self.trainable = bool(trainable)
        self.name = name or "variable"

    def numpy(self):
        """A copy of the current value (later assignments do not change it)."""
        return self.data.copy()

    def __repr__(self):
        return (f"<Variable '{self.name}' shape={self.shape}, dtype={self.dtype}, "
                f"numpy=\n{np.array2string(self.data)}>")

    def _checked(self, value, what):
        value = np.asarray(value.data if isinstance(value, Tensor) else value)
        if value.shape != self.shape:
            try:
                value = np.broadcast_to(value, self.shape)
            except ValueError:
                raise ValueError(
                    f"Cannot {what} a value of shape {value.shape} to variable "
                    f"'{self.name}' of shape {self.shape}.") from None
        return value

    def assign(self, value):
        """Sets the value in place: `v.assign(new_value)`."""
        self.data[...] = self._checked(value, "assign")
        return self

    def assign_add(self, delta):
        """`v += delta`, in place."""
        self.data += self._checked(delta, "add")
        return self

    def assign_sub(self, delta):
        """`v -= delta`, in place."""
        self.data -= self._checked(delta, "subtract")
        return self


class Node:
    """What a tape remembers about one op: its name, inputs and backward."""

    __slots__ = ("op", "inputs", "backward")

    def __init__(self, op, inputs, backward):
        self.op, self.inputs, self.backward = op, inputs, backward


def record(op, value, inputs, backward):
    """Wraps an op's numpy result in a Tensor and, when a tape is recording
    and some input is being watched, remembers how to differentiate it.

    `backward(grad)` receives the gradient of the final target with respect to
    this op's output and returns one gradient per input (None where an input
    is not differentiable). Broadcasting is undone by the tape. It should
    return new arrays (or views), never an array the op keeps.
    """
    if isinstance(value, np.ndarray) and value.base is not None and any(isinstance(x, Variable) for x in inputs):
        # A view of a weight (w[0], w.T, reshape) would change when the optimizer
        # updates the weight in place; a tensor is a snapshot, so copy.
        value = value.copy()
    out = Tensor(value, dtype=value.dtype if isinstance(value, np.ndarray) else None)
    if _ACTIVE_TAPES:
        for tape in _ACTIVE_TAPES:
            if any(tape._is_tracked(x) for x in inputs):
                out._node = Node(op, inputs, backward)
                tape._record(out)
    elif _LAST_EXITED is not None:
        tape = _LAST_EXITED()
        if tape is not None and any(isinstance(x, Tensor) and (id(x) in tape._recorded or x._after_tape == tape.name)
                                    for x in inputs):
            out._after_tape = tape.name  # computed from the tape's tensors after its `with` block (a name: no
            #                              reference that would keep the tape's recorded graph alive)
    return out


def needs_gradient(x):
    """Whether a running tape will want the gradient with respect to `x`.

    Ops with costly backward work (matmul, convolutions) check it while
    recording, to skip the gradient of constants such as the input batch.
    """
    return any(tape._is_tracked(x) for tape in _ACTIVE_TAPES)


def unbroadcast(grad, shape):
    """Sums `grad` down to `shape`: the backward pass of numpy broadcasting."""
    if grad.shape == shape:
        return grad
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape)))) if grad.ndim > len(shape) else grad
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


class GradientTape:
    """Records ops so that gradients can be computed afterwards.

    Trainable variables used inside the block are watched automatically;
    constants are watched with `tape.watch(x)`.

    Example:
        >>> w = teachnet.Variable(3.0)
        >>> with teachnet.GradientTape() as tape:
        ...     y = teachnet.ops.square(w)
        >>> float(tape.gradient(y, w))
        6.0

    `tape.operations` lists what was recorded (op name, input shapes, output
    shape), so a lesson can show the graph that backpropagation walks.
    """

    _count = 0  # tapes made so far: names them "gradient_tape", "gradient_tape_1", ...

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = persistent
        self.watch_accessed_variables = watch_accessed_variables
        self._watched = {}   # id -> tensor (kept alive so ids stay unique)
        self._recorded = {}  # id -> output tensor of a recorded op
        self._used = False
        self._entered = False
        n = GradientTape._count
        GradientTape._count += 1
        self.name = "gradient_tape" if n == 0 else f"gradient_tape_{n}"

    def __enter__(self):
        global _LAST_EXITED
        if _LAST_EXITED is not None and _LAST_EXITED() is self:
            _LAST_EXITED = None
        self._entered = True
        _ACTIVE_TAPES.append(self)
        return self

    def __exit__(self, *exc):
        global _LAST_EXITED
        _ACTIVE_TAPES.remove(self)
        _LAST_EXITED = weakref.ref(self)
        return False

    def __repr__(self):
        return f"<GradientTape '{self.name}', {len(self._recorded)} ops recorded>"

    def watch(self, tensor):
        """Asks the tape to track `tensor` (or a list of tensors)."""
        for t in tensor if isinstance(tensor, (list, tuple)) else [tensor]:
            if not isinstance(t, Tensor):
                raise TypeError(f"GradientTape.watch expects teachnet tensors. Received: {type(t).__name__}. "
                                "Convert it first with teachnet.ops.convert_to_tensor.")
            self._watched[id(t)] = t

    def _is_tracked(self, x):
        if not isinstance(x, Tensor):
            return False
        i = id(x)
        if i in self._recorded or i in self._watched:
            return True
        return self.watch_accessed_variables and isinstance(x, Variable) and x.trainable

    def _record(self, out):
        self._recorded[id(out)] = out

    @property
    def operations(self):
        """The recorded ops in execution order: a list of
        `(op name, input shapes, output shape)` tuples."""
        return [(t._node.op, [tuple(np.shape(x)) for x in t._node.inputs], t.shape)
                for t in self._recorded.values()]

    def watched_variables(self):
        seen = {}
        for t in self._recorded.values():
            for x in t._node.inputs:
                if isinstance(x, Variable) and self._is_tracked(x):
                    seen[id(x)] = x
        return list(seen.values())

    def gradient(self, target, sources, output_gradients=None):
        """The gradient of `target` with respect to each of `sources`.

        Args:
            target: a Tensor, usually a scalar loss. A non-scalar target is
                summed first (as TensorFlow does).
            sources: a Tensor, or a list, tuple or dict of them.
            output_gradients: optional gradient to start from instead of ones.

        Returns:
            Gradients with the structure of `sources`; None for a source the
            target does not depend on.
        """
        if not self._entered:
            raise RuntimeError(
                f"GradientTape '{self.name}'.gradient() was called, but the tape never recorded: it was not "
                "entered with `with`. Received: a tape created but never used as a context manager. Write "
                "`with teachnet.GradientTape() as tape:` and compute the loss inside the block, then call "
                "tape.gradient(loss, weights) after it.")
        if self._used and not self.persistent:
            raise RuntimeError(
                f"GradientTape '{self.name}' is not persistent: it can compute only one set of gradients, and "
                "gradient() was already called on it. Received: a second call of gradient(). Ask for all "
                "the gradients in one call (tape.gradient(loss, [w1, w2])), or make the tape with "
                "GradientTape(persistent=True) to call gradient() several times.")
        self._used = True
        if isinstance(sources, dict):
            flat = list(sources.values())
        elif isinstance(sources, (list, tuple)):
            flat = list(sources)
        else:
            flat = [sources]
        for i, s in enumerate(flat):
            if not isinstance(s, Tensor):
                raise TypeError(
                    f"tape.gradient sources must be teachnet Variables or tensors the tape watched. Received: "
                    f"a source of type {type(s).__name__}" + (f" (source {i})" if len(flat) > 1 else "") + ". "
                    "A numpy array is not on the tape: make it a teachnet.Variable before the `with` block "
                    "(or convert it with teachnet.ops.convert_to_tensor and call tape.watch on it inside the "
                    "block, before computing with it).")
            if not isinstance(s, Variable) and not self._is_tracked(s):
                raise ValueError(
                    f"Source {i} of tape.gradient, a Tensor of shape {s.shape}, is a constant that "
                    f"GradientTape '{self.name}' did not watch, so it has no gradient. Received: an unwatched "
                    "Tensor. Call tape.watch(x) inside the `with` block before computing with x, or make it "
                    "a teachnet.Variable (tapes watch trainable variables by themselves).")
        if isinstance(target, Tensor) and target._after_tape == self.name and id(target) not in self._recorded:
            raise RuntimeError(
                f"The target of tape.gradient was computed after the `with` block of GradientTape "
                f"'{self.name}' ended: the tape stops recording there, so it cannot differentiate it. "
                f"Received: a target of shape {target.shape} computed from the tape's results outside the "
                "block. Move the computation of the loss inside the `with` block.")
        grads = self._backprop(target, output_gradients)
        flat_grads, handed_out = [], set()
        for s in flat:
            g = grads.get(id(s))
            if g is None:
                flat_grads.append(None)
                continue
            # Each gradient gets its own writable array, since the caller may update
            # it in place: backward functions may return read-only broadcast views,
            # or one array for two inputs (add). Fresh arrays are not copied.
            if g.dtype != s.dtype or not g.flags.writeable or not g.flags.owndata or id(g) in handed_out:
                g = np.array(g, dtype=s.dtype)
            handed_out.add(id(g))
            flat_grads.append(Tensor(g))
        if isinstance(sources, dict):
            return dict(zip(sources.keys(), flat_grads))
        if isinstance(sources, (list, tuple)):
            return type(sources)(flat_grads)
        return flat_grads[0]

    def _backprop(self, target, output_gradients):
        if not isinstance(target, Tensor):
            raise TypeError(f"tape.gradient target must be a teachnet Tensor. "
                            f"Received: {type(target).__name__}")
        # Topological order of the recorded graph that leads to the target.
        order, visited, stack = [], set(), [(target, False)]
        while stack:
            t, expanded = stack.pop()
            if expanded:
                order.append(t)
                continue
            if id(t) in visited:
                continue
            visited.add(id(t))
            stack.append((t, True))
            if id(t) in self._recorded:
                for x in t._node.inputs:
                    if isinstance(x, Tensor) and id(x) not in visited:
                        stack.append((x, False))
        if output_gradients is None:
            seed = np.ones(target.shape, dtype=target.dtype)
        else:
            seed = np.asarray(output_gradients, dtype=target.dtype)
        grads = {id(target): seed}
        for t in reversed(order):  # outputs before the inputs that made them
            g = grads.get(id(t))
            if g is None or id(t) not in self._recorded:
                continue
            node = t._node
            for x, gx in zip(node.inputs, node.backward(g)):
                if gx is None or not self._is_tracked(x):
                    continue
                gx = unbroadcast(np.asarray(gx), x.shape)
                if id(x) in grads:
                    grads[id(x)] = grads[id(x)] + gx  # a value used twice: gradients add up
                else:
                    grads[id(x)] = gx
        return grads
