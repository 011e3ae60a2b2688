"""Start-up warm-up: make a few rows of every entity once, so value pools (built by Faker on first
use, about a second in all) are ready before the first request and readiness turns green."""

from __future__ import annotations

from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.request import DataRequest
from tools.engine import generate
from tools.registry import Registry


def warm_up(registry: Registry, locale: str = "en_US") -> int:
    made = 0
    for name in registry.names():
        request = DataRequest(entity=name, count=2, seed=0, locale=locale)
        prepared = prepare(request, registry)
        job, _ = build_job(prepared, plan_request(request, prepared.schema))
        made += sum(len(batch) for batch in generate(job))
    return made
