"""The linked-dataset expert contexts against a live model (evals/expert/live.py runs them after the
entity contexts): the model plans the family through GenerateDataset's own planner (plan_family), the
keyword rules plan it without one, both families are made and scored as offline
(evals/expert/family_score.py), and the judge sees both side by side.

A family is thousands of records of many entities, so the judge is shown, per set, one summary record
(records per entity and the family measures: orders per customer, status and payment shares) and a
few records of each entity the case's properties read, each tagged `_entity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_ai.models import Model

from agent.dataset_planner import FamilyOutcome as Planned
from agent.dataset_planner import plan_family
from agent.datasets import DatasetRun
from evals.expert.family_cases import FamilyCase
from evals.expert.family_score import (
    MAX_RECORDS,
    FamilyMade,
    dataset_request,
    keyword_plan,
    make_family,
    score_family,
    text_sizes,
)
from evals.expert.realism import realism_pair
from evals.expert.score import Scores
from evals.families import measures
from evals.metering import Meter, start_meter
from evals.suite import pipeline_for
from tools.registry import Registry

PER_ENTITY = 3  # records of each entity the judge sees
Row = dict[str, Any]


@dataclass
class FamilyLive:
    planned: Planned  # the model path's plan, path and fallback
    meter: Meter  # the planner's tokens
    model: FamilyMade
    det: FamilyMade
    model_scores: Scores
    det_scores: Scores


async def run_family_live(case: FamilyCase, model: Model, registry: Registry) -> FamilyLive:
    request = dataset_request(case.request)
    pipeline = pipeline_for(registry, model, model.model_name)
    meter = start_meter()
    planned = await plan_family(
        pipeline.deps.planner, request, DatasetRun(request, registry, MAX_RECORDS), None
    )
    m = make_family(case.request, planned.plan, registry)
    d = make_family(case.request, keyword_plan(case.request, registry), registry)
    texts = text_sizes(case, m, d)  # as offline: both sides' texts over the same number of records
    ms, ds = score_family(case, m, texts), score_family(case, d, texts)
    ds.realism, ms.realism = realism_pair(ds.checks, ms.checks, case.realism_waived)
    return FamilyLive(planned, meter, m, d, ms, ds)


def judge_view(case: FamilyCase, rows: dict[str, list[Row]]) -> list[Row]:
    """What the judge sees of one family: its summary, then a few records of each entity the case reads."""
    shown = {str(p["entity"]) for p in case.properties if "entity" in p} | {"customer", "order"}
    summary = {
        "_entity": "summary",
        "records": {e: len(r) for e, r in rows.items()},
        "measures": {k: round(v, 3) for k, v in measures(rows).items() if v},
    }
    sampled = [{"_entity": e, **r} for e in sorted(shown) for r in rows.get(e, [])[:PER_ENTITY]]
    return [summary, *sampled]
