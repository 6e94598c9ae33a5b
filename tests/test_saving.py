"""save_weights / load_weights: a round trip, Keras-like file names, and refusals
(another architecture, pickles disguised as weights)."""
import pickle

import numpy as np
import pytest

import teachnet
from tests.helpers import Linear




def make(hidden=4):
    return teachnet.Sequential([teachnet.Input((3,)), Linear(hidden), Linear(2)])


def test_round_trip_restores_every_weight_by_position(tmp_path):
    path = tmp_path / "model.weights.npz"
    a = make()
    a.save_weights(path)
    with np.load(path, allow_pickle=False) as archive:
        assert archive.files == [w.path for w in a.weights]  # named by layer path, in order
    b = make()  # new layer names (linear_2, ...), same architecture
    assert not all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    b.load_weights(str(path))
    assert all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))


def test_filename_must_end_with_weights_npz(tmp_path):
    with pytest.raises(ValueError, match=r"must end in `.weights.h5` or `.weights.npz`. Received: filepath=.*model.npz"):
        make().save_weights(tmp_path / "model.npz")
    with pytest.raises(ValueError, match=r"must end in `.weights.h5`, `.weights.npz` or `.keras`"):
        make().load_weights(tmp_path / "model.h5")


def test_another_architecture_is_refused_naming_layer_and_shapes(tmp_path):
    path = tmp_path / "small.weights.npz"
    make(hidden=4).save_weights(path)
    other = make(hidden=5)
    before = other.get_weights()
    layer = other.layers[0].name
    with pytest.raises(ValueError, match=rf'layer "{layer}" expects weight {layer}/kernel of shape \(3, 5\)\. '
                                         r"Received: .*kernel of shape \(3, 4\) in the file"):
        other.load_weights(path)
    assert all(np.array_equal(u, v) for u, v in zip(before, other.get_weights()))  # nothing half-loaded
    deeper = teachnet.Sequential([teachnet.Input((3,)), Linear(4), Linear(2), Linear(1)])
    with pytest.raises(ValueError, match=r"the model expects 6 weights .*\. Received: 4 weights in the file"):
        deeper.load_weights(path)


def test_pickles_are_refused(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("pickle code ran",))

    disguised = tmp_path / "evil.weights.npz"
    disguised.write_bytes(pickle.dumps({"dense/kernel": Payload()}))
    with pytest.raises(ValueError, match="not a teachnet weights file.*pickle"):
        make().load_weights(disguised)
    inside = tmp_path / "objects.weights.npz"
    np.savez(inside.open("wb"), **{"a": np.array([Payload()], dtype=object), "b": np.zeros(2), "c": np.zeros(4),
                                   "d": np.zeros(2)})
    with pytest.raises(ValueError, match="pickled Python objects, which are refused"):
        make().load_weights(inside)


def test_overwrite_false_and_unbuilt_models(tmp_path):
    path = tmp_path / "m.weights.npz"
    make().save_weights(path)
    with pytest.raises(FileExistsError):
        make().save_weights(path, overwrite=False)
    with pytest.raises(ValueError, match="has no weights yet"):
        teachnet.Sequential([Linear(2)]).load_weights(path)
