"""Segments in dataset plans: a share of the roots whose whole family has its own counts, mixes and
themes (a bargain hunter's orders), chosen per root from the seed; the same bytes in process, split
by root and on worker processes; a plan without segments is unchanged."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

from agent.dataset_plan import DatasetPlan, check_dataset_plan
from agent.datasets import DatasetRequest, DatasetRun
from tools.catalogue import load_catalogue
from tools.registry import default_registry

REGISTRY = default_registry()
HUNTERS = {
    "name": "bargain_hunters", "share": 0.3, "intent": "many small orders paid by wallet or gift card",
    "cardinalities": [{"entity": "order", "count": [4, 6]}],
    "mixes": [{"entity": "order", "field": "payment_method", "weights": {"paypal": 1, "gift_card": 1}}],
    "themes": {"grocery": 1},
}  # fmt: skip


def _run(plan: dict[str, Any], customers: int = 300, fmt: str = "json") -> DatasetRun:
    run = DatasetRun(DatasetRequest({"customer": customers}, seed=4, output_format=fmt), REGISTRY, 10**7)
    run.use(DatasetPlan.model_validate(plan))
    return run


def _orders_by_customer(run: DatasetRun) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for chunk in run.chunks():
        if chunk.entity == "order":
            for row in json.loads(chunk.data):
                out[row["customer_id"]].append(row)
    return out


def test_a_segments_families_take_its_counts_mixes_and_themes() -> None:
    by_customer = _orders_by_customer(_run({"segments": [HUNTERS]}))

    def hunter(orders: list[dict[str, Any]]) -> bool:
        return 4 <= len(orders) <= 6 and all(o["payment_method"] in ("paypal", "gift_card") for o in orders)

    hunters = {c for c, orders in by_customer.items() if hunter(orders)}
    assert 60 <= len(hunters) <= 120  # 30% of 300, give or take the draw
    grocery = {p.name for t in load_catalogue() if t.name == "grocery" for p in t.products}
    items = [i["name"] for c in hunters for o in by_customer[c] for i in o["items"]]
    assert sum(name in grocery for name in items) / len(items) > 0.6  # the segment's theme
    others = [o for c, orders in by_customer.items() if c not in hunters for o in orders]
    assert {o["payment_method"] for o in others} - {"paypal", "gift_card"}  # the plan's own mix


def test_segments_keep_bytes_across_runs_and_worker_splits(monkeypatch: pytest.MonkeyPatch) -> None:
    from agent import datasets
    from service.engines import in_process

    def chunks(run_blocks: Any) -> list[tuple[str, str]]:
        run = _run({"segments": [HUNTERS]}, customers=450, fmt="sql")
        return [(c.entity, c.data) for c in run.chunks(run_blocks)]

    monkeypatch.setattr(datasets, "PARALLEL_ROOTS", 1)  # split even a small family
    whole = chunks(None)
    assert chunks(None) == whole
    assert chunks(in_process) == whole  # roots 0-399 and 400-449 made apart, joined: the same bytes


def test_without_segments_the_family_is_unchanged_and_bad_segments_are_named() -> None:
    plain = [(c.entity, c.data) for c in _run({}).chunks()]
    assert [(c.entity, c.data) for c in _run({"segments": []}).chunks()] == plain
    roots = _run({}).roots
    bad = DatasetPlan.model_validate({"segments": [
        {**HUNTERS, "share": 0.7},
        {"name": "bargain_hunters", "share": 0.5, "cardinalities": [{"entity": "starship", "count": [1, 2]}]},
    ]})  # fmt: skip
    problems = "\n".join(check_dataset_plan(bad, roots))
    assert "segments: shares add up to more than 1" in problems
    assert "segments: two segments share a name" in problems
    assert "segments[1] (bargain_hunters): cardinalities[0] (starship): not in this dataset" in problems
