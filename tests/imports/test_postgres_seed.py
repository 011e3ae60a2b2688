"""Import a live PostgreSQL schema (tests/imports/schema.sql: enums, domains, identities, composite
and cyclic keys, a partitioned table) and seed it: PostgreSQL itself enforces every constraint as the
rows load, so a load with no error is the proof."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest

from service.cli import main
from tools.catalogue import load_catalogue
from tools.imports.model import Imported
from tools.imports.postgres import introspect
from tools.imports.seed import seed
from tools.imports.targets import PostgresTarget

SCHEMA_SQL = (Path(__file__).parent / "schema.sql").read_text()
TABLES = ["customers", "departments", "employees", "products", "orders", "order_lines", "shipments",
          "loyalty_cards", "events"]  # fmt: skip


def _schema(pg: psycopg.Connection[Any]) -> str:
    row = pg.execute("SELECT current_schema()").fetchone()
    assert row is not None
    return str(row[0])


@pytest.fixture
def imported(pg: psycopg.Connection[Any]) -> Imported:
    pg.execute(SCHEMA_SQL)
    return introspect(pg, _schema(pg))


def _counts(pg: psycopg.Connection[Any]) -> dict[str, int]:
    return {t: pg.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


def test_the_import_reads_every_construct(imported: Imported) -> None:
    t = imported.tables
    assert sorted(t) == sorted(TABLES)  # partitions are not tables of their own
    c = t["customers"]
    assert c.primary_key == ("id",) and c.column("id").generated == "identity"
    assert ("email",) in c.uniques and c.column("email").kind == "text"  # citext
    assert c.column("country").values == ["US", "GB", "DE", "FR"] and c.column("country").length == 2
    assert (c.column("age").low, c.column("age").high) == (18, 99)
    assert c.column("first_name").length == 40 and not c.column("first_name").nullable
    assert (c.column("tags").kind, c.column("tags").element) == ("array", "text")
    assert c.column("preferences").kind == "json" and c.column("search").kind == "tsvector"
    assert ("created_at", "updated_at", False) in c.orders
    assert c.comment == "People who buy" and c.column("referred_by").comment.startswith("The customer")
    assert [(f.columns, f.table) for f in c.foreign_keys] == [(("referred_by",), "customers")]
    assert t["departments"].column("id").generated == "serial"
    assert ("hired_on", "left_on", True) in t["employees"].orders  # strict: hired_on < left_on
    e = t["employees"].column("salary")
    assert (e.precision, e.scale, e.low, e.high) == (9, 2, 20000, 250000)
    sku = t["products"].column("sku")  # a domain: varchar(12) NOT NULL CHECK (char_length >= 6)
    assert (sku.length, sku.min_length, sku.nullable) == (12, 6, False)
    assert t["products"].column("gross").generated == "computed"
    total = t["orders"].column("total")  # positive_money: numeric(10,2) CHECK (VALUE > 0)
    assert (total.scale, total.low) == (2, 0.01)
    assert t["orders"].column("status").values == ["pending", "paid", "shipped", "cancelled"]
    assert t["order_lines"].primary_key == ("order_id", "line_no")
    assert [(f.columns, f.ref_columns) for f in t["shipments"].foreign_keys] == [
        (("order_id", "line_no"), ("order_id", "line_no"))
    ]
    assert t["shipments"].column("carrier").values == ["ups", "fedex", "dhl"]
    ev = t["events"]
    assert ev.partitioned and (ev.column("happened_on").low, ev.column("happened_on").high) == (
        "2025-01-01",
        "2025-12-31",
    )
    assert imported.notes == []


def test_a_seed_loads_with_postgresql_enforcing_every_constraint(
    pg: psycopg.Connection[Any], imported: Imported
) -> None:
    lines: list[str] = []
    with pg.transaction():
        done = seed(PostgresTarget(pg), imported, {"customers": 300, "products": 80}, progress=lines.append)
    counts = _counts(pg)
    assert counts == done.counts and counts["customers"] == 300
    assert counts["orders"] == 600 and counts["loyalty_cards"] == 300  # 2 per parent; one-to-one
    assert counts["order_lines"] == 1200 and counts["shipments"] == 2400  # none dropped as a repeat
    # Line numbers count 1, 2, ... within each order, as a composite key (order_id, line_no) wants.
    gaps = pg.execute(
        "SELECT count(*) FROM (SELECT order_id, max(line_no) AS top, count(*) AS n FROM order_lines "
        "GROUP BY order_id) s WHERE top <> n"
    ).fetchone()
    assert gaps is not None and gaps[0] == 0
    assert all(n > 0 for n in counts.values())
    assert "customers: 300 rows" in lines and any("departments_head_id_fkey set" in ln for ln in lines)
    # Deferred keys (a self-reference, a cycle) were set after both sides existed.
    referred = pg.execute("SELECT count(referred_by) FROM customers").fetchone()[0]  # type: ignore[index]
    heads = pg.execute("SELECT count(*) FROM departments d JOIN employees e ON e.id = d.head_id").fetchone()
    assert 200 < referred < 300 and heads is not None and heads[0] > 50
    assert pg.execute("SELECT count(*) FROM customers WHERE referred_by >= id").fetchone()[0] == 0  # type: ignore[index]
    # Rows land in both partitions; values follow the checks, names and types.
    parts = pg.execute("SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1").fetchall()
    assert {p for p, _ in parts} == {"events_h1", "events_h2"}
    emails = pg.execute("SELECT email FROM customers LIMIT 50").fetchall()
    assert all("@" in e for (e,) in emails)
    # A product's name is a product's (the table says so), a customer's first name a person's.
    names = {n for (n,) in pg.execute("SELECT name FROM products")}
    assert names & {p.name for t in load_catalogue() for p in t.products} == names
    # The database's own sequences numbered the keys: its next row takes the next number.
    pg.execute("INSERT INTO departments (name) VALUES ('After the seed')")
    assert pg.execute("SELECT max(id) FROM departments").fetchone()[0] == counts["departments"] + 1  # type: ignore[index]
    assert [n for n in done.notes if "repeated" not in n.what] == []


def test_the_same_seed_writes_the_same_rows(pg: psycopg.Connection[Any], imported: Imported) -> None:
    def dump() -> list[Any]:
        return pg.execute("SELECT * FROM orders ORDER BY id").fetchall()

    with pg.transaction():
        seed(PostgresTarget(pg), imported, {"customers": 40}, seed_value=7)
    first = dump()
    with pg.transaction():
        seed(PostgresTarget(pg), imported, {"customers": 40}, seed_value=7, truncate=True)
    assert dump() == first and len(first) == 80
    with pg.transaction():
        seed(PostgresTarget(pg), imported, {"customers": 40}, seed_value=8, truncate=True)
    assert dump() != first


def test_a_dry_run_writes_nothing_and_its_script_loads_through_psql(
    pg: psycopg.Connection[Any], imported: Imported
) -> None:
    script = io.StringIO()
    done = seed(PostgresTarget(pg, script), imported, {"customers": 30})
    assert _counts(pg) == dict.fromkeys(TABLES, 0)
    env = {**os.environ, "PGOPTIONS": f"-c search_path={_schema(pg)}"}
    ran = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", "test",
         "-1"],
        input=script.getvalue(), text=True, capture_output=True, env=env, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert _counts(pg) == done.counts


def test_what_cannot_be_carried_is_listed_at_once_and_the_rest_loads(pg: psycopg.Connection[Any]) -> None:
    pg.execute("""
        CREATE TABLE places (id serial PRIMARY KEY, at point NOT NULL);
        CREATE TABLE notes (id serial PRIMARY KEY, code text NOT NULL CHECK (code ~ '^[A-Z]{3}$'),
                            spot point, EXCLUDE USING btree (code WITH =));
        CREATE TABLE a (id serial PRIMARY KEY, b_id integer NOT NULL);
        CREATE TABLE b (id serial PRIMARY KEY, a_id integer NOT NULL REFERENCES a (id));
        ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);
        CREATE TABLE fine (id serial PRIMARY KEY, name text NOT NULL);
    """)
    imported = introspect(pg, _schema(pg))
    with pg.transaction():
        done = seed(PostgresTarget(pg), imported, {"fine": 10, "notes": 0})
    text = "\n".join(str(n) for n in done.notes)
    assert "CHECK (code ~ '^[A-Z]{3}$')" in text and "not enforced" in text
    assert "exclusion constraint" in text
    assert "the cycle a -> b -> a has no nullable foreign key" in text
    assert "places: NOT NULL columns of unsupported types: ['at']" in text
    assert "notes.spot: type point is not supported; left NULL" in text
    assert done.counts == {"fine": 10, "notes": 0} and _counts_of(pg, "fine") == 10


def _counts_of(pg: psycopg.Connection[Any], table: str) -> int:
    return pg.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index,no-any-return]


def test_the_cli_seeds_a_database_in_one_command(
    pg: psycopg.Connection[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    pg.execute(SCHEMA_SQL)
    url = "postgresql://postgres@127.0.0.1:5432/test"
    schema = _schema(pg)
    assert main(["seed", url, "--schema", schema, "--rows", "customers=25", "--rows", "products=20"]) == 0
    err = capsys.readouterr().err
    assert "customers: 25 rows" in err and "wrote " in err and "rows/s" in err
    assert _counts_of(pg, "customers") == 25 and _counts_of(pg, "orders") == 50
    assert main(["seed", url, "--schema", schema, "--rows", "customerz=5"]) == 2
    assert "--rows: names tables the schema lacks: ['customerz']" in capsys.readouterr().err
    assert main(["seed", url, "--schema", schema, "--rows", "customers"]) == 2
    assert "is not TABLE=N" in capsys.readouterr().err
    assert _counts_of(pg, "customers") == 25  # a refused run changed nothing


def test_quoted_names_reserved_words_and_a_spaced_schema_seed_through_the_cli(
    pg: psycopg.Connection[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    spaced = f"Odd {_schema(pg)}"
    pg.execute(f'CREATE SCHEMA "{spaced}"')
    try:
        pg.execute(f'SET search_path TO "{spaced}"')
        pg.execute("""
            CREATE TABLE "User" ("ID" serial PRIMARY KEY, "First Name" text NOT NULL, "order" int,
                                 "select" boolean NOT NULL);
            CREATE TABLE "Order Items" (id bigserial PRIMARY KEY,
                                        "User ID" int NOT NULL REFERENCES "User" ("ID"));
        """)
        url = "postgresql://postgres@127.0.0.1:5432/test"
        assert main(["seed", url, "--schema", spaced, "--rows", "User=12"]) == 0
        assert "Order Items: 24 rows" in capsys.readouterr().err
        assert pg.execute('SELECT count(DISTINCT "User ID") FROM "Order Items"').fetchone()[0] > 5  # type: ignore[index]
    finally:
        pg.execute(f'DROP SCHEMA "{spaced}" CASCADE')


def test_reuse_adds_children_for_the_rows_already_there(
    pg: psycopg.Connection[Any], imported: Imported, capsys: pytest.CaptureFixture[str]
) -> None:
    with pg.transaction():
        seed(PostgresTarget(pg), imported, {"customers": 30, "products": 20})
    before = {r[0] for r in pg.execute("SELECT id FROM customers")}
    orders = _counts_of(pg, "orders")
    url, schema = "postgresql://postgres@127.0.0.1:5432/test", _schema(pg)
    args = [
        "seed",
        url,
        "--schema",
        schema,
        "--reuse",
        "customers",
        "--reuse",
        "products",
        "--rows",
        "orders=45",
    ]
    assert main(args) == 0
    assert "customers: 30 existing rows reused" in capsys.readouterr().err
    assert {r[0] for r in pg.execute("SELECT id FROM customers")} == before  # not one written
    new = pg.execute("SELECT DISTINCT customer_id FROM orders WHERE id > %s", (orders,)).fetchall()
    assert _counts_of(pg, "orders") == orders + 45 and {c for (c,) in new} <= before and len(new) > 10
    assert main(["seed", url, "--schema", schema, "--reuse", "clients"]) == 2
    assert "--reuse: names tables the schema lacks: ['clients']" in capsys.readouterr().err
