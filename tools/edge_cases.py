"""The edge-case catalogue: values that find bugs yet keep every constraint of their field.

Each `EdgeCase` forces one path to one value (or an array to one item count); the engine makes the
rest of the row around it, so derived totals and order rules still hold, and the validator has the
last word: a kind that cannot hold in this schema is dropped, never emitted broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tools.compiler import ItemCount, item_bounds
from tools.ranged import make_ranged
from tools.rulespec import scope_rules
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType


@dataclass(frozen=True)
class EdgeCase:
    label: str  # `price=min`, `name=rtl_text`: what the row exercises
    path: str
    value: Any  # the forced value, or an ItemCount

    @property
    def kind(self) -> str:
        return self.label.split("=", 1)[1]


STRINGS: dict[str, str] = {
    "empty": "",
    "single_char": "x",
    "whitespace_padded": "  padded value  ",
    "unicode_combining": "Zoe\u0308 Ame\u0301lie",
    "rtl_text": "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd \u0645\u0631\u062d\u0628\u0627",
    "emoji": "Great gift \U0001f381\U0001f44d\U0001f3fd",
    "zero_width": "Jo\u200bhn\u200d Smith\ufeff",
    "cjk": "\u6771\u4eac\u90fd\u6e0b\u8c37\u533a",
    "quotes_backslash": 'O\'Brien "the" \\ back\\slash',
    "newline": "line one\nline two",
    "sql_injection": "Robert'); DROP TABLE students;--",
    "html_script": "<script>alert(document.cookie)</script>",
    "format_string": "%s%s%n {0} ${jndi:ldap://x/a} {{7*7}}",
    "path_traversal": "../../../etc/passwd",
}
NAME_STRINGS = {
    "apostrophe_name": "O'Connor",
    "hyphenated_name": "Smith-Jones",
    "diacritics_name": "Zoë Núñez-Ölçer",
}
EMAILS = {
    "plus_address": "qa.tester+edge@example.com",
    "uppercase_email": "Mixed.Case@Example.COM",
    "subdomain_email": "ops@mail.eu.example.co.uk",
    "unicode_local_email": "jos\u00e9.garc\u00eda@example.com",
    "long_local_email": "a" * 64 + "@example.com",
}
TIMES = {
    "leap_day": "2024-02-29T12:00:00Z",
    "midnight": "2025-01-01T00:00:00Z",
    "end_of_day": "2025-06-30T23:59:59Z",
    "dst_start_us": "2025-03-09T07:00:00Z",
    "dst_end_us": "2025-11-02T06:00:00Z",
    "year_end": "2024-12-31T23:59:59Z",
}
FAR = {"far_past": "1970-01-01T00:00:00Z", "far_future": "2099-12-31T23:59:59Z"}
MONEY = {"smallest_unit": 0.01, "float_trap_0.1": 0.1, "float_trap_0.7": 0.7, "zero": 0.0}


def catalogue(schema: EntitySchema, window: tuple[int, int]) -> list[EdgeCase]:
    """Every edge case this schema allows, in schema order."""
    return _object_cases(schema.as_object(), "", window)


def _object_cases(spec: FieldSpec, path: str, window: tuple[int, int]) -> list[EdgeCase]:
    derived = {r.target for r in scope_rules(spec, path or spec.name).derives}
    out: list[EdgeCase] = []
    for f in spec.fields:
        if f.name in derived:
            continue  # derived values get their edges through their inputs
        p = f"{path}.{f.name}" if path else f.name
        out.extend(_field_cases(f, p, window))
    return out


def _field_cases(f: FieldSpec, path: str, window: tuple[int, int]) -> list[EdgeCase]:
    cases: list[EdgeCase] = []
    add = lambda kind, value: cases.append(EdgeCase(f"{path}={kind}", path, value))  # noqa: E731
    if f.unique or f.ref or f.name.endswith("_id"):
        return cases  # ids stay ids: a forced value would repeat a key or point at nothing
    if f.source == "tax_rate":
        return cases  # a rate follows its jurisdiction: any other value is a wrong tax, not an edge
    if f.is_nullable and f.null_rate < 1:
        add("null", None)
    if f.type is FieldType.ARRAY:
        lo, hi = item_bounds(f, path)
        if lo <= 1 <= hi:
            add("single_item", ItemCount(1))
        if hi > 1:
            add("max_items", ItemCount(hi))
        if lo == 0:
            add("empty_array", ItemCount(0))
        items = f.items
        if items is not None and (items.type is FieldType.OBJECT or items.fields):
            cases.extend(_object_cases(items, f"{path}[]", window))
        return cases
    if f.type is FieldType.OBJECT:
        return cases + _object_cases(f, path, window)
    if f.values:
        add("rare_value", _rarest(f))
        return cases
    if f.type in NUMERIC_TYPES:
        cases.extend(_number_cases(f, path, window))
    elif f.type in TEMPORAL_TYPES:
        cases.extend(_time_cases(f, path))
    elif f.type is FieldType.EMAIL or f.source == "email":
        for kind, value in EMAILS.items():
            add(kind, value)
    elif f.type in (FieldType.STRING, FieldType.TEXT) and not f.regex and not f.format and not f.pools_by:
        if f.source in {"first_name", "last_name", "full_name"}:
            for kind, value in NAME_STRINGS.items():
                add(kind, value)
        for kind, value in STRINGS.items():
            add(kind, value)
        if f.max_length:
            add("max_length", ("Lorem ipsum dolor sit amet " * (f.max_length // 10 + 1))[: f.max_length])
        else:
            add("very_long", "A long value " * 400)
    return [c for c in cases if _fits(f, c.value)]


def _rarest(f: FieldSpec) -> Any:
    values = f.values or []
    if not f.weights:
        return values[-1]
    return min(zip(f.weights, range(len(values)), values, strict=False))[2]


def _number_cases(f: FieldSpec, path: str, window: tuple[int, int]) -> list[EdgeCase]:
    r = make_ranged(f, path, window)
    out = [EdgeCase(f"{path}=min", path, r.out(r.lo)), EdgeCase(f"{path}=max", path, r.out(r.hi))]
    if r.hi - r.lo >= 2:
        out.append(EdgeCase(f"{path}=just_above_min", path, r.out(r.lo + 1)))
        out.append(EdgeCase(f"{path}=just_below_max", path, r.out(r.hi - 1)))
    if f.type is FieldType.MONEY:
        out.extend(
            EdgeCase(f"{path}={k}", path, v) for k, v in MONEY.items() if r.lo <= round(v * r.scale) <= r.hi
        )
    elif r.lo <= 0 <= r.hi and r.lo != 0:
        out.append(EdgeCase(f"{path}=zero", path, r.out(0)))
    return out


def _time_cases(f: FieldSpec, path: str) -> list[EdgeCase]:
    values = dict(TIMES)
    if f.min is None:
        values["far_past"] = FAR["far_past"]
    if f.max is None:
        values["far_future"] = FAR["far_future"]
    if f.type is FieldType.DATE:
        values = {k: v[:10] for k, v in values.items() if k not in {"midnight", "end_of_day", "dst_start_us"}}
    if f.format and "%" in f.format:
        return []  # custom formats: the catalogue's ISO values would not fit
    return [EdgeCase(f"{path}={k}", path, v) for k, v in values.items()]


def _fits(f: FieldSpec, value: Any) -> bool:
    if not isinstance(value, str) or f.type in TEMPORAL_TYPES:
        return True
    if f.max_length is not None and len(value) > f.max_length:
        return False
    return not (f.min_length is not None and len(value) < f.min_length)
