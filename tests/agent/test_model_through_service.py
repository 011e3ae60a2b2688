"""The real Anthropic SDK (HTTP mocked with respx) behind the real gRPC service: what is sent, what is
reported, the plan cache, and a fallback with the right reason for every failure mode."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import grpc
import httpx
import pytest
import pytest_asyncio
import respx

from evals.scripted import FITNESS_PLAN
from protos.testdata.v1 import test_data_pb2 as pb
from tests.agent.conftest import KEY, model_service
from tests.service.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")


def message(
    content: list[dict[str, Any]], stop: str = "tool_use", tokens: tuple[int, int] = (1200, 300)
) -> dict:
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-6",
        "content": content,
        "stop_reason": stop,
        "usage": {"input_tokens": tokens[0], "output_tokens": tokens[1]},
    }


def final(plan: dict[str, Any], tokens: tuple[int, int] = (1200, 300)) -> httpx.Response:
    block = {"type": "tool_use", "id": "toolu_final", "name": "final_result", "input": plan}
    return httpx.Response(200, json=message([block], tokens=tokens))


def error(status: int, kind: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status, headers=headers, json={"type": "error", "error": {"type": kind, "message": kind}}
    )


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in model_service(
        model_max_retries=1,
        model_timeout_s=3.0,
        model_token_budget=50_000,
        model_auth_backoff_s=0.5,
    ):
        yield item


def cart_request(context: str, **fields: Any) -> pb.GenerateRequest:
    base: dict[str, Any] = {
        "entity": "cart",
        "count": 20,
        "seed": 5,
        "context": context,
        "scenarios": [pb.Scenario(name="happy_path", count=15), pb.Scenario(name="high_value", count=5)],
    }
    base.update(fields)
    return pb.GenerateRequest(**base)


async def test_a_plan_from_claude_what_was_sent_and_what_is_reported(
    live: Live, api: respx.Route, capfd: pytest.CaptureFixture[str]
) -> None:
    api.side_effect = [final(FITNESS_PLAN)]
    response = await live.stub.GenerateData(cart_request("home gym shoppers, fitness fans"), timeout=10)
    meta = response.metadata
    assert (meta.generation_path, meta.fallback_reason, meta.cache_hit) == ("llm", "", False)
    assert meta.llm_tokens_used == 1500 and meta.llm_requests == 1
    sent = api.calls[0].request
    body = json.loads(sent.content)
    assert body["model"] == "claude-sonnet-4-6" and body["max_tokens"] == 8192
    assert {t["name"] for t in body["tools"]} >= {
        "lookup_schema",
        "check_plan",
        "final_result",
    }
    user_text = json.dumps(body["messages"])
    assert '<data label=\\"context\\">\\nhome gym shoppers, fitness fans\\n</data>' in user_text
    system = json.dumps(body["system"])
    assert "Schema summary" in system and "items[].price" in system
    assert KEY in (sent.headers.get("authorization", "") + sent.headers.get("x-api-key", ""))
    assert KEY not in sent.content.decode()
    rows = json.loads(response.data)
    assert all(i["price"] >= 150 for r in rows if r["_scenario"] == "high_value" for i in r["items"])
    assert KEY not in capfd.readouterr().out


async def test_the_cached_plan_serves_any_count_at_no_cost_and_reproduces_rows(
    live: Live, api: respx.Route
) -> None:
    kitchen = {**FITNESS_PLAN, "themes": {"kitchen": 1}}  # what a fresh plan may say instead
    api.side_effect = [final(FITNESS_PLAN), final(kitchen)]
    first = await live.stub.GenerateData(cart_request("cache me: yoga and running"))
    hit = await live.stub.GenerateData(cart_request("cache me: yoga and running"))
    bigger = await live.stub.GenerateData(
        cart_request(
            "cache me: yoga and running",
            count=0,
            scenarios=[pb.Scenario(name="happy_path", count=150), pb.Scenario(name="high_value", count=50)],
        )
    )
    assert api.call_count == 1
    assert (first.metadata.cache_hit, hit.metadata.cache_hit, bigger.metadata.cache_hit) == (
        False,
        True,
        True,
    )
    assert hit.metadata.llm_tokens_used == 0 and hit.metadata.generation_path == "llm"
    assert hit.data == first.data
    skip = await live.stub.GenerateData(cart_request("cache me: yoga and running", use_cache=False))
    assert api.call_count == 2 and not skip.metadata.cache_hit and skip.data != first.data
    again = await live.stub.GenerateData(cart_request("cache me: yoga and running"))
    assert again.metadata.cache_hit and again.data == first.data  # the fresh plan replaced nothing


FAILURES = [
    (
        "rate limited",
        lambda: [error(429, "rate_limit_error", {"retry-after": "0"})] * 3,
        "rate limited (429)",
    ),
    ("overloaded", lambda: [error(529, "overloaded_error")] * 3, "overloaded (529)"),
    ("server error", lambda: [error(500, "api_error")] * 3, "model API failed (500)"),
    ("not JSON", lambda: [httpx.Response(200, text="<html>bad gateway</html>")] * 3, "not JSON"),
    (
        "malformed tool call",
        lambda: (
            [
                httpx.Response(
                    200, json=message([{"type": "tool_use", "id": "t", "name": "nope", "input": {}}])
                )
            ]
            * 9
        ),
        "invalid plan after retries",
    ),
    (
        "invalid plan after retries",
        # No row can be made from it (a ghost scenario is only dropped now, not fatal).
        lambda: [final({"fields": [{"path": "total", "min": 4000, "max": 4000.01}]})] * 9,
        "invalid plan after retries",
    ),
    ("budget exceeded", lambda: [final(FITNESS_PLAN, tokens=(60_000, 10))], "budget exceeded"),
]


@pytest.mark.parametrize(("name", "responses", "reason"), FAILURES, ids=[f[0] for f in FAILURES])
async def test_failures_fall_back_with_the_reason(
    live: Live, api: respx.Route, name: str, responses: Any, reason: str
) -> None:
    api.side_effect = responses()
    response = await live.stub.GenerateData(cart_request(f"failure case {name}"), timeout=10)
    meta = response.metadata
    assert response.success and meta.generation_path == "traditional"
    assert "deterministic planner served" in meta.fallback_reason
    assert reason in meta.fallback_reason
    assert len(json.loads(response.data)) == 20


async def test_rate_limit_with_retry_after_is_honoured_then_served_by_the_model(
    live: Live, api: respx.Route
) -> None:
    api.side_effect = [error(429, "rate_limit_error", {"retry-after": "0"}), final(FITNESS_PLAN)]
    response = await live.stub.GenerateData(cart_request("retry after a 429"), timeout=10)
    assert response.metadata.generation_path == "llm" and api.call_count == 2


async def test_a_slow_model_times_out_inside_the_deadline(live: Live, api: respx.Route) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return final(FITNESS_PLAN)

    api.side_effect = slow
    response = await live.stub.GenerateData(cart_request("a slow model"), timeout=10)
    assert response.metadata.generation_path == "traditional"
    assert "timeout: no plan within 3.0 s" in response.metadata.fallback_reason


async def test_a_tight_client_deadline_still_gets_data(live: Live, api: respx.Route) -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return final(FITNESS_PLAN)

    api.side_effect = slow
    response = await live.stub.GenerateData(cart_request("deadline"), timeout=1.5)
    assert response.success and "timeout" in response.metadata.fallback_reason


async def test_401_falls_back_and_health_says_degraded(live: Live, api: respx.Route) -> None:
    api.side_effect = [error(401, "authentication_error")]
    response = await live.stub.GenerateData(cart_request("bad key"), timeout=10)
    assert "authentication failed (401)" in response.metadata.fallback_reason
    report = await live.stub.HealthCheck(pb.HealthCheckRequest())
    assert report.status == "degraded" and report.components["model"] == "error"
    assert KEY not in report.components["model"]
    # Within the back-off the rejected key is not sent again: no call, the same reason, at once.
    again = await live.stub.GenerateData(cart_request("bad key, asked again"), timeout=10)
    assert api.call_count == 1 and "the model is not asked again for" in again.metadata.fallback_reason
    await asyncio.sleep(0.6)  # past MODEL_AUTH_BACKOFF_S: the key is tried again
    api.side_effect = [final(FITNESS_PLAN)]
    fixed = await live.stub.GenerateData(cart_request("good key again"), timeout=10)
    assert fixed.metadata.generation_path == "llm" and api.call_count == 2
    assert (await live.stub.HealthCheck(pb.HealthCheckRequest())).status == "healthy"


async def test_grpc_status_stays_ok_for_every_fallback(live: Live, api: respx.Route) -> None:
    api.side_effect = [error(500, "api_error")] * 3
    try:
        await live.stub.GenerateData(cart_request("still ok"), timeout=10)
    except grpc.aio.AioRpcError as exc:  # pragma: no cover - the assertion below explains
        raise AssertionError(f"a model failure must not fail the request: {exc.code()}") from exc


async def test_a_stream_says_how_it_was_planned_before_its_first_row(live: Live, api: respx.Route) -> None:
    api.side_effect = [error(500, "api_error")] * 2 + [final(FITNESS_PLAN)]
    fell = live.stub.GenerateDataStream(cart_request("a stream the model fails"), timeout=10)
    head = await fell.initial_metadata()
    assert head.get("x-generation-path") == "traditional" and "500" in head.get("x-fallback-reason"), head
    assert head.get("x-cache-hit") == "false" and head.get("x-seed") == "5"
    assert [c async for c in fell]  # rows still come
    planned = live.stub.GenerateDataStream(cart_request("home gym shoppers streaming"), timeout=10)
    head = await planned.initial_metadata()
    assert (head.get("x-generation-path"), head.get("x-fallback-reason")) == ("llm", "")
    assert head.get("x-llm-tokens-used") == "1500" and head.get("x-examples-used") == ""
    assert [c async for c in planned]


async def test_hybrid_shows_stored_examples_as_data_and_imitates_the_ones_the_plan_names(
    live: Live, api: respx.Route
) -> None:
    from agent.request import DataRequest
    from tests.helpers import rows_for

    records = [
        {k: v for k, v in r.items() if not k.startswith("_")}
        for r in rows_for(DataRequest(entity="cart", count=2, seed=77, context="gaming"))
    ]
    example = pb.Example(
        entity="cart", kind="pattern", scenario="wombatcon", description="wombatcon gamer carts",
        data=json.dumps(records), quality_score=1.0,
    )  # fmt: skip
    assert (await live.stub.AddExamples(pb.AddExamplesRequest(examples=[example]))).added == 1

    def plan_naming_the_example(request: httpx.Request) -> httpx.Response:
        prompt = json.dumps(json.loads(request.content)["messages"])
        ids = re.findall(r"example (pat-[0-9a-f]+) \(pattern\)", prompt)
        return final({"summary": "imitate the stored wombatcon carts", "examples": ids[:1]})

    api.side_effect = plan_naming_the_example
    request = cart_request("wombatcon gamer carts", generation_method=pb.HYBRID, scenarios=[], count=40)
    response = await live.stub.GenerateData(request, timeout=10)
    assert (response.metadata.generation_path, response.metadata.fallback_reason) == ("hybrid", "")
    sent = json.dumps(json.loads(api.calls[0].request.content)["messages"])
    assert '<data label=\\"example pat-' in sent
    skus = {i["sku"] for r in records for i in r["items"]}
    rows = json.loads(response.data)
    assert sum(1 for r in rows if {i["sku"] for i in r["items"]} <= skus) > len(rows) / 3
