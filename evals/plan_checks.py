"""Evaluators of the plan and its cost: overrides kept, who planned, plan pools followed, tokens, latency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_evals.evaluators import EvaluationReason, EvaluatorContext, EvaluatorOutput

from evals.common import Base, Inputs, Meta, plain_rows, verdict
from evals.metering import cost_usd
from evals.requests import values_at
from evals.task import CaseOutput
from tools.compiler import ItemCount

Ctx = EvaluatorContext[Inputs, CaseOutput, Meta]


@dataclass(repr=False)
class Overrides(Base):
    """Every row of a scenario carries that scenario's overrides."""

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        problems: list[str] = []
        scenarios = [s for s in ctx.output.prepared.scenarios if s.overrides]
        if not scenarios:
            return {}
        for s in scenarios:
            rows = [r for r in ctx.output.rows if r.get("_scenario") == s.name and "_violates" not in r]
            for path, want in s.overrides.items():
                for row in rows:
                    for v in values_at(row, path):
                        ok = len(v) == want.count if isinstance(want, ItemCount) else v == want
                        if not ok:
                            problems.append(f"{s.name} row {row.get('_index')}: {path}={v!r}")
        return {"overrides_hold": verdict(not problems, problems)}


@dataclass(repr=False)
class PlanSource(Base):
    """Who planned: the model (scripted or live) with no fallback, or the deterministic path."""

    expect_model: bool = False

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        o = ctx.output.outcome
        meta = ctx.metadata or {}
        out: dict[str, EvaluationReason | float] = {}
        if self.expect_model:
            # A plan served with parts dropped is still the model's plan (plan_clean below names them)
            ok = o.path in ("llm", "hybrid") and o.fallback_key in ("", "plan_dropped")
            out["model_planned"] = verdict(ok, [f"served by {o.path}: {o.fallback_reason or 'no reason'}"])
        else:
            allowed = set(meta.get("allowed_fallbacks", []))
            ok = not o.fallback_key or o.fallback_key in allowed
            out["no_fallback"] = verdict(ok, [f"{o.fallback_key}: {o.fallback_reason}"])
        if meta.get("expect_examples"):
            out["examples_used"] = verdict(bool(o.templates), [f"no stored example imitated (path {o.path})"])
        problems = ctx.output.plan_problems
        out["plan_clean"] = verdict(not problems, [f"the executor skipped: {p}" for p in problems])
        return out


def _pool_key(v: Any) -> Any:
    return v if isinstance(v, int | float | str) else repr(v)


@dataclass(repr=False)
class PlanFollowed(Base):
    """Rows draw the fields a plan pooled from the plan's pool (edge-case and negative rows aside)."""

    floor: float = 0.95

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        out = ctx.output
        if out.outcome.templates:
            return {}  # rows that imitate stored examples take the examples' values, untagged
        plan = out.outcome.plan
        hits = total = 0
        problems: list[str] = []
        for s in out.prepared.scenarios:
            sp = plan.scenario(s.name)
            pools = {fp.path: fp.pool for fp in [*plan.fields, *(sp.fields if sp else [])] if fp.pool}
            rows = [r for r in plain_rows(out.rows) if r.get("_scenario") == s.name]
            for path, pool in pools.items():
                if path in s.overrides:
                    continue
                allowed = {_pool_key(v) for v in pool}
                for r in rows:
                    for v in values_at(r, path):
                        if v is None:
                            continue
                        total += 1
                        if _pool_key(v) in allowed:
                            hits += 1
                        else:
                            problems.append(
                                f"{s.name} row {r.get('_index')}: {path}={v!r} is not in the pool"
                            )
        if not total:
            return {}
        adherence = hits / total
        return {"pool_adherence": adherence, "pools_followed": verdict(adherence >= self.floor, problems)}


@dataclass(repr=False)
class Cost(Base):
    """Tokens per request and per 1,000 rows, the model's requests, latency, and the cost estimate."""

    model_name: str = ""

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        out = ctx.output
        n = len(out.rows)
        tokens = out.outcome.tokens
        scores: dict[str, float] = {
            "tokens": tokens,
            "tokens_per_1k_rows": tokens * 1000 / n if n else 0.0,
            "input_tokens": out.meter.input_tokens,
            "output_tokens": out.meter.output_tokens,
            "model_requests": out.outcome.requests,
            "plan_ms": out.plan_ms,
            "generate_ms": out.generate_ms,
            "latency_ms": ctx.duration * 1000,
        }
        cost = cost_usd(self.model_name, out.meter)
        if cost is not None:
            scores["cost_usd"] = cost
        return scores
