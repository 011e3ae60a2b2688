"""Which stored examples a request uses, and how they become engine templates.

Patterns and production samples are imitated (varied, never copied); defects are replayed as edge
cases. Retrieval is optional: a failing store means a plan without examples and a reason that says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import structlog

from agent.prompts import fenced
from agent.request import DataRequest
from retrieval.examples import ExampleStore, Hit, RetrievalError
from tools.imitation import Template
from tools.schema import EntitySchema

log = structlog.get_logger("testdata.retrieval")
TOP_K = 8
IMITATION_SHARE = 0.75  # rows that imitate an example; the rest are fresh, for variety
DEFECTS_K = 5
RECORDS_SHOWN = 2  # records per example the model sees: enough to imitate, cheap in tokens


@dataclass
class Retrieved:
    patterns: list[Hit] = field(default_factory=list)
    defects: list[Hit] = field(default_factory=list)
    error: str = ""


def query_text(request: DataRequest, schema: EntitySchema) -> str:
    parts = [request.context, *request.hints]
    parts += [f"{s.name.replace('_', ' ')} {s.description}" for s in request.scenarios]
    text = " ".join(p for p in parts if p.strip())
    return text or f"{schema.name} {schema.description}"


def pattern_kinds(request: DataRequest) -> list[str]:
    if request.production_like and not request.learn_from_history:
        return ["production_sample"]
    if request.learn_from_history and not request.production_like:
        return ["pattern"]
    return ["pattern", "production_sample"]


async def retrieve(
    store: ExampleStore, request: DataRequest, schema: EntitySchema, patterns: bool, defects: bool
) -> Retrieved:
    out = Retrieved()
    query = query_text(request, schema)
    where = {"domain": schema.domain, "entity": schema.name}
    try:
        if patterns:
            for kind in pattern_kinds(request):
                out.patterns += await store.search(query, kind=kind, k=TOP_K, **where)
            out.patterns.sort(key=lambda h: -h.score)
            out.patterns = out.patterns[:TOP_K]
        if defects:
            out.defects = await store.search(query, kind="defect", k=DEFECTS_K, **where)
    except RetrievalError as exc:
        out.error = str(exc)
        log.warning("example retrieval failed", detail=exc.detail)
    return out


def templates(hits: list[Hit], chosen: list[str] | None = None) -> list[Template]:
    """Every record of every hit (or only the chosen example ids), weighted by relevance and quality."""
    out = []
    for hit in hits:
        if chosen is not None and hit.example.id not in chosen:
            continue
        weight = max(hit.score, 1e-3) * (0.5 + hit.example.quality_score)
        for i, record in enumerate(hit.example.data):
            out.append(Template(f"{hit.example.id}#{i}" if i else hit.example.id, record, weight))
    return out


def for_model(hit: Hit) -> dict[str, Any]:
    """An example as a tool result: the store's own fields as they are, everything a user wrote (its
    scenario, description, tags and records) fenced as data, exactly as user text is in the prompt."""
    ex = hit.example
    written: dict[str, Any] = {"scenario": ex.scenario, "description": ex.description, "tags": ex.tags}
    written["records"] = ex.data[:RECORDS_SHOWN]
    return {
        "id": ex.id,
        "kind": ex.kind,
        "score": round(hit.score, 3),
        "example": fenced(f"example {ex.id}", json.dumps(written, ensure_ascii=False)),
    }


def named(hits: list[Hit], ids: list[str]) -> list[Hit]:
    """The hits a plan names in `examples`, each once, in the order they were found."""
    wanted, out, taken = set(ids), [], set()
    for hit in hits:
        if hit.example.id in wanted and hit.example.id not in taken:
            taken.add(hit.example.id)
            out.append(hit)
    return out
