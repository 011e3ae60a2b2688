"""The deterministic planner: a GenerationPlan from the request alone, no model.

It reads the context, hints and scenario names for words it knows (catalogue theme keywords,
`edge_case`, `high_value`, `single_item`, ...) and writes the same plan type the model writes. It is
the offline path, the fallback, and the TRADITIONAL path.
"""

from __future__ import annotations

import re
from functools import cache

from agent.plan import FieldPlan, GenerationPlan, ScenarioPlan
from agent.request import DataRequest
from agent.time_words import peak_multipliers
from tools.catalogue import load_catalogue
from tools.schema import EntitySchema, FieldType

EDGE_HINTS = {"edge_case", "edge_cases", "edge", "boundary", "defect", "defects"}
DEFECT_SHARE = 0.5


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


@cache
def _theme_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for theme in load_catalogue():
        words = "|".join(re.escape(k.lower()) for k in theme.keywords)
        if words:
            out.append((theme.name, re.compile(rf"\b(?:{words})(?:s|es)?\b")))
    return tuple(out)


def theme_weights(text: str) -> dict[str, float]:
    """Catalogue themes whose keywords appear in the text, weighted by how many times they appear."""
    lowered = text.lower()
    found: dict[str, float] = {}
    for name, pattern in _theme_patterns():
        hits = len(pattern.findall(lowered))
        if hits:
            found[name] = float(hits)
    return found


def plan_request(request: DataRequest, schema: EntitySchema) -> GenerationPlan:
    hints = {h.strip().lower() for h in request.hints}
    edge = request.defect_triggering or bool(hints & EDGE_HINTS)
    themes = theme_weights(" ".join([request.context, *request.hints]))
    plan = GenerationPlan(
        summary=f"{schema.name} rows from the schema's own distributions"
        + (f", products themed {', '.join(sorted(themes))}" if themes else ""),
        themes=themes,
        edge_case_share=DEFECT_SHARE if edge else 0.0,
        assumptions=["deterministic planner: no model was asked"],
        peaks=peak_multipliers(" ".join([request.context, *request.hints])),
    )
    for s in request.scenarios:
        plan.scenarios.append(_scenario_plan(s.name, s.description, schema))
    return plan


def _scenario_plan(name: str, description: str, schema: EntitySchema) -> ScenarioPlan:
    words = _words(f"{name} {description}")
    plan = ScenarioPlan(name=name, intent=description or name.replace("_", " "))
    plan.themes = theme_weights(f"{name.replace('_', ' ')} {description}")
    arrays = [f for f in schema.fields if f.type is FieldType.ARRAY]
    money = [f.name for f in schema.fields if f.type is FieldType.MONEY]
    item_money = [
        f"{a.name}[].{sub.name}"
        for a in arrays
        if a.items is not None
        for sub in a.items.fields
        if sub.type is FieldType.MONEY
    ]
    text = f"{name} {description}".lower().replace("_", " ")
    single = bool(re.search(r"\bsingle\b|\b(one|1) (item|product|line)\b", text))
    bulk = bool(words & {"bulk", "large", "many", "full"})
    if single and bulk:
        plan.intent += " (single and bulk both mentioned: item counts left to the schema)"
    elif single and arrays:
        plan.fields += [FieldPlan(path=a.name, min_items=1, max_items=1) for a in arrays]
    elif bulk and arrays:
        plan.fields += [
            FieldPlan(path=a.name, min_items=max(a.min_items or 1, (a.max_items or 5) - 2)) for a in arrays
        ]
    if words & {"high", "premium", "luxury", "vip", "expensive"}:
        # High value: prices in the upper part of their range.
        plan.fields += [FieldPlan(path=p, min=100.0) for p in item_money or money]
    if words & {"low", "cheap", "budget", "small"} and not words & {"high"}:
        plan.fields += [FieldPlan(path=p, max=25.0) for p in item_money or money]
    if words & EDGE_HINTS:
        plan.edge_case_share = DEFECT_SHARE
    return plan
