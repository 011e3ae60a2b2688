"""The service with a real Redis plan cache, and with that Redis stopped mid-run: still served, degraded."""

from __future__ import annotations

import json

import httpx
import pytest
import respx
from pydantic_ai import models

from evals.scripted import FITNESS_PLAN
from protos.testdata.v1 import test_data_pb2 as pb
from service import metrics
from tests.redis_server import private_redis
from tests.service.conftest import live_service, make_settings

URL = "https://api.anthropic.com/v1/messages"


def final() -> httpx.Response:
    plan = {k: v for k, v in FITNESS_PLAN.items() if k != "scenarios"}  # this request has no scenarios
    block = {"type": "tool_use", "id": "toolu_f", "name": "final_result", "input": plan}
    body = {
        "id": "m", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [block],
        "stop_reason": "tool_use", "usage": {"input_tokens": 900, "output_tokens": 100},
    }  # fmt: skip
    return httpx.Response(200, json=body)


@pytest.mark.asyncio
async def test_redis_hit_then_redis_stops_and_requests_are_still_served(respx_mock: respx.MockRouter) -> None:
    api = respx_mock.post(URL)
    respx_mock.route(host="127.0.0.1").pass_through()  # the service's own HTTP endpoints
    api.side_effect = [final(), final()]
    request = pb.GenerateRequest(entity="cart", count=12, seed=3, context="runners and yoga fans")
    with private_redis() as (url, proc), models.override_allow_model_requests(True):
        settings = make_settings(
            anthropic_api_key="sk-ant-x", redis_url=url, redis_timeout_s=0.2, cache_ttl_s=300
        )
        async for live in live_service(settings):
            miss = await live.stub.GenerateData(request)
            hit = await live.stub.GenerateData(request)
            assert (miss.metadata.cache_hit, hit.metadata.cache_hit, api.call_count) == (False, True, 1)
            assert hit.data == miss.data and hit.metadata.llm_tokens_used == 0
            assert (await live.stub.HealthCheck(pb.HealthCheckRequest())).components["cache"] == "ok"

            proc.terminate()
            proc.wait()
            served = await live.stub.GenerateData(request, timeout=10)
            assert served.success and served.metadata.generation_path == "llm"
            assert not served.metadata.cache_hit and api.call_count == 2
            assert len(json.loads(served.data)) == 12
            report = await live.stub.HealthCheck(pb.HealthCheckRequest())
            assert report.status == "degraded" and report.components["cache"] == "unreachable"
            async with httpx.AsyncClient(base_url=live.http) as client:
                text = (await client.get("/metrics")).text
            assert 'testdata_fallbacks_total{reason="cache_unavailable"}' in text
            assert metrics.CACHE_HITS._value.get() >= 1  # process-wide: other tests may have added hits


@pytest.mark.asyncio
async def test_a_dataset_plan_cached_in_redis_serves_another_replica(respx_mock: respx.MockRouter) -> None:
    plan = {"cardinalities": [{"entity": "shipment", "count": [2, 2]}]}
    block = {"type": "tool_use", "id": "toolu_d", "name": "final_result", "input": plan}
    body = {
        "id": "m", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [block],
        "stop_reason": "tool_use", "usage": {"input_tokens": 700, "output_tokens": 50},
    }  # fmt: skip
    api = respx_mock.post(URL)
    api.side_effect = [httpx.Response(200, json=body)]
    request = pb.DatasetRequest(
        entities=[pb.EntityCount(entity="customer", count=12)], seed=4, context="two parcels per order"
    )
    heads, data = [], []
    with private_redis() as (url, _), models.override_allow_model_requests(True):
        settings = make_settings(anthropic_api_key="sk-ant-x", redis_url=url, cache_ttl_s=300)
        for _replica in range(2):
            async for live in live_service(settings):
                call = live.stub.GenerateDataset(request, timeout=20)
                heads.append({k: v for k, v in await call.initial_metadata()})
                data.append([c.data async for c in call])
    assert api.call_count == 1
    assert [h["x-cache-hit"] for h in heads] == ["false", "true"]
    assert heads[1]["x-dataset-plan"] == "shipment.count=2-2" and data[0] == data[1]
