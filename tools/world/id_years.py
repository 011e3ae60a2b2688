"""Ids carry the year of their own record (`ORD-2024-...` for an order placed in 2024), not the year
the data is seen at: a template's `{year}` is filled from the record's time field.

The record's time is its creation instant, found by name (`created_at`, `timestamp`, ...); a field the
request or a dataset link fixes (a payment's `order_id`, copied from its order) keeps its value.
"""

from __future__ import annotations

from typing import Any

from tools.errors import InvalidRequest
from tools.patterns import parse_template
from tools.schema import TEMPORAL_TYPES, FieldSpec, FieldType

# The names a record's creation time goes by, most telling first.
RECORD_TIMES = (
    "created_at", "timestamp", "placed_at", "ordered_at", "purchased_at", "requested_at", "issued_at",
    "submitted_at", "enrolled_at", "started_at", "registration_date", "ship_date", "added_at",
    "occurred_at", "event_time",
)  # fmt: skip

YearFields = list[tuple[str, tuple[int, ...]]]


def record_time(spec: FieldSpec) -> str | None:
    """The object's creation-time field: a date or datetime written ISO (no strftime format)."""
    by_name = {f.name: f for f in spec.fields}
    for name in RECORD_TIMES:
        f = by_name.get(name)
        if f is not None and f.type in TEMPORAL_TYPES and not (f.format and "%" in f.format):
            return name
    return None


def year_fields(spec: FieldSpec, skip: set[str]) -> YearFields:
    """(field, where its {year}s start) for the object's id templates with a year, except `skip`."""
    out: YearFields = []
    for f in spec.fields:
        if f.name in skip or not f.format or "{year}" not in f.format:
            continue
        if f.type is not FieldType.PATTERN and not (f.type is FieldType.STRING and "{" in f.format):
            continue
        try:
            years = parse_template(f.format, 2000, f.name).years
        except InvalidRequest:
            continue  # a bad template is reported where its maker is compiled
        if years:
            out.append((f.name, years))
    return out


def stamp(value: Any, time: Any, starts: tuple[int, ...]) -> Any:
    """`value` with the year of `time` (ISO text) at each of `starts`; unchanged when either is absent."""
    if not isinstance(value, str) or not isinstance(time, str) or len(time) < 10 or time[4] != "-":
        return value
    year = time[:4]
    for at in starts:
        if at + 4 <= len(value):
            value = value[:at] + year + value[at + 4 :]
    return value
