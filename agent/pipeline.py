"""The pipeline: choose a path, get a plan (cache -> planner), and report how it went.

Every path ends in a GenerationPlan that the one executor runs. Today the deterministic planner
serves every path; a path it cannot serve as asked is reported in `fallback_reason`, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.deterministic import plan_request
from agent.executor import Prepared
from agent.plan import GenerationPlan
from agent.prompts import PROMPT_VERSION
from agent.request import DataRequest

TRADITIONAL, LLM, RAG, HYBRID = "traditional", "llm", "rag", "hybrid"


@dataclass
class PlanOutcome:
    plan: GenerationPlan
    path: str
    fallback_reason: str = ""
    cache_hit: bool = False
    tokens: int = 0
    requests: int = 0
    prompt_version: str = PROMPT_VERSION


@dataclass
class AgentDeps:
    """What the pipeline needs, built once at start-up by service/ and handed down."""

    model_configured: bool = False
    examples_available: bool = False


class Pipeline:
    def __init__(self, deps: AgentDeps) -> None:
        self.deps = deps

    async def plan(self, request: DataRequest, prepared: Prepared) -> PlanOutcome:
        asked = request.generation_method
        plan = plan_request(request, prepared.schema)
        if asked in (None, TRADITIONAL):
            return PlanOutcome(plan, TRADITIONAL)
        if asked in (LLM, HYBRID) and not self.deps.model_configured:
            reason = "no API key: ANTHROPIC_API_KEY is not set, so the deterministic planner served"
            return PlanOutcome(plan, TRADITIONAL, fallback_reason=reason)
        if asked == RAG and not self.deps.examples_available:
            reason = "example retrieval is not available in this build, so the deterministic planner served"
            return PlanOutcome(plan, TRADITIONAL, fallback_reason=reason)
        reason = f"the {asked} planner is not built yet, so the deterministic planner served"
        return PlanOutcome(plan, TRADITIONAL, fallback_reason=reason)
