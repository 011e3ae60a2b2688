"""What the planner agent's tools do, as plain functions over the same engine and validator.

Docstrings of the agent's tools (agent/planner_agent.py) are prompts; these are implementation.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from agent.executor import Prepared, build_job
from agent.plan import GenerationPlan
from agent.plannable import RECORD, Plannable
from tools.catalogue import load_catalogue
from tools.edge_cases import catalogue as edge_catalogue
from tools.engine import Scenario, generate
from tools.errors import DataError
from tools.records import template_compiler
from tools.schema import EntitySchema, FieldSpec, field_paths, find_field
from tools.temporal import default_window
from tools.world.text.library import plan_rules
from tools.world.text.maker import grammar_of

PREVIEW_ROWS = 6  # rows a check shows, whatever the number of scenarios: the tool result stays small
TEXT_SHOWN = 160  # characters of a long text value a preview shows
NO_PROBLEMS = "No problems."


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
        parts.append(f"values follow {spec.pools_by.field}")
    text = ", ".join(parts)
    return f"{text}: {spec.description}" if spec.description else text


def _plan_note(can: Plannable, path: str, spec: FieldSpec) -> str:
    """What a plan may set on the field (agent/plannable.py: the checker's own table)."""
    actions = can.actions(path, spec)
    note = f" [plan: {', '.join(actions)}]" if actions else ""
    if RECORD in actions and template_compiler(spec) is not None:  # templates: tools/records.py
        name = grammar_of(spec)
        rules = " ".join(f"{{{r}}}" for r in plan_rules(name)) if name else "none"
        note += f" [text may be a template; rules: {rules}]"
    return note


def schema_summary(schema: EntitySchema) -> str:
    """The schema as the model reads it: every path, its type and constraints, the rules, themes."""
    lines = [
        f"Entity {schema.name} ({schema.domain}): {schema.description}",
        "Fields ([plan: ...] lists what a plan may set on a field beyond bounds; none: leave its values "
        "to the engine):",
    ]
    can = Plannable(schema)
    for path in field_paths(schema.as_object()):
        spec = find_field(schema, path)
        if spec is not None:
            lines.append(f"- {path}: {_describe(spec)}{_plan_note(can, path, spec)}")
    if schema.rules:
        lines.append("Rules the engine enforces:")
        lines += [f"- {rule.describe()}" for rule in schema.rules]
    themes = ", ".join(f"{t.name} ({t.category})" for t in load_catalogue())
    lines.append(f"Product themes (for `themes` weights): {themes}")
    kinds = sorted({c.kind for c in edge_catalogue(schema, default_window())})
    lines.append(f"Edge-case kinds this schema allows: {', '.join(kinds)}")
    return "\n".join(lines)


@dataclass
class Checked:
    problems: list[str]  # parts of the plan dropped or ignored, each naming the value, rule and fix
    fatal: str = ""  # why no rows can be made from the plan at all ('' when they can)
    preview: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def check_plan(prepared: Prepared, plan: GenerationPlan) -> Checked:
    """Every problem that would make the engine drop or ignore part of the plan, and a preview made
    exactly as the full run makes rows (or the reason none can be made)."""
    problems: list[str] = []
    names = {s.name for s in prepared.scenarios}
    themes = {t.name for t in load_catalogue()}
    for sp in plan.scenarios:
        if sp.name not in names:
            problems.append(
                f"scenario plan {sp.name!r}: the request has no such scenario ({sorted(names)}); ignored"
            )
    for where, weights in [
        ("themes", plan.themes),
        *((f"{s.name}.themes", s.themes) for s in plan.scenarios),
        *((f"segments.{g.name}.themes", g.themes) for s in plan.scenarios for g in s.segments),
        *((f"segments.{g.name}.themes", g.themes) for g in plan.segments),
    ]:
        unknown = sorted(set(weights) - themes)
        if unknown:
            problems.append(f"{where}: unknown themes {unknown} ignored; use {sorted(themes)}")
    kinds = {c.kind for c in edge_catalogue(prepared.schema, default_window())}
    unknown_kinds = [k for k in plan.edge_cases if k.strip().lower() not in kinds and "=" not in k]
    if unknown_kinds:
        problems.append(
            f"edge_cases: unknown kinds {unknown_kinds} ignored; this schema allows {sorted(kinds)}"
        )
    out = Checked(problems)
    try:
        job, more = build_job(_small(prepared), plan, batch_size=PREVIEW_ROWS)
        out.problems += more
        out.preview = [_shown(row) for batch in generate(job) for row in batch]
    except DataError as exc:
        out.fatal = f"the engine cannot make rows from this plan: {exc.message}"
    return out


def review(checked: Checked) -> str:
    """The check as the model reads it: the problems (or 'No problems.') and the preview rows."""
    if checked.fatal:
        lines = [f"The plan cannot be used: {checked.fatal}. Fix it and check again."]
    elif checked.problems:
        lines = ["Problems (the failing parts are dropped if you return the plan as it is):"]
        lines += [f"- {p}" for p in checked.problems]
    else:
        lines = [NO_PROBLEMS]
    if checked.preview:
        lines.append(f"Preview ({len(checked.preview)} rows, made as the full run makes them):")
        lines += [json.dumps(row, ensure_ascii=False, default=str) for row in checked.preview]
    return "\n".join(lines)


def _small(prepared: Prepared) -> Prepared:
    """The request cut to PREVIEW_ROWS rows, one per scenario in turn, whatever its scenario count."""
    counts = [0] * len(prepared.scenarios)
    for i in range(min(PREVIEW_ROWS, len(counts) * max(1, PREVIEW_ROWS))):
        j = i % len(counts)
        if counts[j] < max(prepared.scenarios[j].count, 1):
            counts[j] += 1
    scenarios = [Scenario(s.name, n, s.overrides) for s, n in zip(prepared.scenarios, counts, strict=True)]
    return dataclasses.replace(prepared, scenarios=scenarios)


def _shown(value: Any) -> Any:
    if isinstance(value, str) and len(value) > TEXT_SHOWN:
        return value[:TEXT_SHOWN] + "..."
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in value.items() if k != "_index"}
    if isinstance(value, list):
        return [_shown(v) for v in value[:3]] + (["..."] if len(value) > 3 else [])
    return value
