"""The block pool (service/workers.py) without a server: errors come back whole, a cancel token stops
a run and cancels what has not started, the CLI writes the same file with and without workers, and
the CPUs come from the affinity and the cgroup quota."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from agent.deterministic import plan_request
from agent.executor import Prepared, build_job, prepare, writer_spec
from agent.request import DataRequest
from service.cli import main
from service.workers import BlockPool, usable_cpus
from tools import cancel
from tools.blocks import render, tasks_for
from tools.engine import Job
from tools.errors import InvalidRequest
from tools.registry import default_registry


def _job(request: DataRequest) -> tuple[Prepared, Job]:
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    return prepared, job


def test_an_error_in_a_worker_comes_back_naming_the_field() -> None:
    # 10,000 ids hold 9 blocks of 1,024 slots: block 10 of 12 runs out, in a worker.
    schema = '{"name": "t", "fields": {"id": {"type": "pattern", "format": "T-{digits:4}", "unique": true}}}'
    prepared, job = _job(DataRequest(custom_schema=schema, count=12_000, seed=1, output_format="jsonl"))
    pool = BlockPool(1)
    try:
        with pytest.raises(InvalidRequest) as caught:
            for _ in pool.run(tasks_for(job, writer_spec(prepared, job), prepared.schema)):
                pass
    finally:
        pool.close()
    assert (
        caught.value.field == "id" and "ran out" in caught.value.message and "10,000" in caught.value.message
    )


def test_a_cancel_token_stops_the_run_and_cancels_what_has_not_started() -> None:
    prepared, job = _job(DataRequest(entity="cart", count=200_000, seed=3, output_format="jsonl"))
    pool = BlockPool(1)
    token = cancel.Cancel()
    futures: list[Any] = []
    original = pool.pool.submit
    pool.pool.submit = lambda *a, **k: futures.append(original(*a, **k)) or futures[-1]  # type: ignore[method-assign]
    reset = cancel.current.set(token)
    try:
        # Six out at once: one worker runs one and has one queued (those finish); the rest wait.
        results = pool.run(tasks_for(job, writer_spec(prepared, job), prepared.schema), in_flight=6)
        next(results)
        token.cancel()
        with pytest.raises(cancel.Cancelled):
            list(results)
    finally:
        cancel.current.reset(reset)
        pool.close()
    assert len(futures) == 6 and sum(f.cancelled() for f in futures) >= 2


def test_the_cli_writes_the_same_file_with_and_without_workers(tmp_path: Path) -> None:
    files = []
    for workers in ("0", "2"):
        out = tmp_path / f"orders-{workers}.sql"
        args = ["generate", "order", "--count", "5000", "--seed", "6", "--format", "sql"]
        assert main([*args, "--workers", workers, "--out", str(out)]) == 0
        files.append(out.read_bytes())
    assert files[0] == files[1] and files[0].count(b"INSERT INTO") >= 10


def test_usable_cpus_follow_the_cgroup_quota(tmp_path: Path) -> None:
    cpus = len(os.sched_getaffinity(0))
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert usable_cpus(tmp_path) == cpus
    (tmp_path / "cpu.max").write_text("50000 100000\n")  # half a CPU: one worker
    assert usable_cpus(tmp_path) == 1
    (tmp_path / "cpu.max").write_text(f"{cpus * 300000} 100000\n")  # a quota above the affinity
    assert usable_cpus(tmp_path) == cpus
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert usable_cpus(tmp_path) == cpus


def test_unreadable_cgroup_files_mean_no_quota(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("garbage\n")
    assert usable_cpus(tmp_path) == len(os.sched_getaffinity(0))


def _dataset_chunks(monkeypatch: pytest.MonkeyPatch, run_blocks: Any) -> list[tuple[str, str]]:
    from agent import datasets
    from agent.datasets import DatasetRequest, keyword_run

    monkeypatch.setattr(datasets, "PARALLEL_ROOTS", 1)  # split even a small family
    run = keyword_run(
        DatasetRequest({"customer": 450}, seed=9, output_format="sql"), default_registry(), 10**7
    )
    return [(c.entity, c.data) for c in run.chunks(run_blocks)]


def test_a_dataset_split_by_root_is_the_same_bytes_in_process_and_on_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service.engines import in_process

    whole = _dataset_chunks(monkeypatch, None)
    assert _dataset_chunks(monkeypatch, in_process) == whole  # two tasks: roots 0-399 and 400-449
    pool = BlockPool(2)
    try:
        assert _dataset_chunks(monkeypatch, pool.run) == whole
    finally:
        pool.close()


def test_a_dead_worker_costs_nothing_but_time_the_rest_is_made_here_and_the_pool_replaced() -> None:
    import signal

    prepared, job = _job(DataRequest(entity="cart", count=40_000, seed=8, output_format="jsonl"))
    spec = writer_spec(prepared, job)
    expected = [r.texts for r in map(render, tasks_for(job, spec, prepared.schema))]
    pool = BlockPool(1)
    try:
        pids = [f.result() for f in pool.warm()]
        first = pool.pool
        results = pool.run(tasks_for(job, spec, prepared.schema))
        got = [next(results).texts]
        os.kill(pids[0], signal.SIGKILL)  # as the kernel's OOM killer would
        got += [r.texts for r in results]
        assert got == expected and pool.pool is not first
        again = [r.texts for r in pool.run(tasks_for(job, spec, prepared.schema))]
        assert again == expected  # the new pool serves the next request
    finally:
        pool.close()


def test_rows_of_many_values_stay_in_process() -> None:
    from tools.blocks import fits_tasks

    wide = (
        '{"name": "w", "fields": {"parts": {"type": "array", "min_items": 1000, "max_items": 1000,'
        ' "items": {"type": "object", "fields": {"a": {"type": "integer"}}}}}}'
    )
    assert not fits_tasks(_job(DataRequest(custom_schema=wide, count=10, seed=1))[1])
    assert fits_tasks(_job(DataRequest(entity="order", count=10, seed=1))[1])


def test_a_plans_own_products_are_the_same_bytes_on_workers() -> None:
    # The worker process builds the plan's catalogue from the job it is sent (tools/world/additions.py).
    from agent.plan import GenerationPlan

    request = DataRequest(entity="cart", count=6_000, seed=5, output_format="jsonl")
    prepared = prepare(request, default_registry())
    mask = {"name": "Anti-Fog Snorkel Mask", "category": "Sports & Fitness", "brand": "Reefline",
            "price": 34.99, "description": "Low-volume silicone mask."}  # fmt: skip
    job, problems = build_job(
        prepared, GenerationPlan.model_validate({"products": [mask], "product_share": 0.5})
    )
    assert problems == []
    spec = writer_spec(prepared, job)
    here = [r.texts for r in map(render, tasks_for(job, spec, prepared.schema))]
    assert "Anti-Fog Snorkel Mask" in "".join(t for texts in here for t in texts)
    pool = BlockPool(1)
    try:
        assert [r.texts for r in pool.run(tasks_for(job, spec, prepared.schema))] == here
    finally:
        pool.close()
