"""Negative rows: a valid row changed to break exactly one rule, tagged with the rule and the error.

Each mutation targets one rule of the schema (a bound, an enum, a format, a derived total, an order,
a conditional field). The engine applies it, re-derives dependent totals when the mutation was not
on a total itself, and keeps the row only when the validator reports exactly that one violation.

This module owns the Mutation type, the `mutations(schema, window)` entry point, the mutations of
single fields (a bound, an enum, a format, a tax rate charged nowhere) and `expected_error`. Rules
between fields are broken the way a checkout gets them wrong, with everything else in the row kept
consistent so that only the one rule fails: derived values in tools/negative_sums.py, orders and
conditional fields in tools/negative_lifecycle.py.

`expected_error` says, from the rule and the row's values, what a correct system should reject it with.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tools.negative_lifecycle import lifecycle_breaks
from tools.negative_sums import derive_breaks
from tools.ranged import make_ranged, precision_of
from tools.rulespec import scope_rules
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType
from tools.violations import Violation

Apply = Callable[[dict[str, Any]], None]
Explain = Callable[[dict[str, Any], Violation], str]


@dataclass(frozen=True)
class Mutation:
    rule: str  # the validator's rule name this row must break
    path: str  # where, as the validator reports it (first array item for item fields)
    apply: Apply  # raises ValueError (or KeyError, IndexError, TypeError) where it cannot apply
    rederive: bool = True  # recompute derived fields afterwards (not when breaking a derived field)
    explain: Explain | None = None  # the expected error, from the changed row and its one violation


def expected_error(m: Mutation, row: dict[str, Any], found: Violation) -> str:
    """What a correct system should reject the row with: a short sentence naming the fields and values."""
    if m.explain is not None:
        try:
            return m.explain(row, found)
        except (KeyError, IndexError, TypeError, ValueError, ArithmeticError):
            pass  # a value the sentence cannot show: the validator's own words below
    return _plain_error(found)


def mutations(schema: EntitySchema, window: tuple[int, int]) -> list[Mutation]:
    out: list[Mutation] = []
    root = schema.as_object()
    rules = scope_rules(root, schema.name)
    derived = {r.target for r in rules.derives}
    dependents: dict[str, list[str]] = {}  # a present_if condition field -> the fields it governs
    for name, (when, _allowed) in rules.present_if.items():
        dependents.setdefault(when, []).append(name)
    for f in root.fields:
        if f.name in derived:
            continue
        own = _field_mutations(f, f.name, [f.name], window)
        if f.name in dependents:
            # A status that is no status at all governs nothing: its conditional fields go with it, or
            # each would break its present_if rule too.
            own = [replace(m, apply=_then_clear(m.apply, dependents[f.name])) for m in own]
        out.extend(own)
    # A wrong sum is not re-derived afterwards: that would put it right again.
    out.extend(
        Mutation("derive", target, apply, False, explain)
        for target, apply, explain in derive_breaks(root, rules)
    )
    out.extend(
        Mutation(rule, path, apply, explain=explain)
        for rule, path, apply, explain in lifecycle_breaks(root, rules, window)
    )
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
            out.append(Mutation("tax", f.name, _setter([f.name], fits[0]), explain=_tax_explain))
    return out


def _tax_explain(row: dict[str, Any], found: Violation) -> str:
    """The validator's finding without its advice: `tax_rate 0.137: a tax rate of 13.7% is not charged
    in Florida, United States`."""
    finding = re.split(r" \(rates there|; ", found.message)[0]
    return f"reject: {found.path} {row.get(found.path)!r}: {finding}"


# Values well formed for their type but in no list: a currency field checks the form before the list.
_NOT_LISTED = {FieldType.CURRENCY: "XXX", FieldType.COUNTRY: "ZZ"}


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
        out.append(Mutation("enum", path, _setter(keys, _NOT_LISTED.get(f.type, "not_a_valid_value"))))
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


def _then_clear(first: Apply, names: list[str]) -> Apply:
    def apply(row: dict[str, Any]) -> None:
        first(row)
        for name in names:
            row[name] = None

    return apply


# --- the validator's own words -----------------------------------------------------------------------


def _plain_error(found: Violation) -> str:
    """`cart_id: is required but missing or null [required]` -> `reject: cart_id is required but ...`"""
    message = found.message
    if not found.path:
        return f"reject: {message}"
    if re.match(r"(is|has|must|'|\"|-?\d)", message):
        return f"reject: {found.path} {message}"
    return f"reject: {found.path}: {message}"
