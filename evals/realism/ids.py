"""Id years: an id that carries a year (ORD-2025-7KQ2M9XD, CRT-2024-..., TRK-...) carries the year the
record was made, so it equals the year of the record's own creation timestamp. Ids without a year
(TKT-1234567, CPN-...) are not counted.

Invariant: ids are issued when the record is created, on the same (UTC) clock, so the share that agrees
is 1. The shipment records are stamped by their ship date, which a label made on 31 December may precede
by a day: a 1% allowance covers that.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from evals.realism.links import instant, na
from evals.realism.sample import Row, Sample
from evals.realism.table import Check, at_least
from evals.realism.timeline import family_scope

PROP = "id_year"
SOURCE = "invariant: an id is issued when its record is made"
AGREE_MIN = 0.99
YEAR = re.compile(r"^[A-Z]{2,5}-(\d{4})-")
# entity: (id field, creation timestamp field)
CREATED: dict[str, tuple[str, str]] = {
    "order": ("order_id", "created_at"),
    "cart": ("cart_id", "created_at"),
    "payment": ("payment_id", "created_at"),
    "shipment": ("shipment_id", "ship_date"),
    "review": ("review_id", "created_at"),
    "refund": ("refund_id", "created_at"),
    "tracking": ("tracking_id", "timestamp"),
    "return": ("return_id", "created_at"),
    "exchange": ("exchange_id", "created_at"),
    "shipping": ("shipping_id", "ship_date"),
    "order_status": ("status_id", "timestamp"),
    "notification": ("notification_id", "created_at"),
    "fraud_check": ("check_id", "timestamp"),
    "payment_authorization": ("auth_id", "created_at"),
    "subscription": ("subscription_id", "started_at"),
    "gift_card": ("gift_card_id", "purchased_at"),
    "analytics_event": ("event_id", "timestamp"),
    "search_query": ("query_id", "timestamp"),
    "favorites": ("favorite_id", "added_at"),
    "wishlist": ("wishlist_id", "created_at"),
    "saved_cart": ("saved_cart_id", "created_at"),
    "cart_item": ("cart_item_id", "added_at"),
}
MAIN = ("order", "cart", "payment", "shipment", "review", "refund", "tracking")


def id_year_agrees(row: Row, id_field: str, created_field: str) -> bool | None:
    m = YEAR.match(str(row.get(id_field) or ""))
    at = instant(row.get(created_field))
    if m is None or at is None:
        return None
    return int(m.group(1)) == int(str(row.get(created_field)).strip()[:4])


def _flags(entity: str, rows: list[Row]) -> tuple[list[bool], str]:
    """Agreement flags for the rows with a year in their id, or why there are none."""
    id_field, created = CREATED[entity]
    if not rows:
        return [], f"no {entity} rows"
    absent = [f for f in (id_field, created) if not any(f in r for r in rows)]
    if absent:
        return [], f"{entity} rows have no {', '.join(absent)}"
    flags = [f for f in (id_year_agrees(r, id_field, created) for r in rows) if f is not None]
    return flags, "" if flags else f"no {entity} id carries a year"


def _check(metric: str, scope: str, flags: list[bool], why: str, note: str = "") -> Check:
    if not flags:
        return na(PROP, metric, scope, at_least(AGREE_MIN), SOURCE, why)
    return Check(PROP, metric, scope, sum(flags) / len(flags), at_least(AGREE_MIN), SOURCE,
                 "; ".join(x for x in (f"n={len(flags)}", note) if x))  # fmt: skip


def _pooled(metric: str, scope: str, by_entity: dict[str, list[Row]] | Any) -> Check:
    flags: list[bool] = []
    off: Counter[str] = Counter()
    for entity in sorted(set(by_entity) & set(CREATED)):
        mine, _ = _flags(entity, by_entity[entity])
        flags += mine
        if mine:
            off[entity] = round(100 * (1 - sum(mine) / len(mine)))
    note = ", ".join(f"{e} {p}% off" for e, p in sorted(off.items()) if p)
    return _check(metric, scope, flags, "no entity with a year in its id", note)


def id_year_checks(sample: Sample) -> list[Check]:
    fam = sample.owners
    scope = family_scope(fam)
    out = []
    for entity in MAIN:
        flags, why = _flags(entity, fam.get(entity, []))
        out.append(_check(entity, scope, flags, why))
    others = {e: rows for e, rows in fam.items() if e not in MAIN}
    out.append(_pooled("other_entities", scope, others))
    out.append(_pooled("generate_data_rows", "GenerateData rows/en_US", sample.rows))
    return out
