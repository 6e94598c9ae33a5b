"""`PyDataset`: a dataset written in Python that gives one batch at a time, as Keras's."""


class PyDataset:
    """Base class of a dataset that gives whole batches: subclass it, define
    `__len__` (the number of batches) and `__getitem__(index)` (batch `index`:
    `x`, `(x, y)` or `(x, y, sample_weight)`), and pass it to `fit`,
    `evaluate` or `predict` as `x`.

    `fit` asks for `dataset[0]`, `dataset[1]`, ... (in shuffled order with
    `shuffle=True`) and calls `on_epoch_end()` after each epoch, e.g. to
    reshuffle the samples, and `on_epoch_begin()` before it.

    Args:
        workers, use_multiprocessing, max_queue_size: Keras's settings for
            loading batches in parallel. teachnet stores them but always loads
            batches one after the other in the training loop (the batches and
            the results are the same; only the loading is not overlapped with
            training).

    Example:
        >>> class Batches(teachnet.utils.PyDataset):
        ...     def __init__(self, x, y, batch_size, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.x, self.y, self.batch_size = x, y, batch_size
        ...     def __len__(self):
        ...         return math.ceil(len(self.x) / self.batch_size)
        ...     def __getitem__(self, index):
        ...         rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        ...         return self.x[rows], self.y[rows]
        >>> model.fit(Batches(x, y, 32), epochs=3)
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self):
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(self, index), returning "
                                  "batch `index` as (x, y).")

    @property
    def num_batches(self):
        """The number of batches (`len(self)`), or None for an endless dataset without `__len__`."""
        if type(self).__len__ is PyDataset.__len__:
            return None
        return len(self)

    def __len__(self):
        raise TypeError(f"{type(self).__name__} has no __len__: define __len__(self) returning the number "
                        "of batches, or pass steps_per_epoch to fit.")

    def on_epoch_begin(self):
        """Called before each epoch; does nothing unless overridden."""

    def on_epoch_end(self):
        """Called after each epoch (e.g. to shuffle the samples); does nothing unless overridden."""
