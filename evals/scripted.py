"""Scripted planners for tests, offline evals and benches: FunctionModels that act like a careful model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

Handler = Callable[[list[ModelMessage], AgentInfo], ModelResponse]

FITNESS_PLAN: dict[str, Any] = {
    "summary": "Carts of fitness enthusiasts: home-gym and running gear, mostly one or two units.",
    "themes": {"fitness": 5, "outdoor": 1},
    "fields": [{"path": "items", "max_items": 4}],
    "scenarios": [
        {
            "name": "high_value",
            "intent": "big home-gym orders",
            "fields": [{"path": "items[].price", "min": 150}],
        }
    ],
    "assumptions": ["shoppers are in North America"],
}


def responses_so_far(messages: list[ModelMessage]) -> int:
    return sum(1 for m in messages if isinstance(m, ModelResponse))


def tool_returns(messages: list[ModelMessage]) -> list[ToolReturnPart]:
    return [p for m in messages for p in getattr(m, "parts", []) if isinstance(p, ToolReturnPart)]


def scripted(*steps: dict[str, Any] | tuple[str, dict[str, Any]]) -> FunctionModel:
    """Each step is a tool call (name, args) or a final plan (a dict); the last step repeats."""

    def handler(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        step = steps[min(responses_so_far(messages), len(steps) - 1)]
        if isinstance(step, tuple):
            return ModelResponse(parts=[ToolCallPart(step[0], step[1])])
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, step)])

    return FunctionModel(handler)
