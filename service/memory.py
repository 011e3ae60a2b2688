"""Giving freed memory back to the operating system once the server goes idle.

Chunks and rows are freed when a stream ends, but glibc keeps the freed heap for reuse: after 16
cancelled streams RSS stayed 175 MB above idle. `malloc_trim(0)` returns it. It runs (after a garbage
collection) in a worker thread a moment after the last generation ends, at most once per pause, and only
where glibc provides it.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
from collections.abc import Callable

TRIM_DELAY_S = 1.0  # lets a burst of requests finish before trimming once


def _load_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc (musl, macOS): RSS then stays as the allocator keeps it
        return None


class Trimmer:
    def __init__(self, is_idle: Callable[[], bool]) -> None:
        self.is_idle = is_idle
        self._trim = _load_trim()
        self._pending: asyncio.TimerHandle | None = None
        self._running: asyncio.Future[None] | None = None
        self.trims = 0

    def soon(self) -> None:
        """Trim once the server has stayed idle for TRIM_DELAY_S (call from the event loop)."""
        if self._trim is None or self._pending is not None:
            return
        self._pending = asyncio.get_running_loop().call_later(TRIM_DELAY_S, self._fire)

    def _fire(self) -> None:
        self._pending = None
        if self.is_idle():
            self._running = asyncio.ensure_future(asyncio.to_thread(self._run))

    def _run(self) -> None:
        assert self._trim is not None
        # Cancelled streams leave cycles (generator frames, tracebacks) holding their last rows; collect
        # them first, or the heap they sit in cannot be returned. Start-up objects are frozen: this is quick.
        gc.collect()
        self._trim(0)
        self.trims += 1
