"""ImportSchema, GenerateData with schema_id, DeleteSchema through the real server and channel: SQL
DDL, JSON Schema, OpenAPI, .proto and a descriptor set; scoped to the token; bad input named."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio

from protos.testdata.v1 import test_data_pb2 as pb
from service.proto_sources import compile_protos
from tests.imports.test_jsonschema import OPENAPI, PERSON
from tests.imports.test_proto import COMMON
from tests.service.conftest import Live, live_service, make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
DDL = (Path(__file__).parent.parent / "imports" / "schema.sql").read_text()
TOKENS = ("alpha-token-0123456789", "beta-token-0123456789")
PROTO = """syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";
message Parcel {
  string tracking_number = 1;
  google.protobuf.Timestamp shipped_at = 2;
  repeated string items = 3;
}
"""


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(api_tokens=",".join(TOKENS), redis_url="")):
        yield item


def _as(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


async def _import(live: Live, token: str = TOKENS[0], **fields: Any) -> pb.ImportSchemaResponse:
    return await live.stub.ImportSchema(pb.ImportSchemaRequest(**fields), metadata=_as(token), timeout=60)


async def _rows(
    live: Live, schema_id: str, entity: str, token: str = TOKENS[0], count: int = 30
) -> list[Any]:
    req = pb.GenerateRequest(entity=entity, schema_id=schema_id, count=count, seed=2)
    return json.loads((await live.stub.GenerateData(req, metadata=_as(token), timeout=30)).data)  # type: ignore[no-any-return]


async def test_sql_ddl_imports_every_table_and_generates_by_schema_id(live: Live) -> None:
    wanted = {"customers.first_name": "first_name", "products.name": "product_name"}
    got = await _import(live, source_kind="sql", dialect="postgres", source=DDL, sources=wanted)
    assert got.schema_id.startswith("sch_") and len(got.schema_id) > 30
    assert {s.name for s in got.schemas} >= {"customers", "orders", "order_lines", "shipments", "events"}
    assert got.sources["customers.first_name"] == "first_name" and got.sources["customers.email"] == "email"
    rows = await _rows(live, got.schema_id, "orders")
    assert all(
        r["status"] in ("pending", "paid", "shipped", "cancelled") and r["total"] >= 0.01 for r in rows
    )
    assert "id" not in rows[0]  # an identity column: the database numbers it


async def test_json_schema_openapi_proto_and_descriptor_sets_import(live: Live) -> None:
    person = await _import(live, source_kind="json_schema", source=json.dumps(PERSON))
    assert [s.name for s in person.schemas] == ["person"]
    assert all(18 <= r["age"] <= 99 for r in await _rows(live, person.schema_id, "person"))
    shop = await _import(live, source_kind="openapi", source=json.dumps(OPENAPI))
    assert {s.name for s in shop.schemas} == {"line", "order"} and any("Money" in w for w in shop.warnings)
    assert all(1 <= ln["qty"] <= 5 for r in await _rows(live, shop.schema_id, "Order") for ln in r["lines"])
    parcel = await _import(live, source_kind="proto", source=PROTO)
    assert all(
        r["tracking_number"] and isinstance(r["items"], list)
        for r in await _rows(live, parcel.schema_id, "Parcel")
    )
    data = base64.b64encode(compile_protos({"common.proto": COMMON})).decode()
    with pytest.raises(grpc.aio.AioRpcError) as info:  # a set with no message: nothing to generate
        await _import(live, source_kind="descriptor_set", source=data)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "holds no schema" in (
        info.value.details() or ""
    )


async def test_an_import_is_the_importers_and_goes_when_deleted(live: Live) -> None:
    got = await _import(live, source_kind="json_schema", source=json.dumps(PERSON))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _rows(live, got.schema_id, "person", token=TOKENS[1])
    assert info.value.code() == grpc.StatusCode.NOT_FOUND and "schema_id" in (info.value.details() or "")
    other = await live.stub.DeleteSchema(
        pb.DeleteSchemaRequest(schema_id=got.schema_id), metadata=_as(TOKENS[1])
    )
    assert not other.deleted  # another token cannot delete it either
    mine = await live.stub.DeleteSchema(
        pb.DeleteSchemaRequest(schema_id=got.schema_id), metadata=_as(TOKENS[0])
    )
    assert mine.deleted
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _rows(live, got.schema_id, "person")
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"source_kind": "xml", "source": "<a/>"}, "source_kind: 'xml' is not a source kind"),
        (
            {"source_kind": "sql", "dialect": "oracle", "source": DDL},
            "dialect: 'oracle' is not a SQL dialect",
        ),
        ({"source_kind": "sql", "dialect": "postgres", "source": ""}, "source: is empty"),
        ({"source_kind": "json_schema", "source": "{nope"}, "source: malformed JSON at line 1 column 2"),
        ({"source_kind": "descriptor_set", "source": "***"}, "source: is not base64"),
        (
            {"source_kind": "proto", "source": 'syntax = "proto3"; import "disk/secret.proto";'},
            "does not compile",
        ),
        ({"source_kind": "sql", "dialect": "postgres", "source": "x" * 2_000_001}, "source"),
        (
            {"source_kind": "sql", "dialect": "postgres", "source": "CREATE TABLE t (a int);" * 2001},
            "source: holds 2,001 statements; at most 2,000 are read at once",
        ),
        ({"source_kind": "json_schema", "source": "[" * 5000 + "]" * 5000}, "source: nests deeper than"),
        ({"source_kind": "openapi", "source": '{"openapi": "3.0.0", "x": NaN}'}, "not a finite number"),
        (
            {"source_kind": "json_schema", "source": json.dumps(PERSON), "sources": {"person.nope": "email"}},
            "sources: names fields the schema lacks: ['person.nope']",
        ),
    ],
)
async def test_bad_imports_are_invalid_argument_naming_the_field(
    live: Live, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _import(live, **fields)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and message in (info.value.details() or "")


async def test_schema_id_with_another_schema_or_for_a_dataset_is_refused(live: Live) -> None:
    got = await _import(live, source_kind="json_schema", source=json.dumps(PERSON))
    both = pb.GenerateRequest(entity="person", schema_id=got.schema_id, custom_schema=json.dumps(PERSON))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await live.stub.GenerateData(both, metadata=_as(TOKENS[0]))
    assert "schema_id: comes with another schema" in (info.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _rows(live, got.schema_id, "people")
    assert "entity: names no schema of this import ('people')" in (info.value.details() or "")
    call = live.stub.GenerateDataset(
        pb.DatasetRequest(entities=[pb.EntityCount(entity="person", count=3)], schema_id=got.schema_id),
        metadata=_as(TOKENS[0]),
    )
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _ in call:
            pass
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "no tables linked by keys" in (
        info.value.details() or ""
    )  # a JSON Schema import has no graph; SQL's: tests/service/test_imported_dataset.py
    health = await live.stub.HealthCheck(pb.HealthCheckRequest())
    assert health.status in ("healthy", "degraded")  # the server keeps serving


async def test_with_redis_an_import_is_seen_by_every_replica_and_expires_in_a_day() -> None:
    import redis.asyncio as aioredis

    from tests.redis_server import private_redis

    with private_redis() as (url, _proc):
        settings = make_settings(redis_url=url)
        async for one in live_service(settings):
            got = await one.stub.ImportSchema(
                pb.ImportSchemaRequest(source_kind="json_schema", source=json.dumps(PERSON))
            )
            async for two in live_service(settings):  # a second server: another replica
                req = pb.GenerateRequest(entity="person", schema_id=got.schema_id, count=5, seed=1)
                rows = json.loads((await two.stub.GenerateData(req)).data)
                assert len(rows) == 5
        client = aioredis.Redis.from_url(url)
        keys = [k async for k in client.scan_iter("*schema*")]
        assert len(keys) == 1 and 86_000 < await client.ttl(keys[0]) <= 86_400
        assert got.schema_id.encode() in keys[0]
        await client.aclose()
