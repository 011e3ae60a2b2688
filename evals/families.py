"""Linked-dataset evals: does a context shape the family the way a QA engineer meant, with every key
and invariant intact? Cases live in `datasets/families/*.yaml`; each runs GenerateDataset's own path
(DatasetRun + plan_family) on the eval path's planner: keyword rules (deterministic), the scripted
planner, or Claude (live).

Metadata: `expect` holds on every path; `expect_model` only where a model plans (keyword rules cannot
read "no returns"). Each maps a measure to {min, max}: orders_per_customer,
shipments_per_shipped_order, refunds_per_order, `order.status=<value>` (share of orders),
`items.category=<category>` (share of order items), `customer.all_orders_by=<method>` (share of the
customers with two orders or more whose every order was paid so: a trait a whole family carries).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_evals import Dataset
from pydantic_evals.evaluators import EvaluationReason, Evaluator, EvaluatorContext

from agent.dataset_planner import FamilyOutcome, plan_family
from agent.datasets import DatasetRequest, DatasetRun
from agent.pipeline import Pipeline
from evals.common import verdict
from evals.metering import Meter, cost_usd, start_meter
from tools.catalogue import load_catalogue
from tools.dataset_checks import DatasetChecker
from tools.registry import Registry
from tools.validator import compile_validator

FAMILY_DIR = Path(__file__).parent / "datasets" / "families"
Row = dict[str, Any]


@dataclass
class FamilyOutput:
    request: DatasetRequest
    outcome: FamilyOutcome
    counts: Counter[str]
    problems: list[str]  # foreign keys, lifecycle invariants and field rules that failed
    measures: dict[str, float]
    rows: list[Row] = field(default_factory=list)  # the orders (what the record's row count shows)
    meter: Meter = field(default_factory=Meter)


FamilyCtx = EvaluatorContext[dict[str, Any], FamilyOutput, dict[str, Any]]
FamilyDataset = Dataset[dict[str, Any], FamilyOutput, dict[str, Any]]


def family_names() -> list[str]:
    return sorted(p.stem for p in FAMILY_DIR.glob("*.yaml"))


def load_families(name: str, case_filter: str = "") -> FamilyDataset:
    ds = FamilyDataset.from_file(FAMILY_DIR / f"{name}.yaml")
    if case_filter:
        ds = FamilyDataset(name=ds.name or name, cases=[c for c in ds.cases if case_filter in (c.name or "")])
    return ds


def measures(rows: dict[str, list[Row]]) -> dict[str, float]:
    orders = rows.get("order", [])
    n = len(orders) or 1
    shipped = {s["order_id"] for s in rows.get("shipment", [])}
    out = {
        "orders_per_customer": len(orders) / (len(rows.get("customer", [])) or 1),
        "shipments_per_shipped_order": len(rows.get("shipment", [])) / (len(shipped) or 1),
        "refunds_per_order": len(rows.get("refund", [])) / n,
    }
    for status, k in Counter(o["status"] for o in orders).items():
        out[f"order.status={status}"] = k / n
    methods: dict[str, set[str]] = {}
    counts: Counter[str] = Counter()
    for o in orders:
        methods.setdefault(o["customer_id"], set()).add(str(o["payment_method"]))
        counts[o["customer_id"]] += 1
    repeat = [c for c, k in counts.items() if k >= 2]
    for method in {m for ms in methods.values() for m in ms}:
        out[f"customer.all_orders_by={method}"] = sum(methods[c] == {method} for c in repeat) / (
            len(repeat) or 1
        )
    # Order items name their product; the catalogue knows its theme's category.
    category_of = {p.id: t.category for t in load_catalogue() for p in t.products}
    items = [i for o in orders for i in o.get("items") or []]
    known = [c for i in items if (c := category_of.get(str(i.get("product_id"))))]
    for category, k in Counter(known).items():
        out[f"items.category={category}"] = k / (len(items) or 1)
    return out


def make_family_task(pipeline: Pipeline, registry: Registry) -> Any:
    validators = {s.name: compile_validator(s) for s in registry.schemas()}

    async def run_case(inputs: dict[str, Any]) -> FamilyOutput:
        meter = start_meter()
        request = DatasetRequest(
            entities=dict(inputs["entities"]),
            seed=inputs.get("seed"),
            context=inputs.get("context", ""),
            hints=list(inputs.get("hints", [])),
        )
        run = DatasetRun(request, registry, max_rows=10**6)
        outcome = await plan_family(pipeline.deps.planner, request, run, None)
        run.use(outcome.plan)
        checker = DatasetChecker(registry)
        rows: dict[str, list[Row]] = {}
        problems: list[str] = []
        for entity, batch in run.batches():
            rows.setdefault(entity, []).extend(batch)
            problems += checker.add(entity, batch)
            problems += [f"{entity}: {v}" for r in batch for v in validators[entity](r)]
        problems += checker.invariants()
        counts = Counter({e: len(r) for e, r in rows.items()})
        return FamilyOutput(request, outcome, counts, problems, measures(rows), rows.get("order", []), meter)

    return run_case


def _outside(measured: dict[str, float], expected: dict[str, dict[str, float]]) -> list[str]:
    out = []
    for name, bounds in expected.items():
        value = measured.get(name, 0.0)
        if "min" in bounds and value < bounds["min"]:
            out.append(f"{name} = {value:.2f}, wanted >= {bounds['min']}")
        if "max" in bounds and value > bounds["max"]:
            out.append(f"{name} = {value:.2f}, wanted <= {bounds['max']}")
    return out


@dataclass
class FamilyChecks(Evaluator[dict[str, Any], FamilyOutput, dict[str, Any]]):
    """Keys and invariants always; the plan's source; the case's expectations of the family's shape."""

    expect_model: bool = False
    model_name: str = ""

    def evaluate(self, ctx: FamilyCtx) -> dict[str, EvaluationReason | float]:
        out, meta = ctx.output, ctx.metadata or {}
        o = out.outcome
        expected = dict(meta.get("expect", {}))
        if self.expect_model:
            expected.update(meta.get("expect_model", {}))
        source_ok = (
            (o.path == "llm" and not o.fallback_reason) if self.expect_model else o.path == "traditional"
        )
        result: dict[str, EvaluationReason | float] = {
            "keys_and_invariants": verdict(not out.problems, out.problems),
            "plan_source": verdict(source_ok, [f"path {o.path}: {o.fallback_reason or 'no model plan'}"]),
            "expectations": verdict(not (bad := _outside(out.measures, expected)), bad),
            "tokens": float(o.tokens),
            "model_requests": float(o.requests),
            "latency_ms": ctx.duration * 1000,
            **{k: round(v, 3) for k, v in out.measures.items() if "=" not in k},
        }
        cost = cost_usd(self.model_name, out.meter)
        if cost is not None:
            result["cost_usd"] = cost
        return result


async def run_families(
    ds: FamilyDataset, pipeline: Pipeline, registry: Registry, path: str, model_name: str, concurrency: int
) -> tuple[Any, float]:
    named = FamilyDataset(
        name=ds.name or "",
        cases=ds.cases,
        evaluators=[FamilyChecks(expect_model=path != "deterministic", model_name=model_name)],
    )
    started = time.perf_counter()
    task = make_family_task(pipeline, registry)
    report = await named.evaluate(task, name=path, max_concurrency=concurrency, progress=False)
    return report, time.perf_counter() - started
