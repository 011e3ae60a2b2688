"""Where a large CLI request's blocks are made: worker processes here, a Dask cluster, or Spark.

Each engine runs the same function (tools.blocks.render: a task of seekable blocks -> its rows,
rendered) and hands results back in block order, at most a few tasks out at once, so the output is
the same bytes on any of them and memory stays bounded by the tasks in flight. The plan is made once,
here, and travels inside the tasks: workers never call a model. Workers must run this project's code
and version (tools.seeds.ENGINE_VERSION): a Dask or Spark cluster needs the package installed.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from service.workers import BlockPool, usable_cpus
from tools.blocks import BlockRunner, Rendered, Task, render
from tools.cancel import check as check_cancelled
from tools.errors import InvalidRequest

ENGINES = ("local", "dask", "spark")


@contextmanager
def block_runner(engine: str, workers: int, scheduler: str | None = None) -> Iterator[BlockRunner | None]:
    """A runner for `engine`; None for local with no workers (make everything in this process)."""
    if engine == "dask":
        with _dask(workers, scheduler) as run:
            yield run
    elif engine == "spark":
        with _spark(workers, scheduler) as run:
            yield run
    elif engine != "local":
        raise InvalidRequest("engine", f"unknown engine {engine!r}", f"use one of {', '.join(ENGINES)}")
    elif workers:
        pool = BlockPool(workers)
        try:
            yield pool.run
        finally:
            pool.close()
    else:
        yield None


def in_process(tasks: Iterator[Task]) -> Iterator[Rendered]:
    return (render(task) for task in tasks)


@contextmanager
def _dask(workers: int, scheduler: str | None) -> Iterator[BlockRunner]:
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:  # one process per worker, one thread each: the engine holds the GIL
        cluster = LocalCluster(
            n_workers=workers or usable_cpus(), threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    most = 2 * max(1, sum(client.nthreads().values()))

    def run(tasks: Iterator[Task]) -> Iterator[Rendered]:
        pending: deque[Any] = deque()
        try:
            for task in tasks:
                check_cancelled()
                pending.append(client.submit(render, task, pure=False))
                if len(pending) >= most:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    try:
        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextmanager
def _spark(workers: int, master: str | None) -> Iterator[BlockRunner]:
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InvalidRequest(
            "--engine", "spark needs PySpark", "pip install 'test-data-agent[spark]' (and Java 17+)"
        ) from exc

    # Its Python workers run this interpreter (it has this project), not the first python3 on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(master or f"local[{workers or usable_cpus()}]")
        .appName("test-data-agent")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    sc = session.sparkContext
    wave = 2 * max(1, sc.defaultParallelism)

    def run(tasks: Iterator[Task]) -> Iterator[Rendered]:
        # Waves of one partition per task (a block range each): every slot busy, results in order,
        # at most a wave of results held here.
        batch: list[Task] = []
        for task in tasks:
            batch.append(task)
            if len(batch) == wave:
                yield from sc.parallelize(batch, len(batch)).map(render).collect()
                batch = []
        if batch:
            yield from sc.parallelize(batch, len(batch)).map(render).collect()

    try:
        yield run
    finally:
        session.stop()
