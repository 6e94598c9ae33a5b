"""The Keras-style loaders against a local HTTP server that serves small files
in the real formats: download, cache, checksum, offline failure, and the
loaders' results (compared with Keras's own loaders on the same files when
keras is installed). Nothing here touches the internet: every test points
TEACHNET_DATASETS_URL at 127.0.0.1 and the caches at temporary folders."""
import gzip
import hashlib
import importlib
import io
import json
import os
import pickle
import socket
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import numpy as np
import pytest

from teachnet.datasets import boston_housing, download, fashion_mnist, imdb, mnist, reuters

os.environ.setdefault("KERAS_BACKEND", "torch")


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens: what a download sees when offline."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def private_caches(tmp_path, monkeypatch):
    """Every test gets empty caches and, unless it starts a server, an unreachable base URL."""
    monkeypatch.setenv("TEACHNET_HOME", str(tmp_path / "teachnet_home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("TEACHNET_DATASETS_URL", closed_port_url())
    return tmp_path


@pytest.fixture
def server(tmp_path, monkeypatch):
    """Serves tmp_path/served on a random port and records the paths requested."""
    root = tmp_path / "served"
    root.mkdir()
    hits = []

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):  # keep pytest's output clean
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    monkeypatch.setenv("TEACHNET_DATASETS_URL", f"http://127.0.0.1:{httpd.server_address[1]}/")
    yield SimpleNamespace(root=root, hits=hits)
    httpd.shutdown()
    httpd.server_close()


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def cache_path(*parts):
    return os.path.join(os.environ["TEACHNET_HOME"], "datasets", *parts)


# -- small files in the real formats ------------------------------------------

def write_mnist(folder):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), "y_train": np.arange(5, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), "y_test": np.arange(3, dtype=np.uint8)}
    np.savez(folder / "mnist.npz", **arrays)
    return arrays


def write_idx(path, array):
    header = (0x800 + array.ndim).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def object_array(lists):
    out = np.empty(len(lists), dtype="object")
    for i, item in enumerate(lists):
        out[i] = item
    return out


def random_texts(rng, n, vocabulary=40):
    """Lists of word numbers 1..vocabulary (plain Python ints, as in Keras's files), of lengths 1..14."""
    return object_array([[int(w) for w in rng.integers(1, vocabulary + 1, rng.integers(1, 15))] for _ in range(n)])


def write_imdb(folder):
    rng = np.random.default_rng(1)
    arrays = {"x_train": random_texts(rng, 14), "y_train": rng.integers(0, 2, 14),
              "x_test": random_texts(rng, 11), "y_test": rng.integers(0, 2, 11)}
    np.savez(folder / "imdb.npz", **arrays)
    return arrays


def write_reuters(folder):
    rng = np.random.default_rng(2)
    arrays = {"x": random_texts(rng, 30), "y": rng.integers(0, 46, 30)}
    np.savez(folder / "reuters.npz", **arrays)
    return arrays


def write_boston(folder):
    rng = np.random.default_rng(3)
    arrays = {"x": rng.normal(size=(50, 13)), "y": rng.uniform(5, 50, 50)}
    np.savez(folder / "boston_housing.npz", **arrays)
    return arrays


def serve(server, monkeypatch, module, writer, attribute="FILE_HASH", name=None):
    """Writes the small file, serves it, and makes `module` expect its hash."""
    arrays = writer(server.root)
    name = name or {mnist: "mnist.npz", imdb: "imdb.npz", reuters: "reuters.npz",
                    boston_housing: "boston_housing.npz"}[module]
    monkeypatch.setattr(module, attribute, sha256(server.root / name))
    return arrays


# -- download, cache, checksum, offline ---------------------------------------

def test_download_once_then_cache(server, monkeypatch, capsys):
    arrays = serve(server, monkeypatch, mnist, write_mnist)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert server.hits == ["/mnist.npz"]
    out = capsys.readouterr().out
    assert "Downloading mnist.npz from http://127.0.0.1" in out and "100%" in out and "MB" in out  # the progress bar
    assert os.path.exists(cache_path("mnist.npz")) and not os.path.exists(cache_path("mnist.npz.part"))
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert x_train.dtype == np.uint8 and x_train.shape == (5, 28, 28) and x_test.shape == (3, 28, 28)

    (x_again, _), _ = mnist.load_data()  # second call: from the cache, no request
    assert server.hits == ["/mnist.npz"]
    assert capsys.readouterr().out == ""
    np.testing.assert_array_equal(x_again, x_train)


def test_checksum_mismatch_is_refused(server, capsys):
    write_mnist(server.root)  # mnist.FILE_HASH stays Keras's hash of the real file
    with pytest.raises(ValueError) as info:
        mnist.load_data()
    message = str(info.value)
    assert "does not have the expected sha256 hash" in message and mnist.FILE_HASH in message
    assert sha256(server.root / "mnist.npz") in message and cache_path("mnist.npz") in message
    assert not os.path.exists(cache_path("mnist.npz")) and not os.path.exists(cache_path("mnist.npz.part"))


def test_corrupt_cached_copy_is_downloaded_again(server, monkeypatch, capsys):
    arrays = serve(server, monkeypatch, mnist, write_mnist)
    os.makedirs(cache_path())
    with open(cache_path("mnist.npz"), "wb") as f:
        f.write(b"half a download")
    (x_train, _), _ = mnist.load_data()
    assert server.hits == ["/mnist.npz"]
    assert "does not match its expected hash" in capsys.readouterr().out
    np.testing.assert_array_equal(x_train, arrays["x_train"])


def test_offline_failure_names_the_url_and_where_to_put_the_file():
    url = os.environ["TEACHNET_DATASETS_URL"] + "mnist.npz"
    with pytest.raises(ConnectionError) as info:
        mnist.load_data()
    message = str(info.value)
    assert f"Could not download mnist.npz from {url}" in message
    assert "offline" in message and f"place it at {cache_path('mnist.npz')}" in message
    assert "TEACHNET_DATASETS_URL" in message
    assert not os.path.exists(cache_path("mnist.npz.part"))


def test_missing_file_on_the_server_is_reported(server):
    with pytest.raises(ConnectionError, match=r"Could not download boston_housing.npz from http://127\.0\.0\.1:\d+/"
                                              r"boston_housing.npz \(HTTP Error 404"):
        boston_housing.load_data()


def test_a_file_placed_by_hand_works_offline(tmp_path, monkeypatch):
    arrays = write_mnist(tmp_path)
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(tmp_path / "mnist.npz"))
    os.makedirs(cache_path())
    os.replace(tmp_path / "mnist.npz", cache_path("mnist.npz"))
    (x_train, _), _ = mnist.load_data()  # the base URL points at a closed port
    np.testing.assert_array_equal(x_train, arrays["x_train"])


def test_kerass_verified_copy_is_used_and_a_wrong_one_is_not(tmp_path, monkeypatch):
    keras_datasets = os.path.join(os.environ["KERAS_HOME"], "datasets")
    os.makedirs(keras_datasets)
    arrays = write_mnist(tmp_path)
    os.replace(tmp_path / "mnist.npz", os.path.join(keras_datasets, "mnist.npz"))
    with pytest.raises(ConnectionError):  # Keras's hash of the real file does not match: not used
        mnist.load_data()
    monkeypatch.setattr(mnist, "FILE_HASH", sha256(os.path.join(keras_datasets, "mnist.npz")))
    (x_train, _), _ = mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    assert not os.path.exists(cache_path("mnist.npz"))  # read in place, not copied


def test_default_origin_is_kerass_server(monkeypatch):
    monkeypatch.delenv("TEACHNET_DATASETS_URL")
    assert download.dataset_url("mnist.npz") == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert download.dataset_url("a.npz", base_url="http://mirror/x") == "http://mirror/x/a.npz"
    monkeypatch.setenv("TEACHNET_DATASETS_URL", "http://classroom:8000/data/")
    assert download.dataset_url("imdb.npz") == "http://classroom:8000/data/imdb.npz"


def test_cache_dir_follows_teachnet_home(monkeypatch):
    monkeypatch.setenv("TEACHNET_HOME", "/somewhere")
    assert download.cache_dir() == os.path.join("/somewhere", "datasets")
    monkeypatch.delenv("TEACHNET_HOME")
    assert download.cache_dir() == os.path.join(os.path.expanduser("~"), ".teachnet", "datasets")


@pytest.mark.parametrize("fname", ["", "sub/mnist.npz", "../mnist.npz"])
def test_get_file_wants_a_plain_name(fname):
    with pytest.raises(ValueError, match=r"`fname`, expected a file name without folders"):
        download.get_file(fname, origin="http://127.0.0.1:1/x")


def test_get_file_md5(server):
    (server.root / "notes.json").write_text('{"a": 1}')
    md5 = hashlib.md5(b'{"a": 1}').hexdigest()
    path = download.get_file("notes.json", download.dataset_url("notes.json"), file_hash=md5)
    assert open(path).read() == '{"a": 1}'
    with pytest.raises(ValueError, match="expected md5 hash"):
        download.get_file("other.json", download.dataset_url("notes.json"), file_hash="0" * 32)


def test_load_npz_refuses_anything_but_arrays(tmp_path):
    class Payload:
        def __reduce__(self):
            return (os.system, ("echo should-not-run",))

    np.savez(tmp_path / "evil.npz", x=object_array([Payload()]))
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load"):
        download.load_npz(tmp_path / "evil.npz")


# -- the loaders' results ------------------------------------------------------

def test_fashion_mnist(server):
    rng = np.random.default_rng(4)
    folder = server.root
    parts = {"train-labels-idx1-ubyte.gz": rng.integers(0, 10, 6),
             "train-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 28, 28)),
             "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 4),
             "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28))}
    for name, array in parts.items():
        write_idx(folder / name, array)
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert sorted(server.hits) == sorted("/" + name for name in parts)
    assert x_train.shape == (6, 28, 28) and y_train.shape == (6,) and x_test.shape == (4, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8 and x_train.flags.writeable
    np.testing.assert_array_equal(x_train, parts["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, parts["t10k-labels-idx1-ubyte.gz"])
    assert os.path.exists(cache_path("fashion-mnist", "t10k-images-idx3-ubyte.gz"))
    fashion_mnist.load_data()
    assert len(server.hits) == 4  # all four cached
    assert len(fashion_mnist.CLASS_NAMES) == 10


def test_idx_header_is_checked(tmp_path):
    write_idx(tmp_path / "labels.gz", np.arange(5))
    with pytest.raises(ValueError, match="expected magic number 2051. Received: magic number 2049"):
        fashion_mnist.read_idx(tmp_path / "labels.gz", 3)
    with gzip.open(tmp_path / "short.gz", "wb") as f:
        f.write((2049).to_bytes(4, "big") + (10).to_bytes(4, "big") + bytes(3))
    with pytest.raises(ValueError, match=r"truncated: its header promises shape \(10,\)"):
        fashion_mnist.read_idx(tmp_path / "short.gz", 1)


def test_boston_housing_split(server, monkeypatch):
    arrays = serve(server, monkeypatch, boston_housing, write_boston)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert x_train.shape == (40, 13) and x_test.shape == (10, 13) and y_train.shape == (40,)
    order = np.arange(50)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(x_test, arrays["x"][order[40:]])
    np.testing.assert_array_equal(y_train, arrays["y"][order[:40]])
    (x_train, _), (x_test, _) = boston_housing.load_data(test_split=0.5, seed=0)
    assert len(x_train) == len(x_test) == 25
    with pytest.raises(ValueError, match=r"expected a number in \[0, 1\). Received: test_split=1"):
        boston_housing.load_data(test_split=1)


def test_imdb_defaults_and_options(server, monkeypatch):
    arrays = serve(server, monkeypatch, imdb, write_imdb)
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert x_train.dtype == object and x_train.shape == (14,) and x_test.shape == (11,)
    assert y_train.shape == (14,) and set(np.unique(y_train)) <= {0, 1}
    order = np.arange(14)
    np.random.RandomState(113).shuffle(order)
    first = arrays["x_train"][order[0]]
    largest = max(max(x) for x in list(arrays["x_train"]) + list(arrays["x_test"])) + 3
    # start_char=1, then word numbers + 3; the single largest index becomes oov_char (Keras's num_words=None)
    assert x_train[0] == [1] + [w + 3 if w + 3 < largest else 2 for w in first]
    assert y_train[0] == arrays["y_train"][order[0]]

    (x_train, _), (x_test, _) = imdb.load_data(num_words=10, skip_top=5, start_char=None, index_from=0, oov_char=9)
    for x in list(x_train) + list(x_test):
        assert all(5 <= w < 10 or w == 9 for w in x)
    (x_train, _), _ = imdb.load_data(start_char=None, index_from=0, num_words=10, oov_char=None)
    assert sum(len(x) for x in x_train) < sum(len(x) for x in arrays["x_train"])  # cut words dropped, not replaced
    assert all(0 < w < 10 for x in x_train for w in x)
    (x_train, y_train), (x_test, _) = imdb.load_data(maxlen=8)
    assert all(len(x) < 8 for x in list(x_train) + list(x_test)) and len(x_train) == len(y_train) < 14
    with pytest.raises(ValueError, match=r"After dropping the reviews of maxlen=1 words or more, no review"):
        imdb.load_data(maxlen=1)


def test_imdb_word_index(server, monkeypatch):
    index = {"the": 1, "and": 2, "a": 3}
    (server.root / "imdb_word_index.json").write_text(json.dumps(index))
    monkeypatch.setattr(imdb, "WORD_INDEX_HASH", hashlib.md5(json.dumps(index).encode()).hexdigest())
    assert imdb.get_word_index() == index
    assert os.path.exists(cache_path("imdb_word_index.json"))


def test_reuters_word_index_and_labels(server, monkeypatch):
    index = {"the": 1, "of": 2}
    (server.root / "reuters_word_index.json").write_text(json.dumps(index))
    monkeypatch.setattr(reuters, "WORD_INDEX_HASH", hashlib.md5(json.dumps(index).encode()).hexdigest())
    assert reuters.get_word_index() == index
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn" and len(set(names)) == 46


def test_reuters_split_and_options(server, monkeypatch):
    serve(server, monkeypatch, reuters, write_reuters)
    (x_train, y_train), (x_test, y_test) = reuters.load_data()
    assert len(x_train) == 24 and len(x_test) == 6 and y_train.shape == (24,) and x_train.dtype == object
    (x_train, _), (x_test, _) = reuters.load_data(test_split=0.5, num_words=12, maxlen=10)
    assert len(x_train) == len(x_test) or abs(len(x_train) - len(x_test)) == 1
    assert all(len(x) < 10 and max(x) < 12 for x in list(x_train) + list(x_test))


@pytest.mark.parametrize("call, message", [
    (lambda: imdb.load_data(num_words=0), "`num_words`, expected an integer >= 1 or None. Received: num_words=0"),
    (lambda: imdb.load_data(skip_top=-1), "`skip_top`, expected an integer >= 0. Received: skip_top=-1"),
    (lambda: imdb.load_data(maxlen=2.5), "`maxlen`, expected an integer >= 1 or None. Received: maxlen=2.5"),
    (lambda: imdb.load_data(oov_char="?"), "`oov_char`, expected an integer >= 0 or None. Received: oov_char='?'"),
    (lambda: reuters.load_data(index_from=None), "`index_from`, expected an integer >= 0. Received: index_from=None"),
    (lambda: reuters.load_data(test_split=-0.2),
     "`test_split`, expected a number in [0, 1). Received: test_split=-0.2"),
])
def test_bad_loader_arguments(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_imdb_unknown_keyword():
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['nb_words'\]"):
        imdb.load_data(nb_words=100)


# -- parity with Keras's own loaders on the same files ------------------------

KERAS_OPTIONS = [
    {},
    {"num_words": 20, "skip_top": 3},
    {"maxlen": 9, "seed": 7},
    {"start_char": None, "index_from": 0, "num_words": 15},
    {"oov_char": None, "num_words": 25, "index_from": 5, "start_char": 4},
]


@pytest.fixture
def keras_datasets():
    pytest.importorskip("keras", reason="keras (the parity extra) is not installed")
    return lambda name: importlib.import_module(f"keras.src.datasets.{name}")


def assert_same_split(ours, theirs):
    for our_part, their_part in zip(ours, theirs):
        for a, b in zip(our_part, their_part):
            assert len(a) == len(b)
            if a.dtype == object:
                assert [list(x) for x in a] == [list(x) for x in b]
            else:
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("options", KERAS_OPTIONS)
def test_imdb_matches_keras(server, monkeypatch, keras_datasets, options):
    serve(server, monkeypatch, imdb, write_imdb)
    path = download.get_file("imdb.npz", download.dataset_url("imdb.npz"), file_hash=imdb.FILE_HASH)
    keras_imdb = keras_datasets("imdb")
    monkeypatch.setattr(keras_imdb, "get_file", lambda *args, **kwargs: path)  # Keras reads our local file
    assert_same_split(imdb.load_data(**options), keras_imdb.load_data(**options))


@pytest.mark.parametrize("options", KERAS_OPTIONS + [{"test_split": 0.5, "maxlen": 12}])
def test_reuters_matches_keras(server, monkeypatch, keras_datasets, options):
    serve(server, monkeypatch, reuters, write_reuters)
    path = download.get_file("reuters.npz", download.dataset_url("reuters.npz"), file_hash=reuters.FILE_HASH)
    keras_reuters = keras_datasets("reuters")
    monkeypatch.setattr(keras_reuters, "get_file", lambda *args, **kwargs: path)
    assert_same_split(reuters.load_data(**options), keras_reuters.load_data(**options))
    assert reuters.get_label_names() == keras_reuters.get_label_names()


@pytest.mark.parametrize("options", [{}, {"test_split": 0.3, "seed": 1}])
def test_boston_housing_and_mnist_match_keras(server, monkeypatch, keras_datasets, options):
    serve(server, monkeypatch, boston_housing, write_boston)
    path = download.get_file("boston_housing.npz", download.dataset_url("boston_housing.npz"),
                             file_hash=boston_housing.FILE_HASH)
    keras_boston = keras_datasets("boston_housing")
    monkeypatch.setattr(keras_boston, "get_file", lambda *args, **kwargs: path)
    assert_same_split(boston_housing.load_data(**options), keras_boston.load_data(**options))

    serve(server, monkeypatch, mnist, write_mnist)
    mnist_path = download.get_file("mnist.npz", download.dataset_url("mnist.npz"), file_hash=mnist.FILE_HASH)
    keras_mnist = keras_datasets("mnist")
    monkeypatch.setattr(keras_mnist, "get_file", lambda *args, **kwargs: mnist_path)
    assert_same_split(mnist.load_data(), keras_mnist.load_data())


def test_fashion_mnist_matches_keras(server, monkeypatch, keras_datasets):
    rng = np.random.default_rng(5)
    for name, shape in zip(fashion_mnist.FILES, [(7,), (7, 28, 28), (3,), (3, 28, 28)]):
        write_idx(server.root / name, rng.integers(0, 256 if len(shape) == 3 else 10, shape))
    ours = fashion_mnist.load_data()
    keras_fashion = keras_datasets("fashion_mnist")
    monkeypatch.setattr(keras_fashion, "get_file", lambda fname, **kwargs: cache_path("fashion-mnist", fname))
    assert_same_split(ours, keras_fashion.load_data())


def test_progress_bar_with_and_without_a_known_size(capsys):
    data = bytes(300_000)
    out = io.BytesIO()
    download._copy_with_progress(io.BytesIO(data), out, total=str(len(data)))
    assert out.getvalue() == data
    frames = capsys.readouterr().out.split("\r")
    assert frames[-1] == "[==============================] 100%    0.3/0.3 MB\n"
    assert frames[1].startswith("[") and "% " in frames[1] and len(frames) > 3
    download._copy_with_progress(io.BytesIO(data), io.BytesIO(), total=None)  # no Content-Length header
    assert capsys.readouterr().out.split("\r")[-1] == "0.3 MB\n"
