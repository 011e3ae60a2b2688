"""The realism score, judged by a model: live runs only (offline runs have no judge to ask)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_ai.models import Model
from pydantic_evals.evaluators import EvaluationReason, EvaluatorContext, EvaluatorOutput
from pydantic_evals.evaluators.llm_as_a_judge import judge_input_output

from evals.common import Base, Inputs, Meta
from evals.task import CaseOutput, Row

RUBRIC = (
    "The output rows are realistic test data for the request in the input: values read like real "
    "production records for the request's context (names, products, texts, amounts, dates), the "
    "fields of a row agree with each other, and rows of each scenario (_scenario) look the way the "
    "scenario's name and description say. Rows tagged _edge_case or _violates are deliberately odd and "
    "only have to be plausible for their tag. Score from 0 (clearly synthetic) to 1 (indistinguishable "
    "from production data)."
)
JUDGE_SETTINGS: Any = {"max_tokens": 1024, "temperature": 0.0}


def sample_rows(rows: list[Row], k: int) -> list[Row]:
    """Up to k rows taken round-robin across scenarios, so every scenario is seen."""
    by_scenario: dict[Any, list[Row]] = {}
    for r in rows:
        by_scenario.setdefault(r.get("_scenario"), []).append(r)
    out: list[Row] = []
    depth = 0
    while len(out) < k and any(depth < len(v) for v in by_scenario.values()):
        out += [v[depth] for v in by_scenario.values() if depth < len(v)][: k - len(out)]
        depth += 1
    return out


@dataclass(repr=False)
class Realism(Base):
    """An LLM judge's realism score for a sample of the rows, with its one-line reason."""

    model: Model
    sample: int = 8

    async def evaluate(self, ctx: EvaluatorContext[Inputs, CaseOutput, Meta]) -> EvaluatorOutput:
        request = {k: v for k, v in ctx.inputs.items() if k not in ("seed", "output_format")}
        rows = sample_rows(ctx.output.rows, self.sample)
        grading = await judge_input_output(request, rows, RUBRIC, self.model, JUDGE_SETTINGS)
        return {"realism": EvaluationReason(float(grading.score), reason=grading.reason)}
