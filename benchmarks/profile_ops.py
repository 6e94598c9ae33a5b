"""Where one of bench.py's teachnet workloads spends a training step: time per op, forward and backward.

    python benchmarks/profile_ops.py                      # the convnet, 1 thread, 2 epochs
    python benchmarks/profile_ops.py --workload lstm --threads 2 --epochs 1
    python benchmarks/profile_ops.py --torch --top 0       # and PyTorch's CPU time a step, epochs alternating

Every op ends by calling `teachnet.autodiff.record`; this script wraps it. An op's forward time is the
time since the previous op recorded, or since the step's GradientTape opened (in a forward pass the ops
run one after another, so that is the op's own work plus a little Python before it), its backward time is the time its `backward` function runs.
The table lists both per op name and output shape, in milliseconds per step, after the whole step's
process time (all threads) and its minor page faults.
"""
import argparse
import collections
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="convnet", help="mlp, convnet or lstm (as in bench.py)")
    parser.add_argument("--threads", type=int, default=1, help="threads for numpy's BLAS (default 1)")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs after one warm-up epoch")
    parser.add_argument("--top", type=int, default=20, help="rows to print")
    parser.add_argument("--torch", action="store_true",
                        help="also time bench.py's PyTorch side, its epochs alternating with teachnet's")
    args = parser.parse_args(argv)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)  # before numpy loads OpenBLAS
    os.environ["TEACHNET_NUM_THREADS"] = str(args.threads)

    import numpy as np
    from threadpoolctl import threadpool_limits

    import teachnet
    from teachnet import autodiff
    from benchmarks import bench

    if args.workload not in bench.WORKLOADS:
        parser.error(f"unknown workload {args.workload!r}; expected one of {list(bench.WORKLOADS)}")
    workload = bench.WORKLOADS[args.workload]
    # One thread: the calling thread's CPU time, steady on a busy machine; more: wall time.
    clock = time.thread_time if args.threads == 1 else time.perf_counter
    limiter = threadpool_limits(limits=args.threads, user_api="blas")  # noqa: F841 (kept for the run)

    times = collections.defaultdict(float)
    last = [clock()]
    original = autodiff.record

    def record(op, value, inputs, backward):
        now = clock()
        key = f"{op} -> {tuple(getattr(value, 'shape', ()))}"
        times["forward  " + key] += now - last[0]

        def timed_backward(g):
            start = clock()
            grads = backward(g)
            times["backward " + key] += clock() - start
            return grads
        out = original(op, value, inputs, timed_backward)
        last[0] = clock()
        return out

    enter = autodiff.GradientTape.__enter__

    def enter_and_start_the_clock(tape):  # a training step's forward pass starts with its tape
        last[0] = clock()
        return enter(tape)
    autodiff.GradientTape.__enter__ = enter_and_start_the_clock

    # the ops modules imported `record` by name: replace it there too
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("teachnet") and getattr(module, "record", None) is original:
            module.record = record
    autodiff.record = record

    x, y = workload.make_data(workload.samples, np.random.default_rng(0))
    train_one_epoch = workload.sides["teachnet"](x, y, workload.batch_size)
    train_one_epoch()  # warm-up
    if args.torch:
        import torch

        torch.set_num_threads(args.threads)
        torch_epoch = workload.sides["torch"](x, y, workload.batch_size)
        torch_epoch()  # warm-up
    times.clear()
    cpu, torch_cpu, faults = 0.0, 0.0, 0
    for _ in range(args.epochs):
        start, faulted = time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        train_one_epoch()
        cpu += time.process_time() - start
        faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faulted
        if args.torch:
            start = time.process_time()
            torch_epoch()
            torch_cpu += time.process_time() - start
    steps = args.epochs * -(-workload.samples // workload.batch_size)
    print(f"{args.workload}: {workload.description}")
    print(f"teachnet {teachnet.__version__}, {args.threads} BLAS thread(s), {steps} steps: "
          f"{cpu / steps * 1e3:.2f} ms process time per step (all threads), {faults / steps:.0f} page faults per step")
    if args.torch:
        print(f"torch {torch.__version__}, {args.threads} thread(s), the same steps: "
              f"{torch_cpu / steps * 1e3:.2f} ms process time per step (all threads)")
    print(f"{'op -> output shape':60s} {'ms/step':>8s}")
    for key, seconds in sorted(times.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"{key:60s} {seconds / steps * 1e3:8.2f}")


if __name__ == "__main__":
    main()
