"""An imported table as the EntitySchema the engine generates.

Columns the database writes (identity, serial, computed) and foreign-key columns (filled from the
parents' keys by seed.py) are left out. The rest map type by type; names reach the world model's
value sources through the same inference custom schemas use (tools/inference.py), so `email` reads as
an e-mail and `first_name` as a first name. Dates that names put in order (`created_at` before
`updated_at`) and CHECKed orders become order rules.
"""

from __future__ import annotations

import re
from typing import Any

from tools.imports.model import Column, Note, Table
from tools.registry import parse_entity
from tools.schema import EntitySchema

_INT_RANGE = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**53}  # bigint: a double's exact range
_DEFAULT_TOP = 1000  # the engine's default upper bound for numbers (tools/ranged.py)
NULL_SHARE = 0.1  # of a nullable column's values
# Pairs of column names whose values come in this order when a table has both.
_NAMED_ORDERS = [
    ("created_at", "updated_at"), ("created_at", "deleted_at"), ("starts_at", "ends_at"),
    ("start_date", "end_date"), ("valid_from", "valid_to"), ("placed_at", "shipped_at"),
    ("shipped_at", "delivered_at"), ("opened_at", "closed_at"),
]  # fmt: skip


def field_name(column: str) -> str:
    """A column's name as a field name (letters, digits, underscores; not starting with _)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", column)
    return f"c{name}" if name.startswith("_") or not name else name


def entity_name(table: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", table.lower()).strip("_")[:64] or "table"


def made_here(table: Table, skip: set[str]) -> list[Column]:
    """The columns the engine makes: not the database's own, not foreign keys (`skip`)."""
    return [c for c in table.columns if not c.generated and c.name not in skip and _spec(c) is not None]


def to_entity(
    table: Table, skip: set[str], notes: list[Note], sources: dict[str, str] | None = None
) -> EntitySchema:
    """The table's entity; `sources` ("table.column" -> value source) overrides what names suggest."""
    fields: dict[str, Any] = {}
    for c in table.columns:
        if c.generated or c.name in skip:
            continue
        spec = _spec(c)
        if spec is None:
            action = "left NULL" if c.nullable else "the table cannot be seeded without it"
            notes.append(Note(f"{table.name}.{c.name}", f"type {c.declared} is not supported", action))
            continue
        if c.nullable:
            spec |= {"required": False, "null_rate": NULL_SHARE}
        if (c.name,) in table.uniques or (c.name,) == table.primary_key:
            spec["unique"] = True
        if c.comment:
            spec["description"] = c.comment
        source = _table_source(table.name, c.name)
        if source is not None and spec.get("type") == "string":
            spec["source"] = source
        wanted = (sources or {}).get(f"{table.name}.{c.name}")
        if wanted:
            spec["source"] = wanted
        fields[field_name(c.name)] = spec
    made = {c.name for c in made_here(table, skip) if _temporal(c)}  # only dates can be ordered
    orders = [(a, b, strict) for a, b, strict in table.orders if a in made and b in made]
    known = {(a, b) for a, b, _ in orders}
    orders += [(a, b, False) for a, b in _NAMED_ORDERS if a in made and b in made and (a, b) not in known]
    # A strict order (CHECK a < b) steps at least one unit of the column: a day for dates.
    gap = {a: "1d" if table.column(a).kind == "date" else "1s" for a, _, _ in orders}
    rules = [
        {"order": [field_name(a), field_name(b)], **({"min_gap": gap[a]} if strict else {})}
        for a, b, strict in orders
    ]
    body = {"name": entity_name(table.name), "domain": "imported", "description": table.comment,
            "fields": fields, "rules": rules}  # fmt: skip
    return parse_entity(body, f"import:{table.name}")


# A column name that reads differently by table: a product's `name` is a product name, not a person's.
_PRODUCT_TABLE = re.compile(r"(^|_)(products?|items?|articles?|goods|catalog(ue)?|skus?)($|_)")
_PRODUCT_COLUMNS = {"name": "product.name", "title": "product.name", "description": "product.description",
                    "brand": "product.brand", "category": "product.category"}  # fmt: skip


def _table_source(table: str, column: str) -> str | None:
    if _PRODUCT_TABLE.search(table.lower()):
        return _PRODUCT_COLUMNS.get(column.lower())
    return None


# A text column a name calls a time (SQLite keeps dates as ISO text): written as a date-time.
_TIME_NAME = re.compile(r"(^|_)(at|on|date|time|timestamp)$|^(created|updated|deleted)$")


def _temporal(c: Column) -> bool:
    return c.kind in ("date", "timestamp", "timestamptz") or _dated_text(c)


def _dated_text(c: Column) -> bool:
    return c.kind == "text" and c.length is None and not c.values and bool(_TIME_NAME.search(c.name.lower()))


def _spec(c: Column) -> dict[str, Any] | None:
    if _dated_text(c):
        return {"type": "datetime"}
    if c.values and c.kind != "array":
        return {"type": "enum", "values": list(c.values)}
    kind = c.kind
    if kind in _INT_RANGE:
        top = _INT_RANGE[kind]
        return _bounded({"type": "integer"}, c, -top - 1, top)
    if kind in ("numeric", "float", "money"):
        out: dict[str, Any] = {"type": "money" if kind == "money" else "float"}
        if c.scale is not None:
            out["precision"] = min(c.scale, 10)
        cap = 10.0 ** (c.precision - (c.scale or 0)) - 10.0 ** -(c.scale or 0) if c.precision else None
        return _bounded(out, c, -cap if cap is not None else None, cap)
    if kind in ("text", "char"):
        out = {"type": "string"}
        if c.length is not None:
            out["max_length"] = c.length
        if c.min_length is not None:
            out["min_length"] = c.min_length
        return out
    simple = {"boolean": "boolean", "date": "date", "timestamp": "datetime", "timestamptz": "datetime",
              "uuid": "uuid", "inet": "ip"}  # fmt: skip
    if kind in simple:
        return _bounded({"type": simple[kind]}, c, None, None)
    if kind == "time":  # a time of day, as the engine's datetimes spread over the day
        return {"type": "datetime", "format": "%H:%M:%S"}
    patterns = {  # cheap templates (tools/patterns.py), in each type's input syntax
        "interval": "{digits:2} days",
        "tsvector": "{lower:6} {lower:5} {lower:7}",
        "macaddr": "{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}:{hex:2}",
        "bytea": "\\x{hex:16}",
    }
    if kind in patterns:
        return {"type": "pattern", "format": patterns[kind]}
    if kind == "json":
        return {"type": "object", "fields": {"label": {"type": "string", "source": "word"},
                                             "score": {"type": "integer", "min": 1, "max": 5}}}  # fmt: skip
    if kind == "array" and c.element is not None:
        inner = _spec(Column("item", c.element, c.element))
        if inner is None:
            return None
        return {"type": "array", "items": inner, "min_items": 0, "max_items": 3}
    return None


def _bounded(out: dict[str, Any], c: Column, lo: float | None, hi: float | None) -> dict[str, Any]:
    """The column's CHECK or partition bounds, inside what its type holds (lo..hi). Without bounds
    the engine's defaults apply (0 to 1,000), unless the type holds less (numeric(4,2): 99.99)."""
    low: Any = c.low
    high: Any = c.high
    if isinstance(low, int | float) and lo is not None:
        low = max(low, lo)
    if isinstance(high, int | float) and hi is not None:
        high = min(high, hi)
    if high is None and hi is not None and hi < _DEFAULT_TOP:
        high = hi
    if low is None and lo is not None and -lo < _DEFAULT_TOP and high is not None and high < 0:
        low = lo
    if low is not None:
        out["min"] = low
    if high is not None:
        out["max"] = high
    return out
