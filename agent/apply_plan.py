"""Applying a GenerationPlan's field plans to a schema copy: plans tighten, they never loosen.

Whatever a plan says, the result still satisfies the request: pool values that break a constraint
are dropped, bounds outside the schema's are ignored, unknown paths are skipped. Each skip is
reported, so the agent's check_plan tool can tell the model what to fix.
"""

from __future__ import annotations

from typing import Any

from agent.plan import FieldPlan
from tools.errors import DataError
from tools.ranged import make_ranged
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType, find_field
from tools.temporal import default_window
from tools.validator import check_value


def apply_field_plans(schema: EntitySchema, plans: list[FieldPlan]) -> tuple[EntitySchema, list[str]]:
    if not plans:
        return schema, []
    out = schema.model_copy(deep=True)
    problems: list[str] = []
    for fp in plans:
        spec = find_field(out, fp.path)
        if spec is None:
            problems.append(f"{fp.path}: no such field in {schema.name}")
            continue
        problems.extend(_apply(spec, fp))
    return out, problems


def _apply(spec: FieldSpec, fp: FieldPlan) -> list[str]:
    problems: list[str] = []
    if fp.pool:
        problems.extend(_apply_pool(spec, fp))
    if fp.min is not None or fp.max is not None:
        problems.extend(_apply_bounds(spec, fp))
    if fp.min_items is not None or fp.max_items is not None:
        problems.extend(_apply_items(spec, fp))
    if fp.null_rate is not None:
        if spec.is_nullable:
            spec.null_rate = fp.null_rate
        else:
            problems.append(f"{fp.path}: null_rate on a required field")
    return problems


def _apply_pool(spec: FieldSpec, fp: FieldPlan) -> list[str]:
    assert fp.pool is not None
    if spec.type in (FieldType.OBJECT, FieldType.ARRAY, FieldType.ADDRESS) or spec.type is FieldType.PATTERN:
        return [f"{fp.path}: pools are for scalar fields, not {spec.type.value}"]
    if spec.pools_by is not None:
        # A flat pool would cut the link (a 5-star review titled "Terrible quality"): refuse it.
        return [f"{fp.path}: its values follow {spec.pools_by.field} (pools_by); leave it out of the plan"]
    weights = fp.weights if fp.weights and len(fp.weights) == len(fp.pool) else None
    kept: list[Any] = []
    kept_w: list[float] = []
    dropped = 0
    for i, value in enumerate(fp.pool):
        if spec.type in NUMERIC_TYPES and isinstance(value, str):
            dropped += 1
            continue
        if check_value(spec, value, fp.path):
            dropped += 1
            continue
        kept.append(value)
        kept_w.append(weights[i] if weights else 1.0)
    problems = (
        [f"{fp.path}: {dropped} pool value(s) break the field's constraints and were dropped"]
        if dropped
        else []
    )
    if kept:
        spec.pool, spec.pool_weights = kept, kept_w
        if spec.type not in NUMERIC_TYPES:
            # The plan's pool wins over the schema's own source for this request.
            spec.pools_by, spec.source = None, None
    return problems


def _apply_bounds(spec: FieldSpec, fp: FieldPlan) -> list[str]:
    if spec.type not in NUMERIC_TYPES and spec.type not in TEMPORAL_TYPES:
        return [f"{fp.path}: min/max need a number or date field"]
    window = default_window()
    try:
        current = make_ranged(spec, fp.path, window)
        trial = spec.model_copy()
        trial.min = fp.min if fp.min is not None else spec.min
        trial.max = fp.max if fp.max is not None else spec.max
        wanted = make_ranged(trial, fp.path, window)
    except DataError as exc:
        return [f"{fp.path}: {exc.problem}"]
    explicit_lo, explicit_hi = spec.min is not None, spec.max is not None
    lo = max(wanted.lo, current.lo) if explicit_lo else wanted.lo
    hi = min(wanted.hi, current.hi) if explicit_hi else wanted.hi
    if lo > hi:
        return [f"{fp.path}: plan bounds {fp.min}..{fp.max} miss the field's range; ignored"]
    if fp.min is not None:
        spec.min = current.out(lo) if spec.type in TEMPORAL_TYPES else lo / current.scale
    if fp.max is not None:
        spec.max = current.out(hi) if spec.type in TEMPORAL_TYPES else hi / current.scale
    if spec.pool:
        spec.pool = spec.pool_weights = None  # typical values may no longer fit the tighter range
    return []


def _apply_items(spec: FieldSpec, fp: FieldPlan) -> list[str]:
    if spec.type is not FieldType.ARRAY:
        return [f"{fp.path}: min_items/max_items need an array field"]
    lo = max(spec.min_items or 0, fp.min_items if fp.min_items is not None else 0)
    hi_candidates = [v for v in (spec.max_items, fp.max_items) if v is not None]
    hi = min(hi_candidates) if hi_candidates else None
    if hi is not None and lo > hi:
        have = f"{spec.min_items or 0}..{spec.max_items if spec.max_items is not None else 'any'}"
        return [f"{fp.path}: item bounds {fp.min_items}..{fp.max_items} miss the field's {have}; ignored"]
    spec.min_items = lo
    if hi is not None:
        spec.max_items = hi
    return []
