"""What the planner agent's tools do, as plain functions over the same engine and validator.

Docstrings of the agent's tools (agent/planner_agent.py) are prompts; these are implementation.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from agent.apply_plan import apply_field_plans
from agent.executor import Prepared, build_job
from agent.plan import GenerationPlan
from tools.catalogue import load_catalogue
from tools.edge_cases import catalogue as edge_catalogue
from tools.engine import Scenario, generate
from tools.errors import DataError
from tools.schema import EntitySchema, FieldSpec, field_paths, find_field
from tools.temporal import default_window

PREVIEW_MAX = 5


def _describe(spec: FieldSpec) -> str:
    parts = [spec.type.value]
    if not spec.required or spec.nullable:
        parts.append("optional")
    for key in (
        "min",
        "max",
        "min_length",
        "max_length",
        "min_items",
        "max_items",
        "regex",
        "format",
        "source",
    ):
        value = getattr(spec, key)
        if value is not None:
            parts.append(f"{key}={value}")
    if spec.values:
        parts.append(f"values={spec.values[:12]}")
    if spec.unique:
        parts.append("unique")
    if spec.pools_by is not None:
        parts.append(f"values follow {spec.pools_by.field} (do not pool)")
    text = ", ".join(parts)
    return f"{text}: {spec.description}" if spec.description else text


def schema_summary(schema: EntitySchema) -> str:
    """The schema as the model reads it: every path, its type and constraints, the rules, themes."""
    lines = [f"Entity {schema.name} ({schema.domain}): {schema.description}", "Fields:"]
    for path in field_paths(schema.as_object()):
        spec = find_field(schema, path)
        if spec is not None:
            lines.append(f"- {path}: {_describe(spec)}")
    if schema.rules:
        lines.append("Rules the engine enforces:")
        lines += [f"- {rule.describe()}" for rule in schema.rules]
    themes = ", ".join(f"{t.name} ({t.category})" for t in load_catalogue())
    lines.append(f"Product themes (for `themes` weights): {themes}")
    kinds = sorted({c.kind for c in edge_catalogue(schema, default_window())})
    lines.append(f"Edge-case kinds this schema allows: {', '.join(kinds)}")
    return "\n".join(lines)


def check_plan(prepared: Prepared, plan: GenerationPlan) -> list[str]:
    """Every problem that would make the engine drop or ignore part of the plan, or fail."""
    problems: list[str] = []
    names = {s.name for s in prepared.scenarios}
    themes = {t.name for t in load_catalogue()}
    for sp in plan.scenarios:
        if sp.name not in names:
            problems.append(f"scenario plan {sp.name!r}: the request has no such scenario ({sorted(names)})")
    for where, weights in [
        ("themes", plan.themes),
        *((f"{s.name}.themes", s.themes) for s in plan.scenarios),
    ]:
        unknown = sorted(set(weights) - themes)
        if unknown:
            problems.append(f"{where}: unknown themes {unknown}; use {sorted(themes)}")
    _, field_problems = apply_field_plans(prepared.schema, plan.fields)
    problems += field_problems
    for sp in plan.scenarios:
        problems += [f"scenario {sp.name}: {p}" for p in apply_field_plans(prepared.schema, sp.fields)[1]]
    if not problems:
        try:
            preview_rows(prepared, plan, 3)
        except DataError as exc:
            problems.append(f"the engine cannot make rows from this plan: {exc.message}")
    return problems


def preview_rows(prepared: Prepared, plan: GenerationPlan, n: int) -> list[dict[str, Any]]:
    """A few rows per scenario, made by the engine exactly as the full run would make them."""
    n = max(1, min(n, PREVIEW_MAX))
    small = dataclasses.replace(
        prepared,
        scenarios=[Scenario(s.name, min(n, max(s.count, 1)), s.overrides) for s in prepared.scenarios],
    )
    job, _ = build_job(small, plan, batch_size=PREVIEW_MAX * max(1, len(small.scenarios)))
    return [row for batch in generate(job) for row in batch]
