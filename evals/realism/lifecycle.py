"""Statuses seen at `as_of` (the instant the data describes, Sample.as_of): an order placed months ago has
arrived, a parcel picked up a month ago is no longer moving, a ticket opened a month ago is answered, a
coupon is 'active' only inside its window, and nothing has happened after `as_of` yet.

Planned fields (estimated_delivery, valid_until, expires_at, next_delivery, ...) may lie after `as_of`;
events (created_at, shipped_at, delivered_at, scans, ...) may not.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from evals.realism.links import DAY, instant, last_second, measure, missing, worst
from evals.realism.sample import Family, Row, Sample
from evals.realism.table import Check, at_most
from evals.realism.timeline import family_scope

STATUS, FUTURE = "status_at_as_of", "no_future_events"
# Carriers' published domestic transit times: USPS Ground Advantage 2-5 business days, Priority Mail 1-3,
# UPS Ground 1-5, FedEx Ground 1-5 (1-7 to Alaska/Hawaii). An order placed 60 days ago has been
# delivered, cancelled or returned; a parcel picked up 30 days ago has arrived or is an exception/lost.
TRANSIT_SOURCE = "USPS/UPS/FedEx transit 1-5 business days"
ORDER_DAYS, PARCEL_DAYS, OPEN_MAX = 60, 30, 0.01
OPEN_ORDER = {"pending", "confirmed", "processing", "shipped", "out_for_delivery"}
MOVING = {"label_created", "in_transit", "out_for_delivery"}
# Gorgias e-commerce benchmark: median resolution 8.3 h; cross-industry average 82 h (Opensend 2026).
# A ticket still open after 30 days (720 h) is a stuck outlier (a chargeback, an engineering bug).
TICKET_DAYS, TICKETS_OPEN_MAX = 30, 0.02
TICKET_SOURCE = "Gorgias median resolution 8.3 h; industry avg 82 h"
UNRESOLVED = {"open", "in_progress", "pending_customer", "pending", "new", "on_hold"}
WINDOW_SOURCE = "invariant: a status is its window seen at as_of (must be 0)"
# entity: (start field, end field, statuses inside the window, before it, after it)
WINDOWS: dict[str, tuple[str, str, set[str], set[str], set[str]]] = {
    "coupon": ("valid_from", "valid_until", {"active"}, {"scheduled"}, {"expired"}),
    "discount": ("start_date", "end_date", {"active"}, {"scheduled"}, {"expired"}),
    "promotion": ("start_date", "end_date", {"active"}, {"scheduled"}, {"ended", "expired"}),
    "gift_card": ("purchased_at", "expires_at", {"active"}, set(), {"expired"}),
    "subscription": ("started_at", "next_delivery", set(), set(), set()),  # see _window_wrong
}
# Fields that name a plan, not an event: they may lie after as_of.
PLANNED = re.compile(r"estimated|expir|^next_|valid_|scheduled|due|expected|^start_date$|^end_date$|until")


def _older(row: Row, field: str, days: int, as_of: int) -> bool:
    at = instant(row.get(field))
    return at is not None and at < as_of - days * DAY


def _stale(rows: list[Row], field: str, days: int, stuck: set[str], as_of: int) -> list[bool | None]:
    return [str(r.get("status")) in stuck if _older(r, field, days, as_of) else None for r in rows]


def _window_wrong(entity: str, row: Row, as_of: int) -> bool | None:
    start_f, end_f, inside, before, after = WINDOWS[entity]
    status = str(row.get("status"))
    start, end = instant(row.get(start_f)), last_second(row.get(end_f))
    if entity == "subscription":  # an active plan's next delivery is ahead of as_of
        return (end is not None and end < as_of) if status in {"active", "past_due"} else None
    if status in inside:
        return (start is not None and start > as_of) or (end is not None and end < as_of)
    if status in before:
        return start is None or start <= as_of
    if status in after:
        return end is not None and end > as_of
    return None


def status_checks(sample: Sample) -> list[Check]:
    fam, single, as_of = sample.owners, sample.rows, sample.as_of
    scope = family_scope(fam)
    aged = [  # metric, scope, entity, rows, age field, days, statuses still open, most, source
        ("orders_open_after_60d", scope, "order", fam.get("order", []), "created_at", ORDER_DAYS, OPEN_ORDER,
         OPEN_MAX, TRANSIT_SOURCE),
        ("orders_open_after_60d", "order/en_US", "order", single.get("order", []), "created_at", ORDER_DAYS,
         OPEN_ORDER, OPEN_MAX, TRANSIT_SOURCE),
        ("shipment_moving_after_30d", scope, "shipment", fam.get("shipment", []), "ship_date", PARCEL_DAYS,
         MOVING, OPEN_MAX, TRANSIT_SOURCE),
        ("shipping_moving_after_30d", scope, "shipping", fam.get("shipping", []), "ship_date", PARCEL_DAYS,
         MOVING, OPEN_MAX, TRANSIT_SOURCE),
        ("shipment_moving_after_30d", "shipment/en_US", "shipment", single.get("shipment", []), "ship_date",
         PARCEL_DAYS, MOVING, OPEN_MAX, TRANSIT_SOURCE),
        ("tickets_open_after_30d", scope, "support_ticket", fam.get("support_ticket", []), "created_at",
         TICKET_DAYS, UNRESOLVED, TICKETS_OPEN_MAX, TICKET_SOURCE),
        ("tickets_open_after_30d", "support_ticket/en_US", "support_ticket", single.get("support_ticket", []),
         "created_at", TICKET_DAYS, UNRESOLVED, TICKETS_OPEN_MAX, TICKET_SOURCE),
    ]  # fmt: skip
    out = [
        measure(STATUS, metric, where, _stale(rows, field, days, stuck, as_of), at_most(most), source,
                missing(entity, rows, field, "status"))
        for metric, where, entity, rows, field, days, stuck, most, source in aged
    ]  # fmt: skip
    windows = [
        (e, "dataset/en_US (discounts)", sample.discounts.get(e, []))
        for e in ("discount", "coupon", "promotion")
    ] + [(e, scope, fam.get(e, [])) for e in ("gift_card", "subscription")]
    windows += [
        (e, f"{e}/en_US", single.get(e, [])) for e in ("coupon", "promotion", "gift_card", "subscription")
    ]
    out += [
        measure(STATUS, f"{e}_status_outside_window", where, (_window_wrong(e, r, as_of) for r in rows),
                at_most(0.0), WINDOW_SOURCE, missing(e, rows, "status", WINDOWS[e][1]))
        for e, where, rows in windows
    ]  # fmt: skip
    return out


def _future_fields(row: Row, as_of: int, as_of_day_end: int) -> list[str]:
    """Event fields of a row dated after as_of (a date: after as_of's day)."""
    late = []
    for name, value in row.items():
        if not isinstance(value, str) or PLANNED.search(name) or not value[:4].isdigit():
            continue
        if name == "ship_date" and row.get("status") == "label_created":
            continue  # a label's pick-up is planned ("planned pick-up date while status is label_created")
        at = instant(value)
        if at is not None and at > (as_of_day_end if len(value.strip()) == 10 else as_of):
            late.append(name)
    return late


def future_event_share(families: list[tuple[str, list[Row]]], as_of: int) -> tuple[list[bool], Counter[str]]:
    """One flag per row (any event after as_of) and a count of the late entity.field pairs."""
    day_end = as_of - as_of % DAY + DAY - 1
    flags: list[bool] = []
    where: Counter[str] = Counter()
    for entity, rows in families:
        for r in rows:
            late = _future_fields(r, as_of, day_end)
            flags.append(bool(late))
            where.update(f"{entity}.{n}" for n in late)
    return flags, where


def future_checks(sample: Sample) -> list[Check]:
    source = "invariant: nothing has happened after as_of (must be 0)"
    out = []
    sources: list[tuple[str, Family | dict[str, Any]]] = [
        (family_scope(sample.owners), sample.owners),
        ("dataset/en_US (discounts)", sample.discounts),
        ("GenerateData rows/en_US", sample.rows),
    ]
    for scope, rows_by_entity in sources:
        flags, where = future_event_share(list(rows_by_entity.items()), sample.as_of)
        note = f"rows with an event after as_of; worst: {worst(where)}" if where else "rows checked"
        why = "" if flags else "no rows"
        out.append(measure(FUTURE, "records_after_as_of", scope, flags, at_most(0.0), source, why, note))
    return out
