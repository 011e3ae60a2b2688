"""Timeline agreement: a linked family tells one story. An event recorded on two rows has one time (an
order ships when its first parcel leaves, is delivered when its last parcel arrives, at the instant of
the carrier's delivered scan; money is captured before goods ship), and no follow-up precedes what it
follows (a review before the delivery it reviews, a refund before the capture it returns, a return
before the delivery). An order checked out from a cart is that cart: made after it, with its products,
quantities, prices and currency.

All of these are invariants of the fields' own definitions (tools/entities/*.yaml): the share that
agrees is 1, the share that contradicts is 0. Measured on the larger en_US family (Sample.owners).
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

from evals.realism.links import day, groups, index, instant, measure, missing
from evals.realism.sample import Family, Row, Sample
from evals.realism.table import INFO, Check, at_least, at_most

TIMELINE, CART = "timeline_agreement", "cart_order_identity"
SAME_EVENT = "invariant: one event, one time (must be 1 by definition)"
NOT_BEFORE = "invariant: a follow-up never precedes its cause (must be 0 by definition)"
CAPTURE = "invariant: card networks capture at or before shipment (must be 1)"
CHECKOUT = "invariant: an order checked out from a cart is that cart (must be 1)"


def family_scope(fam: Family, what: str = "dataset/en_US") -> str:
    return f"{what} ({len(fam.get('customer', []))} customers)"


def _first(values: list[int | None], pick: Any = min) -> int | None:
    known = [v for v in values if v is not None]
    return pick(known) if known else None


def timeline_checks(sample: Sample) -> list[Check]:
    fam = sample.owners
    orders, shipments, shipping = fam.get("order", []), fam.get("shipment", []), fam.get("shipping", [])
    payments, tracking = fam.get("payment", []), fam.get("tracking", [])
    by_id, parcels = index(orders, "order_id"), groups(shipments, "order_id")
    scans = groups((t for t in tracking if t.get("status") == "delivered"), "shipment_id")
    paid = groups(payments, "order_id")
    check = partial(measure, TIMELINE, scope=family_scope(fam))

    def shipped(o: Row) -> bool | None:
        first = _first([day(s.get("ship_date")) for s in parcels.get(str(o.get("order_id")), [])])
        at = day(o.get("shipped_at"))
        return None if at is None or first is None else at == first

    def delivered(o: Row) -> bool | None:
        done = [s for s in parcels.get(str(o.get("order_id")), []) if s.get("status") == "delivered"]
        last = _first([day(s.get("delivery_date")) for s in done], max)
        at = day(o.get("delivered_at"))
        return None if at is None or last is None else at == last

    def scanned(o: Row) -> bool | None:
        ids = [str(s.get("shipment_id")) for s in parcels.get(str(o.get("order_id")), [])]
        last = _first([instant(t.get("timestamp")) for i in ids for t in scans.get(i, [])], max)
        at = instant(o.get("delivered_at"))
        return None if at is None or last is None else at == last

    def shipping_agrees(s: Row) -> bool | None:
        at = day(by_id.get(str(s.get("order_id")), {}).get("shipped_at"))
        mine = day(s.get("ship_date"))
        return None if at is None or mine is None else at == mine

    def captured_first(o: Row) -> bool | None:
        at = instant(o.get("shipped_at"))
        caps = [instant(p.get("captured_at")) for p in paid.get(str(o.get("order_id")), [])]
        known = [c for c in caps if c is not None]
        return None if at is None or not known else all(c <= at for c in known)

    ship_why = missing("order", orders, "shipped_at") or missing("shipment", shipments, "ship_date")
    deliv_why = missing("order", orders, "delivered_at") or missing("shipment", shipments, "delivery_date")
    scan_why = deliv_why or missing("tracking", tracking, "shipment_id", "timestamp")
    return [
        check("shipped_at_is_first_ship_date", flags=map(shipped, orders), bound=at_least(1.0),
              source=SAME_EVENT, why=ship_why, note="order.shipped_at date vs its first shipment.ship_date"),
        check("delivered_at_is_delivery_date", flags=map(delivered, orders), bound=at_least(1.0),
              source=SAME_EVENT, why=deliv_why, note="vs the last delivered shipment.delivery_date"),
        check("delivered_scan_is_delivered_at", flags=map(scanned, orders), bound=at_least(1.0),
              source=SAME_EVENT, why=scan_why, note="the last 'delivered' tracking scan, same instant"),
        check("shipping_ship_date_is_shipped_at", flags=map(shipping_agrees, shipping), bound=at_least(1.0),
              source=SAME_EVENT, why=missing("shipping", shipping, "ship_date") or ship_why),
        check("captured_before_shipped", flags=map(captured_first, orders), bound=at_least(1.0),
              source=CAPTURE, why=missing("payment", payments, "captured_at") or ship_why),
        *_follow_ups(fam, by_id, check),
    ]  # fmt: skip


def _before(row: Row, cause: Row | None, at: str, cause_at: str) -> bool | None:
    """True when `row` happened before its cause (a cause that has not happened counts as later)."""
    mine = instant(row.get(at))
    if cause is None or mine is None:
        return None
    then = instant(cause.get(cause_at))
    return True if then is None else mine < then


def _follow_ups(fam: Family, orders: dict[str, Row], check: Any) -> list[Check]:
    reviews, refunds, returns = fam.get("review", []), fam.get("refund", []), fam.get("return", [])
    payments = index(fam.get("payment", []), "payment_id")

    def early(rows: list[Row], causes: dict[str, Row], key: str, cause_at: str) -> list[bool | None]:
        return [_before(r, causes.get(str(r.get(key))), "created_at", cause_at) for r in rows]

    return [
        check("reviews_before_delivery", flags=early(reviews, orders, "order_id", "delivered_at"),
              bound=at_most(0.0), source=NOT_BEFORE, why=missing("review", reviews, "order_id"),
              note="a review of an order never delivered counts as before"),
        check("refunds_before_capture", flags=early(refunds, payments, "payment_id", "captured_at"),
              bound=at_most(0.0), source=NOT_BEFORE, why=missing("refund", refunds, "payment_id"),
              note="a refund of a payment never captured counts as before"),
        check("returns_before_delivery", flags=early(returns, orders, "order_id", "delivered_at"),
              bound=at_most(0.0), source=NOT_BEFORE, why=missing("return", returns, "order_id")),
    ]  # fmt: skip


def _lines(items: Any) -> Counter[tuple[str, int, float]]:
    out: Counter[tuple[str, int, float]] = Counter()
    for i in items if isinstance(items, list) else []:
        if isinstance(i, dict):
            key = str(i.get("product_id") or i.get("sku") or "")
            out[(key, int(i.get("quantity") or 1), round(float(i.get("price") or 0), 2))] += 1
    return out


def cart_checks(sample: Sample) -> list[Check]:
    fam = sample.owners
    orders, carts = fam.get("order", []), fam.get("cart", [])
    by_cart = index(carts, "cart_id")
    pairs = [(o, by_cart.get(str(o["cart_id"]))) for o in orders if o.get("cart_id")]
    found = [(o, c) for o, c in pairs if c is not None]
    why = (
        missing("order", orders, "cart_id")
        or missing("cart", carts, "cart_id")
        or ("" if pairs else "no order has a cart_id")
    )

    def earlier(o: Row, c: Row) -> bool | None:
        a, b = instant(c.get("created_at")), instant(o.get("created_at"))
        return None if a is None or b is None else a < b

    check = partial(measure, CART, scope=family_scope(fam), why=why)
    return [
        check("cart_found", flags=(c is not None for _, c in pairs), bound=INFO,
              source="reported: orders whose cart_id is in the family"),
        check("cart_created_before_order", flags=(earlier(o, c) for o, c in found), bound=at_least(1.0),
              source=CHECKOUT),
        check("items_equal_cart", flags=(_lines(o.get("items")) == _lines(c.get("items")) for o, c in found),
              bound=at_least(1.0), source=CHECKOUT, note="product_id multiset with quantities and prices"),
        check("currency_equal_cart", flags=(o.get("currency") == c.get("currency") for o, c in found),
              bound=at_least(1.0), source=CHECKOUT),
    ]  # fmt: skip
