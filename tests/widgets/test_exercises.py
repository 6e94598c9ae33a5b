"""The exercise checks accept a right answer, reject wrong ones with a hint, and every solution exists.

Each exercise gets at least one right and one wrong answer below (built lazily, since some are models).
"""
import numpy as np
import pytest

import teachnet as tn
from widgets import exercises
from widgets.playground import Playground
from widgets.exercises import EXERCISES, Solution, Verdict, check, show_solution
from widgets.exercises._common import numeric_exercise
from widgets.exercises.lesson10 import _collapse_reference


def _model(layers):
    tn.utils.set_random_seed(0)
    return tn.Sequential(layers)


def _trained_cloud_classifier(units=1, logits=False):
    """A linear classifier of the two clouds: one sigmoid unit, two softmax units, or one unit of logits."""
    x, y = tn.datasets.gaussian_clouds(samples_per_class=500, seed=0)
    if units == 2:
        model = _model([tn.Input(shape=(2,)), tn.layers.Dense(2, activation="softmax")])
        model.compile(optimizer=tn.optimizers.RMSprop(0.01), loss="sparse_categorical_crossentropy")
    else:
        model = _model([tn.Input(shape=(2,)), tn.layers.Dense(1, activation=None if logits else "sigmoid")])
        model.compile(optimizer="rmsprop", loss=tn.losses.BinaryCrossentropy(from_logits=logits))
    model.fit(x, y, epochs=10, batch_size=32, verbose=0)
    return model


def _live_check(clicks, steps):
    from widgets.environment_check import EnvironmentCheck
    live = EnvironmentCheck()
    for _ in range(clicks):
        live.click_button.click()
    live.advance(steps)
    return live


def _explorer(optimizer, learning_rate, run=True):
    from widgets.compile_explorer import CompileExplorer
    (x, y), (x_test, y_test) = tn.datasets.load_digits()
    x, x_test = x.reshape(-1, 64).astype("float32") / 16, x_test.reshape(-1, 64).astype("float32") / 16

    def make_model():
        return tn.Sequential([tn.Input(shape=(64,)), tn.layers.Dense(32, activation="relu"),
                              tn.layers.Dense(10, activation="softmax")])
    explorer = CompileExplorer(make_model, x, y, validation_data=(x_test, y_test), epochs=8)
    explorer.optimizer, explorer.learning_rate = optimizer, learning_rate
    if run:
        explorer.run()
    return explorer


def _two_input_model(join, widths=(3, 5)):
    tn.utils.set_random_seed(0)
    a, b = tn.Input(shape=(widths[0],)), tn.Input(shape=(widths[1],))
    return tn.Model([a, b], tn.layers.Dense(1)(join([a, b])))


def _trained_xor_playground(epochs):
    tn.utils.set_random_seed(0)
    playground = Playground(dataset="xor", features=["x1", "x2"], hidden_layers=[4], activation="tanh",
                            optimizer="Adam", learning_rate=0.03)
    playground.train(epochs)
    return playground


def _xor_playground(features, hidden_layers=(), epochs=30):
    tn.utils.set_random_seed(0)
    playground = Playground(dataset="xor", features=list(features), hidden_layers=list(hidden_layers),
                            optimizer="Adam", learning_rate=0.03)
    if epochs:
        playground.train(epochs)
    return playground


def _right_and_wrong():
    """number -> (list of right answers, list of wrong answers)."""
    return {
        "0.1": ([_live_check(clicks=1, steps=60)],
                [_live_check(clicks=0, steps=60), _live_check(clicks=1, steps=2), "Shift+Enter", None]),
        "0.2": ([np.ones((3, 4)), [[1] * 4] * 3], [np.ones((4, 3)), np.zeros((3, 4)), None, "ones"]),
        "0.3": ([(3, 2), [3, 2], np.ones((3, 2)).shape], [(3, 4), (4, 2), (2, 3), "(3, 2)", None]),
        "1.1": ([144, 144.0, np.int64(144)], [160, "144", None, True]),
        "1.2": (["LSTM", "conv1d", "layers.GRU", "tn.layers.LSTM", "keras.layers.SimpleRNN()", tn.layers.LSTM,
                 tn.layers.Conv1D(4, 3)],
                ["Dense", "Conv2D", tn.layers.Dense, tn.layers.Dense(3), None, 3]),
        "1.3": ([(28, 28, 8), [28, 28, 8]], [(26, 26, 8), (28, 28, 3), None, "28x28x8"]),
        "1.5": ([(500, 24, 1), [500, 24, 1], np.zeros((500, 24, 1)).shape], [(500, 1, 24), (24, 1), (500, 24), None]),
        "1.4": ([_model([tn.Input(shape=(20,)), tn.layers.Dense(16, activation="relu"),
                         tn.layers.Dense(3, activation="softmax")])],
                [_model([tn.Input(shape=(20,)), tn.layers.Dense(16, activation="relu"), tn.layers.Dense(3)]),
                 _model([tn.Input(shape=(20,)), tn.layers.Dense(8, activation="relu"),
                         tn.layers.Dense(3, activation="softmax")]),
                 _model([tn.Input(shape=(10,)), tn.layers.Dense(3, activation="softmax")]), None]),
        "5.1": ([lambda t, p: tn.ops.mean(tn.ops.square(t - p))],
                [lambda t, p: None, lambda t, p: tn.ops.mean(tn.ops.abs(t - p)),
                 lambda t, p: float(np.mean((t - np.asarray(p)) ** 2)), "mse"]),
        "5.4": ([0.14, 0.144, 0.13, np.float32(0.14)], [0.15, 0.2, 0.1, 0.05, -0.14, "0.14", None]),
        "5.2": ([1.95, np.float32(1.95)], [2.05, 1.5, None]),
        "5.3": ([_trained_cloud_classifier(), _trained_cloud_classifier(units=2), _trained_cloud_classifier(logits=True)],
                [_model([tn.Input(shape=(2,)), tn.layers.Dense(1, kernel_initializer="zeros")]), None]),
        "7.1": (["sparse_categorical_crossentropy", " Sparse_Categorical_Crossentropy", "SparseCategoricalCrossentropy",
                 "tn.losses.SparseCategoricalCrossentropy()", tn.losses.SparseCategoricalCrossentropy,
                 tn.losses.SparseCategoricalCrossentropy(from_logits=True), tn.losses.sparse_categorical_crossentropy],
                ["categorical_crossentropy", "CategoricalCrossentropy", "mse", "scce", None,
                 tn.losses.CategoricalCrossentropy()]),
        "7.2": ([lambda t, p: tn.ops.mean(tn.ops.abs(t - p), axis=-1)],
                [lambda t, p: tn.ops.mean(tn.ops.abs(t - p)), lambda t, p: tn.ops.mean(tn.ops.square(t - p), axis=-1),
                 lambda t, p: None, 3]),
        "7.4": ([_explorer("sgd", 0.1)],
                [_explorer("sgd", 0.001), _explorer("rmsprop", 0.003), _explorer("sgd", 0.1, run=False), None]),
        "7.3": ([np.log(10), 2.3, 2.30, 2.303, np.float32(2.3026)], [0.1, 1.0, -2.3, 10, 0.5, 3.0, "2.3", None]),
        "8.1": ([300, 300.0], [100, 400, "300", None]),
        "8.2": ([5], [3, 7, 4, None]),
        "8.4": ([{"A": "underfitting", "B": "overfitting", "C": "good fit"},
                 {"A": "Underfit", "B": " over ", "C": "good"}],
                [{"A": "overfitting", "B": "underfitting", "C": "good fit"},
                 {"A": "underfitting", "B": "overfitting", "C": "overfitting"},
                 {"A": "underfitting", "B": "overfitting"}, {"A": "low", "B": "high", "C": "ok"},
                 ["underfitting", "overfitting", "good fit"], None]),
        "8.3": ([lambda p: np.argmax(p, axis=1), lambda p: list(np.argmax(p, axis=-1))],
                [lambda p: np.argmax(p, axis=0), lambda p: np.max(p, axis=1), lambda p: None, "argmax"]),
        "3.1": ([0.2231, -np.log(0.8), 0.22, 0.223, np.float32(0.2231)], [0.8, np.log(0.8), 0.0969, 0.2, 0.23, None]),
        "3.2": (["SparseCategoricalCrossentropy", "tn.losses.SparseCategoricalCrossentropy()",
                 "sparse_categorical_crossentropy", "keras.losses.SparseCategoricalCrossentropy",
                 tn.losses.SparseCategoricalCrossentropy, tn.losses.SparseCategoricalCrossentropy()],
                ["CategoricalCrossentropy", "categorical_crossentropy", "binary_crossentropy", None, 3]),
        "3.3": ([2.0, 2], [0.6667, 1.0, None]),
        "3.5": ([{"price": 0.214, "kind": 1.0}, [0.2, 0.95], {"price": 1, "kind": 4.7}, (0.5, 2.3)],
                [{"price": 1, "kind": 1}, [0.5, 0.5], [1, 0.2], {"price": 0.21}, [0, 1], [-0.2, -1], "equal", None]),
        "3.4": ([lambda t, p: tn.ops.mean(tn.ops.abs(p - t) ** 3, axis=-1)],
                [lambda t, p: tn.ops.mean((p - t) ** 3, axis=-1), lambda t, p: tn.ops.mean(tn.ops.abs(p - t) ** 3),
                 lambda t, p: np.mean(np.abs(np.asarray(p) - t) ** 3, axis=-1), lambda t, p: None]),
        "4.1": ([2.0, 2], [0.0, 4.0, None]),
        "4.2": ([1.0, 1], [0.5, 2.0, None]),
        "4.4": ([0.25, 2 / 8, 0.249], [0.2, 0.5, 0.125, 1.0, "2/8", None]),
        "4.3": ([0.5, 0.45, 0.6], [0.1, 1.0, 2.0, "0.5", None]),
        "2.1": ([10], [8, 2, 16, None]),
        "2.2": ([_two_input_model(tn.layers.Concatenate())],
                [_two_input_model(tn.layers.Add(), widths=(4, 4)),
                 _model([tn.Input(shape=(8,)), tn.layers.Dense(1)]), None]),
        "2.3": ([68], [51, 17, 64, None]),
        "2.4": ([16, 16.0], [32, 12, 8, "16", None]),
        "6.1": ([70, 70.0, np.int64(70)], [50, 20, 7, 2, 5, 60, 71, "70", None]),
        "6.2": ([1e-7, 2e-7, 5e-8, np.float32(1.2e-7)], [1e-3, 0.1, 1e-12, 0, -1e-7, "1e-7", None]),
        "6.3": ([["SGD"], "sgd", ("SGD",), {"plain SGD"}],
                [["SGD", "Adam"], ["Adam"], ["RMSprop", "SGD with momentum"], ["SGD", "momentum"], [], ["Nadam"],
                 "set_weights", 3, None]),
        "11.4": ([(7, 7, 4), [7, 7, 4]], [(6, 6, 4), (8, 8, 4), (13, 13, 4), (7, 7), None]),
        "9.1": ([1280, 1280.0], [320, 1216, 1344, "1280", None]),
        "9.2": ([(16, 16), [16, 16]], [(20, 16), (16, 1), (16,), None]),
        "9.3": ([0.9 ** 10, 0.349, 0.35, 0.3487, np.float32(0.3487)],
                [0.9, 0.9 ** 11, 0.9 ** 9, 0.1, 0.0, -8.0, 1e-10, 1.0, "0.35", None]),
        "10.1": ([3, 3.0], [2, 4, None]),
        "10.2": ([_collapse_reference, lambda p: tuple(k for i, k in enumerate(p)
                                                                if k and (i == 0 or p[i - 1] != k))],
                [lambda p: [k for k in p if k], lambda p: sorted(set(p) - {0}), lambda p: None, "collapse"]),
        "11.5": (["GlobalMaxPooling2D", "layers.GlobalMaxPooling2D()", tn.layers.GlobalMaxPooling2D],
                 ["Flatten", "GlobalAveragePooling2D", "MaxPooling2D", None]),
        "11.1": ([(13, 13, 8), [13, 13, 8]], [(13, 13), (26, 26, 4), None]),
        "11.2": ([1168], [1152, 160, None]),
        "11.3": ([_model([tn.Input(shape=(8, 8, 1)), tn.layers.Conv2D(4, 3, activation="relu"),
                          tn.layers.MaxPooling2D(2), tn.layers.Flatten(), tn.layers.Dense(10, activation="softmax")])],
                 [_model([tn.Input(shape=(8, 8, 1)), tn.layers.Flatten(), tn.layers.Dense(10, activation="softmax")]),
                  _model([tn.Input(shape=(8, 8, 1)), tn.layers.Conv2D(4, 3), tn.layers.MaxPooling2D(2),
                          tn.layers.Flatten(), tn.layers.Dense(10)]), None]),
        "12.1": ([["x1^2", "x2^2"], ("x2^2", "x1^2"), {"x1^2", "x2^2"}], [["x1", "x2"], ["x1^2"], "x1^2, x2^2", None]),
        "12.2": ([_trained_xor_playground(60)], [_trained_xor_playground(1), Playground(dataset="circle"), None]),
        "12.3": ([_xor_playground(["x1x2"]), _xor_playground(["x1", "x2", "x1x2"])],
                 [_xor_playground(["x1", "x2"]), _xor_playground(["x1^2", "x2^2"]),
                  _xor_playground(["x1x2"], epochs=0), _xor_playground(["x1x2"], hidden_layers=[2], epochs=0),
                  Playground(dataset="circle", features=["x1x2"], hidden_layers=[]), "line", None]),
    }


CASES = _right_and_wrong()


def test_every_exercise_is_tested_here():
    assert sorted(CASES) == sorted(EXERCISES)


@pytest.mark.parametrize("number", sorted(CASES))
def test_right_answers_pass_and_wrong_answers_fail(number):
    right, wrong = CASES[number]
    for answer in right:
        verdict = check(number, answer)
        assert isinstance(verdict, Verdict) and verdict.ok, (number, answer, verdict.message)
    for answer in wrong:
        verdict = check(number, answer)
        assert not verdict, (number, answer)
        assert verdict.message, "a wrong answer gets a hint"


@pytest.mark.parametrize("number", sorted(EXERCISES))
def test_every_exercise_has_a_solution(number):
    solution = show_solution(number)
    assert isinstance(solution, Solution) and len(solution.markdown) > 10
    assert f"Solution {number}" in solution._repr_markdown_()


def test_verdict_shows_as_html_and_text():
    good, bad = check("0.3", (3, 2)), check("0.3", (2, 3))
    assert "Correct!" in good._repr_html_() and "Correct!" in repr(good)
    assert "Not yet." in bad._repr_html_() and "Not yet." in repr(bad)
    assert "&lt;" in Verdict("x", False, "<b>")._repr_html_(), "messages are escaped"


def test_unknown_exercise_names_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown exercise '99.9'. Known exercises: \['0.1'"):
        check("99.9", 1)
    with pytest.raises(ValueError, match="Unknown exercise"):
        show_solution("nope")


def test_hints_do_not_give_the_answer_away():
    for number in ["7.1"]:
        expected = CASES[number][0][0].lower()
        for wrong in CASES[number][1]:
            assert expected not in check(number, wrong).message.lower(), (number, wrong)


def test_none_answer_asks_for_an_answer():
    assert "Replace `None`" in numeric_exercise(3.0, "ok", "hint")("x", None).message


def test_hints_point_at_the_mistake():
    assert "Count batches, not epochs" in check("6.1", 7).message
    assert "Adam keeps running means" in check("6.3", ["SGD", "Adam"]).message
    assert "natural logarithm" in check("7.3", 1.0).message
    assert "ten times" in check("9.3", 0.9 ** 11).message
    assert "x1x2" not in check("12.3", _xor_playground(["x1", "x2"])).message  # the hint does not name it
    assert "Remove every hidden layer" in check("12.3", _xor_playground(["x1x2"], hidden_layers=[2], epochs=0)).message


def test_the_lstm_of_exercise_9_3_keeps_the_predicted_share():
    """The hand-set LSTM of lesson 09's exercise 9.3 really keeps 0.9^10 of its cell, as the check expects."""
    from widgets import LSTMGateView
    carrier = tn.layers.LSTM(1)
    carrier.build((None, 11, 1))
    carrier.set_weights([np.array([[20.0, 0.0, 0.0, 0.0]]), np.zeros((1, 4)),
                         np.array([-10.0, np.log(9), 3.0, 10.0])])
    pulse = np.zeros((1, 11, 1), "float32")
    pulse[0, 0, 0] = 1
    c = LSTMGateView(carrier, pulse).gates()["cell c"][:, 0]
    assert check("9.3", float(c[-1] / c[0])), c
