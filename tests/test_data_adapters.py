"""Data that is not one array (teachnet/models/data.py): generators, iterables and
`PyDataset`s of batches through fit / evaluate / predict and as validation data, plain
Python lists wherever an array works, class_weight forms, and the errors for batches of
the wrong structure (they name the batch index and what was expected)."""
import math
import warnings

import numpy as np
import pytest

import teachnet
from teachnet import layers, utils


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x[:, :1] - x[:, 1:2] > 0).astype("float32")
    return x, y


def model(seed=0, **compile_kwargs):
    teachnet.utils.set_random_seed(seed)
    m = teachnet.Sequential([teachnet.Input((3,)), layers.Dense(4, activation="relu"),
                             layers.Dense(1, activation="sigmoid")])
    m.compile(compile_kwargs.pop("optimizer", "sgd"), "binary_crossentropy", metrics=["accuracy"], **compile_kwargs)
    return m


def batches_of(x, y, size, sample_weight=None):
    for i in range(0, len(x), size):
        rows = slice(i, i + size)
        yield (x[rows], y[rows]) if sample_weight is None else (x[rows], y[rows], sample_weight[rows])


class Batches(utils.PyDataset):
    """The PyDataset of Keras's docstring, counting its epochs."""

    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.epochs_ended = 0
        self.asked = []

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        self.asked.append(index)
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def fit_arrays(x, y, **kwargs):
    m = model()
    history = m.fit(x, y, batch_size=10, shuffle=False, verbose=0, **kwargs)
    return m, history.history


def assert_same_training(a, b):
    (model_a, history_a), (model_b, history_b) = a, b
    assert history_a.keys() == history_b.keys()
    for key in history_a:
        assert history_a[key] == pytest.approx(history_b[key], rel=1e-6), key
    for wa, wb in zip(model_a.get_weights(), model_b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)


def test_a_generator_trains_as_the_same_batches_of_arrays_do():
    x, y = data()
    expected = fit_arrays(x, y, epochs=1)
    m = model()
    history = m.fit(batches_of(x, y, 10), epochs=1, verbose=0)
    assert_same_training(expected, (m, history.history))


def test_an_endless_generator_with_steps_per_epoch_continues_across_epochs():
    x, y = data()

    def endless():
        while True:
            yield from batches_of(x, y, 10)
    expected = fit_arrays(x, y, epochs=2, steps_per_epoch=4)
    m = model()
    history = m.fit(endless(), epochs=2, steps_per_epoch=4, verbose=0)
    assert_same_training(expected, (m, history.history))


def test_a_used_up_generator_warns_in_the_next_epoch_as_keras():
    x, y = data()
    m = model()
    with pytest.warns(UserWarning, match="ran out of data"):
        history = m.fit(batches_of(x, y, 10), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 1  # the second epoch had no batch, so no logs


def test_an_iterable_starts_a_new_pass_each_epoch():
    x, y = data()

    class Loader:
        def __iter__(self):
            return batches_of(x, y, 10)
    expected = fit_arrays(x, y, epochs=3)
    m = model()
    history = m.fit(Loader(), epochs=3, verbose=0)
    assert_same_training(expected, (m, history.history))
    assert m.evaluate(Loader(), verbose=0) == pytest.approx(expected[0].evaluate(x, y, verbose=0), rel=1e-6)


def test_a_py_dataset_through_fit_evaluate_and_predict():
    x, y = data()
    dataset = Batches(x, y, 10)
    expected = fit_arrays(x, y, epochs=2)
    m = model()
    history = m.fit(dataset, epochs=2, shuffle=False, verbose=0)
    assert_same_training(expected, (m, history.history))
    assert dataset.epochs_ended == 2
    assert m.evaluate(dataset, verbose=0, return_dict=True) == pytest.approx(
        m.evaluate(x, y, batch_size=10, verbose=0, return_dict=True), rel=1e-6)
    np.testing.assert_allclose(m.predict(dataset, verbose=0), m.predict(x, verbose=0), rtol=1e-6)


def test_a_py_dataset_is_asked_for_its_batches_in_shuffled_order_with_shuffle():
    x, y = data()
    dataset = Batches(x, y, 10)
    m = model()
    m.fit(dataset, epochs=3, verbose=0)  # shuffle=True, fit's default
    epochs = [dataset.asked[i:i + 4] for i in range(0, 12, 4)]
    assert all(sorted(order) == [0, 1, 2, 3] for order in epochs)
    assert any(order != [0, 1, 2, 3] for order in epochs)


def test_a_py_dataset_without_len_needs_steps():
    class Endless(utils.PyDataset):
        def __getitem__(self, index):
            return data(8, seed=index)
    m = model()
    with pytest.raises(ValueError, match="has no length.*steps_per_epoch"):
        m.fit(Endless(), verbose=0)
    history = m.fit(Endless(), steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_validation_data_may_be_a_generator_an_iterable_or_a_py_dataset():
    x, y = data()
    xv, yv = data(20, seed=1)
    expected = fit_arrays(x, y, epochs=2, validation_data=(xv, yv), validation_batch_size=10)

    def endless():
        while True:
            yield from batches_of(xv, yv, 10)
    for validation_data, extra in ((Batches(xv, yv, 10), {}), (endless(), {"validation_steps": 2})):
        m = model()
        history = m.fit(x, y, batch_size=10, shuffle=False, epochs=2, verbose=0, validation_data=validation_data,
                        **extra)
        assert_same_training(expected, (m, history.history))
        assert "val_accuracy" in history.history


def test_sample_weights_and_class_weights_from_a_generator():
    x, y = data()
    weights = np.where(y[:, 0] > 0, 3.0, 1.0).astype("float32")
    expected = fit_arrays(x, y, sample_weight=weights)
    m = model()
    history = m.fit(batches_of(x, y, 10, weights), verbose=0)
    assert_same_training(expected, (m, history.history))
    m = model()
    history = m.fit(batches_of(x, y, 10), class_weight={0: 1.0, 1: 3.0}, verbose=0)
    assert_same_training(expected, (m, history.history))


# -- batches of the wrong structure -----------------------------------------------------------
def bad_at(index, bad_batch):
    x, y = data()
    for i, batch in enumerate(batches_of(x, y, 10)):
        yield bad_batch if i == index else batch


@pytest.mark.parametrize("bad_batch, error, words", [
    ((np.zeros((10, 3)), np.zeros((10, 1)), None, np.zeros(10)), ValueError,
     r"Expected each batch from the generator to be a tuple \(x,\), \(x, y\) or \(x, y, sample_weight\) of "
     r"arrays, or the inputs x alone\. Received: batch 2, a tuple of 4 items"),
    ("not a batch", TypeError, r"Expected each batch from the generator to be a tuple \(x,\), \(x, y\).*"
                               r"Received: batch 2, a str"),
    ((np.zeros((10, 3)), "labels"), TypeError, r"Received: batch 2, holding a str as `y`"),
    ((np.zeros((10, 3)), np.zeros((7, 1))), ValueError,
     r"in batch 2 from the generator: expected as many samples in y as in x\. Received: x has 10 samples but y "
     r"has 7"),
    ((np.zeros((10, 3)), [[0.0], [1.0]] * 5, [1.0] * 6), ValueError,
     r"in batch 2 from the generator: expected as many samples in sample_weight as in x\. Received: x has 10 "
     r"samples but sample_weight has 6"),
])
def test_a_generator_yielding_a_wrong_structure_names_the_batch_and_what_was_expected(bad_batch, error, words):
    m = model()
    with pytest.raises(error, match=words):
        m.fit(bad_at(2, bad_batch), verbose=0)


def test_a_py_dataset_batch_of_the_wrong_structure_names_its_index():
    class Bad(Batches):
        def __getitem__(self, index):
            x, y = super().__getitem__(index)
            return (x, y, None, None) if index == 3 else (x, y)
    m = model()
    with pytest.raises(ValueError, match=r"from the PyDataset Bad to be a tuple.*Received: batch 3, a tuple of 4 items"):
        m.fit(Bad(*data(), 10), shuffle=False, verbose=0)


def test_targets_beside_a_generator_are_refused():
    x, y = data()
    with pytest.raises(ValueError, match=r"`y` argument is not supported when `x` is a generator.*Yield \(x, y\)"):
        model().fit(batches_of(x, y, 10), y, verbose=0)


def test_an_empty_generator_says_so():
    with pytest.raises(ValueError, match=r"Expected the .* to yield at least one batch \(x, y\)\. Received: no batch at all"):
        model().fit(iter([]), verbose=0)


# -- plain Python data ----------------------------------------------------------------------
def test_lists_work_wherever_an_array_does():
    x, y = data()
    expected = fit_arrays(x, y, epochs=2)
    m = model()
    history = m.fit(x.tolist(), y[:, 0].tolist(), batch_size=10, shuffle=False, epochs=2, verbose=0)
    assert_same_training(expected, (m, history.history))
    for batch_size in (1, 7, 40, 100):
        np.testing.assert_allclose(m.predict(x.tolist(), batch_size=batch_size, verbose=0),
                                   m.predict(x, verbose=0), rtol=1e-6)
    assert m.evaluate(x.tolist(), y.tolist(), batch_size=7, verbose=0) == pytest.approx(
        m.evaluate(x, y, batch_size=7, verbose=0), rel=1e-6)
    np.testing.assert_allclose(m(x[:2].tolist()).numpy(), m(x[:2]).numpy(), rtol=1e-6)
    np.testing.assert_allclose(m([x[0].tolist()]).numpy(), m(x[:1]).numpy(), rtol=1e-6)
    np.testing.assert_allclose(m.predict_on_batch(x[:3].tolist()), m.predict(x[:3], verbose=0), rtol=1e-6)


def test_a_list_is_one_array_for_a_one_input_model_and_one_array_per_input_otherwise():
    a, b = teachnet.Input((2,)), teachnet.Input((3,))
    two = teachnet.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    one = teachnet.Model(b, layers.Dense(1)(b))
    two.compile("sgd", "mse")
    one.compile("sgd", "mse")
    xa, xb = [[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    assert two.predict([xa, xb], verbose=0).shape == (2, 1)
    assert two([xa, xb]).shape == (2, 1)
    assert one.predict(xb, verbose=0).shape == (2, 1)  # two samples, not two inputs
    assert one(xb).shape == (2, 1)
    assert one.fit(xb, [1.0, 2.0], verbose=0).history["loss"]

    class Subclassed(teachnet.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)
    sub = Subclassed()
    sub.compile("sgd", "mse")
    assert sub.predict(xb, batch_size=1, verbose=0).shape == (2, 1)


def test_class_weight_as_keras_takes_it():
    x, y = data()
    expected = fit_arrays(x, y, class_weight={0: 1.0, 1: 3.0})
    assert_same_training(expected, fit_arrays(x, y, class_weight={0.0: 1.0, 1.0: 3.0}))
    assert_same_training(expected, fit_arrays(x, y, class_weight={np.int64(0): 1.0, np.int64(1): 3.0}))


@pytest.mark.parametrize("class_weight, words", [
    ([1.0, 3.0], r"Expected `class_weight` to be a dict .*Received: class_weight=\[1.0, 3.0\] of type list\. "
                 r"For a list of weights \(one per class\), pass dict\(enumerate\(weights\)\)"),
    ({"0": 1.0, "1": 3.0}, r"integer keys .*Received keys \['0', '1'\] of type str.*never be used"),
])
def test_class_weight_as_a_list_or_with_string_keys_is_refused_saying_how_to_write_it(class_weight, words):
    x, y = data()
    with pytest.raises(ValueError, match=words):
        model().fit(x, y, class_weight=class_weight, verbose=0)
    with pytest.raises(ValueError, match=words):
        model().fit(batches_of(x, y, 10), class_weight=class_weight, verbose=0)


# -- utils ----------------------------------------------------------------------------------------
def test_pack_and_unpack_as_keras():
    from teachnet.models.data import pack_x_y_sample_weight, unpack_x_y_sample_weight
    x, y = data(4)
    assert pack_x_y_sample_weight(x) is x
    assert pack_x_y_sample_weight([x, x]) == ([x, x],)
    assert unpack_x_y_sample_weight((x,)) == (x, None, None)
    assert unpack_x_y_sample_weight([x, y])[1] is y
    with pytest.raises(ValueError, match=r"`x`, `\(x,\)`, `\(x, y\)`, or `\(x, y, sample_weight\)`"):
        unpack_x_y_sample_weight((x, y, y, y))


def test_py_dataset_keeps_keras_arguments():
    dataset = Batches(*data(), 10, workers=2, use_multiprocessing=False, max_queue_size=4)
    assert (dataset.workers, dataset.use_multiprocessing, dataset.max_queue_size) == (2, False, 4)
    assert dataset.num_batches == 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(model().fit(dataset, verbose=0).history["loss"]) == 1
