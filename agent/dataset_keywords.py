"""Keyword rules: the dataset plan when no model plans (no API key, a failure, or TRADITIONAL asked for).

They read words, not meaning ("no returns" still adds returns); the model reads the context.
"""

from __future__ import annotations

import re

from agent.dataset_plan import Cardinality, DatasetPlan, ValueMix, current_weights, fixed_count, mixable
from agent.time_words import peak_multipliers
from tools.dataset import Node, walk

# Keyword rules: the plan when no model plans. (pattern, entity, count, weights)
COUNT_RULES: list[tuple[str, str, list[int], list[float]]] = [
    (r"split shipments?|multiple shipments|several packages", "shipment", [1, 3], [30, 50, 20]),
    (r"holiday|black friday|cyber monday|rush|peak season", "order", [1, 5], [10, 20, 25, 25, 20]),
]
# (pattern, {order status: percentage points added})
STATUS_RULES: list[tuple[str, dict[str, float]]] = [
    (r"refunds?|chargebacks?", {"returned": 12, "cancelled": 8}),
    (r"returns?|exchanges?", {"returned": 15}),
    (r"cancel", {"cancelled": 15}),
]


def keyword_dataset_plan(roots: list[Node], context: str) -> DatasetPlan:
    """The deterministic plan: context keywords shape counts and the order-status mix."""
    text = context.lower()
    nodes = {n.name: n for n in walk(roots)}
    plan = DatasetPlan(peaks=peak_multipliers(context))
    for pattern, entity, count, shares in COUNT_RULES:
        node = nodes.get(entity)
        if node is not None and not fixed_count(node) and re.search(pattern, text):
            plan.cardinalities.append(Cardinality(entity=entity, count=count, weights=shares))
    order = nodes.get("order")
    extra = [e for pattern, e in STATUS_RULES if re.search(pattern, text)]
    if order is not None and extra and "status" in mixable(order.schema):
        weights = current_weights(order.schema, "status")
        for more in extra:
            total = sum(weights.values())
            weights = {v: w + total * more.get(v, 0) / 100 for v, w in weights.items()}
        plan.mixes.append(ValueMix(entity="order", field="status", weights=weights))
    return plan
