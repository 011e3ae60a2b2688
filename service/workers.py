"""Worker processes: a large stream or file made block by block on every core, delivered in order.

One request's seekable blocks (tools/seeds.py) go to a process pool a few at a time (tasks of
tools.blocks.TASK_BLOCKS blocks, at most `in_flight` out at once, so memory is bounded by the blocks
in flight, not by the count); each comes back as its rows' texts (tools/blocks.py) and is handed on
in block order. The output is the same bytes as in-process. Closing the iterator (the call ended, the
client went) cancels every task not started yet at once; a task already running finishes its blocks
(tens of milliseconds) and is dropped.

Processes are spawned, not forked: the server runs threads (gRPC, the event loop) that a fork would
copy mid-flight.
"""

from __future__ import annotations

import gc
import itertools
import math
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from service import metrics
from service.logs import log
from tools.blocks import Rendered, Task, render
from tools.cancel import check as check_cancelled

CANCEL_POLL_S = 0.05


def usable_cpus(cgroup: Path = Path("/sys/fs/cgroup")) -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup CPU quota (a container's
    `cpus` limit), never os.cpu_count (the host's)."""
    cpus = len(os.sched_getaffinity(0))
    quota = _cgroup_quota(cgroup)
    return max(1, min(cpus, math.ceil(quota)) if quota else cpus)


def _cgroup_quota(root: Path) -> float | None:
    try:  # cgroup v2: "max 100000" or "<quota> <period>"
        quota, period = (root / "cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:  # cgroup v1
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota_us / period_us if quota_us > 0 and period_us > 0 else None
    except (OSError, ValueError):
        return None


def _result(future: Future[Rendered]) -> Rendered:
    """The task's result, waiting in short steps so that a request that has gone stops at once
    (tools/cancel.py): the caller's `finally` then cancels what has not started."""
    while True:
        try:
            return future.result(timeout=CANCEL_POLL_S)
        except TimeoutError:
            check_cancelled()


def _ready() -> int:
    return os.getpid()


def _start_worker() -> None:
    """In each worker, once: load what every task uses, then freeze it out of the collector's walks,
    as the server does at start (service/app.py)."""
    from tools.catalogue import load_catalogue
    from tools.registry import default_registry

    load_catalogue()
    default_registry()
    gc.freeze()


class BlockPool:
    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = self._new()
        self.lock = threading.Lock()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker
        )

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A worker died (killed for memory, say): the executor is unusable, so the next request gets a
        new one. Once per broken executor, whichever stream notices first."""
        with self.lock:
            if self.pool is broken:
                log.warning("generation worker died; the pool is restarted", workers=self.workers)
                metrics.FALLBACKS.labels(reason="worker_died").inc()
                broken.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new()

    def warm(self) -> list[Future[int]]:
        """Start every process now (each imports the engine, about a second), not on the first request."""
        return [self.pool.submit(_ready) for _ in range(self.workers)]

    def run(self, tasks: Iterator[Task], in_flight: int | None = None) -> Iterator[Rendered]:
        """The tasks' results in order, with at most `in_flight` (default: two per worker) out at once.
        If a worker dies, this request's remaining tasks are made in this process (blocks are seekable:
        the same bytes) and the pool is replaced for the next one."""
        most = in_flight or 2 * self.workers
        pool = self.pool
        pending: deque[tuple[Task, Future[Rendered]]] = deque()
        unsent: list[Task] = []  # a task whose submit found the pool broken
        try:
            for task in tasks:
                check_cancelled()
                unsent = [task]
                pending.append((task, pool.submit(render, task)))
                unsent = []
                if len(pending) >= most:
                    yield self._next(pending)
            while pending:
                yield self._next(pending)
        except BrokenProcessPool:
            self._replace(pool)
            left = [task for task, _ in pending] + unsent
            pending.clear()
            for task in itertools.chain(left, tasks):
                check_cancelled()
                yield render(task)
        finally:
            for _, future in pending:  # a closed or cancelled stream: tasks not started yet never run
                future.cancel()

    @staticmethod
    def _next(pending: deque[tuple[Task, Future[Rendered]]]) -> Rendered:
        result = _result(pending[0][1])  # a task leaves `pending` once done: a dead worker's is made again
        pending.popleft()
        return result

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
