"""Keep freed memory in the process between training steps (Linux/glibc).

Every training step allocates and frees the same large arrays: activations,
im2col matrices, gradients. By default glibc's malloc serves arrays above a
threshold with fresh pages from the system and gives freed memory back, so
the next step takes it again: one page fault per 4 KiB page, each page zeroed
by the kernel. For the MNIST convnet in benchmarks/, before the convolution
worked in chunks, that was 3,482 page faults a step (benchmarks/profile_ops.py);
PyTorch in the same process loses time the same way.

`keep_freed_memory()` tells malloc to serve arrays up to 32 MiB from its heap
and to keep up to 128 MiB of free memory there instead of returning it
(glibc's M_MMAP_THRESHOLD and M_TRIM_THRESHOLD; glibc's own heuristics move
toward 32 MiB and 64 MiB as a program frees big blocks). The cost: the
process may hold up to 128 MiB it is not using. It does nothing on other C
libraries or systems, or if the environment sets glibc's own variables
MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or MALLOC_TOP_PAD_: those win.

It is a process-wide side effect of `import teachnet`, so it is visible and
switchable: `teachnet.utils.memory.applied` says whether it is in force, and
setting the environment variable TEACHNET_KEEP_FREED_MEMORY=0 before the
import leaves glibc's malloc as it was (mallopt cannot be undone later:
once set, glibc stops adapting its threshold, so the switch is read once, at
import). Why it stays on by default is measured, not assumed: on the MNIST
convnet it removed every page fault of a step (3,482 before) and cut a step
from 38.8 ms to 21.0 ms together with the chunked convolution, and PyTorch in
the same process gains from it too (benchmarks/README.md).
"""
import ctypes
import os
import platform

MMAP_THRESHOLD = 32 << 20  # arrays up to this size come from the heap (glibc's maximum)
TRIM_THRESHOLD = 128 << 20  # free memory kept at the top of the heap
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers, from glibc's malloc.h
_ENVIRONMENT = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
SWITCH = "TEACHNET_KEEP_FREED_MEMORY"  # "0" (or "false", "no", "off") turns the setting off
applied = False  # whether this process runs with the thresholds above


def keep_freed_memory():
    """Sets glibc's mmap and trim thresholds (teachnet calls it on import). Returns True if it set them."""
    global applied
    if os.environ.get(SWITCH, "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if any(name in os.environ for name in _ENVIRONMENT):
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    applied = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return applied
