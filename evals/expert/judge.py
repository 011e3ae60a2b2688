"""The side-by-side judge (live only): which of two row sets fits the request's context better.

Separate from the planner on purpose: its own prompt (it never sees the planner's instructions) and
its own model, EVAL_JUDGE_MODEL (default a different model than the planner's, so a model does not
grade its own work). The two paths' rows are shown as A and B in an order drawn from the case name,
so position bias cannot favour one path; the verdict is mapped back to the paths. Tokens are counted
per judgement and priced with evals/metering.py.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic_ai import Agent
from pydantic_ai.models import Model

from evals.judge import sample_rows
from evals.metering import Meter, cost_usd

JUDGE_MODEL_ENV = "EVAL_JUDGE_MODEL"
DEFAULT_JUDGE_MODEL = "claude-opus-4-5"  # the planner defaults to claude-sonnet-4-6 (evals/run.py)
SAMPLE = 8  # rows per side: enough to see texts vary, small enough to keep a judgement cheap
JUDGE_SETTINGS: Any = {"max_tokens": 1024, "temperature": 0.0}

JUDGE_PROMPT = """\
You review synthetic test data. A user asked a data service for rows of one entity with a context \
(the request is given). Two candidate row sets, A and B, answer the same request with the same seed \
and count; you see a sample of each. Decide which set fits the request better, judging only the rows:

1. Context fit: do values, texts, amounts, dates and mixes show what the context describes (its \
products, situation, season, customers, vocabulary)? Generic rows that could belong to any request fit \
poorly.
2. Realism: would a production database hold rows like these (values agree within a row, texts read \
as written by people, amounts and dates are plausible)?
3. Variety: repeated or templated texts count against a set.

For a linked dataset (records of several entities) each set starts with a summary record (records \
per entity, family measures such as orders per customer and status shares) followed by a few records \
of each entity, tagged _entity: judge the family as a whole. Rows tagged _edge_case are deliberately \
odd; do not count their oddness against a set. Ignore the \
order in which the sets are shown. Score each set from 0 (does not fit at all) to 1 (exactly what the \
user asked for), pick the better one ('tie' only when neither is better) and give one sentence why.\
"""


class SideBySide(BaseModel):
    better: Literal["A", "B", "tie"] = Field(description="The set that fits the request better.")
    score_a: float = Field(ge=0, le=1, description="How well set A fits the request, 0 to 1.")
    score_b: float = Field(ge=0, le=1, description="How well set B fits the request, 0 to 1.")
    reason: str = Field(description="One sentence: what decided it.")


@dataclass
class Judged:
    winner: str  # "model", "deterministic" or "tie"
    model_score: float
    deterministic_score: float
    reason: str
    model_was_a: bool  # the order shown to the judge
    meter: Meter
    judge: str  # the judge model's name

    @property
    def cost_usd(self) -> float | None:
        return cost_usd(self.judge, self.meter)


def judge_name() -> str:
    return os.environ.get(JUDGE_MODEL_ENV, "").strip() or DEFAULT_JUDGE_MODEL


def prompt(request: dict[str, Any], a: list[dict[str, Any]], b: list[dict[str, Any]]) -> str:
    shown = {k: v for k, v in request.items() if k not in ("seed", "output_format")}
    dump = json.dumps  # default=str: dates and decimals as text
    return (
        f"Request:\n{dump(shown, default=str)}\n\nSet A ({len(a)} sample rows):\n"
        + "\n".join(dump(r, default=str, ensure_ascii=False) for r in a)
        + f"\n\nSet B ({len(b)} sample rows):\n"
        + "\n".join(dump(r, default=str, ensure_ascii=False) for r in b)
    )


async def judge_side_by_side(
    model: Model,
    request: dict[str, Any],
    model_rows: list[dict[str, Any]],
    det_rows: list[dict[str, Any]],
    key: str,
    sample: int = SAMPLE,
) -> Judged:
    """One judgement of the model path's rows against the deterministic path's; `key` (the case name)
    fixes which is shown as A."""
    model_was_a = random.Random(key).random() < 0.5
    mine, theirs = sample_rows(model_rows, sample), sample_rows(det_rows, sample)
    a, b = (mine, theirs) if model_was_a else (theirs, mine)
    agent = Agent(model, output_type=SideBySide, instructions=JUDGE_PROMPT, model_settings=JUDGE_SETTINGS)
    result = await agent.run(prompt(request, a, b))
    usage = result.usage
    meter = Meter(usage.input_tokens, usage.output_tokens, usage.requests)
    v = result.output
    model_score, det_score = (v.score_a, v.score_b) if model_was_a else (v.score_b, v.score_a)
    winner = (
        "tie" if v.better == "tie" else ("model" if (v.better == "A") == model_was_a else "deterministic")
    )
    return Judged(winner, model_score, det_score, v.reason, model_was_a, meter, model.model_name)


def judge_from_env() -> Model | None:
    """The judge for a live run (EVAL_JUDGE_MODEL on the planner's key and base URL), or None
    without a key."""
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    if not key:
        return None
    provider = AnthropicProvider(api_key=key, base_url=os.environ.get("ANTHROPIC_BASE_URL") or None)
    return AnthropicModel(judge_name(), provider=provider)
