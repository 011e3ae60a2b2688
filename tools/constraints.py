"""Request constraints and scenario overrides, applied to a schema copy and checked up front.

A request's constraints replace the registry's bounds for that request only (the schema is copied;
the registry never changes). Every contradiction is found here, before a single row is made, and
reported with the field path and the fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tools.errors import InvalidRequest, close_names, quoted, shorten
from tools.ranged import make_ranged
from tools.regexgen import check_regex_fits, compile_regex
from tools.schema import (
    NUMERIC_TYPES,
    TEMPORAL_TYPES,
    EntitySchema,
    FieldSpec,
    FieldType,
    field_paths,
    find_field,
)
from tools.temporal import default_window


@dataclass
class FieldConstraint:
    """The contract's FieldConstraint, as plain data."""

    min: float | None = None
    max: float | None = None
    enum_values: list[str] = field(default_factory=list)
    regex: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    format: str | None = None


def unknown_field(schema: EntitySchema, path: str, where: str) -> InvalidRequest:
    paths = field_paths(schema.as_object())
    close = close_names(path, paths)
    known = shorten(", ".join(paths[:40]), 600)
    fix = f"did you mean {', '.join(close)}?" if close else f"fields are: {known}"
    return InvalidRequest(where, f"{schema.name} has no field {quoted(path)}", fix)


def apply_constraints(schema: EntitySchema, constraints: dict[str, FieldConstraint]) -> EntitySchema:
    if not constraints:
        return schema
    out = schema.model_copy(deep=True)
    for path, c in sorted(constraints.items()):
        where = f"constraints.field_constraints[{shorten(path, 60)}]"
        spec = find_field(out, path)
        if spec is None:
            raise unknown_field(out, path, where)
        _apply_one(spec, c, where)
    return out


def _apply_one(spec: FieldSpec, c: FieldConstraint, where: str) -> None:
    if c.min is not None and c.max is not None and c.min > c.max:
        raise InvalidRequest(
            where, f"min ({c.min:g}) is greater than max ({c.max:g})", "swap them or widen the range"
        )
    if c.min_length is not None and c.max_length is not None and c.min_length > c.max_length:
        raise InvalidRequest(
            where, f"min_length ({c.min_length}) is greater than max_length ({c.max_length})", "swap them"
        )
    for key in ("min_length", "max_length"):
        if getattr(c, key) is not None and getattr(c, key) < 0:
            raise InvalidRequest(f"{where}.{key}", "must not be negative", "send 0 or more")
    if c.min is not None or c.max is not None:
        if spec.type not in NUMERIC_TYPES and spec.type not in TEMPORAL_TYPES:
            raise InvalidRequest(
                where, f"min/max need a number or date field; {spec.name} is {spec.type}", ""
            )
        # For date fields the contract's double min/max are epoch seconds; ranged.py reads both.
        spec.min = float(c.min) if c.min is not None else spec.min
        spec.max = float(c.max) if c.max is not None else spec.max
        spec.pool = spec.pool_weights = None  # a tighter range replaces the typical-value pool
        _check_range(spec, where)
        make_ranged(spec, where, default_window())  # dates past year 9999, subnormal floats: up front
    for key, text in [("regex", c.regex), ("format", c.format)] + [("enum_values", v) for v in c.enum_values]:
        if text is not None and "\x00" in text:
            raise InvalidRequest(f"{where}.{key}", "holds a NUL character (\\x00)", "remove it")
    if c.enum_values:
        spec.values = [typed_value(spec, v, f"{where}.enum_values") for v in c.enum_values]
        spec.weights = None
        # Asked for by name: the locale does not narrow it to its own (tools/world/localise.py).
        spec.pool, spec.pool_weights = list(spec.values), None
    if c.regex is not None:
        compile_regex(c.regex, f"{where}.regex")
        spec.regex = c.regex
        spec.source, spec.pool, spec.pool_weights, spec.pools_by = None, None, None, None
    if c.min_length is not None:
        spec.min_length = c.min_length
    if c.max_length is not None:
        spec.max_length = c.max_length
    if c.format:
        _apply_format(spec, c.format, f"{where}.format")
    _check_lengths(spec, where)


# Named formats a client may put on a string field, and the type that generates and checks them.
NAMED_FORMATS = {
    "email": FieldType.EMAIL, "uuid": FieldType.UUID, "url": FieldType.URL, "uri": FieldType.URL,
    "ipv4": FieldType.IP, "ipv6": FieldType.IP, "ip": FieldType.IP, "phone": FieldType.PHONE,
    "date": FieldType.DATE, "date-time": FieldType.DATETIME, "datetime": FieldType.DATETIME,
    "country": FieldType.COUNTRY, "currency": FieldType.CURRENCY,
}  # fmt: skip


def _apply_format(spec: FieldSpec, fmt: str, where: str) -> None:
    name = fmt.strip().lower()
    if spec.type in TEMPORAL_TYPES and "%" in fmt:
        spec.format = fmt  # a strftime pattern for this date field
        return
    if "{" in fmt and spec.type in (FieldType.STRING, FieldType.PATTERN):
        spec.type, spec.format = FieldType.PATTERN, fmt  # an id template such as "ID-{digits:6}"
        spec.source, spec.pool, spec.pool_weights, spec.pools_by = None, None, None, None
        return
    target = NAMED_FORMATS.get(name)
    if target is None or spec.type not in (FieldType.STRING, FieldType.TEXT, target):
        known = ", ".join(sorted(NAMED_FORMATS))
        raise InvalidRequest(
            where, f"format {fmt!r} does not apply to a {spec.type.value} field",
            f"use one of {known}, an id template like ID-{{digits:6}}, or a strftime pattern for dates",
        )  # fmt: skip
    spec.type = target
    spec.format = "ipv6" if name == "ipv6" else None
    spec.source, spec.pool, spec.pool_weights, spec.pools_by = None, None, None, None


def _check_range(spec: FieldSpec, where: str) -> None:
    if spec.min is None or spec.max is None:
        return
    try:
        lo, hi = float(spec.min), float(spec.max)
    except (TypeError, ValueError):
        return
    if lo > hi:
        raise InvalidRequest(
            where, f"min ({lo:g}) is greater than max ({hi:g})", "swap them or widen the range"
        )


def _check_lengths(spec: FieldSpec, where: str) -> None:
    lo, hi = spec.min_length, spec.max_length
    if lo is not None and hi is not None and lo > hi:
        raise InvalidRequest(where, f"min_length ({lo}) is greater than max_length ({hi})", "swap them")
    if spec.regex:
        check_regex_fits(spec.regex, lo, hi, where)


_TRUE = {"true", "1", "yes", "y", "on"}
_FALSE = {"false", "0", "no", "n", "off"}


def typed_value(spec: FieldSpec, text: Any, where: str) -> Any:
    """A client's string value converted to the field's type ("5" -> 5 for an integer field)."""
    if not isinstance(text, str):
        return text
    t = spec.type
    raw = text.strip()
    try:
        if raw.lower() == "null":
            if not spec.is_nullable:
                raise InvalidRequest(where, f"{spec.name} is required and cannot be null", "send a value")
            return None
        if t is FieldType.INTEGER:
            return int(raw)
        if t in (FieldType.FLOAT, FieldType.MONEY):
            return float(raw)
        if t is FieldType.BOOLEAN:
            if raw.lower() in _TRUE | _FALSE:
                return raw.lower() in _TRUE
            raise ValueError
        if t in (FieldType.OBJECT, FieldType.ARRAY) or (t is FieldType.ADDRESS and raw.startswith("{")):
            return json.loads(raw)
    except (ValueError, json.JSONDecodeError, RecursionError):  # "[[[[..." thousands deep is not a value
        article = "an" if t.value[0] in "aeiou" else "a"
        kind = {FieldType.BOOLEAN: "true or false"}.get(t, f"{article} {t.value} value")
        raise InvalidRequest(where, f"{quoted(text)} is not {kind}", f"send {kind} for {spec.name}") from None
    return text
