"""Billed input tokens of uncached plans, with and without Anthropic prompt caching: an estimate.

`python -m bench.prompt_cost` runs the real planner (pydantic-ai and the real Anthropic SDK) against a
stand-in Messages API on a mocked transport, scripted like a careful model: each run checks a draft
plan with check_plan, checks it again, then returns it (three round trips). It captures every request
body, once with prompt caching off and once on (PlannerSettings.prompt_cache), for three different
requests for the same entity, and estimates:

- tokens per body part at 3.5 characters per token. The anthropic SDK (2.x) has no offline tokenizer
  (token counting is an API call, messages.count_tokens), so the figures are estimates; JSON tool
  schemas likely tokenize denser than prose, which moves both columns alike.
- what caching bills, replaying Anthropic's rules over the bodies in order: the prefix (tools, then
  system, then messages) up to a cache_control breakpoint is written once (1.25x the base input price
  for the 5-minute cache) and read back by any later body with the same prefix (0.1x), looking back
  at most 20 blocks from a breakpoint; a prefix under 1,024 tokens (Sonnet's minimum) is not cached;
  everything after the last breakpoint is plain input (1x). All bodies fall inside the 5 minutes.

The target (issue 15): at least 50% fewer billed input tokens with caching.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx2
from pydantic_ai import models
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.providers.anthropic import AnthropicProvider

from agent.executor import prepare
from agent.model_planner import ModelPlanner, PlannerSettings
from agent.pipeline import AgentDeps, Pipeline
from agent.request import DataRequest, ScenarioRequest
from tools.registry import default_registry

MODEL = "claude-sonnet-4-6"
CHARS_PER_TOKEN = 3.5
WRITE, READ = 1.25, 0.1  # Anthropic's multipliers of the base input price: 5-minute cache write, read
MIN_CACHEABLE = 1024  # tokens: a shorter prefix is not cached (Claude Sonnet)
LOOKBACK = 20  # blocks a breakpoint looks back for an earlier cache entry
CONTEXTS = [
    "home gym shoppers, fitness fans",
    "gamers' holiday carts with consoles and accessories",
    "new parents stocking up on baby gear",
]


def _plan_for(prompt: str, system: str) -> dict[str, Any]:
    """A realistic plan for the prompt: the offline eval's scripted planner, else a fixed one."""
    try:
        from evals.brief import read_brief
        from evals.planner import write_plan

        return write_plan(read_brief(prompt, system))
    except Exception:  # the scripted planner is another module's: never let it stop the estimate
        from evals.scripted import FITNESS_PLAN

        return dict(FITNESS_PLAN)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content if isinstance(b, dict))


@dataclass
class Scripted:
    """The stand-in Messages API: check the draft, check it again, return it."""

    bodies: list[dict[str, Any]] = field(default_factory=list)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        plan = _plan_for(_text(body["messages"][0]["content"]), _text(body.get("system", "")))
        rounds = sum(1 for m in body["messages"] if m["role"] == "assistant")
        names = {t["name"] for t in body.get("tools", [])}
        check = "check_plan" if "check_plan" in names else "preview_rows"
        name, args = (check, {"plan": plan}) if rounds < 2 else ("final_result", plan)
        block = {"type": "tool_use", "id": f"toolu_{len(self.bodies)}", "name": name, "input": args}
        output = round(len(json.dumps(args)) / CHARS_PER_TOKEN)
        sent = round(len(json.dumps(body)) / CHARS_PER_TOKEN)
        return httpx2.Response(200, json={
            "id": f"msg_{len(self.bodies)}", "type": "message", "role": "assistant", "model": MODEL,
            "content": [block], "stop_reason": "tool_use",
            "usage": {"input_tokens": sent, "output_tokens": output},
        })  # fmt: skip


def segments(body: dict[str, Any]) -> list[tuple[str, int, bool]]:
    """The body in cache-prefix order (tools, system, messages), block by block: (content without its
    cache_control, estimated tokens, whether a breakpoint follows it)."""
    blocks: list[dict[str, Any]] = list(body.get("tools", []))
    system = body.get("system", "")
    blocks += system if isinstance(system, list) else ([{"type": "text", "text": system}] if system else [])
    for message in body["messages"]:
        content = message["content"]
        items = content if isinstance(content, list) else [{"type": "text", "text": content}]
        blocks += [{**b, "_role": message["role"]} for b in items]
    out = []
    for block in blocks:
        bare = {k: v for k, v in block.items() if k != "cache_control"}
        text = json.dumps(bare, sort_keys=True, ensure_ascii=False)
        shown = bare.get("text") if set(bare) <= {"type", "text", "_role"} else None
        out.append(
            (
                text,
                round(len(shown if shown is not None else text) / CHARS_PER_TOKEN),
                "cache_control" in block,
            )
        )
    return out


@dataclass
class Billed:
    tokens: int
    read: int = 0
    write: int = 0

    @property
    def plain(self) -> int:
        return self.tokens - self.read - self.write

    @property
    def billed(self) -> float:
        return self.plain + WRITE * self.write + READ * self.read


def replay_cache(bodies: list[dict[str, Any]]) -> list[Billed]:
    """What each body bills with Anthropic's prompt cache, the bodies sent in this order."""
    written: set[str] = set()
    out = []
    for body in bodies:
        parts = segments(body)
        prefix, cumulative, digest = hashlib.sha256(), [0], []
        for text, tokens, _ in parts:
            prefix.update(text.encode())
            digest.append(prefix.hexdigest())
            cumulative.append(cumulative[-1] + tokens)
        marks = [i for i, (_, _, mark) in enumerate(parts) if mark]
        # The longest earlier-written prefix within the lookback of a breakpoint is read.
        read_at = max(
            (
                i
                for i in range(len(parts))
                if digest[i] in written and any(0 <= b - i <= LOOKBACK for b in marks)
            ),
            default=-1,
        )
        read = cumulative[read_at + 1]
        last = marks[-1] if marks else -1
        write = max(0, cumulative[last + 1] - read) if cumulative[last + 1] >= MIN_CACHEABLE else 0
        written.update(digest[b] for b in marks if cumulative[b + 1] >= MIN_CACHEABLE)
        out.append(Billed(cumulative[-1], read, write))
    return out


async def capture(prompt_cache: bool) -> list[tuple[int, int, dict[str, Any]]]:
    """(request number, round trip, body) of three uncached plans of carts, in the order sent."""
    stand_in = Scripted()
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(stand_in.handle))
    model = AnthropicModel(MODEL, provider=AnthropicProvider(api_key="sk-bench", http_client=client))
    settings = PlannerSettings(max_retries=0, prompt_cache=prompt_cache)
    registry = default_registry()
    pipeline = Pipeline(AgentDeps(registry, ModelPlanner(model, MODEL, registry, settings=settings)))
    out = []
    for n, context in enumerate(CONTEXTS, 1):
        request = DataRequest(
            entity="cart", count=20, seed=1, context=context, use_cache=False,
            scenarios=[ScenarioRequest("happy_path", 15), ScenarioRequest("high_value", 5)],
        )  # fmt: skip
        before = len(stand_in.bodies)
        outcome = await pipeline.plan(request, prepare(request, registry))
        if outcome.path != "llm":
            raise SystemExit(f"the scripted run fell back: {outcome.fallback_reason}")
        out += [(n, i + 1, b) for i, b in enumerate(stand_in.bodies[before:])]
    return out


def table(rows: list[tuple[int, int, dict[str, Any]]], cached: list[Billed]) -> tuple[int, float]:
    heads = ("req", "trip", "input", "read", "write", "plain", "billed", "uncached")
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (3, 4, 8, 8, 8, 7, 9, 9), strict=True)))
    total_plain, total_billed = 0, 0.0
    for (n, trip, _), b in zip(rows, cached, strict=True):
        print(
            f"{n:>3} {trip:>4} {b.tokens:>8,} {b.read:>8,} {b.write:>8,} {b.plain:>7,} "
            f"{b.billed:>9,.0f} {b.tokens:>9,}"
        )
        total_plain += b.tokens
        total_billed += b.billed
    return total_plain, total_billed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.prompt_cost", description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    with models.override_allow_model_requests(True):
        plain_rows = asyncio.run(capture(prompt_cache=False))
        cached_rows = asyncio.run(capture(prompt_cache=True))
    first = cached_rows[0][2]

    def parts(key: str) -> int:
        return round(len(json.dumps(first.get(key, ""))) / CHARS_PER_TOKEN)

    print("Estimated input tokens (3.5 characters per token; no offline tokenizer in the anthropic SDK)")
    print(f"first body: tools {parts('tools'):,}, system {parts('system'):,}, messages {parts('messages'):,}")
    print()
    print("With prompt caching (tools, instructions and the last message block marked):")
    replayed = replay_cache([b for _, _, b in cached_rows])
    total, billed = table(cached_rows, replayed)
    print()
    for n in range(1, len(CONTEXTS) + 1):
        mine = [b for (r, _, _), b in zip(cached_rows, replayed, strict=True) if r == n]
        sent, paid = sum(b.tokens for b in mine), sum(b.billed for b in mine)
        print(f"request {n}: input {sent:,}, billed {paid:,.0f} ({1 - paid / sent:.0%} fewer)")
    plain_total = sum(sum(t for _, t, _ in segments(b)) for _, _, b in plain_rows)
    per_plan = plain_total / len(CONTEXTS)
    print()
    print(f"bodies: {len(cached_rows)} ({len(CONTEXTS)} requests for carts, 3 round trips each)")
    print(f"input tokens per uncached plan:        {per_plan:>9,.0f}")
    print(f"billed input tokens, caching off:      {plain_total:>9,}")
    print(f"billed input tokens, caching on:       {billed:>9,.0f}   (input sent {total:,})")
    print(f"billed input tokens per plan, on:      {billed / len(CONTEXTS):>9,.0f}")
    saving = 1 - billed / plain_total
    print(f"saving: {saving:.0%} (target: at least 50%)")


if __name__ == "__main__":
    main()
