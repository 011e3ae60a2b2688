"""Datasets through planning paths: loading the dataset files, wiring each path's pipeline the way
service/app.py does, evaluating, and turning failed checks into readable reasons."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_ai.models import Model
from pydantic_evals import Dataset
from pydantic_evals.evaluators import Evaluator
from pydantic_evals.reporting import EvaluationReport

from agent.local import local_pipeline
from agent.pipeline import Pipeline
from evals.common import Inputs, Meta
from evals.evaluators import (
    Coherence,
    Counts,
    EdgeCases,
    NegativeRows,
    RequestConstraints,
    Uniqueness,
    Validity,
)
from evals.judge import Realism
from evals.metering import MeteredModel
from evals.plan_checks import Cost, Overrides, PlanFollowed, PlanSource
from evals.quality import Diversity, Expectations, InjectionResistance
from evals.requests import CaseError, to_request
from evals.task import CaseOutput, make_task
from tools.errors import DataError
from tools.registry import Registry

DATASET_DIR = Path(__file__).parent / "datasets"
EvalDataset = Dataset[Inputs, Any, Meta]
Report = EvaluationReport[Inputs, Any, Meta]


def dataset_names() -> list[str]:
    return sorted(p.stem for p in DATASET_DIR.glob("*.yaml"))


def load_dataset(name: str, registry: Registry, case_filter: str = "") -> EvalDataset:
    """A dataset file, every case checked as a request up front (a typo fails here, not mid-run)."""
    path = DATASET_DIR / f"{name}.yaml"
    if not path.is_file():
        from evals.families import family_names

        raise CaseError(f"no dataset {name!r}; there are: {', '.join([*dataset_names(), *family_names()])}")
    ds = EvalDataset.from_file(path)
    for case in ds.cases:
        try:
            request = to_request(case.inputs)
            if not (request.custom_schema or request.inline_schema or request.schema_fields):
                registry.get(request.entity)
        except (CaseError, DataError, TypeError) as exc:
            raise CaseError(f"{path.name} case {case.name}: {exc}") from None
    if case_filter:
        ds = EvalDataset(name=ds.name or name, cases=[c for c in ds.cases if case_filter in (c.name or "")])
    return ds


@dataclass
class PlanningPath:
    """One planning path: its name, its pipeline, and what its evaluators expect of it."""

    name: str  # deterministic | scripted | live
    pipeline: Pipeline
    model_name: str = ""
    judge: Model | None = None
    concurrency: int = 1  # offline cases are CPU-bound: one at a time keeps latencies honest


def pipeline_for(registry: Registry, model: Model | None, model_name: str) -> Pipeline:
    """The service's pipeline: embedded example store, in-process cache, the model (metered) if any."""
    return local_pipeline(registry, MeteredModel(model) if model is not None else None, model_name)


def evaluators(path: PlanningPath) -> list[Evaluator[Inputs, CaseOutput, Meta]]:
    found: list[Evaluator[Inputs, CaseOutput, Meta]] = [
        Validity(),
        RequestConstraints(),
        Counts(),
        Uniqueness(),
        Coherence(),
        EdgeCases(),
        NegativeRows(),
        Overrides(),
        PlanSource(expect_model=path.name != "deterministic"),
        PlanFollowed(),
        Diversity(),
        InjectionResistance(),
        Expectations(),
        Cost(model_name=path.model_name),
    ]
    if path.judge is not None:
        found.append(Realism(model=path.judge))
    return found


@dataclass
class PathRun:
    """One dataset through one path."""

    dataset: str
    path: str
    report: Report
    seconds: float


async def run_path(
    ds: EvalDataset, path: PlanningPath, registry: Registry, after: Callable[[CaseOutput], None] | None = None
) -> PathRun:
    task = make_task(path.pipeline, registry, after)
    named = EvalDataset(name=ds.name or "", cases=ds.cases, evaluators=evaluators(path))
    started = time.perf_counter()
    report = await named.evaluate(task, name=path.name, max_concurrency=path.concurrency, progress=False)
    return PathRun(ds.name or "", path.name, report, time.perf_counter() - started)


def failures(run: PathRun) -> list[str]:
    """Every failed threshold as `dataset/case [path]: Evaluator.check: reason`."""
    out = []
    for f in run.report.failures:
        out.append(f"{run.dataset}/{f.name} [{run.path}]: the task failed: {f.error_message}")
    for case in run.report.cases:
        where = f"{run.dataset}/{case.name} [{run.path}]"
        for name, result in case.assertions.items():
            if not result.value:
                out.append(f"{where}: {result.source.name}.{name}: {result.reason or 'failed'}")
        for ef in case.evaluator_failures:
            out.append(f"{where}: {ef.source.name} raised: {ef.error_message}")
    return out
