"""Customers and their orders agree: a customer signed in to place their last order, so their last login
is not before it; their lifetime value (net spend in USD over the account's life) covers the delivered
orders the dataset shows; and customers who spent more in the dataset rank higher in lifetime value.

Measured on the larger en_US family (USD orders; lifetime_value is in USD).
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial

from evals.realism.links import groups, instant, measure, missing
from evals.realism.people import spearman
from evals.realism.sample import Row, Sample
from evals.realism.table import Check, at_least
from evals.realism.timeline import family_scope

PROP = "customer_activity"
# An order is placed in a signed-in session, but "remember me" sessions last weeks, so a sign-in may
# precede the last order: most, not all. Stated assumption.
LOGIN_MIN = 0.9
LOGIN_SOURCE = "assumption: orders need a session; remember-me lets a login precede"
# customer.lifetime_value: "total net spend over the account's life (orders minus refunds)": at least what
# the dataset's delivered orders, less their refunds, add up to. Invariant.
LTV_SOURCE = "invariant: lifetime value >= delivered orders less refunds"
# Spend in the dataset (its last two years) is part of lifetime spend since 2018: the two rank together.
# Judgement, as loyalty.spearman_tier_ltv.
RHO_MIN = 0.5
NOT_SPENT = {"cancelled"}
NO_MONEY = {"failed", "rejected", "declined", "cancelled"}
CENT = 0.005


def _usd(orders: list[Row]) -> list[Row]:
    return [o for o in orders if (o.get("currency") or "USD") == "USD"]


def login_after_last_order(customer: Row, orders: list[Row]) -> bool | None:
    last = max((t for t in (instant(o.get("created_at")) for o in orders) if t is not None), default=None)
    login = instant(customer.get("last_login"))
    return None if last is None or login is None else login >= last


def ltv_covers(customer: Row, orders: list[Row], refunds: dict[str, list[Row]]) -> bool | None:
    done = [o for o in _usd(orders) if o.get("status") == "delivered"]
    ltv = customer.get("lifetime_value")
    if not done or not isinstance(ltv, int | float):
        return None
    back = sum(
        float(r.get("amount") or 0)
        for o in done
        for r in refunds.get(str(o.get("order_id")), [])
        if r.get("status") not in NO_MONEY
    )
    spent = sum(float(o.get("total") or 0) for o in done) - back
    return float(ltv) >= spent - CENT


def activity_checks(sample: Sample) -> list[Check]:
    fam = sample.owners
    customers, orders = fam.get("customer", []), fam.get("order", [])
    mine, refunds = groups(orders, "customer_id"), groups(fam.get("refund", []), "order_id")
    check = partial(measure, PROP, scope=family_scope(fam))
    base = missing("customer", customers, "customer_id") or missing(
        "order", orders, "customer_id", "created_at"
    )
    spend: dict[str, float] = defaultdict(float)
    for o in _usd(orders):
        if o.get("status") not in NOT_SPENT:
            spend[str(o.get("customer_id"))] += float(o.get("total") or 0)
    pairs = [
        (float(c["lifetime_value"]), spend[str(c["customer_id"])])
        for c in customers
        if isinstance(c.get("lifetime_value"), int | float) and str(c.get("customer_id")) in spend
    ]
    rho = spearman([a for a, _ in pairs], [b for _, b in pairs])
    rho_why = (
        base or missing("customer", customers, "lifetime_value") or ("" if rho is not None else "too few")
    )
    theirs = [(c, mine.get(str(c.get("customer_id")), [])) for c in customers]
    ltv_why = base or missing("customer", customers, "lifetime_value") or missing("order", orders, "total")
    return [
        check("last_login_after_last_order", flags=(login_after_last_order(c, os) for c, os in theirs),
              bound=at_least(LOGIN_MIN), source=LOGIN_SOURCE,
              why=base or missing("customer", customers, "last_login")),
        check("ltv_covers_delivered_orders", flags=(ltv_covers(c, os, refunds) for c, os in theirs),
              bound=at_least(1.0), source=LTV_SOURCE, why=ltv_why, note="USD orders, less their refunds"),
        Check(PROP, "spearman_ltv_order_sum", family_scope(fam), None if rho_why else rho, at_least(RHO_MIN),
              "judgement: dataset spend is part of lifetime spend", rho_why or f"n={len(pairs)} customers"),
    ]  # fmt: skip
