"""Makers for numbers and dates: ranges, typical-value pools, values that follow another field,
unique values by permutation, and shelf prices of catalogue products."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tools.catalogue import Product
from tools.errors import InvalidRequest
from tools.maker_kit import Env, Maker, RowCtx, chooser, pool_key
from tools.patterns import Bijection
from tools.ranged import Ranged, log_normal, make_ranged, typical_raw
from tools.schema import FieldSpec, FieldType
from tools.world.prices import pricer
from tools.world.timeline import draw as draw_time
from tools.world.timeline import utc_offset


def ranged_maker(spec: FieldSpec, path: str, env: Env) -> Maker:
    ranged = make_ranged(spec, path, env.window)
    rnd = env.rnd
    if spec.unique:
        return _unique_ranged(spec, ranged, path, env)
    if spec.pools_by is not None:
        return _ranged_pools_by(spec, ranged, rnd)
    if spec.typical_by is not None:
        return _typical_by(spec, ranged, rnd)
    if spec.pool:
        raws = [ranged.raw_of(v) for v in spec.pool]
        ok = [(r, w) for r, w in zip(raws, spec.pool_weights or [1.0] * len(raws), strict=False)]
        ok = [(r, w) for r, w in ok if ranged.lo <= r <= ranged.hi]
        if ok:
            pick = chooser([ranged.out(r) for r, _ in ok], [w for _, w in ok], rnd)
            return lambda obj, ctx: pick()
    if spec.source == "product.price":
        return _product_price_maker(ranged, rnd, pricer(spec.currency))
    out, draw, lo, hi = ranged.out, ranged.draw, ranged.lo, ranged.hi
    if spec.time_profile and spec.type is FieldType.DATETIME and not ranged.strftime and not ranged.shape:
        kind, offset = env.shape(spec.time_profile), utc_offset(env.locale)  # when people shop, review, call
        return lambda obj, ctx: out(draw_time(kind, lo, hi, offset, rnd))
    return lambda obj, ctx: out(draw(rnd, lo, hi))


def _unique_ranged(spec: FieldSpec, ranged: Ranged, path: str, env: Env) -> Maker:
    """Unique numbers or dates drawn as a permutation of the (raw) range: no repeats, no memory."""
    # Keyed by the range too: a scenario whose plan narrows it gets a permutation of its own range (values
    # of two different ranges may then meet), never one that depends on which scenario came first.
    key = f"{path}|unique-range|{ranged.lo}|{ranged.hi}"
    space = ranged.hi - ranged.lo + 1
    perm = env.counter(key, lambda: Bijection(space, env.keyed(key)))
    lo, out = ranged.lo, ranged.out

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        k = ctx.slot  # the row's place in the job (maker_kit.RowCtx.slot)
        if k >= space:
            raise InvalidRequest(
                path, f"unique values ran out: the range holds only {space}", "widen min/max"
            )
        return out(lo + perm(k))

    return make


def _typical_by(spec: FieldSpec, ranged: Ranged, rnd: Callable[[], float]) -> Maker:
    """A number whose typical range follows another field (lifetime value by loyalty tier)."""
    assert spec.typical_by is not None
    key = spec.typical_by.field
    dists = {
        pool_key(k): log_normal(p10, p90, ranged.scale) for k, (p10, p90) in spec.typical_by.ranges.items()
    }
    out, draw, lo, hi = ranged.out, ranged.draw, ranged.lo, ranged.hi

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        dist = dists.get(pool_key(obj.get(key)))
        raw = typical_raw(dist, rnd(), max(lo, 1), hi) if dist is not None and hi > 0 else None
        return out(raw if raw is not None else draw(rnd, lo, hi))

    return make


def _ranged_pools_by(spec: FieldSpec, ranged: Ranged, rnd: Callable[[], float]) -> Maker:
    """A number that follows another field (a fraud risk score that follows the decision)."""
    assert spec.pools_by is not None
    key = spec.pools_by.field

    def fitting(values: Sequence[Any]) -> list[Any]:
        return [ranged.out(r) for r in (ranged.raw_of(v) for v in values) if ranged.lo <= r <= ranged.hi]

    pickers = {
        pool_key(k): chooser(vs, None, rnd) for k, v in spec.pools_by.pools.items() if (vs := fitting(v))
    }
    fallback_values = fitting(spec.pool or [])
    fallback = (
        chooser(
            fallback_values, spec.pool_weights if len(fallback_values) == len(spec.pool or []) else None, rnd
        )
        if fallback_values
        else None
    )
    out, draw, lo, hi = ranged.out, ranged.draw, ranged.lo, ranged.hi

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        pick = pickers.get(pool_key(obj.get(key)))
        if pick is not None:
            return pick()
        return fallback() if fallback is not None else out(draw(rnd, lo, hi))

    return make


def ranged_of(spec: FieldSpec, path: str, env: Env) -> Ranged:
    return make_ranged(spec, path, env.window)


def _product_price_maker(ranged: Ranged, rnd: Callable[[], float], local: Callable[[float], float]) -> Maker:
    scale = ranged.scale
    bounds: dict[str, tuple[int, int]] = {}  # product id -> its raw price range inside the field's

    def product_bounds(p: Product) -> tuple[int, int]:
        lo = max(ranged.lo, round(local(p.price_low) * scale))
        hi = min(ranged.hi, round(local(p.price_high) * scale))
        return (lo, hi) if lo <= hi else (ranged.lo, ranged.hi)

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        p = ctx.product
        if p is None:
            lo, hi = ranged.lo, ranged.hi
        else:
            b = bounds.get(p.id)
            if b is None:
                b = bounds[p.id] = product_bounds(p)
            lo, hi = b
        raw = lo + int(rnd() * (hi - lo + 1))
        if scale == 100 and rnd() < 0.7:
            # Shelf prices end in .99 or .49 far more often than not.
            snapped = raw - raw % 100 + (99 if rnd() < 0.8 else 49)
            if lo <= snapped <= hi:
                raw = snapped
        return raw / scale

    return make
