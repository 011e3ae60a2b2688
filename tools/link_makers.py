"""Forced makers that tie a child row to the rows it hangs from (read from `RowCtx.links`).

Compiled once per entity; each reads the current ancestors at row time, so foreign keys, copied
amounts, later timestamps and state walks hold by construction. `links` keys: ancestor entity names,
`_item` (the parent's current item), `_seq` and `_time` (this child's state and time in a walk),
`_siblings` (children already made under the parent, by entity).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from tools.catalogue import load_catalogue
from tools.compiler import compile_object
from tools.errors import InvalidRequest
from tools.links import DatasetLink
from tools.maker_kit import Env, Maker, RowCtx, chooser, pool_key
from tools.ranged import make_ranged
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType
from tools.temporal import DAY, datetime_text, day_text, default_window, parse_datetime, parse_duration

Links = dict[str, Any]


def resolve(links: Links, path: str) -> Any:
    """`order.total`, `item.sku`, `order.items` -> the value (None when absent)."""
    if path.startswith("sibling:"):
        entity, field = path.removeprefix("sibling:").split(".", 1)
        rows = links.get("_siblings", {}).get(entity) or []
        return rows[-1].get(field) if rows else None
    head, _, rest = path.partition(".")
    value: Any = links.get("_item" if head == "item" else head)
    for part in rest.split(".") if rest else ():
        if isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def time_text(spec: FieldSpec, seconds: int) -> str:
    return day_text(seconds // DAY) if spec.type is FieldType.DATE else datetime_text(seconds)


def link_makers(
    schema: EntitySchema, link: DatasetLink, id_fields: dict[str, str], env: Env
) -> dict[str, Maker]:
    """Forced makers for `schema`'s fields under `link`; `id_fields` maps ancestor entity -> its id field."""
    makers: dict[str, Maker] = {}
    for spec in schema.fields:
        if spec.ref and spec.ref in id_fields:
            makers[spec.name] = _reader(f"{spec.ref}.{id_fields[spec.ref]}")
    for name, path in link.copy_.items():
        target = schema.field(name)
        if (
            target is not None
            and target.type is FieldType.ARRAY
            and target.items is not None
            and target.items.fields
        ):
            makers[name] = _items_copier(target, path, env)
        else:
            makers[name] = _reader(path)
    for name, by in link.by.items():
        makers[name] = _by_maker(by.source, by.map, env)
    gap = parse_duration(link.max_gap) if link.max_gap else None
    for name, path in link.after.items():
        makers[name] = _after_maker(_field(schema, name, TEMPORAL_TYPES), path, gap, env)
    for name, path in link.at_most.items():
        makers[name] = _at_most_maker(_field(schema, name, NUMERIC_TYPES), path, env)
    if link.sequence is not None:
        makers[link.sequence.field] = lambda obj, ctx: (ctx.links or {})["_seq"]
        time_spec = _field(schema, link.sequence.time, TEMPORAL_TYPES)
        makers[link.sequence.time] = lambda obj, ctx: time_text(time_spec, (ctx.links or {})["_time"])
    return makers


def _field(schema: EntitySchema, name: str, kinds: frozenset[FieldType]) -> FieldSpec:
    spec = schema.field(name)
    if spec is None or spec.type not in kinds:
        wanted = "/".join(sorted(k.value for k in kinds))
        raise InvalidRequest(
            f"{schema.name}.dataset", f"{name} must be a {wanted} field of {schema.name}", ""
        )
    return spec


def _reader(path: str) -> Maker:
    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        return copy.deepcopy(resolve(ctx.links or {}, path))

    return make


def _items_copier(spec: FieldSpec, path: str, env: Env) -> Maker:
    """An ancestor's items in this entity's item shape: shared keys copied, the rest made fresh
    for the same product (a shipment lists the order's products, with their categories)."""
    assert spec.items is not None
    make_item = compile_object(spec.items, f"{spec.name}[]", env, {})
    keys = {f.name for f in spec.items.fields}
    by_id = {p.id: p for t in load_catalogue() for p in t.products}
    most = spec.max_items if spec.max_items is not None else None  # a shipment may carry part of an order

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        out = []
        for source in (resolve(ctx.links or {}, path) or [])[:most]:
            ctx.product = by_id.get(str(source.get("product_id"))) if isinstance(source, dict) else None
            fresh = make_item(obj, ctx)
            fresh.update({k: copy.deepcopy(v) for k, v in source.items() if k in keys})
            out.append(fresh)
        return out

    return make


def _by_maker(source: str, mapping: dict[str, list[Any]], env: Env) -> Maker:
    pickers = {pool_key(k): chooser(v, None, env.rnd) for k, v in mapping.items() if v}
    default = pickers.get("*")

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        pick = pickers.get(pool_key(resolve(ctx.links or {}, source)), default)
        return pick() if pick is not None else None

    return make


def _after_maker(spec: FieldSpec, path: str, gap: int | None, env: Env) -> Maker:
    """At or after the ancestor's time: inside the field's own range when it can be, else just after."""
    ranged = make_ranged(spec, spec.name, default_window())
    unit = DAY if spec.type is FieldType.DATE else 1
    own_lo, own_hi = ranged.lo * unit, ranged.hi * unit
    rnd = env.rnd

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        anchor = resolve(ctx.links or {}, path)
        start = max(parse_datetime(anchor), own_lo) if anchor is not None else own_lo
        if gap is not None:
            # Short waits are more common than long ones (a payment follows its order in minutes).
            return time_text(spec, start + int(gap * rnd() ** 2))
        end = own_hi if own_hi > start else start + 30 * DAY
        return time_text(spec, start + int((end - start) * rnd()))

    return make


def _at_most_maker(spec: FieldSpec, path: str, env: Env) -> Maker:
    """A number no larger than the ancestor's (a refund never exceeds what was captured)."""
    ranged = make_ranged(spec, spec.name, default_window())
    rnd = env.rnd

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        cap = resolve(ctx.links or {}, path)
        hi = min(ranged.hi, math.floor(float(cap) * ranged.scale + 1e-9)) if cap is not None else ranged.hi
        lo = min(ranged.lo, hi)
        # Most refunds are the whole amount; the rest are partial.
        raw = hi if rnd() < 0.6 else lo + int((hi - lo + 1) * rnd())
        return raw if spec.type is FieldType.INTEGER else raw / ranged.scale

    return make


def walk_times(
    start: int, steps: list[Any], anchors: dict[Any, int | None], gap: int, rnd: Callable[[], float]
) -> list[int]:
    """Strictly increasing times for a walk; pinned states keep their ancestor's time when it fits."""
    times: list[int] = []
    now = start
    for i, state in enumerate(steps):
        pinned = anchors.get(state)
        if pinned is not None and pinned > now:
            now = pinned
        elif i:
            nxt = next((anchors[s] for s in steps[i + 1 :] if anchors.get(s) is not None), None)
            room = (nxt - now) if nxt is not None and nxt > now + 2 else gap
            now += max(1, int(min(room - 1, gap) * (0.2 + 0.8 * rnd())))
        times.append(now)
    return times
