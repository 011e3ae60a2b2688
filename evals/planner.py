"""A scripted planner that writes realistic plans, for offline evals: a FunctionModel acting like a
careful model. It reads the prompt (the request, fenced, and the schema summary), works out the
topic of the context, writes themes, pools and per-scenario tweaks for it, retrieves examples when
asked to learn from history, checks and previews the plan, drops what check_plan rejects, then
returns it. It never copies the user's words into the plan: that is what an injection would want.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic_ai.messages import ModelMessage, ModelResponse, RetryPromptPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from evals.brief import Brief, first_prompt, read_brief
from evals.family_planner import next_family_step
from evals.scripted import tool_returns

POOLS_FILE = Path(__file__).parent / "planner_pools.yaml"
EDGE_WORDS = {"edge", "edge_case", "edge_cases", "defect", "defects", "boundary"}
PRICE_PATHS = ("items[].price", "items[].unit_price", "unit_price", "price", "amount")


@cache
def knowledge() -> dict[str, Any]:
    return dict(yaml.safe_load(POOLS_FILE.read_text(encoding="utf-8")))


def topics(text: str) -> list[str]:
    found = []
    for topic, words in knowledge()["topics"].items():
        if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
            found.append(topic)
    return found


def write_plan(b: Brief) -> dict[str, Any]:
    """The plan a careful model writes for this brief (before check_plan has had its say)."""
    found = topics(b.request_text)
    plan: dict[str, Any] = {"summary": f"{b.entity} rows" + (f" for {', '.join(found)}" if found else "")}
    if any("source=product." in f.text for f in b.fields.values()):
        themes: dict[str, float] = {}
        for t in found:
            for name, w in knowledge()["themes"].get(t, {}).items():
                themes[name] = themes.get(name, 0) + w
        plan["themes"] = {k: v for k, v in themes.items() if k in b.themes}
    plan["fields"] = _pools(b, found)
    plan["scenarios"] = [_scenario(b, name, fixed) for name, fixed in b.scenarios.items()]
    if "defect_triggering" in b.flags or set(b.hints.lower().split()) & EDGE_WORDS:
        plan["edge_case_share"] = 0.6
    plan["assumptions"] = ["amounts in the schema's own currencies and ranges"]
    return plan


def _pools(b: Brief, found: list[str]) -> list[dict[str, Any]]:
    out = []
    for path, by_topic in knowledge()["pools"].get(b.entity, {}).items():
        info = b.fields.get(path)
        if info is None or info.enumerated:
            continue  # enum fields keep their own weights (the engine ignores pools there)
        choice = next((by_topic[t] for t in found if t in by_topic), by_topic.get("any"))
        if choice is None:
            continue
        if isinstance(choice, dict):
            out.append({"path": path, "pool": choice["pool"], "weights": choice.get("weights")})
        else:
            out.append({"path": path, "pool": list(choice)})
    return out


def _scenario(b: Brief, name: str, fixed: list[str]) -> dict[str, Any]:
    words = set(re.findall(r"[a-z]+", f"{name} {b.descriptions.get(name, '')}".lower()))
    sp: dict[str, Any] = {"name": name, "intent": name.replace("_", " ") + " rows", "fields": []}
    price = next((b.fields[p] for p in PRICE_PATHS if p in b.fields and p not in fixed), None)
    arrays = [f for f in b.fields.values() if f.type == "array" and "." not in f.path and f.path not in fixed]
    if price is not None and words & {"high", "premium", "vip", "luxury", "expensive"}:
        top = price.bound("max") or 1000.0
        sp["fields"].append({"path": price.path, "min": min(150.0, top / 2)})
    if price is not None and words & {"budget", "cheap", "low", "small"}:
        sp["fields"].append({"path": price.path, "max": max(25.0, price.bound("min") or 0.0)})
    if words & {"single", "solo"}:
        sp["fields"] += [{"path": a.path, "min_items": 1, "max_items": 1} for a in arrays]
    if words & {"bulk", "many", "large", "full"}:
        sp["fields"] += [
            {"path": a.path, "min_items": max(2, int(a.bound("max_items") or 4) - 2)} for a in arrays
        ]
    if words & EDGE_WORDS:
        sp["edge_case_share"] = 0.6
    return sp


def fix_plan(plan: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Drop every part of the plan a problem names, as a model does after check_plan or a retry."""
    if not problems:
        return plan
    if any("cannot make rows" in p for p in problems):
        return {**plan, "fields": [], "scenarios": [{"name": s["name"]} for s in plan["scenarios"]]}

    def keep(fp: dict[str, Any], scope: str) -> bool:
        return not any(p.startswith(f"{scope}{fp['path']}:") for p in problems)

    scenarios = [
        {**s, "fields": [fp for fp in s.get("fields", []) if keep(fp, f"scenario {s['name']}: ")]}
        for s in plan["scenarios"]
        if not any(p.startswith(f"scenario plan {s['name']!r}") for p in problems)
    ]
    return {**plan, "fields": [fp for fp in plan["fields"] if keep(fp, "")], "scenarios": scenarios}


def _problems(messages: list[ModelMessage]) -> list[str]:
    found: list[str] = []
    for r in tool_returns(messages):
        if r.tool_name == "check_plan" and isinstance(r.content, str):
            found += [line[2:] for line in r.content.splitlines() if line.startswith("- ")]
    for m in messages:
        for part in getattr(m, "parts", []):
            if isinstance(part, RetryPromptPart) and isinstance(part.content, str):
                found += [line[2:] for line in part.content.splitlines() if line.startswith("- ")]
    return found


def next_step(messages: list[ModelMessage], instructions: str) -> tuple[str, dict[str, Any]]:
    """The next tool call (name, args), or ("final", plan)."""
    brief = read_brief(first_prompt(messages), instructions)
    plan = fix_plan(write_plan(brief), _problems(messages))
    called = {r.tool_name: r.content for r in tool_returns(messages)}
    if "learn_from_history" in brief.flags or "production_like" in brief.flags:
        if "retrieve_examples" not in called:
            kind = "pattern" if "learn_from_history" in brief.flags else "production_sample"
            query = " ".join([brief.context, *brief.scenarios]).strip() or brief.entity
            return "retrieve_examples", {"query": query, "kind": kind}
        # The best match only: tools/imitation.py recombines array items across every imitated
        # example, so two examples of different themes would mix a cart's items.
        hits = called["retrieve_examples"]
        found = hits if isinstance(hits, list) else []
        plan["examples"] = [h["id"] for h in found[:1] if isinstance(h, dict) and "id" in h]
    if "check_plan" not in called:
        return "check_plan", {"plan": plan}
    return "final", plan


def planner_model() -> FunctionModel:
    def handler(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        output = info.output_tools[0].parameters_json_schema.get("properties", {})
        # One model plans rows and linked datasets, as Claude does: the output tool says which.
        step = next_family_step if "cardinalities" in output else next_step
        name, args = step(messages, info.instructions or "")
        tool = info.output_tools[0].name if name == "final" else name
        return ModelResponse(parts=[ToolCallPart(tool, args)])

    return FunctionModel(handler, model_name="scripted-planner")
