"""The instant the data describes (`as_of`): what the registry's fixed dates mean when it moves.

The registry's entities were written as of the reference instant (tools/temporal.REFERENCE_TIME):
`registration_date` up to two weeks before it, shoppers born up to 18 years before it. Those bounds are
relative, so a request seen at another instant gets them moved by whole days (a customer is still 18).
A schema sent with the request keeps its bounds exactly: its dates are the client's.
"""

from __future__ import annotations

from tools.schema import TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType
from tools.temporal import DAY, REFERENCE_SECONDS, datetime_text, day_text, parse_datetime


def shift_days(as_of: int) -> int:
    """Whole days from the reference instant to `as_of` (dates move by days, so weekdays may not)."""
    return (as_of - REFERENCE_SECONDS) // DAY


def as_seen_at(schema: EntitySchema, as_of: int) -> EntitySchema:
    """A registry schema with its date bounds moved to `as_of` (the same schema at the reference)."""
    days = shift_days(as_of)
    if not days:
        return schema
    fields = [_shifted(f, days) for f in schema.fields]
    if all(a is b for a, b in zip(fields, schema.fields, strict=True)):
        return schema
    return schema.model_copy(update={"fields": fields})


def _shifted(spec: FieldSpec, days: int) -> FieldSpec:
    update: dict[str, object] = {}
    if spec.type in TEMPORAL_TYPES:
        for key in ("min", "max"):
            value = getattr(spec, key)
            if isinstance(value, str) and value:
                update[key] = _move(value, days, spec.type)
    if spec.fields:
        moved = [_shifted(f, days) for f in spec.fields]
        if any(a is not b for a, b in zip(moved, spec.fields, strict=True)):
            update["fields"] = moved
    if spec.items is not None:
        item = _shifted(spec.items, days)
        if item is not spec.items:
            update["items"] = item
    return spec.model_copy(update=update) if update else spec


def _move(value: str, days: int, kind: FieldType) -> str:
    seconds = parse_datetime(value) + days * DAY
    if kind is FieldType.DATE or len(value) == 10:
        return day_text(seconds // DAY)
    return datetime_text(seconds)
