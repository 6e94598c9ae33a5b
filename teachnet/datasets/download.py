"""Downloading a dataset file once and keeping it: the cache, the checksum and
the progress bar behind `mnist.load_data()` and the other Keras-style loaders.

Where files go:
    `$TEACHNET_HOME/datasets` if the TEACHNET_HOME environment variable is set,
    else `~/.teachnet/datasets`.
Where they come from:
    Keras's own server, https://storage.googleapis.com/tensorflow/tf-keras-datasets/ ,
    or the address in the TEACHNET_DATASETS_URL environment variable (a mirror,
    a classroom server, or a test server).
A copy that Keras already downloaded (`$KERAS_HOME/datasets` or
`~/.keras/datasets`) is used as it is when its checksum matches, so nothing is
downloaded twice.

To work offline, put the file into the cache folder by hand: the error message
of a failed download names the URL and the exact path.
"""
import hashlib
import io
import os
import pickle
import sys
import urllib.error
import urllib.request
import zipfile

import numpy as np

from teachnet.saving.atomic import atomic_write

KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def cache_dir():
    """The folder downloaded datasets are kept in."""
    home = os.environ.get("TEACHNET_HOME") or os.path.join(os.path.expanduser("~"), ".teachnet")
    return os.path.join(home, "datasets")


def keras_cache_dir():
    """The folder Keras keeps its downloaded datasets in (read, never written)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets")


def dataset_url(name, base_url=None):
    """The URL of a dataset file: `base_url`, else $TEACHNET_DATASETS_URL, else Keras's server, plus `name`."""
    base = base_url or os.environ.get("TEACHNET_DATASETS_URL") or KERAS_DATASETS_URL
    return base.rstrip("/") + "/" + name


def file_hash_of(path, algorithm="sha256"):
    """The hex digest of a file, read in 64 KiB chunks."""
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _algorithm(file_hash):
    # Keras's rule: a 64-character hash is sha256, anything else md5 (its older files)
    return "sha256" if len(file_hash) == 64 else "md5"


def _matches(path, file_hash):
    return file_hash is None or file_hash_of(path, _algorithm(file_hash)) == file_hash


def get_file(fname, origin, file_hash=None, cache_subdir=""):
    """Returns the local path of `fname`, downloading it from `origin` the first time.

    A cached copy is used when it exists and matches `file_hash`; a copy that
    does not match is downloaded again. A fresh download that does not match
    is deleted and refused.

    Args:
        fname: the file's name in the cache (a name, not a path).
        origin: the URL to download it from.
        file_hash: its sha256 (64 hex digits) or md5 (32) hash, or None to skip the check.
        cache_subdir: a folder inside the cache, e.g. "fashion-mnist".

    Returns:
        The path of the verified file.

    Example:
    >>> path = get_file("mnist.npz", dataset_url("mnist.npz"),
    ...                 file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
    """
    if not fname or os.path.basename(fname) != fname:
        raise ValueError(f"Received an invalid value for `fname`, expected a file name without folders "
                         f"(it is stored in {cache_dir()}). Received: fname={fname!r}")
    target = os.path.join(cache_dir(), cache_subdir, fname)
    cached = os.path.exists(target)
    if cached and _matches(target, file_hash):
        return target
    keras_copy = os.path.join(keras_cache_dir(), cache_subdir, fname)
    if os.path.exists(keras_copy) and _matches(keras_copy, file_hash):
        return keras_copy
    if cached:  # but it failed the check above
        print(f"The cached file {target} does not match its expected hash {file_hash}; downloading it again.")

    os.makedirs(os.path.dirname(target), exist_ok=True)
    print(f"Downloading {fname} from {origin}")
    try:
        # Written beside `target` and moved there only once complete and verified; any failure
        # (Ctrl-C included) deletes the partial file and leaves an older copy as it was.
        with atomic_write(target) as partial:
            with urllib.request.urlopen(origin, timeout=60) as response, open(partial, "wb") as out:
                _copy_with_progress(response, out, total=response.headers.get("Content-Length"))
            if not _matches(partial, file_hash):
                raise _HashMismatch(file_hash_of(partial, _algorithm(file_hash)))
    except _HashMismatch as mismatch:
        raise ValueError(
            f"The file downloaded from {origin} does not have the expected {_algorithm(file_hash)} hash: "
            f"expected {file_hash}. Received: {mismatch.received}. It may be incomplete or a different file, "
            f"so it was deleted. Try again, or place a verified copy at {target}.") from None
    except OSError as error:  # no network, unknown host, HTTP 404, timeout, full disk (URLError is an OSError)
        reason = error if isinstance(error, urllib.error.HTTPError) else getattr(error, "reason", error)
        note = f" The copy already at {target} does not match the expected hash {file_hash}." if cached else ""
        raise ConnectionError(
            f"Could not download {fname} from {origin} ({reason}).{note} If this computer is offline, "
            f"download the file on another one from {origin} and place it at {target} "
            f"(the cache folder is $TEACHNET_HOME/datasets, or ~/.teachnet/datasets when TEACHNET_HOME is not set), "
            f"or set TEACHNET_DATASETS_URL to a server that has it.") from error
    return target


class _HashMismatch(Exception):
    """A complete download with the wrong hash (its file is deleted on the way out)."""

    def __init__(self, received):
        super().__init__(received)
        self.received = received


def _copy_with_progress(source, out, total=None, width=30):
    """Copies a stream to a file, drawing `[=====>     ] 42%  4.8/11.5 MB` as it goes."""
    total = int(total) if total else None
    done, shown = 0, None
    while True:
        chunk = source.read(1 << 16)
        if not chunk:
            break
        out.write(chunk)
        done += len(chunk)
        if total:
            percent = min(100, 100 * done // total)
            if percent != shown:  # redraw once per percent, not once per chunk
                filled = width * percent // 100
                bar = "=" * filled + (">" if filled < width else "") + " " * (width - filled - 1)
                sys.stdout.write(f"\r[{bar[:width]}] {percent:3d}% {done / 1e6:6.1f}/{total / 1e6:.1f} MB")
                shown = percent
        else:
            sys.stdout.write(f"\r{done / 1e6:.1f} MB")
        sys.stdout.flush()
    sys.stdout.write("\n")
    sys.stdout.flush()


# -- reading .npz files that hold lists of word indices ----------------------

# IMDB and Reuters store each text as a Python list inside a numpy object
# array, which numpy can only save as a pickle. Unpickling can run arbitrary
# code, so the loader accepts only what rebuilding such an array needs.
_reconstruct = np.ndarray.__reduce__(np.zeros(1))[0]  # numpy's array-rebuilding function
_SAFE_GLOBALS = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,   # files written by numpy 1
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,  # files written by numpy 2
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _SAFE_GLOBALS:
            raise pickle.UnpicklingError(f"Refusing to load {module}.{name} from a dataset file: "
                                         "it holds more than numpy arrays, so it may be corrupted or malicious.")
        return _SAFE_GLOBALS[(module, name)]


def load_npz(path):
    """Reads every array of an .npz file into a dict; object arrays go through a
    restricted unpickler instead of `np.load(allow_pickle=True)`."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if not member.endswith(".npy"):
                continue
            stream = io.BytesIO(archive.read(member))
            try:
                arrays[member[:-4]] = np.lib.format.read_array(stream, allow_pickle=False)
            except ValueError:  # an object array: the header is followed by a pickle
                stream.seek(0)
                major, _ = np.lib.format.read_magic(stream)
                read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
                read_header(stream)
                arrays[member[:-4]] = _ArrayOnlyUnpickler(stream).load()
    return arrays

