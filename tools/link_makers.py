"""Forced makers that tie a child row to the rows it hangs from (read from `RowCtx.links`).

Compiled once per entity; each reads the current ancestors at row time, so foreign keys, copied
amounts, later timestamps and state walks hold by construction. `links` keys: ancestor entity names,
`_item` (the parent's current item), `_seq` and `_time` (this child's state and time in a walk),
`_siblings` (children already made under the parent, by entity), `_rank` (how many of this child's
entity the parent has before it), `_stories` (ancestors' lifecycle stories, by entity).

No event lies after `as_of` (Env.as_of): times drawn after an ancestor's stay at or before it.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from tools.catalogue import load_catalogue
from tools.compiler import child_maker, compile_object
from tools.errors import InvalidRequest
from tools.links import DatasetLink, anchor_paths
from tools.maker_kit import Env, Maker, RowCtx, chooser, pool_key
from tools.ranged import make_ranged
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType
from tools.temporal import DAY, datetime_text, day_text, parse_datetime, parse_duration
from tools.world.localise import localise
from tools.world.timeline import draw, utc_offset

Links = dict[str, Any]


def resolve(links: Links, path: str) -> Any:
    """`order.total`, `item.sku`, `order.items` -> the value (None when absent)."""
    if path.startswith("sibling:"):  # the sibling of the same rank: the second order's cart is the second
        entity, field = path.removeprefix("sibling:").split(".", 1)
        rows = links.get("_siblings", {}).get(entity) or []
        rank = links.get("_rank", 0)
        return rows[rank].get(field) if rank < len(rows) else None
    if path.startswith("story:"):
        entity, key = path.removeprefix("story:").split(".", 1)
        story = links.get("_stories", {}).get(entity)
        return story.get(key) if story else None
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


def as_field(spec: FieldSpec | None, value: Any) -> Any:
    """A copied value in the target field's shape: a story's instant (seconds) or a datetime read
    into a date or datetime field."""
    if spec is None or value is None or spec.type not in TEMPORAL_TYPES or spec.format:
        return value
    if isinstance(value, int | str) and not isinstance(value, bool):
        try:
            return time_text(spec, parse_datetime(value))
        except (ValueError, OverflowError):
            return value
    return value


def link_makers(
    schema: EntitySchema, link: DatasetLink, id_fields: dict[str, str], env: Env
) -> dict[str, Maker]:
    """Forced makers for `schema`'s fields under `link`; `id_fields` maps ancestor entity -> its id field."""
    schema = localise(schema, env.locale)  # as the row runner makes it: a yen world's items in yen
    makers: dict[str, Maker] = {}
    for spec in schema.fields:
        if spec.ref and spec.ref in id_fields:
            makers[spec.name] = _reader(f"{spec.ref}.{id_fields[spec.ref]}", None)
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
            makers[name] = _reader(path, target)
        if path.startswith("sibling:") and target is not None and not target.ref:
            # No sibling of this rank (an order placed without a cart): made as usual.
            makers[name] = _or_made(makers[name], child_maker(target, name, env, {}))
    for name, by in link.by.items():
        makers[name] = _by_maker(by.source, by.map, env)
    gap = parse_duration(link.max_gap) if link.max_gap else None
    for name in {**link.after, **link.before}:
        spec = _field(schema, name, TEMPORAL_TYPES)
        makers[name] = _after_maker(spec, link.after.get(name), link.before.get(name), gap, env)
    for name, path in link.at_most.items():
        spec = _field(schema, name, NUMERIC_TYPES)
        makers[name] = _at_most_maker(spec, path, link.whole.get(name), env)
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


def _reader(path: str, target: FieldSpec | None) -> Maker:
    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        return as_field(target, copy.deepcopy(resolve(ctx.links or {}, path)))

    return make


def _or_made(read: Maker, made: Maker) -> Maker:
    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        value = read(obj, ctx)
        return made(obj, ctx) if value is None or value == [] else value

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


def _after_maker(spec: FieldSpec, after: str | None, before: str | None, gap: int | None, env: Env) -> Maker:
    """At or after the `after` ancestor's time (by at most `gap`), at or before the `before` one's and
    `as_of`: inside the field's own range when it can be, else at the anchor. Its `bounds` attribute
    gives the range to a lifecycle that draws the time itself (tools/world/lifecycle.py)."""
    ranged = make_ranged(spec, spec.name, env.window)
    unit = DAY if spec.type is FieldType.DATE else 1
    own_lo, own_hi = ranged.lo * unit, ranged.hi * unit
    rnd, as_of = env.rnd, env.as_of
    offset = utc_offset(env.locale)
    shape = env.shape(spec.time_profile or "")

    alternatives = [(p, parse_duration(g) if g else gap) for p, g in anchor_paths(after or "")]

    def bounds(obj: dict[str, Any], ctx: RowCtx) -> tuple[int, int]:
        links = {**(ctx.links or {}), "row": obj}  # `row.created_at`: a field of the row being made
        limit = resolve(links, before) if before else None
        anchor, within = None, None
        for path, wait in alternatives:  # the first alternative present (and not past the limit)
            anchor = resolve(links, path) if path else None
            if anchor is not None and (limit is None or parse_datetime(anchor) <= parse_datetime(limit)):
                within = wait
                break
            anchor = None
        # Anchored, a field without its own minimum follows the ancestor back past the default window
        # (an order of a customer who has not logged in since 2023 was placed before then).
        floor = own_lo if spec.min is not None else -(2**62)
        start = max(parse_datetime(anchor), floor) if anchor is not None else own_lo
        end = min(own_hi, as_of) if own_hi > start else max(start, as_of)
        if limit is not None:
            end = min(end, parse_datetime(limit))
        if within is not None:
            end = min(end, start + within)
        return start, max(start, end)

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        lo, hi = bounds(obj, ctx)
        if gap is not None or any(
            w for _, w in alternatives
        ):  # short waits are more common than long ones (a payment follows in minutes)
            return time_text(spec, lo + int((hi - lo) * rnd() ** 2))
        if spec.time_profile:  # reviews in the evening, tickets in office hours
            return time_text(spec, draw(shape, lo, hi, offset, rnd))
        return time_text(spec, lo + int((hi - lo) * rnd()))

    make.bounds = bounds  # type: ignore[attr-defined]
    return make


def _at_most_maker(spec: FieldSpec, path: str, whole: str | None, env: Env) -> Maker:
    """A number no larger than the ancestor's (a refund never exceeds what was captured): all of it
    when `whole` reads "full", a part of it (10-70%) when it reads "partial"."""
    ranged = make_ranged(spec, spec.name, env.window)
    rnd = env.rnd

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        links = ctx.links or {}
        cap = resolve(links, path)
        hi = min(ranged.hi, math.floor(float(cap) * ranged.scale + 1e-9)) if cap is not None else ranged.hi
        lo = min(ranged.lo, hi)
        kind = resolve(links, whole) if whole else None
        if kind == "full":
            raw = hi
        elif kind == "partial" and hi > lo:  # a line, the shipping or a price adjustment: never all of it
            raw = min(hi - 1, max(lo, lo + int((hi - lo) * (0.1 + 0.6 * rnd()))))
        else:  # most refunds are the whole amount; the rest are partial
            raw = hi if rnd() < 0.6 else lo + int((hi - lo + 1) * rnd())
        return raw if spec.type is FieldType.INTEGER else raw / ranged.scale

    return make


def walk_times(
    start: int,
    steps: list[Any],
    anchors: dict[Any, int | None],
    gap: int,
    rnd: Callable[[], float],
    end: int | None = None,
) -> list[int]:
    """Strictly increasing times for a walk; pinned states keep their ancestor's time when it fits, and
    unpinned ones share the room before the next pin (or `end`, as_of) so none passes it."""
    times: list[int] = []
    now = start
    for i, state in enumerate(steps):
        pinned = anchors.get(state)
        if pinned is not None and pinned > now:
            now = pinned
        elif i:
            ahead = [j for j, s in enumerate(steps[i + 1 :], i + 1) if anchors.get(s) is not None]
            nxt = anchors[steps[ahead[0]]] if ahead else end
            left = (ahead[0] if ahead else len(steps)) - i  # unpinned steps sharing that room
            room = (nxt - now) // left if nxt is not None and nxt > now + 2 * left else gap
            now += max(1, int(min(room - 1, gap) * (0.2 + 0.8 * rnd())))
        times.append(now)
    return times
