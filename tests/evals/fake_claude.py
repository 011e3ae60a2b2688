"""A stand-in for the Anthropic Messages API (no network): plans like the scripted planner, judges
with a fixed score, and reports the token usage it is told to. Requests are counted by kind."""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx2
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.providers.anthropic import AnthropicProvider

from evals.brief import FENCE, read_brief
from evals.family_planner import family_plan
from evals.planner import write_plan

MODEL = "claude-sonnet-4-6"


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content if isinstance(b, dict))


@dataclass
class FakeClaude:
    judge_score: float = 0.9
    tokens: tuple[int, int] = (1500, 250)
    calls: Counter[str] = field(default_factory=Counter)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        tools = {t["name"]: t for t in body.get("tools", [])}
        schema = tools.get("final_result", {}).get("input_schema", {})
        if "pass" in schema.get("properties", {}):
            self.calls["judge"] += 1
            answer = {"reason": "plausible rows", "pass": self.judge_score >= 0.5, "score": self.judge_score}
        elif "cardinalities" in schema.get("properties", {}):
            self.calls["dataset"] += 1
            fenced = dict(FENCE.findall(_text(body["messages"][0]["content"])))
            context = html.unescape(fenced.get("context", ""))
            answer = family_plan(context, _text(body.get("system", "")))
        else:
            self.calls["plan"] += 1
            prompt = _text(body["messages"][0]["content"])
            answer = write_plan(read_brief(prompt, _text(body.get("system", ""))))
        block = {
            "type": "tool_use",
            "id": f"toolu_{sum(self.calls.values())}",
            "name": "final_result",
            "input": answer,
        }
        return httpx2.Response(200, json={
            "id": "msg_fake", "type": "message", "role": "assistant", "model": MODEL, "content": [block],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": self.tokens[0], "output_tokens": self.tokens[1]},
        })  # fmt: skip

    def model(self) -> AnthropicModel:
        client = httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle))
        return AnthropicModel(MODEL, provider=AnthropicProvider(api_key="sk-ant-fake", http_client=client))
