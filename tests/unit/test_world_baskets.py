"""Baskets and amounts drawn as shops see them, on both makers: skewed basket sizes, one unit of
expensive things, affine themes mixed in, bounded prices choosing products (never inflating one),
amounts from a log-normal, lifetime value that follows the loyalty tier."""

from __future__ import annotations

import json
import statistics

import pytest

from agent.request import DataRequest, FieldConstraint, ScenarioRequest
from tests.helpers import rows_for
from tools.catalogue import load_catalogue
from tools.coherence import CHECKS
from tools.schema import EntitySchema
from tools.world.baskets import EXPENSIVE

PRICE = {p.sku: p.price for t in load_catalogue() for p in t.products}


@pytest.mark.parametrize("count", [16, 3000])  # the row maker, then mostly the column maker
def test_baskets_are_mostly_single_lines_and_expensive_things_come_one_at_a_time(count: int) -> None:
    rows = rows_for(DataRequest(entity="cart", count=count, seed=21))
    items = [i for r in rows for i in r["items"]]
    assert all(i["quantity"] == 1 for i in items if PRICE[i["sku"]] >= EXPENSIVE)
    assert all(i["price"] == PRICE[i["sku"]] for i in items)  # one list price per product
    if count > 1000:
        single = sum(len(r["items"]) == 1 for r in rows) / len(rows)
        assert 0.42 < single < 0.50  # count_weights give 46%
        assert any(i["quantity"] > 1 for i in items if PRICE[i["sku"]] < 50)  # the pool still applies
    affinity = CHECKS["items_theme_affinity"]
    assert all(affinity(r) == 1.0 for r in rows)  # mixed baskets are valid baskets


@pytest.mark.parametrize("count", [10, 800])
def test_a_high_value_scenario_chooses_expensive_products(count: int) -> None:
    scenario = ScenarioRequest(name="high_value", count=count)
    rows = rows_for(DataRequest(entity="order", count=count, seed=2, scenarios=[scenario]))
    items = [i for r in rows for i in r["items"]]
    assert min(i["price"] for i in items) >= 100
    assert all(i["price"] == PRICE[i["sku"]] for i in items)  # chosen, not a cheap product marked up


def test_a_price_bound_on_a_product_table_walks_only_the_products_within_it() -> None:
    bound = {"price": FieldConstraint(min=300, max=900)}
    rows = rows_for(DataRequest(entity="product", count=400, seed=5, constraints=bound))
    assert all(300 <= r["price"] <= 900 and r["price"] == PRICE[r["sku"]] for r in rows)
    in_bounds = sum(300 <= p <= 900 for p in PRICE.values())
    assert len({r["sku"] for r in rows}) == min(400, in_bounds)  # every one once before any repeats


@pytest.mark.parametrize("count", [12, 2000])
def test_amounts_follow_their_typical_range(count: int) -> None:
    amounts = sorted(r["amount"] for r in rows_for(DataRequest(entity="payment", count=count, seed=8)))
    assert all(0.5 <= a <= 100000 for a in amounts)
    if count > 1000:
        p10, p90 = amounts[len(amounts) // 10], amounts[len(amounts) * 9 // 10]
        assert 15 < p10 < 26 and 240 < p90 < 370  # typical: [20, 300]
        assert sum(a < 5 for a in amounts) / len(amounts) < 0.01


def test_lifetime_value_follows_the_loyalty_tier() -> None:
    rows = rows_for(DataRequest(entity="customer", count=1500, seed=8))
    medians = [
        statistics.median(r["lifetime_value"] for r in rows if r["loyalty_tier"] == tier)
        for tier in ("bronze", "silver", "gold", "platinum")
    ]
    assert medians == sorted(medians) and medians[-1] > 5 * medians[0]


def test_typical_and_count_weights_work_in_a_client_schema() -> None:
    schema = {
        "name": "basket",
        "fields": {
            "lines": {"type": "array", "min_items": 1, "max_items": 4, "count_weights": [0, 90, 10],
                      "items": {"type": "integer", "min": 1, "max": 9}},
            "spend": {"type": "money", "min": 1, "max": 10000, "typical": [50, 60]},
        },
    }  # fmt: skip
    for count in (16, 1500):
        rows = rows_for(DataRequest(entity="basket", count=count, seed=1, custom_schema=json.dumps(schema)))
        assert {len(r["lines"]) for r in rows} <= {1, 2}  # counts past the weights: none
        assert sum(len(r["lines"]) == 1 for r in rows) / len(rows) > 0.7
        assert statistics.median(r["spend"] for r in rows) == pytest.approx(55, rel=0.15)
    with pytest.raises(ValueError, match="typical"):
        EntitySchema.model_validate(
            {"name": "x", "fields": [{"name": "a", "type": "money", "typical": [60, 50]}]}
        )


def test_review_regressions_of_amounts_and_bounded_baskets() -> None:
    # A min of 0 keeps the typical range (it was dropped: uniform up to the max).
    bound = {"amount": FieldConstraint(min=0)}
    amounts = sorted(
        r["amount"] for r in rows_for(DataRequest(entity="payment", count=800, seed=3, constraints=bound))
    )
    assert amounts[len(amounts) // 2] < 200
    # A bounded price never lists a product twice in one basket (a borrowed shelf held it already).
    for count in (16, 3000):
        high = {"items[].price": FieldConstraint(min=100)}
        rows = rows_for(DataRequest(entity="cart", count=count, seed=4, constraints=high))
        assert all(len({i["sku"] for i in r["items"]}) == len(r["items"]) for r in rows)
    with pytest.raises(ValueError, match="count_weights is for arrays"):
        EntitySchema.model_validate(
            {"name": "x", "fields": [{"name": "a", "type": "integer", "count_weights": [1]}]}
        )


def test_a_yen_world_checks_overrides_in_yen_and_a_scenario_currency_keeps_its_amounts() -> None:
    yen = ScenarioRequest(name="yen", count=20, overrides={"items[].price": "4980"})
    rows = rows_for(DataRequest(entity="cart", count=20, seed=1, locale="ja_JP", scenarios=[yen]))
    assert {i["price"] for r in rows for i in r["items"]} == {4980.0}
    dollars = ScenarioRequest(name="usd", count=20, overrides={"currency": "USD"})
    rows = rows_for(DataRequest(entity="order", count=20, seed=1, locale="ja_JP", scenarios=[dollars]))
    assert all(r["currency"] == "USD" and r["subtotal"] < 20000 for r in rows)
    assert any(i["price"] != int(i["price"]) for r in rows for i in r["items"])  # cents, not yen
