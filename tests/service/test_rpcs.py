"""Every RPC through a real channel: data, metadata, schemas, health, reflection, HTTP."""

from __future__ import annotations

import asyncio
import csv
import io
import json

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live
from tools.seeds import ENGINE_VERSION

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_generate_data_returns_rows_and_honest_metadata(live: Live) -> None:
    request = pb.GenerateRequest(
        request_id="req-1",
        entity="cart",
        count=10,
        seed=42,
        scenarios=[
            pb.Scenario(name="happy_path", count=7),
            pb.Scenario(name="high_value", count=2),
            pb.Scenario(name="single_item", count=1, overrides={"items": "1"}),
        ],
    )
    response = await live.stub.GenerateData(request)
    rows = json.loads(response.data)
    assert response.success and response.request_id == "req-1" and response.record_count == 10
    meta = response.metadata
    assert meta.generation_path == "traditional" and meta.fallback_reason == ""
    assert dict(meta.scenario_counts) == {"happy_path": 7, "high_value": 2, "single_item": 1}
    # Coherence is the meter's share (tools/coherence.py): now and then a basket mixes an affine theme.
    assert meta.seed == 42 and 0.9 <= meta.coherence_score <= 1.0
    assert meta.prompt_version and meta.llm_tokens_used == 0
    assert [r["_scenario"] for r in rows].count("happy_path") == 7
    assert len(rows[-1]["items"]) == 1
    # The rows' quality report in brief (tools/report.py), computed as they were written.
    report = json.loads(meta.report_json)
    assert report["rows"] == 10 and report["rule_pass_rate"] == 1.0
    assert report["scenarios"] == {"happy_path": 7, "high_value": 2, "single_item": 1}
    negative = await live.stub.GenerateData(
        pb.GenerateRequest(entity="cart", count=20, seed=1, negative=True)
    )
    assert json.loads(negative.metadata.report_json)["rule_pass_rate"] == 0.0
    again = await live.stub.GenerateData(request)
    assert again.data == response.data


async def test_the_engine_version_is_reported_and_a_larger_count_extends_a_smaller_one(live: Live) -> None:
    request = pb.GenerateRequest(entity="order", count=40, seed=9, output_format=pb.JSONL)
    small = await live.stub.GenerateData(request)
    assert small.metadata.engine_version == ENGINE_VERSION
    request.count = 2500  # three blocks, streamed in chunks
    call = live.stub.GenerateDataStream(request)
    streamed = "".join([chunk.data async for chunk in call])
    assert (await call.initial_metadata()).get("x-engine-version") == ENGINE_VERSION
    assert streamed.startswith(small.data) and streamed.count("\n") == 2500


async def test_as_of_is_echoed_shapes_the_statuses_and_a_bad_one_names_the_field(live: Live) -> None:
    plain = await live.stub.GenerateData(pb.GenerateRequest(entity="order", count=50, seed=3))
    assert plain.metadata.as_of == "2025-12-31T23:59:59Z"  # the fixed default: reproducible bytes
    request = pb.GenerateRequest(entity="order", count=50, seed=3, as_of="2027-03-01T09:30:00+01:00")
    seen = await live.stub.GenerateData(request)
    assert seen.metadata.as_of == "2027-03-01T08:30:00Z"  # converted to UTC
    rows = json.loads(seen.data)
    assert all(r["created_at"] <= "2027-03-01T08:30:00Z" for r in rows)
    assert any(r["created_at"] >= "2026" for r in rows) and rows != json.loads(plain.data)
    call = live.stub.GenerateDataStream(request)
    assert [c async for c in call] and (await call.initial_metadata()).get(
        "x-as-of"
    ) == "2027-03-01T08:30:00Z"
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await live.stub.GenerateData(pb.GenerateRequest(entity="order", count=5, as_of="next tuesday"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "as_of" in (err.value.details() or "") and "RFC 3339" in (err.value.details() or "")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        bad = pb.DatasetRequest(
            entities=[pb.EntityCount(entity="customer", count=2)], as_of="2026-13-01T00:00:00Z"
        )
        [c async for c in live.stub.GenerateDataset(bad)]
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "as_of" in (err.value.details() or "")


async def test_seed_is_picked_and_reported_when_absent(live: Live) -> None:
    first = await live.stub.GenerateData(pb.GenerateRequest(entity="review", count=5))
    replay = await live.stub.GenerateData(
        pb.GenerateRequest(entity="review", count=5, seed=first.metadata.seed)
    )
    assert replay.data == first.data


async def test_asking_for_the_llm_without_a_key_falls_back_and_says_why(live: Live) -> None:
    request = pb.GenerateRequest(entity="cart", count=3, seed=1, generation_method=pb.LLM)
    response = await live.stub.GenerateData(request)
    assert response.metadata.generation_path == "traditional"
    assert "ANTHROPIC_API_KEY" in response.metadata.fallback_reason


async def test_formats_over_the_wire(live: Live) -> None:
    csv_text = (
        await live.stub.GenerateData(pb.GenerateRequest(entity="payment", count=5, output_format=pb.CSV))
    ).data
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == 5
    jsonl = (
        await live.stub.GenerateData(pb.GenerateRequest(entity="payment", count=5, output_format=pb.JSONL))
    ).data
    assert len([json.loads(line) for line in jsonl.splitlines()]) == 5
    sql = (
        await live.stub.GenerateData(pb.GenerateRequest(entity="payment", count=5, output_format=pb.SQL))
    ).data
    assert sql.startswith('CREATE TABLE IF NOT EXISTS "payment"') and sql.count("INSERT INTO") == 1


async def test_request_id_comes_from_metadata_when_the_request_has_none(live: Live) -> None:
    call = live.stub.GenerateData(
        pb.GenerateRequest(entity="cart", count=1), metadata=[("x-request-id", "abc-9")]
    )
    assert (await call).request_id == "abc-9"


async def test_proto_field_list_schema(live: Live) -> None:
    schema = pb.Schema(
        fields=[
            pb.Field(name="email", type=pb.EMAIL, required=True),
            pb.Field(name="signup", type=pb.DATE, required=True),
            pb.Field(
                name="tags",
                type=pb.ARRAY,
                nested_fields=[pb.Field(name="label", type=pb.STRING, required=True)],
            ),
            pb.Field(name="home", type=pb.ADDRESS, required=True),
        ]
    )
    rows = json.loads(
        (await live.stub.GenerateData(pb.GenerateRequest(entity="lead", schema=schema, count=5))).data
    )
    assert all("@" in r["email"] and set(r["home"]) >= {"street", "city", "zip"} for r in rows)
    assert all(isinstance(t["label"], str) for r in rows for t in r["tags"])


async def test_get_schemas_filters_by_domain_and_shows_examples(live: Live) -> None:
    response = await live.stub.GetSchemas(pb.GetSchemasRequest(domain="ecommerce"))
    by_name = {s.name: s for s in response.schemas}
    assert len(by_name) == 36
    fields = {f.name: f for f in by_name["cart"].fields}
    assert fields["cart_id"].example == "CRT-2025-AB12CD3" and fields["cart_id"].required
    assert fields["items[].price"].type == "money" and fields["total"].description
    # Each field's constraints and each entity's rules, for a client (or the playground) to show.
    assert json.loads(fields["items[].quantity"].constraints_json) == {
        "min": 1.0,
        "max": 5.0,
        "source": "product.quantity",
    }
    assert json.loads(fields["cart_id"].constraints_json)["unique"] is True
    rules = list(by_name["cart"].rules)
    assert "order created_at <= updated_at" in rules and any(r.startswith("total = ") for r in rules)
    assert not (await live.stub.GetSchemas(pb.GetSchemasRequest(domain="banking"))).schemas


async def test_health_rpc_standard_health_and_reflection(live: Live) -> None:
    report = await live.stub.HealthCheck(pb.HealthCheckRequest())
    assert report.status == "healthy"
    assert dict(report.components) == {
        "engine": "ok",
        "cache": "ok",
        "examples": "ok",
        "model": "disabled",
    }
    health = health_pb2_grpc.HealthStub(live.channel)
    for service in ("", "testdata.v1.TestDataService"):
        reply = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    services = await asyncio.to_thread(_reflected_services, live.service.grpc_port)
    assert "testdata.v1.TestDataService" in services and "grpc.health.v1.Health" in services


def _reflected_services(port: int) -> list[str]:
    # A blocking client: run it off the loop that serves the server.
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        return list(ProtoReflectionDescriptorDatabase(channel).get_services())


async def test_http_health_ready_live_and_metrics(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as client:
        health = (await client.get("/health")).json()
        assert health["status"] == "healthy" and health["version"] and health["components"]["engine"] == "ok"
        assert (await client.get("/health/live")).status_code == 200
        assert (await client.get("/health/ready")).status_code == 200
        await live.stub.GenerateData(pb.GenerateRequest(entity="order", count=4))
        text = (await client.get("/metrics")).text
    assert 'testdata_requests_total{method="GenerateData",path="traditional",status="OK"}' in text
    assert 'testdata_records_generated_total{domain="ecommerce",entity="order"}' in text
    assert "testdata_generation_duration_seconds_bucket" in text and "testdata_coherence_score" in text
    assert "testdata_cache_hits_total" in text and "testdata_fallbacks_total" in text


async def test_cli_against_the_server_streams_one_document(live: Live, tmp_path: object) -> None:
    from pathlib import Path

    from service.cli import main

    out = Path(str(tmp_path)) / "orders.json"
    args = ["generate", "order", "--count", "2500", "--seed", "4", "--chunk-size", "1000"]
    args += ["--server", f"127.0.0.1:{live.service.grpc_port}", "--out", str(out)]
    assert await asyncio.to_thread(main, args) == 0
    remote = json.loads(out.read_text())
    local = json.loads(
        (await live.stub.GenerateData(pb.GenerateRequest(entity="order", count=2500, seed=4))).data
    )
    assert remote == local


async def test_max_sync_records_fit_in_one_message(live: Live) -> None:
    options = [("grpc.max_receive_message_length", 64 * 1024 * 1024)]
    async with grpc.aio.insecure_channel(f"127.0.0.1:{live.service.grpc_port}", options=options) as channel:
        from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc

        stub = pb_grpc.TestDataServiceStub(channel)
        response = await stub.GenerateData(pb.GenerateRequest(entity="user", count=10_000, seed=1))
    assert response.record_count == 10_000 and len(response.data) > 4 * 1024 * 1024
