"""The pipeline on in-process defaults (embedded example store, in-memory plan cache), for the evals
and benches; the service wires its own from settings (service/app.py)."""

from __future__ import annotations

from pydantic_ai.models import Model

from agent.model_planner import ModelPlanner, PlannerSettings
from agent.pipeline import AgentDeps, Pipeline
from retrieval.cache import MemoryCache
from retrieval.embedded_store import EmbeddedStore
from tools.registry import Registry


def local_pipeline(registry: Registry, model: Model | None, model_name: str) -> Pipeline:
    planner = None
    if model is not None:
        planner = ModelPlanner(model, model_name, registry, MemoryCache(), PlannerSettings())
    return Pipeline(AgentDeps(registry=registry, planner=planner, store=EmbeddedStore()))
