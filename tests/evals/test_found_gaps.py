"""Gaps the evals found in other packages, fixed; these tests keep them fixed."""

from __future__ import annotations

from typing import Any

from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.plan import FieldPlan, GenerationPlan
from agent.plan_tools import check_plan
from agent.request import DataRequest, ScenarioRequest
from evals.scripted import scripted
from evals.suite import pipeline_for
from tools.engine import generate
from tools.imitation import Template
from tools.registry import default_registry

REGISTRY = default_registry()


def _rows(request: DataRequest, plan: GenerationPlan, **job: Any) -> list[dict[str, Any]]:
    prepared = prepare(request, REGISTRY)
    built, _ = build_job(prepared, plan, **job)
    return [r for batch in generate(built) for r in batch]


def test_a_plan_pool_on_an_enum_field_is_followed_or_reported() -> None:
    request = DataRequest(entity="cart", count=200, seed=3)
    plan = GenerationPlan(fields=[FieldPlan(path="currency", pool=["USD", "CAD"], weights=[9, 1])])
    reported = check_plan(prepare(request, REGISTRY), plan).problems
    followed = {r["currency"] for r in _rows(request, plan)} <= {"USD", "CAD"}
    assert reported or followed


def _item(product_id: str, sku: str, name: str, quantity: int, price: float, category: str) -> dict[str, Any]:
    return {"product_id": product_id, "sku": sku, "name": name, "quantity": quantity, "price": price,
            "category": category}  # fmt: skip


FITNESS_CART = {
    "items": [
        _item("PRD-776658", "FIT-7Q2K9D", "Non-Slip Yoga Mat 6mm", 1, 34.99, "Sports & Fitness"),
        _item("PRD-861847", "FIT-3M8XTA", "Cork Yoga Block 2-Pack", 2, 24.99, "Sports & Fitness"),
    ],
    "currency": "USD",
}
KITCHEN_CART = {
    "items": [
        _item("PRD-330142", "KIT-9QP2LA", "Digital Kitchen Scale 11 lb", 1, 18.99, "Home & Kitchen"),
        _item("PRD-330577", "KIT-2JX8RE", "Bamboo Cutting Board Set of 3", 1, 29.99, "Home & Kitchen"),
    ],
    "currency": "EUR",
}


def test_imitating_two_examples_keeps_each_carts_items_in_one_theme() -> None:
    templates = [Template("fitness", FITNESS_CART), Template("kitchen", KITCHEN_CART)]
    rows = _rows(DataRequest(entity="cart", count=40, seed=41), GenerationPlan(), templates=templates,
                 template_share=0.75)  # fmt: skip
    skus = {i["sku"] for cart in (FITNESS_CART, KITCHEN_CART) for i in cart["items"]}
    imitated = [r for r in rows if any(i["sku"] in skus for i in r["items"])]
    assert len(imitated) > 10  # the examples were imitated at all
    mixed = [r["_index"] for r in imitated if len({i["category"] for i in r["items"]}) > 1]
    assert mixed == []


def test_a_bulk_scenario_described_with_the_word_one_gets_a_clean_plan() -> None:
    scenario = ScenarioRequest("bulk_gifts", 10, description="many presents in one order")
    request = DataRequest(entity="order", count=10, seed=1, scenarios=[scenario])
    prepared = prepare(request, REGISTRY)
    _, skipped = build_job(prepared, plan_request(request, prepared.schema))
    assert skipped == []


async def test_after_a_model_failure_the_traditional_fallback_is_plain_traditional() -> None:
    request = DataRequest(entity="cart", count=40, seed=7, context="carts of a fitness enthusiast")
    prepared = prepare(request, REGISTRY)
    no_model = await pipeline_for(REGISTRY, None, "").plan(request, prepared)
    # No row can be made from it, every time: the model path fails.
    broken = scripted({"fields": [{"path": "total", "min": 4000, "max": 4000.01}]})
    failed = await pipeline_for(REGISTRY, broken, "broken").plan(request, prepared)
    assert (no_model.path, failed.path) == ("traditional", "traditional") and failed.fallback_reason
    assert (no_model.templates, failed.templates) == ([], [])


def test_a_pool_on_a_linked_field_is_refused_with_the_reason() -> None:
    request = DataRequest(entity="review", count=20, seed=1)
    plan = GenerationPlan(fields=[FieldPlan(path="title", pool=["Terrible quality", "Love it"])])
    problems = check_plan(prepare(request, REGISTRY), plan).problems
    assert any("title: pool refused: its text follows" in p and "records" in p for p in problems)


def test_the_edge_case_share_holds_whoever_wrote_the_plan() -> None:
    request = DataRequest(entity="payment", count=40, seed=2, defect_triggering=True)
    rows = _rows(request, GenerationPlan(summary="a model plan that forgot edge cases"))
    assert sum("_edge_case" in r for r in rows) >= 20
