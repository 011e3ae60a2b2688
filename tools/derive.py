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
    return [_per_object(d) for d in derivations(spec, path)]


class Derivation:
    """One derive rule: the target, the compiled expression, and how its value is rounded."""

    def __init__(self, spec: FieldSpec, path: str, rule: Any) -> None:
        self.target = rule.target
        field = spec.child(self.target)
        origin = join(path, self.target)
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
        self.fn = expr.fn
        self.integer = field.type is FieldType.INTEGER
        self.digits = precision_of(field)

    def fill(self, objs: list[dict[str, Any]]) -> None:
        """The derived value of every object in a block (columns.py), as `_per_object` makes it."""
        fn, target, integer, digits = self.fn, self.target, self.integer, self.digits
        for obj in objs:
            try:
                value = fn(obj)
            except (TypeError, KeyError, ZeroDivisionError):
                value = None
            if value is not None:
                value = round(value) if integer else round(value + 0.0, digits)
            obj[target] = value


def derivations(spec: FieldSpec, path: str) -> list[Derivation]:
    return [Derivation(spec, path, r) for r in scope_rules(spec, path).derives]


def _per_object(d: Derivation) -> tuple[str, Callable[[dict[str, Any]], Any]]:
    fn, digits = d.fn, d.digits
    if d.integer:
        return d.target, lambda obj: _safe(fn, obj, lambda v: round(v))
    return d.target, lambda obj: _safe(fn, obj, lambda v: round(v + 0.0, digits))


def _safe(fn: Callable[[dict], Any], obj: dict[str, Any], conv: Callable[[Any], Any]) -> Any:
    try:
        value = fn(obj)
    except (TypeError, KeyError, ZeroDivisionError):
        return None
    return None if value is None else conv(value)
