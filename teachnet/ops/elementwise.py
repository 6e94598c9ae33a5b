"""More elementwise math with `keras.ops` names: trigonometry, hyperbolic
functions, erf, and arithmetic that Keras code reaches for (mod,
logaddexp, divide_no_nan, ...).

Same pattern as `core.py`: the numpy result, its backward right below (the
derivative written out, times g), then `record`. Tests, rounding and
comparisons have no useful gradient and return plain Tensors.
"""
import math

import numpy as np

from teachnet.autodiff import Tensor, record
from teachnet.ops.core import _pair, _shape_error, convert_to_tensor, divide, multiply, negative, subtract

__all__ = [
    "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
    "expm1", "exp2", "reciprocal", "cbrt", "erf", "logaddexp", "hypot", "mod", "divide_no_nan",
    "nan_to_num", "true_divide", "floor_divide", "trunc", "isinf", "isclose", "allclose", "logical_xor",
    "signbit", "deg2rad", "rad2deg", "logaddexp2", "fmod", "erfc", "sinc", "isneginf", "isposinf",
]


def _binary(op, fn, x1, x2):
    """Converts two operands and computes fn on their values, naming the op and
    both shapes when they do not broadcast."""
    a, b = _pair(x1, x2)
    try:
        return a, b, fn(a.data, b.data)
    except ValueError:
        raise _shape_error(op, a, b) from None


# ---------------------------------------------------------------------------
# Trigonometric and hyperbolic functions
# ---------------------------------------------------------------------------

def tan(x):
    x = convert_to_tensor(x)
    out = np.tan(x.data)

    def backward(g):
        return (g * (1 + out * out),)        # d tan = 1 / cos^2 = 1 + tan^2
    return record("tan", out, (x,), backward)


def arcsin(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g / np.sqrt(1 - x.data * x.data),)
    return record("arcsin", np.arcsin(x.data), (x,), backward)


def arccos(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (-g / np.sqrt(1 - x.data * x.data),)
    return record("arccos", np.arccos(x.data), (x,), backward)


def arctan(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g / (1 + x.data * x.data),)
    return record("arctan", np.arctan(x.data), (x,), backward)


def arctan2(x1, x2):
    """The angle of the point (x2, x1), in (-pi, pi]: arctan(x1 / x2) in the right quadrant."""
    a, b, out = _binary("arctan2", np.arctan2, x1, x2)

    def backward(g):
        r2 = a.data * a.data + b.data * b.data
        return g * b.data / r2, -g * a.data / r2
    return record("arctan2", out, (a, b), backward)


def sinh(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.cosh(x.data),)
    return record("sinh", np.sinh(x.data), (x,), backward)


def cosh(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.sinh(x.data),)
    return record("cosh", np.cosh(x.data), (x,), backward)


def arcsinh(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g / np.sqrt(x.data * x.data + 1),)
    return record("arcsinh", np.arcsinh(x.data), (x,), backward)


def arccosh(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g / np.sqrt(x.data * x.data - 1),)
    return record("arccosh", np.arccosh(x.data), (x,), backward)


def arctanh(x):
    x = convert_to_tensor(x)

    def backward(g):
        return (g / (1 - x.data * x.data),)
    return record("arctanh", np.arctanh(x.data), (x,), backward)


# ---------------------------------------------------------------------------
# Exponentials, powers and erf
# ---------------------------------------------------------------------------

def expm1(x):
    """exp(x) - 1, accurate for small x."""
    x = convert_to_tensor(x)
    out = np.expm1(x.data)

    def backward(g):
        return (g * (out + 1),)
    return record("expm1", out, (x,), backward)


def exp2(x):
    """2 ** x."""
    x = convert_to_tensor(x)
    out = np.exp2(x.data)

    def backward(g):
        return (g * out * np.log(2).astype(out.dtype),)
    return record("exp2", out, (x,), backward)


def reciprocal(x):
    """1 / x."""
    x = convert_to_tensor(x)
    out = np.reciprocal(x.data)

    def backward(g):
        return (-g * out * out,)
    return record("reciprocal", out, (x,), backward)


def cbrt(x):
    """The real cube root (negative for negative x)."""
    x = convert_to_tensor(x)
    out = np.cbrt(x.data)

    def backward(g):
        return (g / (3 * out * out),)
    return record("cbrt", out, (x,), backward)


# numpy has no erf; math.erf is exact to float64 and applied entry by entry.
# Slow for big arrays (ops.erf on a million float32 entries: 0.4 s best of 5 with
# `python -m timeit` on a shared 2-core machine), fine for lesson-sized models;
# ops.gelu's default tanh approximation does not use it.
_erf = np.vectorize(math.erf, otypes=[np.float64])


def erf(x):
    """The error function, 2 / sqrt(pi) * integral from 0 to x of exp(-t^2) dt.

    Backward: d erf / dx = 2 / sqrt(pi) * exp(-x^2)."""
    x = convert_to_tensor(x)
    out = _erf(x.data).astype(x.dtype if x.dtype.kind == "f" else np.float32)

    def backward(g):
        return (g * (2 / math.sqrt(math.pi)) * np.exp(-x.data * x.data),)
    return record("erf", out, (x,), backward)


def erfc(x):
    """1 - erf(x)."""
    return subtract(1.0, erf(x))


def sinc(x):
    """sin(pi x) / (pi x), and 1 at x = 0 (numpy's normalized sinc).

    Backward: (cos(pi x) - sinc(x)) / x, and 0 at x = 0."""
    x = convert_to_tensor(x)
    out = np.sinc(x.data)
    zero = x.data == 0
    safe = np.where(zero, 1, x.data)

    def backward(g):
        return (g * np.where(zero, 0, (np.cos(np.pi * x.data) - out) / safe),)
    return record("sinc", out, (x,), backward)


def deg2rad(x):
    """Degrees to radians: x * pi / 180."""
    return multiply(x, math.pi / 180)


def rad2deg(x):
    """Radians to degrees: x * 180 / pi."""
    return multiply(x, 180 / math.pi)


def logaddexp(x1, x2):
    """log(exp(x1) + exp(x2)) without overflow.

    Backward: the weights exp(x1 - out) and exp(x2 - out), a softmax of the two."""
    a, b, out = _binary("logaddexp", np.logaddexp, x1, x2)

    def backward(g):
        return g * np.exp(a.data - out), g * np.exp(b.data - out)
    return record("logaddexp", out, (a, b), backward)


def logaddexp2(x1, x2):
    """log2(2^x1 + 2^x2): logaddexp in base 2."""
    ln2 = math.log(2)
    return divide(logaddexp(multiply(x1, ln2), multiply(x2, ln2)), ln2)


def hypot(x1, x2):
    """sqrt(x1^2 + x2^2), without overflow."""
    a, b, out = _binary("hypot", np.hypot, x1, x2)

    def backward(g):
        return g * a.data / out, g * b.data / out
    return record("hypot", out, (a, b), backward)


# ---------------------------------------------------------------------------
# Division and remainders
# ---------------------------------------------------------------------------

def mod(x1, x2):
    """The remainder x1 - floor(x1 / x2) * x2, with the sign of x2 (numpy's and Keras's rule)."""
    a, b, out = _binary("mod", np.mod, x1, x2)

    def backward(g):
        return g, -g * np.floor(a.data / b.data)
    return record("mod", out, (a, b), backward)


def fmod(x1, x2):
    """The remainder x1 - trunc(x1 / x2) * x2, with the sign of x1 (C's fmod; `mod` takes x2's sign)."""
    a, b, out = _binary("fmod", np.fmod, x1, x2)

    def backward(g):
        return g, -g * np.trunc(a.data / b.data)
    return record("fmod", out, (a, b), backward)


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 is 0 (instead of inf or nan)."""
    a, b, _ = _binary("divide_no_nan", np.broadcast, x1, x2)  # only checks that the shapes broadcast
    zero = b.data == 0
    safe = np.where(zero, 1, b.data).astype(b.dtype, copy=False)
    out = np.where(zero, 0, a.data / safe)

    def backward(g):
        return np.where(zero, 0, g / safe), np.where(zero, 0, -g * a.data / (safe * safe))
    return record("divide_no_nan", out, (a, b), backward)


def true_divide(x1, x2):
    """Another name of `divide`."""
    return divide(x1, x2)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with nan, +inf and -inf replaced (by 0 and the largest finite numbers by default);
    the gradient passes where x was finite."""
    x = convert_to_tensor(x)
    finite = np.isfinite(x.data)

    def backward(g):
        return (g * finite,)
    return record("nan_to_num", np.nan_to_num(x.data, nan=nan, posinf=posinf, neginf=neginf), (x,), backward)


def floor_divide(x1, x2):
    """floor(x1 / x2): a step function, no gradient."""
    return Tensor(_binary("floor_divide", np.floor_divide, x1, x2)[2])


def trunc(x):
    """Rounds towards zero; no gradient."""
    return Tensor(np.trunc(convert_to_tensor(x).data))


# ---------------------------------------------------------------------------
# Tests (no gradient)
# ---------------------------------------------------------------------------

def isinf(x):
    return Tensor(np.isinf(convert_to_tensor(x).data))


def isneginf(x):
    return Tensor(np.isneginf(convert_to_tensor(x).data))


def isposinf(x):
    return Tensor(np.isposinf(convert_to_tensor(x).data))


def signbit(x):
    """True where the sign bit is set (negative numbers and -0.0)."""
    return Tensor(np.signbit(convert_to_tensor(x).data))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """|x1 - x2| <= atol + rtol * |x2|, entry by entry."""
    return Tensor(_binary("isclose", lambda a, b: np.isclose(a, b, rtol, atol, equal_nan), x1, x2)[2])


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether `isclose` holds everywhere."""
    return Tensor(np.all(isclose(x1, x2, rtol, atol, equal_nan).data))


def logical_xor(x1, x2):
    return Tensor(_binary("logical_xor", np.logical_xor, x1, x2)[2])
