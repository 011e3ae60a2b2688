"""Cart generators the engine is measured against, same shape as the registry's cart.

`plain_random_carts` is the ceiling: hand-written with `random`, no schema, no validation.
`faker_carts` is what a QA engineer would write with Faker by hand (the idiomatic baseline).
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from faker import Faker

from tools.catalogue import load_catalogue
from tools.formats.base import rebatch

_ALNUM = string.ascii_uppercase + string.digits


def _plain_random_rows(n: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    themes = [t.products for t in load_catalogue()]
    start = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    for i in range(n):
        products = rng.choice(themes)
        items: list[dict[str, Any]] = []
        for p in rng.sample(products, rng.randint(1, 8)):
            price = round(rng.uniform(p.price_low, p.price_high), 2)
            qty = rng.choices((1, 2, 3, 4, 5), (62, 21, 9, 5, 3))[0]
            items.append(
                {"sku": p.sku, "name": p.name, "quantity": qty, "price": price, "category": p.category}
            )
        subtotal = round(sum(it["quantity"] * it["price"] for it in items), 2)
        tax = round(subtotal * 0.08, 2)
        created = start + rng.random() * 730 * 86400
        updated = created + rng.random() ** 2 * 3 * 86400
        yield (
            {
                "cart_id": "CRT-2025-" + "".join(rng.choices(_ALNUM, k=7)),
                "customer_id": f"USR-{rng.randrange(10**7):07d}",
                "items": items,
                "subtotal": subtotal,
                "tax": tax,
                "total": round(subtotal + tax, 2),
                "currency": rng.choices(("USD", "EUR", "GBP", "CAD"), (70, 15, 10, 5))[0],
                "created_at": datetime.fromtimestamp(int(created), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updated_at": datetime.fromtimestamp(int(updated), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "_scenario": "default",
                "_index": i,
            }
        )


def _faker_rows(n: int, seed: int) -> Iterator[dict[str, Any]]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    categories = [t.category for t in load_catalogue()]
    for i in range(n):
        items: list[dict[str, Any]] = [
            {
                "sku": fake.bothify("???-######").upper(),
                "name": fake.catch_phrase(),
                "quantity": fake.random_int(1, 5),
                "price": fake.pyfloat(min_value=0.5, max_value=2500, right_digits=2),
                "category": fake.random_element(categories),
            }
            for _ in range(fake.random_int(1, 8))
        ]
        subtotal = round(sum(it["quantity"] * it["price"] for it in items), 2)
        tax = round(subtotal * 0.08, 2)
        created = fake.date_time_between(start_date="-2y", end_date="now", tzinfo=UTC)
        updated = fake.date_time_between(start_date=created, end_date=created + timedelta(days=3), tzinfo=UTC)
        yield (
            {
                "cart_id": fake.bothify("CRT-2025-???????").upper(),
                "customer_id": fake.numerify("USR-#######"),
                "items": items,
                "subtotal": subtotal,
                "tax": tax,
                "total": round(subtotal + tax, 2),
                "currency": fake.currency_code(),
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "_scenario": "default",
                "_index": i,
            }
        )


def plain_random_carts(n: int, seed: int, batch: int = 1000) -> Iterator[list[dict[str, Any]]]:
    return rebatch([_plain_random_rows(n, seed)], batch)


def faker_carts(n: int, seed: int, batch: int = 1000) -> Iterator[list[dict[str, Any]]]:
    return rebatch([_faker_rows(n, seed)], batch)
