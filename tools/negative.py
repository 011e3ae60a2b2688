"""Negative rows: a valid row changed to break exactly one rule, tagged with the rule and the error.

Each mutation targets one rule of the schema (a bound, an enum, a format, a derived total, an order,
a conditional field). The engine applies it, re-derives dependent totals when the mutation was not
on a total itself, and keeps the row only when the validator reports exactly that one violation.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.ranged import make_ranged, precision_of
from tools.rulespec import scope_rules
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType
from tools.temporal import datetime_text, day_text, parse_datetime

Apply = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Mutation:
    rule: str  # the validator's rule name this row must break
    path: str  # where, as the validator reports it (first array item for item fields)
    apply: Apply
    rederive: bool = True  # recompute derived fields afterwards (not when breaking a derived field)


def mutations(schema: EntitySchema, window: tuple[int, int]) -> list[Mutation]:
    out: list[Mutation] = []
    root = schema.as_object()
    rules = scope_rules(root, schema.name)
    derived = {r.target for r in rules.derives}
    for f in root.fields:
        if f.name not in derived:
            out.extend(_field_mutations(f, f.name, [f.name], window))
    for d in rules.derives:
        out.append(Mutation("derive", d.target, _nudge(d.target, root.child(d.target)), rederive=False))
    for o in rules.orders:
        first, second = o.order[0], o.order[1]
        out.append(Mutation("order", second, _before(first, second, root)))
    for name, (_when, _allowed) in rules.present_if.items():
        out.append(Mutation("present_if", name, _toggle_presence(name, root.child(name), window)))
    out.extend(_tax_mutations(root))
    return out


# Rates no jurisdiction of the world model charges (tools/world/tax.py): a checkout must refuse them.
_NO_SUCH_RATES = (0.137, 0.0137, 0.2437)


def _tax_mutations(root: FieldSpec) -> list[Mutation]:
    """A rate within the field's bounds that is charged nowhere; the tax is re-derived from it, so only
    the `tax` rule breaks."""
    out = []
    for f in root.fields:
        if f.source != "tax_rate":
            continue
        lo = f.min if isinstance(f.min, int | float) else 0.0
        hi = f.max if isinstance(f.max, int | float) else 1.0
        fits = [r for r in _NO_SUCH_RATES if lo <= r <= hi]
        if fits:
            out.append(Mutation("tax", f.name, _setter([f.name], fits[0])))
    return out


def _field_mutations(f: FieldSpec, path: str, keys: list[Any], window: tuple[int, int]) -> list[Mutation]:
    out: list[Mutation] = []
    if not f.is_nullable:
        out.append(Mutation("required", path, _setter(keys, None)))
    if f.type is FieldType.ARRAY:
        if f.max_items is not None:
            out.append(Mutation("max_items", path, _grow(keys, f.max_items + 1)))
        if f.min_items:
            out.append(Mutation("min_items", path, _shrink(keys, f.min_items - 1)))
        items = f.items
        if items is not None and items.fields:
            for sub in items.fields:
                out.extend(_field_mutations(sub, f"{path}[0].{sub.name}", [*keys, 0, sub.name], window))
        return out
    if f.type is FieldType.OBJECT:
        for sub in f.fields:
            out.extend(_field_mutations(sub, f"{path}.{sub.name}", [*keys, sub.name], window))
        return out
    if f.values:
        out.append(Mutation("enum", path, _setter(keys, "not_a_valid_value")))
    elif f.type in NUMERIC_TYPES:
        out.append(Mutation("type", path, _setter(keys, "not a number")))
        r = make_ranged(f, path, window)
        step = 10 ** -precision_of(f) if f.type is not FieldType.INTEGER else 1
        if f.min is not None:
            out.append(Mutation("min", path, _setter(keys, r.out(r.lo - round(step * r.scale)))))
        if f.max is not None:
            out.append(Mutation("max", path, _setter(keys, r.out(r.hi + round(step * r.scale)))))
    elif f.type in TEMPORAL_TYPES:
        out.append(Mutation("format", path, _setter(keys, "31/02/2025 25:61")))
    elif f.type in (FieldType.EMAIL, FieldType.UUID, FieldType.PATTERN, FieldType.URL, FieldType.PHONE):
        out.append(Mutation("format", path, _setter(keys, "not-valid@@")))
    elif f.type is FieldType.BOOLEAN:
        out.append(Mutation("type", path, _setter(keys, "yes")))
    else:
        if f.max_length is not None:
            out.append(Mutation("max_length", path, _setter(keys, "x" * (f.max_length + 1))))
        if f.min_length:
            out.append(Mutation("min_length", path, _setter(keys, "x" * (f.min_length - 1))))
        if f.regex:
            out.append(Mutation("regex", path, _setter(keys, "!does-not-match!")))
    return out


def _dig(row: dict[str, Any], keys: list[Any]) -> Any:
    target: Any = row
    for k in keys[:-1]:
        target = target[k]
    return target


def _setter(keys: list[Any], value: Any) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        _dig(row, keys)[keys[-1]] = copy.deepcopy(value)

    return apply


def _grow(keys: list[Any], n: int) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        items = _dig(row, keys)[keys[-1]]
        while items and len(items) < n:
            items.append(copy.deepcopy(items[-1]))

    return apply


def _shrink(keys: list[Any], n: int) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        del _dig(row, keys)[keys[-1]][n:]

    return apply


def _nudge(name: str, f: FieldSpec | None) -> Apply:
    step = 1 if f is not None and f.type is FieldType.INTEGER else 10 ** -(precision_of(f) if f else 2)

    def apply(row: dict[str, Any]) -> None:
        value = row.get(name)
        if isinstance(value, int | float):
            row[name] = round(value + step, 10) if not isinstance(value, int) else value + 1

    return apply


def _before(first: str, second: str, root: FieldSpec) -> Apply:
    f = root.child(second)

    def apply(row: dict[str, Any]) -> None:
        anchor = row.get(first)
        if anchor is None:
            return
        if f is not None and f.type is FieldType.DATE:
            row[second] = day_text(parse_datetime(anchor) // 86400 - 1)
        elif f is not None and f.type in TEMPORAL_TYPES:
            row[second] = datetime_text(parse_datetime(anchor) - 3600)
        elif isinstance(anchor, int | float):
            row[second] = anchor - 1

    return apply


def _toggle_presence(name: str, f: FieldSpec | None, window: tuple[int, int]) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        if row.get(name) is not None:
            row[name] = None
        elif f is not None and f.example is not None:
            row[name] = f.example
        elif f is not None and f.type in TEMPORAL_TYPES:
            row[name] = (
                datetime_text(window[1]) if f.type is FieldType.DATETIME else day_text(window[1] // 86400)
            )
        elif f is not None and f.type in NUMERIC_TYPES:
            row[name] = 1
        else:
            row[name] = "1234"

    return apply
