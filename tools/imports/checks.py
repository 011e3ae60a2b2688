"""CHECK constraints read with sqlglot: what the generator can hold by construction.

A CHECK is split at AND; each part that is a bound (`price >= 0`, `qty BETWEEN 1 AND 9`), a value list
(`status IN (...)`, `= ANY (ARRAY[...])`), a length (`char_length(code) = 8`), NOT NULL, or an order
between two columns (`starts_at < ends_at`) lands on the columns. Any other part is a Note: it is not
enforced, so rows may break it (and a database load of them would fail).
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from tools.imports.model import Column, Note, Table

_INTEGERS = {"smallint", "integer", "bigint"}
_TEMPORAL = {"date", "timestamp", "timestamptz"}
_LENGTH_FUNCS = {"LENGTH", "CHAR_LENGTH", "CHARACTER_LENGTH"}
NOT_ENFORCED = "not enforced by the generator: rows may break it"


def apply_check(table: Table, text: str, where: str, dialect: str = "postgres") -> list[Note]:
    """Put what the CHECK says on `table`'s columns; a Note for each part it cannot."""
    body = text.strip()
    if body.upper().startswith("CHECK"):
        body = body[5:].strip()
    body = body.removesuffix("NOT VALID").strip()
    try:
        tree: exp.Expression = sqlglot.parse_one(body, read=dialect)  # type: ignore[assignment]
    except (ParseError, ValueError):
        return [Note(where, f"CHECK {body} could not be read", NOT_ENFORCED)]
    return apply_check_expression(table, tree, where, dialect)


def apply_check_expression(
    table: Table, tree: exp.Expression, where: str, dialect: str = "postgres"
) -> list[Note]:
    """apply_check for a CHECK already parsed (a DDL import's)."""
    notes = []
    for part in _conjuncts(tree):
        if not _apply(table, part):
            plain = part.transform(
                lambda n: n.this if isinstance(n, exp.Cast) else n
            )  # pg_dump's ::text casts
            notes.append(Note(where, f"CHECK ({plain.sql(dialect=dialect)})", NOT_ENFORCED))
    return notes


def _bare(e: exp.Expression) -> exp.Expression:
    while isinstance(e, exp.Paren | exp.Cast):
        e = e.this
    return e


def _conjuncts(e: exp.Expression) -> list[exp.Expression]:
    e = _bare(e)
    if isinstance(e, exp.And):
        return _conjuncts(e.this) + _conjuncts(e.expression)
    return [e]


def _literal(e: exp.Expression) -> tuple[bool, Any]:
    e = _bare(e)
    if isinstance(e, exp.Neg):
        ok, v = _literal(e.this)
        return (ok and isinstance(v, int | float)), (-v if ok and isinstance(v, int | float) else None)
    if isinstance(e, exp.Literal):
        if e.is_string:
            return True, e.this
        text = e.this
        return True, int(text) if text.lstrip("-").isdigit() else float(text)
    if isinstance(e, exp.Boolean):
        return True, e.this
    return False, None


def _column(table: Table, e: exp.Expression) -> Column | None:
    e = _bare(e)
    if isinstance(e, exp.Column):
        name = e.name
        return next((c for c in table.columns if c.name == name), None)
    return None


def _length_of(table: Table, e: exp.Expression) -> Column | None:
    e = _bare(e)
    if isinstance(e, exp.Length):
        return _column(table, e.this)
    if isinstance(e, exp.Anonymous) and e.name.upper() in _LENGTH_FUNCS and e.expressions:
        return _column(table, e.expressions[0])
    return None


_FLIP: dict[type, type] = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ}


def _apply(table: Table, e: exp.Expression) -> bool:
    is_not_null = isinstance(e, exp.Is) and e.args.get("negate") and isinstance(e.expression, exp.Null)
    if isinstance(e, exp.Not) and isinstance(_bare(e.this), exp.Is):  # NOT (col IS NULL), older spelling
        e, is_not_null = _bare(e.this), True
    if is_not_null:  # col IS NOT NULL
        col = _column(table, e.this)
        if col is not None:
            col.nullable = False
            return True
        return False
    if isinstance(e, exp.Anonymous) and e.name.upper() == "JSON_VALID" and e.expressions:
        col = _column(table, e.expressions[0])  # MariaDB's JSON: a text column checked as JSON
        if col is not None:
            col.kind = "json"
            return True
        return False
    if isinstance(e, exp.Between):
        col = _column(table, e.this)
        (ok_lo, lo), (ok_hi, hi) = _literal(e.args["low"]), _literal(e.args["high"])
        if col is None or not (ok_lo and ok_hi):
            return False
        _bound(col, exp.GTE, lo)
        _bound(col, exp.LTE, hi)
        return True
    if isinstance(e, exp.In):
        col = _column(table, e.this)
        found = [_literal(x) for x in e.expressions]
        if col is None or not found or not all(ok for ok, _ in found):
            return False
        col.values = [v for _, v in found]
        return True
    if isinstance(e, exp.EQ) and isinstance(_bare(e.expression), exp.Any):
        return _any(table, e)
    kind: type = type(e)
    if kind not in _FLIP:
        return False
    left, right = e.this, e.expression
    if _literal(left)[0] and not _literal(right)[0]:  # 0 <= price reads as price >= 0
        left, right, kind = right, left, _FLIP[kind]
    ok, value = _literal(right)
    length_col = _length_of(table, left)
    if ok and length_col is not None and isinstance(value, int):
        _length(length_col, kind, value)
        return True
    col = _column(table, left)
    if col is not None and ok:
        if kind is exp.EQ:
            col.values = [value]
            return True
        return _bound(col, kind, value)
    other = _column(table, right)
    if col is not None and other is not None and kind in (exp.LT, exp.LTE, exp.GT, exp.GTE):
        if col.kind not in _TEMPORAL or other.kind not in _TEMPORAL:
            return False  # the engine orders dates; two numbers compared are left as a note
        first, second = (col, other) if kind in (exp.LT, exp.LTE) else (other, col)
        table.orders.append((first.name, second.name, kind in (exp.LT, exp.GT)))
        return True
    return False


def _any(table: Table, e: exp.EQ) -> bool:
    """`col = ANY (ARRAY[...])`, PostgreSQL's spelling of IN."""
    col = _column(table, e.this)
    arr = _bare(_bare(e.expression).this)
    if col is None or not isinstance(arr, exp.Array):
        return False
    found = [_literal(x) for x in arr.expressions]
    if not found or not all(ok for ok, _ in found):
        return False
    col.values = [v for _, v in found]
    return True


def _step(col: Column) -> float:
    """The smallest step above a value the column can hold (for a strict bound)."""
    if col.kind in _INTEGERS:
        return 1
    if col.scale is not None:
        return float(10**-col.scale)
    return 1e-6


def _bound(col: Column, kind: type, value: Any) -> bool:
    if isinstance(value, str) and col.kind not in _TEMPORAL:
        return False
    strict = kind in (exp.GT, exp.LT)
    if isinstance(value, str):  # a date or time: inclusive; a strict bound moves one day or second
        if strict:
            return False
        if kind is exp.GTE:
            col.low = value if col.low is None or str(col.low) < value else col.low
        else:
            col.high = value if col.high is None or str(col.high) > value else col.high
        return True
    if kind in (exp.GT, exp.GTE):
        lo = value + _step(col) if strict else value
        col.low = lo if col.low is None or float(col.low) < lo else col.low
    else:
        hi = value - _step(col) if strict else value
        col.high = hi if col.high is None or float(col.high) > hi else col.high
    return True


def _length(col: Column, kind: type, n: int) -> None:
    if kind in (exp.LT, exp.LTE, exp.EQ):
        top = n - 1 if kind is exp.LT else n
        col.length = top if col.length is None else min(col.length, top)
    if kind in (exp.GT, exp.GTE, exp.EQ):
        bottom = n + 1 if kind is exp.GT else n
        col.min_length = bottom if col.min_length is None else max(col.min_length, bottom)
