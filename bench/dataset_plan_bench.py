"""Planning a linked dataset: keyword rules vs Claude (the real Anthropic SDK over a mocked transport:
a preview_dataset call, then the plan) vs the plan cache, and the tokens per plan at two sizes."""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from typing import Any

import httpx2
from pydantic_ai import models
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.providers.anthropic import AnthropicProvider

from agent.dataset_planner import INSTRUCTIONS, dataset_agent, plan_family
from agent.dataset_views import family_summary
from agent.datasets import DatasetRequest, DatasetRun
from agent.model_planner import ModelPlanner, PlannerSettings
from evals.scripted import scripted
from tools.registry import default_registry

PLAN = {
    "cardinalities": [{"entity": "shipment", "count": [1, 3], "weights": [20, 50, 30]}],
    "mixes": [
        {"entity": "order", "field": "status", "weights": {"delivered": 70, "returned": 20, "shipped": 10}}
    ],
}


def _reply(request: httpx2.Request) -> httpx2.Response:
    # A preview first (the tool result is not yet in the conversation), then the plan.
    previewed = "tool_result" in request.content.decode()
    name, args = ("final_result", PLAN) if previewed else ("preview_dataset", {"plan": PLAN})
    block = {"type": "tool_use", "id": "toolu_1", "name": name, "input": args}
    return httpx2.Response(200, json={
        "id": "m", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [block],
        "stop_reason": "tool_use", "usage": {"input_tokens": 2400, "output_tokens": 150},
    })  # fmt: skip


def _planner() -> ModelPlanner:
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(_reply))
    model = AnthropicModel(
        "claude-sonnet-4-6", provider=AnthropicProvider(api_key="sk-bench", http_client=client)
    )
    return ModelPlanner(
        model, "claude-sonnet-4-6", default_registry(), settings=PlannerSettings(max_retries=0)
    )


async def _timed(planner: ModelPlanner | None, context: str) -> tuple[float, str, bool]:
    request = DatasetRequest({"customer": 100}, seed=1, context=context)
    start = time.perf_counter()
    run = DatasetRun(request, default_registry(), 10**9)
    outcome = await plan_family(planner, request, run, None)
    run.use(outcome.plan)
    return (time.perf_counter() - start) * 1000, outcome.path, outcome.cache_hit


async def _tokens(customers: int) -> int:
    request = DatasetRequest({"customer": customers}, context="holiday rush, split shipments")
    run = DatasetRun(request, default_registry(), 10**9)
    with dataset_agent.override(model=scripted(("preview_dataset", {"plan": PLAN}), PLAN)):
        result = await dataset_agent.run("Shape this linked dataset.", deps=run)
    return result.usage.total_tokens


async def _run(n: int) -> dict[str, Any]:
    planner, counter = _planner(), itertools.count()
    keyword, miss, hit = [], [], []
    for _ in range(n):
        context = f"holiday rush with split shipments and refunds, run {next(counter)}"
        ms, path, _ = await _timed(None, context)
        keyword.append(ms)
        ms, path, cached = await _timed(planner, context)
        assert path == "llm" and not cached
        miss.append(ms)
        ms, path, cached = await _timed(planner, context)
        assert cached
        hit.append(ms)
    roots = DatasetRun(DatasetRequest({"customer": 1}), default_registry(), 10).roots
    return {
        "keyword_ms": statistics.median(keyword),
        "miss_ms": statistics.median(miss),
        "hit_ms": statistics.median(hit),
        "tokens_10": await _tokens(10),
        "tokens_100k": await _tokens(100_000),
        "instruction_chars": len(INSTRUCTIONS) + len(family_summary(roots)),
    }


def run(n: int = 15) -> dict[str, Any]:
    with models.override_allow_model_requests(True):
        return asyncio.run(_run(n))


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
