"""Derived fields (`total = subtotal + tax`), compiled to functions of the object they live in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.chains import join
from tools.errors import InvalidRequest
from tools.expressions import compile_expression
from tools.ranged import precision_of
from tools.rulespec import scope_rules
from tools.schema import FieldSpec, FieldType


def compile_derives(spec: FieldSpec, path: str) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
    """The object's derive rules as (target, fn(obj) -> value), in the order they are listed."""
    return [_derive_step(spec, path, r) for r in scope_rules(spec, path).derives]


def _derive_step(spec: FieldSpec, path: str, rule: Any) -> tuple[str, Callable[[dict[str, Any]], Any]]:
    target = rule.target
    field = spec.child(target)
    origin = join(path, target)
    if field is None:
        raise InvalidRequest(
            origin, "a derive rule names a field the object lacks", "add the field or fix the rule"
        )
    expr = compile_expression(rule.expression, origin)
    missing = [n for n in expr.names if spec.child(n) is None]
    if missing:
        raise InvalidRequest(
            origin, f"the rule reads unknown fields {', '.join(sorted(missing))}", "fix the rule"
        )
    fn = expr.fn
    if field.type is FieldType.INTEGER:
        return target, lambda obj: _safe(fn, obj, lambda v: round(v))
    digits = precision_of(field)
    return target, lambda obj: _safe(fn, obj, lambda v: round(v + 0.0, digits))


def _safe(fn: Callable[[dict], Any], obj: dict[str, Any], conv: Callable[[Any], Any]) -> Any:
    try:
        value = fn(obj)
    except (TypeError, KeyError, ZeroDivisionError):
        return None
    return None if value is None else conv(value)
