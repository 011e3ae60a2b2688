"""The validator: every violation of schema, constraints and rules, each with its JSON path.

Compiled once per schema into nested closures, so checking a row costs about as much as making it.
The engine runs it on every row before the row leaves; agent tools and tests call it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.checks import str_check, type_check
from tools.compiler import item_bounds
from tools.regexgen import compile_regex
from tools.rule_checks import rule_checks
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType
from tools.temporal import REFERENCE_TIME, default_window
from tools.violations import Out, ValueCheck, Violation, Where, render

__all__ = ["META_KEYS", "Violation", "check_value", "compile_validator", "field_check", "validate_rows"]


META_KEYS = frozenset({"_scenario", "_index", "_edge_case", "_violates"})


def compile_validator(
    schema: EntitySchema, window: tuple[int, int] | None = None, year: int = REFERENCE_TIME.year
) -> Callable[[dict[str, Any]], list[Violation]]:
    check = _object_check(schema.as_object(), window or default_window(), year, root=True)

    def validate(row: dict[str, Any]) -> list[Violation]:
        out: Out = []
        check(row, "", out)
        return out

    return validate


def validate_rows(schema: EntitySchema, rows: list[dict[str, Any]]) -> list[Violation]:
    """Every violation in `rows`, including duplicates of unique top-level fields."""
    validate = compile_validator(schema)
    out: Out = []
    seen: dict[str, set[Any]] = {f.name: set() for f in schema.fields if f.unique}
    for i, row in enumerate(rows):
        out.extend(
            Violation(f"[{i}].{v.path}" if v.path else f"[{i}]", v.rule, v.message) for v in validate(row)
        )
        for name, values in seen.items():
            value = row.get(name)
            if value is not None and value in values:
                out.append(Violation(f"[{i}].{name}", "unique", f"{value!r} appears in an earlier row"))
            values.add(value)
    return out


def check_value(spec: FieldSpec, value: Any, path: str) -> list[Violation]:
    """Violations of one field's own constraints by `value` (no cross-field rules)."""
    out: Out = []
    field_check(spec, default_window(), REFERENCE_TIME.year)(value, path, out)
    return out


def field_check(spec: FieldSpec, window: tuple[int, int], year: int) -> ValueCheck:
    if spec.type not in (FieldType.OBJECT, FieldType.ARRAY):
        return _leaf_check(spec, window, year)
    nullable = spec.is_nullable
    if spec.type is FieldType.OBJECT:
        inner = _object_check(spec, window, year, root=False)
    else:
        inner = _array_check(spec, window, year)

    def check(value: Any, path: Where, out: Out) -> None:
        if value is None:
            if not nullable:
                out.append(Violation(render(path), "required", "is required but missing or null"))
            return
        inner(value, path, out)

    return check


def _report(path: Where, out: Out, rule: str, message: str) -> None:
    out.append(Violation(render(path), rule, message))


def _missing(nullable: bool, path: Where, out: Out) -> None:
    if not nullable:
        out.append(Violation(render(path), "required", "is required but missing or null"))


def _leaf_check(spec: FieldSpec, window: tuple[int, int], year: int) -> ValueCheck:
    """A leaf's checks in one closure (null-ness included): the validator's hot path."""
    nullable = spec.is_nullable
    base = type_check(spec, spec.name, window, year)
    allowed = None
    if spec.values:
        allowed = frozenset(str(v) if isinstance(v, list | dict) else v for v in spec.values)
    regex = compile_regex(spec.regex, spec.name) if spec.regex else None
    lo, hi = spec.min_length, spec.max_length
    measured = spec.type not in NUMERIC_TYPES and spec.type not in TEMPORAL_TYPES
    plain = allowed is None and regex is None and lo is None and hi is None

    if plain and base is str_check:
        # The common case (names, ids, free text): one type test, nothing else.
        def check_str(value: Any, path: Where, out: Out) -> None:
            if type(value) is not str:
                if value is None:
                    _missing(nullable, path, out)
                else:
                    _report(path, out, "type", f"expected a string, got {type(value).__name__}")

        return check_str

    if plain:

        def check_plain(value: Any, path: Where, out: Out) -> None:
            if value is None:
                _missing(nullable, path, out)
                return
            problem = base(value)
            if problem is not None:
                _report(path, out, problem[0], problem[1])

        return check_plain

    def check(value: Any, path: Where, out: Out) -> None:
        if value is None:
            _missing(nullable, path, out)
            return
        problem = base(value)
        if problem is not None:
            _report(path, out, problem[0], problem[1])
            return
        if allowed is not None and value not in allowed:
            _report(path, out, "enum", f"{value!r} is not one of {sorted(map(str, allowed))}")
        if measured and isinstance(value, str):
            if lo is not None and len(value) < lo:
                _report(path, out, "min_length", f"has {len(value)} characters, fewer than {lo}")
            if hi is not None and len(value) > hi:
                _report(path, out, "max_length", f"has {len(value)} characters, more than {hi}")
            if regex is not None and not regex.fullmatch(value):
                _report(path, out, "regex", f"{value!r} does not match {regex.pattern!r}")

    return check


def _array_check(spec: FieldSpec, window: tuple[int, int], year: int) -> ValueCheck:
    lo, hi = item_bounds(spec, spec.name)
    explicit_lo, explicit_hi = spec.min_items is not None, spec.max_items is not None
    item = field_check(spec.items or FieldSpec(name="items[]", type=FieldType.STRING), window, year)

    def check(value: Any, path: Where, out: Out) -> None:
        if type(value) is not list:
            out.append(Violation(render(path), "type", f"expected an array, got {type(value).__name__}"))
            return
        if explicit_lo and len(value) < lo:
            out.append(Violation(render(path), "min_items", f"has {len(value)} items, fewer than {lo}"))
        if explicit_hi and len(value) > hi:
            out.append(Violation(render(path), "max_items", f"has {len(value)} items, more than {hi}"))
        for i, v in enumerate(value):
            item(v, (path, i), out)

    return check


def _object_check(spec: FieldSpec, window: tuple[int, int], year: int, root: bool) -> ValueCheck:
    fields = [(f.name, field_check(f, window, year)) for f in spec.fields]
    known = frozenset(f.name for f in spec.fields) | (META_KEYS if root else frozenset())
    rules = rule_checks(spec, window)

    def check(value: Any, path: Where, out: Out) -> None:
        if type(value) is not dict:
            out.append(Violation(render(path), "type", f"expected an object, got {type(value).__name__}"))
            return
        get = value.get
        for name, fcheck in fields:
            fcheck(get(name), (path, name), out)
        if len(value) > len(fields):
            for key in value:
                if key not in known:
                    out.append(
                        Violation(render((path, key)), "unknown_field", "is not a field of this schema")
                    )
        for rule in rules:
            rule(value, path, out)

    return check
