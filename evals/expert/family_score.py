"""A dataset plan through GenerateDataset's own path (DatasetRun: check, apply, batches), and its scores.

The keyword plan and the expert's run the same request (roots, seed, locale, as_of), so any difference
in the family comes from the plan. Scores are those of the entity cases (evals/expert/score.py):
- context fit over the case's properties (per entity, or family measures);
- text diversity over `entity.path` text fields, pooled as for entities, over the same number of
  records on both sides (a plan changes how many an entity has; distinct-2 falls as a corpus grows);
- realism: the evals/realism measures of linked families and of their entities, read on this family;
- coherence: tools/coherence.py per record (rules broken and entity checks), over every entity's
  records; keys, lifecycle invariants and field rules that fail are listed as invalid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.dataset_plan import DatasetPlan
from agent.datasets import DatasetRequest, DatasetRun
from evals.expert.family_cases import FamilyCase
from evals.expert.properties import Measured, measure
from evals.expert.realism import MEASURES, realism_pair
from evals.expert.score import Scores, plan_cost, shortfalls
from evals.expert.text import text_diversity
from evals.families import measures
from evals.realism.sample import SMALL, Sample
from evals.realism.table import INFO, Check
from tools.catalogue import catalogue_in_use
from tools.coherence import CoherenceMeter
from tools.dataset_checks import DatasetChecker
from tools.registry import Registry
from tools.validator import compile_validator
from tools.world.additions import PLAN_PREFIX, catalogue_for

Row = dict[str, Any]
PER = re.compile(r"^(\w+) per (\w+)$")
MAX_RECORDS = 10**6


@dataclass
class FamilyMade:
    plan: DatasetPlan
    rows: dict[str, list[Row]] = field(default_factory=dict)
    coherence: float = 0.0
    check_problems: list[str] = field(default_factory=list)  # check_dataset_plan: what the model is told
    build_problems: list[str] = field(default_factory=list)  # a dataset plan is served whole: none
    invalid: list[str] = field(default_factory=list)  # keys, invariants and field rules that failed
    error: str = ""
    as_of: int = 0

    @property
    def records(self) -> int:
        return sum(len(r) for r in self.rows.values())


def dataset_request(request: dict[str, Any]) -> DatasetRequest:
    return DatasetRequest(
        entities=dict(request["entities"]),
        seed=request.get("seed"),
        context=str(request.get("context", "")),
        hints=list(request.get("hints") or []),
        locale=str(request.get("locale", "")),
        as_of=str(request.get("as_of", "")),
    )


def keyword_plan(request: dict[str, Any], registry: Registry) -> DatasetPlan:
    """What GenerateDataset serves without a model: the keyword rules' plan for the context."""
    req = dataset_request(request)
    return DatasetRun(req, registry, MAX_RECORDS).keyword_plan(req)


def make_family(request: dict[str, Any], plan: DatasetPlan, registry: Registry) -> FamilyMade:
    made = FamilyMade(plan)
    run = DatasetRun(dataset_request(request), registry, MAX_RECORDS)
    made.as_of = run.as_of
    made.check_problems = run.problems(plan)
    if made.check_problems:  # GenerateDataset would not serve it: the model would be told and retry
        made.error = "the plan fails the dataset check: " + "; ".join(made.check_problems)
        return made
    checker = DatasetChecker(registry)
    try:
        run.use(plan)
        for entity, batch in run.batches():
            made.rows.setdefault(entity, []).extend(batch)
            made.invalid += checker.add(entity, batch)
        made.invalid += checker.invariants()
    except Exception as exc:  # a plan the engine cannot run is this case's finding, not a crash
        made.error = f"{type(exc).__name__}: {exc}"
        return made
    scores: list[float] = []
    with catalogue_in_use(catalogue_for(run.products)):  # the catalogue the family was made with
        for entity, rows in made.rows.items():
            schema = registry.get(entity)
            check, meter = compile_validator(schema), CoherenceMeter(schema)
            for row in rows:
                broken = check(row)
                made.invalid += [f"{entity}: {v}" for v in broken]
                scores.append(meter.row_score(row, len(broken)))
    made.coherence = sum(scores) / len(scores) if scores else 1.0
    return made


def _family_measure(rows: dict[str, list[Row]], p: dict[str, Any]) -> Measured:
    name = str(p["family"])
    per = PER.match(name)
    value: float | None
    if per:
        child, parent = per.groups()
        value = len(rows.get(child, [])) / len(rows[parent]) if rows.get(parent) else None
    else:  # `a + b`: shares of one kind added (items.category=Toys & Games + items.category=Books)
        found = measures(rows)
        value = sum(found.get(part.strip(), 0.0) for part in name.split(" + "))
    held = value is not None and p.get("min", -1e300) <= value <= p.get("max", 1e300)
    return Measured(f"{p.get('what') or name} in {p.get('min', '')}..{p.get('max', '')}", value, held)


def _property(rows: dict[str, list[Row]], p: dict[str, Any]) -> Measured:
    if "family" in p:
        return _family_measure(rows, p)
    entity = str(p["entity"])
    m = measure(rows.get(entity, []), {k: v for k, v in p.items() if k != "entity"})
    return Measured(f"{entity}: {m.name}", m.value, m.held)


def realism_checks(locale: str, rows: dict[str, list[Row]], as_of: int) -> list[Check]:
    """The realism measures of a linked family (and of its entities' records) that read this one."""
    sample = Sample(SMALL, families={locale: rows}, owners=rows if locale == "en_US" else {}, as_of=as_of)
    found: dict[str, Check] = {}
    for m in MEASURES:
        try:
            checks = m(sample)
        except Exception:  # a measure of GenerateData rows has none to read here: n/a
            continue
        for c in checks:  # the family is read as the locale's and as the owners' sample: once each
            if c.value is not None and c.bound != INFO:
                found.setdefault(c.name, c)
    return list(found.values())


def text_sizes(case: FamilyCase, a: FamilyMade, b: FamilyMade) -> dict[str, int]:
    """Records of each entity whose texts both sides are compared over: distinct-2 falls as a corpus
    grows (more of it is common bigrams), and a plan changes how many records an entity has."""
    named = {p.split(".", 1)[0] for p in case.text_fields}
    return {e: min(len(a.rows.get(e, [])), len(b.rows.get(e, []))) for e in named}


def score_family(case: FamilyCase, made: FamilyMade, texts: dict[str, int] | None = None) -> Scores:
    """`texts`: records of each entity whose texts are compared (the first ones; all when not given)."""
    props = [_property(made.rows, p) for p in case.properties]
    fit = sum(m.held for m in props) / len(props) if props else 0.0
    # Each record under its entity's name, so `review.body` reads the reviews' bodies.
    named = {p.split(".", 1)[0] for p in case.text_fields}
    flat = [{e: r} for e in sorted(named) for r in made.rows.get(e, [])[: (texts or {}).get(e)]]
    diversity, fields = text_diversity(flat, case.text_fields)
    locale = str(case.request.get("locale") or "en_US")
    checks = realism_checks(locale, made.rows, made.as_of) if made.rows else []
    return Scores(fit, props, diversity, fields, checks, made.coherence)


@dataclass
class FamilyOutcome:
    case: FamilyCase
    det: FamilyMade
    expert: FamilyMade
    det_scores: Scores
    expert_scores: Scores
    failures: list[str]
    tokens: int = 0
    reached: dict[str, float | None] = field(default_factory=dict)

    @property
    def beats(self) -> bool:
        return not self.failures


def compare_family(
    case: FamilyCase, registry: Registry, expert_plan: DatasetPlan | None = None
) -> FamilyOutcome:
    plan = expert_plan or case.plan
    det = make_family(case.request, keyword_plan(case.request, registry), registry)
    expert = make_family(case.request, plan, registry)
    texts = text_sizes(case, det, expert)
    det_scores, expert_scores = score_family(case, det, texts), score_family(case, expert, texts)
    det_scores.realism, expert_scores.realism = realism_pair(
        det_scores.checks, expert_scores.checks, case.realism_waived
    )
    failures = shortfalls(expert_scores, det_scores, expert)
    tokens, too_long = plan_cost(plan)
    failures += too_long
    if det.error or det.invalid:
        failures.append(f"the keyword path failed: {det.error or det.invalid[0]}")
    return FamilyOutcome(case, det, expert, det_scores, expert_scores, failures, tokens, _reach(expert))


def _reach(made: FamilyMade) -> dict[str, float | None]:
    """The share of the family's basket lines holding the plan's own products (their SKUs start PLN-)."""
    if not made.plan.products:
        return {}
    skus = [str(i.get("sku", "")) for rows in made.rows.values() for r in rows for i in r.get("items") or []]
    return {"products": sum(s.startswith(f"{PLAN_PREFIX}-") for s in skus) / len(skus) if skus else None}
