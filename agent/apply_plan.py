"""Applying a GenerationPlan's field plans to a schema copy: plans tighten, they never loosen.

Whatever a plan says, the result still satisfies the request: pool values that break a constraint
are dropped, bounds outside the schema's are ignored, unknown paths are skipped. Each skip is
reported (naming the value, the rule and the fix), so the agent's check_plan tool can tell the model
what to fix, and the response can say what was dropped. What a plan may do to each field is decided in
agent/plannable.py, the same table the schema summary shows the model.
"""

from __future__ import annotations

from typing import Any

from agent.plan import FieldPlan
from agent.plan_values import matched_weights, named, value_problem
from agent.plannable import DISTRIBUTION, FOLLOWS, POOL, TIME_PATTERN, Plannable
from tools.errors import DataError
from tools.maker_kit import pool_key
from tools.ranged import make_ranged
from tools.schema import (
    NUMERIC_TYPES,
    TEMPORAL_TYPES,
    Distribution,
    EntitySchema,
    FieldSpec,
    FieldType,
    PoolsBy,
    find_field,
)
from tools.temporal import default_window
from tools.world.timeline import custom_kind

MAX_BINS = 24


def apply_field_plans(schema: EntitySchema, plans: list[FieldPlan]) -> tuple[EntitySchema, list[str]]:
    if not plans:
        return schema, []
    out = schema.model_copy(deep=True)
    can = Plannable(schema)
    problems: list[str] = []
    for fp in plans:
        spec = find_field(out, fp.path)
        if spec is None:
            problems.append(f"{fp.path}: no such field in {schema.name}; the field plan was dropped")
            continue
        problems.extend(_apply(out, spec, fp, can))
    return out, problems


def _apply(schema: EntitySchema, spec: FieldSpec, fp: FieldPlan, can: Plannable) -> list[str]:
    problems: list[str] = []
    for action, given in ((POOL, fp.pool), (FOLLOWS, fp.follows), (DISTRIBUTION, fp.distribution),
                          (TIME_PATTERN, fp.time_pattern)):  # fmt: skip
        why = can.refusal(action, fp.path, spec) if given else ""
        if why:
            problems.append(f"{fp.path}: {action} refused: {why}")
    if problems:
        return problems
    if fp.pool:
        problems.extend(_apply_pool(spec, fp))
    if fp.follows is not None:
        problems.extend(_apply_follows(schema, spec, fp))
    if fp.min is not None or fp.max is not None:
        problems.extend(_apply_bounds(spec, fp))
    if fp.distribution is not None:
        problems.extend(_apply_distribution(spec, fp))
    if fp.time_pattern is not None:
        problems.extend(_apply_time_pattern(spec, fp))
    if fp.min_items is not None or fp.max_items is not None:
        problems.extend(_apply_items(spec, fp))
    if fp.null_rate is not None:
        if spec.is_nullable:
            spec.null_rate = fp.null_rate
        else:
            problems.append(f"{fp.path}: null_rate on a required field; dropped")
    return problems


def _apply_pool(spec: FieldSpec, fp: FieldPlan) -> list[str]:
    assert fp.pool is not None
    problems: list[str] = []
    weights = matched_weights(fp.weights, len(fp.pool), fp.path, "pool values", problems)
    kept: list[Any] = []
    kept_w: list[float] = []
    bad: list[tuple[Any, str]] = []
    for i, value in enumerate(fp.pool):
        why = value_problem(spec, value, fp.path)
        if why:
            bad.append((value, why))
            continue
        kept.append(value)
        kept_w.append(weights[i] if weights else 1.0)
    problems += named(fp.path, bad, "pool values", "write values that keep the field's constraints")
    if kept:
        spec.pool, spec.pool_weights = kept, kept_w
        if spec.type not in NUMERIC_TYPES:
            # The plan's pool wins over the schema's own source for this request.
            spec.pools_by, spec.source = None, None
    return problems


def _apply_follows(schema: EntitySchema, spec: FieldSpec, fp: FieldPlan) -> list[str]:
    assert fp.follows is not None
    prefix = fp.path[: len(fp.path) - len(spec.name)]
    key_path = prefix + fp.follows.field
    key_spec = find_field(schema, key_path)
    if key_spec is None or fp.follows.field == spec.name:
        return [f"{fp.path}: follows {fp.follows.field!r}: no such other field beside it; dropped"]
    known = {pool_key(v) for v in key_spec.values or []} if key_spec.values else None
    if key_spec.type is FieldType.BOOLEAN:
        known = {"true", "false"}
    pools: dict[str, list[Any]] = {}
    problems: list[str] = []
    for key, values in fp.follows.pools.items():
        if known is not None and pool_key(key) not in known:
            problems.append(
                f"{fp.path}: follows key {key!r} is not a value of {key_path} ({sorted(known)[:12]}); dropped"
            )
            continue
        bad = [(v, why) for v in values if (why := value_problem(spec, v, fp.path))]
        problems += named(f"{fp.path} (when {key_path}={key})", bad, "values", "keep the field's constraints")
        good = [v for v in values if not value_problem(spec, v, fp.path)]
        if good:
            pools[pool_key(key)] = good
    if pools:
        spec.pools_by = PoolsBy(field=fp.follows.field, pools=pools)
        if spec.type not in NUMERIC_TYPES:
            spec.source = None
        spec.typical_by = None
    return problems


def _apply_distribution(spec: FieldSpec, fp: FieldPlan) -> list[str]:
    d = fp.distribution
    assert d is not None
    where = f"{fp.path}: distribution"
    if d.kind == "lognormal":
        if spec.type not in NUMERIC_TYPES:
            return [f"{where}: lognormal needs a number field; use a histogram for dates"]
        if d.p10 is None or d.p90 is None or not 0 < d.p10 < d.p90:
            return [f"{where}: lognormal needs 0 < p10 < p90; dropped"]
        spec.typical, spec.typical_by, spec.pool, spec.pool_weights = [d.p10, d.p90], None, None, None
        return []
    if d.kind == "normal":
        if spec.type not in NUMERIC_TYPES or d.mean is None or d.sd is None:
            return [f"{where}: normal needs a number field, a mean and an sd; dropped"]
        shape = Distribution(kind="normal", mean=d.mean, sd=d.sd)
    else:
        if not 1 <= len(d.bins) <= MAX_BINS or not any(b.weight > 0 for b in d.bins):
            return [f"{where}: a histogram needs 1 to {MAX_BINS} bins, one weight above 0; dropped"]
        shape = Distribution(kind="histogram", bins=[(b.lo, b.hi, b.weight) for b in d.bins])
    trial = spec.model_copy(update={"distribution": shape})
    try:
        ranged = make_ranged(trial, fp.path, default_window())
    except DataError as exc:
        return [f"{where}: {exc.problem}; dropped"]
    if ranged.shape is not None and ranged.shape.raw(0.5, 0.5, ranged.lo, ranged.hi) is None:
        return [f"{where}: no part of it lies inside the field's bounds; dropped"]
    spec.distribution, spec.typical, spec.typical_by, spec.pool, spec.pool_weights = (
        shape,
        None,
        None,
        None,
        None,
    )
    return []


def _apply_time_pattern(spec: FieldSpec, fp: FieldPlan) -> list[str]:
    tp = fp.time_pattern
    assert tp is not None
    for name, ws, n in (("hours", tp.hours, 24), ("weekdays", tp.weekdays, 7), ("months", tp.months, 12)):
        if ws is not None and (len(ws) != n or any(not 0 <= w < 1e6 for w in ws) or not any(ws)):
            return [f"{fp.path}: time_pattern.{name} needs {n} weights from 0, one above 0; dropped"]
    base = (spec.time_profile or "").split("~")[0].split("|")[0]
    spec.time_profile = custom_kind(base, tp.hours, tp.weekdays, tp.months)
    return []


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
