"""Worker processes (service/workers.py) in this process: one request's chunks made by 1 worker against
2 (and against in-process), each pool warm before it is timed; and each worker's peak RSS after a
small and a large request, from fresh pools (flat in count is the goal)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable

from agent.deterministic import plan_request
from agent.executor import build_job, prepare, render_chunks
from agent.request import DataRequest
from bench.service_bench import peak_rss_mib
from service.cli import main
from service.workers import BlockPool
from tools.blocks import BlockRunner
from tools.registry import default_registry


def _seconds(rows: int, run_blocks: BlockRunner | None) -> float:
    request = DataRequest(entity="cart", count=rows, seed=1, output_format="jsonl")
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema), 16)
    start = time.perf_counter()
    for _ in render_chunks(prepared, job, 5000, run_blocks):
        pass
    return time.perf_counter() - start


def _parquet_seconds(rows: int, workers: int) -> float:
    """The CLI writing `rows` carts as Parquet files (service/cli_parquet.py), start to end."""
    with tempfile.TemporaryDirectory() as tmp:
        args = ["generate", "cart", "--count", str(rows), "--seed", "1", "--format", "parquet"]
        start = time.perf_counter()
        main([*args, "--workers", str(workers), "--out", f"{tmp}/out"])
        return time.perf_counter() - start


def _pool(workers: int) -> BlockPool:
    pool = BlockPool(workers)
    for future in pool.warm():
        future.result()
    _seconds(8192, pool.run)  # every worker has imported and compiled once
    return pool


def _best(rows: int, run: Callable[[], float], times: int = 3) -> float:
    return rows / min(run() for _ in range(times))


def run(rows: int = 200_000) -> dict[str, float]:
    out: dict[str, float] = {"in_process": _best(rows, lambda: _seconds(rows, None))}
    for workers in (1, 2):
        pool = _pool(workers)
        try:
            out[f"workers_{workers}"] = _best(rows, lambda: _seconds(rows, pool.run))  # noqa: B023
        finally:
            pool.close()
    for label, n in (("small", rows // 10), ("big", rows * 5)):
        pool = _pool(1)
        try:
            _seconds(n, pool.run)
            out[f"rss_{label}"] = max(peak_rss_mib(pid) for pid in _worker_pids(pool))
        finally:
            pool.close()
    out["parquet_in_process"] = _best(rows, lambda: _parquet_seconds(rows, 0), 2)
    out["parquet_workers_2"] = _best(rows, lambda: _parquet_seconds(rows, 2), 2)  # pools spawned each time
    out["cpus"] = len(os.sched_getaffinity(0))
    return out


def _worker_pids(pool: BlockPool) -> list[int]:
    procs = pool.pool._processes.values()  # no public accessor
    return [p.pid for p in procs if p.pid is not None]
