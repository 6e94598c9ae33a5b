"""The thread pool for elementwise work (teachnet/ops/parallel.py).

What is proved here:
- every op and optimizer that splits its work across threads gives
  bit-identical values and gradients with 1, 2 and 3 threads (sizes chosen
  large enough to be split);
- the pieces really run on other threads, and small arrays are not split;
- the switch: set_num_threads / get_num_threads, TEACHNET_NUM_THREADS, bad values.
"""
import contextlib
import subprocess
import sys
import threading

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import teachnet
from teachnet import ops
from teachnet.autodiff import GradientTape, Variable
from teachnet.ops import parallel
from teachnet.ops.conv import conv_bias_relu, max_pool

THREAD_COUNTS = (1, 2, 3)


@pytest.fixture(autouse=True)
def restore_thread_count():
    yield
    parallel.set_num_threads(None)


def under_each_thread_count(compute):
    """compute() run with 1, 2 and 3 threads: a list of its results (lists of arrays)."""
    results = []
    for n in THREAD_COUNTS:
        parallel.set_num_threads(n)
        results.append([np.array(a) for a in compute()])
    return results


def assert_bit_identical(results):
    for n, result in zip(THREAD_COUNTS[1:], results[1:]):
        for one, other in zip(results[0], result):
            assert one.dtype == other.dtype and one.shape == other.shape
            assert np.array_equal(one, other), f"{n} threads differ from 1 thread"


def count_split_runs(monkeypatch):
    """Patches parallel.run to count the calls that hand out more than one piece."""
    calls = []
    original = parallel.run

    def counting_run(task, pieces, uses_blas=False):
        pieces = list(pieces)
        calls.append(len(pieces))
        return original(task, pieces, uses_blas)
    monkeypatch.setattr(parallel, "run", counting_run)
    return calls


@pytest.mark.parametrize("kwargs", [dict(relu=True), dict(relu=False, strides=2, padding="same"),
                                    dict(relu=True, dilation_rate=2)])
@pytest.mark.parametrize("channels, filters", [(1, 16), (8, 16)])   # kept cols (first layer) and rebuilt cols
def test_conv_bias_relu_is_bit_identical_on_any_number_of_threads(monkeypatch, kwargs, channels, filters):
    rng = np.random.default_rng(0)
    x = Variable(rng.standard_normal((96, 24, 24, channels)).astype("float32"))
    k = Variable(rng.standard_normal((3, 3, channels, filters)).astype("float32"))
    b = Variable(rng.standard_normal(filters).astype("float32"))
    g = rng.standard_normal(conv_bias_relu(x, k, b, **kwargs).shape).astype("float32")
    calls = count_split_runs(monkeypatch)

    def compute():
        with GradientTape() as tape:
            y = conv_bias_relu(x, k, b, **kwargs)
        return [y.data] + [d.data for d in tape.gradient(y, [x, k, b], output_gradients=g)]
    assert_bit_identical(under_each_thread_count(compute))
    assert max(calls) > 1, "the batch was never split: the test did not exercise the threads"


@pytest.mark.parametrize("pool, strides, padding", [(2, None, "valid"), (3, 2, "same"), (2, 1, "valid")])
def test_max_pool_is_bit_identical_on_any_number_of_threads(monkeypatch, pool, strides, padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((96, 24, 24, 16)).astype("float32")   # 3.5 MB + the output: over _POOL_MIN_SPLIT_BYTES
    x[:, ::3] = np.maximum(x[:, ::3], 0).round()          # ties (0s and 1s), as after relu: routing matters
    x = Variable(x)
    g = rng.standard_normal(max_pool(x, pool, strides, padding).shape).astype("float32")
    calls = count_split_runs(monkeypatch)

    def compute():
        with GradientTape() as tape:
            y = max_pool(x, pool, strides, padding)
        return [y.data, tape.gradient(y, x, output_gradients=g).data]
    assert_bit_identical(under_each_thread_count(compute))
    assert max(calls) > 1


@pytest.mark.parametrize("make_optimizer", [
    lambda: teachnet.optimizers.SGD(learning_rate=0.01),
    lambda: teachnet.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
    lambda: teachnet.optimizers.RMSprop(learning_rate=0.01),
    lambda: teachnet.optimizers.RMSprop(learning_rate=0.01, momentum=0.9, centered=True),
    lambda: teachnet.optimizers.Adam(learning_rate=0.01),
    lambda: teachnet.optimizers.Adam(learning_rate=0.01, amsgrad=True),
], ids=["sgd", "sgd-nesterov", "rmsprop", "rmsprop-centered-momentum", "adam", "adam-amsgrad"])
def test_optimizer_updates_are_bit_identical_on_any_number_of_threads(monkeypatch, make_optimizer):
    rng = np.random.default_rng(2)
    start = rng.standard_normal((400, 700)).astype("float32")   # 1.1 MB a weight: split
    grads = [rng.standard_normal(start.shape).astype("float32") for _ in range(3)]
    calls = count_split_runs(monkeypatch)

    def compute():
        w = Variable(start.copy())
        optimizer = make_optimizer()
        for g in grads:
            optimizer.apply([g], [w])
        return [w.data] + [slot.data for slot in optimizer.variables[1:]]
    results = under_each_thread_count(compute)
    assert_bit_identical(results)
    assert max(calls) > 1
    assert not np.array_equal(results[0][0], start)


def test_a_convnet_trains_to_the_same_bits_on_one_and_two_threads():
    x = np.random.default_rng(3).random((128, 28, 28, 1), dtype=np.float32)
    y = np.random.default_rng(4).integers(0, 10, 128)

    def compute():
        teachnet.utils.set_random_seed(5)
        model = teachnet.Sequential([
            teachnet.Input(shape=(28, 28, 1)),
            teachnet.layers.Conv2D(32, 3, activation="relu"),
            teachnet.layers.MaxPooling2D(),
            teachnet.layers.Conv2D(64, 3, activation="relu"),
            teachnet.layers.Flatten(),
            teachnet.layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer=teachnet.optimizers.Adam(), loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=64, epochs=1, verbose=0)
        return [w.numpy() for w in model.weights]
    assert_bit_identical(under_each_thread_count(compute))


def test_pieces_run_on_other_threads():
    parallel.set_num_threads(2)
    seen = parallel.run(lambda piece: threading.get_ident(), parallel.split(10, 2))
    assert len(set(seen)) == 2 and seen[0] == threading.get_ident()


def test_small_arrays_stay_on_the_calling_thread(monkeypatch):
    parallel.set_num_threads(2)
    calls = count_split_runs(monkeypatch)
    x = Variable(np.ones((2, 8, 8, 3), "float32"))
    with GradientTape() as tape:
        y = ops.sum(max_pool(conv_bias_relu(x, np.ones((3, 3, 3, 4), "float32"), np.zeros(4, "float32"),
                                            relu=True), 2))
    tape.gradient(y, x)
    w = Variable(np.ones((10, 10), "float32"))
    teachnet.optimizers.Adam().apply([np.ones((10, 10), "float32")], [w])
    assert calls and max(calls) == 1


def test_split_covers_the_range_in_order():
    assert parallel.split(10, 3) == [slice(0, 3), slice(3, 6), slice(6, 10)]
    assert parallel.split(2, 5) == [slice(0, 1), slice(1, 2)]


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_set_num_threads_rejects_what_is_not_a_positive_integer(bad):
    with pytest.raises(ValueError, match=r"positive integer .*Received: n="):
        parallel.set_num_threads(bad)


def test_the_default_follows_blas_and_the_environment_overrides_it():
    code = ("import teachnet.ops.parallel as p, threadpoolctl as t; import numpy;"
            "print(p.get_num_threads(), [i['num_threads'] for i in t.threadpool_info() if i['user_api'] == 'blas'][0])")
    env_run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**__import__("os").environ, "OPENBLAS_NUM_THREADS": "1"})
    ours, blas = env_run.stdout.split()
    assert ours == blas == "1"
    forced = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**__import__("os").environ, "TEACHNET_NUM_THREADS": "3"})
    assert forced.stdout.split()[0] == "3"


def blas_thread_count():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"][0]


def test_small_products_run_on_one_blas_thread_and_the_count_comes_back(monkeypatch):
    with threadpool_limits(2, user_api="blas"):
        seen = []
        original = parallel.one_blas_thread

        @contextlib.contextmanager
        def watching():
            with original():
                seen.append(blas_thread_count())
                yield
        monkeypatch.setattr(parallel, "one_blas_thread", watching)
        rng = np.random.default_rng(0)
        a, b = rng.standard_normal((64, 1152)).astype("float32"), rng.standard_normal((1152, 10)).astype("float32")
        small = parallel.matmul(a, b)                                  # 737,280 multiply-adds
        with threadpool_limits(1, user_api="blas"):
            expected = a @ b
        assert seen == [1] and np.array_equal(small, expected)
        big = rng.standard_normal((512, 512)).astype("float32")       # 134 M multiply-adds: BLAS's threads
        assert np.array_equal(parallel.matmul(big, big), big @ big) and seen == [1]
        assert blas_thread_count() == 2


def test_one_blas_thread_restores_the_count_after_an_error():
    with threadpool_limits(2, user_api="blas"):
        with pytest.raises(RuntimeError):
            with parallel.one_blas_thread():
                assert blas_thread_count() == 1
                raise RuntimeError("inside")
        assert blas_thread_count() == 2


def test_run_chunks_does_each_chunk_once_in_order_and_a_free_thread_takes_more():
    parallel.set_num_threads(2)
    done = []
    slow_thread = []

    def task(i, buffer):
        buffer.append(i)                                   # the buffer is the thread's own
        if not slow_thread:
            slow_thread.append(threading.get_ident())
        if threading.get_ident() == slow_thread[0]:
            threading.Event().wait(0.05)                   # this thread is held up: the other takes the rest
        done.append(i)
        return i * i
    buffers = []

    def make_buffer():
        buffers.append([])
        return buffers[-1]
    results = parallel.run_chunks(task, 12, parallel.MIN_SPLIT_BYTES, make_buffer)
    assert results == [i * i for i in range(12)] and sorted(done) == list(range(12))
    assert len(buffers) == 2 and sorted(buffers[0] + buffers[1]) == list(range(12))
    assert min(len(b) for b in buffers) <= 3, "the held-up thread did as many chunks as the free one"


def test_run_chunks_stays_on_the_calling_thread_for_small_work():
    parallel.set_num_threads(2)
    seen = parallel.run_chunks(lambda i, buffer: threading.get_ident(), 5, parallel.MIN_SPLIT_BYTES - 1)
    assert set(seen) == {threading.get_ident()}


@pytest.mark.parametrize("threads", THREAD_COUNTS)
def test_run_pipelined_produces_in_order_here_and_consumes_each_once_after_its_produce(threads):
    parallel.set_num_threads(threads)
    caller, events, lock = threading.get_ident(), [], threading.Lock()

    def produce(i):
        assert threading.get_ident() == caller
        threading.Event().wait(0.002)                      # (a loop working without Python's lock)
        with lock:
            events.append(("produce", i))

    def consume(i):
        with lock:
            events.append(("consume", i, threading.get_ident()))
    parallel.run_pipelined(produce, consume, 8)
    assert [e[1] for e in events if e[0] == "produce"] == list(range(8))
    consumed = [e[1] for e in events if e[0] == "consume"]
    assert sorted(consumed) == list(range(8))
    for i in range(8):
        assert events.index(("produce", i)) < [e[:2] for e in events].index(("consume", i))
    helpers = {e[2] for e in events if e[0] == "consume"} - {caller}
    assert bool(helpers) == (threads > 1)                  # the other threads consume while this one produces


def test_run_pipelined_passes_a_produce_error_on_and_lets_the_other_threads_go():
    parallel.set_num_threads(2)

    def produce(i):
        if i == 3:
            raise ValueError("step 3 failed")
    consumed = []
    finished = threading.Event()

    def call():
        with pytest.raises(ValueError, match="step 3 failed"):
            parallel.run_pipelined(produce, consumed.append, 6)
        finished.set()
    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    assert finished.wait(10), "run_pipelined hung after a failed produce"
    assert set(consumed) <= {0, 1, 2}


@pytest.mark.parametrize("threads", THREAD_COUNTS)
def test_run_ahead_consumes_in_order_here_each_after_its_produce(threads):
    parallel.set_num_threads(threads)
    caller, events, lock = threading.get_ident(), [], threading.Lock()

    def produce(i):
        with lock:
            events.append(("produce", i, threading.get_ident()))

    def consume(i):
        assert threading.get_ident() == caller
        threading.Event().wait(0.002)                      # (a loop working without Python's lock)
        with lock:
            events.append(("consume", i))
    parallel.run_ahead(produce, consume, 8)
    assert [e[1] for e in events if e[0] == "consume"] == list(range(8))
    assert sorted(e[1] for e in events if e[0] == "produce") == list(range(8))
    for i in range(8):
        assert [e[:2] for e in events].index(("produce", i)) < events.index(("consume", i))
    helpers = {e[2] for e in events if e[0] == "produce"} - {caller}
    assert bool(helpers) == (threads > 1)                  # the other threads produce ahead


@pytest.mark.parametrize("failing", ["produce", "consume"])
def test_run_ahead_passes_an_error_on_without_hanging(failing):
    parallel.set_num_threads(2)
    calls = []

    def produce(i):
        if failing == "produce" and i == 3:
            raise ValueError("range 3 failed")
        threading.Event().wait(0.001)
        calls.append(i)

    def consume(i):
        if failing == "consume" and i == 3:
            raise ValueError("range 3 failed")
    finished = threading.Event()

    def call():
        with pytest.raises(ValueError, match="range 3 failed"):
            parallel.run_ahead(produce, consume, 50)
        finished.set()
    threading.Thread(target=call, daemon=True).start()
    assert finished.wait(10), "run_ahead hung after an error"
    assert len(calls) < 50                                 # the other threads stopped
