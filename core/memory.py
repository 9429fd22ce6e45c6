"""Handing the C heap's free pages back to the system between batches.

glibc's malloc keeps what a process frees in its arenas (one per thread that allocated:
the embedding pool's, the parse thread's, torch's) and reuses it, but a page in the
middle of an arena goes back to the system only when ``malloc_trim`` is called.  A long
folder ingest frees most of what each batch allocated (the parse's documents, the
graphs, the tensors), so without a trim its resident memory rose batch by batch
(docs/benchmarks.md, stop 30).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> bool:
    """``malloc_trim(0)`` where the C library has it (glibc); False elsewhere (musl,
    macOS), where it does nothing.  Costs a few milliseconds."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
