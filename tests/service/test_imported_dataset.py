"""GenerateDataset over an imported SQL schema (DatasetRequest.schema_id) through the real server: the
SQL loads into PostgreSQL, MariaDB and SQLite with every key and CHECK enforced by the database itself;
JSON keys resolve inside the dataset, cycles included; the same seed gives the same bytes; refusals
name the field; a client that leaves stops the work."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
import pytest_asyncio

from protos.testdata.v1 import test_data_pb2 as pb
from tests.imports.test_other_databases import _load_mysql, mysql_db  # noqa: F401 (a fixture)
from tests.service.conftest import Live, live_service, make_settings
from tools.imports.ddl import from_ddl

pytestmark = pytest.mark.asyncio(loop_scope="module")
HERE = Path(__file__).parent.parent / "imports"
PG_DDL = (HERE / "schema.sql").read_text()
TOKENS = ("owner-token-0123456789", "stranger-token-0123456789")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(api_tokens=",".join(TOKENS), redis_url="")):
        yield item


def _as(token: str = TOKENS[0]) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


async def _import(live: Live, ddl: str, dialect: str) -> str:
    req = pb.ImportSchemaRequest(source_kind="sql", source=ddl, dialect=dialect)
    return str((await live.stub.ImportSchema(req, metadata=_as(), timeout=60)).schema_id)


async def _dataset(
    live: Live, token: str = TOKENS[0], **fields: Any
) -> tuple[list[pb.DatasetChunk], dict[str, str]]:
    call = live.stub.GenerateDataset(pb.DatasetRequest(**fields), metadata=_as(token), timeout=120)
    chunks = [c async for c in call]
    return chunks, {k: v for k, v in await call.trailing_metadata() or ()}


async def test_sql_loads_into_postgresql_with_every_constraint_held(
    live: Live, pg: psycopg.Connection[Any]
) -> None:
    schema_id = await _import(live, PG_DDL, "postgres")
    ask = {"schema_id": schema_id, "entities": [pb.EntityCount(entity="customers", count=40)],
           "seed": 5, "output_format": pb.SQL}  # fmt: skip
    chunks, trailers = await _dataset(live, **ask)
    assert chunks[-1].is_final and not any(c.is_final for c in chunks[:-1])
    pg.execute(PG_DDL)
    for c in chunks:  # each chunk is whole statements, executed as it comes
        pg.execute(c.data.encode())
    made = dict(part.split("=") for part in trailers["x-record-counts"].split(","))
    for table, n in made.items():
        assert pg.execute(f"SELECT count(*) FROM {table}").fetchone() == (int(n),), table
    assert int(made["customers"]) == 40 and int(made["orders"]) > 0
    # The cycle (departments.head_id <-> employees) closed by UPDATE after both sides exist.
    assert pg.execute("SELECT count(*) FROM departments WHERE head_id IS NOT NULL").fetchone()[0] > 0  # type: ignore[index]
    again, _ = await _dataset(live, **ask)
    assert [c.data for c in again] == [c.data for c in chunks]  # the same seed, the same bytes


async def test_json_keys_resolve_inside_the_dataset_cycles_included(live: Live) -> None:
    schema_id = await _import(live, PG_DDL, "postgres")
    chunks, _ = await _dataset(
        live, schema_id=schema_id, entities=[pb.EntityCount(entity="customers", count=30)], seed=1
    )
    rows: dict[str, list[dict[str, Any]]] = {}
    for c in chunks:
        rows.setdefault(c.entity, []).extend(json.loads(c.data))
    imported = from_ddl(PG_DDL, "postgres")
    checked = 0
    for name, table in imported.tables.items():
        for fk in table.foreign_keys:
            parents = {tuple(r[c] for c in fk.ref_columns) for r in rows.get(fk.table, [])}
            for r in rows.get(name, []):
                key = tuple(r.get(c) for c in fk.columns)
                if None not in key:
                    assert key in parents, (name, fk.name, key)
                    checked += 1
    assert checked > 100
    heads = [d["head_id"] for d in rows["departments"]]
    assert any(h is not None for h in heads)  # the deferred side was set before the rows were sent


async def test_sql_loads_into_mariadb_and_sqlite(live: Live, mysql_db: str) -> None:  # noqa: F811
    mysql_ddl = (HERE / "schema_mysql.sql").read_text()
    chunks, _ = await _dataset(
        live, schema_id=await _import(live, mysql_ddl, "mysql"), seed=3, output_format=pb.SQL,
        entities=[pb.EntityCount(entity="customers", count=25)],
    )  # fmt: skip
    assert _load_mysql(mysql_db, mysql_ddl).returncode == 0
    loaded = _load_mysql(mysql_db, "".join(c.data for c in chunks))
    assert loaded.returncode == 0, loaded.stderr

    sqlite_ddl = (HERE / "schema_sqlite.sql").read_text()
    chunks, trailers = await _dataset(
        live, schema_id=await _import(live, sqlite_ddl, "sqlite"), seed=3, output_format=pb.SQL,
        entities=[pb.EntityCount(entity="customers", count=25)],
    )  # fmt: skip
    db = sqlite3.connect(":memory:")
    db.executescript("PRAGMA foreign_keys = ON;" + sqlite_ddl)
    for c in chunks:
        db.executescript(c.data)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert (
        f"order_lines={db.execute('SELECT count(*) FROM order_lines').fetchone()[0]}"
        in trailers["x-record-counts"]
    )


async def test_refusals_name_the_field(live: Live) -> None:
    schema_id = await _import(live, PG_DDL, "postgres")
    bad = grpc.StatusCode.INVALID_ARGUMENT

    def rows(entity: str, n: int) -> dict[str, Any]:
        return {"entities": [pb.EntityCount(entity=entity, count=n)]}

    cases = [
        (rows("customers", 5), TOKENS[1], grpc.StatusCode.NOT_FOUND, "schema_id: "),
        (rows("planets", 5), TOKENS[0], bad, "entities[planets]: names no table"),
        (rows("customers", 40_000_000), TOKENS[0], grpc.StatusCode.RESOURCE_EXHAUSTED, "entities: "),
        ({"as_of": "last tuesday"}, TOKENS[0], bad, "as_of: 'last tuesday' is not an RFC 3339 instant"),
        ({"locale": "xx_YY"}, TOKENS[0], bad, "locale: unknown locale"),
        ({"output_format": pb.PARQUET}, TOKENS[0], bad, "output_format: "),
        # JSON holds a self-referencing table until its keys are set: refused before any row, not midway.
        (rows("customers", 200_000), TOKENS[0], bad, "entities: customers has a key set after every table"),
    ]
    for fields, token, code, message in cases:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await _dataset(live, token, schema_id=schema_id, **fields)
        assert info.value.code() == code and (info.value.details() or "").startswith(message), (
            info.value.details()
        )
    person = {"title": "person", "type": "object", "properties": {"name": {"type": "string"}}}
    other = await live.stub.ImportSchema(
        pb.ImportSchemaRequest(source_kind="json_schema", source=json.dumps(person)), metadata=_as()
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _dataset(live, schema_id=other.schema_id, entities=[pb.EntityCount(entity="person", count=3)])
    assert "schema_id: names an import with no tables linked by keys" in (info.value.details() or "")
    # A model-planned request is served from the columns, and says so.
    planned = pb.DatasetRequest(schema_id=schema_id, context="holiday rush", **rows("customers", 2))
    call = live.stub.GenerateDataset(planned, metadata=_as())
    _ = [c async for c in call]
    head = {k: v for k, v in await call.initial_metadata() or ()}
    assert "does not plan it yet" in str(head["x-fallback-reason"])


async def test_a_client_that_leaves_stops_the_work(live: Live) -> None:
    schema_id = await _import(live, PG_DDL, "postgres")
    call = live.stub.GenerateDataset(
        pb.DatasetRequest(
            schema_id=schema_id,
            output_format=pb.SQL,
            entities=[pb.EntityCount(entity="customers", count=200_000)],
        ),
        metadata=_as(),
    )
    async for _ in call:
        break  # one chunk of a dataset of millions of rows, then gone
    call.cancel()
    workers = [t for t in threading.enumerate() if t.name == "imported-dataset"]
    assert workers
    for t in workers:
        await asyncio.to_thread(t.join, 30)
        assert not t.is_alive()


async def test_locale_and_as_of_shape_the_rows_as_for_registry_entities(live: Live) -> None:
    schema_id = await _import(live, PG_DDL, "postgres")
    chunks, _ = await _dataset(
        live, schema_id=schema_id, entities=[pb.EntityCount(entity="customers", count=40)], seed=2,
        locale="de_DE", as_of="2024-06-30T12:00:00Z", output_format=pb.JSONL,
    )  # fmt: skip
    customers = [json.loads(line) for c in chunks if c.entity == "customers" for line in c.data.splitlines()]
    assert len(customers) == 40
    assert max(c["created_at"] for c in customers) <= "2024-06-30T12:00:00Z"  # nothing after the instant
    default, _ = await _dataset(
        live, schema_id=schema_id, entities=[pb.EntityCount(entity="customers", count=40)], seed=2,
        output_format=pb.JSONL,
    )  # fmt: skip
    first = {
        json.loads(line)["first_name"]
        for c in default
        if c.entity == "customers"
        for line in c.data.splitlines()
    }
    assert first != {c["first_name"] for c in customers}  # German names, not the en_US ones
