"""Fields in an order rule (`created_at <= updated_at`, `reserved <= on_hand`), drawn so the rule
holds: never below what precedes them, always leaving room for what follows."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.maker_kit import Env, Maker, RowCtx, chooser
from tools.ranged import Ranged, precision_of
from tools.rulespec import ScopeRules
from tools.schema import FieldSpec, FieldType
from tools.values_ranged import ranged_of
from tools.world.timeline import draw as draw_time
from tools.world.timeline import utc_offset


class Retry(Exception):
    """This row cannot satisfy its rules with the values drawn so far; draw the row again."""


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@dataclass(frozen=True)
class ChainPlace:
    """Where a field sits in its order rules: what bounds it from below and above. The row maker
    (chain_bounds) and the column maker (columns/chains.py) draw from the same place."""

    ranged: Ranged
    unit: float  # raw -> comparable value (seconds for times, the value for numbers)
    preds: tuple[str, ...]
    gap: int | None  # max seconds (or units) after the latest predecessor
    min_gap: int
    ceiling: float | None  # the lowest maximum of what follows, in comparable units
    open_top: bool  # without an explicit max a later field may follow an early one past the window


def chain_place(scope: FieldSpec, spec: FieldSpec, path: str, env: Env, rules: ScopeRules) -> ChainPlace:
    name = spec.name
    ceilings = []
    for succ in rules.chain_succs.get(name, ()):
        other = scope.child(succ)
        assert other is not None
        sibling = join(path[: -len(name)].rstrip("."), succ)
        ceilings.append(ranged_of(other, sibling, env).hi * chain_unit(other))
    return ChainPlace(
        ranged=ranged_of(spec, path, env),
        unit=chain_unit(spec),
        preds=tuple(rules.chain_preds.get(name, ())),
        gap=rules.gap_before.get(name),
        min_gap=rules.min_gap_before.get(name, 0),
        ceiling=min(ceilings, default=None),
        open_top=spec.max is None,
    )


def chain_bounds(
    scope: FieldSpec, spec: FieldSpec, path: str, env: Env, rules: ScopeRules
) -> Callable[..., None]:
    """A field in an order rule: drawn no lower than what precedes it, leaving room for what follows."""
    name = spec.name
    place = chain_place(scope, spec, path, env, rules)
    ranged, unit, preds, gap, min_gap = place.ranged, place.unit, place.preds, place.gap, place.min_gap
    ceiling, open_top = place.ceiling, place.open_top
    pooled = _pool_raws(spec, ranged)
    rnd = env.rnd
    open_bottom = spec.min is None and spec.type in (FieldType.DATE, FieldType.DATETIME)
    timed = spec.time_profile and spec.type is FieldType.DATETIME and not ranged.strftime
    profile = env.shape(spec.time_profile) if timed and spec.time_profile else None
    offset = utc_offset(env.locale) if profile else 0

    def run(obj: dict[str, Any], raw: dict[str, float], ctx: RowCtx, make: Maker | None) -> None:
        prev = max((raw[p] for p in preds if p in raw), default=None)
        if make is not None:
            value = make(obj, ctx)
            obj[name] = value
            with contextlib.suppress(ValueError, TypeError):
                raw[name] = ranged.raw_of(value) * unit
            return
        lo, hi = ranged.lo, ranged.hi
        if ceiling is not None:
            hi = min(hi, math.floor(ceiling / unit))
        if prev is not None:
            floor = math.ceil((prev + min_gap) / unit - 1e-9)
            # A time without a minimum of its own follows one that a link set before the default window
            # (a cart of 2019 is updated in 2019); only the row maker sees such links.
            lo = floor if open_bottom else max(lo, floor)
            if open_top and lo > hi:
                hi = lo + (math.floor(gap / unit) if gap else ranged.hi - ranged.lo)
            if gap is not None:
                top = min(hi, math.floor((prev + gap) / unit))
                if top >= lo:
                    # Short steps are more common than long ones (most carts change within hours).
                    v = lo + int((top - lo) * rnd() ** 2 + 0.5)
                    raw[name] = v * unit
                    obj[name] = ranged.out(v)
                    return
        if lo > hi:
            raise Retry
        fitting = [p for p in pooled if lo <= p[0] <= hi] if pooled else None
        if fitting:
            v = chooser([p[0] for p in fitting], [p[1] for p in fitting], rnd)()
        elif profile:  # when people shop, review, call (tools/world/timeline.py)
            v = draw_time(profile, lo, hi, offset, rnd)
        else:
            v = ranged.draw(rnd, lo, hi)
        raw[name] = v * unit
        obj[name] = ranged.out(v)

    return run


def _pool_raws(spec: FieldSpec, ranged: Any) -> list[tuple[int, float]]:
    """A chained field's typical values (gift card denominations) as (raw, weight)."""
    if not spec.pool:
        return []
    weights = spec.pool_weights or [1.0] * len(spec.pool)
    return [(ranged.raw_of(v), float(w)) for v, w in zip(spec.pool, weights, strict=False)]


def chain_unit(spec: FieldSpec) -> float:
    if spec.type is FieldType.DATE:
        return 86400.0
    if spec.type in (FieldType.MONEY, FieldType.FLOAT):
        return 1.0 / 10 ** precision_of(spec)
    return 1.0
