"""Goods and words: free text that is not a handful of pooled sentences and agrees with its rating, a
catalogue where a SKU has one price, and baskets shaped like real ones."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import partial
from typing import Any

from evals.realism.sample import Row, Sample
from evals.realism.table import INFO, Bound, Check, at_least, at_most, share

# Exact duplicates among real customer-written texts are rare outside one-liners ("love it"):
# issue targets for review bodies and ticket descriptions.
REVIEWS_DISTINCT_MIN = 0.95
TICKETS_DISTINCT_MIN = 0.90
# Refund reasons are typed by customers or agents, shorter and more repetitive: a judgement, to confirm.
REFUNDS_DISTINCT_MIN = 0.50
TONE_MIN = 0.95  # issue target: a 1-2 star text does not rave, a 4-5 star text does not pan
POSITIVE = (
    "excellent",
    "amazing",
    "love it",
    "loves it",
    "love this",
    "perfect",
    "fantastic",
    "outstanding",
    "highly recommend",
    "exceeded",
    "flawless",
    "worth every penny",
    "five stars",
    "5 stars",
)
NEGATIVE = (
    "terrible",
    "awful",
    "horrible",
    "worst",
    "garbage",
    "useless",
    "waste of money",
    "junk",
    "do not buy",
    "don't buy",
    "stopped working",
    "fell apart",
    "broke",
    "broken",
)
# A SKU is one sellable item (GS1 General Specifications: one GTIN per trade item) with one list price
# at a time, so within one snapshot no SKU shows two prices.
SKU_PRICES_MAX = 0.0
SKU_SOURCE = "GS1 General Specifications: one GTIN/SKU per item, one price"
# Issue target: 1,000 carts reach well into a catalogue's long tail (300 products), pro rata for fewer.
DISTINCT_PRODUCTS_PER_1000 = 300.0
DISTINCT_SKUS_MIN = 0.99  # a SKU identifies one product (GS1)
SINGLE_ITEM = Bound(0.40, 0.50)  # issue target: share of one-line carts
EXPENSIVE = 500.0
EXPENSIVE_MULTI_MAX = 0.05  # issue target: a $500+ item (a TV, a laptop) is bought one at a time


def _distinct(rows: list[Row], name: str) -> float | None:
    texts = [str(r[name]) for r in rows if r.get(name)]
    return len(set(texts)) / len(texts) if texts else None


def _has(text: str, words: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![a-z]){re.escape(w)}(?![a-z])", text) for w in words)


def tone_agrees(review: Row) -> bool | None:
    rating = review.get("rating")
    if not isinstance(rating, int) or rating == 3:
        return None
    text = f"{review.get('title') or ''} {review.get('body') or ''}".casefold()
    return not _has(text, POSITIVE) if rating <= 2 else not _has(text, NEGATIVE)


def text_checks(sample: Sample) -> list[Check]:
    reviews, tickets = sample.rows.get("review", []), sample.rows.get("support_ticket", [])
    refunds = sample.rows.get("refund", [])
    text = partial(Check, "text_uniqueness")
    on_reviews = f"review/en_US ({len(reviews)})"
    bodies, tone = _distinct(reviews, "body"), share(tone_agrees(r) for r in reviews)
    return [
        text("review_bodies_distinct", on_reviews, bodies, at_least(REVIEWS_DISTINCT_MIN), "issue target"),
        text("ticket_descriptions_distinct", f"support_ticket/en_US ({len(tickets)})",
             _distinct(tickets, "description"), at_least(TICKETS_DISTINCT_MIN), "issue target"),
        text("refund_reasons_distinct", f"refund/en_US ({len(refunds)})", _distinct(refunds, "reason"),
             at_least(REFUNDS_DISTINCT_MIN), "judgement, to confirm"),
        text("review_tone_agrees_with_rating", on_reviews, tone, at_least(TONE_MIN), "issue target"),
    ]  # fmt: skip


def _items(carts: list[Row]) -> list[dict[str, Any]]:
    return [i for c in carts for i in c.get("items") or [] if isinstance(i, dict)]


def catalogue_checks(sample: Sample) -> list[Check]:
    carts, products = sample.rows.get("cart", []), sample.rows.get("product", [])
    prices: dict[str, set[float]] = defaultdict(set)
    for item in _items(carts):
        if item.get("sku") and item.get("price") is not None:
            prices[str(item["sku"])].add(round(float(item["price"]), 2))
    multi = sum(len(p) > 1 for p in prices.values()) / len(prices) if prices else None
    used = {str(i["product_id"]) for i in _items(carts) if i.get("product_id")}
    skus = [str(p["sku"]) for p in products if p.get("sku")]
    scope, catalogue = f"cart/en_US ({len(carts)})", partial(Check, "catalogue")
    distinct = len(set(skus)) / len(skus) if skus else None
    return [
        catalogue("skus_with_several_prices", scope, multi, at_most(SKU_PRICES_MAX), SKU_SOURCE),
        catalogue("distinct_products_in_carts", scope, float(len(used)) if used else None,
                  at_least(DISTINCT_PRODUCTS_PER_1000 * len(carts) / 1000), "issue target"),
        catalogue("distinct_skus", f"product/en_US ({len(products)})", distinct, at_least(DISTINCT_SKUS_MIN),
                  SKU_SOURCE),
    ]  # fmt: skip


def basket_checks(sample: Sample) -> list[Check]:
    carts = [c for c in sample.rows.get("cart", []) if isinstance(c.get("items"), list) and c["items"]]
    scope = f"cart/en_US ({len(carts)})"

    # One line, as the issue counts it ("uniform over 1-8 (12% single-item)" is 1 line in 8).
    single = sum(len(c["items"]) == 1 for c in carts) / len(carts) if carts else None
    mixed = share(
        len({i.get("category") for i in c["items"]}) > 1 if all("category" in i for i in c["items"]) else None
        for c in carts
    )
    dear = [i for i in _items(carts) if float(i.get("price") or 0) > EXPENSIVE]
    several = sum(int(i.get("quantity") or 1) > 1 for i in dear) / len(dear) if dear else None
    basket = partial(Check, "basket_shape")
    return [
        basket("single_item_carts", scope, single, SINGLE_ITEM, "issue target",
               "one line in the cart"),
        basket("carts_mixing_categories", scope, mixed, INFO, "reported"),
        basket("quantity_over_1_above_500", scope, several, at_most(EXPENSIVE_MULTI_MAX), "issue target"),
    ]  # fmt: skip
