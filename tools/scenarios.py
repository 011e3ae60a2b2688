"""Scenario counts and typed overrides.

Count rule (one rule, documented in the README):
- no scenarios: one scenario named `default` gets `count` rows (count 0 means 10);
- count 0 with scenarios: each scenario gets its own count (a scenario without one gets 10);
- count > 0 with scenarios: explicit scenario counts must not add up to more than count; the rest is
  shared evenly by the scenarios without a count (earlier ones get the odd rows); when every scenario
  has a count, they must add up to count exactly.
"""

from __future__ import annotations

from typing import Any

from tools.compiler import ItemCount
from tools.constraints import typed_value, unknown_field
from tools.errors import InvalidRequest, quoted, shorten
from tools.expressions import compile_expression
from tools.rulespec import scope_rules
from tools.schema import EntitySchema, FieldType, find_field
from tools.validator import check_value

DEFAULT_COUNT = 10


def reconcile_counts(count: int, requested: list[tuple[str, int]]) -> list[int]:
    if count < 0:
        raise InvalidRequest("count", f"must not be negative (got {count})", "send 0 or more")
    for i, (name, n) in enumerate(requested):
        if n < 0:
            raise InvalidRequest(
                f"scenarios[{i}].count", f"scenario {name!r} has a negative count", "send 0 or more"
            )
    if not requested:
        return []
    explicit = sum(n for _, n in requested)
    open_slots = [i for i, (_, n) in enumerate(requested) if n == 0]
    if count == 0:
        return [n or DEFAULT_COUNT for _, n in requested]
    if explicit > count:
        raise InvalidRequest(
            "scenarios",
            f"scenario counts add up to {explicit}, more than count {count}",
            f"set count to {explicit} (or 0), or lower the scenario counts",
        )
    if not open_slots:
        if explicit != count:
            raise InvalidRequest(
                "scenarios",
                f"scenario counts add up to {explicit} but count is {count}",
                f"set count to {explicit} or 0, or leave one scenario's count at 0 to take the rest",
            )
        return [n for _, n in requested]
    rest = count - explicit
    share, odd = divmod(rest, len(open_slots))
    out = [n for _, n in requested]
    for k, i in enumerate(open_slots):
        out[i] = share + (1 if k < odd else 0)
    return out


def typed_overrides(
    schema: EntitySchema, overrides: dict[str, str], where: str, count: int = 1
) -> dict[str, Any]:
    """`{"items[].quantity": "2", "currency": "EUR", "items": "1"}` -> typed values, each checked."""
    out: dict[str, Any] = {}
    derived = _derived_paths(schema)
    for key, text in sorted(overrides.items()):
        path = key.strip().replace(".[]", "[]")
        at = f"{where}.overrides[{shorten(key, 60)}]"
        spec = find_field(schema, path)
        if spec is None:
            raise unknown_field(schema, path, at)
        if spec.unique and count > 1:
            raise InvalidRequest(
                at, f"{path} is unique; one value cannot fill {count} rows", "drop the override"
            )
        if path.replace("[]", "") in derived:
            raise InvalidRequest(
                at, f"{path} is computed from other fields", "override the fields it is derived from"
            )
        if spec.type is FieldType.ARRAY and text.strip().isdigit():
            out[path] = _item_count(spec, int(text), at)
            continue
        value = typed_value(spec, text, at)
        if value is None and path in _required_inputs(schema):
            raise InvalidRequest(
                at, f"{path} is null, but a required field is computed from it",
                "send a value, or leave the field to the engine",
            )  # fmt: skip
        problems = check_value(spec, value, path)
        if problems:
            raise InvalidRequest(
                at,
                f"{quoted(text)} breaks {problems[0].rule}: {shorten(problems[0].message)}",
                "send a value inside the field's constraints",
            )
        out[path] = value
    return out


def _item_count(spec: Any, n: int, at: str) -> ItemCount:
    lo = spec.min_items if spec.min_items is not None else 0
    hi = spec.max_items
    if n < lo or (hi is not None and n > hi):
        raise InvalidRequest(
            at,
            f"{n} items is outside {lo}..{hi if hi is not None else 'any'}",
            "send an item count inside the bounds",
        )
    return ItemCount(n)


def _required_inputs(schema: EntitySchema) -> set[str]:
    """Top-level fields a required derived field is computed from (cart.tax from tax_rate)."""
    fields = {f.name: f for f in schema.fields}
    out: set[str] = set()
    for rule in scope_rules(schema.as_object(), schema.name).derives:
        target = fields.get(rule.target)
        if target is not None and target.required and not target.nullable:
            out |= compile_expression(rule.expression, rule.target).names & fields.keys()
    return out


def _derived_paths(schema: EntitySchema) -> set[str]:
    return {r.target for r in scope_rules(schema.as_object(), schema.name).derives}
