"""Data handling for `fit`, `evaluate` and `predict`: whatever the user passes, as batches.

Keras 3's data adapters, in one file:

- arrays (numpy arrays, Tensors, plain Python lists of numbers, or a list /
  dict of them for several inputs): `ArrayBatches` cuts them into batches,
  reshuffled each epoch;
- a Python generator, or any other iterator or iterable of batches:
  `IteratorBatches` takes the batches as they come;
- a `teachnet.utils.PyDataset`: `PyDatasetBatches` asks for `dataset[i]`
  and calls `on_epoch_end` after each epoch.

Each yields batches in the form `train_step(data)` receives them, as Keras
packs them: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`
(`pack_x_y_sample_weight`); `unpack_x_y_sample_weight` undoes it.
"""
import inspect
import math
import numbers
import warnings

import numpy as np

from teachnet import tree
from teachnet.autodiff import Tensor


# -- Keras's packed batches -------------------------------------------------------
def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """One batch as `train_step` receives it: `x` alone (or `(x,)` when x is a
    list of inputs), `(x, y)` or `(x, y, sample_weight)`."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """`(x, y, sample_weight)` from a batch, with None for what it lacks.

    Example:
        >>> def train_step(self, data):
        ...     x, y, sample_weight = unpack_x_y_sample_weight(data)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) in (1, 2, 3):
        return tuple(data) + (None,) * (3 - len(data))
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`. "
                     f"Received a tuple of {len(data)} items.")


# -- arrays -------------------------------------------------------------------------
def is_plain_numbers(data):
    """Whether `data` is a Python number or (nested) list/tuple of numbers,
    looking along the first items only (cheap for a long list)."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, numbers.Number) and not isinstance(data, np.ndarray)


def to_arrays(data, argument, num_arrays=None):
    """Converts `data` to numpy (floats as float32), keeping its structure.

    A list or tuple is one array (a list of numbers, a list of lists of
    numbers, ...) unless it stands for several arrays: when `num_arrays`
    (the model's number of inputs or outputs) is more than 1, or, when that
    number is unknown, when its items are arrays or dicts. Done once per
    `fit`, not per batch.
    """
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: to_arrays(v, f"{argument}[{k!r}]") for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data:
        several = (num_arrays > 1 if num_arrays is not None else
                   not is_plain_numbers(data) and all(isinstance(v, (np.ndarray, Tensor, list, tuple, dict))
                                                       for v in data))
        if several:
            return [to_arrays(v, f"{argument}[{i}]") for i, v in enumerate(data)]
    array = data.data if isinstance(data, Tensor) else _as_array(data, argument)
    if array.dtype == np.float64 or array.dtype == np.float16 or array.dtype == bool:
        array = array.astype(np.float32)
    elif array.dtype == object:
        raise TypeError(f"Expected `{argument}` to hold numbers. Received: an array of Python objects "
                        f"(from a {type(data).__name__}). Convert it with np.asarray(..., dtype='float32').")
    elif array.dtype.kind in "US":
        raise TypeError(f"Expected `{argument}` to hold numbers. Received: strings (dtype {array.dtype}) such as "
                        f"'{array.reshape(-1)[0]}'. Encode them as numbers first, e.g. class ids from "
                        "np.unique(labels, return_inverse=True)[1], or token ids for text.")
    if array.ndim == 0:
        raise ValueError(f"Expected `{argument}` to have a batch axis (one row per sample). Received: a scalar "
                         f"({data!r:.40}). Pass an array with one row per sample.")
    return array


def _as_array(data, argument):
    try:
        return np.asarray(data)
    except ValueError:  # numpy >= 1.24 refuses ragged nested lists
        lengths = sorted({len(v) if isinstance(v, (list, tuple)) else 1 for v in data})
        raise ValueError(f"Expected `{argument}` as rows of one length (an array). Received: a list of rows of "
                         f"different lengths ({lengths}). Pad them (teachnet.utils.pad_sequences) or pass one "
                         "array per input.") from None


def arrays_in(data):
    """The arrays of a structure, as a list in `tree.flatten`'s order (dict values by sorted key),
    without the Nones (an output without targets or weights)."""
    return [a for a in tree.flatten(data) if a is not None]


def to_numpy(data):
    """Tensors (in a list, tuple or dict) as numpy arrays: what predict returns."""
    if isinstance(data, dict):
        return {k: to_numpy(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [to_numpy(v) for v in data]
    return data.data if isinstance(data, Tensor) else np.asarray(data)


def num_samples(data, argument):
    """The length of the batch axis, checking that every array agrees."""
    sizes = {a.shape[0] for a in arrays_in(data)}
    if len(sizes) > 1:
        raise ValueError(f"Expected every array of `{argument}` to have the same number of samples. Received: "
                         f"arrays with {sorted(sizes)} samples. Give every array one row per sample.")
    return sizes.pop() if sizes else 0


def check_same_length(x, y, sample_weight=None, where=""):
    """x, y and sample_weight must describe the same samples; returns their number."""
    n = num_samples(x, "x")
    if n == 0:
        raise ValueError(f"Expected at least one sample in `x`{where}. Received: 0 samples (`x` is empty). Pass "
                         "at least one sample (one row per sample).")
    for name, data in (("y", y), ("sample_weight", sample_weight)):
        if data is not None:
            m = num_samples(data, name)
            if m != n:
                raise ValueError(f"Data cardinality is ambiguous{where}: expected as many samples in {name} as in "
                                 f"x. Received: x has {n} samples but {name} has {m}. Make sure all arrays "
                                 "contain the same number of samples.")
    return n


def take(data, index):
    """The rows `index` (a slice or an index array) of every array of `data`."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: take(v, index) for k, v in data.items()}
    if isinstance(data, list):
        return [take(v, index) for v in data]
    return data[index]


def train_validation_split(arrays, validation_split):
    """Keras's split: the LAST `validation_split` fraction of the samples (before
    any shuffling) is held out. Returns (train arrays, validation arrays)."""
    n = num_samples([a for a in arrays if a is not None], "x")
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Expected enough samples to split into a validation and a training set as specified "
                         f"by `validation_split={validation_split}`. Received: {n} samples. Either provide more "
                         "data, or a different value for the `validation_split` argument.")
    train = tuple(take(a, slice(0, split_at)) for a in arrays)
    val = tuple(take(a, slice(split_at, n)) for a in arrays)
    return train, val


def check_class_weight(class_weight):
    """Keras's accepted form, a dict `{class index: weight}`, returned with int keys.

    Keras fails on a list with an AttributeError, and takes string keys ("0")
    without error but never matches them (every weight stays 1): both are
    refused here, saying how to write the dict."""
    if not isinstance(class_weight, dict):
        hint = (" For a list of weights (one per class), pass dict(enumerate(weights))."
                if isinstance(class_weight, (list, tuple, np.ndarray)) else "")
        raise ValueError("Expected `class_weight` to be a dict mapping class indices (integers) to weights, "
                         f"e.g. {{0: 1.0, 1: 5.0}}. Received: class_weight={class_weight!r:.80} of type "
                         f"{type(class_weight).__name__}.{hint}")
    bad = [k for k in class_weight if not isinstance(k, numbers.Number) or k != int(k)]
    if bad:
        raise ValueError("Expected `class_weight` to have integer keys (class indices). Received keys "
                         f"{bad!r} of type {type(bad[0]).__name__}: labels are compared with the keys as "
                         "numbers, so these weights would never be used (Keras ignores them silently). Use "
                         "the class index as key, e.g. {int(k): w for k, w in class_weight.items()}.")
    return {int(k): float(w) for k, w in class_weight.items()}


def class_weight_to_sample_weight(y, class_weight):
    """One weight per sample: the weight of its class (one-hot or sparse labels)."""
    if isinstance(y, (list, dict)):
        raise ValueError("`class_weight` is only supported for Models with a single output. Received: targets "
                         f"for several outputs (a {type(y).__name__}). Use `sample_weight` per output instead.")
    if y is None:
        raise ValueError("Expected targets `y` with `class_weight`, to know each sample's class. Received: y=None. "
                         "Pass the targets, or leave out `class_weight`.")
    labels = np.asarray(y)
    if labels.ndim > 1:
        labels = np.argmax(labels, axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = np.round(labels).astype("int32")
    return np.array([class_weight.get(int(c), 1.0) for c in labels.reshape(-1)], dtype="float32")


class BatchIterator:
    """Cuts `num_samples` samples into batches of `batch_size` (the last one
    smaller), reshuffled at every epoch when `shuffle` is True.

    With `steps_per_epoch`, an epoch is that many batches; the next epoch
    continues where this one stopped, and a pass over the data that runs out
    ends the epoch early (as Keras does with arrays).
    """

    def __init__(self, num_samples, batch_size, shuffle=False, steps_per_epoch=None, rng=None):
        self.num_samples = num_samples
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps_per_epoch = steps_per_epoch
        self.rng = rng
        self.num_batches = int(math.ceil(num_samples / batch_size))
        self._pass = None      # the batches of the current pass over the data
        self._position = 0

    @property
    def steps(self):
        return self.steps_per_epoch or self.num_batches

    def _new_pass(self):
        if self.shuffle:
            order = self.rng.permutation(self.num_samples)  # (num_samples,)
            self._pass = [order[i:i + self.batch_size] for i in range(0, self.num_samples, self.batch_size)]
        else:  # slices are views: no copy of the data
            self._pass = [slice(i, min(i + self.batch_size, self.num_samples))
                          for i in range(0, self.num_samples, self.batch_size)]
        self._position = 0

    def epoch(self):
        """Yields `(step, index)` for each batch of one epoch."""
        if self._pass is None or self.steps_per_epoch is None:
            self._new_pass()
        for step in range(self.steps):
            if self._position >= len(self._pass):
                _ran_out_warning(step, self.steps_per_epoch)
                break
            index = self._pass[self._position]
            self._position += 1
            yield step, index
        if self._position >= len(self._pass):
            self._pass = None


def _ran_out_warning(step, steps_per_epoch):
    warnings.warn("Your input ran out of data; interrupting the epoch after "
                  f"{step} of steps_per_epoch={steps_per_epoch} steps. Make sure that your data can give at "
                  "least `steps_per_epoch * epochs` batches (a generator cannot start over).", stacklevel=4)


# -- the three kinds of batch sources -----------------------------------------------------
class ArrayBatches:
    """Batches cut from arrays: `epoch()` yields `(step, batch)`."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False, steps_per_epoch=None,
                 rng=None):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self._batches = BatchIterator(num_samples(x, "x"), batch_size, shuffle=shuffle,
                                      steps_per_epoch=steps_per_epoch, rng=rng)
        self.steps = self._batches.steps

    def first_x(self):
        return take(self.x, slice(0, 1))

    def epoch(self):
        for step, index in self._batches.epoch():
            yield step, pack_x_y_sample_weight(take(self.x, index), take(self.y, index),
                                               take(self.sample_weight, index))


class _CheckedBatches:
    """What the generator and PyDataset sources share: each batch is checked
    and converted (lists of numbers become arrays), class weights applied."""

    what = "data"

    def __init__(self, class_weight=None, num_inputs=None, num_outputs=None):
        self.class_weight = class_weight
        self.num_inputs, self.num_outputs = num_inputs, num_outputs

    def standardize(self, batch, index):
        """The batch as `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)` of numpy arrays."""
        expected = (f"Expected each batch from the {self.what} to be a tuple (x,), (x, y) or "
                    "(x, y, sample_weight) of arrays, or the inputs x alone")
        if isinstance(batch, np.ndarray) or isinstance(batch, Tensor):
            batch = (batch,)
        elif isinstance(batch, list):
            batch = tuple(batch)
        if isinstance(batch, dict):
            batch = (batch,)
        if not isinstance(batch, tuple):
            raise TypeError(f"{expected}. Received: batch {index}, a {type(batch).__name__} ({batch!r:.60}).")
        if not 1 <= len(batch) <= 3:
            raise ValueError(f"{expected}. Received: batch {index}, a tuple of {len(batch)} items of types "
                             f"{[type(b).__name__ for b in batch]}.")
        where = f" in batch {index} from the {self.what}"
        for item, name in zip(batch, ("x", "y", "sample_weight")):
            if item is not None and not isinstance(item, (np.ndarray, Tensor, list, tuple, dict, numbers.Number)):
                raise TypeError(f"{expected}. Received: batch {index}, holding a {type(item).__name__} as "
                                f"`{name}`.")
        x, y, sample_weight = (batch + (None, None))[:3]
        x = to_arrays(x, f"x{where}", self.num_inputs)
        y = to_arrays(y, f"y{where}", self.num_outputs)
        sample_weight = to_arrays(sample_weight, f"sample_weight{where}")
        check_same_length(x, y, sample_weight, where)
        if self.class_weight is not None:
            if sample_weight is not None:
                raise ValueError(f"Expected either sample weights in the batches or `class_weight`, not both. "
                                 f"Received: batch {index} from the {self.what} with sample weights, and "
                                 "`class_weight`. Use one or the other.")
            sample_weight = class_weight_to_sample_weight(y, self.class_weight)
        return pack_x_y_sample_weight(x, y, sample_weight)

    def first_x(self):
        return unpack_x_y_sample_weight(self.peek())[0]


def _no_batch(what):
    return ValueError(f"Expected the {what} to yield at least one batch (x, y). Received: no batch at all. A "
                      "generator can be used only once: make a new one for each fit.")


class IteratorBatches(_CheckedBatches):
    """Batches from a Python generator or other iterator (used up once), or
    from an iterable (a new pass each epoch).

    Without `steps`, an epoch runs until the data runs out; with `steps`, an
    epoch is that many batches and the next epoch continues from there.
    """

    def __init__(self, source, steps=None, class_weight=None, num_inputs=None, num_outputs=None):
        super().__init__(class_weight, num_inputs, num_outputs)
        self.source = source
        self.what = ("generator" if inspect.isgenerator(source) else
                     f"iterator {type(source).__name__}" if iter(source) is source else
                     f"iterable {type(source).__name__}")
        self.steps = steps
        self._iterator = None
        self._peeked = []   # batches read ahead (to build the model) and not yet used
        self._index = 0     # the index of the next batch, for error messages
        self._yielded = False  # whether any batch came at all

    def _next_raw(self):
        if self._peeked:
            return self._peeked.pop(0)
        if self._iterator is None:
            self._iterator = iter(self.source)
        return next(self._iterator)

    def peek(self):
        """The next batch, left in place for the coming epoch."""
        if not self._peeked:
            try:
                self._peeked.append(self._next_raw())
            except StopIteration:
                raise _no_batch(self.what) from None
        return self.standardize(self._peeked[0], self._index)

    def epoch(self):
        step = 0
        while self.steps is None or step < self.steps:
            try:
                raw = self._next_raw()
            except StopIteration:
                self._iterator = None  # an iterable starts a new pass; a used generator stays empty
                self._index = 0
                if not self._yielded:
                    raise _no_batch(self.what)
                if self.steps is not None or step == 0:
                    _ran_out_warning(step, self.steps)
                return
            batch = self.standardize(raw, self._index)
            self._index += 1
            self._yielded = True
            yield step, batch
            step += 1


class PyDatasetBatches(_CheckedBatches):
    """Batches `dataset[0]`, `dataset[1]`, ... of a `PyDataset` (in shuffled
    order when `shuffle`); `on_epoch_begin` / `on_epoch_end` around each epoch."""

    what = "PyDataset"

    def __init__(self, dataset, steps=None, shuffle=False, class_weight=None, rng=None, num_inputs=None,
                 num_outputs=None):
        super().__init__(class_weight, num_inputs, num_outputs)
        self.dataset = dataset
        self.what = f"PyDataset {type(dataset).__name__}"
        self.num_batches = dataset.num_batches
        if self.num_batches is None and steps is None:
            raise ValueError(f"{self.what} has no length (an infinite dataset): pass `steps_per_epoch` "
                             "(or `steps` / `validation_steps`) to say how many batches make an epoch.")
        self.steps = steps or self.num_batches
        self.shuffle, self.rng = shuffle, rng

    def peek(self):
        return self.standardize(self.dataset[0], 0)

    def epoch(self):
        self.dataset.on_epoch_begin()
        if self.num_batches is None:
            order = range(self.steps)
        else:
            order = self.rng.permutation(self.num_batches) if self.shuffle else range(self.num_batches)
        for step, i in enumerate(order):
            if step >= self.steps:
                break
            yield step, self.standardize(self.dataset[int(i)], int(i))
        self.dataset.on_epoch_end()


def is_batch_source(data):
    """Whether `data` gives batches itself (a generator, an iterator, an
    iterable other than a list/tuple/dict/array, or a PyDataset)."""
    from teachnet.utils.py_dataset import PyDataset  # teachnet.utils imports this module: a real cycle
    if isinstance(data, PyDataset):
        return True
    if data is None or isinstance(data, (np.ndarray, Tensor, list, tuple, dict, str, bytes, numbers.Number)):
        return False
    if hasattr(data, "__array__") or hasattr(data, "shape"):  # array-likes (pandas, torch) are arrays
        return False
    return hasattr(data, "__iter__") or hasattr(data, "__next__")


def batch_source(data, steps=None, shuffle=False, class_weight=None, rng=None, num_inputs=None,
                 num_outputs=None):
    """The batch source for a generator, iterator, iterable or PyDataset."""
    from teachnet.utils.py_dataset import PyDataset  # teachnet.utils imports this module: a real cycle
    if isinstance(data, PyDataset):
        return PyDatasetBatches(data, steps, shuffle, class_weight, rng, num_inputs, num_outputs)
    return IteratorBatches(data, steps, class_weight, num_inputs, num_outputs)
