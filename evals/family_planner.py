"""The scripted dataset planner for offline evals: reads what Claude reads (the family summary in the
instructions, the fenced context), writes a DatasetPlan, previews it once, then returns it."""

from __future__ import annotations

import ast
import html
import re
from typing import Any

from pydantic_ai.messages import ModelMessage

from evals.brief import FENCE, first_prompt
from evals.scripted import tool_returns

STATUS_LINE = re.compile(r"mixable order\.status: (\{.*\})")
NEGATED = r"\b(?:no|without|zero|never any)\s+(?:\w+\s+){0,2}"


def _said(text: str, words: str) -> bool:
    """The words appear and are not negated ("no returns" is not a request for returns)."""
    return bool(re.search(rf"\b(?:{words})", text)) and not re.search(rf"{NEGATED}(?:{words})", text)


def _themes(text: str) -> dict[str, float]:
    from evals.planner import knowledge, topics  # the row planner's topic knowledge (it imports us)

    out: dict[str, float] = {}
    for topic in topics(text):
        for name, weight in knowledge()["themes"].get(topic, {}).items():
            out[name] = out.get(name, 0.0) + weight
    return out


def family_plan(context: str, summary: str) -> dict[str, Any]:
    text = context.lower()
    plan: dict[str, Any] = {"cardinalities": [], "mixes": []}
    if "shipment (under" in summary and _said(text, r"split|multiple shipments|several (?:packages|parcels)"):
        plan["cardinalities"].append({"entity": "shipment", "count": [1, 3], "weights": [20, 50, 30]})
    if "order (under" in summary and _said(text, r"holiday|rush|black friday|peak"):
        plan["cardinalities"].append({"entity": "order", "count": [2, 5], "weights": [25, 30, 25, 20]})
    if themes := _themes(text):
        plan["themes"] = themes
    if "order (under" in summary and _said(text, r"bargain hunters?"):  # a kind of customer: a segment
        share = 1 / 3 if _said(text, r"a third") else 0.25
        plan["segments"] = [{
            "name": "bargain_hunters", "share": share, "intent": "many small orders paid with gift cards",
            "cardinalities": [{"entity": "order", "count": [4, 6]}],
            "mixes": [{"entity": "order", "field": "payment_method", "weights": {"gift_card": 1}}],
            "themes": {"grocery": 1},
        }]  # fmt: skip
    found = STATUS_LINE.search(summary)
    if found is None:
        return plan
    weights: dict[str, float] = ast.literal_eval(found.group(1))
    total = sum(weights.values())
    changed = False
    if _said(text, r"refunds?|returns?|exchanges?"):
        weights["returned"] = total * 0.25
        changed = True
    if _said(text, r"cancel\w*"):
        weights["cancelled"] = total * 0.6
        changed = True
    if re.search(rf"{NEGATED}(?:returns?|refunds?)|every order (?:was )?delivered", text):
        weights.update(returned=0.0, cancelled=0.0)
        changed = True
    if changed:
        plan["mixes"].append({"entity": "order", "field": "status", "weights": weights})
    return plan


def next_family_step(messages: list[ModelMessage], instructions: str) -> tuple[str, dict[str, Any]]:
    """The next tool call (name, args), or ("final", plan)."""
    fenced = {label: html.unescape(body) for label, body in FENCE.findall(first_prompt(messages))}
    plan = family_plan(fenced.get("context", "") + " " + fenced.get("hints", ""), instructions)
    if not any(r.tool_name == "preview_dataset" for r in tool_returns(messages)):
        return "preview_dataset", {"plan": plan}
    return "final", plan
