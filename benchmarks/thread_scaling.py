"""How much a second thread speeds up single numpy calls of a given size: the limit under teachnet's thread pool.

    python benchmarks/thread_scaling.py                 # the sizes a convnet chunk and an LSTM step work on
    python benchmarks/thread_scaling.py --sizes 8192,131072 --calls 500

teachnet's pool (teachnet/ops/parallel.py) runs numpy calls on two Python threads at once. numpy lets go
of Python's lock (the GIL) while its loop runs, so two threads can use two cores, but every call still
takes the lock to start and to return, and a thread that wants the lock while the other holds it sleeps
until it is handed over. For short calls that hand-over costs about as much as the call.

For each operation and array size (float32 elements), this times `--calls` calls on one thread, then the
same number of calls on each of two threads at once (each on its own arrays), and prints

    scaling = 2 x (one thread's time) / (two threads' time)

2.0: both cores fully used; 1.0: the second thread added nothing; below 1.0: two threads together did
less than one alone. Each figure is the median of --repeats runs, in microseconds per call.
The operations are what a chunk of a convolution does (about 1 MiB of rows a chunk): an add into an existing
array, im2col's copy of 3x3 windows into rows, and a matrix product (x, 288) @ (288, 64) on one BLAS thread.
"""
import argparse
import os
import statistics
import sys
import threading
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # the products run one BLAS thread per Python thread,
import numpy as np                                     # as teachnet's pool runs them

DEFAULT_SIZES = (8192, 34848, 139392, 557568)   # 32 KB to 2.2 MB of float32
IMAGE = 11 * 11 * 9 * 32                          # im2col's rows for one 13 x 13 x 32 image


def operations(size, rng):
    """name -> a function that makes new arrays of about `size` elements and returns (run the operation once,
    the number of elements it writes)."""
    rows = max(1, size // 64)

    def add():
        a, b = rng.random(size, dtype=np.float32), rng.random(size, dtype=np.float32)
        return (lambda: np.add(a, b, out=a)), size

    def im2col():
        # im2col's copy of a few images: the 3x3 windows of (images, 13, 13, 32) pixels, the input of the
        # benchmark convnet's second convolution, into rows of 9 * 32 numbers, (images, 11, 11, 3, 3, 32)
        images = max(1, round(size / IMAGE))
        pixels = rng.random((images, 13, 13, 32), dtype=np.float32)
        windows = np.lib.stride_tricks.sliding_window_view(pixels, (3, 3), axis=(1, 2))  # (images, 11, 11, 32, 3, 3)
        windows = windows.transpose(0, 1, 2, 4, 5, 3)                                   # (images, 11, 11, 3, 3, 32)
        cols = np.empty((images * 11 * 11, 9 * 32), dtype=np.float32).reshape(windows.shape)   # a view, as in the op
        return (lambda: np.copyto(cols, windows)), cols.size

    def product():
        a = rng.random((max(1, size // 288), 288), dtype=np.float32)
        b = rng.random((288, 64), dtype=np.float32)
        out = np.empty((a.shape[0], 64), dtype=np.float32)
        return (lambda: np.matmul(a, b, out=out)), a.size

    made = {"np.add(a, b, out=a)": add, "(x, 288) @ (288, 64)": product}
    if size >= IMAGE // 2:   # im2col copies whole images
        made["np.copyto (im2col)"] = im2col
    return made


def seconds_per_call(make, threads, calls):
    """Wall seconds per call when `threads` threads each make `calls` calls (each thread its own arrays)."""
    runs = [make()[0] for _ in range(threads)]
    for run in runs:
        run()                                                   # warm-up: page faults, first dispatch
    start_together = threading.Barrier(threads + 1)

    def work(run):
        start_together.wait()
        for _ in range(calls):
            run()
    workers = [threading.Thread(target=work, args=(run,)) for run in runs]
    for worker in workers:
        worker.start()
    start_together.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    return (time.perf_counter() - start) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="array sizes in float32 elements, comma-separated")
    parser.add_argument("--calls", type=int, default=300, help="calls per thread per run")
    parser.add_argument("--repeats", type=int, default=7, help="runs per figure; the median is shown")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes expects comma-separated whole numbers. Received: {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.calls < 1 or args.repeats < 1:
        parser.error("--sizes, --calls and --repeats must be positive.")

    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; median of {args.repeats} runs of {args.calls} calls a thread")
    print(f"{'operation':24s} {'elements':>9s} {'1 thread':>10s} {'2 threads':>10s} {'scaling':>8s}   (us per call)")
    for size in sizes:
        for name, make in operations(size, rng).items():
            elements = make()[1]
            one = statistics.median(seconds_per_call(make, 1, args.calls) for _ in range(args.repeats))
            two = statistics.median(seconds_per_call(make, 2, args.calls) for _ in range(args.repeats))
            print(f"{name:24s} {elements:9d} {one * 1e6:10.1f} {two * 1e6:10.1f} {2 * one / two:8.2f}")


if __name__ == "__main__":
    main()
