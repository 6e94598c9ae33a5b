"""Where bench.py's LSTM (batch 64, 100 steps, 32 features, 32 units) spends a time step, teachnet and PyTorch.

    python benchmarks/profile_lstm.py                 # 1 thread (the least noisy on a shared machine)
    python benchmarks/profile_lstm.py --threads 2

First, one training step of bench.py's lstm workload (Embedding, LSTM, Dense head, binary crossentropy,
RMSprop), part by part, in ms per batch of 64: the calling thread's CPU time and the wall time of each part
(with 2 threads, the pool's other thread takes a share of the LSTM's passes over all the steps and of the
optimizer's update, and its time is not counted). The LSTM's passes outside its loops over time (the
input products; the local derivatives; the weight-gradient products and dx) are also shown on their own;
in float32 the loops run compiled, in ranges of steps, beside the passes they wait for (forward) or feed
(backward): those rows then show a loop and its passes together.

Prints, per time step (the op's time / 100), for `teachnet.ops.lstm` forward and backward: the time of the
calling thread (CPU time, which other processes on the machine disturb less than wall time) and the wall
time; the same op at batch 1 with 1 feature and 1 unit, where the arithmetic is negligible (what is left is
Python and the cost of calling numpy); the pieces one step repeats (the recurrent product and single numpy
calls at the step's shapes); and torch.nn.LSTM's forward and forward+backward on the same shapes.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def median_seconds(task, repeats, inner=1):
    """Median over `repeats` of (calling thread's CPU seconds, wall seconds) of one `task()`."""
    task()
    cpu, wall = [], []
    for _ in range(repeats):
        c, w = time.thread_time(), time.perf_counter()
        for _ in range(inner):
            task()
        cpu.append((time.thread_time() - c) / inner)
        wall.append((time.perf_counter() - w) / inner)
    return statistics.median(cpu), statistics.median(wall)


def teachnet_lstm(batch, steps, features, units, repeats):
    """(forward, backward) per step, each (CPU us, wall us), of ops.lstm with return_sequences=False."""
    import numpy as np

    import teachnet
    from teachnet import ops

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, steps, features)).astype(np.float32)
    kernel, recurrent_kernel = (teachnet.Variable((rng.standard_normal(shape) * 0.1).astype(np.float32))
                                for shape in ((features, 4 * units), (units, 4 * units)))
    bias = teachnet.Variable(np.zeros(4 * units, np.float32))
    h0 = np.zeros((batch, units), np.float32)

    def forward():
        return ops.lstm(x, kernel, recurrent_kernel, bias, h0, h0, return_sequences=False)

    def both():
        with teachnet.GradientTape() as tape:
            loss = ops.sum(forward()[0])
        tape.gradient(loss, [kernel, recurrent_kernel, bias])
    f, fb = median_seconds(forward, repeats), median_seconds(both, repeats)
    per_step = lambda seconds: seconds / steps * 1e6   # noqa: E731
    return [(per_step(f[k]), per_step(fb[k] - f[k])) for k in (0, 1)]


PASSES = {"project": "LSTM input products (forward)", "local_derivatives": "LSTM local derivatives (backward)",
          "products": "LSTM weight-gradient products, dx (backward)",
          # float32's whole compiled loops, each with the passes it waits for or feeds beside it:
          "run_ahead": "LSTM steps, input products beside (forward)",
          "run_pipelined": "LSTM steps, products and dx beside (backward)"}


def training_step_parts(repeats):
    """{part: (CPU ms, wall ms)} medians over `repeats` batches of one train_step of bench.py's lstm model."""
    import numpy as np

    import teachnet
    import teachnet.ops.core
    import teachnet.ops.recurrent

    timings = {}

    def timed(part, task):
        def run(*args, **kwargs):
            cpu, wall = time.thread_time(), time.perf_counter()
            result = task(*args, **kwargs)
            before = timings.get(part, (0.0, 0.0))                    # a part may run several times a step
            timings[part] = (before[0] + time.thread_time() - cpu, before[1] + time.perf_counter() - wall)
            return result
        return run

    def timing_backward(part, record):
        # The ops' backward functions run inside tape.gradient: the op's module-level `record` is replaced
        # by one that times the backward it is given (a measuring device for this script only).
        return lambda op, value, inputs, backward: record(op, value, inputs, timed(part, backward))
    teachnet.ops.recurrent.record = timing_backward("LSTM backward", teachnet.ops.recurrent.record)

    class TimedPool:                     # the LSTM's ops.parallel, with its passes (parallel.run) timed
        def __getattr__(self, name):
            return getattr(teachnet.ops.parallel, name)

        def run(self, task, pieces, uses_blas=False):
            part = PASSES.get(getattr(task, "__name__", ""), "LSTM, other passes")
            return timed(part, teachnet.ops.parallel.run)(task, pieces, uses_blas=uses_blas)

        def run_ahead(self, *args, **kwargs):
            return timed(PASSES["run_ahead"], teachnet.ops.parallel.run_ahead)(*args, **kwargs)

        def run_pipelined(self, *args, **kwargs):
            return timed(PASSES["run_pipelined"], teachnet.ops.parallel.run_pipelined)(*args, **kwargs)
    teachnet.ops.recurrent.parallel = TimedPool()
    teachnet.ops.core.record = timing_backward("ops.core's backward (take, matmul, ...)",
                                               teachnet.ops.core.record)

    rng = np.random.default_rng(0)
    x = rng.integers(1, 10000, size=(64, 100)).astype(np.int64)     # bench.py's imdb_shaped batch
    y = rng.integers(0, 2, size=(64, 1)).astype(np.float32)
    embedding, lstm, dense = (teachnet.layers.Embedding(10000, 32), teachnet.layers.LSTM(32),
                              teachnet.layers.Dense(1, activation="sigmoid"))
    model = teachnet.Sequential([teachnet.Input(shape=(100,), dtype="int64"), embedding, lstm, dense])
    model.compile(optimizer=teachnet.optimizers.RMSprop(), loss="binary_crossentropy")
    weights = model.trainable_weights

    def step():                                                      # Model.train_step, written out
        with teachnet.GradientTape() as tape:
            sequences = timed("Embedding forward", embedding)(x)
            h = timed("LSTM forward", lstm)(sequences)
            loss = timed("Dense head and loss forward", lambda: model.compute_loss(x, y, dense(h)))()
        gradients = timed("backward (tape.gradient)", tape.gradient)(loss, weights)
        timed("optimizer (RMSprop)", model.optimizer.apply)(gradients, weights)
    step = timed("whole step", step)
    parts = {}
    for _ in range(repeats + 1):                                     # the first step builds the optimizer
        timings.clear()
        step()
        for part, seconds in timings.items():
            parts.setdefault(part, []).append(seconds)
    return {part: tuple(statistics.median(s[k] for s in runs[1:]) * 1e3 for k in (0, 1))
            for part, runs in parts.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="numpy's BLAS, teachnet's pool and torch (default 1)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)   # before numpy loads OpenBLAS
    os.environ["TEACHNET_NUM_THREADS"] = str(args.threads)
    import numpy as np

    print(f"{args.threads} thread(s); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("  one training step of bench.py's lstm workload, ms per batch, calling thread's CPU time / wall time")
    parts = training_step_parts(args.repeats)
    for part in ("Embedding forward", "LSTM forward", PASSES["project"], PASSES["run_ahead"],
                 "Dense head and loss forward", "backward (tape.gradient)", "LSTM backward",
                 PASSES["local_derivatives"], PASSES["products"], PASSES["run_pipelined"],
                 "ops.core's backward (take, matmul, ...)", "optimizer (RMSprop)", "whole step"):
        if part not in parts:                                        # (a part this version does not have)
            continue
        indent = ("    of which " if part in PASSES.values() else
                  "  of which " if part.startswith(("LSTM backward", "ops.core")) else "")
        print(f"    {indent}{part:{58 - len(indent)}s} {parts[part][0]:6.2f} / {parts[part][1]:6.2f}")
    print("  us per time step, calling thread's CPU time / wall time")
    for label, shape in (("teachnet ops.lstm, batch 64, 32 features, 32 units", (64, 100, 32, 32)),
                         ("teachnet ops.lstm, batch 1, 1 feature, 1 unit (calls only)", (1, 100, 1, 1))):
        (fc, bc), (fw, bw) = teachnet_lstm(*shape, args.repeats)
        print(f"  {label:58s} forward {fc:6.1f} / {fw:6.1f}   backward {bc:6.1f} / {bw:6.1f}")

    rng = np.random.default_rng(0)
    u, h = rng.random((128, 32), dtype=np.float32), rng.random((32, 64), dtype=np.float32)
    z, gates, block = np.empty((128, 64), np.float32), rng.random((128, 64), dtype=np.float32), np.empty((32, 64),
                                                                                                         np.float32)
    pieces = {"recurrent product (4 units, units) @ (units, batch)": lambda: np.matmul(u, h, out=z),
              "tanh of all gates (4 units, batch)": lambda: np.tanh(gates, out=z),
              "multiply of two gate blocks (units, batch)": lambda: np.multiply(gates[:32], gates[32:64], out=block),
              "a view (one gate block)": lambda: gates[32:64]}
    for name, task in pieces.items():
        cpu, wall = median_seconds(task, args.repeats, inner=2000)
        print(f"  {name:58s} {cpu * 1e6:6.2f} / {wall * 1e6:6.2f} per call")

    try:
        import torch
    except ImportError:
        print("  torch is not installed: no torch line")
        return
    torch.set_num_threads(args.threads)
    layer = torch.nn.LSTM(32, 32, batch_first=True)
    x = torch.randn(64, 100, 32)

    def forward():
        with torch.no_grad():
            layer(x)

    def both():
        _, (h_last, _) = layer(x)
        h_last.sum().backward()
    f, fb = median_seconds(forward, args.repeats), median_seconds(both, args.repeats)
    print(f"  {'torch nn.LSTM, the same shapes (forward without autograd)':58s} forward {f[0] / 100 * 1e6:6.1f} / "
          f"{f[1] / 100 * 1e6:6.1f}   forward+backward {fb[0] / 100 * 1e6:6.1f} / {fb[1] / 100 * 1e6:6.1f}")


if __name__ == "__main__":
    main()
