"""Giving freed memory back to the operating system, so attacks and big requests do not leave RSS high.

Two glibc behaviours kept memory after the work was done (measured on a server process):
- Its mmap threshold grows to the size of the last large block freed, so after one 15 MB request every
  later one came from the heap instead of its own mapping: sequential 15 MB requests, refused at once,
  pushed RSS to 608 MB. `fix_mmap_threshold` pins it at 1 MiB: large buffers are mapped and unmapped.
- Freed heap is kept for reuse: after 16 cancelled streams RSS stayed 175 MB above idle. `malloc_trim(0)`
  returns it. The Trimmer runs it (after a garbage collection, since cancelled streams leave cycles) a
  moment after the last generation ends, and every WATCH_S while the server is idle and RSS has grown
  since the last trim (unauthenticated bodies never reach generation, so nothing else would trim).
Where glibc is absent (musl, macOS) both are skipped and RSS stays as that allocator keeps it.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import os
from collections.abc import Callable
from typing import Any

TRIM_DELAY_S = 1.0  # lets a burst of requests finish before trimming once
WATCH_S = 2.0
GROWTH_BYTES = 16 * 1024 * 1024  # RSS grown this much since the last trim is worth a trim
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD = 1024 * 1024


def _libc() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim  # noqa: B018 (glibc only: raises AttributeError elsewhere)
        return libc
    except (OSError, AttributeError):
        return None


def fix_mmap_threshold() -> bool:
    """Pins glibc's mmap threshold (call once at start-up); False where there is no glibc."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Trimmer:
    def __init__(self, is_idle: Callable[[], bool]) -> None:
        self.is_idle = is_idle
        libc = _libc()
        self._trim: Callable[[int], int] | None = libc.malloc_trim if libc is not None else None
        self._pending: asyncio.TimerHandle | None = None
        self._running: asyncio.Future[None] | None = None
        self._trimmed_at = 0  # RSS right after the last trim
        self.trims = 0

    def soon(self) -> None:
        """Trim once the server has stayed idle for TRIM_DELAY_S (call from the event loop)."""
        if self._trim is None or self._pending is not None:
            return
        self._pending = asyncio.get_running_loop().call_later(TRIM_DELAY_S, self._fire)

    async def watch(self) -> None:
        """Runs for the server's life: trims while idle whenever RSS has grown since the last trim."""
        if self._trim is None:
            return
        while True:
            await asyncio.sleep(WATCH_S)
            if self.is_idle() and rss_bytes() > self._trimmed_at + GROWTH_BYTES:
                self._fire()

    def _fire(self) -> None:
        self._pending = None
        if self.is_idle() and (self._running is None or self._running.done()):
            self._running = asyncio.ensure_future(asyncio.to_thread(self._run))

    def _run(self) -> None:
        assert self._trim is not None
        gc.collect()  # start-up objects are frozen (gc.freeze): this is quick
        self._trim(0)
        self._trimmed_at = rss_bytes()
        self.trims += 1
