"""The longest a row of a schema can be, in characters, worked out before any row is made.

Per-value caps (1,000 items, 100,000 characters) still multiply: an array of 1,000 texts of 100,000
characters is 100 MB per row. A request whose worst row passes MAX_ROW_CHARS is refused up front.
"""

from __future__ import annotations

from tools.compiler import item_bounds
from tools.errors import MAX_STRING_LENGTH, InvalidRequest, LimitExceeded
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType

MAX_ROW_CHARS = 1_000_000
_TEXT = {"paragraph": 1200, "sentence": 300, "user_agent": 200}  # longest pooled values, roughly
_DEFAULT_TEXT = 120
_EDGE_TEXT = 5200  # the edge-case catalogue's longest string ("very_long")


def worst_chars(spec: FieldSpec) -> int:
    t = spec.type
    name = len(spec.name) + 4
    if t is FieldType.OBJECT:
        return name + sum(worst_chars(f) for f in spec.fields) + 2
    if t is FieldType.ARRAY:
        _, items = item_bounds(spec, spec.name)  # refuses more than MAX_ITEMS with its own message
        item = spec.items or FieldSpec(name="items[]", type=FieldType.STRING)
        return name + items * (worst_chars(item) + 1)
    if t in NUMERIC_TYPES or t in TEMPORAL_TYPES or t is FieldType.BOOLEAN:
        return name + 32
    if t is FieldType.ADDRESS:
        return name + 240
    if (spec.min_length or 0) > MAX_STRING_LENGTH:
        raise InvalidRequest(
            spec.name,
            f"min_length {spec.min_length:,} is above the limit of {MAX_STRING_LENGTH:,} characters",
            "",
        )
    if spec.max_length is not None:
        return name + spec.max_length
    if spec.values or spec.pool:
        return name + max(len(str(v)) for v in (spec.values or spec.pool or [""])) + 2
    return name + max(_TEXT.get(spec.source or "", _DEFAULT_TEXT), _EDGE_TEXT, (spec.min_length or 0) * 2)


def check_row_size(schema: EntitySchema) -> None:
    worst = sum(worst_chars(f) for f in schema.fields)
    if worst > MAX_ROW_CHARS:
        raise LimitExceeded(
            "schema",
            f"a {schema.name} row can reach {worst:,} characters; the limit is {MAX_ROW_CHARS:,}",
            "lower max_items or max_length",
        )
