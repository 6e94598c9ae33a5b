"""BatchNormalization: formula, moving statistics as Keras 3, inference mode,
masks, weights, gradients and errors; parity with keras after a few steps."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import layers
from tests.gradcheck import check_layer_gradients

RNG = np.random.default_rng(0)


def test_training_normalizes_with_batch_statistics_and_updates_moving_ones():
    x = RNG.normal(loc=3.0, scale=2.0, size=(16, 4)).astype("float32")
    bn = layers.BatchNormalization(momentum=0.9)
    y = bn(x, training=True).numpy()
    mean, var = x.mean(axis=0), x.var(axis=0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)


def test_inference_uses_the_moving_statistics_and_changes_nothing():
    bn = layers.BatchNormalization(epsilon=0.01)
    x = RNG.normal(size=(5, 3)).astype("float32")
    bn(x)
    bn.set_weights([np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.0, -0.5]),
                    np.array([0.1, 0.2, 0.3]), np.array([4.0, 1.0, 0.25])])
    y = bn(x).numpy()
    expected = np.array([1.0, 2.0, 3.0]) * (x - [0.1, 0.2, 0.3]) / np.sqrt(np.array([4.0, 1.0, 0.25]) + 0.01) \
        + [0.5, 0.0, -0.5]
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.float32([0.1, 0.2, 0.3]))
    bn.trainable = False                                         # frozen: inference mode even when training
    np.testing.assert_allclose(bn(x, training=True).numpy(), y)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.float32([0.1, 0.2, 0.3]))


def test_weights_in_keras_order_and_trainability():
    bn = layers.BatchNormalization()
    bn(np.zeros((2, 5), "float32"))
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in bn.non_trainable_weights] == ["moving_mean", "moving_variance"]
    plain = layers.BatchNormalization(center=False, scale=False)
    plain(np.zeros((2, 5), "float32"))
    assert [w.name for w in plain.weights] == ["moving_mean", "moving_variance"]


def test_axis_1_normalizes_channels_first_images():
    x = RNG.normal(size=(4, 3, 5, 5)).astype("float32") * [[[[1.0]], [[5.0]], [[0.1]]]]
    bn = layers.BatchNormalization(axis=1)
    y = bn(x, training=True).numpy()
    assert bn.gamma.shape == (3,)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), x.var(axis=(0, 2, 3)) / (x.var(axis=(0, 2, 3)) + 1e-3),
                               rtol=1e-4)


def test_mask_leaves_padded_positions_out_of_the_statistics():
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 0]], bool)
    bn = layers.BatchNormalization(momentum=0.0)
    bn(x, training=True, mask=mask)
    np.testing.assert_allclose(bn.moving_mean.numpy(), x[mask].mean(axis=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), x[mask].var(axis=0), rtol=1e-4)
    with pytest.raises(ValueError, match="one dimension less"):
        bn(x, training=True, mask=np.ones((2, 4, 3), bool))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("axis,shape", [(-1, (5, 3)), (1, (3, 2, 4)), (-1, (2, 3, 2))])
def test_gradients_match_central_differences(training, axis, shape):
    bn = layers.BatchNormalization(axis=axis, dtype="float64")
    x = RNG.normal(size=shape)
    bn(x)
    for w in bn.weights:
        w.assign(RNG.uniform(0.5, 1.5, size=w.shape))
    bn.momentum = 1.0   # keep the moving statistics fixed while the check calls the layer many times
    check_layer_gradients(bn, x, training=training)


def test_bad_arguments_and_shapes():
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):
        layers.BatchNormalization(axis=2)(np.zeros((3, 4), "float32"))
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum=1.5)
    bn = layers.BatchNormalization(name="bn")
    bn(np.zeros((3, 4), "float32"))
    with pytest.raises(ValueError, match=r'"bn".*axis 1 of input shape to have value 4.*\(3, 5\)'):
        bn(np.zeros((3, 5), "float32"))


def test_moving_statistics_match_keras_after_training_steps():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras 3 is needed for parity tests")
    k_bn, o_bn = keras.layers.BatchNormalization(momentum=0.8), layers.BatchNormalization(momentum=0.8)
    batches = [RNG.normal(loc=i, scale=1 + i, size=(8, 3)).astype("float32") for i in range(4)]
    k_bn(batches[0])
    o_bn(batches[0])
    o_bn.set_weights(k_bn.get_weights())
    for b in batches:
        np.testing.assert_allclose(o_bn(b, training=True).numpy(),
                                   keras.ops.convert_to_numpy(k_bn(b, training=True)), rtol=1e-4, atol=1e-4)
    for k, o in zip(k_bn.get_weights(), o_bn.get_weights()):
        np.testing.assert_allclose(o, k, rtol=1e-5, atol=1e-6)
    test = RNG.normal(size=(5, 3)).astype("float32")
    np.testing.assert_allclose(o_bn(test).numpy(), keras.ops.convert_to_numpy(k_bn(test)), rtol=1e-5, atol=1e-6)


def test_moving_statistics_and_weights_match_keras_after_a_short_fit():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras", reason="keras 3 is needed for parity tests")
    x = RNG.normal(loc=2.0, scale=3.0, size=(48, 5)).astype("float32")
    y = (x[:, :1] > 2.0).astype("float32")
    k_model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                                keras.layers.Dense(1, activation="sigmoid")])
    o_model = teachnet.Sequential([teachnet.Input(shape=(5,)), layers.Dense(4), layers.BatchNormalization(),
                                   layers.Dense(1, activation="sigmoid")])
    o_model.set_weights(k_model.get_weights())
    k_model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    o_model.compile(optimizer=teachnet.optimizers.SGD(0.1), loss="binary_crossentropy")
    k_hist = k_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    o_hist = o_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(o_hist.history["loss"], k_hist.history["loss"], rtol=1e-4)
    bn_k, bn_o = k_model.layers[1], o_model.layers[1]
    for name, k, o in zip(["gamma", "beta", "moving_mean", "moving_variance"], bn_k.get_weights(), bn_o.get_weights()):
        np.testing.assert_allclose(o, k, rtol=1e-4, atol=1e-5, err_msg=name)
    np.testing.assert_allclose(o_model.predict(x, verbose=0), k_model.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
