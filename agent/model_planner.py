"""Planning with the model: the plan cache first, then the planner agent within its budget.

Every failure is classified into a short label (for metrics) and a reason (for people); the
pipeline then serves the deterministic plan. Nothing here raises to the caller.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import structlog
from pydantic import BaseModel
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

from agent.executor import Prepared
from agent.plan import GenerationPlan
from agent.plan_tools import schema_summary
from agent.planner_agent import PlanDeps, planner_agent
from agent.prompts import PROMPT_VERSION, user_prompt
from agent.request import DataRequest
from retrieval.cache import CacheError, MemoryCache, PlanCache
from retrieval.examples import ExampleStore, Hit
from tools.registry import Registry


@dataclass
class PlannerSettings:
    timeout_s: float = 20.0
    request_limit: int = 8
    token_budget: int = 60_000
    max_tokens: int = 8192
    max_retries: int = 2  # the SDK's own retries (429/5xx, honouring retry-after) inside timeout_s
    cache_ttl_s: int = 86_400
    cache_default: bool = True
    auth_backoff_s: float = 60.0  # after a rejected key, plan without the model this long


@dataclass
class ComponentState:
    """The last failure of a component, for health (None: fine)."""

    error: str | None = None


P = TypeVar("P", bound=BaseModel)


@dataclass
class ModelPlan(Generic[P]):
    """What a model planning attempt gave: a plan, or the failure label and reason."""

    plan: P | None = None
    label: str = ""
    reason: str = ""
    tokens: int = 0
    requests: int = 0
    cache_hit: bool = False
    cache_checked: bool = False
    cache_error: str = ""
    seen: dict[str, Hit] = field(default_factory=dict)


# A plan cached by a release with another GenerationPlan shape is never read back by this one.
log = structlog.get_logger("testdata.planner")
PLAN_SCHEMA_HASH = hashlib.sha256(
    json.dumps(GenerationPlan.model_json_schema(), sort_keys=True).encode()
).hexdigest()[:16]


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
        "plan_model": PLAN_SCHEMA_HASH,
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


class ModelPlanner:
    def __init__(
        self,
        model: Model,
        model_name: str,
        registry: Registry,
        cache: PlanCache | None = None,
        settings: PlannerSettings | None = None,
    ) -> None:
        self.model = model
        self.model_name = model_name
        self.registry = registry
        self.cache: PlanCache = cache or MemoryCache()
        self.settings = settings or PlannerSettings()
        self.model_state = ComponentState()
        self.cache_state = ComponentState()
        self._auth_failed_at: float | None = None  # monotonic time of the last 401/403

    async def plan(
        self,
        request: DataRequest,
        prepared: Prepared,
        route: str,
        deadline_s: float | None,
        store: ExampleStore | None = None,
        shown: list[Hit] | None = None,
    ) -> ModelPlan[GenerationPlan]:
        key = plan_key(request, prepared, route, self.model_name)
        deps = PlanDeps(request, prepared, self.registry, store, {h.example.id: h for h in shown or []})
        use_cache = self.settings.cache_default if request.use_cache is None else request.use_cache
        out = await self.cached_run(
            key, use_cache, GenerationPlan, lambda usage: self._run(deps, shown or [], usage), deadline_s
        )
        out.seen = deps.seen
        return out

    async def cached_run(
        self,
        key: str,
        use_cache: bool,
        kind: type[P],
        run: Callable[[RunUsage], Awaitable[P]],
        deadline_s: float | None,
        usable: Callable[[P], bool] = lambda _: True,
    ) -> ModelPlan[P]:
        """The cached plan under `key` when there is a usable one, else `run` within the time budget;
        a failure is classified, never raised. Shared by the row and the dataset planners."""
        s = self.settings
        out: ModelPlan[P] = ModelPlan()
        if use_cache:
            cached = await self._cache_get(key, out)
            if cached is not None:
                try:
                    plan = kind.model_validate_json(cached)
                except ValueError:
                    plan = None
                if plan is not None and await asyncio.to_thread(usable, plan):  # may preview: off the loop
                    out.plan, out.cache_hit = plan, True
                    return out
                out.cache_checked = True  # an entry this version cannot use is a miss
        wait = self._auth_wait()
        if wait > 0:
            # A rejected key stays rejected: asking again on every request only adds latency.
            out.label = "auth_failed"
            out.reason = f"{self.model_state.error}; the model is not asked again for {wait:.0f} s"
            return out
        usage = RunUsage()
        timeout = s.timeout_s if deadline_s is None else max(0.05, min(s.timeout_s, deadline_s - 0.5))
        try:
            out.plan = await asyncio.wait_for(run(usage), timeout)
        except Exception as exc:
            out.label, out.reason = classify(exc)
            if out.label == "timeout":
                out.reason = f"timeout: no plan within {timeout:.1f} s"
            if out.label == "auth_failed":
                if self.model_state.error is None:
                    log.error(
                        "model authentication failed; planning falls back until it works",
                        reason=out.reason,
                        retry_in_s=s.auth_backoff_s,
                    )
                self.model_state.error = out.reason
                self._auth_failed_at = time.monotonic()
        else:
            self.model_state.error = None
            self._auth_failed_at = None
            if use_cache:  # a plan asked for afresh must not replace the one other requests reproduce
                await self._cache_set(key, out.plan.model_dump_json(), out)
        out.tokens, out.requests = usage.total_tokens, usage.requests
        return out

    def _auth_wait(self) -> float:
        """Seconds left before a rejected key is tried again (0: ask the model)."""
        if self._auth_failed_at is None:
            return 0.0
        return max(0.0, self._auth_failed_at + self.settings.auth_backoff_s - time.monotonic())

    async def _cache_get(self, key: str, out: ModelPlan[P]) -> str | None:
        try:
            value = await self.cache.get(key)
        except CacheError as exc:
            out.cache_error = self.cache_state.error = str(exc)
            return None
        self.cache_state.error = None
        out.cache_checked = True
        return value

    async def _cache_set(self, key: str, value: str, out: ModelPlan[P]) -> None:
        try:
            await self.cache.set(key, value, self.settings.cache_ttl_s)
        except CacheError as exc:
            out.cache_error = self.cache_state.error = str(exc)

    async def _run(self, deps: PlanDeps, shown: list[Hit], usage: RunUsage) -> GenerationPlan:
        schema = deps.prepared.schema
        schema_text = schema_summary(schema) if deps.prepared.schema_from_request else ""
        prompt = user_prompt(deps.request, schema, [h.example for h in shown], schema_text)
        result = await planner_agent.run(prompt, deps=deps, **self.run_options(usage))
        return result.output

    def run_options(self, usage: RunUsage) -> dict[str, Any]:
        """The model, its settings and the budget, for any agent run this planner makes."""
        s = self.settings
        return {
            "model": self.model,
            "model_settings": {"max_tokens": s.max_tokens, "max_retries": s.max_retries},
            "usage_limits": UsageLimits(request_limit=s.request_limit, total_tokens_limit=s.token_budget),
            "usage": usage,
        }
