"""The benchmark convnet's layers one by one: teachnet's op, im2col's matrix products alone (the floor of im2col +
BLAS), and PyTorch's op, forward + backward, for the shapes bench.py's convnet trains (batch 64).

    python benchmarks/conv_floor.py               # 1 thread: CPU time of the calling thread (steady under load)
    python benchmarks/conv_floor.py --threads 2   # 2 threads: wall time (moves with the machine's load)

"im2col GEMMs" is the three products of a convolution's step on whole-batch matrices: cols @ kernel
(forward), cols^T @ g (kernel gradient) and g @ kernel^T (input gradient; not for the first layer, whose input
needs no gradient), timed alone: the floor of the im2col route, which teachnet's first convolution takes.
Whatever that op takes beyond it is its copies (im2col, col2im), masks and bias. The second and third
convolutions (3x3, stride 1, 32 and 64 input channels) take Winograd's F(4x4, 3x3) instead (ops/conv.py),
whose products do about a quarter of those multiplies: they can go below this floor.
Each figure is the minimum over --repeats runs, in milliseconds. teachnet's include its tape handing the
gradients out (tape.gradient copies each); PyTorch's accumulate into .grad.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# (input shape, filters, whether the input needs a gradient): the convnet of bench.py, batch 64
CONVS = [((64, 28, 28, 1), 32, False), ((64, 13, 13, 32), 64, True), ((64, 5, 5, 64), 128, True)]
POOLS = [(64, 26, 26, 32), (64, 11, 11, 64)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS, teachnet and torch threads (default 1)")
    parser.add_argument("--repeats", type=int, default=30, help="runs per figure; the minimum is shown")
    args = parser.parse_args(argv)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)   # before numpy loads OpenBLAS
    os.environ["TEACHNET_NUM_THREADS"] = str(args.threads)

    import numpy as np
    import torch
    from teachnet.autodiff import GradientTape, Variable
    from teachnet.ops.conv import conv_bias_relu, max_pool

    torch.set_num_threads(args.threads)
    clock = time.thread_time if args.threads == 1 else time.perf_counter

    def best_ms(run):
        run()
        best = float("inf")
        for _ in range(args.repeats):
            start = clock()
            run()
            best = min(best, clock() - start)
        return best * 1e3

    rng = np.random.default_rng(0)
    print(f"{args.threads} thread(s), {'thread CPU' if args.threads == 1 else 'wall'} time, min of "
          f"{args.repeats}, load average {os.getloadavg()[0]:.1f}")
    print(f"{'layer':34s} {'teachnet':>9s} {'im2col GEMMs':>12s} {'torch':>7s}   (ms, forward + backward)")
    totals = np.zeros(3)
    for shape, filters, input_gradient in CONVS:
        x = Variable(rng.standard_normal(shape).astype("float32"))
        kernel = Variable((rng.standard_normal((3, 3, shape[-1], filters)) * 0.1).astype("float32"))
        bias = Variable(np.full(filters, 0.01, "float32"))
        g = rng.standard_normal((shape[0], shape[1] - 2, shape[2] - 2, filters)).astype("float32")
        inputs, sources = (x, [x, kernel, bias]) if input_gradient else (x.numpy(), [kernel, bias])

        def teachnet_step():
            with GradientTape() as tape:
                y = conv_bias_relu(inputs, kernel, bias, relu=True)
            tape.gradient(y, sources, output_gradients=g)

        rows, depth = g.size // filters, 9 * shape[-1]
        cols = rng.standard_normal((rows, depth)).astype("float32")        # (B*Ho*Wo, kh*kw*C)
        k2, g2 = kernel.numpy().reshape(depth, filters), g.reshape(rows, filters)

        def gemm_step():
            cols @ k2
            cols.T @ g2
            if input_gradient:
                g2 @ k2.T

        xt = torch.from_numpy(x.numpy()).permute(0, 3, 1, 2).contiguous().requires_grad_(input_gradient)
        kt = torch.from_numpy(kernel.numpy()).permute(3, 2, 0, 1).contiguous().requires_grad_()
        bt = torch.from_numpy(bias.numpy()).requires_grad_()
        gt = torch.from_numpy(g).permute(0, 3, 1, 2).contiguous()

        def torch_step():
            torch.relu(torch.nn.functional.conv2d(xt, kt, bt)).backward(gt)
        row = np.array([best_ms(teachnet_step), best_ms(gemm_step), best_ms(torch_step)])
        totals += row
        print(f"{f'Conv2D {shape[1:]} -> {filters}':34s} {row[0]:9.2f} {row[1]:12.2f} {row[2]:7.2f}")
    for shape in POOLS:
        x = Variable(np.maximum(rng.standard_normal(shape), 0).astype("float32"))   # relu'd, as in the model
        g = rng.standard_normal((shape[0], shape[1] // 2, shape[2] // 2, shape[3])).astype("float32")

        def teachnet_pool():
            with GradientTape() as tape:
                y = max_pool(x, 2)
            tape.gradient(y, [x], output_gradients=g)
        xt = torch.from_numpy(x.numpy()).permute(0, 3, 1, 2).contiguous().requires_grad_()
        gt = torch.from_numpy(g).permute(0, 3, 1, 2).contiguous()

        def torch_pool():
            torch.nn.functional.max_pool2d(xt, 2).backward(gt)
        row = np.array([best_ms(teachnet_pool), 0.0, best_ms(torch_pool)])
        totals += row
        print(f"{f'MaxPooling2D {shape[1:]}':34s} {row[0]:9.2f} {'':>12s} {row[2]:7.2f}")
    print(f"{'total':34s} {totals[0]:9.2f} {totals[1]:12.2f} {totals[2]:7.2f}")


if __name__ == "__main__":
    main()
