"""The pipeline: choose the path, fetch examples, get a plan (cache -> model, or deterministic).

Paths: TRADITIONAL is the deterministic planner alone; RAG the deterministic planner fed with
retrieved examples; LLM the planner agent; HYBRID the planner agent shown retrieved examples (LLM
shows them too when the request asks to learn from history or look like production). Unset, the
service decides: the model when configured, else RAG when the request asks to learn from history
or look like production, else TRADITIONAL. A model, cache or retrieval failure never fails a request:
the next path down serves, and `fallback_reason` says why.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog

from agent import examples as ex
from agent.deterministic import plan_request
from agent.executor import Prepared
from agent.model_planner import ComponentState, ModelPlanner
from agent.plan import GenerationPlan
from agent.prompts import PROMPT_VERSION
from agent.request import DataRequest
from retrieval.examples import ExampleStore, Hit
from tools.edge_cases import catalogue as edge_catalogue
from tools.imitation import Template
from tools.registry import Registry
from tools.schema import EntitySchema
from tools.temporal import default_window
from tools.world.localise import uses_world
from tools.world.places import countries, country_of_locale

log = structlog.get_logger("testdata.pipeline")
TRADITIONAL, LLM, RAG, HYBRID = "traditional", "llm", "rag", "hybrid"
Reasons = list[tuple[str, str]]  # (metrics label, text for people)
SERVED = "; the deterministic planner served"


@dataclass
class AgentDeps:
    """What the pipeline needs, built once at start-up by service/ and handed down."""

    registry: Registry
    planner: ModelPlanner | None = None  # None: no model configured
    store: ExampleStore | None = None
    store_state: ComponentState = field(default_factory=ComponentState)


@dataclass(kw_only=True)
class PlanReport:
    """How a plan came to be, for metadata, metrics and logs: shared by row and dataset plans."""

    fallback_reason: str = ""
    fallback_key: str = ""  # a short label for metrics
    cache_hit: bool = False
    cache_checked: bool = False  # the plan cache was read (a hit or a miss)
    cache_error: str = ""
    tokens: int = 0
    requests: int = 0


@dataclass
class PlanOutcome(PlanReport):
    plan: GenerationPlan
    path: str
    prompt_version: str = PROMPT_VERSION
    templates: list[Template] = field(default_factory=list)  # examples to imitate
    defects: list[Template] = field(default_factory=list)  # defect examples to replay as edge cases
    template_share: float = 0.0
    examples_used: list[str] = field(default_factory=list)  # ids of the stored examples rows imitate


class Pipeline:
    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps

    @property
    def model_name(self) -> str:
        return self.deps.planner.model_name if self.deps.planner else ""

    def route(self, request: DataRequest) -> str:
        if request.generation_method:
            return request.generation_method
        if self.deps.planner is not None:
            return LLM
        return RAG if request.learn_from_history or request.production_like else TRADITIONAL

    async def plan(
        self, request: DataRequest, prepared: Prepared, deadline_s: float | None = None
    ) -> PlanOutcome:
        route = self.route(request)
        deterministic = await asyncio.to_thread(plan_request, request, prepared.schema)
        no_edges = _no_edge_cases(deterministic, prepared) + world_limits(prepared.locale, prepared.schema)
        if route == TRADITIONAL and request.generation_method == TRADITIONAL:
            # Asked for: no model, no examples.
            return _with_reasons(PlanOutcome(deterministic, TRADITIONAL), no_edges, served=False)
        wants_patterns = route in (RAG, HYBRID) or request.learn_from_history or request.production_like
        wants_defects = deterministic.edge_case_share > 0
        found = await self._retrieve(request, prepared, wants_patterns or route == LLM, wants_defects)
        reasons: Reasons = list(no_edges)
        if found.error:
            reasons.append(
                ("retrieval_unavailable", f"example retrieval failed ({found.error}): no examples used")
            )
        defects = ex.templates(found.defects)
        if route in (LLM, HYBRID) and self.deps.planner is None:
            reasons.append(("no_api_key", "no API key: ANTHROPIC_API_KEY is not set"))
            route = RAG if wants_patterns else TRADITIONAL
        if route in (LLM, HYBRID):
            fallback_route = RAG if wants_patterns else TRADITIONAL
            fallback = self._deterministic(fallback_route, deterministic, found, defects, [], wants_patterns)
            shown = found.patterns if wants_patterns else []  # HYBRID, or asked to learn from examples
            return await self._model(
                request,
                prepared,
                route,
                deadline_s,
                shown,
                defects,
                fallback,
                reasons,
                wanted=wants_patterns and not found.error,
            )
        return self._deterministic(route, deterministic, found, defects, reasons, wants_patterns)

    async def _retrieve(
        self, request: DataRequest, prepared: Prepared, patterns: bool, defects: bool
    ) -> ex.Retrieved:
        store = self.deps.store
        if store is None or not (patterns or defects):
            return ex.Retrieved()
        found = await ex.retrieve(store, request, prepared.schema, patterns, defects)
        self.deps.store_state.error = found.error or None
        return found

    def _deterministic(
        self,
        route: str,
        plan: GenerationPlan,
        found: ex.Retrieved,
        defects: list[Template],
        reasons: Reasons,
        wants_patterns: bool,
    ) -> PlanOutcome:
        # Examples are imitated only on the RAG route (asked for, or the fallback of a request that
        # asked for them): a model route's look-up for resolving plan ids must not leak into rows.
        templates = ex.templates(found.patterns) if route == RAG else []
        if route == RAG and not templates:
            if wants_patterns and not found.error:
                reasons.append(("no_examples", "no stored example matches this request"))
            route = TRADITIONAL
        used = [h.example.id for h in found.patterns] if templates else []
        if templates:
            plan = plan.model_copy(update={"examples": used})
        if defects and route == TRADITIONAL:
            route = RAG  # stored defects feed the rows: the path says retrieval shaped them
        out = PlanOutcome(
            plan,
            route,
            templates=templates,
            defects=defects,
            template_share=ex.IMITATION_SHARE,
            examples_used=used,
        )
        return _with_reasons(out, reasons)

    async def _model(
        self,
        request: DataRequest,
        prepared: Prepared,
        route: str,
        deadline_s: float | None,
        shown: list[Hit],
        defects: list[Template],
        fallback: PlanOutcome,
        reasons: Reasons,
        wanted: bool,
    ) -> PlanOutcome:
        assert self.deps.planner is not None
        result = await self.deps.planner.plan(request, prepared, route, deadline_s, self.deps.store, shown)
        if result.plan is None:
            # The model path failed: the deterministic path serves, with examples when asked for.
            out = fallback
            prior = (
                [(out.fallback_key, out.fallback_reason.removesuffix(SERVED))] if out.fallback_reason else []
            )
            _with_reasons(out, [(result.label, result.reason), *reasons, *prior])
        else:
            # The examples the plan names, as the run saw them (or as the cache stored them): a cache
            # hit imitates exactly what the miss did, whatever the store holds now.
            used = [h.example.id for h in result.examples]
            out = PlanOutcome(
                result.plan,
                route,
                templates=ex.templates(result.examples),
                defects=defects,
                template_share=ex.IMITATION_SHARE,
                examples_used=used,
            )
            reasons += _example_notes(wanted, shown, result.plan.examples, used)
            if result.dropped:
                reasons.append(("plan_dropped", "the plan check dropped: " + "; ".join(result.dropped)))
            out = _with_reasons(out, reasons, served=False)
        out.cache_hit, out.cache_checked, out.cache_error = (
            result.cache_hit,
            result.cache_checked,
            result.cache_error,
        )
        out.tokens, out.requests = result.tokens, result.requests
        return out


def _example_notes(wanted: bool, shown: list[Hit], named: list[str], used: list[str]) -> Reasons:
    """What a model plan did with stored examples, where it is not what was asked for: none to show
    (`wanted`: HYBRID, or learn_from_history / production_like, and retrieval worked), shown but none
    imitated, or ids named that no retrieval returned. Notes, not fallbacks."""
    notes: Reasons = []
    if wanted and not shown:
        notes.append(("no_examples", "no stored example matches this request: planned without examples"))
    if shown and not used:
        ids = ", ".join(h.example.id for h in shown[:5]) + (", ..." if len(shown) > 5 else "")
        log.warning("the model ignored the stored examples it was shown", shown=len(shown))
        notes.append(
            (
                "examples_ignored",
                f"{len(shown)} stored example(s) were shown to the model ({ids}) but its plan imitates "
                "none of them: rows do not imitate stored examples",
            )
        )
    unknown = [i for i in named if i not in used]
    if unknown:
        listed = ", ".join(unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        notes.append(
            ("examples_unknown", f"the plan names examples no retrieval returned, ignored: {listed}")
        )
    return notes


def _no_edge_cases(plan: GenerationPlan, prepared: Prepared) -> Reasons:
    """Edge cases were asked for but no field of this schema has any: said, not silently skipped."""
    if plan.edge_case_share and not edge_catalogue(prepared.schema, default_window()):
        return [("no_edge_cases", "edge cases were asked for but no field of this schema has any")]
    return []


def world_limits(locale: str, *schemas: EntitySchema) -> Reasons:
    """A locale the world model has no reference data for, where the rows draw on it (addresses,
    phones, currency, tax): said, not silently less coherent."""
    if country_of_locale(locale) is not None or not any(uses_world(s) for s in schemas):
        return []
    covered = ", ".join(sorted(loc for c in countries().values() for loc in c.locales))
    return [
        (
            "world_limited",
            f"locale {locale} has no world data: names, streets and phones come from Faker's {locale} data, "
            "and addresses, currency, language and tax do not agree with each other as they do for "
            f"{covered}",
        )
    ]


def _with_reasons(out: PlanOutcome, reasons: Reasons, served: bool = True) -> PlanOutcome:
    """The first reason's label goes to metrics; every reason goes to the response."""
    if reasons:
        out.fallback_key = reasons[0][0]
        out.fallback_reason = "; ".join(text for _, text in reasons)
        if served:
            out.fallback_reason += SERVED
    return out
