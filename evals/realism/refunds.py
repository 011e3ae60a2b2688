"""Payments and refunds agree: a payment is 'refunded' exactly when its refunds add up to its amount and
'partially_refunded' exactly when they add up to less; a refund for a cancelled order is on a cancelled
order; a refund for damage in transit, a late, missing or wrong item is on an order that shipped.

Invariants of the definitions (payment.status, refund.reason_code): the agreeing share is 1. Refunds that
failed or were rejected move no money and are left out of the sums.
"""

from __future__ import annotations

from functools import partial

from evals.realism.links import groups, index, measure, missing
from evals.realism.sample import Row, Sample
from evals.realism.table import Check, at_least
from evals.realism.timeline import family_scope

PROP = "payment_refund_agreement"
SUMS = "invariant: status is what the refunds add up to (must be 1)"
REASONS = "invariant: a refund reason names what happened to the order (must be 1)"
NO_MONEY = {"failed", "rejected", "declined", "cancelled"}
SHIPPED = {"shipped", "out_for_delivery", "delivered", "returned"}
SHIPPING_REASONS = {"damaged_in_transit", "late_delivery", "missing_item", "wrong_item_sent"}
CENT = 0.005


def _refunded(refunds: list[Row]) -> float:
    return sum(float(r.get("amount") or 0) for r in refunds if r.get("status") not in NO_MONEY)


def full_agrees(payment: Row, refunds: list[Row]) -> bool | None:
    """Over payments that are 'refunded' or whose refunds add up to their amount: both hold."""
    amount, back = float(payment.get("amount") or 0), _refunded(refunds)
    full = refunds != [] and abs(back - amount) < CENT
    says = payment.get("status") == "refunded"
    return None if not (full or says) else full and says


def partial_agrees(payment: Row, refunds: list[Row]) -> bool | None:
    """Over payments that are 'partially_refunded' or whose refunds add up to less: both hold."""
    amount, back = float(payment.get("amount") or 0), _refunded(refunds)
    part = CENT < back < amount - CENT
    says = payment.get("status") == "partially_refunded"
    return None if not (part or says) else part and says


def reason_agrees(refund: Row, order: Row | None) -> bool | None:
    if order is None:
        return None
    code, status = refund.get("reason_code"), order.get("status")
    if code == "order_cancelled":
        return status == "cancelled"
    if code in SHIPPING_REASONS:
        return status in SHIPPED or bool(order.get("shipped_at"))
    return None


def refund_checks(sample: Sample) -> list[Check]:
    fam = sample.owners
    payments, refunds, orders = fam.get("payment", []), fam.get("refund", []), fam.get("order", [])
    by_payment, by_order = groups(refunds, "payment_id"), index(orders, "order_id")
    why = missing("payment", payments, "status", "amount") or missing("refund", refunds, "payment_id")
    check = partial(measure, PROP, scope=family_scope(fam))
    paid = [(p, by_payment.get(str(p.get("payment_id")), [])) for p in payments]
    cancelled = [
        (r, by_order.get(str(r.get("order_id"))))
        for r in refunds
        if r.get("reason_code") == "order_cancelled"
    ]
    shipping = [
        (r, by_order.get(str(r.get("order_id")))) for r in refunds if r.get("reason_code") in SHIPPING_REASONS
    ]
    reason_why = missing("refund", refunds, "reason_code", "order_id") or missing("order", orders, "status")
    return [
        check("refunded_iff_full", flags=(full_agrees(p, rs) for p, rs in paid), bound=at_least(1.0),
              source=SUMS, why=why),
        check("partially_refunded_iff_less", flags=(partial_agrees(p, rs) for p, rs in paid),
              bound=at_least(1.0), source=SUMS, why=why),
        check("order_cancelled_on_cancelled", flags=(reason_agrees(r, o) for r, o in cancelled),
              bound=at_least(1.0), source=REASONS, why=reason_why),
        check("shipping_reasons_on_shipped", flags=(reason_agrees(r, o) for r, o in shipping),
              bound=at_least(1.0), source=REASONS, why=reason_why, note=", ".join(sorted(SHIPPING_REASONS))),
    ]  # fmt: skip
