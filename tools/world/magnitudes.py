"""A schema's money in the magnitude of its rows' currency (prices.py): where the locale's currency
is the yen, every money field of an entity that carries that currency has its bounds, typical range
and pool in yen, whole yen (precision 0), and lists catalogue products at yen price points."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from tools.expressions import compile_expression
from tools.schema import DeriveRule, EntitySchema, FieldSpec, FieldType
from tools.world.prices import DIGITS, SCALE, scaled_amount


def _scaled(spec: FieldSpec, currency: str, keep: frozenset[str] = frozenset()) -> FieldSpec:
    update: dict[str, Any] = {}
    if spec.type is FieldType.MONEY and spec.name not in keep:
        amount = partial(scaled_amount, currency=currency)
        update["currency"] = currency
        update["precision"] = DIGITS.get(currency, spec.precision)
        for key in ("min", "max"):
            value = getattr(spec, key)
            if isinstance(value, int | float):
                update[key] = amount(float(value))
        # Distribution parameters scale exactly: a range that whole yen would collapse stays a range.
        scale = SCALE[currency]
        if spec.typical:
            update["typical"] = [v * scale for v in spec.typical]
        if spec.typical_by is not None:
            ranges = {k: [v * scale for v in r] for k, r in spec.typical_by.ranges.items()}
            update["typical_by"] = spec.typical_by.model_copy(update={"ranges": ranges})
        if spec.values:
            update["values"] = _amounts(spec.values, amount)
        if spec.pool:
            update["pool"] = _amounts(spec.pool, amount)
        if spec.pools_by is not None:
            pools = {k: _amounts(v, amount) for k, v in spec.pools_by.pools.items()}
            update["pools_by"] = spec.pools_by.model_copy(update={"pools": pools})
    if spec.fields:
        update["fields"] = [_scaled(f, currency) for f in spec.fields]
    if spec.items is not None:
        update["items"] = _scaled(spec.items, currency)
    return spec.model_copy(update=update) if update else spec


def _amounts(values: list[Any], amount: Callable[[float], float]) -> list[Any]:
    return [amount(float(v)) if isinstance(v, int | float) and not isinstance(v, bool) else v for v in values]


def in_currency(schema: EntitySchema, currency: str, rows_are: bool = False) -> EntitySchema:
    """`schema` with its amounts in `currency`, the locale's, when its magnitude differs from the
    dollar's: every entity of that world pays in it (an order item copies its order's yen prices),
    unless the entity's own currency field was asked for another (a constraint), or `rows_are` says a
    record is in it. A money field that a derived count reads (loyalty points per dollar of lifetime
    value) keeps its dollars, as its description says."""
    if currency not in SCALE:
        return schema
    marker = next((f for f in schema.fields if f.type is FieldType.CURRENCY or f.name == "currency"), None)
    if marker is not None and marker.pool not in (None, [currency]) and not rows_are:
        return schema  # the request asked for its own currency: amounts stay as declared
    keep = _counted(schema)
    return schema.model_copy(update={"fields": [_scaled(f, currency, keep) for f in schema.fields]})


def _counted(schema: EntitySchema) -> frozenset[str]:
    """Money fields a derive rule turns into something other than money (points per dollar)."""
    money = {f.name for f in schema.fields if f.type is FieldType.MONEY}
    kinds = {f.name: f.type for f in schema.fields}
    out: set[str] = set()
    for rule in schema.rules:
        if isinstance(rule, DeriveRule) and kinds.get(rule.target) is not FieldType.MONEY:
            out |= money & compile_expression(rule.expression, rule.target).names
    return frozenset(out)
