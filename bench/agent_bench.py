"""The agent's figures: tokens vs count, cache hit vs miss latency, time to fall back per failure.

The model is the real Anthropic SDK over a mocked HTTP transport (no network), so the figures are the
pipeline's own cost around the model call, measured in one run.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx2
from pydantic_ai import models
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.providers.anthropic import AnthropicProvider

from agent.executor import prepare
from agent.model_planner import ModelPlanner, PlannerSettings
from agent.pipeline import AgentDeps, Pipeline
from agent.planner_agent import PlanDeps, planner_agent
from agent.prompts import user_prompt
from agent.request import DataRequest
from tools.registry import default_registry

PLAN = {"summary": "gamers' holiday carts", "themes": {"gaming": 4, "electronics": 1}}
Handler = Callable[[httpx2.Request], httpx2.Response]


def _final(request: httpx2.Request) -> httpx2.Response:
    block = {"type": "tool_use", "id": "toolu_1", "name": "final_result", "input": PLAN}
    return httpx2.Response(200, json={
        "id": "m", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [block],
        "stop_reason": "tool_use", "usage": {"input_tokens": 2100, "output_tokens": 180},
    })  # fmt: skip


def _status(code: int, kind: str) -> Handler:
    return lambda request: httpx2.Response(
        code, json={"type": "error", "error": {"type": kind, "message": kind}}
    )


def _slow(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ReadTimeout("read timed out", request=request)


FAILURES: dict[str, Handler] = {
    "429 rate limited": _status(429, "rate_limit_error"),
    "529 overloaded": _status(529, "overloaded_error"),
    "500 server error": _status(500, "api_error"),
    "401 bad key": _status(401, "authentication_error"),
    "read timeout": _slow,
    "not JSON": lambda request: httpx2.Response(200, text="<html>bad gateway</html>"),
    # a total no cart can reach: nothing can be dropped to save it, so the plan fails and falls back
    "invalid plan": lambda request: _final_with({"fields": [{"path": "total", "min": 4000, "max": 4000.01}]}),
}


def _final_with(plan: dict[str, Any]) -> httpx2.Response:
    block = {"type": "tool_use", "id": "toolu_1", "name": "final_result", "input": plan}
    return httpx2.Response(200, json={
        "id": "m", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [block],
        "stop_reason": "tool_use", "usage": {"input_tokens": 2100, "output_tokens": 180},
    })  # fmt: skip


def _pipeline(handler: Handler, retries: int = 0) -> Pipeline:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    model = AnthropicModel(
        "claude-sonnet-4-6", provider=AnthropicProvider(api_key="sk-bench", http_client=client)
    )
    settings = PlannerSettings(max_retries=retries, timeout_s=20)
    planner = ModelPlanner(model, "claude-sonnet-4-6", default_registry(), settings=settings)
    return Pipeline(AgentDeps(registry=default_registry(), planner=planner))


async def _plan_ms(pipeline: Pipeline, request: DataRequest) -> tuple[float, Any]:
    prepared = prepare(request, default_registry())
    start = time.perf_counter()
    outcome = await pipeline.plan(request, prepared)
    return (time.perf_counter() - start) * 1000, outcome


async def _tokens(count: int) -> int:
    from evals.scripted import scripted  # the same scripted planner the tests use

    request = DataRequest(entity="cart", count=count, seed=1, context="holiday sale, gifts for gamers")
    prepared = prepare(request, default_registry())
    with planner_agent.override(model=scripted(("check_plan", {"plan": PLAN}), PLAN)):
        result = await planner_agent.run(
            user_prompt(request, prepared.schema), deps=PlanDeps(request, prepared, default_registry())
        )
    return result.usage.total_tokens


async def _run() -> dict[str, Any]:
    out: dict[str, Any] = {"tokens_10": await _tokens(10), "tokens_100k": await _tokens(100_000)}
    pipeline = _pipeline(_final)
    misses, hits = [], []
    for i in range(30):
        request = DataRequest(entity="cart", count=10, seed=1, context=f"gamers' carts, run {i}")
        ms, outcome = await _plan_ms(pipeline, request)
        assert not outcome.cache_hit and outcome.path == "llm", outcome
        misses.append(ms)
        ms, outcome = await _plan_ms(pipeline, request)
        assert outcome.cache_hit
        hits.append(ms)
    out["miss_ms"], out["hit_ms"] = statistics.median(misses), statistics.median(hits)
    fallbacks = {}
    for name, handler in FAILURES.items():
        ms, outcome = await _plan_ms(
            _pipeline(handler), DataRequest(entity="cart", count=10, seed=1, context=name)
        )
        assert outcome.fallback_reason, name
        fallbacks[name] = (ms, outcome.fallback_key)
    out["fallbacks"] = fallbacks
    return out


def run() -> dict[str, Any]:
    with models.override_allow_model_requests(True):
        return asyncio.run(_run())


if __name__ == "__main__":
    print(json.dumps(run(), indent=1, default=str))
