"""SimpleRNN, LSTM, GRU: the fused ops against central differences and against
a step-by-step loop of their cells, masks, dropout, weights and bad input."""
import numpy as np
import pytest

import teachnet
from teachnet import layers, ops
from teachnet.autodiff import GradientTape, Variable
from teachnet.ops import compiled
from tests.compiled_check import assert_same_bits, with_and_without_loops
from tests.gradcheck import check_gradients, check_layer_gradients

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 5, 4))                                   # (batch, time, features)
MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1], [0, 1, 1, 1, 1]], bool)

LAYERS = [
    ("simple_rnn", lambda **kw: layers.SimpleRNN(3, dtype="float64", **kw)),
    ("lstm", lambda **kw: layers.LSTM(3, dtype="float64", **kw)),
    ("gru", lambda **kw: layers.GRU(3, dtype="float64", **kw)),
    ("gru_reset_before", lambda **kw: layers.GRU(3, dtype="float64", reset_after=False, **kw)),
    ("lstm_relu_hard_sigmoid", lambda **kw: layers.LSTM(3, activation="relu", recurrent_activation="hard_sigmoid",
                                                        dtype="float64", **kw)),
    ("gru_softsign", lambda **kw: layers.GRU(3, activation="softsign", dtype="float64", **kw)),
    ("simple_rnn_linear", lambda **kw: layers.SimpleRNN(3, activation=None, dtype="float64", **kw)),
]


def _perturb_weights(layer):
    """Random biases too, so that every gradient path is exercised."""
    for w in layer.weights:
        w.assign(RNG.normal(scale=0.5, size=w.shape))


@pytest.mark.parametrize("name,make", LAYERS, ids=[n for n, _ in LAYERS])
@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"return_state": True, "go_backwards": True}])
def test_gradients_of_inputs_and_weights_match_central_differences(name, make, options):
    layer = make(**options)
    layer(X)
    _perturb_weights(layer)
    check_layer_gradients(layer, X)


@pytest.mark.parametrize("name,make", LAYERS[:4], ids=[n for n, _ in LAYERS[:4]])
def test_gradients_with_a_mask_match_central_differences(name, make):
    layer = make(return_sequences=True, return_state=True)
    layer(X)
    _perturb_weights(layer)
    check_layer_gradients(layer, X, mask=MASK)


@pytest.mark.parametrize("op", ["simple_rnn", "lstm", "gru", "gru_reset_before"])
def test_fused_op_gradients_include_initial_states_and_recurrent_dropout(op):
    n, d = 3, 4
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3, "gru_reset_before": 3}[op]
    kernel, recurrent = RNG.normal(size=(d, gates * n)), RNG.normal(size=(n, gates * n)) * 0.5
    bias = RNG.normal(size=(2, 3 * n) if op == "gru" else (gates * n,))
    h0, c0 = RNG.normal(size=(3, n)), RNG.normal(size=(3, n))
    recurrent_mask = np.array([[2.0, 0.0, 2.0]] * 3)              # a recurrent-dropout mask (rate 0.5)

    def f(x, k, u, b, h, c):
        if op == "simple_rnn":
            return ops.simple_rnn(x, k, u, b, h, MASK, recurrent_mask)
        if op == "lstm":
            return ops.lstm(x, k, u, b, h, c, MASK, recurrent_mask)
        return ops.gru(x, k, u, b, h, MASK, recurrent_mask, reset_after=(op == "gru"))
    check_gradients(f, X, kernel, recurrent, bias, h0, c0)


@pytest.mark.parametrize("name,make", LAYERS, ids=[n for n, _ in LAYERS])
def test_fused_layer_equals_a_loop_over_its_cell(name, make):
    layer = make(return_sequences=True, return_state=True)
    layer(X)
    _perturb_weights(layer)
    outputs, *final = layer(X, mask=MASK)
    states = layer.cell.get_initial_state(3)
    seen = []
    for t in range(X.shape[1]):
        out, new = layer.cell(X[:, t], states)
        keep = MASK[:, t:t + 1]
        states = [ops.where(keep, s_new, s_old) for s_new, s_old in zip(new, states)]   # masked: carry over
        seen.append(states[0].numpy())
    np.testing.assert_allclose(outputs.numpy(), np.stack(seen, axis=1), atol=1e-12)
    for a, b in zip(final, states):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)


def test_weights_follow_keras_names_shapes_order_and_initializers():
    lstm = layers.LSTM(5)
    lstm(np.zeros((2, 3, 7), "float32"))
    assert [(w.name, w.shape) for w in lstm.weights] == [("kernel", (7, 20)), ("recurrent_kernel", (5, 20)),
                                                         ("bias", (20,))]
    np.testing.assert_array_equal(lstm.cell.bias.numpy(), np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    u = lstm.cell.recurrent_kernel.numpy()
    assert not np.allclose(u, 0)
    gru = layers.GRU(4)
    gru(np.zeros((1, 2, 3), "float32"))
    assert [w.shape for w in gru.weights] == [(3, 12), (4, 12), (2, 12)]
    gru_before = layers.GRU(4, reset_after=False, use_bias=True)
    gru_before(np.zeros((1, 2, 3), "float32"))
    assert gru_before.weights[2].shape == (12,)
    rnn = layers.SimpleRNN(2, use_bias=False)
    rnn(np.zeros((1, 2, 3), "float32"))
    assert [w.name for w in rnn.weights] == ["kernel", "recurrent_kernel"]
    # orthogonal recurrent kernel, glorot_uniform kernel
    k = layers.SimpleRNN(6)
    k(np.zeros((1, 2, 6), "float32"))
    np.testing.assert_allclose(k.cell.recurrent_kernel.numpy().T @ k.cell.recurrent_kernel.numpy(), np.eye(6),
                               atol=1e-5)
    assert np.abs(k.cell.kernel.numpy()).max() <= np.sqrt(6 / 12)


def test_output_shapes_and_states():
    x = np.zeros((2, 6, 3), "float32")
    assert layers.LSTM(4)(x).shape == (2, 4)
    assert layers.GRU(4, return_sequences=True)(x).shape == (2, 6, 4)
    out, h, c = layers.LSTM(4, return_state=True)(x)
    assert out.shape == h.shape == c.shape == (2, 4)
    seq, h = layers.SimpleRNN(4, return_sequences=True, return_state=True)(x)
    np.testing.assert_array_equal(seq.numpy()[:, -1], h.numpy())


def test_masked_steps_keep_the_previous_state_and_padding_changes_nothing():
    lstm = layers.LSTM(4, return_sequences=True)
    x = RNG.normal(size=(1, 5, 3)).astype("float32")
    padded = x.copy()
    padded[:, 3:] = 99.0                                          # garbage in the padded steps
    mask = np.array([[True, True, True, False, False]])
    out = lstm(padded, mask=mask).numpy()
    np.testing.assert_allclose(out[:, 3], out[:, 2])
    np.testing.assert_allclose(out[:, 4], out[:, 2])
    np.testing.assert_allclose(out[:, :3], lstm(x[:, :3]).numpy(), rtol=1e-6, atol=1e-6)  # float32: 3e-8 apart seen in 300 runs


def test_mask_from_embedding_reaches_the_lstm_and_is_passed_on_with_return_sequences():
    emb = layers.Embedding(20, 4, mask_zero=True)
    ids = np.array([[3, 5, 0, 0], [7, 0, 0, 0]])
    seq = layers.LSTM(3, return_sequences=True)(emb(ids))
    np.testing.assert_array_equal(np.asarray(seq._keras_mask), ids != 0)
    last = layers.LSTM(3)(emb(ids))
    assert getattr(last, "_keras_mask", None) is None
    np.testing.assert_array_equal(seq.numpy()[0, 2:], np.repeat(seq.numpy()[0, 1:2], 2, axis=0))
    np.testing.assert_allclose(seq.numpy()[1, 1:], np.repeat(seq.numpy()[1, :1], 3, axis=0))


def test_go_backwards_reads_the_reversed_sequence():
    layer = layers.GRU(3, return_sequences=True, go_backwards=True)
    x = RNG.normal(size=(2, 4, 3)).astype("float32")
    layer(x)
    forward = layers.GRU(3, return_sequences=True)
    forward(x)
    forward.set_weights(layer.get_weights())
    np.testing.assert_allclose(layer(x).numpy(), forward(x[:, ::-1]).numpy(), rtol=1e-6)


def test_initial_state_is_used():
    layer = layers.SimpleRNN(2, return_sequences=True)
    x = np.zeros((1, 1, 3), "float32")
    h0 = np.array([[0.5, -0.5]], "float32")
    out = layer(x, initial_state=[h0]).numpy()
    u, b = layer.cell.recurrent_kernel.numpy(), layer.cell.bias.numpy()
    np.testing.assert_allclose(out[0, 0], np.tanh(h0 @ u + b)[0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"initial state must have shape \(batch, units\) = \(1, 2\)"):
        layer(x, initial_state=[np.zeros((1, 3))])
    with pytest.raises(ValueError, match="expects 2 initial state"):
        layers.LSTM(2)(x, initial_state=[h0])


def test_dropout_only_in_training_and_with_one_mask_per_sequence():
    teachnet.random.set_seed(0)
    layer = layers.SimpleRNN(3, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)
    x = np.ones((4, 6, 5), "float32")
    np.testing.assert_array_equal(layer(x).numpy(), layer(x, training=False).numpy())
    assert not np.allclose(layer(x, training=True).numpy(), layer(x).numpy())
    check = layers.LSTM(2, dropout=0.3, recurrent_dropout=0.3, dtype="float64")
    check(X)
    teachnet.random.set_seed(1)
    a = check(X, training=True).numpy()
    teachnet.random.set_seed(1)
    np.testing.assert_array_equal(a, check(X, training=True).numpy())   # seedable


def test_bad_input_raises_errors_naming_the_layer_and_shapes():
    with pytest.raises(ValueError, match=r'"lstm_bad" expects sequences of shape \(batch, time, features\).*\(4, 10\)'):
        layers.LSTM(3, name="lstm_bad")(np.zeros((4, 10), "float32"))
    layer = layers.GRU(3, name="gru_bad")
    layer(np.zeros((2, 5, 4), "float32"))
    with pytest.raises(ValueError, match=r'"gru_bad" was built for 4 features.*\(2, 5, 6\)'):
        layer(np.zeros((2, 5, 6), "float32"))
    with pytest.raises(ValueError, match=r"mask must have shape \(batch, time\) = \(2, 5\)"):
        layer(np.zeros((2, 5, 4), "float32"), mask=np.ones((2, 4), bool))
    with pytest.raises(ValueError, match="units"):
        layers.SimpleRNN(0)
    with pytest.raises(ValueError, match="unsupported `activation`"):
        layers.LSTM(2, activation="gelu")
    with pytest.raises(ValueError, match="dropout"):
        layers.GRU(2, dropout=1.5)


def test_lstm_gradients_over_37_masked_steps():
    """37 steps, with a mask: on two or more threads the steps are cut into ranges, one per thread."""
    x = RNG.normal(size=(2, 37, 2))
    mask = np.ones((2, 37), bool)
    mask[1, 30:] = mask[0, 10:14] = False
    layer = layers.LSTM(2, return_sequences=True, dtype="float64")
    layer(x)
    _perturb_weights(layer)
    check_layer_gradients(layer, x, mask=mask)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_fast_gate_path_is_bit_identical_to_the_plain_one(monkeypatch, masked, return_sequences):
    # sigmoid + tanh (the defaults) take the one-tanh-call path; the same functions under another
    # name take the plain path (sigmoid over the block, then tanh for g). Values and gradients agree exactly.
    # (In float32 the defaults would run the whole compiled loops, with their own tanh: not here.)
    from teachnet.ops import recurrent as recurrent_ops

    monkeypatch.setattr(compiled, "sgemm", lambda: None)

    monkeypatch.setitem(recurrent_ops.RECURRENT_ACTIVATIONS, "plain_sigmoid",
                        recurrent_ops.RECURRENT_ACTIVATIONS["sigmoid"])
    rng = np.random.default_rng(7)
    B, T, D, n = 5, 9, 4, 6
    args = [Variable(a.astype("float32")) for a in (rng.standard_normal((B, T, D)), rng.standard_normal((D, 4 * n)),
                                                    rng.standard_normal((n, 4 * n)), rng.standard_normal(4 * n),
                                                    rng.standard_normal((B, n)), rng.standard_normal((B, n)))]
    mask = rng.random((B, T)) > 0.3 if masked else None

    def run(recurrent_activation):
        with GradientTape() as tape:
            y = recurrent_ops.lstm(*args, mask=mask, recurrent_activation=recurrent_activation,
                                   return_sequences=return_sequences)
            loss = ops.sum(y * np.arange(y.size, dtype="float32").reshape(y.shape))
        return [y.data] + [g.data for g in tape.gradient(loss, args)]
    for fast, plain in zip(run("sigmoid"), run("plain_sigmoid")):
        assert np.array_equal(fast, plain)


@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_derivatives_from_saved_products_agree_with_the_general_formulas(monkeypatch, return_sequences):
    # For sigmoid and tanh the backward reads its local derivatives off the products each step saved
    # (h~ (1 - o), ...); any other function pair uses sigma'(z) and act'(z) written out. The same
    # functions wrapped under other names take the general formulas: gradients must agree (float64).
    from teachnet.ops import recurrent as recurrent_ops

    sigmoid, tanh = recurrent_ops.RECURRENT_ACTIVATIONS["sigmoid"], recurrent_ops.RECURRENT_ACTIVATIONS["tanh"]
    monkeypatch.setitem(recurrent_ops.RECURRENT_ACTIVATIONS, "sigmoid_by_formula",
                        (lambda a, out=None: sigmoid[0](a, out=out), sigmoid[1]))
    monkeypatch.setitem(recurrent_ops.RECURRENT_ACTIVATIONS, "tanh_by_formula",
                        (lambda a, out=None: tanh[0](a, out=out), tanh[1]))
    rng = np.random.default_rng(11)
    B, T, D, n = 3, 21, 2, 4                                      # 21 steps: two chunks
    args = [Variable(a, dtype="float64") for a in (rng.standard_normal((B, T, D)), rng.standard_normal((D, 4 * n)),
                                                   rng.standard_normal((n, 4 * n)) * 0.5, rng.standard_normal(4 * n),
                                                   rng.standard_normal((B, n)), rng.standard_normal((B, n)))]

    def run(activation, recurrent_activation):
        with GradientTape() as tape:
            y = ops.lstm(*args, activation=activation, recurrent_activation=recurrent_activation,
                         return_sequences=return_sequences)
            loss = ops.sum(y * np.arange(y.size, dtype="float64").reshape(y.shape))
        return [y.data] + [g.data for g in tape.gradient(loss, args)]
    for from_products, by_formula in zip(run("tanh", "sigmoid"), run("tanh_by_formula", "sigmoid_by_formula")):
        np.testing.assert_allclose(from_products, by_formula, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_is_bit_identical_on_one_two_and_three_threads(return_sequences, masked):
    """The input products, local derivatives, dx and the per-step weight-gradient products run a range of
    steps per thread of the pool (teachnet.ops.parallel.run), and the sum over the steps is one product on one
    BLAS thread: values and gradients must not depend on the thread count. Unmasked, the local derivatives come
    from the saved products; masked, from the general formulas."""
    from teachnet.ops import parallel

    rng = np.random.default_rng(3)
    B, T, D, n = 4, 37, 3, 5                                     # 37 steps: 18 + 19, or 12 + 12 + 13
    args = [Variable(a.astype("float32")) for a in (rng.standard_normal((B, T, D)), rng.standard_normal((D, 4 * n)),
                                                    rng.standard_normal((n, 4 * n)), rng.standard_normal(4 * n),
                                                    rng.standard_normal((B, n)), rng.standard_normal((B, n)))]
    mask = rng.random((B, T)) > 0.2 if masked else None
    recurrent_mask = (rng.random((B, n)) > 0.3).astype("float32") / 0.7

    def run():
        with GradientTape() as tape:
            y = ops.lstm(*args, mask=mask, recurrent_mask=recurrent_mask, return_sequences=return_sequences)
            loss = ops.sum(y * np.arange(y.size, dtype="float32").reshape(y.shape))
        return [np.array(y.data)] + [g.data for g in tape.gradient(loss, args)]
    try:
        results = []
        for threads in (1, 2, 3):
            parallel.set_num_threads(threads)
            results.append(run())
    finally:
        parallel.set_num_threads(None)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert np.array_equal(a, b)


def test_lstm_at_the_benchmarks_shapes_is_bit_identical_on_one_and_two_threads():
    """At bench.py's shapes (batch 64, 100 steps, 32 features, 32 units) the input and weight-gradient
    products are big enough for OpenBLAS to use its threads if let: values and gradients must still not
    depend on the pool's thread count, nor on BLAS's (threadpoolctl's limit, as OPENBLAS_NUM_THREADS=1)."""
    from threadpoolctl import threadpool_limits

    from teachnet.ops import parallel

    rng = np.random.default_rng(4)
    B, T, D, n = 64, 100, 32, 32
    args = [Variable(a.astype("float32")) for a in (rng.standard_normal((B, T, D)),
                                                    rng.standard_normal((D, 4 * n)) * 0.2,
                                                    rng.standard_normal((n, 4 * n)) * 0.2, rng.standard_normal(4 * n),
                                                    rng.standard_normal((B, n)), rng.standard_normal((B, n)))]

    def run():
        with GradientTape() as tape:
            y = ops.lstm(*args, return_sequences=False)
            loss = ops.sum(y * np.arange(y.size, dtype="float32").reshape(y.shape))
        return [np.array(y.data)] + [g.data for g in tape.gradient(loss, args)]
    try:
        results = []
        for threads, blas_threads in ((1, 1), (2, None), (1, None)):
            parallel.set_num_threads(threads)
            with threadpool_limits(blas_threads, user_api="blas"):
                results.append(run())
    finally:
        parallel.set_num_threads(None)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("steps", [0, 1])
def test_lstm_of_zero_and_one_steps_has_gradients_of_the_right_shapes(steps):
    """No steps: the state stays h_0, the weights get zero gradients (the sum over no steps)."""
    rng = np.random.default_rng(6)
    args = [Variable(a.astype("float32")) for a in (rng.standard_normal((3, steps, 2)), rng.standard_normal((2, 16)),
                                                    rng.standard_normal((4, 16)), rng.standard_normal(16),
                                                    rng.standard_normal((3, 4)), rng.standard_normal((3, 4)))]
    with GradientTape() as tape:
        y = ops.lstm(*args, return_sequences=False)
        loss = ops.sum(y)
    grads = tape.gradient(loss, args)
    assert [g.shape for g in grads] == [a.shape for a in args]
    if steps == 0:
        np.testing.assert_array_equal(y.data, np.stack([args[4].data, args[5].data]))
        assert not any(np.any(g.data) for g in grads[:4])


def test_lstm_gradient_twice_from_a_persistent_tape_and_without_a_tape_at_the_forward():
    """The backward pass turns the local derivatives into dL/dz in place, in arrays it makes each time:
    a second gradient from a persistent tape must come out the same."""
    rng = np.random.default_rng(5)
    x = Variable(rng.standard_normal((3, 20, 2)))
    layer = layers.LSTM(4, return_sequences=True, dtype="float64")
    layer(x)
    _perturb_weights(layer)
    with GradientTape(persistent=True) as tape:
        loss = ops.sum(layer(x) ** 2)
    first = tape.gradient(loss, [x] + layer.trainable_weights)
    second = tape.gradient(loss, [x] + layer.trainable_weights)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(layer(x.numpy()).numpy(), layer(x).numpy())   # no tape: the same values


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("recurrent_dropout", [False, True])
def test_lstm_compiled_steps_give_the_numpy_ones_bit_for_bit(monkeypatch, dtype, return_sequences, recurrent_dropout):
    # ops/compiled.py's lstm_cell_forward / lstm_cell_backward against the numpy calls they replace: the
    # outputs and every gradient, bit for bit, with and without a recurrent-dropout mask.
    rng = np.random.default_rng(13)
    B, T, D, n = 6, 17, 5, 7
    args = [Variable(a, dtype=dtype) for a in (rng.standard_normal((B, T, D)), rng.standard_normal((D, 4 * n)),
                                               rng.standard_normal((n, 4 * n)), rng.standard_normal(4 * n),
                                               rng.standard_normal((B, n)), rng.standard_normal((B, n)))]
    recurrent_mask = (rng.random((B, n)) > 0.4) * 2.0 if recurrent_dropout else None

    def run():
        with GradientTape() as tape:
            y = ops.lstm(*args, None, recurrent_mask, return_sequences=return_sequences)
            loss = ops.sum(y * np.cos(np.arange(y.size)).astype(dtype).reshape(y.shape))
        return [y.data] + [g.data for g in tape.gradient(loss, args)]
    monkeypatch.setattr(compiled, "sgemm", lambda: None)     # the per-step loops, not the whole ones
    ours, numpys = with_and_without_loops(monkeypatch, ["lstm_cell_forward", "lstm_cell_backward"], run)
    assert_same_bits(ours, numpys)
    assert all(a.dtype == dtype for a in ours)


def _needs_whole_loops():
    if not compiled.enabled():
        pytest.skip("numba is not installed")
    if compiled.sgemm() is None:
        pytest.skip("numpy's BLAS is neither OpenBLAS nor MKL: the LSTM runs its step loops")


def test_the_compiled_tanh_is_within_a_few_units_in_the_last_place():
    """ops/compiled.py's float32 tanh (the whole LSTM loops' own) against float64's, over every range
    (0.0002 apart in [-12, 12], and the powers from 1e-45 up), and on the special values."""
    if not compiled.enabled():
        pytest.skip("numba is not installed")
    grid = np.linspace(-12, 12, 120_001)
    powers = np.geomspace(1e-45, 12, 20_000)
    x = np.concatenate([grid, powers, -powers]).astype(np.float32)
    got = np.empty_like(x)
    compiled.tanh32(x, got)
    truth = np.tanh(x.astype(np.float64))
    units = np.abs(got - truth) / np.spacing(np.abs(truth).astype(np.float32))
    assert units.max() <= 2.2, (units.max(), x[units.argmax()])
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3e38], np.float32)
    got = np.empty_like(special)
    compiled.tanh32(special, got)
    assert got.tobytes() == np.array([0.0, -0.0, 1, -1, np.nan, 1e-45, -1e-45, 1], np.float32).tobytes()


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("recurrent_dropout", [False, True])
def test_lstm_whole_compiled_loops_agree_with_the_numpy_steps(monkeypatch, return_sequences, recurrent_dropout):
    """In float32 (sigmoid gates, tanh cell, no masking) every step runs in one compiled call, forward and
    backward, with its own tanh: the outputs and every gradient against the numpy steps' (loops off) and
    against float64's: about as close to float64 as numpy's own float32 results are."""
    _needs_whole_loops()
    rng = np.random.default_rng(21)
    B, T, D, n = 6, 40, 5, 7
    values = [rng.standard_normal((B, T, D)), rng.standard_normal((D, 4 * n)) * 0.6,
              rng.standard_normal((n, 4 * n)) * 0.6, rng.standard_normal(4 * n),
              rng.standard_normal((B, n)), rng.standard_normal((B, n))]
    recurrent_mask = (rng.random((B, n)) > 0.4) * 2.0 if recurrent_dropout else None
    ran = []
    for name in ("lstm_forward_steps", "lstm_backward_steps"):
        loop = getattr(compiled, name)
        monkeypatch.setattr(compiled, name, lambda *a, loop=loop, name=name: ran.append(name) or loop(*a))

    def run(dtype, loops):
        compiled.set_enabled(loops)
        try:
            args = [Variable(v, dtype=dtype) for v in values]
            mask = None if recurrent_mask is None else recurrent_mask.astype(dtype)
            with GradientTape() as tape:
                y = ops.lstm(*args, None, mask, return_sequences=return_sequences)
                loss = ops.sum(y * np.cos(np.arange(y.size)).astype(dtype).reshape(y.shape))
            return [y.data] + [g.data for g in tape.gradient(loss, args)]
        finally:
            compiled.set_enabled(True)
    exact = run("float64", False)
    ran.clear()
    whole = run("float32", True)
    assert set(ran) == {"lstm_forward_steps", "lstm_backward_steps"}   # (each in ranges of steps)
    steps = run("float32", False)
    for got, numpys, truth in zip(whole, steps, exact):
        assert got.dtype == np.float32
        scale = np.abs(truth).max()
        whole_error, numpys_error = np.abs(got - truth).max() / scale, np.abs(numpys - truth).max() / scale
        # float32 rounds at 6e-8; 40 steps of it: a few 1e-6 (numpy's tanh is a little more exact than ours)
        assert whole_error <= max(5 * numpys_error, 3e-6), (whole_error, numpys_error)
        np.testing.assert_allclose(got, numpys, rtol=0, atol=1e-5 * scale)


def test_the_blas_product_multiplies_as_numpy_and_a_wrong_one_is_rejected():
    """sgemm() is cblas_sgemm with the right argument types: c = a @ b (beta 0) on other shapes than its own
    check's, the bits numpy gives; and the check rejects a function that does not multiply."""
    _needs_whole_loops()
    rng = np.random.default_rng(8)
    a, b = rng.standard_normal((7, 9)).astype(np.float32), rng.standard_normal((9, 11)).astype(np.float32)
    c = np.full((7, 11), np.nan, np.float32)
    compiled.sgemm()(101, 111, 111, 7, 11, 9, 1.0, a.ctypes.data, 9, b.ctypes.data, 11, 0.0, c.ctypes.data, 11)
    assert c.tobytes() == (a @ b).tobytes()
    assert not compiled._gives_numpys_product(lambda *arguments: None)   # leaves c as it was: rejected
