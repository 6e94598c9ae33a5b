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
from teachnet.ops.core import _pair, _shape_error, convert_to_tensor, divide, multiply, subtract

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
    """The tangent of every entry (in radians).

    Formula:
        out = tan(x); the gradient is 1 + tan(x)^2 = 1 / cos(x)^2.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.tan([0.0, np.pi / 4]))
        [0. 1.]
    """
    x = convert_to_tensor(x)
    out = np.tan(x.data)

    def backward(g):
        return (g * (1 + out * out),)        # d tan = 1 / cos^2 = 1 + tan^2
    return record("tan", out, (x,), backward)


def arcsin(x):
    """The inverse sine of every entry, in [-pi/2, pi/2].

    Formula:
        out = arcsin(x); the gradient is 1 / sqrt(1 - x^2).

    Args:
        x: a tensor of any shape, with values in [-1, 1].

    Example:
        >>> print(ops.arcsin([0.0, 1.0]))
        [0.        1.5707964]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g / np.sqrt(1 - x.data * x.data),)
    return record("arcsin", np.arcsin(x.data), (x,), backward)


def arccos(x):
    """The inverse cosine of every entry, in [0, pi].

    Formula:
        out = arccos(x); the gradient is -1 / sqrt(1 - x^2).

    Args:
        x: a tensor of any shape, with values in [-1, 1].

    Example:
        >>> print(ops.arccos([1.0, -1.0]))
        [0.        3.1415927]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (-g / np.sqrt(1 - x.data * x.data),)
    return record("arccos", np.arccos(x.data), (x,), backward)


def arctan(x):
    """The inverse tangent of every entry, in (-pi/2, pi/2).

    Formula:
        out = arctan(x); the gradient is 1 / (1 + x^2).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.arctan([0.0, 1.0]))
        [0.        0.7853982]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g / (1 + x.data * x.data),)
    return record("arctan", np.arctan(x.data), (x,), backward)


def arctan2(x1, x2):
    """The angle of the point (x2, x1), in (-pi, pi]: arctan(x1 / x2) in the right quadrant.

    Formula:
        out = atan2(x1, x2); d/dx1 = x2 / (x1^2 + x2^2), d/dx2 = -x1 / (x1^2 + x2^2).

    Args:
        x1: the y coordinates.
        x2: the x coordinates; a shape that broadcasts with x1.

    Example:
        >>> print(ops.arctan2([1.0, -1.0], [0.0, 0.0]))
        [ 1.5707964 -1.5707964]
    """
    a, b, out = _binary("arctan2", np.arctan2, x1, x2)

    def backward(g):
        r2 = a.data * a.data + b.data * b.data
        return g * b.data / r2, -g * a.data / r2
    return record("arctan2", out, (a, b), backward)


def sinh(x):
    """The hyperbolic sine of every entry.

    Formula:
        out = (e^x - e^-x) / 2; the gradient is cosh(x).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.sinh([0.0]))
        [0.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.cosh(x.data),)
    return record("sinh", np.sinh(x.data), (x,), backward)


def cosh(x):
    """The hyperbolic cosine of every entry.

    Formula:
        out = (e^x + e^-x) / 2; the gradient is sinh(x).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.cosh([0.0]))
        [1.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g * np.sinh(x.data),)
    return record("cosh", np.cosh(x.data), (x,), backward)


def arcsinh(x):
    """The inverse hyperbolic sine of every entry.

    Formula:
        out = ln(x + sqrt(x^2 + 1)); the gradient is 1 / sqrt(x^2 + 1).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.arcsinh([0.0]))
        [0.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g / np.sqrt(x.data * x.data + 1),)
    return record("arcsinh", np.arcsinh(x.data), (x,), backward)


def arccosh(x):
    """The inverse hyperbolic cosine of every entry.

    Formula:
        out = ln(x + sqrt(x^2 - 1)); the gradient is 1 / sqrt(x^2 - 1).

    Args:
        x: a tensor of any shape, with values >= 1.

    Example:
        >>> print(ops.arccosh([1.0]))
        [0.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g / np.sqrt(x.data * x.data - 1),)
    return record("arccosh", np.arccosh(x.data), (x,), backward)


def arctanh(x):
    """The inverse hyperbolic tangent of every entry.

    Formula:
        out = ln((1 + x) / (1 - x)) / 2; the gradient is 1 / (1 - x^2).

    Args:
        x: a tensor of any shape, with values in (-1, 1).

    Example:
        >>> print(ops.arctanh([0.0]))
        [0.]
    """
    x = convert_to_tensor(x)

    def backward(g):
        return (g / (1 - x.data * x.data),)
    return record("arctanh", np.arctanh(x.data), (x,), backward)


# ---------------------------------------------------------------------------
# Exponentials, powers and erf
# ---------------------------------------------------------------------------

def expm1(x):
    """exp(x) - 1, accurate for small x.

    Formula:
        out = e^x - 1; the gradient is e^x.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.expm1([0.0, 1e-10]))
        [0.e+00 1.e-10]
    """
    x = convert_to_tensor(x)
    out = np.expm1(x.data)

    def backward(g):
        return (g * (out + 1),)
    return record("expm1", out, (x,), backward)


def exp2(x):
    """2 to the power of every entry.

    Formula:
        out = 2^x; the gradient is 2^x * ln 2.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.exp2([0.0, 3.0]))
        [1. 8.]
    """
    x = convert_to_tensor(x)
    out = np.exp2(x.data)

    def backward(g):
        return (g * out * np.log(2).astype(out.dtype),)
    return record("exp2", out, (x,), backward)


def reciprocal(x):
    """One over every entry.

    Formula:
        out = 1 / x; the gradient is -1 / x^2.

    Args:
        x: a tensor of any shape, non-zero.

    Example:
        >>> print(ops.reciprocal([2.0, 4.0]))
        [0.5  0.25]
    """
    x = convert_to_tensor(x)
    out = np.reciprocal(x.data)

    def backward(g):
        return (-g * out * out,)
    return record("reciprocal", out, (x,), backward)


def cbrt(x):
    """The real cube root of every entry (negative for negative x).

    Formula:
        out = x^(1/3); the gradient is 1 / (3 out^2).

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.cbrt([8.0, -1.0]))
        [ 2. -1.]
    """
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

    Formula:
        Backward: d erf / dx = 2 / sqrt(pi) * exp(-x^2).

    Args:
        x: a tensor of any shape (integers give float32).

    Example:
        >>> print(ops.erf([0.0, 10.0]))
        [0. 1.]
    """
    x = convert_to_tensor(x)
    out = _erf(x.data).astype(x.dtype if x.dtype.kind == "f" else np.float32)

    def backward(g):
        return (g * (2 / math.sqrt(math.pi)) * np.exp(-x.data * x.data),)
    return record("erf", out, (x,), backward)


def erfc(x):
    """The complementary error function, 1 - erf(x).

    Formula:
        out = 1 - erf(x)

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.erfc([0.0]))
        [1.]
    """
    return subtract(1.0, erf(x))


def sinc(x):
    """sin(pi x) / (pi x), and 1 at x = 0 (numpy's normalized sinc).

    Formula:
        Backward: (cos(pi x) - sinc(x)) / x, and 0 at x = 0.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.sinc([0.0, 0.5]))
        [1.         0.63661975]
    """
    x = convert_to_tensor(x)
    out = np.sinc(x.data)
    zero = x.data == 0
    safe = np.where(zero, 1, x.data)

    def backward(g):
        return (g * np.where(zero, 0, (np.cos(np.pi * x.data) - out) / safe),)
    return record("sinc", out, (x,), backward)


def deg2rad(x):
    """Degrees to radians.

    Formula:
        out = x * pi / 180

    Args:
        x: a tensor of angles in degrees.

    Example:
        >>> print(ops.deg2rad([180.0]))
        [3.1415927]
    """
    return multiply(x, math.pi / 180)


def rad2deg(x):
    """Radians to degrees.

    Formula:
        out = x * 180 / pi

    Args:
        x: a tensor of angles in radians.

    Example:
        >>> print(ops.rad2deg([np.pi]))
        [180.]
    """
    return multiply(x, 180 / math.pi)


def logaddexp(x1, x2):
    """log(exp(x1) + exp(x2)) without overflow.

    Formula:
        Backward: the weights exp(x1 - out) and exp(x2 - out), a softmax of the two.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.logaddexp([1000.0], [1000.0]))
        [1000.6932]
    """
    a, b, out = _binary("logaddexp", np.logaddexp, x1, x2)

    def backward(g):
        return g * np.exp(a.data - out), g * np.exp(b.data - out)
    return record("logaddexp", out, (a, b), backward)


def logaddexp2(x1, x2):
    """log2(2^x1 + 2^x2): logaddexp in base 2.

    Formula:
        out = logaddexp(x1 ln 2, x2 ln 2) / ln 2

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.logaddexp2([3.0], [3.0]))
        [4.]
    """
    ln2 = math.log(2)
    return divide(logaddexp(multiply(x1, ln2), multiply(x2, ln2)), ln2)


def hypot(x1, x2):
    """sqrt(x1^2 + x2^2), without overflow.

    Formula:
        out = sqrt(x1^2 + x2^2); the gradients are x1 / out and x2 / out.

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.hypot([3.0], [4.0]))
        [5.]
    """
    a, b, out = _binary("hypot", np.hypot, x1, x2)

    def backward(g):
        return g * a.data / out, g * b.data / out
    return record("hypot", out, (a, b), backward)


# ---------------------------------------------------------------------------
# Division and remainders
# ---------------------------------------------------------------------------

def mod(x1, x2):
    """The remainder x1 - floor(x1 / x2) * x2, with the sign of x2 (numpy's and Keras's rule).

    Formula:
        out = x1 - floor(x1 / x2) * x2; the gradients are g and -g * floor(x1 / x2).

    Args:
        x1: the dividends.
        x2: the divisors; a shape that broadcasts with x1.

    Example:
        >>> print(ops.mod([5.0, -5.0], 3.0))
        [2. 1.]
    """
    a, b, out = _binary("mod", np.mod, x1, x2)

    def backward(g):
        return g, -g * np.floor(a.data / b.data)
    return record("mod", out, (a, b), backward)


def fmod(x1, x2):
    """The remainder x1 - trunc(x1 / x2) * x2, with the sign of x1 (C's fmod; `mod` takes x2's sign).

    Formula:
        out = x1 - trunc(x1 / x2) * x2; the gradients are g and -g * trunc(x1 / x2).

    Args:
        x1: the dividends.
        x2: the divisors; a shape that broadcasts with x1.

    Example:
        >>> print(ops.fmod([5.0, -5.0], 3.0))
        [ 2. -2.]
    """
    a, b, out = _binary("fmod", np.fmod, x1, x2)

    def backward(g):
        return g, -g * np.trunc(a.data / b.data)
    return record("fmod", out, (a, b), backward)


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 is 0 (instead of inf or nan); the gradient is 0 there too.

    Formula:
        out = x1 / x2 where x2 != 0, else 0

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.divide_no_nan([1.0, 1.0], [2.0, 0.0]))
        [0.5 0. ]
    """
    a, b, _ = _binary("divide_no_nan", np.broadcast, x1, x2)  # only checks that the shapes broadcast
    zero = b.data == 0
    safe = np.where(zero, 1, b.data).astype(b.dtype, copy=False)
    out = np.where(zero, 0, a.data / safe)

    def backward(g):
        return np.where(zero, 0, g / safe), np.where(zero, 0, -g * a.data / (safe * safe))
    return record("divide_no_nan", out, (a, b), backward)


def true_divide(x1, x2):
    """Divides `x1` by `x2` element by element: another name of `divide`.

    Formula:
        out = x1 / x2

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.true_divide([3.0], [2.0]))
        [1.5]
    """
    return divide(x1, x2)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """x with nan, +inf and -inf replaced (by 0 and the largest finite numbers by default).

    The gradient passes where x was finite and is 0 where a value was replaced.

    Args:
        x: a tensor of any shape.
        nan: the value for nan.
        posinf: the value for +inf (the dtype's largest number when None).
        neginf: the value for -inf (the dtype's most negative number when None).

    Example:
        >>> print(ops.nan_to_num([np.nan, 1.0, np.inf], posinf=9.0))
        [0. 1. 9.]
    """
    x = convert_to_tensor(x)
    finite = np.isfinite(x.data)

    def backward(g):
        return (g * finite,)
    return record("nan_to_num", np.nan_to_num(x.data, nan=nan, posinf=posinf, neginf=neginf), (x,), backward)


def floor_divide(x1, x2):
    """floor(x1 / x2) element by element: a step function, no gradient.

    Formula:
        out = floor(x1 / x2)

    Args:
        x1, x2: tensors whose shapes broadcast together.

    Example:
        >>> print(ops.floor_divide([7.0, -7.0], 2.0))
        [ 3. -4.]
    """
    return Tensor(_binary("floor_divide", np.floor_divide, x1, x2)[2])


def trunc(x):
    """Rounds every entry towards zero; no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.trunc([1.7, -1.7]))
        [ 1. -1.]
    """
    return Tensor(np.trunc(convert_to_tensor(x).data))


# ---------------------------------------------------------------------------
# Tests (no gradient)
# ---------------------------------------------------------------------------

def isinf(x):
    """Whether each entry is +inf or -inf; no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.isinf([1.0, np.inf, -np.inf]))
        [False  True  True]
    """
    return Tensor(np.isinf(convert_to_tensor(x).data))


def isneginf(x):
    """Whether each entry is -inf; no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.isneginf([1.0, np.inf, -np.inf]))
        [False False  True]
    """
    return Tensor(np.isneginf(convert_to_tensor(x).data))


def isposinf(x):
    """Whether each entry is +inf; no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.isposinf([1.0, np.inf, -np.inf]))
        [False  True False]
    """
    return Tensor(np.isposinf(convert_to_tensor(x).data))


def signbit(x):
    """True where the sign bit is set (negative numbers and -0.0); no gradient.

    Args:
        x: a tensor of any shape.

    Example:
        >>> print(ops.signbit([-1.0, -0.0, 0.0]))
        [ True  True False]
    """
    return Tensor(np.signbit(convert_to_tensor(x).data))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether x1 and x2 are close, entry by entry; no gradient.

    Formula:
        out = |x1 - x2| <= atol + rtol * |x2|

    Args:
        x1, x2: tensors whose shapes broadcast together.
        rtol: the relative tolerance.
        atol: the absolute tolerance.
        equal_nan: count nan == nan as close.

    Example:
        >>> print(ops.isclose([1.0, 1.0], [1.0 + 1e-9, 1.1]))
        [ True False]
    """
    return Tensor(_binary("isclose", lambda a, b: np.isclose(a, b, rtol, atol, equal_nan), x1, x2)[2])


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether `isclose` holds for every entry: a single boolean.

    Formula:
        out = all(|x1 - x2| <= atol + rtol * |x2|)

    Args:
        x1, x2: tensors whose shapes broadcast together.
        rtol: the relative tolerance.
        atol: the absolute tolerance.
        equal_nan: count nan == nan as close.

    Example:
        >>> print(ops.allclose([1.0, 2.0], [1.0, 2.0 + 1e-9]))
        True
    """
    return Tensor(np.all(isclose(x1, x2, rtol, atol, equal_nan).data))


def logical_xor(x1, x2):
    """x1 xor x2 (exactly one is true), element by element; no gradient.

    Args:
        x1, x2: tensors (non-zero is true) whose shapes broadcast together.

    Example:
        >>> print(ops.logical_xor([True, True], [True, False]))
        [False  True]
    """
    return Tensor(_binary("logical_xor", np.logical_xor, x1, x2)[2])
