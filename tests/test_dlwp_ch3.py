"""The listings of Deep Learning with Python (2nd ed.), chapter 3, run with teachnet.

Each test is a listing as printed in the book, with `tf.*` / `keras.*` swapped
for their teachnet names (tf.Variable -> teachnet.Variable, tf.GradientTape
-> teachnet.GradientTape, tf.matmul/square/reduce_mean/nn.relu -> ops.matmul/
square/mean/relu, tf.random.* -> teachnet.random.*, tf.zeros/ones ->
ops.zeros/ones, keras -> teachnet), then assertions on what the book shows.
Seeds are set so the numbers are repeatable. Two listings are left out:
`v[0, 0].assign(3.)` (sliced assignment of a variable) and the nested tapes
that compute a second derivative (teachnet computes first-order gradients).
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import teachnet  # noqa: E402
from teachnet import ops  # noqa: E402

keras = teachnet  # the book's `from tensorflow import keras`

@pytest.fixture(autouse=True)
def seeds():
    np.random.seed(0)
    teachnet.random.set_seed(0)
    yield
    plt.close("all")


def two_gaussian_clouds():
    """Listing 3.13-3.15: two classes of points in 2D."""
    num_samples_per_class = 1000
    negative_samples = np.random.multivariate_normal(
        mean=[0, 3], cov=[[1, 0.5], [0.5, 1]], size=num_samples_per_class)
    positive_samples = np.random.multivariate_normal(
        mean=[3, 0], cov=[[1, 0.5], [0.5, 1]], size=num_samples_per_class)
    inputs = np.vstack((negative_samples, positive_samples)).astype(np.float32)
    targets = np.vstack((np.zeros((num_samples_per_class, 1), dtype="float32"),
                         np.ones((num_samples_per_class, 1), dtype="float32")))
    return inputs, targets


def test_tensors_and_variables():
    # Listings 3.1-3.4
    x = ops.ones(shape=(2, 1))
    assert x.shape == (2, 1) and float(ops.sum(x)) == 2.0
    x = ops.zeros(shape=(2, 1))
    x = teachnet.random.normal(shape=(3, 1), mean=0., stddev=1.)
    assert x.shape == (3, 1) and x.dtype == np.float32
    x = teachnet.random.uniform(shape=(3, 1), minval=0., maxval=1.)
    assert 0 <= float(ops.min(x)) and float(ops.max(x)) < 1
    # Listings 3.5-3.8
    x = np.ones(shape=(2, 2))
    x[0, 0] = 0.
    v = teachnet.Variable(initial_value=teachnet.random.normal(shape=(3, 1)))
    v.assign(ops.ones((3, 1)))
    v.assign_add(ops.ones((3, 1)))
    np.testing.assert_array_equal(v.numpy(), np.full((3, 1), 2.0))
    # Listing 3.9: a few basic math operations
    a = ops.ones((2, 2))
    b = ops.square(a)
    c = ops.sqrt(a)
    d = b + c
    e = ops.matmul(a, b)
    e *= d
    np.testing.assert_array_equal(np.asarray(e), np.full((2, 2), 4.0))


def test_gradient_tape():
    # Listing 3.10
    input_var = teachnet.Variable(initial_value=3.)
    with teachnet.GradientTape() as tape:
        result = ops.square(input_var)
    gradient = tape.gradient(result, input_var)
    assert float(gradient) == 6.0
    # Listing 3.11: constants must be watched
    input_const = ops.convert_to_tensor(3.)
    with teachnet.GradientTape() as tape:
        tape.watch(input_const)
        result = ops.square(input_const)
    gradient = tape.gradient(result, input_const)
    assert float(gradient) == 6.0


def test_linear_classifier_from_scratch():
    inputs, targets = two_gaussian_clouds()
    plt.scatter(inputs[:, 0], inputs[:, 1], c=targets[:, 0])
    plt.show()
    # Listings 3.16-3.20
    input_dim = 2
    output_dim = 1
    W = teachnet.Variable(initial_value=teachnet.random.uniform(shape=(input_dim, output_dim)))
    b = teachnet.Variable(initial_value=ops.zeros(shape=(output_dim,)))

    def model(inputs):
        return ops.matmul(inputs, W) + b

    def square_loss(targets, predictions):
        per_sample_losses = ops.square(targets - predictions)
        return ops.mean(per_sample_losses)

    learning_rate = 0.1

    def training_step(inputs, targets):
        with teachnet.GradientTape() as tape:
            predictions = model(inputs)
            loss = square_loss(targets, predictions)
        grad_loss_wrt_W, grad_loss_wrt_b = tape.gradient(loss, [W, b])
        W.assign_sub(grad_loss_wrt_W * learning_rate)
        b.assign_sub(grad_loss_wrt_b * learning_rate)
        return loss

    losses = []
    for step in range(40):
        loss = training_step(inputs, targets)
        print(f"Loss at step {step}: {loss:.4f}")
        losses.append(float(loss))
    assert losses[-1] < 0.05 < losses[0]
    predictions = model(inputs)
    plt.scatter(inputs[:, 0], inputs[:, 1], c=predictions[:, 0] > 0.5)
    plt.show()
    x = np.linspace(-1, 4, 100)
    y = - W[0] / W[1] * x + (0.5 - b) / W[1]
    plt.plot(x, y, "-r")
    plt.scatter(inputs[:, 0], inputs[:, 1], c=predictions[:, 0] > 0.5)
    accuracy = np.mean((np.asarray(predictions) > 0.5) == (targets > 0.5))
    assert accuracy > 0.97
    assert np.asarray(y).shape == (100,)


def test_simple_dense_and_automatic_shape_inference():
    # Listing 3.22: a Dense layer implemented as a Layer subclass
    class SimpleDense(keras.layers.Layer):

        def __init__(self, units, activation=None):
            super().__init__()
            self.units = units
            self.activation = activation

        def build(self, input_shape):
            input_dim = input_shape[-1]
            self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            y = ops.matmul(inputs, self.W) + self.b
            if self.activation is not None:
                y = self.activation(y)
            return y

    my_dense = SimpleDense(units=32, activation=ops.relu)
    input_tensor = ops.ones(shape=(2, 784))
    output_tensor = my_dense(input_tensor)
    print(output_tensor.shape)
    assert output_tensor.shape == (2, 32) and my_dense.W.shape == (784, 32)
    assert float(ops.min(output_tensor)) >= 0.0

    from teachnet import layers
    layer = layers.Dense(32, activation="relu")
    assert layer.units == 32

    from teachnet import models
    model = models.Sequential([
        layers.Dense(32, activation="relu"),
        layers.Dense(32),
    ])
    assert not model.built
    model = keras.Sequential([
        SimpleDense(32, activation="relu"),
        SimpleDense(64, activation="relu"),
        SimpleDense(32, activation="relu"),
        SimpleDense(10, activation="softmax"),
    ])
    assert len(model.layers) == 4


def test_compile_fit_history_validation_evaluate_predict():
    inputs, targets = two_gaussian_clouds()
    # Listing 3.23: compile with strings ...
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="rmsprop",
                  loss="mean_squared_error",
                  metrics=["accuracy"])
    # ... or with objects
    model.compile(optimizer=keras.optimizers.RMSprop(),
                  loss=keras.losses.MeanSquaredError(),
                  metrics=[keras.metrics.BinaryAccuracy()])
    # Listing 3.24: fit
    history = model.fit(
        inputs,
        targets,
        epochs=5,
        batch_size=128,
        verbose=0,
    )
    # Listing 3.25
    assert list(history.history) == ["binary_accuracy", "loss"]
    assert len(history.history["loss"]) == 5
    assert history.history["loss"][-1] < history.history["loss"][0]

    # Listing 3.26: validation_data from a shuffled hold-out
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
                  loss=keras.losses.MeanSquaredError(),
                  metrics=[keras.metrics.BinaryAccuracy()])

    indices_permutation = np.random.permutation(len(inputs))
    shuffled_inputs = inputs[indices_permutation]
    shuffled_targets = targets[indices_permutation]

    num_validation_samples = int(0.3 * len(inputs))
    val_inputs = shuffled_inputs[:num_validation_samples]
    val_targets = shuffled_targets[:num_validation_samples]
    training_inputs = shuffled_inputs[num_validation_samples:]
    training_targets = shuffled_targets[num_validation_samples:]
    history = model.fit(
        training_inputs,
        training_targets,
        epochs=5,
        batch_size=16,
        validation_data=(val_inputs, val_targets),
        verbose=0,
    )
    assert list(history.history) == ["binary_accuracy", "loss", "val_binary_accuracy", "val_loss"]
    assert history.history["val_binary_accuracy"][-1] > 0.9
    assert history.history["val_loss"][-1] < 0.15

    loss_and_metrics = model.evaluate(val_inputs, val_targets, batch_size=128, verbose=0)
    assert len(loss_and_metrics) == 2
    assert loss_and_metrics[0] == pytest.approx(history.history["val_loss"][-1], rel=1e-5)

    # Inference: calling the model, and predict() in batches
    predictions = model(val_inputs[:10])
    assert predictions.shape == (10, 1)
    predictions = model.predict(val_inputs, batch_size=128, verbose=0)
    print(predictions[:10])
    assert predictions.shape == (600, 1)
    assert np.mean((predictions > 0.5) == (val_targets > 0.5)) > 0.9

    # The learning curves, as the chapter plots them
    plt.plot(history.epoch, history.history["loss"], label="training")
    plt.plot(history.epoch, history.history["val_loss"], label="validation")
    plt.legend()
