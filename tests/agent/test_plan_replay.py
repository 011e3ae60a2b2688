"""Stored examples on the model path, through the real gRPC service and the real Anthropic SDK (HTTP
mocked with respx): a cache hit replays the examples the plan imitates byte for byte, even those the
model found with its own retrieve_examples and even after they leave the store; learn_from_history
shows the examples on the LLM route; `examples_used` says which ones the rows imitate, and a plan that
ignores the examples it was shown says so."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx

from agent.request import DataRequest
from protos.testdata.v1 import test_data_pb2 as pb
from service import metrics
from tests.agent.conftest import model_service
from tests.agent.test_model_through_service import final, message
from tests.helpers import rows_for
from tests.service.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")
EXAMPLE_ID = re.compile(r"pat-[0-9a-f]{24}")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in model_service(model_max_retries=0, model_timeout_s=10.0):
        yield item


def records(context: str, seed: int) -> list[dict[str, Any]]:
    rows = rows_for(DataRequest(entity="cart", count=2, seed=seed, context=context))
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]


async def add_example(live: Live, scenario: str, description: str, data: list[dict[str, Any]]) -> str:
    example = pb.Example(
        entity="cart", kind="pattern", scenario=scenario, description=description,
        data=json.dumps(data), quality_score=1.0,
    )  # fmt: skip
    assert (await live.stub.AddExamples(pb.AddExamplesRequest(examples=[example]))).added == 1
    listed = await live.stub.ListExamples(pb.ListExamplesRequest(entity="cart", limit=1000))
    return next(e.id for e in listed.examples if e.scenario == scenario)


def skus_of(data: list[dict[str, Any]]) -> set[str]:
    return {i["sku"] for r in data for i in r["items"]}


def imitating(rows: list[dict[str, Any]], skus: set[str]) -> int:
    return sum(1 for r in rows if {i["sku"] for i in r["items"]} <= skus)


def request(context: str, **fields: Any) -> pb.GenerateRequest:
    return pb.GenerateRequest(**{"entity": "cart", "count": 40, "seed": 11, "context": context, **fields})


async def test_a_cache_hit_replays_the_examples_the_model_found_itself_byte_for_byte(
    live: Live, api: respx.Route
) -> None:
    data = records("gaming", 77)
    example_id = await add_example(live, "wombatcon", "wombatcon gamer carts", data)

    def model(sent: httpx.Request) -> httpx.Response:
        body = json.loads(sent.content)
        results = [
            block
            for m in body["messages"]
            if isinstance(m["content"], list)
            for block in m["content"]
            if block.get("type") == "tool_result"
        ]
        if not results:  # first round trip: look for examples with the agent's own tool
            call = {"query": "wombatcon gamer carts", "kind": "pattern"}
            block = {"type": "tool_use", "id": "toolu_r", "name": "retrieve_examples", "input": call}
            return httpx.Response(200, json=message([block]))
        found = EXAMPLE_ID.findall(json.dumps(results))
        return final({"summary": "imitate the wombatcon carts", "examples": found[:1]})

    api.side_effect = model
    # No learn_from_history: nothing is shown in the prompt, the model retrieves on its own.
    first = await live.stub.GenerateData(request("wombatcon convention carts"), timeout=15)
    meta = first.metadata
    assert (meta.generation_path, meta.fallback_reason, meta.cache_hit) == ("llm", "", False)
    assert list(meta.examples_used) == [example_id] and api.call_count == 2
    rows = json.loads(first.data)
    assert imitating(rows, skus_of(data)) > len(rows) / 3  # the rows do imitate the example

    hit = await live.stub.GenerateData(request("wombatcon convention carts"), timeout=15)
    assert hit.metadata.cache_hit and api.call_count == 2
    assert list(hit.metadata.examples_used) == [example_id]
    assert hit.data == first.data

    # The cache holds the example's content, not a pointer into the store: gone from the store, the
    # hit still gives the same bytes.
    deleted = await live.stub.DeleteExamples(pb.DeleteExamplesRequest(ids=[example_id]))
    assert deleted.deleted == 1
    after = await live.stub.GenerateData(request("wombatcon convention carts"), timeout=15)
    assert after.metadata.cache_hit and api.call_count == 2 and after.data == first.data


async def test_learn_from_history_on_the_llm_route_shows_the_examples_and_reports_their_use(
    live: Live, api: respx.Route
) -> None:
    data = records("pets", 88)
    example_id = await add_example(live, "ottermart", "ottermart pet shop carts", data)

    def naming_the_shown_example(sent: httpx.Request) -> httpx.Response:
        prompt = json.dumps(json.loads(sent.content)["messages"][0])
        shown = re.findall(r"example (pat-[0-9a-f]{24}) \(pattern\)", prompt)
        return final({"summary": "imitate ottermart", "examples": shown[:1]})

    api.side_effect = naming_the_shown_example
    asked = request("ottermart pet shop carts", learn_from_history=True)
    response = await live.stub.GenerateData(asked, timeout=15)
    meta = response.metadata
    assert (meta.generation_path, meta.fallback_reason) == ("llm", "")
    assert list(meta.examples_used) == [example_id]
    user_turn = json.dumps(json.loads(api.calls[0].request.content)["messages"][0])
    assert f'<data label=\\"example {example_id} (pattern)\\">' in user_turn
    assert "ottermart pet shop carts" in user_turn  # the example's content, fenced
    rows = json.loads(response.data)
    assert imitating(rows, skus_of(data)) > len(rows) / 3

    # Without the flag, the LLM route shows no examples.
    api.side_effect = [final({"summary": "plain carts"})]
    await live.stub.GenerateData(request("ottermart pet shop carts, plainly"), timeout=15)
    assert "(pattern)" not in json.dumps(json.loads(api.calls[-1].request.content)["messages"][0])


async def test_a_plan_that_ignores_the_examples_it_was_shown_says_so(live: Live, api: respx.Route) -> None:
    await add_example(live, "badgerbuy", "badgerbuy hardware carts", records("garden", 99))
    ignored = metrics.FALLBACKS.labels(reason="examples_ignored")
    before = ignored._value.get()
    api.side_effect = [final({"summary": "carts, no examples"})]
    response = await live.stub.GenerateData(
        request("badgerbuy hardware carts", learn_from_history=True), timeout=15
    )
    meta = response.metadata
    assert meta.generation_path == "llm" and not meta.cache_hit and list(meta.examples_used) == []
    assert "were shown to the model" in meta.fallback_reason
    assert "its plan imitates none of them" in meta.fallback_reason
    assert "deterministic planner served" not in meta.fallback_reason  # a note, not a fallback
    assert ignored._value.get() == before + 1
    # The cache hit says the same.
    again = await live.stub.GenerateData(request("badgerbuy hardware carts", learn_from_history=True))
    assert again.metadata.cache_hit and again.metadata.fallback_reason == meta.fallback_reason
    assert again.data == response.data


async def test_the_rag_path_lists_the_examples_it_imitates(live: Live, api: respx.Route) -> None:
    example_id = await add_example(live, "stoatstore", "stoatstore toy carts", records("toys", 66))
    response = await live.stub.GenerateData(
        request("stoatstore toy carts", learn_from_history=True, generation_method=pb.RAG), timeout=15
    )
    assert response.metadata.generation_path == "rag" and api.call_count == 0
    assert example_id in response.metadata.examples_used


async def test_a_plan_naming_an_example_nobody_retrieved_is_told(live: Live, api: respx.Route) -> None:
    api.side_effect = [final({"summary": "made up", "examples": ["pat-000000000000000000000000"]})]
    response = await live.stub.GenerateData(request("carts with an invented example"), timeout=15)
    meta = response.metadata
    assert meta.generation_path == "llm" and list(meta.examples_used) == []
    assert (
        "pat-000000000000000000000000" in meta.fallback_reason
        and "no retrieval returned" in meta.fallback_reason
    )


async def test_what_the_check_dropped_is_said_on_the_miss_and_on_the_hit(
    live: Live, api: respx.Route
) -> None:
    plan = {"summary": "carts", "themes": {"fitness": 3}, "scenarios": [{"name": "ghost_scenario"}]}
    api.side_effect = [final(plan)]
    first = await live.stub.GenerateData(request("carts with a ghost scenario"), timeout=15)
    hit = await live.stub.GenerateData(request("carts with a ghost scenario"), timeout=15)
    assert api.call_count == 1 and hit.metadata.cache_hit
    for meta in (first.metadata, hit.metadata):
        assert meta.generation_path == "llm"
        assert "the plan check dropped: scenario plan 'ghost_scenario'" in meta.fallback_reason
    assert hit.data == first.data
