"""One plan through the service's own path (prepare -> check -> build_job -> engine), and its scores.

The deterministic plan and the expert's go through the same function with the same request (so the
same seed and count): any difference in the rows comes from the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel

from agent.executor import build_job, measured, prepare
from agent.plan import GenerationPlan
from agent.plan_tools import check_plan
from evals.common import plain_rows
from evals.expert.cases import ExpertCase
from evals.expert.properties import Measured, context_fit
from evals.expert.realism import realism_checks, realism_pair
from evals.expert.text import FieldText, text_diversity
from evals.realism.table import Check
from evals.requests import to_request
from tools.engine import generate
from tools.registry import Registry
from tools.validator import validate_rows

Row = dict[str, Any]
CHARS_PER_TOKEN = 3.5
# What an expert plan may cost to write: the rich plan MODEL_TIMEOUT_S is sized for (agent/model_planner
# PlannerSettings: 4,000-6,000 output tokens), well inside the model's max_tokens of 8,192.
PLAN_TOKENS = 6000


@dataclass
class Made:
    """What a plan made: rows, coherence, and everything the service dropped or refused on the way."""

    plan: GenerationPlan
    rows: list[Row] = field(default_factory=list)
    coherence: float = 0.0
    check_problems: list[str] = field(default_factory=list)  # check_plan: what the model would be told
    build_problems: list[str] = field(default_factory=list)  # build_job: parts of the plan skipped
    invalid: list[str] = field(default_factory=list)  # validator violations (should never happen)
    error: str = ""  # the engine could not make rows
    as_of: int = 0  # epoch seconds the rows are seen at (the realism measures read it)


def make_rows(request: dict[str, Any], plan: GenerationPlan, registry: Registry) -> Made:
    made = Made(plan)
    checked = check_plan(prepare(to_request(request), registry), plan)
    made.check_problems = list(checked.problems)
    if checked.fatal:
        made.check_problems.append(f"fatal: {checked.fatal}")
    prepared = prepare(to_request(request), registry)  # a fresh coherence meter for the real run
    made.as_of = prepared.as_of
    try:
        job, made.build_problems = build_job(prepared, plan)
        made.rows = [r for batch in measured(prepared, generate(job)) for r in batch]
    except Exception as exc:  # a plan the engine cannot run is this case's finding, not a crash
        made.error = f"{type(exc).__name__}: {exc}"
        return made
    made.coherence = prepared.coherence.score
    valid_rows = [r for r in made.rows if "_violates" not in r]
    made.invalid = [str(v) for v in validate_rows(prepared.schema, valid_rows)[:5]]
    return made


@dataclass
class Scores:
    fit: float
    properties: list[Measured]
    diversity: float | None  # None: the case names no text fields
    fields: list[FieldText]
    checks: list[Check]  # the realism measures that apply to these rows
    coherence: float
    realism: float | None = None  # set by `compare`: over the measures both paths have (None: none)


def score(case: ExpertCase, made: Made) -> Scores:
    """Content measures read plain rows only: edge cases are odd on purpose (an emoji title, a zero)."""
    rows = plain_rows(made.rows)
    fit, props = context_fit(rows, case.properties)
    diversity, fields = text_diversity(rows, case.text_fields)
    entity = str(case.request["entity"])
    locale = str(case.request.get("locale") or "en_US")
    checks = realism_checks(entity, locale, rows, made.as_of) if rows else []
    return Scores(fit, props, diversity, fields, checks, made.coherence)


def compare_realism(case: ExpertCase, det: Scores, expert: Scores) -> None:
    det.realism, expert.realism = realism_pair(det.checks, expert.checks, case.realism_waived)


EPS = 1e-9


class Served(Protocol):
    error: str
    invalid: list[str]


def plan_cost(plan: BaseModel) -> tuple[int, list[str]]:
    """Output tokens the model spends writing the plan as its tool call (an estimate, as
    bench/prompt_cost.py makes them: compact JSON at 3.5 characters a token), and the failure when a
    plan is longer than a model writes in one answer (such a plan proves nothing about models)."""
    tokens = round(len(plan.model_dump_json(exclude_defaults=True)) / CHARS_PER_TOKEN)
    if tokens <= PLAN_TOKENS:
        return tokens, []
    return tokens, [f"the plan is ~{tokens:,} output tokens, past the {PLAN_TOKENS:,} a rich plan may take"]


def shortfalls(expert: Scores, det: Scores, made: Served) -> list[str]:
    """Why the expert plan does not beat the deterministic one (empty: it does). It must score higher
    on context fit and text diversity, and no lower on realism and coherence (ties allowed)."""
    out = []
    if made.error:
        out.append(f"no rows: {made.error}")
    if made.invalid:
        out.append(f"{len(made.invalid)}+ invalid row(s): {made.invalid[0]}")
    if not expert.fit > det.fit + EPS:
        out.append(f"context fit {expert.fit:.2f} not above {det.fit:.2f}")
    if expert.diversity is not None and not expert.diversity > (det.diversity or 0.0) + EPS:
        out.append(f"text diversity {expert.diversity:.3f} not above {det.diversity or 0.0:.3f}")
    if det.realism is not None and (expert.realism is None or expert.realism < det.realism - EPS):
        lost = sorted(
            {c.name for c in expert.checks if c.verdict == "no"}
            - {c.name for c in det.checks if c.verdict == "no"}
        )
        out.append(f"realism {_f(expert.realism)} below {det.realism:.2f} ({', '.join(lost)})")
    if expert.coherence < det.coherence - EPS:
        out.append(f"coherence {expert.coherence:.3f} below {det.coherence:.3f}")
    return out


def _f(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}"
