"""Planning with the model: the plan cache first, then the planner agent within its budget.

Every failure is classified into a short label (for metrics) and a reason (for people); the
pipeline then serves the deterministic plan. Nothing here raises to the caller.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import structlog
from pydantic import BaseModel, ValidationError
from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelOverloadedError,
    ModelRateLimitError,
    ModelRetry,
    ModelServerError,
    ModelTimeoutError,
    ModelUnavailableError,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
)
from pydantic_ai.models import Model
from pydantic_ai.usage import RunUsage, UsageLimits

from agent import examples as ex
from agent.executor import Prepared
from agent.plan import GenerationPlan
from agent.plan_tools import schema_summary
from agent.planner_agent import PlanDeps, planner_agent
from agent.prompts import PROMPT_VERSION, user_prompt
from agent.request import DataRequest
from retrieval.cache import CacheError, MemoryCache, PlanCache
from retrieval.examples import Example, ExampleStore, Hit
from tools.registry import Registry


@dataclass
class PlannerSettings:
    # The model's whole budget per request (MODEL_TIMEOUT_S), sized for a rich plan. An estimate, since
    # no Claude is reachable from here: a plan with three 25-entry record tables is 4,000-6,000 output
    # tokens, and the agent writes it once or twice (the check_plan call, then final_result when it
    # fixes something; accept_checked_plan when nothing needs fixing). At Claude Sonnet 4.5's ~63 output
    # tokens/s (Artificial Analysis' published median; first token after ~1.8 s), two writes of 5,000
    # tokens take ~160 s, plus ~2 s to the first token of each of ~3 round trips: ~165 s, rounded up to
    # 180; a plan accepted as checked takes about half. A small plan (a few hundred tokens) still
    # takes seconds. The live eval reports the real figure. A client deadline always wins: the model
    # stops in time for the deterministic fallback to be made before it (see `model_time`).
    timeout_s: float = 180.0
    request_limit: int = 8
    token_budget: int = 60_000
    max_tokens: int = 8192
    max_retries: int = 2  # the SDK's own retries (429/5xx, honouring retry-after) inside timeout_s
    cache_ttl_s: int = 86_400
    cache_default: bool = True
    auth_backoff_s: float = 60.0  # after a rejected key, plan without the model this long
    # A plan the model failed to make (invalid after retries, over budget, a garbled answer) is
    # remembered this long under its plan key: the same request falls back at once instead of paying
    # the model again for the same failure. Transient failures (timeouts, 429, 529, 5xx) are not.
    failure_ttl_s: int = 120
    # Anthropic prompt caching of the instructions, tool definitions and conversation (run_options).
    prompt_cache: bool = True
    # Rows per second the fallback is sure to be made at on a loaded machine (half the slowest
    # entity's measured speed, ~4,000 carts/s on one core): the model stops early enough, before a
    # client's deadline, for the deterministic rows to be made and sent.
    fallback_rows_per_s: float = 2000.0


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
    # The stored examples the plan imitates, content and score as the run found them, in the order
    # they become templates: the same on a cache hit as on the miss that stored them.
    examples: list[Hit] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # what the plan check dropped from the plan


@dataclass
class Replay:
    """What a plan needs besides itself to give the same rows again: stored with it in the cache."""

    examples: list[Hit] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


# A plan cached by a release with another GenerationPlan shape is never read back by this one.
log = structlog.get_logger("testdata.planner")
PLAN_SCHEMA_HASH = hashlib.sha256(
    json.dumps(GenerationPlan.model_json_schema(), sort_keys=True).encode()
).hexdigest()[:16]
# A cache entry is {"format": ENTRY_FORMAT, "plan": {...}, "examples": [...], "dropped": [...]};
# anything else (a bare plan from an older release) is a miss.
ENTRY_FORMAT = 2
FAILED_PREFIX = "failed:"
# Failures that would happen again for the same request: remembered for failure_ttl_s. Timeouts, rate
# limits, overload and server errors are about the moment, not the request, so they are not.
LASTING_FAILURES = frozenset({"invalid_plan", "budget_exceeded", "bad_response"})
MAX_REASON_CHARS = 400
FALLBACK_ROWS_CAP = 10_000  # a stream's deadline covers its whole run: reserve for its first rows only
_SECRET = re.compile(r"\b(?:sk-[A-Za-z0-9_\-]{8,}|Bearer\s+\S+)", re.IGNORECASE)


class PlanRefused(UnexpectedModelBehavior):
    """The model's retries ran out; `problems` are what the last plan check told it (each naming the
    value, the rule and the fix)."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


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


def write_entry(plan: BaseModel, replay: Replay) -> str:
    """A cache entry: the plan and everything else its rows depend on, to replay them byte for byte."""
    examples = [{"score": h.score, "example": h.example.model_dump(mode="json")} for h in replay.examples]
    doc = {"format": ENTRY_FORMAT, "examples": examples, "dropped": replay.dropped}
    return json.dumps({**doc, "plan": json.loads(plan.model_dump_json())}, ensure_ascii=False)


def read_entry(kind: type[P], raw: str) -> tuple[P, Replay] | None:
    """The plan and its replay from a cache entry; None for anything else (an older release's entry)."""
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict) or doc.get("format") != ENTRY_FORMAT:
            return None
        plan = kind.model_validate_json(json.dumps(doc["plan"]))
        examples = [Hit(Example.model_validate(e["example"]), float(e["score"])) for e in doc["examples"]]
        return plan, Replay(examples, [str(d) for d in doc["dropped"]])
    except (ValueError, TypeError, KeyError):  # pydantic's ValidationError is a ValueError
        return None


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
        return "budget_exceeded", bounded(f"budget exceeded: {exc}")
    if isinstance(exc, UnexpectedModelBehavior):
        reason = f"invalid plan after retries: {str(exc).split('. ')[0][:160]}"
        problems = last_problems(exc)
        if isinstance(exc, PlanRefused) and _retried_by_check(exc):
            # What ended the retries first, then the rest of the last check's list.
            problems = "; ".join([problems, *(p for p in exc.problems if p not in problems)])
        return "invalid_plan", bounded(f"{reason}; last problems: {problems}" if problems else reason)
    if isinstance(exc, ModelAPIError) and "JSON" in str(exc):
        return "bad_response", "the model API answered with something that is not JSON"
    if isinstance(exc, ModelAPIError):
        return "api_error", bounded(f"model API error: {str(exc)[:160]}")
    return "planner_error", f"planner error: {type(exc).__name__}"


def last_problems(exc: BaseException) -> str:
    """What the model was last told to fix before its retries ran out: the output validator's problems
    (a ModelRetry), the plan's validation errors, or the tool call that failed ('' when none)."""
    seen: set[int] = set()
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ModelRetry):
            text = cause.message
            text = text.split(":\n", 1)[-1] if text.startswith("Fix ") else text.split(". Fix ", 1)[0]
            return "; ".join(line.strip().removeprefix("- ") for line in text.splitlines() if line.strip())
        if isinstance(cause, ValidationError):
            errors = cause.errors(include_url=False, include_input=False)
            shown = [f"{'.'.join(str(p) for p in e['loc']) or 'plan'}: {e['msg']}" for e in errors[:6]]
            more = f"; and {len(errors) - 6} more" if len(errors) > 6 else ""
            return "; ".join(shown) + more
        if not isinstance(cause, UnexpectedModelBehavior | ExceptionGroup):
            return str(cause)
        cause = cause.__cause__ or cause.__context__
    return ""


def _retried_by_check(exc: BaseException) -> bool:
    """The retries ran out on the plan check's ModelRetry (not on a malformed call or arguments)."""
    cause = exc.__cause__
    while cause is not None and not isinstance(cause, ModelRetry):
        cause = cause.__cause__
    return cause is not None


def bounded(text: str, limit: int = MAX_REASON_CHARS) -> str:
    """A reason for people: one line, no key-shaped secrets, at most `limit` characters."""
    flat = _SECRET.sub("[redacted]", " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def model_time(settings: PlannerSettings, deadline_s: float | None, rows: int = 0) -> float:
    """Seconds the model may take: its budget, cut short so that the fallback's rows (made at
    fallback_rows_per_s, plus half a second to send them) are served before the client's deadline."""
    if deadline_s is None:
        return settings.timeout_s
    reserve = 0.5 + rows / settings.fallback_rows_per_s
    return max(0.05, min(settings.timeout_s, deadline_s - reserve))


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

        def replay(plan: GenerationPlan) -> Replay:
            # The examples shown in the prompt come first, then those the model found itself.
            return Replay(ex.named(list(deps.seen.values()), plan.examples), list(deps.dropped))

        out = await self.cached_run(
            key,
            use_cache,
            GenerationPlan,
            lambda usage: self._run(deps, shown or [], usage),
            deadline_s,
            replay=replay,
            rows=min(prepared.total, FALLBACK_ROWS_CAP),
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
        replay: Callable[[P], Replay] | None = None,
        rows: int = 0,
    ) -> ModelPlan[P]:
        """The cached plan under `key` when there is a usable one, else `run` within the time budget;
        a failure is classified, never raised, and a lasting one remembered for failure_ttl_s. Shared
        by the row and the dataset planners. `replay` gives what the cache stores beside a fresh plan
        (the examples it imitates); `rows` is how many rows a fallback would make before the deadline."""
        s = self.settings
        out: ModelPlan[P] = ModelPlan()
        if use_cache:
            cached = await self._cache_get(key, out)
            entry = read_entry(kind, cached) if cached is not None else None
            if entry is not None and await asyncio.to_thread(usable, entry[0]):  # may preview: off the loop
                out.plan, out.cache_hit = entry[0], True
                out.examples, out.dropped = entry[1].examples, entry[1].dropped
                return out
            # An entry this version cannot read, or cannot use, is a miss.
            if s.failure_ttl_s > 0 and not out.cache_error and await self._failed_recently(key, out):
                return out
        wait = self._auth_wait()
        if wait > 0:
            # A rejected key stays rejected: asking again on every request only adds latency.
            out.label = "auth_failed"
            out.reason = f"{self.model_state.error}; the model is not asked again for {wait:.0f} s"
            return out
        usage = RunUsage()
        timeout = model_time(s, deadline_s, rows)
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
            if use_cache and s.failure_ttl_s > 0 and out.label in LASTING_FAILURES:
                await self._remember_failure(key, out)
        else:
            self.model_state.error = None
            self._auth_failed_at = None
            extra = replay(out.plan) if replay is not None else Replay()
            out.examples, out.dropped = extra.examples, extra.dropped
            if use_cache:  # a plan asked for afresh must not replace the one other requests reproduce
                await self._cache_set(key, write_entry(out.plan, extra), out)
        out.tokens, out.requests = usage.total_tokens, usage.requests
        return out

    async def _failed_recently(self, key: str, out: ModelPlan[P]) -> bool:
        """A lasting failure of this plan within failure_ttl_s: `out` says so and why (True), or False."""
        try:
            raw = await self.cache.get(FAILED_PREFIX + key)
        except CacheError as exc:
            out.cache_error = self.cache_state.error = str(exc)
            return False
        if raw is None:
            return False
        try:
            failed = json.loads(raw)
            label, reason, at = str(failed["label"]), str(failed["reason"]), float(failed["at"])
        except (ValueError, TypeError, KeyError):
            return False
        age = max(0.0, time.time() - at)
        left = max(1.0, self.settings.failure_ttl_s - age)
        out.label = "failed_recently"
        out.reason = bounded(
            f"the model failed this plan {age:.0f} s ago ({label}: {reason}); "
            f"it is not asked again for {left:.0f} s",
            MAX_REASON_CHARS + 120,
        )
        return True

    async def _remember_failure(self, key: str, out: ModelPlan[P]) -> None:
        value = json.dumps({"label": out.label, "reason": out.reason, "at": time.time()})
        try:
            await self.cache.set(FAILED_PREFIX + key, value, self.settings.failure_ttl_s)
        except CacheError as exc:
            out.cache_error = self.cache_state.error = str(exc)
            return
        log.warning(
            "the model failed this plan: identical requests fall back without it for a while",
            label=out.label,
            reason=out.reason,
            for_s=self.settings.failure_ttl_s,
        )

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
        try:
            result = await planner_agent.run(prompt, deps=deps, **self.run_options(usage))
        except UnexpectedModelBehavior as exc:
            raise PlanRefused(exc.message, list(deps.problems)) from exc
        return result.output

    def run_options(self, usage: RunUsage) -> dict[str, Any]:
        """The model, its settings and the budget, for any agent run this planner makes."""
        s = self.settings
        model_settings: dict[str, Any] = {"max_tokens": s.max_tokens, "max_retries": s.max_retries}
        if s.prompt_cache:
            # Anthropic prompt caching (other models ignore these keys). The cached prefix runs tools,
            # then system, then messages: a breakpoint on the last tool definition and one after the
            # literal instructions are shared by every plan of every request (within the 5-minute
            # cache lifetime); one on the last message block lets each round trip of a run read the
            # one before. Three of Anthropic's four breakpoints; pydantic-ai trims any excess.
            model_settings |= {
                "anthropic_cache_tool_definitions": True,
                "anthropic_cache_instructions": True,
                "anthropic_cache_messages": True,
            }
        # No extended thinking (anthropic_thinking), on purpose. The plan arrives as a forced call of the
        # final_result tool (tool_choice "any"), and the API refuses forced tool use with extended
        # thinking, so pydantic-ai then switches the output to native JSON-schema output, whose strict
        # mode cannot express the plan's dict fields (themes, peaks, follows): they would come back
        # empty. Adaptive thinking keeps forced tool use but, per the API, does not think on a forced
        # call. Thinking tokens are also billed and written at output speed, inside a timeout already
        # sized for writing a rich plan twice. The model reasons in the loop instead: it drafts, calls
        # check_plan, reads the problems, and writes the fixed plan.
        return {
            "model": self.model,
            "model_settings": model_settings,
            "usage_limits": UsageLimits(request_limit=s.request_limit, total_tokens_limit=s.token_budget),
            "usage": usage,
        }
