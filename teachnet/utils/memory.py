"""Keep freed memory in the process between training steps (Linux/glibc).

Every training step allocates and frees the same large arrays: activations,
im2col matrices, gradients. glibc's malloc gives freed memory at the top of
its heap back to the system, and the next step takes it again, one page fault
per 4 KiB page, each page zeroed by the kernel. For the MNIST convnet in
benchmarks/ that was ~8,000 page faults a step, a third of its time.

`keep_heap_slack()` asks malloc to keep 64 MiB of free memory at the top of its
heap instead of returning it (glibc's M_TOP_PAD, default 128 KiB). The process
may hold up to that much memory it does not use; nothing else changes. It does
nothing on other C libraries or systems, or if the environment variable
MALLOC_TOP_PAD_ (glibc's own name for the setting) is set: that value wins.
"""
import ctypes
import os
import platform

TOP_PAD_BYTES = 64 << 20
_M_TOP_PAD = -2  # mallopt's parameter number, from glibc's malloc.h
_done = False


def keep_heap_slack(nbytes=TOP_PAD_BYTES):
    """Sets glibc's M_TOP_PAD to `nbytes` once per process. Returns True if set."""
    global _done
    if _done:
        return False
    _done = True
    if "MALLOC_TOP_PAD_" in os.environ or platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(_M_TOP_PAD, int(nbytes)))
    except (OSError, AttributeError):
        return False
