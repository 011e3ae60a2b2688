"""The eval task: one case through the service's own path (prepare -> pipeline plan -> executor).

It does what service/generation.py does for a unary call, but keeps the rows as well as the document,
so evaluators can check both without parsing CSV or SQL back.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from agent.executor import Prepared, build_job, measured, prepare, writer_for
from agent.pipeline import Pipeline, PlanOutcome
from agent.request import DataRequest
from evals.metering import Meter, start_meter
from evals.requests import to_request
from tools.engine import generate
from tools.registry import Registry

Row = dict[str, Any]


@dataclass
class CaseOutput:
    """What one case produced, and what it cost."""

    request: DataRequest
    prepared: Prepared
    outcome: PlanOutcome
    rows: list[Row]
    document: str
    plan_problems: list[str]  # parts of the plan the executor skipped
    plan_ms: float
    generate_ms: float
    meter: Meter = field(default_factory=Meter)

    @property
    def coherence(self) -> float:
        return self.prepared.coherence.score


Task = Callable[[dict[str, Any]], Awaitable[CaseOutput]]


def _kept(batches: Iterable[list[Row]], into: list[Row]) -> Iterator[list[Row]]:
    for rows in batches:
        into.extend(rows)
        yield rows


def make_task(
    pipeline: Pipeline, registry: Registry, after: Callable[[CaseOutput], None] | None = None
) -> Task:
    """The task pydantic-evals runs per case. `after` sees every output before the evaluators do:
    tests use it to break an output on purpose and check that the suite notices."""

    async def run_case(inputs: dict[str, Any]) -> CaseOutput:
        meter = start_meter()
        request = to_request(inputs)
        started = time.perf_counter()
        prepared = prepare(request, registry)
        outcome = await pipeline.plan(request, prepared)
        planned = time.perf_counter()
        o = outcome
        job, problems = build_job(prepared, o.plan, 1000, o.templates, o.defects, o.template_share)
        rows: list[Row] = []
        writer = writer_for(prepared, job)
        document = "".join(writer.document(measured(prepared, _kept(generate(job), rows))))
        done = time.perf_counter()
        out = CaseOutput(
            request=request,
            prepared=prepared,
            outcome=outcome,
            rows=rows,
            document=document,
            plan_problems=problems,
            plan_ms=(planned - started) * 1000,
            generate_ms=(done - planned) * 1000,
            meter=meter,
        )
        if after is not None:
            after(out)
        return out

    return run_case
