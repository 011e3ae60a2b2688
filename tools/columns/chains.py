"""Order-rule fields (`created_at <= updated_at`, lifecycle timestamps) for a whole block of rows:
chains.chain_bounds on arrays. A row's raw value is NaN where the field is absent (its present_if
condition fails, or it came out null), so later fields follow the latest one present, as in the row
maker. A row with no room left is marked bad, and columns/runner.py drops it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tools.chains import chain_place
from tools.columns.values import Block, Column, Unsupported, draw, fits_int64, gate_mask, writer
from tools.maker_kit import Env
from tools.ranged import Ranged
from tools.rulespec import ScopeRules
from tools.schema import FieldSpec, FieldType
from tools.world.timeline import draw_many, utc_offset


def chain_column(scope: FieldSpec, spec: FieldSpec, path: str, env: Env, rules: ScopeRules) -> Column:
    name = spec.name
    place = chain_place(scope, spec, path, env, rules)
    ranged, unit, preds, gap, min_gap = place.ranged, place.unit, place.preds, place.gap, place.min_gap
    ceiling, open_top = place.ceiling, place.open_top
    if spec.unique or ranged.strftime or not fits_int64(ranged):
        raise Unsupported(path)
    out = writer(ranged, path)
    gate = rules.present_if.get(name)
    # A present_if field's null-ness is the rule's to decide, never chance's (compiler._field_step).
    null_rate = spec.null_rate if spec.is_nullable and gate is None else 0.0
    pooled = _pool(spec, ranged)
    timed = spec.time_profile if spec.type is FieldType.DATETIME else None  # as chains.chain_bounds
    profile = env.shape(timed) if timed else None
    offset = utc_offset(env.locale) if profile else 0

    def make(b: Block) -> list[Any]:
        n = b.n
        present = np.ones(n, dtype=bool)
        if gate is not None:
            present = gate_mask(b, gate)
        if null_rate:
            present &= ~(b.gen.random(n) < null_rate)
        lo = np.full(n, ranged.lo, dtype=np.int64)
        hi = np.full(n, ranged.hi, dtype=np.int64)
        if ceiling is not None:
            hi = np.minimum(hi, math.floor(ceiling / unit))
        done = np.zeros(n, dtype=bool)
        v = np.zeros(n, dtype=np.int64)
        if preds:
            stacked = np.stack([b.raw[p] for p in preds])
            has_prev = ~np.isnan(stacked).all(axis=0)
            prev = np.where(has_prev, np.nanmax(np.where(np.isnan(stacked), -np.inf, stacked), axis=0), 0.0)
            lo = np.where(
                has_prev, np.maximum(lo, np.ceil((prev + min_gap) / unit - 1e-9).astype(np.int64)), lo
            )
            if open_top:
                widen = math.floor(gap / unit) if gap else ranged.hi - ranged.lo
                hi = np.where(has_prev & (lo > hi), lo + widen, hi)
            if gap is not None:
                top = np.minimum(hi, np.floor((prev + gap) / unit).astype(np.int64))
                done = has_prev & (top >= lo)
                r = b.gen.random(n)
                # Short steps are more common than long ones (most carts change within hours).
                v = np.where(done, lo + ((top - lo) * r**2 + 0.5).astype(np.int64), v)
        stuck = ~done & (lo > hi)
        if (stuck & present).any():
            b.mark_bad(stuck & present)
        hi = np.where(stuck, lo, hi)
        drawn = draw_many(profile, lo, hi, offset, b.gen) if profile else draw(ranged, b.gen, lo, hi)
        if pooled is not None:
            drawn = _from_pool(pooled, b, lo, hi, drawn, present & ~done)
        v = np.where(done, v, drawn)
        b.raw[name] = np.where(present, v * unit, np.nan)
        values = out(v)
        if not present.all():
            values = [x if p else None for x, p in zip(values, present.tolist(), strict=True)]
        return values

    return make


def _pool(spec: FieldSpec, ranged: Ranged) -> tuple[np.ndarray, np.ndarray] | None:
    """A chained field's typical values (gift card denominations) as raw values and weights."""
    if not spec.pool:
        return None
    weights = spec.pool_weights or [1.0] * len(spec.pool)
    pairs = [(ranged.raw_of(v), float(w)) for v, w in zip(spec.pool, weights, strict=False)]
    # Past ±2**53 a value lies outside the field's range (fits_int64), so no row's bounds hold it.
    pairs = [(r, w) for r, w in pairs if abs(r) <= 2**53]
    if not pairs:
        return None
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs])


def _from_pool(
    pooled: tuple[np.ndarray, np.ndarray],
    b: Block,
    lo: np.ndarray,
    hi: np.ndarray,
    drawn: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """A pool value that fits the row's bounds, by weight (maker_kit.chooser over the fitting ones);
    the drawn value where none fits."""
    raws, weights = pooled
    fits = (raws[None, :] >= lo[:, None]) & (raws[None, :] <= hi[:, None])
    w = np.where(fits, weights[None, :], 0.0)
    cum = np.cumsum(w, axis=1)
    total = cum[:, -1]
    target = b.gen.random(b.n) * total
    pick = np.minimum((cum <= target[:, None]).sum(axis=1), len(raws) - 1)
    any_fit = fits.any(axis=1)
    # Fitting values whose weights are all zero: chooser would pick evenly; the row maker does that.
    odd = rows & any_fit & (total <= 0)
    if odd.any():
        b.mark_bad(odd)
    return np.where(rows & any_fit & (total > 0), raws[pick], drawn)
