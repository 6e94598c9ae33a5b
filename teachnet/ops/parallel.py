"""A small thread pool for the elementwise work of a training step.

numpy's matrix products already run on every core (in BLAS), but copies and
ufuncs (`+`, `*`, `np.maximum`, `np.sqrt`, ...) run on the calling thread. On
large arrays numpy releases Python's lock (the GIL) while it loops, so two
threads working on two halves of an array do the work in about half the time.

The ops cut their large passes into independent pieces (a range of images, a
range of a weight's elements) and hand them to `run`. Each piece writes its
own part of the result and computes every number exactly as one thread would,
so the results are bit-identical whatever the thread count (the tests check
this). Small arrays are not split: handing work to a thread costs tens of
microseconds, more than a small pass takes.

The switch:

    teachnet.ops.parallel.set_num_threads(1)   # everything on the calling thread
    teachnet.ops.parallel.set_num_threads(None)  # back to the default

The default is the number of threads numpy's BLAS uses (read with threadpoolctl),
so `OPENBLAS_NUM_THREADS=1` or `threadpoolctl.threadpool_limits(1)` at start-up
also keeps teachnet on one core. The environment variable `TEACHNET_NUM_THREADS` overrides the default.
"""
import contextlib
import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from threadpoolctl import ThreadpoolController   # reads and sets BLAS's thread count (a dependency)

__all__ = ["get_num_threads", "set_num_threads", "run", "split", "pieces_for", "elementwise", "worth_splitting",
           "MIN_SPLIT_BYTES", "matmul", "one_blas_thread", "SMALL_PRODUCT", "run_chunks", "run_pipelined",
           "run_ahead"]

# Below this many bytes touched, a pass stays on one thread. Handing two empty
# pieces to `run` took 70 us on this project's shared 2-core machine (load
# average 7), as long as copying ~1 MiB (a 256 KiB copy took 14 us).
MIN_SPLIT_BYTES = 1 << 20

# A matrix product of fewer multiply-adds than this runs on one BLAS thread (see `matmul`):
# 8 M multiply-adds take ~80 us on one core of this project's machine.
SMALL_PRODUCT = 1 << 23

_num_threads = None   # None: the default (see `_default_num_threads`)
_pool = None          # the ThreadPoolExecutor, made on first use
_pool_size = 0
_blas = None          # threadpoolctl's BLAS controllers, looked up on first use


def _default_num_threads():
    """TEACHNET_NUM_THREADS, else the size of numpy's BLAS pool (1 if none is found)."""
    if os.environ.get("TEACHNET_NUM_THREADS"):
        return max(1, int(os.environ["TEACHNET_NUM_THREADS"]))
    numpy_first = sorted(blas_pools(), key=lambda lib: "numpy" not in lib.filepath)  # not torch's own BLAS
    return max(1, numpy_first[0].num_threads) if numpy_first else 1


def get_num_threads():
    """How many threads the elementwise passes use (1: the calling thread only)."""
    global _num_threads
    if _num_threads is None:
        _num_threads = _default_num_threads()
    return _num_threads


def set_num_threads(n):
    """Sets the thread count for the elementwise passes; None restores the default.

    Args:
        n: a positive integer, or None.
    """
    global _num_threads
    if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
        raise ValueError("set_num_threads expects a positive integer (or None for the default). "
                         f"Received: n={n!r}")
    _num_threads = n


def worth_splitting(nbytes, min_bytes=MIN_SPLIT_BYTES):
    """Whether a pass over `nbytes` bytes should be split across threads (from `min_bytes` on)."""
    return get_num_threads() > 1 and nbytes >= min_bytes


def split(count, pieces):
    """`range(count)` cut into at most `pieces` contiguous slices of near-equal length."""
    pieces = max(1, min(pieces, count))
    bounds = [count * k // pieces for k in range(pieces + 1)]
    return [slice(bounds[k], bounds[k + 1]) for k in range(pieces)]


def blas_pools():
    """threadpoolctl's handles on the BLAS libraries loaded in this process (numpy's OpenBLAS, ...)."""
    global _blas
    if _blas is None:
        _blas = [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
    return _blas


def run(task, pieces, uses_blas=False):
    """Calls `task(piece)` for every piece, on the pool's threads; returns the results in order.

    The pieces must be independent (each writes its own part of the output).
    With one thread, or one piece, the calls run in order on the calling thread.

    `uses_blas=True` says the task multiplies matrices: BLAS then runs on one
    thread inside every piece, however many threads the pool has. Two pools of
    threads on the same cores would fight over them, and OpenBLAS sums a tall
    product (e.g. a kernel's gradient, cols^T @ g) in a different order on 2
    threads than on 1, so the result would depend on the thread count.
    Switching BLAS's count costs ~10 us.
    """
    global _pool, _pool_size
    pieces = list(pieces)
    blas = blas_pools() if uses_blas else []
    saved = [lib.get_num_threads() for lib in blas]
    for lib in blas:
        lib.set_num_threads(1)
    try:
        n = get_num_threads()
        if n == 1 or len(pieces) <= 1:
            return [task(piece) for piece in pieces]
        if _pool is None or _pool_size != n:
            if _pool is not None:
                _pool.shutdown(wait=True)
            # n - 1 helpers: the calling thread does the first piece itself instead of waiting idle.
            _pool, _pool_size = ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix="teachnet"), n
        futures = [_pool.submit(task, piece) for piece in pieces[1:]]
        first = task(pieces[0])
        return [first] + [f.result() for f in futures]
    finally:
        for lib, count in zip(blas, saved):
            lib.set_num_threads(count)


def pieces_for(count, nbytes):
    """`range(count)` cut into one slice per thread when a pass over `nbytes` is worth
    splitting, else into one slice."""
    return split(count, get_num_threads() if worth_splitting(nbytes) else 1)


def elementwise(task, *arrays):
    """Runs `task(*parts)` on matching pieces of same-shaped arrays, side by side.

    For elementwise arithmetic that writes in place (an optimizer's update):
    `task` gets flat views `a.reshape(-1)[piece]` of every array (None stays
    None) and does the same arithmetic on each piece that it would on the
    whole. Arrays that are not contiguous (no flat view) or small stay whole,
    on the calling thread.
    """
    given = [a for a in arrays if a is not None]
    nbytes = sum(a.nbytes for a in given)
    if not worth_splitting(nbytes) or not all(a.flags.c_contiguous for a in given):
        task(*arrays)
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    run(lambda piece: task(*(None if a is None else a[piece] for a in flat)), split(given[0].size, get_num_threads()))


@contextlib.contextmanager
def one_blas_thread():
    """Inside the `with` block, numpy's BLAS runs every product on one thread."""
    blas = blas_pools()
    saved = [lib.get_num_threads() for lib in blas]
    for lib, count in zip(blas, saved):
        if count > 1:
            lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, count in zip(blas, saved):
            if count > 1:
                lib.set_num_threads(count)


def matmul(a, b):
    """`a @ b` for numpy arrays, with a small 2D product kept on one BLAS thread.

    OpenBLAS hands any product of more than ~262,000 multiply-adds to all its
    threads. For one as small as a classifier's last layer (64 x 1152 x 10),
    waking the other thread costs more than it saves; worse, the woken thread
    then spins, waiting for more work, for milliseconds, on a core that the
    thread pool's work (a convolution's backward pass, right after) needs. The
    benchmark's convnet took 50 ms of CPU time a step with its last layer's
    products on two BLAS threads, 29 ms with them on one (machine under load).
    Products of `SMALL_PRODUCT` multiply-adds or more use BLAS's threads as usual.
    """
    if a.ndim == 2 and b.ndim == 2 and a.shape[0] * a.shape[1] * b.shape[1] < SMALL_PRODUCT:
        with one_blas_thread():
            return a @ b
    return a @ b


def run_chunks(task, count, nbytes, make_buffer=None, uses_blas=False, min_bytes=MIN_SPLIT_BYTES):
    """Calls `task(i, buffer)` for i in range(count); returns the results in order of i.

    Each thread takes the next i as soon as it has finished its last one, so on
    a busy machine a thread that gets less of a core does fewer chunks instead
    of keeping the others waiting (`run` hands each thread a fixed share).
    `buffer` is `make_buffer()`, made once per thread (None without it), for
    scratch work that must not be shared. The chunks must be independent and
    a chunk's numbers must not depend on which thread computes it: then the
    results are bit-identical on any number of threads. Split only when a pass
    over `nbytes` is worth it (see `worth_splitting`, from `min_bytes` on); `uses_blas` as in `run`.
    """
    results = [None] * count
    next_chunk, taking = itertools.count(), threading.Lock()   # each i goes to exactly one thread

    def work(_):
        buffer = None if make_buffer is None else make_buffer()
        while True:
            with taking:
                i = next(next_chunk)
            if i >= count:
                return
            results[i] = task(i, buffer)
    threads = get_num_threads() if worth_splitting(nbytes, min_bytes) else 1
    run(work, range(max(1, min(threads, count))), uses_blas=uses_blas)
    return results


def run_pipelined(produce, consume, count, uses_blas=False):
    """produce(i) for i = 0, 1, ..., count - 1 in that order on the calling thread; consume(i) for every i as
    soon as produce(i) has returned, on the pool's other threads, and on the calling thread too once it has
    produced them all. A serial loop (an LSTM's steps backward, in ranges) then runs beside the work that
    only waits for its results (the weight gradients of the steps done so far) instead of before it.

    The consume calls must be independent of each other, and a produce must release Python's lock (GIL)
    while it works (a compiled loop) for the two to overlap. On one thread: every produce, then every
    consume. `uses_blas` as in `run`.
    """
    if get_num_threads() == 1 or count <= 1:
        for i in range(count):
            produce(i)
        for i in range(count):
            consume(i)
        return
    state = {"produced": 0, "taken": 0}
    changed = threading.Condition()

    def take(wait):
        """The next produced i nobody has taken, or None when there is none (and, with `wait`, none to come)."""
        with changed:
            while state["taken"] == state["produced"] < count and wait:
                changed.wait()
            if state["taken"] == state["produced"]:
                return None
            state["taken"] += 1
            return state["taken"] - 1

    def consume_all(wait):
        while (i := take(wait)) is not None:
            consume(i)

    def calling_thread():
        try:
            for i in range(count):
                produce(i)
                with changed:
                    state["produced"] += 1
                    changed.notify_all()
        except BaseException:
            with changed:                                # the other threads stop waiting
                state["taken"] = state["produced"] = count
                changed.notify_all()
            raise
        consume_all(wait=False)

    roles = [calling_thread] + [lambda: consume_all(wait=True)] * (get_num_threads() - 1)
    run(lambda role: role(), roles, uses_blas=uses_blas)


def run_ahead(produce, consume, count, uses_blas=False):
    """consume(i) for i = 0, 1, ..., count - 1 in that order on the calling thread, each once produce(i) has
    returned; produce(i) in order of i on the pool's other threads, ahead of the consumes, and on the calling
    thread when no other thread has taken the next one yet. The mirror of `run_pipelined`: a serial loop
    (an LSTM's steps forward, in ranges) starts on the first results of the work it needs (the input
    products) while the rest are made beside it.

    The produce calls must be independent of each other, and a consume must release Python's lock (GIL)
    while it works for the two to overlap. On one thread: produce(i), consume(i), for each i. `uses_blas`
    as in `run`.
    """
    if get_num_threads() == 1 or count <= 1:
        for i in range(count):
            produce(i)
            consume(i)
        return
    state = {"taken": 0, "stop": False, "failed": False}
    done = [False] * count
    changed = threading.Condition()

    def take():
        """The next i no thread has taken, or None."""
        with changed:
            if state["stop"] or state["taken"] == count:
                return None
            state["taken"] += 1
            return state["taken"] - 1

    def produce_and_say(i):
        produce(i)
        with changed:
            done[i] = True
            changed.notify_all()

    def other_thread():
        try:
            while (i := take()) is not None:
                produce_and_say(i)
        except BaseException:
            with changed:                                         # the calling thread stops waiting;
                state["failed"] = True                            # `run` raises this error
                changed.notify_all()
            raise

    def calling_thread():
        try:
            for i in range(count):
                while not done[i]:
                    if state["failed"]:
                        return
                    j = take() if state["taken"] <= i else None   # not taken yet: made here
                    if j is not None:
                        produce_and_say(j)
                        continue
                    with changed:
                        while not done[i] and not state["failed"]:
                            changed.wait()
                consume(i)
        finally:
            with changed:                                         # (after an error: the others stop)
                state["stop"] = True
                changed.notify_all()

    run(lambda role: role(), [calling_thread] + [other_thread] * (get_num_threads() - 1), uses_blas=uses_blas)
