"""SQL for PostgreSQL that SQLite also runs: CREATE TABLE IF NOT EXISTS, then multi-row INSERTs.

Every string is a standard SQL literal with quotes doubled; backslashes are literal in both
databases (PostgreSQL's standard_conforming_strings is on by default), so a value holding `'`, `\\`,
a newline or `; DROP TABLE` stays data. Negative datasets use TEXT columns so rule-breaking values
still load and the application under test is the one that must reject them.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from tools.errors import InvalidRequest, shorten
from tools.formats.base import Rows, Writer
from tools.ranged import precision_of
from tools.schema import EntitySchema, FieldType

ROWS_PER_INSERT = 500
_TYPES = {
    FieldType.INTEGER: "BIGINT",
    FieldType.FLOAT: "DOUBLE PRECISION",
    FieldType.BOOLEAN: "BOOLEAN",
    FieldType.DATE: "DATE",
    FieldType.DATETIME: "TIMESTAMPTZ",
    FieldType.OBJECT: "JSONB",
    FieldType.ARRAY: "JSONB",
    FieldType.ADDRESS: "JSONB",
}
_META = {"_scenario": "TEXT", "_index": "BIGINT", "_edge_case": "TEXT", "_violates": "JSONB"}


# PostgreSQL cuts identifiers to 63 bytes (NAMEDATALEN - 1): two longer column names that share their
# first 63 bytes would become one column, and the CREATE TABLE fails.
MAX_IDENT_BYTES = 63


def check_sql_names(fmt: str, schema: EntitySchema) -> None:
    """Before any row is made: the table and every column name fit PostgreSQL's identifiers."""
    if fmt != "sql":
        return
    names = [("name", "table", schema.name)]
    names += [(f"fields.{shorten(f.name, 100)}", "column", f.name) for f in schema.fields]
    for where, kind, name in names:
        size = len(name.encode())
        if size > MAX_IDENT_BYTES:
            raise InvalidRequest(
                where,
                f"the {kind} name is {size} bytes long; PostgreSQL keeps {MAX_IDENT_BYTES} bytes of a name",
                f"shorten it to {MAX_IDENT_BYTES} bytes, or ask for json, jsonl or csv",
            )


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "NULL"
    if isinstance(value, dict | list):
        value = orjson.dumps(value).decode()
    return "'" + str(value).replace("'", "''") + "'"


def column_type(schema: EntitySchema, name: str, negative: bool) -> str:
    if name in _META:
        return _META[name]
    spec = schema.field(name)
    if spec is None or negative:
        return "TEXT"
    if spec.type is FieldType.MONEY:
        return f"NUMERIC(18,{precision_of(spec)})"
    if spec.type is FieldType.ADDRESS and spec.format == "single_line":
        return "TEXT"
    return _TYPES.get(spec.type, "TEXT")


class SqlWriter(Writer):
    name = "sql"
    media_type = "application/sql"

    def __init__(
        self,
        schema: EntitySchema,
        columns: list[str],
        negative: bool = False,
        foreign_keys: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(schema, columns)
        self.negative = negative
        self.foreign_keys = foreign_keys or {}  # column -> (table, column), for linked datasets
        self.table = ident(schema.name)
        self.column_list = ", ".join(ident(c) for c in columns)
        # Made once: `overhead` needs their sizes for every row a stream chunk takes.
        self.create = self.create_table()
        self.insert = f"INSERT INTO {self.table} ({self.column_list}) VALUES\n"
        self.create_bytes, self.insert_bytes = len(self.create.encode()), len(self.insert.encode())

    def create_table(self) -> str:
        defs = []
        for c in self.columns:
            line = f"  {ident(c)} {column_type(self.schema, c, self.negative)}"
            if c == self.schema.id_field and not self.negative:
                line += " PRIMARY KEY"
            if c in self.foreign_keys:
                table, column = self.foreign_keys[c]
                line += f" REFERENCES {ident(table)} ({ident(column)})"
            defs.append(line)
        return f"CREATE TABLE IF NOT EXISTS {self.table} (\n" + ",\n".join(defs) + "\n);\n"

    def chunk(self, rows: Rows, first: bool) -> str:
        return self.assemble(self.row_texts(rows), first)

    def row_texts(self, rows: Rows) -> list[str]:
        cols = self.columns
        return ["(" + ", ".join(literal(r.get(c)) for c in cols) + ")" for r in rows]

    def assemble(self, texts: list[str], first: bool) -> str:
        parts = [self.create] if first else []
        insert = self.insert
        for start in range(0, len(texts), ROWS_PER_INSERT):
            parts.append(insert + ",\n".join(texts[start : start + ROWS_PER_INSERT]) + ";\n")
        return "".join(parts)

    def overhead(self, n: int, first: bool) -> int:
        groups = -(-n // ROWS_PER_INSERT)
        head = self.create_bytes if first else 0
        return head + groups * (self.insert_bytes + 2) + 2 * (n - groups)
