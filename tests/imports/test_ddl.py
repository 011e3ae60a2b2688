"""DDL text read with sqlglot: PostgreSQL's reads exactly as the live database does; MySQL's and
SQLite's spellings map to the same model; what cannot be read is listed and the rest still read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from tools.imports.ddl import from_ddl
from tools.imports.model import Column, Imported
from tools.imports.postgres import introspect

HERE = Path(__file__).parent


def _key(c: Column) -> tuple[Any, ...]:
    return (c.name, c.kind, c.nullable, c.length, c.precision, c.scale, c.values, c.element, c.generated,
            c.low, c.high, c.min_length, c.comment)  # fmt: skip


def _model(imported: Imported) -> dict[str, Any]:
    return {
        name: (
            [_key(c) for c in t.columns], t.primary_key, sorted(t.uniques), t.orders, t.comment,
            t.partitioned,
            sorted((f.columns, f.table, f.ref_columns) for f in t.foreign_keys),
        )
        for name, t in imported.tables.items()
    }  # fmt: skip


def test_postgres_ddl_reads_exactly_as_the_live_database(pg: psycopg.Connection[Any]) -> None:
    sql = (HERE / "schema.sql").read_text()
    from_text = from_ddl(sql, "postgres")
    pg.execute(sql)
    schema = pg.execute("SELECT current_schema()").fetchone()
    assert schema is not None
    assert _model(from_text) == _model(introspect(pg, schema[0])) and from_text.notes == []


def test_mysql_spellings_map_to_the_same_model() -> None:
    d = from_ddl((HERE / "schema_mysql.sql").read_text(), "mysql")
    assert d.notes == []  # a plain KEY (an index) constrains nothing
    c = d.tables["customers"]
    assert c.column("id").generated == "serial" and c.primary_key == ("id",)  # AUTO_INCREMENT
    assert ("email",) in c.uniques and c.column("email").comment == "Where receipts go"
    assert c.column("is_vip").kind == "boolean" and c.comment == "People who buy"  # TINYINT(1)
    assert c.column("country").values == ["US", "GB", "DE", "FR"] and (
        c.column("age").low,
        c.column("age").high,
    ) == (18, 99)
    assert d.tables["orders"].column("status").values == ["pending", "paid", "shipped", "cancelled"]
    heads = [(f.name, f.columns, f.table) for f in d.tables["departments"].foreign_keys]
    assert heads == [("departments_head", ("head_id",), "employees")]  # from the ALTER TABLE
    assert d.tables["order_lines"].primary_key == ("order_id", "line_no")
    assert ("hired_on", "left_on", True) in d.tables["employees"].orders


def test_sqlite_rowids_and_what_cannot_be_read_are_listed() -> None:
    text = (HERE / "schema_sqlite.sql").read_text()
    text += "\nCREATE UNIQUE INDEX orders_day ON orders (customer_id, placed_at);"
    text += "\nCREATE TABLE broken (id INTEGER"
    d = from_ddl(text, "sqlite")
    assert sorted(d.tables) == ["customers", "order_lines", "orders"]
    assert d.tables["orders"].column("id").generated == "serial"  # INTEGER PRIMARY KEY is the rowid
    assert d.tables["customers"].column("id").generated == "serial"
    assert d.tables["order_lines"].column("line_no").high == 20
    assert ("customer_id", "placed_at") in d.tables["orders"].uniques
    whats = [str(n) for n in d.notes]
    assert whats[0] == "statement 4: CREATE VIEW big_orders is not a table; skipped: no rows are made for it"
    assert len(whats) == 2 and whats[1].startswith("statement 6: cannot be read")


def test_one_table_of_ddl_generates_as_a_schema_from_the_cli(tmp_path: Path) -> None:
    import json

    from service.cli import main

    out = tmp_path / "orders.json"
    args = [
        "generate",
        "orders",
        "--schema",
        str(HERE / "schema_mysql.sql"),
        "--count",
        "50",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    rows = json.loads(out.read_text())
    assert len(rows) == 50 and "id" not in rows[0]  # AUTO_INCREMENT: the database numbers it
    assert all(r["status"] in ("pending", "paid", "shipped", "cancelled") and r["total"] > 0 for r in rows)
    assert all(r["shipped_at"] is None or r["placed_at"] <= r["shipped_at"] for r in rows)
    assert main(["generate", "invoices", "--schema", str(HERE / "schema_mysql.sql")]) == 2
