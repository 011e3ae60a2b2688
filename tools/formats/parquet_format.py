"""Rows as Arrow tables with typed columns from the schema, for Parquet files (service/cli_parquet.py).

Numbers are int64 or float64, booleans bool, dates date32 and timestamps timestamp[us, UTC] (where the
schema gives no text format of its own), objects and addresses structs, arrays lists, everything else
strings. Negative rows break types on purpose (a word in an integer field), so a negative job's fields
are written as their JSON text instead; `_violates` is always JSON text. Parquet is for files only:
the RPCs carry text (tools/formats/base.py FORMATS) and refuse it.
"""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa

from tools.pools import ADDRESS_KEYS
from tools.schema import EntitySchema, FieldSpec, FieldType

META_TYPES = {
    "_scenario": pa.string(),
    "_index": pa.int64(),
    "_edge_case": pa.string(),
    "_violates": pa.string(),
}
TIMESTAMP = pa.timestamp("us", tz="UTC")


def arrow_type(spec: FieldSpec) -> pa.DataType:
    t = spec.type
    if t is FieldType.INTEGER:
        return pa.int64()
    if t in (FieldType.FLOAT, FieldType.MONEY):
        return pa.float64()
    if t is FieldType.BOOLEAN:
        return pa.bool_()
    if t is FieldType.DATE and not spec.format:
        return pa.date32()
    if t is FieldType.DATETIME and not spec.format:
        return TIMESTAMP
    if t is FieldType.ARRAY:
        item = spec.items or FieldSpec(name="items[]", type=FieldType.STRING)
        return pa.list_(arrow_type(item))
    if spec.fields:
        return pa.struct([pa.field(f.name, arrow_type(f)) for f in spec.fields])
    if t is FieldType.ADDRESS and spec.format != "single_line":
        return pa.struct([pa.field(k, pa.string()) for k in ADDRESS_KEYS])
    if t is FieldType.OBJECT:
        return pa.string()  # an object with no fields declared: its JSON text
    if t is FieldType.ENUM and spec.values and not all(isinstance(v, str) for v in spec.values):
        return pa.string()  # mixed or numeric enum values: their JSON text
    return pa.string()


def arrow_schema(schema: EntitySchema, columns: list[str], negative: bool) -> pa.Schema:
    fields = {f.name: f for f in schema.fields}
    out = []
    for name in columns:
        if name in META_TYPES:
            out.append(pa.field(name, META_TYPES[name]))
        else:
            out.append(pa.field(name, pa.string() if negative else arrow_type(fields[name])))
    return pa.schema(out)


def to_table(
    rows: list[dict[str, Any]], schema: pa.Schema, as_text: set[str], loose: frozenset[str] = frozenset()
) -> pa.Table:
    """The rows as a table of `schema`; the columns in `as_text` hold each value's JSON text; in the
    `loose` ones (`loose_columns`), any value at a string position that is not a string, however deep,
    its JSON text too."""
    arrays = []
    for field in schema:
        values = [r.get(field.name) for r in rows]
        if field.name in as_text:
            values = [None if v is None else orjson.dumps(v).decode() for v in values]
        elif field.name in loose:  # walked value by value: only where the schema needs it
            values = [_fit(v, field.type) for v in values]
        arrays.append(_array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def loose_columns(schema: EntitySchema, columns: list[str]) -> frozenset[str]:
    """Columns with a string position that can hold something else: an object with no fields declared
    or an enum of numbers, at any depth."""
    fields = {f.name: f for f in schema.fields}
    return frozenset(c for c in columns if c in fields and _loose(fields[c]))


def _loose(spec: FieldSpec) -> bool:
    if spec.type is FieldType.OBJECT and not spec.fields:
        return True
    if spec.type is FieldType.ENUM and spec.values and not all(isinstance(v, str) for v in spec.values):
        return True
    return any(_loose(f) for f in spec.fields) or (spec.items is not None and _loose(spec.items))


def _fit(value: Any, t: pa.DataType) -> Any:
    if value is None:
        return None
    if t == pa.string():
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    if pa.types.is_list(t) and isinstance(value, list):
        return [_fit(v, t.value_type) for v in value]
    if pa.types.is_struct(t) and isinstance(value, dict):
        return {f.name: _fit(value.get(f.name), f.type) for f in t}
    return value


def text_columns(schema: EntitySchema, columns: list[str], negative: bool) -> set[str]:
    """The columns written as JSON text: every field of a negative job, and `_violates`."""
    texts = {"_violates"}
    if negative:
        texts |= {c for c in columns if c not in META_TYPES}
    return texts


def _array(values: list[Any], target: pa.DataType) -> pa.Array:
    """Temporal values arrive as ISO text: built as text, then cast (nested ones too)."""
    loose = _as_text(target)
    array = pa.array(values, type=loose)
    return array if loose == target else array.cast(target)


def _as_text(t: pa.DataType) -> pa.DataType:
    if t == TIMESTAMP or t == pa.date32():
        return pa.string()
    if pa.types.is_list(t):
        return pa.list_(_as_text(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _as_text(f.type)) for f in t])
    return t
