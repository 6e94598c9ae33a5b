"""Numerical gradient checks: the tape's gradients against central differences.

For a function f of tensors, the tape computes d(target)/d(input) by the chain
rule. Central differences compute the same number from the definition,

    d(target)/d(x_i) ~ (target(x_i + eps) - target(x_i - eps)) / (2 * eps),

one input element at a time. In float64 with eps = 1e-6 the two agree to about
1e-8 for smooth functions, so any larger gap is a bug in a backward function.

The target is sum(f(...) * R) with R a fixed random weighting: every output
element gets a different weight, so a backward that mixes up elements (a
wrong transpose, a missing broadcast) cannot hide behind a plain sum.

    check_gradients(lambda a, b: ops.matmul(a, b), a, b)
    check_layer_gradients(layers.Dense(3, dtype="float64"), x)
"""
import numpy as np

from teachnet import ops
from teachnet.autodiff import GradientTape, Tensor, Variable


def check_gradients(f, *arrays, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0):
    """Checks the tape gradients of `f` w.r.t. every input against central differences.

    Args:
        f: maps teachnet tensors (float64 Variables made from `arrays`) to a
            tensor, or to a list/tuple of tensors.
        *arrays: the input values (converted to float64).
        eps: the finite-difference step.
        atol, rtol: an element passes when |tape - numeric| <= atol + rtol * |numeric|.
        seed: seeds the random weighting R.

    Returns:
        The largest absolute difference found (for information).

    Raises:
        AssertionError naming the worst element when any element fails.
    """
    variables = [Variable(np.array(a, dtype=np.float64), dtype="float64", name=f"input_{i}")
                 for i, a in enumerate(arrays)]
    names = [f"input {i}" for i in range(len(variables))]
    return _check(lambda: f(*variables), variables, names, eps, atol, rtol, seed)


def check_layer_gradients(layer, inputs, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0, check_inputs=True,
                          **call_kwargs):
    """Checks a layer's gradients w.r.t. its inputs AND every trainable weight.

    Args:
        layer: a layer created with `dtype="float64"` (built here if needed).
        inputs: an array, or a list of arrays for layers taking several inputs.
        check_inputs: False for inputs that are not differentiable (token ids
            of an Embedding): they are passed as given and only the weights
            are checked.
        **call_kwargs: passed to the layer call (e.g. `training=True`).

    Returns:
        The largest absolute difference found.
    """
    if np.dtype(layer.dtype) != np.float64:
        raise AssertionError(f'Layer "{layer.name}" has dtype {layer.dtype}; create it with dtype="float64" '
                             "so that central differences are accurate.")
    several = isinstance(inputs, (list, tuple))
    arrays = list(inputs) if several else [inputs]
    if check_inputs:
        xs = [Variable(np.array(a, dtype=np.float64), dtype="float64", name=f"input_{i}")
              for i, a in enumerate(arrays)]
    else:
        xs = [np.asarray(a) for a in arrays]

    def call():
        return layer(list(xs) if several else xs[0], **call_kwargs)
    call()  # builds the layer, so its weights exist
    weights = list(layer.trainable_weights)
    for w in weights:
        if w.dtype != np.float64:
            raise AssertionError(f"Weight {getattr(w, 'path', w.name)} has dtype {w.dtype}; expected float64.")
    checked = xs if check_inputs else []
    names = [f"input {i}" for i in range(len(checked))] + [f"weight {getattr(w, 'path', w.name)}" for w in weights]
    if not checked + weights:
        raise AssertionError(f'Layer "{layer.name}" has nothing to check: no trainable weights and check_inputs=False.')
    return _check(call, checked + weights, names, eps, atol, rtol, seed)


def _check(f, variables, names, eps, atol, rtol, seed):
    rng = np.random.default_rng(seed)
    weighting = {}  # output index -> R, drawn once so every evaluation uses the same R

    def target():
        out = f()
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        total = None
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                raise AssertionError(f"f must return teachnet tensors; output {i} is {type(o).__name__}.")
            if o.dtype != np.float64:
                raise AssertionError(f"Output {i} has dtype {o.dtype}; a gradient check needs float64.")
            if i not in weighting:
                weighting[i] = rng.standard_normal(o.shape)
            term = ops.sum(ops.multiply(o, weighting[i]))
            total = term if total is None else ops.add(total, term)
        return total

    with GradientTape() as tape:
        tape.watch(variables)
        value = target()
    analytic = tape.gradient(value, variables)

    worst = (0.0, None)  # (excess over tolerance, message)
    largest = 0.0
    for v, name, g in zip(variables, names, analytic):
        g = np.zeros(v.shape) if g is None else np.asarray(g, dtype=np.float64)
        if g.shape != v.shape:
            raise AssertionError(f"Gradient for {name} has shape {g.shape}; expected {v.shape}.")
        numeric = np.zeros(v.shape)
        for idx in np.ndindex(*v.shape):
            original = v.data[idx]
            v.data[idx] = original + eps
            up = float(target())
            v.data[idx] = original - eps
            down = float(target())
            v.data[idx] = original
            numeric[idx] = (up - down) / (2 * eps)
        diff = np.abs(g - numeric)
        largest = max(largest, float(diff.max(initial=0.0)))
        excess = diff - (atol + rtol * np.abs(numeric))
        if excess.size and excess.max() > worst[0]:
            i = np.unravel_index(np.argmax(excess), excess.shape)
            worst = (float(excess.max()),
                     f"{name} (shape {v.shape}) at index {tuple(int(k) for k in i)}: tape gradient "
                     f"{g[i]:.10g}, central difference {numeric[i]:.10g}, |difference| {diff[i]:.3g} "
                     f"> atol + rtol*|numeric| = {atol + rtol * abs(numeric[i]):.3g}")
    if worst[1] is not None:
        raise AssertionError("Gradient check failed. Worst mismatch: " + worst[1])
    return largest
