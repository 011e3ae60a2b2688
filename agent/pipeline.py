"""The pipeline: choose a path, get a plan (cache -> planner), and report how it went.

Every path ends in a GenerationPlan that the one executor runs. A model, cache or retrieval failure
never fails the request: the deterministic plan serves and `fallback_reason` says why.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelOverloadedError,
    ModelRateLimitError,
    ModelServerError,
    ModelTimeoutError,
    ModelUnavailableError,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
)
from pydantic_ai.models import Model
from pydantic_ai.usage import RunUsage, UsageLimits

from agent.deterministic import plan_request
from agent.executor import Prepared
from agent.plan import GenerationPlan
from agent.planner_agent import PlanDeps, planner_agent
from agent.prompts import PROMPT_VERSION, user_prompt
from agent.request import DataRequest
from retrieval.cache import CacheError, MemoryCache, PlanCache
from tools.registry import Registry

TRADITIONAL, LLM, RAG, HYBRID = "traditional", "llm", "rag", "hybrid"


@dataclass
class PlannerSettings:
    timeout_s: float = 20.0
    request_limit: int = 8
    token_budget: int = 60_000
    max_tokens: int = 8192
    max_retries: int = 2  # the SDK's own retries (429/5xx, honouring retry-after) inside timeout_s
    cache_ttl_s: int = 86_400
    cache_default: bool = True


@dataclass
class ComponentState:
    """The last failure of a component, for health (None: fine)."""

    error: str | None = None


@dataclass
class AgentDeps:
    """What the pipeline needs, built once at start-up by service/ and handed down."""

    registry: Registry
    model: Model | None = None
    model_name: str = ""
    cache: PlanCache = field(default_factory=MemoryCache)
    settings: PlannerSettings = field(default_factory=PlannerSettings)
    model_state: ComponentState = field(default_factory=ComponentState)
    cache_state: ComponentState = field(default_factory=ComponentState)
    examples_available: bool = False


@dataclass
class PlanOutcome:
    plan: GenerationPlan
    path: str
    fallback_reason: str = ""
    fallback_key: str = ""  # a short label for metrics
    cache_hit: bool = False
    cache_checked: bool = False  # the plan cache was read (a hit or a miss)
    cache_error: str = ""
    tokens: int = 0
    requests: int = 0
    prompt_version: str = PROMPT_VERSION


def plan_key(request: DataRequest, prepared: Prepared, route: str, model_name: str) -> str:
    """Everything a plan depends on, hashed: never the count, the seed or the output format."""
    doc = {
        "schema": prepared.schema.model_dump(mode="json"),
        "scenarios": [[s.name, sorted(s.overrides.items()), s.description] for s in request.scenarios],
        "context": request.context,
        "hints": request.hints,
        "flags": [
            request.defect_triggering,
            request.negative,
            request.production_like,
            request.learn_from_history,
        ],
        "locale": prepared.locale,
        "route": route,
        "prompt": PROMPT_VERSION,
        "model": model_name,
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def classify(exc: BaseException) -> tuple[str, str]:
    """(metrics label, reason for people) for a planner failure."""
    status = getattr(exc, "status_code", None)
    if isinstance(exc, ModelAuthenticationError):
        return "auth_failed", f"authentication failed ({status}): check ANTHROPIC_API_KEY"
    if isinstance(exc, ModelRateLimitError):
        return "rate_limited", "rate limited (429) by the model API"
    if isinstance(exc, ModelOverloadedError):
        return "overloaded", "the model API is overloaded (529)"
    if isinstance(exc, ModelServerError | ModelUnavailableError):
        return "server_error", f"the model API failed ({status or 'server error'})"
    if isinstance(exc, ModelTimeoutError | TimeoutError):
        return "timeout", "timeout: no plan within the model time budget"
    if isinstance(exc, UsageLimitExceeded):
        return "budget_exceeded", f"budget exceeded: {exc}"
    if isinstance(exc, UnexpectedModelBehavior):
        return "invalid_plan", f"invalid plan after retries: {str(exc).split('. ')[0][:160]}"
    if isinstance(exc, ModelAPIError) and "JSON" in str(exc):
        return "bad_response", "the model API answered with something that is not JSON"
    if isinstance(exc, ModelAPIError):
        return "api_error", f"model API error: {str(exc)[:160]}"
    return "planner_error", f"planner error: {type(exc).__name__}"


class Pipeline:
    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps

    async def plan(
        self, request: DataRequest, prepared: Prepared, deadline_s: float | None = None
    ) -> PlanOutcome:
        asked = request.generation_method
        fallback = plan_request(request, prepared.schema)
        if asked == TRADITIONAL or (asked is None and self.deps.model is None):
            return PlanOutcome(fallback, TRADITIONAL)
        if asked == RAG:
            return _fallback(fallback, "retrieval_unavailable", "example retrieval is not built yet")
        if self.deps.model is None:
            return _fallback(fallback, "no_api_key", "no API key: ANTHROPIC_API_KEY is not set")
        route = HYBRID if asked == HYBRID else LLM
        outcome = await self._model_plan(request, prepared, route, fallback, deadline_s)
        if route == HYBRID and not outcome.fallback_reason and not self.deps.examples_available:
            outcome.path = LLM
            outcome.fallback_key = "retrieval_unavailable"
            outcome.fallback_reason = (
                "example retrieval is not built yet: planned by the model without examples"
            )
        return outcome

    async def _model_plan(
        self,
        request: DataRequest,
        prepared: Prepared,
        route: str,
        fallback: GenerationPlan,
        deadline_s: float | None,
    ) -> PlanOutcome:
        deps, s = self.deps, self.deps.settings
        key = plan_key(request, prepared, route, deps.model_name)
        use_cache = s.cache_default if request.use_cache is None else request.use_cache
        cache_error = ""
        if use_cache:
            try:
                cached = await deps.cache.get(key)
                deps.cache_state.error = None
            except CacheError as exc:
                cached, cache_error = None, str(exc)
                deps.cache_state.error = cache_error
            if cached is not None:
                return PlanOutcome(
                    GenerationPlan.model_validate_json(cached), route, cache_hit=True, cache_checked=True
                )
        checked = use_cache and not cache_error
        usage = RunUsage()
        timeout = s.timeout_s if deadline_s is None else max(0.05, min(s.timeout_s, deadline_s - 0.5))
        try:
            result = await asyncio.wait_for(self._run(request, prepared, usage), timeout)
        except Exception as exc:
            label, reason = classify(exc)
            if label == "timeout":
                reason = f"timeout: no plan within {timeout:.1f} s"
            if label == "auth_failed":
                deps.model_state.error = reason
            out = _fallback(fallback, label, reason)
            out.tokens, out.requests, out.cache_error = usage.total_tokens, usage.requests, cache_error
            out.cache_checked = checked
            return out
        deps.model_state.error = None
        try:
            await deps.cache.set(key, result.model_dump_json(), s.cache_ttl_s)
        except CacheError as exc:
            cache_error = str(exc)
            deps.cache_state.error = cache_error
        out = PlanOutcome(
            result, route, tokens=usage.total_tokens, requests=usage.requests, cache_checked=checked
        )
        out.cache_error = cache_error
        return out

    async def _run(self, request: DataRequest, prepared: Prepared, usage: RunUsage) -> GenerationPlan:
        deps, s = self.deps, self.deps.settings
        result = await planner_agent.run(
            user_prompt(request, prepared.schema),
            model=deps.model,
            deps=PlanDeps(request, prepared, deps.registry),
            model_settings={"max_tokens": s.max_tokens, "max_retries": s.max_retries},
            usage_limits=UsageLimits(request_limit=s.request_limit, total_tokens_limit=s.token_budget),
            usage=usage,
        )
        return result.output


def _fallback(plan: GenerationPlan, key: str, reason: str) -> PlanOutcome:
    return PlanOutcome(
        plan, TRADITIONAL, fallback_reason=f"{reason}; the deterministic planner served", fallback_key=key
    )
