"""Tokens and cost per eval case.

The pipeline reports only a total token count, so the eval wraps the planner's model and adds each
response's input and output tokens to the running case's meter (a context variable: pydantic-evals
runs every case in its own task, so concurrent cases never share a meter).
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings

# US dollars per million tokens (input, output): list prices when this was written. Check them
# before quoting a cost; an unknown model gets no estimate rather than a wrong one.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "claude-sonnet-4": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4": (15.0, 75.0),
}


@dataclass
class Meter:
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


CURRENT: ContextVar[Meter | None] = ContextVar("eval_meter", default=None)


def start_meter() -> Meter:
    meter = Meter()
    CURRENT.set(meter)
    return meter


class MeteredModel(WrapperModel):
    """The planner's model, unchanged, with every response's usage added to the case's meter."""

    async def request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> ModelResponse:
        response = await super().request(messages, model_settings, model_request_parameters)
        meter = CURRENT.get()
        if meter is not None:
            meter.input_tokens += response.usage.input_tokens
            meter.output_tokens += response.usage.output_tokens
            meter.requests += 1
        return response


def cost_usd(model_name: str, meter: Meter) -> float | None:
    """Estimated cost of the case's model calls, or None for a model without a known price."""
    for prefix, (inp, out) in sorted(PRICES_PER_MTOK.items(), key=lambda kv: -len(kv[0])):
        if model_name.startswith(prefix):
            return (meter.input_tokens * inp + meter.output_tokens * out) / 1_000_000
    return None
