"""Small helpers the test modules share: run a request through the executor and parse its rows."""

from __future__ import annotations

import json
from typing import Any

from agent.deterministic import plan_request
from agent.executor import build_job, prepare, render_document
from agent.plan import GenerationPlan
from agent.request import DataRequest
from tools.engine import generate
from tools.registry import default_registry
from tools.validator import compile_validator


def rows_for(request: DataRequest) -> list[dict[str, Any]]:
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    return [r for batch in generate(job) for r in batch]


def document_for(request: DataRequest) -> str:
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    return render_document(prepared, job)


def json_rows(request: DataRequest) -> list[dict[str, Any]]:
    request.output_format = "json"
    return json.loads(document_for(request))


def planned_rows(request: DataRequest, plan: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The request's rows under `plan` (a GenerationPlan as JSON), each checked against the schema's
    every rule, and the plan problems the engine skipped."""
    prepared = prepare(request, default_registry())
    job, problems = build_job(prepared, GenerationPlan.model_validate(plan))
    rows = [r for batch in generate(job) for r in batch]
    validate = compile_validator(prepared.schema)
    assert all(validate(r) == [] for r in rows)
    return rows, problems


def family_problems(registry: Any, rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every key, lifecycle invariant and field rule a linked family breaks (none, always)."""
    from tools.dataset_checks import DatasetChecker
    from tools.validator import compile_validator

    checker, problems = DatasetChecker(registry), []
    for entity, batch in rows.items():
        problems += checker.add(entity, batch)
        check = compile_validator(registry.get(entity))
        problems += [f"{entity}: {v}" for r in batch for v in check(r)]
    return problems + checker.invariants()


def same_chunks_split_and_on_a_worker(monkeypatch: Any, chunks: Any) -> list[tuple[str, str]]:
    """A dataset's chunks made whole, split by root in process and on a worker process: asserted the
    same bytes; the whole run's chunks returned. `chunks(run_blocks)` makes them."""
    from agent import datasets
    from service.engines import in_process
    from service.workers import BlockPool

    monkeypatch.setattr(datasets, "PARALLEL_ROOTS", 1)  # split even a small family
    whole: list[tuple[str, str]] = chunks(None)
    assert chunks(None) == whole
    assert chunks(in_process) == whole
    pool = BlockPool(1)  # a worker process builds the plan's world from the task it is sent
    try:
        assert chunks(pool.run) == whole
    finally:
        pool.close()
    return whole
