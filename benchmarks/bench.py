"""Training throughput: teachnet's `model.fit` against a plain PyTorch CPU loop, in one process.

For each workload both sides train the same network on the same random data (no download). Timed epochs
alternate (teachnet, torch, teachnet, torch, ...) after one untimed warm-up epoch each, so that a noisy
neighbour on a shared machine slows both alike; the report gives median samples/s, their ratio
(teachnet / torch; above 1 means teachnet is faster) and each side's peak memory (growth of peak RSS while
training, measured in a child process per side so the two do not mix).

numpy's BLAS, teachnet's thread pool (teachnet/ops/parallel.py) and torch run with the same number of threads
(numpy's BLAS pool, read with threadpoolctl, unless --threads is given); the counts and the BLAS kernel in use
are printed.

A third side, keras-tf, trains the same networks with Keras 3 on TensorFlow CPU (the book's own stack) in a
child process (TensorFlow in this process would slow the other two), one epoch per request, so its epochs
alternate with the others' all the same. It is skipped, with the reason printed, when tensorflow is not
installed (`pip install tensorflow-cpu==2.21.0`; no extra installs it, so CI stays lean).

    python benchmarks/bench.py                      # all workloads
    python benchmarks/bench.py --workloads mlp --repeats 7
    python benchmarks/bench.py --quick              # tiny sizes; used by tests/test_bench_smoke.py
    python benchmarks/bench.py --workloads "" --frames   # only the widgets' median ms per frame, per view
    python benchmarks/bench.py --sides teachnet,torch   # without the keras-tf side
    python benchmarks/bench.py --workloads mlp --sides teachnet --no-memory   # includes the dashboard line

With the mlp workload and the teachnet side, a last line compares `fit` with a TrainingDashboard attached
(widgets/dashboard.py, default settings) against plain `fit` (goal: at least 0.9x the throughput).

Adding a workload: write `make_data(n, rng) -> (x, y)` and one setup function per side,
`setup(x, y, batch_size) -> train_one_epoch` (building the model is not timed; calling the returned
function trains one epoch over x, y), then add a `Workload` to WORKLOADS.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing


@dataclass
class Workload:
    description: str
    make_data: Callable  # (n, rng) -> (x, y) numpy arrays
    sides: dict  # side name -> setup(x, y, batch_size) -> train_one_epoch()
    batch_size: int
    samples: int  # per timed epoch
    quick_samples: int  # per timed epoch with --quick


# --- MLP 784-512-10 (relu, softmax), RMSprop, batch 128, sparse categorical crossentropy ------------------

def mnist_shaped(n, rng):
    x = rng.random((n, 784), dtype=np.float32)  # (n, 784) like flattened 28x28 pixels in [0, 1)
    y = rng.integers(0, 10, size=n).astype(np.int64)  # (n,) class ids
    return x, y


def teachnet_mlp(x, y, batch_size):
    model = teachnet_mlp_model()
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)


def teachnet_mlp_model():
    import teachnet

    model = teachnet.Sequential([
        teachnet.Input(shape=(784,)),
        teachnet.layers.Dense(512, activation="relu"),
        teachnet.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=teachnet.optimizers.RMSprop(), loss="sparse_categorical_crossentropy")
    return model


def torch_mlp(x, y, batch_size):
    import torch

    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    # Keras's RMSprop defaults: learning_rate=0.001, rho=0.9, epsilon=1e-7.
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()  # the idiomatic torch loop: softmax folded into the loss
    return _torch_epoch(model, optimizer, loss_fn, torch.from_numpy(x), torch.from_numpy(y), batch_size)


def _torch_epoch(model, optimizer, loss_fn, x, y, batch_size):
    """A plain PyTorch training loop over one shuffled epoch, as a tutorial writes it."""
    import torch

    def train_one_epoch():
        model.train()
        order = torch.randperm(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[batch]), y[batch])
            loss.backward()
            optimizer.step()

    return train_one_epoch


# --- MNIST convnet: Conv2D 32-64-128 3x3 relu, two 2x2 max-pools, Flatten, Dense 10, Adam, batch 64 -------

def mnist_images(n, rng):
    x = rng.random((n, 28, 28, 1), dtype=np.float32)  # (n, 28, 28, 1) channels_last images in [0, 1)
    y = rng.integers(0, 10, size=n).astype(np.int64)  # (n,) class ids
    return x, y


def teachnet_convnet(x, y, batch_size):
    import teachnet
    from teachnet import layers

    model = teachnet.Sequential([
        teachnet.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),   # (26, 26, 32)
        layers.MaxPooling2D(),                     # (13, 13, 32)
        layers.Conv2D(64, 3, activation="relu"),   # (11, 11, 64)
        layers.MaxPooling2D(),                     # (5, 5, 64)
        layers.Conv2D(128, 3, activation="relu"),  # (3, 3, 128)
        layers.Flatten(),                          # (1152,)
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=teachnet.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)


def torch_convnet(x, y, batch_size):
    import torch
    from torch import nn

    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3), nn.ReLU(),
        nn.Flatten(), nn.Linear(1152, 10),
    )
    # Keras's Adam defaults: learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7.
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    images = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()  # torch's native layout (n, 1, 28, 28)
    return _torch_epoch(model, optimizer, nn.CrossEntropyLoss(), images, torch.from_numpy(y), batch_size)


# --- Embedding(10000, 32) + LSTM(32) + Dense(1, sigmoid), 100-step sequences, RMSprop, batch 64 ----------

def imdb_shaped(n, rng):
    x = rng.integers(1, 10000, size=(n, 100)).astype(np.int64)  # (n, 100) token ids, like padded IMDB reviews
    y = rng.integers(0, 2, size=(n, 1)).astype(np.float32)       # (n, 1) sentiment labels
    return x, y


def teachnet_lstm(x, y, batch_size):
    import teachnet

    model = teachnet.Sequential([
        teachnet.Input(shape=(100,), dtype="int64"),
        teachnet.layers.Embedding(10000, 32),
        teachnet.layers.LSTM(32),
        teachnet.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=teachnet.optimizers.RMSprop(), loss="binary_crossentropy")
    return lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)


def torch_lstm(x, y, batch_size):
    import torch

    class EmbeddingLSTM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(10000, 32)
            self.lstm = torch.nn.LSTM(32, 32, batch_first=True)
            self.dense = torch.nn.Linear(32, 1)

        def forward(self, ids):
            _, (h, _) = self.lstm(self.embedding(ids))   # h: (1, batch, 32), the last state
            return self.dense(h[0])                       # logits; the sigmoid is folded into the loss

    model = EmbeddingLSTM()
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    return _torch_epoch(model, optimizer, loss_fn, torch.from_numpy(x), torch.from_numpy(y), batch_size)


# --- Keras 3 on TensorFlow CPU (the book's own stack): the same three networks, trained by keras's fit -----
# These run in a child process (see KerasTFSide): TensorFlow's thread pools and allocator in the same process
# slow the other two sides. Keras's defaults are the ones teachnet copies (RMSprop/Adam, glorot_uniform).

def keras_tf_model(name):
    import keras
    from keras import layers

    if name == "mlp":
        model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(512, activation="relu"),
                                  layers.Dense(10, activation="softmax")])
        model.compile(optimizer=keras.optimizers.RMSprop(), loss="sparse_categorical_crossentropy")
    elif name == "convnet":
        model = keras.Sequential([
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
            layers.Conv2D(128, 3, activation="relu"), layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    else:
        model = keras.Sequential([keras.Input(shape=(100,), dtype="int64"), layers.Embedding(10000, 32),
                                  layers.LSTM(32), layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.RMSprop(), loss="binary_crossentropy")
    return model


def keras_tf_server(name, samples, threads):
    """Child process: builds the keras model, trains one warm-up epoch, then trains one epoch per "epoch"
    line read from stdin and answers each with its seconds, until stdin closes."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras

    workload = WORKLOADS[name]
    x, y = workload.make_data(samples, np.random.default_rng(0))  # the same data as the parent's sides
    model = keras_tf_model(name)
    model.fit(x, y, batch_size=workload.batch_size, epochs=1, verbose=0)  # warm-up: tracing, allocations
    print(json.dumps({"ready": True, "tensorflow": tf.__version__, "keras": keras.__version__,
                      "jit_compile": bool(model.jit_compile)}), flush=True)
    for line in sys.stdin:
        if line.strip() != "epoch":
            break
        start = time.perf_counter()
        model.fit(x, y, batch_size=workload.batch_size, epochs=1, verbose=0)
        print(json.dumps({"seconds": time.perf_counter() - start}), flush=True)


def keras_tf_missing():
    """Why the keras-tf side cannot run here (None when it can)."""
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        return "tensorflow is not installed (pip install tensorflow-cpu==2.21.0 to add this side)"
    if importlib.util.find_spec("keras") is None:
        return "keras is not installed (pip install keras)"
    return None


class KerasTFSide:
    """The keras-tf side, trained in a child process (KERAS_BACKEND=tensorflow) that runs one epoch per call.

    Calling it returns the epoch's seconds as the child measured them, so the parent can alternate it with
    the other sides as if it were one of its own."""

    def __init__(self, name, samples, threads):
        env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
        # its log goes to a file, read if it stops: a pipe nobody drains would block a chatty child
        self.log = tempfile.TemporaryFile(mode="w+")
        self.child = subprocess.Popen([sys.executable, __file__, "--_keras-tf-server", name, str(samples),
                                       str(threads)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self.log, text=True, env=env)
        try:
            self.info = self._answer()
        except BaseException:
            self.child.kill()
            self.child.wait()
            raise

    def _answer(self):
        line = self.child.stdout.readline()
        if not line:
            self.log.seek(0)
            raise RuntimeError(f"the keras-tf child process stopped:\n{self.log.read()[-3000:]}")
        return json.loads(line)

    def __call__(self):
        self.child.stdin.write("epoch\n")
        self.child.stdin.flush()
        return self._answer()["seconds"]

    def close(self):
        self.child.stdin.close()
        self.child.wait(timeout=60)
        self.log.close()


WORKLOADS = {
    "mlp": Workload(
        description="MLP 784-512-10 (relu, softmax), RMSprop, batch 128, sparse categorical crossentropy",
        make_data=mnist_shaped,
        sides={"teachnet": teachnet_mlp, "torch": torch_mlp},
        batch_size=128,
        samples=8192,
        quick_samples=128,  # one batch
    ),
    "convnet": Workload(
        description="MNIST convnet 28x28x1: Conv2D 32-64-128 3x3 relu, two 2x2 max-pools, Flatten, Dense 10 "
                    "(softmax), Adam, batch 64, sparse categorical crossentropy",
        make_data=mnist_images,
        sides={"teachnet": teachnet_convnet, "torch": torch_convnet},
        batch_size=64,
        samples=2048,
        quick_samples=64,  # one batch: --quick only checks that the workload runs
    ),
    "lstm": Workload(
        description="Embedding(10000, 32) + LSTM(32) + Dense(1, sigmoid) on 100-step sequences, RMSprop, "
                    "batch 64, binary crossentropy",
        make_data=imdb_shaped,
        sides={"teachnet": teachnet_lstm, "torch": torch_lstm},
        batch_size=64,
        samples=2048,
        quick_samples=64,  # one batch: --quick only checks that the workload runs
    ),
}


# --- The TrainingDashboard's cost: the mlp trained by one fit of several epochs, dashboard attached or not -----

def dashboard_overhead(samples, epochs, repeats, batch_size=128):
    """samples/s of `fit(x, y, epochs=epochs)` on the mlp, with a `TrainingDashboard` at its default
    settings as callback and without, alternating after one untimed epoch each; medians and their ratio
    (the widgets' goal: attached / not >= 0.9), and how live the pictures were: redraws per second while
    fit ran (goal: >= 2; the redraw when fit ends not counted) and the share of fit's time spent drawing
    (wall clock, and CPU of the drawing thread). The dashboard redraws at most every `redraw_interval`
    seconds and rarely enough that drawing takes at most `max_draw_share` of the time."""
    from widgets.dashboard import TrainingDashboard

    x, y = mnist_shaped(samples, np.random.default_rng(0))
    plain, watched = teachnet_mlp_model(), teachnet_mlp_model()
    dashboard = TrainingDashboard(watched)
    plain.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)  # warm-up, as the workloads
    watched.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, callbacks=[dashboard])
    runs = {"without": lambda: plain.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0),
            "with": lambda: watched.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0,
                                        callbacks=[dashboard])}
    rates, redraws, per_second, drawing_share, cpu_share = {name: [] for name in runs}, [], [], [], []
    for _ in range(repeats):
        for name, run in runs.items():
            before, drawn, drawn_cpu = dashboard.redraws, dashboard.seconds_drawing, dashboard.cpu_seconds_drawing
            start = time.perf_counter()
            run()
            seconds = time.perf_counter() - start
            rates[name].append(samples * epochs / seconds)
            if name == "with":  # redraws, and the share of fit's time they took (less noisy than the ratio)
                redraws.append(dashboard.redraws - before)
                per_second.append((dashboard.redraws - before - 1) / seconds)  # not the redraw at fit's end
                drawing_share.append((dashboard.seconds_drawing - drawn) / seconds)
                cpu_share.append((dashboard.cpu_seconds_drawing - drawn_cpu) / seconds)
    medians = {name: statistics.median(values) for name, values in rates.items()}
    return {"description": f"mlp trained by fit(epochs={epochs}), batch {batch_size}, with a TrainingDashboard "
                           f"attached (default settings: redraw_interval={dashboard.redraw_interval}, "
                           f"max_draw_share={dashboard.max_draw_share}) vs not",
            "samples_per_epoch": samples, "epochs_per_fit": epochs, "samples_per_s": rates,
            "median_samples_per_s": medians, "redraws_per_fit": redraws, "redraws_per_s_during_fit": per_second,
            "drawing_share_of_fit": drawing_share, "drawing_cpu_share_of_fit": cpu_share,
            "ratio_attached_over_not": medians["with"] / medians["without"],
            "load_average_1min": os.getloadavg()[0]}


def print_dashboard_report(r):
    print(f"\ndashboard: {r['description']} ({r['samples_per_epoch']} samples per epoch)")
    for name, median in r["median_samples_per_s"].items():
        runs = ", ".join(f"{v:.0f}" for v in r["samples_per_s"][name])
        print(f"  {name:9s} median {median:10.0f} samples/s  (runs: {runs})")
    def listed(values, form):
        return ", ".join(format(v, form) for v in values)
    print(f"  redraws per fit: {r['redraws_per_fit']}; redraws per second while fit ran: "
          f"{listed(r['redraws_per_s_during_fit'], '.2f')}  (goal >= 2)")
    print(f"  share of fit's time spent drawing: {listed(r['drawing_share_of_fit'], '.1%')} wall clock, "
          f"{listed(r['drawing_cpu_share_of_fit'], '.1%')} CPU of the drawing thread")
    print(f"  ratio dashboard attached/not = {r['ratio_attached_over_not']:.2f}  (goal >= 0.9, i.e. a cost <= 10%); "
          f"load average {r['load_average_1min']:.1f} on {os.cpu_count()} cores")


# --- The widgets' frames: median ms from a change to the new picture, per view -------------------------------

def back_and_forth(values, i):
    """The i-th value of a slider dragged from end to end and back again, one step at a time."""
    turn = 2 * len(values) - 2
    k = i % turn
    return values[k if k < len(values) else turn - k]


def view_frames(repeats):
    """Median milliseconds per frame of each widget: for the animated views (TrainingDashboard, Playground) the
    redraw after a trained batch/epoch (training not timed); for the others the whole reaction to a slider or
    dropdown move, from the control's new value to the new PNG bytes (what the learner waits for). Sliders are
    dragged step by step from end to end and back; dropdowns go through their choices (OptimizerRace and
    LossExplorer keep the picture of a choice seen before: the "not shown before" lines time a choice that a
    new widget, built untimed, has not drawn yet)."""
    import teachnet as tn
    from teachnet import examples
    from widgets import (ConvFilterView, CTCLatticeView, LossExplorer, LSTMGateView, ModelGraph, OptimizerRace,
                         Playground, TrainingDashboard)
    from widgets.conv_shapes import ConvShapeExplorer

    def median_ms(prepare, frame):
        """Median wall-clock and CPU ms of `frame` (the CPU time is what the frame costs this process: on a
        machine shared with other work the wall-clock time also counts the waits for a core)."""
        wall, cpu = [], []
        for i in range(repeats + 1):  # the first frame warms caches and is not counted
            prepare(i)
            start, start_cpu = time.perf_counter(), time.process_time()
            frame(i)
            if i:
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
        return {"wall": statistics.median(wall), "cpu": statistics.median(cpu)}

    def move(control, values):
        """A frame that sets `control` to the i-th of `values` dragged back and forth."""
        return lambda i: setattr(control, "value", back_and_forth(values, i + 1))

    def steps(low, high, step):
        """A slider's values from `low` to `high`."""
        return list(np.round(np.arange(low, high + step / 2, step), 6))

    def choose(control):
        """A frame that picks the dropdown's next choice."""
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return lambda i: setattr(control, "value", options[(i + 1) % len(options)])

    fresh = {}  # a widget built (untimed) before each frame of the "not shown before" lines

    def build(name, make):
        return lambda i: fresh.__setitem__(name, make())

    def choose_new(name, control_name):
        """A frame that picks a choice the fresh widget has not shown yet: its background is drawn, not
        pasted from the ones kept for the choices seen before (`widgets.base.LiveFigure.png(keep=True)`)."""
        def frame(i):
            control = getattr(fresh[name], control_name)
            others = [o for o in control.options if o != control.value]
            control.value = others[i % len(others)]
        return frame

    tn.utils.set_random_seed(0)
    x, y = mnist_shaped(256, np.random.default_rng(0))
    model = tn.Sequential([tn.Input((784,)), tn.layers.Dense(64, activation="relu"),
                           tn.layers.Dense(32, activation="relu"), tn.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    dashboard = TrainingDashboard(model, x, y, batch_size=32)
    playground = Playground(dataset="spiral", hidden_layers=[8, 8, 4])
    data_playground = Playground(dataset="spiral", hidden_layers=[8, 8, 4])
    race = OptimizerRace("Rosenbrock")
    surface_race = OptimizerRace("Rosenbrock")
    explorer = LossExplorer()
    target_explorer = LossExplorer()
    loss_explorer = LossExplorer()
    graph_model = examples.inception_block_model()
    graph = ModelGraph(graph_model, sample=examples.inception_data(16)[0])
    graph_layers = [layer.name for layer in graph_model.layers]
    images = np.random.default_rng(0).random((8, 12, 12, 3), dtype=np.float32)
    conv = ConvFilterView(tn.layers.Conv2D(16, 3, activation="relu"), images)
    lstm = LSTMGateView(tn.layers.LSTM(8), np.random.default_rng(0).random((6, 20, 3), dtype=np.float32))
    logits = np.random.default_rng(0).normal(size=(4, 30, 11))
    ctc = CTCLatticeView(logits, np.array([[1, 2, 3, 4]] * 4), np.array([4, 3, 2, 4]), alphabet="-0123456789")
    shapes = ConvShapeExplorer(filters=8, kernel_size=3, image_size=12)  # as in lesson 01
    frames = {
        "TrainingDashboard (redraw after a batch)": (lambda i: dashboard._train_batches(1),
                                                     lambda i: dashboard.redraw()),
        "Playground (redraw after an epoch)": (lambda i: playground._train(1), lambda i: playground.redraw()),
        "Playground (noise slider)": (lambda i: None, move(data_playground.noise_control, steps(0, 0.5, 0.05))),
        "Playground (dataset dropdown)": (lambda i: None, choose(data_playground.dataset_control)),
        "OptimizerRace (start x slider)": (lambda i: None,
                                           lambda i: setattr(race.start_x, "value", -1.5 + 0.01 * (i % 50))),
        "OptimizerRace (a step of Play)": (lambda i: race._advance(1), lambda i: race.redraw()),
        "OptimizerRace (surface dropdown)": (lambda i: None, choose(surface_race.surface_control)),
        "OptimizerRace (surface dropdown, not shown before)": (build("race", lambda: OptimizerRace("Rosenbrock")),
                                                               choose_new("race", "surface_control")),
        "LossExplorer (prediction slider)": (lambda i: None, lambda i: setattr(
            explorer.prediction_control, "value", 0.2 + 0.01 * (i % 60))),
        "LossExplorer (target slider)": (lambda i: None, move(target_explorer.target_control, steps(0, 1, 0.05))),
        "LossExplorer (loss dropdown)": (lambda i: None, choose(loss_explorer.loss_control)),
        "LossExplorer (loss dropdown, not shown before)": (build("explorer", LossExplorer),
                                                           choose_new("explorer", "loss_control")),
        "ModelGraph (layer dropdown)": (lambda i: None, lambda i: setattr(
            graph, "layer_name", graph_layers[i % len(graph_layers)])),
        "ConvFilterView (image slider)": (lambda i: None, lambda i: setattr(conv.index_control, "value", i % 8)),
        "ConvFilterView (channel dropdown)": (lambda i: None, choose(conv.channel_control)),
        "LSTMGateView (sequence slider)": (lambda i: None, lambda i: setattr(lstm.index_control, "value", i % 6)),
        "LSTMGateView (unit slider)": (lambda i: None, move(lstm.unit_control, list(range(8)))),
        "CTCLatticeView (sample slider)": (lambda i: None, lambda i: setattr(ctc.index_control, "value", i % 4)),
        "ConvShapeExplorer (kernel_size slider)": (lambda i: None, move(shapes.controls["kernel_size"],
                                                                         list(range(1, 8)))),
        "ConvShapeExplorer (image size slider)": (lambda i: None, move(shapes.controls["image_size"],
                                                                        list(range(4, 33)))),
    }
    return {name: median_ms(prepare, frame) for name, (prepare, frame) in frames.items()}


def print_frames_report(frames, repeats):
    print(f"\nwidget frames: median ms per frame over {repeats} frames (goal <= 50 ms); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name, ms in frames.items():
        print(f"  {name:52s} {ms['wall']:7.1f} ms per frame (CPU {ms['cpu']:6.1f} ms)")


# --- measurement ---------------------------------------------------------------------------------------

def blas_info():
    """numpy's BLAS pool as threadpoolctl sees it (library, version, kernel architecture, threads)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"internal_api": "unknown (pip install threadpoolctl)", "num_threads": os.cpu_count()}
    import numpy  # noqa: F401  (loads the BLAS library so threadpoolctl can find it)

    pools = [p for p in threadpool_info() if p["user_api"] == "blas" and "numpy" in p["filepath"]]
    pools = pools or [p for p in threadpool_info() if p["user_api"] == "blas"]
    return pools[0] if pools else {"internal_api": "none found", "num_threads": 1}


def _proc_status_mb(field):
    """VmRSS (resident now) or VmHWM (peak resident) of this process from /proc, in MB; None elsewhere."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        return None
    return None


def reset_peak_rss():
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM); False if impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def memory_probe(workload_name, side, samples, threads):
    """Child process: peak-RSS growth (MB) while one side builds its model and trains one epoch.

    The side's libraries (teachnet's numba included) and the data are loaded first, so the figure is what
    training itself adds at its peak. Where the peak cannot be reset (not Linux), it falls back to getrusage's lifetime peak, which
    may hide growth below the import-time peak.
    """
    import teachnet  # noqa: F401  (both sides: the same malloc settings as in the timed process)
    if side == "teachnet":
        from teachnet.ops import compiled

        compiled.enabled()   # imports numba (teachnet imports it on first use), before the baseline as torch is;
        #                      loading its compiled loops the first time they run stays in the figure
    if side == "torch":
        import torch

        torch.set_num_threads(threads)
    if side == "keras-tf":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        import keras  # noqa: F401  (loaded before the baseline, as torch is)
    _limit_blas(threads)
    from teachnet.ops import parallel

    parallel.set_num_threads(threads)
    workload = WORKLOADS[workload_name]
    x, y = workload.make_data(samples, np.random.default_rng(0))
    setup = workload.sides[side] if side != "keras-tf" else (
        lambda x, y, batch_size: lambda: keras_tf_model(workload_name).fit(x, y, batch_size=batch_size,
                                                                          epochs=1, verbose=0))
    if reset_peak_rss() and _proc_status_mb("VmRSS") is not None:
        baseline = _proc_status_mb("VmRSS")
        setup(x, y, workload.batch_size)()
        return _proc_status_mb("VmHWM") - baseline
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    setup(x, y, workload.batch_size)()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - baseline


def _limit_blas(threads):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=threads, user_api="blas")


def run_workload(name, workload, sides, repeats, samples, threads, memory):
    x, y = workload.make_data(samples, np.random.default_rng(0))
    epochs = {side: workload.sides[side](x, y, workload.batch_size) for side in sides if side != "keras-tf"}
    keras_tf = KerasTFSide(name, samples, threads) if "keras-tf" in sides else None  # warms up in the child
    for side in epochs:  # warm-up: first-call costs (allocations, lazy init) are not throughput
        epochs[side]()
    rates = {side: [] for side in sides}
    try:
        for _ in range(repeats):
            for side in sides:  # alternate, so drifting machine load hits every side alike
                if side == "keras-tf":
                    seconds = keras_tf()  # the child trains while this process waits
                else:
                    start = time.perf_counter()
                    epochs[side]()
                    seconds = time.perf_counter() - start
                rates[side].append(samples / seconds)
    finally:
        if keras_tf is not None:
            keras_tf.close()
    result = {
        "workload": name,
        "description": workload.description,
        "samples_per_epoch": samples,
        "batch_size": workload.batch_size,
        "samples_per_s": {side: rates[side] for side in sides},
        "median_samples_per_s": {side: statistics.median(rates[side]) for side in sides},
    }
    medians = result["median_samples_per_s"]
    for peer, key in (("torch", "ratio_teachnet_over_torch"), ("keras-tf", "ratio_teachnet_over_keras_tf")):
        if "teachnet" in sides and peer in sides:
            result[key] = medians["teachnet"] / medians[peer]
    if keras_tf is not None:
        result["keras_tf"] = keras_tf.info
    if memory:
        result["peak_rss_growth_mb"] = {side: _probe_in_child(name, side, samples, threads) for side in sides}
    return result


def _probe_in_child(name, side, samples, threads):
    command = [sys.executable, __file__, "--_memory-probe", name, side, str(samples), str(threads)]
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"} if side == "keras-tf" else None
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return float(out.stdout.strip().splitlines()[-1])


def environment_report(threads):
    import torch
    from teachnet.utils import memory as teachnet_memory

    blas = blas_info()
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "torch": torch.__version__,
        "numpy_blas": f"{blas.get('internal_api')} {blas.get('version', '')} "
                      f"kernel={blas.get('architecture', '?')}".strip(),
        "numpy_blas_threads": threads,
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "cpu_count": os.cpu_count(),
        # other processes competing for the cores make both sides slower and noisier (worst with 2+ threads)
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        # importing teachnet sets glibc's malloc thresholds for the whole process, so torch's side runs
        # with the same allocator settings (teachnet/utils/memory.py)
        "malloc_thresholds_set_by_teachnet": teachnet_memory.applied,
    }


def print_report(env, results):
    print("environment: " + ", ".join(f"{k}={v}" for k, v in env.items()))
    for r in results:
        print(f"\n{r['workload']}: {r['description']} ({r['samples_per_epoch']} samples per timed epoch)")
        for side, median in r["median_samples_per_s"].items():
            runs = ", ".join(f"{v:.0f}" for v in r["samples_per_s"][side])
            memory = r.get("peak_rss_growth_mb", {}).get(side)
            memory = f"  peak RSS growth {memory:.1f} MB" if memory is not None else ""
            print(f"  {side:9s} median {median:10.0f} samples/s  (runs: {runs}){memory}")
        if "keras_tf" in r:
            info = r["keras_tf"]
            print(f"  (keras-tf: tensorflow {info['tensorflow']}, keras {info['keras']}, "
                  f"jit_compile={info['jit_compile']}, in a child process)")
        if "ratio_teachnet_over_torch" in r:
            print(f"  ratio teachnet/torch = {r['ratio_teachnet_over_torch']:.2f}")
        if "ratio_teachnet_over_keras_tf" in r:
            print(f"  ratio teachnet/keras-tf = {r['ratio_teachnet_over_keras_tf']:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default=",".join(WORKLOADS),
                        help=f"comma-separated, from: {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--sides", default="teachnet,torch,keras-tf",
                        help="comma-separated: teachnet, torch, keras-tf (Keras 3 on TensorFlow CPU, in a child "
                             "process; skipped with the reason when tensorflow is not installed)")
    parser.add_argument("--repeats", type=int, default=5, help="timed epochs per side (default 5)")
    parser.add_argument("--samples", type=int, default=None, help="samples per timed epoch (default: per workload)")
    parser.add_argument("--threads", type=int, default=None, help="threads for numpy's BLAS and torch "
                        "(default: numpy's BLAS pool size)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes and 2 repeats: checks the script runs")
    parser.add_argument("--no-memory", action="store_true", help="skip the per-side peak-memory child processes")
    parser.add_argument("--no-dashboard", action="store_true", help="skip the TrainingDashboard overhead line "
                        "(run with the mlp workload and the teachnet side)")
    parser.add_argument("--dashboard-epochs", type=int, default=3, help="epochs per fit in the dashboard line")
    parser.add_argument("--frames", action="store_true", help="print the widgets' median ms per frame, per view "
                        "(also run by --quick)")
    parser.add_argument("--frame-repeats", type=int, default=20, help="frames timed per view (default 20)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--_memory-probe", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--_keras-tf-server", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._memory_probe:
        name, side, samples, threads = args._memory_probe
        print(memory_probe(name, side, int(samples), int(threads)))
        return None
    if args._keras_tf_server:
        name, samples, threads = args._keras_tf_server
        keras_tf_server(name, int(samples), int(threads))
        return None

    names = [w for w in args.workloads.split(",") if w]
    unknown = [w for w in names if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; expected some of {list(WORKLOADS)}")
    sides = [s for s in args.sides.split(",") if s]
    if not sides or set(sides) - {"teachnet", "torch", "keras-tf"}:
        parser.error(f"--sides must name some of teachnet, torch, keras-tf; received {args.sides!r}")
    skipped = {}
    if "keras-tf" in sides and keras_tf_missing():
        skipped["keras-tf"] = keras_tf_missing()
        sides.remove("keras-tf")
        if not sides:
            parser.error(f"the keras-tf side cannot run: {skipped['keras-tf']}")
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; received {args.repeats}")
    repeats = 2 if args.quick else args.repeats

    import torch
    # Importing teachnet sets glibc's malloc thresholds for the whole process (teachnet/utils/memory.py):
    # import it before either side runs, so both sides train under the same allocator settings.
    import teachnet  # noqa: F401
    from teachnet.ops import parallel

    threads = args.threads or blas_info().get("num_threads") or 1
    before = torch.get_num_threads(), parallel.get_num_threads()
    torch.set_num_threads(threads)
    limiter = _limit_blas(threads)  # keeps numpy's pool at `threads` for the whole run
    parallel.set_num_threads(threads)  # teachnet's elementwise passes too (teachnet/ops/parallel.py)
    env = environment_report(threads)
    env["teachnet_threads"] = parallel.get_num_threads()
    try:
        return _run(args, names, sides, skipped, repeats, threads, env)
    finally:  # a caller in the same process (the smoke test) gets its thread counts back
        if limiter is not None:
            limiter.restore_original_limits()
        torch.set_num_threads(before[0])
        parallel.set_num_threads(before[1])


def _run(args, names, sides, skipped, repeats, threads, env):
    """Runs the workloads `main` chose, with the thread counts it set; prints and returns the report."""
    results = []
    for name in names:
        workload = WORKLOADS[name]
        samples = args.samples or (workload.quick_samples if args.quick else workload.samples)
        results.append(run_workload(name, workload, sides, repeats, samples, threads, not args.no_memory))
    print_report(env, results)
    for side, reason in skipped.items():
        print(f"\n{side} side skipped: {reason}")
    report = {"environment": env, "results": results, "skipped_sides": skipped}
    if "mlp" in names and "teachnet" in sides and not args.no_dashboard:
        mlp = WORKLOADS["mlp"]
        samples = args.samples or (mlp.quick_samples if args.quick else mlp.samples)
        report["dashboard"] = dashboard_overhead(samples, 1 if args.quick else args.dashboard_epochs, repeats)
        print_dashboard_report(report["dashboard"])
    if args.frames or args.quick:
        frame_repeats = 3 if args.quick and not args.frames else args.frame_repeats
        report["frames_ms"] = view_frames(frame_repeats)
        print_frames_report(report["frames_ms"], frame_repeats)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
