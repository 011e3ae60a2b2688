"""The planner agent: Claude (through pydantic-ai) writes a GenerationPlan using typed tools.

The agent is module-level with `model=None`: the pipeline passes the configured model to `run()`,
tests use `planner_agent.override(model=FunctionModel(...))`. Tool docstrings are prompts for the
model; implementation notes stay in comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_ai import Agent, ModelRetry, RunContext

from agent.executor import Prepared
from agent.plan import GenerationPlan
from agent.plan_tools import check_plan as check_plan_problems
from agent.plan_tools import preview_rows as preview
from agent.plan_tools import schema_summary
from agent.prompts import INSTRUCTIONS
from agent.request import DataRequest
from tools.errors import DataError
from tools.registry import Registry


@dataclass
class PlanDeps:
    request: DataRequest
    prepared: Prepared
    registry: Registry


planner_agent = Agent(
    None,
    output_type=GenerationPlan,
    deps_type=PlanDeps,
    instructions=INSTRUCTIONS,
    retries=2,
    name="planner_agent",
    defer_model_check=True,
)


@planner_agent.instructions
def _schema_instructions(ctx: RunContext[PlanDeps]) -> str:
    return "Schema summary:\n" + schema_summary(ctx.deps.prepared.schema)


@planner_agent.tool
def lookup_schema(ctx: RunContext[PlanDeps], entity: str) -> str:
    """Fields, types, constraints and rules of another registry entity (the request's own entity is
    already in your instructions)."""
    try:
        return schema_summary(ctx.deps.registry.get(entity))
    except DataError as exc:
        raise ModelRetry(exc.message) from None


@planner_agent.tool
def preview_rows(ctx: RunContext[PlanDeps], plan: GenerationPlan, n: int = 3) -> list[dict[str, Any]]:
    """Rows the engine makes from `plan` (n per scenario, at most 5): look at them before you return
    the plan. Fails with the reason if the plan cannot produce valid rows."""
    try:
        return preview(ctx.deps.prepared, plan, n)
    except DataError as exc:
        raise ModelRetry(f"the engine cannot make rows from this plan: {exc.message}") from None


@planner_agent.tool
def check_plan(ctx: RunContext[PlanDeps], plan: GenerationPlan) -> list[str]:
    """Problems in `plan`: unknown fields, scenarios or themes, pool values that break constraints,
    bounds that miss the schema's range. An empty list means the plan is valid."""
    return check_plan_problems(ctx.deps.prepared, plan)


@planner_agent.output_validator
def _validate_plan(ctx: RunContext[PlanDeps], plan: GenerationPlan) -> GenerationPlan:
    # Every plan passes the same check and a real preview before it is used or cached.
    problems = check_plan_problems(ctx.deps.prepared, plan)
    if problems:
        raise ModelRetry("Fix these problems and return the plan again:\n- " + "\n- ".join(problems))
    return plan
