# Copyright (c) mmpose-multikd contributors. All rights reserved.
"""Keep freed memory in glibc's heap instead of unmapping it.

glibc's ``malloc`` serves a request above its mmap threshold (at most
32 MiB) with a fresh ``mmap`` and returns it to the kernel on ``free``.
Every training step then maps its large activations anew and the kernel
zero-fills each 4 KiB page on first touch: at batch 16 and 256x256 the
distiller's step takes millions of minor page faults, seconds of system
time (``docs/benchmarks.md``). ``mallopt(M_MMAP_MAX, 0)`` serves every
request from the heap, and a high ``M_TRIM_THRESHOLD`` keeps freed memory
there, so the next step reuses pages that are already mapped. The price:
the process keeps its peak resident size until it exits.
"""

import ctypes
import ctypes.util
from typing import Optional

# mallopt parameters (glibc's malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4


def keep_freed_memory(trim_threshold: int = 1 << 30) -> bool:
    """Serve all allocations from the heap and keep freed memory there.

    Process-wide; a no-op where the C library is not glibc.

    Args:
        trim_threshold (int): Free bytes at the top of the heap above
            which glibc gives memory back. Defaults to 1 GiB.

    Returns:
        bool: Whether glibc accepted both settings.
    """
    libc = _glibc()
    if libc is None:
        return False
    return bool(
        libc.mallopt(M_MMAP_MAX, 0)
        and libc.mallopt(M_TRIM_THRESHOLD, int(trim_threshold))
    )


def _glibc() -> Optional[ctypes.CDLL]:
    """glibc, or None (another C library, or no ``mallopt``)."""
    name = ctypes.util.find_library('c')
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        if not libc.gnu_get_libc_version():
            return None
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        return libc
    except (OSError, AttributeError):
        return None
