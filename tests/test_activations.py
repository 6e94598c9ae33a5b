"""Activations: values against Keras 3, gradients against central differences,
and `get`."""
import os

import numpy as np
import pytest

from teachnet import GradientTape, Tensor, Variable, activations, ops
from tests.gradcheck import check_gradients

# keras's own torch Variables trip numpy 2's __array__ deprecation; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword")

# Points away from every kink (0, +-3, 6, thresholds used below).
X = np.array([[-4.2, -2.5, -1.1, -0.35, 0.4], [1.3, 2.7, 3.6, 5.2, 7.1]])

CASES = {
    "relu": {}, "leaky_relu": {}, "relu6": {}, "elu": {}, "selu": {}, "softplus": {}, "softsign": {},
    "silu": {}, "swish": {}, "hard_silu": {}, "hard_swish": {}, "tanh": {}, "sigmoid": {},
    "hard_sigmoid": {}, "exponential": {}, "mish": {}, "softmax": {}, "log_softmax": {}, "linear": {},
    "gelu": {}, "celu": {}, "glu": {"axis": 0}, "hard_tanh": {}, "log_sigmoid": {},
}
VARIANTS = [
    ("relu", {"negative_slope": 0.1}),
    ("relu", {"max_value": 5.0}),
    ("relu", {"threshold": 1.0}),
    ("relu", {"negative_slope": 0.3, "max_value": 3.0, "threshold": 0.5}),
    ("leaky_relu", {"negative_slope": 0.05}),
    ("elu", {"alpha": 0.5}),
    ("softmax", {"axis": 0}),
    ("log_softmax", {"axis": 0}),
    ("gelu", {"approximate": True}),
    ("celu", {"alpha": 0.5}),
]
ALL = list(CASES.items()) + VARIANTS


def test_required_activations_exist():
    required = ["relu", "sigmoid", "tanh", "softmax", "linear", "elu", "softplus", "softsign", "selu",
                "leaky_relu", "relu6", "silu", "swish", "hard_sigmoid", "exponential"]
    assert all(callable(getattr(activations, n)) for n in required)
    assert set(CASES) == set(activations.__all__) - {"get"}


@pytest.mark.parametrize("name,kwargs", ALL, ids=lambda v: str(v))
def test_gradient(name, kwargs):
    fn = getattr(activations, name)
    if name == "linear":  # the identity returns its input itself: gradient 1
        check_gradients(lambda x: fn(x) * 1.0, X)
    else:
        check_gradients(lambda x: fn(x, **kwargs), X)


@pytest.mark.parametrize("name,kwargs", ALL, ids=lambda v: str(v))
def test_values_match_keras(name, kwargs):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras is needed for parity tests")
    expected = np.asarray(keras.ops.convert_to_numpy(getattr(keras.activations, name)(X.astype("float32"), **kwargs)))
    got = getattr(activations, name)(Tensor(X.astype("float32")), **kwargs)
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6, atol=1e-6)


def test_relu_docstring_examples():
    x = [-10.0, -5.0, 0.0, 5.0, 10.0]
    np.testing.assert_allclose(activations.relu(x).numpy(), [0, 0, 0, 5, 10])
    np.testing.assert_allclose(activations.relu(x, negative_slope=0.5).numpy(), [-5, -2.5, 0, 5, 10])
    np.testing.assert_allclose(activations.relu(x, max_value=5.0).numpy(), [0, 0, 0, 5, 5])
    np.testing.assert_allclose(activations.relu(x, threshold=5.0).numpy(), [0, 0, 0, 0, 10])


def test_softmax_and_sigmoid_remember_their_logits():
    logits = Tensor(np.array([[1.0, 2.0, 3.0]]))
    assert activations.softmax(logits)._keras_logits is logits
    assert activations.sigmoid(logits)._keras_logits is logits
    np.testing.assert_allclose(activations.softmax(logits).numpy().sum(), 1.0)


def test_gradient_flows_through_an_activation_by_name():
    w = Variable(np.array([0.5, -0.5]), dtype="float64")
    with GradientTape() as tape:
        y = ops.sum(activations.get("tanh")(w))
    np.testing.assert_allclose(tape.gradient(y, w).numpy(), 1 - np.tanh([0.5, -0.5]) ** 2)


def test_get():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    custom = lambda x: x * 2  # noqa: E731
    assert activations.get(custom) is custom
    assert activations.get(activations.tanh) is activations.tanh


def test_get_errors_list_the_valid_names():
    with pytest.raises(ValueError, match=r"Unknown activation function 'rellu'. Valid names: \[.*'relu'.*'tanh'"):
        activations.get("rellu")
    with pytest.raises(TypeError, match="activation must be a name, a callable or None. Received: identifier=3"):
        activations.get(3)
