"""Each format's chunks parse on their own; SQL loads into PostgreSQL and SQLite with values intact."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator

import psycopg

from agent.deterministic import plan_request
from agent.executor import build_job, prepare, render_chunks
from agent.request import DataRequest
from service.generation import STREAM_BATCH
from tests.helpers import document_for, json_rows
from tools.registry import default_registry

TRICKY = [
    "O'Brien",
    "back\\slash \\' \\\\",
    "line one\nline two\r\nthree",
    "'); DROP TABLE notes; --",
    "Zoë 東京 مرحبا 🎁",
    "tab\there",
    '"double" quotes',
    "$$ dollar $$",
]
NOTES_SCHEMA = json.dumps(
    {
        "name": "notes",
        "fields": {
            "id": {"type": "uuid"},
            "note": {"type": "string", "pool": TRICKY},
            "amount": {"type": "money", "min": 0, "max": 100},
            "flag": {"type": "boolean"},
            "day": {"type": "date"},
            "at": {"type": "datetime"},
            "meta": {"type": "object", "fields": {"k": {"type": "string", "pool": TRICKY}}},
        },
    }
)


def _chunks(request: DataRequest, batch: int) -> Iterator[str]:
    """A stream's chunks of `batch` rows, made from the engine's small batches as the service makes them;
    only the last says it is final."""
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema), batch_size=STREAM_BATCH)
    chunks = list(render_chunks(prepared, job, batch))
    assert [final for _, final in chunks] == [False] * (len(chunks) - 1) + [True]
    return iter(text for text, _ in chunks)


def test_json_and_jsonl_chunks_parse_alone() -> None:
    chunks = list(_chunks(DataRequest(entity="order", count=250, seed=1), batch=100))
    assert len(chunks) == 3
    rows = [r for c in chunks for r in json.loads(c)]
    assert [r["_index"] for r in rows] == list(range(250))
    lines = list(_chunks(DataRequest(entity="order", count=250, seed=1, output_format="jsonl"), batch=100))
    assert [json.loads(line) for c in lines for line in c.splitlines()] == rows


def test_csv_has_one_header_and_nested_values_as_json() -> None:
    chunks = list(_chunks(DataRequest(entity="cart", count=30, seed=2, output_format="csv"), batch=10))
    assert chunks[0].startswith("cart_id,customer_id,items,")
    assert all(not c.startswith("cart_id") for c in chunks[1:])
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(rows) == 30
    expected = json_rows(DataRequest(entity="cart", count=30, seed=2))
    for got, want in zip(rows, expected, strict=True):
        assert json.loads(got["items"]) == want["items"]
        assert float(got["total"]) == want["total"]


def _tricky_request(fmt: str) -> DataRequest:
    return DataRequest(
        custom_schema=NOTES_SCHEMA, count=120, seed=3, output_format=fmt, defect_triggering=True
    )


def test_sql_loads_into_sqlite_with_values_unchanged() -> None:
    script = document_for(_tricky_request("sql"))
    db = sqlite3.connect(":memory:")
    db.executescript(script)
    got = db.execute('SELECT id, note, amount, flag, meta FROM "notes" ORDER BY _index').fetchall()
    want = json_rows(_tricky_request("json"))
    assert len(got) == len(want) == 120
    for (id_, note, amount, flag, meta), row in zip(got, want, strict=True):
        assert (id_, note, amount, bool(flag)) == (row["id"], row["note"], row["amount"], row["flag"])
        assert json.loads(meta) == row["meta"]
    assert {r["note"] for r in want} & set(TRICKY)


def test_sql_loads_into_postgresql_chunk_by_chunk_with_values_unchanged(pg: psycopg.Connection) -> None:
    for chunk in _chunks(_tricky_request("sql"), batch=50):
        pg.execute(chunk)
    got = pg.execute(
        'SELECT id::text, note, amount::float8, flag, meta, day::text FROM "notes" ORDER BY _index'
    )
    want = json_rows(_tricky_request("json"))
    rows = got.fetchall()
    assert len(rows) == 120
    for (id_, note, amount, flag, meta, day), row in zip(rows, want, strict=True):
        assert (id_, note, amount, flag, meta, day) == (
            row["id"],
            row["note"],
            row["amount"],
            row["flag"],
            row["meta"],
            row["day"],
        )


def test_cart_sql_loads_into_postgresql_with_totals_intact(pg: psycopg.Connection) -> None:
    pg.execute(document_for(DataRequest(entity="cart", count=200, seed=5, output_format="sql")))
    bad = pg.execute(
        """SELECT count(*) FROM "cart" c WHERE c.subtotal <> (
             SELECT sum((i->>'quantity')::numeric * (i->>'price')::numeric)
             FROM jsonb_array_elements(c.items) i
           ) OR c.total <> c.subtotal + c.tax OR c.updated_at < c.created_at"""
    ).fetchone()
    assert bad == (0,)


def test_chunks_stay_under_the_default_grpc_message_limit() -> None:
    from tools.formats import MAX_CHUNK_BYTES

    chunks = list(_chunks(DataRequest(entity="user", count=9000, seed=1), batch=9000))
    assert len(chunks) > 1 and all(len(c) <= MAX_CHUNK_BYTES for c in chunks)
    rows = [r for c in chunks for r in json.loads(c)]
    assert [r["_index"] for r in rows] == list(range(9000))
