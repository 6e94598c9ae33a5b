"""Writing a file without ever destroying the previous one.

Every file the kit writes (weights, whole models, checkpoints, the dataset
cache, plots) goes through `atomic_write`: the new bytes go to a temporary
file in the same folder, and only a complete file is moved over the old one
with `os.replace`, which the operating system does in one step. If the
writer fails half way (disk full, a file-size limit, Ctrl-C), the temporary
file is removed and the previous file is still there, whole.

Example:
    >>> with atomic_write("model.keras") as tmp_path:
    ...     write_everything_to(tmp_path)   # model.keras changes only if this returns
"""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_write(filepath):
    """Yields a temporary path beside `filepath`; moves it to `filepath` on success.

    On any exception (KeyboardInterrupt included) the temporary file is
    deleted and the exception propagates; `filepath` is left as it was.
    """
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    # Same folder, so os.replace is a rename within one file system (never a copy).
    fd, tmp_path = tempfile.mkstemp(prefix="." + os.path.basename(filepath) + ".", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        os.chmod(tmp_path, _mode_for(filepath))  # mkstemp makes it private (0600); keep what open() would give
        yield tmp_path
        os.replace(tmp_path, filepath)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp_path)
        raise


def _mode_for(filepath):
    """The permissions the file would get from a plain open(): the old file's, or 0666 minus the umask."""
    try:
        return os.stat(filepath).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
