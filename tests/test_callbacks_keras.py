"""ModelCheckpoint's options and LambdaCallback's hooks, as Keras 3 has them:
checked against Keras's own callbacks driven with the same logs, and through fit."""
import os

import numpy as np
import pytest

import teachnet
from teachnet import callbacks

os.environ["KERAS_BACKEND"] = "torch"


class SavingModel:
    """What ModelCheckpoint touches: save_weights records which file it would write."""

    def __init__(self):
        self.saved = []
        self.metrics = []
        self.stop_training = False

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(os.path.basename(filepath).split(".")[0])


def drive(checkpoint, losses_per_epoch):
    """Runs the hooks fit would run: batch logs carry a running loss, epoch logs a val_loss."""
    model = SavingModel()
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    for epoch, losses in enumerate(losses_per_epoch):
        checkpoint.on_epoch_begin(epoch)
        for batch, loss in enumerate(losses):
            checkpoint.on_train_batch_begin(batch)
            checkpoint.on_train_batch_end(batch, {"loss": loss})
        checkpoint.on_epoch_end(epoch, {"loss": losses[-1], "val_loss": losses[-1] + 0.5})
    return model.saved


LOSSES = [[0.9, 0.8, 0.85], [0.7, 0.75, 0.72], [0.74, 0.6, 0.65], [0.66, 0.67, 0.7]]
OPTIONS = [
    dict(),
    dict(save_best_only=True),
    dict(save_best_only=True, monitor="loss"),
    dict(save_best_only=True, initial_value_threshold=1.2),
    dict(save_best_only=True, mode="max"),
    dict(save_freq=2),
    dict(save_freq=2, save_best_only=True, monitor="loss"),
    dict(save_freq=5, save_best_only=True, monitor="loss", initial_value_threshold=0.7),
    dict(save_freq=1, save_best_only=True, monitor="val_loss"),  # val_loss is missing per batch: Keras saves
]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
@pytest.mark.parametrize("options", OPTIONS)
def test_model_checkpoint_saves_when_keras_saves(options):
    keras = pytest.importorskip("keras")
    pattern = "e{epoch}b{batch}" if options.get("save_freq", "epoch") != "epoch" else "e{epoch}"
    ours = callbacks.ModelCheckpoint(pattern + ".weights.npz", save_weights_only=True, **options)
    theirs = keras.callbacks.ModelCheckpoint(pattern + ".weights.h5", save_weights_only=True, **options)
    expected = drive(theirs, LOSSES)
    assert drive(ours, LOSSES) == expected
    assert ours.best == theirs.best


def test_model_checkpoint_every_n_batches_through_fit(tmp_path):
    x = np.linspace(-1, 1, 40, dtype="float32").reshape(20, 2)
    y = x.sum(axis=1, keepdims=True)
    model = teachnet.Sequential([teachnet.Input(shape=(2,)), teachnet.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    weights = {}
    record = callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: weights.setdefault(len(weights), model.get_weights()))
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "ck" / "{epoch}-{batch}.weights.npz"), save_freq=3)
    model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0, callbacks=[record, checkpoint])
    # 4 batches an epoch, counted across epochs: saved after the 3rd and 6th batches
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["1-3.weights.npz", "2-2.weights.npz"]
    fresh = teachnet.Sequential([teachnet.Input(shape=(2,)), teachnet.layers.Dense(1)])
    fresh.load_weights(tmp_path / "ck" / "2-2.weights.npz")
    assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), weights[5]))


def test_model_checkpoint_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"Unrecognized save_freq: 'batch'. Expected save_freq are 'epoch' or"):
        callbacks.ModelCheckpoint(str(tmp_path / "a.weights.npz"), save_freq="batch")
    with pytest.raises(ValueError, match=r"must end in `\.keras` \(the whole model\), `\.weights\.h5` or "
                                         r"`\.weights\.npz` \(weights only\)\. Received: filepath=.*a\.h5"):
        callbacks.ModelCheckpoint(str(tmp_path / "a.h5"))
    checkpoint = callbacks.ModelCheckpoint(str(tmp_path / "{epoch}-{val_acc}.weights.npz"))
    checkpoint.set_model(SavingModel())
    with pytest.raises(KeyError) as info:
        checkpoint.on_epoch_end(0, {"loss": 1.0})
    assert "Failed to format this callback filepath" in info.value.args[0]
    assert "'val_acc' is not among the names available here: ['epoch', 'loss']" in info.value.args[0]


def test_lambda_callback_takes_any_hook_by_keyword():
    x, y = np.ones((6, 2), "float32"), np.ones((6, 1), "float32")
    model = teachnet.Sequential([teachnet.Input(shape=(2,)), teachnet.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    seen = []
    hooks = callbacks.LambdaCallback(
        on_test_begin=lambda logs: seen.append("test_begin"),
        on_test_batch_end=lambda batch, logs: seen.append(f"test_batch {batch}"),
        on_predict_end=lambda logs: seen.append("predict_end"),
        on_batch_end=lambda batch, logs: seen.append(f"batch {batch}"),  # Keras's old name of on_train_batch_end
        note="kept as an attribute, as Keras does")
    model.fit(x, y, batch_size=3, epochs=1, verbose=0, callbacks=[hooks])
    model.evaluate(x, y, batch_size=6, verbose=0, callbacks=[hooks])
    model.predict(x, verbose=0, callbacks=hooks)
    assert seen == ["batch 0", "batch 1", "test_begin", "test_batch 0", "predict_end"]
    assert hooks.note.startswith("kept")


def test_lambda_callback_refuses_a_misspelled_hook():
    with pytest.raises(TypeError, match="`on_epoch_ends` is not a callback hook. Did you mean `on_epoch_end`"):
        callbacks.LambdaCallback(on_epoch_ends=print)
    with pytest.raises(TypeError, match="`on_test_end` must be a function. Received: on_test_end=3"):
        callbacks.LambdaCallback(on_test_end=3)
