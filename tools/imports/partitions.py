"""Partition bounds as column bounds: a row must land in an existing partition."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from tools.imports.model import Column, Note, Table

_RANGE = re.compile(r"FOR VALUES FROM \((.+)\) TO \((.+)\)$")
_LIST = re.compile(r"FOR VALUES IN \((.+)\)$")


def partition_bounds(table: Table, keydef: str, bounds: list[str], notes: list[Note]) -> None:
    """Rows must land in an existing partition: the key takes the partitions' span (or list).
    `keydef` as PostgreSQL prints it ("RANGE (at)"), `bounds` each partition's "FOR VALUES ..."."""
    m = re.fullmatch(r"(RANGE|LIST) \((\w+)\)", keydef.strip(), re.IGNORECASE)
    if m is None:
        notes.append(Note(table.name, f"partitioned by {keydef}", "rows may find no partition"))
        return
    if "DEFAULT" in bounds:
        return  # every row has a partition
    col = table.column(m.group(2))
    if m.group(1).upper() == "LIST":
        col.values = [_unquote(v) for b in bounds if (lm := _LIST.match(b)) for v in lm.group(1).split(", ")]
        return
    spans = sorted((_unquote(r.group(1)), _unquote(r.group(2))) for b in bounds if (r := _RANGE.match(b)))
    if not spans:
        return
    lo, hi = spans[0]
    for a, b in spans[1:]:  # the first run of partitions that touch; a gap ends it
        if a != hi:
            notes.append(
                Note(table.name, f"partitions leave a gap from {hi} to {a}", f"rows use {lo} to {hi} only")
            )
            break
        hi = b
    col.low = None if lo == "MINVALUE" else _typed(col, lo)
    col.high = None if hi == "MAXVALUE" else _before(col, hi)


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1].replace("''", "'") if text.startswith("'") and text.endswith("'") else text


def _typed(col: Column, text: str) -> Any:
    if col.kind in ("smallint", "integer", "bigint"):
        return int(text)
    if col.kind in ("numeric", "float"):
        return float(text)
    return text


def _before(col: Column, text: str) -> Any:
    """The last value below an exclusive upper bound."""
    if col.kind in ("smallint", "integer", "bigint"):
        return int(text) - 1
    if col.kind == "date":
        return (date.fromisoformat(text[:10]) - timedelta(days=1)).isoformat()
    if col.kind in ("timestamp", "timestamptz"):
        at = datetime.fromisoformat(text.replace(" ", "T"))
        return (at - timedelta(seconds=1)).isoformat()
    return text
