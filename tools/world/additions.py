"""A plan's own products, merged into the catalogue for that plan's rows only (agent/plan.py `products`).

A plan for "the new swim and snorkel range" names masks, fins and rash guards that no catalogue theme
holds. They become one more theme, `plan`, after the file's. The engine makes the plan's rows with
this catalogue in force (tools/catalogue.catalogue_in_use), so baskets, price shelves, texts, tax by
category and a product table's walk treat them as catalogue products: each has one id, SKU and list
price, the same in every row, request and process, derived from the product's own text as the file's
are, and never one of the file's ids or SKUs. No other request sees them.

An addition with attributes (sizes, colours) is a product line: one product per combination, named
`Name (Blue, M)`, its list price rising along the band with the last attribute's options (sizes are
written small to large) and the same for every option of the others.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from tools.catalogue import Product, Theme, base_catalogue, product_codes, shelf_price

PLAN_THEME = "plan"
PLAN_PREFIX = "PLN"
MAX_PRODUCTS = 200  # a plan's products after lines are expanded: a range, not a second catalogue
MAX_LINE = 24  # products one addition expands into


@dataclass(frozen=True)
class Addition:
    name: str
    category: str
    brand: str
    description: str
    band: tuple[float, float]  # USD list price band; low == high: the one list price
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (attribute, its options), in order
    near: str = ""  # the file's theme closest to it: baskets borrow from there now and then


def line(a: Addition) -> list[tuple[str, float]]:
    """The addition's products: (name, place along the price band from 0 to 1)."""
    options = [values for _, values in a.attributes if values]
    if not options:
        return [(a.name, 0.5)]
    last = len(options[-1])
    out = []
    for combo in itertools.product(*options):
        rank = options[-1].index(combo[-1])
        out.append((f"{a.name} ({', '.join(combo)})", rank / (last - 1) if last > 1 else 0.5))
    return out


@lru_cache(maxsize=32)
def extend(additions: tuple[Addition, ...]) -> tuple[Theme, ...]:
    """The file's catalogue and, after it, the `plan` theme holding the additions' products."""
    base = base_catalogue()
    taken_ids = {p.id for t in base for p in t.products}
    taken_skus = {p.sku for t in base for p in t.products}
    products = []
    for a in additions:
        low, high = round(a.band[0] * 100), round(a.band[1] * 100)
        for name, place in line(a):
            # The whole product's text keys its codes: two plans' different products never share
            # an id by their name alone.
            key = f"{PLAN_THEME}/{a.category}/{a.brand}/{name}/{low}/{high}/{a.description}"
            pid, sku, v = product_codes(key, PLAN_PREFIX, taken_ids, taken_skus)
            cents = low if low == high else shelf_price(low, high, place, v)
            products.append(
                Product(
                    id=pid,
                    sku=sku,
                    name=name,
                    category=a.category,
                    brand=a.brand,
                    description=a.description,
                    price_low=cents / 100,
                    price_high=cents / 100,
                    theme=PLAN_THEME,
                    band=(low / 100, high / 100),
                )
            )
    category = Counter(p.category for p in products).most_common(1)[0][0]
    near = tuple(dict.fromkeys(a.near for a in additions if a.near))
    return (*base, Theme(PLAN_THEME, category, (), tuple(products), near))


def catalogue_for(additions: tuple[Addition, ...]) -> tuple[Theme, ...] | None:
    """The catalogue a job with these additions runs with (None: the file's, as it is)."""
    return extend(additions) if additions else None
