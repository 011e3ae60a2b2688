"""Checks of cross-field rules (derived values, order, conditional presence) for the validator."""

from __future__ import annotations

from typing import Any

from tools.expressions import compile_expression
from tools.ranged import make_ranged, precision_of
from tools.rulespec import scope_rules
from tools.schema import NUMERIC_TYPES, FieldSpec, FieldType
from tools.violations import Out, ValueCheck, Violation, Where, render
from tools.world.money import tax_problem


def rule_checks(spec: FieldSpec, window: tuple[int, int]) -> list[ValueCheck]:
    rules = scope_rules(spec, spec.name)
    checks: list[ValueCheck] = []
    for d in rules.derives:
        checks.append(_derive_check(spec, d.target, d.expression))
    for o in rules.orders:
        checks.append(_order_check(spec, o.order, o.describe(), window))
    for name, (when, allowed) in rules.present_if.items():
        checks.append(_present_check(name, when, allowed))
    checks.extend(_tax_check(f.name) for f in spec.fields if f.source == "tax_rate")
    return checks


def _tax_check(rate_field: str) -> ValueCheck:
    """The rate is one charged where the row is taxed (tools/world/money.py)."""

    def check(obj: dict[str, Any], path: Where, out: Out) -> None:
        problem = tax_problem(obj, rate_field)
        if problem is not None:
            out.append(Violation(render((path, problem[0])), "tax", problem[1]))

    return check


def _derive_check(spec: FieldSpec, target: str, expression: str) -> ValueCheck:
    field = spec.child(target)
    assert field is not None
    fn = compile_expression(expression, target).fn
    integer = field.type is FieldType.INTEGER
    digits = precision_of(field)
    tolerance = 0.5 if integer else 0.5 * 10**-digits

    def check(obj: dict[str, Any], path: Where, out: Out) -> None:
        try:
            expected = fn(obj)
            actual = obj.get(target)
            if expected is None or isinstance(actual, bool) or not isinstance(actual, int | float):
                return
            expected = round(expected) if integer else round(expected, digits)
        except (TypeError, KeyError, ZeroDivisionError):
            return  # the inputs are missing or mistyped; their own checks report that
        except (ArithmeticError, ValueError):  # an input past int64, inf or NaN: no value can match
            out.append(Violation(render((path, target)), "derive", f"{expression} cannot be computed"))
            return
        if abs(actual - expected) >= tolerance - 1e-12:
            out.append(
                Violation(render((path, target)), "derive", f"is {actual!r} but {expression} = {expected!r}")
            )

    return check


def _order_check(spec: FieldSpec, names: list[str], label: str, window: tuple[int, int]) -> ValueCheck:
    keys = []
    fields = [spec.child(n) for n in names]
    for n, f in zip(names, fields, strict=True):
        assert f is not None
        r = make_ranged(f, n, window)
        unit = 86400 if f.type is FieldType.DATE else (1 / r.scale if f.type in NUMERIC_TYPES else 1)
        keys.append((n, r.raw_of, unit))
    if all(f is not None and f.type is FieldType.DATETIME and not f.format for f in fields):
        return _iso_order_check(names, label)

    def check(obj: dict[str, Any], path: Where, out: Out) -> None:
        prev_name, prev = None, None
        for name, raw_of, unit in keys:
            value = obj.get(name)
            if value is None:
                continue
            try:
                cur = raw_of(value) * unit
            except (ValueError, TypeError, OverflowError):
                return  # a malformed value is reported by its own check
            if prev is not None and cur < prev:
                out.append(
                    Violation(render((path, name)), "order", f"{value!r} is before {prev_name} ({label})")
                )
            prev_name, prev = name, cur

    return check


def _iso_order_check(names: list[str], label: str) -> ValueCheck:
    """Datetimes in the engine's ISO form sort as text: no parsing on the hot path. A value not in
    that form stops the check; the field's own check reports it."""

    def check(obj: dict[str, Any], path: Where, out: Out) -> None:
        prev_name, prev = None, None
        for name in names:
            value = obj.get(name)
            if value is None:
                continue
            if type(value) is not str or len(value) != 20 or value[-1] != "Z":
                return
            if prev is not None and value < prev:
                out.append(
                    Violation(render((path, name)), "order", f"{value!r} is before {prev_name} ({label})")
                )
            prev_name, prev = name, value

    return check


def _present_check(name: str, when: str, allowed: frozenset[Any]) -> ValueCheck:
    def check(obj: dict[str, Any], path: Where, out: Out) -> None:
        cond = obj.get(when)
        try:
            should = cond in allowed
        except TypeError:
            return
        has = obj.get(name) is not None
        if has and not should:
            out.append(
                Violation(
                    render((path, name)),
                    "present_if",
                    f"must be null unless {when} is one of {sorted(map(str, allowed))}",
                )
            )
        elif should and not has:
            out.append(Violation(render((path, name)), "present_if", f"is required when {when} is {cond!r}"))

    return check
