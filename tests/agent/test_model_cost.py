"""What the model costs, through the real gRPC service and the real Anthropic SDK (HTTP mocked with
respx): prompt caching in the bodies sent, failed plans remembered for a while (and transient failures
not), the reason a refused plan carries, the time left for the fallback before a deadline, and cache
entries of an older release read as a miss."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import respx
from pydantic_ai import models
from pydantic_ai.exceptions import UnexpectedModelBehavior
from pydantic_ai.models.test import TestModel
from pydantic_ai.usage import RunUsage

from agent.model_planner import (
    MAX_REASON_CHARS,
    ModelPlan,
    ModelPlanner,
    PlannerSettings,
    classify,
    model_time,
    read_entry,
)
from agent.plan import GenerationPlan
from evals.scripted import FITNESS_PLAN
from retrieval.cache import MemoryCache
from tests.agent.conftest import model_service
from tests.agent.test_dataset_agent import RUSH, dataset, fetch
from tests.agent.test_model_through_service import cart_request, error, final, message
from tests.service.conftest import Live
from tools.registry import default_registry

pytestmark = pytest.mark.asyncio(loop_scope="module")
# No row can be made from it: the check refuses it (a ghost scenario alone is only dropped).
FATAL = {"fields": [{"path": "total", "min": 4000, "max": 4000.01}], "scenarios": [{"name": "ghost"}]}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in model_service(
        model_max_retries=0,
        model_timeout_s=5.0,
        model_token_budget=50_000,
        max_stream_records=200_000,
    ):
        yield item


def body(api: respx.Route, index: int) -> dict[str, Any]:
    return json.loads(api.calls[index].request.content)


def breakpoints(sent: dict[str, Any]) -> list[str]:
    """Where the body puts cache_control, in prefix order (tools, system, messages)."""
    out = [f"tool:{t['name']}" for t in sent["tools"] if "cache_control" in t]
    system = sent["system"] if isinstance(sent["system"], list) else []
    out += [f"system:{i}" for i, b in enumerate(system) if "cache_control" in b]
    for m, turn in enumerate(sent["messages"]):
        blocks = turn["content"] if isinstance(turn["content"], list) else []
        out += [f"message:{m}:{b['type']}" for b in blocks if "cache_control" in b]
    return out


async def test_instructions_tools_and_the_conversation_are_cached(live: Live, api: respx.Route) -> None:
    check = {"type": "tool_use", "id": "toolu_c", "name": "check_plan", "input": {"plan": FITNESS_PLAN}}
    api.side_effect = [httpx.Response(200, json=message([check])), final(FITNESS_PLAN)]
    response = await live.stub.GenerateData(cart_request("prompt caching: fitness"), timeout=10)
    assert response.metadata.generation_path == "llm" and api.call_count == 2
    first, second = body(api, 0), body(api, 1)
    # The static instructions (the first system block) and the last tool definition: the prefix every
    # plan shares; and the last block of the conversation, which the next round trip reads.
    assert first["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}
    assert "cache_control" in first["tools"][-1] and first["tools"][-1]["name"] == "accept_checked_plan"
    assert breakpoints(first) == ["tool:accept_checked_plan", "system:0", "message:0:text"]
    assert breakpoints(second) == ["tool:accept_checked_plan", "system:0", "message:2:tool_result"]
    assert len(breakpoints(second)) <= 4  # Anthropic's limit
    # The shared prefix is byte-identical from one round trip to the next (else the cache never hits).
    assert first["tools"] == second["tools"] and first["system"] == second["system"]
    # No extended thinking: the plan is a forced tool call, which the API refuses with thinking.
    assert "thinking" not in first and first["tool_choice"] == {"type": "any"}


async def test_a_checked_plan_is_accepted_without_being_written_again(live: Live, api: respx.Route) -> None:
    accept = {"type": "tool_use", "id": "toolu_a", "name": "accept_checked_plan", "input": {}}
    check = {"type": "tool_use", "id": "toolu_c", "name": "check_plan", "input": {"plan": FITNESS_PLAN}}
    # Accepting before any check is sent back; after the check, the checked plan is the answer.
    api.side_effect = [httpx.Response(200, json=message([b])) for b in (accept, check, accept)]
    response = await live.stub.GenerateData(cart_request("accept the checked plan"), timeout=10)
    assert response.metadata.generation_path == "llm" and api.call_count == 3
    assert "no plan has been checked yet: call check_plan first" in json.dumps(body(api, 1)["messages"])
    # The same plan written out again with final_result makes the same rows.
    api.side_effect = [httpx.Response(200, json=message([check])), final(FITNESS_PLAN)]
    written = await live.stub.GenerateData(cart_request("the checked plan, written again"), timeout=10)
    assert written.metadata.generation_path == "llm" and written.data == response.data


async def test_the_dataset_planner_caches_its_prompt_too(live: Live, api: respx.Route) -> None:
    api.side_effect = [final(RUSH)]
    head, _ = await fetch(live, dataset("prompt caching: holiday rush"))
    assert head["x-generation-path"] == "llm"
    sent = body(api, 0)
    assert sent["system"][0]["cache_control"]["type"] == "ephemeral"
    assert "cache_control" in sent["tools"][-1]


async def test_a_failed_plan_is_not_asked_for_again_for_a_while(live: Live, api: respx.Route) -> None:
    api.side_effect = [final(FATAL)] * 3  # output retries: 2
    first = await live.stub.GenerateData(cart_request("negative cache: ghosts"), timeout=10)
    calls = api.call_count
    assert calls == 3 and first.metadata.generation_path == "traditional"
    assert "invalid plan after retries" in first.metadata.fallback_reason
    again = await live.stub.GenerateData(cart_request("negative cache: ghosts"), timeout=10)
    assert api.call_count == calls  # not paid again
    reason = again.metadata.fallback_reason
    assert again.metadata.generation_path == "traditional" and again.data == first.data
    assert (
        "the model failed this plan" in reason and "s ago (invalid_plan: invalid plan after retries" in reason
    )
    assert (
        "total: only 0 of" in reason
        and "ghost" in reason
        and "it is not asked again for" in reason
        and "deterministic planner served" in reason
    )
    # Another request is another plan: the model is asked.
    api.side_effect = [final(FITNESS_PLAN)]
    other = await live.stub.GenerateData(cart_request("negative cache: fitness"), timeout=10)
    assert other.metadata.generation_path == "llm" and api.call_count == calls + 1
    # Planning afresh (use_cache false) asks the model whatever it failed before.
    api.side_effect = [final(FITNESS_PLAN)]
    fresh = await live.stub.GenerateData(cart_request("negative cache: ghosts", use_cache=False), timeout=10)
    assert fresh.metadata.generation_path == "llm" and api.call_count == calls + 2


async def test_a_budget_overrun_is_remembered_too(live: Live, api: respx.Route) -> None:
    api.side_effect = [final(FITNESS_PLAN, tokens=(60_000, 10))]
    first = await live.stub.GenerateData(cart_request("negative cache: budget"), timeout=10)
    assert "budget exceeded" in first.metadata.fallback_reason and api.call_count == 1
    again = await live.stub.GenerateData(cart_request("negative cache: budget"), timeout=10)
    assert api.call_count == 1 and "(budget_exceeded: budget exceeded" in again.metadata.fallback_reason


@pytest.mark.parametrize(
    ("name", "failure", "reason"),
    [
        ("server error", lambda: error(500, "api_error"), "model API failed (500)"),
        ("overloaded", lambda: error(529, "overloaded_error"), "overloaded (529)"),
        ("rate limited", lambda: error(429, "rate_limit_error", {"retry-after": "0"}), "rate limited (429)"),
    ],
)
async def test_transient_failures_are_not_remembered(
    live: Live, api: respx.Route, name: str, failure: Any, reason: str
) -> None:
    api.side_effect = [failure()]
    first = await live.stub.GenerateData(cart_request(f"transient: {name}"), timeout=10)
    assert reason in first.metadata.fallback_reason and api.call_count == 1
    api.side_effect = [final(FITNESS_PLAN)]
    again = await live.stub.GenerateData(cart_request(f"transient: {name}"), timeout=10)
    assert again.metadata.generation_path == "llm" and api.call_count == 2


async def test_a_dataset_plan_that_failed_is_remembered(live: Live, api: respx.Route) -> None:
    api.side_effect = [final({"cardinalities": [{"entity": "ghost", "count": [1, 1]}]})] * 3
    first, _ = await fetch(live, dataset("negative cache: ghost family"))
    calls = api.call_count
    assert "invalid plan after retries" in first["x-fallback-reason"]
    again, _ = await fetch(live, dataset("negative cache: ghost family"))
    assert api.call_count == calls and "the model failed this plan" in again["x-fallback-reason"]


async def test_the_reason_carries_the_last_problems_bounded_and_without_secrets(
    live: Live, api: respx.Route
) -> None:
    leaky = {
        **FATAL,
        "scenarios": [{"name": "sk-ant-api03-secretsecretsecret"}],
        "themes": {f"theme_{i}": 1 for i in range(60)},
    }
    api.side_effect = [final(leaky)] * 3
    response = await live.stub.GenerateData(cart_request("refused with a long list"), timeout=10)
    reason = response.metadata.fallback_reason
    assert "invalid plan after retries: Exceeded maximum output retries (2); last problems: " in reason
    # What ended the retries comes first, then the rest of the last check's problems.
    assert "problems: the engine cannot make rows from this plan: total: only 0 of" in reason
    assert "the request has no such scenario" in reason  # the unknown themes are past the bound
    assert "secretsecret" not in reason and "[redacted]" in reason
    problem = reason.split("; the deterministic planner served")[0]
    assert len(problem) <= MAX_REASON_CHARS and problem.endswith("...")


async def test_classify_reports_validation_errors_without_their_inputs() -> None:
    from pydantic import ValidationError

    try:
        GenerationPlan.model_validate({"edge_case_share": "lots", "themes": [1]})
    except ValidationError as exc:
        try:
            raise UnexpectedModelBehavior("Exceeded maximum output retries (2)") from exc
        except UnexpectedModelBehavior as wrapped:
            label, reason = classify(wrapped)
    assert label == "invalid_plan"
    assert "themes: Input should be a valid dictionary" in reason and "edge_case_share:" in reason
    assert "lots" not in reason  # inputs are not echoed


async def test_the_model_stops_in_time_for_the_fallback_rows() -> None:
    s = PlannerSettings(timeout_s=180.0, fallback_rows_per_s=2000.0)
    assert model_time(s, None, 10_000) == 180.0
    assert model_time(s, 30.0, 20) == pytest.approx(29.49)
    assert model_time(s, 30.0, 10_000) == pytest.approx(24.5)  # 10,000 rows need ~5 s after the model
    assert model_time(s, 0.3, 10) == 0.05
    assert PlannerSettings().timeout_s == 180.0


async def test_an_older_releases_bare_plan_entry_is_a_miss() -> None:
    cache = MemoryCache()
    planner = ModelPlanner(TestModel(), "test", default_registry(), cache)
    plan = GenerationPlan.model_validate(FITNESS_PLAN)
    await cache.set("k", plan.model_dump_json(), 60)  # what the cache held before entries had a format
    assert read_entry(GenerationPlan, plan.model_dump_json()) is None
    ran: list[int] = []

    async def run(usage: RunUsage) -> GenerationPlan:
        ran.append(1)
        return plan

    out: ModelPlan[GenerationPlan] = await planner.cached_run("k", True, GenerationPlan, run, None)
    assert ran == [1] and not out.cache_hit and out.cache_checked and out.plan == plan
    stored = await cache.get("k")
    assert stored is not None and json.loads(stored)["format"] == 2
    again = await planner.cached_run("k", True, GenerationPlan, run, None)
    assert ran == [1] and again.cache_hit and again.plan == plan


async def test_a_remembered_failure_expires() -> None:
    planner = ModelPlanner(
        TestModel(), "test", default_registry(), MemoryCache(), PlannerSettings(failure_ttl_s=1)
    )
    calls: list[int] = []

    async def refused(usage: RunUsage) -> GenerationPlan:
        calls.append(1)
        raise UnexpectedModelBehavior("Exceeded maximum output retries (2)")

    first = await planner.cached_run("k", True, GenerationPlan, refused, None)
    second = await planner.cached_run("k", True, GenerationPlan, refused, None)
    assert (first.label, second.label, len(calls)) == ("invalid_plan", "failed_recently", 1)
    await asyncio.sleep(1.1)
    third = await planner.cached_run("k", True, GenerationPlan, refused, None)
    assert third.label == "invalid_plan" and len(calls) == 2


async def test_the_cache_replay_bills_writes_reads_and_plain_input() -> None:
    from bench.prompt_cost import replay_cache

    tools = [{"name": "t", "description": "x" * 7000, "cache_control": {"type": "ephemeral"}}]
    first = {"tools": tools, "system": "", "messages": [{"role": "user", "content": "a" * 350}]}
    second = {"tools": tools, "system": "", "messages": [{"role": "user", "content": "b" * 350}]}
    one, two = replay_cache([first, second])
    assert one.read == 0 and one.write > 2000 and one.plain == 100  # the tools written, the prompt plain
    assert two.read == one.write and two.write == 0 and two.plain == 100
    assert two.billed == pytest.approx(0.1 * two.read + 100)


async def test_prompt_caching_saves_at_least_half_the_billed_input_tokens() -> None:
    from bench.prompt_cost import capture, replay_cache, segments

    with models.override_allow_model_requests(True):
        plain = await capture(prompt_cache=False)
        cached = await capture(prompt_cache=True)
    assert len(plain) == len(cached) == 9  # three requests, three round trips each
    sent = sum(sum(t for _, t, _ in segments(body)) for _, _, body in plain)
    billed = sum(b.billed for b in replay_cache([body for _, _, body in cached]))
    assert billed <= 0.5 * sent, (billed, sent)
