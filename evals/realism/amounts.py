"""Amounts that look like a shop's: few tiny payments, no fortunes, an order value near real averages,
on GenerateData rows and on a linked dataset's (where a payment is its order's total)."""

from __future__ import annotations

import math
from functools import partial

from evals.realism.sample import Row, Sample
from evals.realism.table import INFO, Bound, Check, at_most

# US merchants may set a card minimum of up to $10 (Dodd-Frank Act s.1075, 2010), and shipping makes a
# sub-$5 online order rare.
PAYMENT_UNDER_5_MAX = 0.05
PAYMENT_UNDER_5_SOURCE = "Dodd-Frank s.1075 ($10 card minimum); issue target"
PAYMENT_P99_MAX = 5000.0  # issue target: a consumer shop's 1-in-100 largest payment
# Average order value is about $158 worldwide (Salesforce, "Why Average Order Value Matters"); order
# values are right-skewed, so the median sits below the mean.
ORDER_MEDIAN = Bound(40.0, 200.0)
ORDER_SOURCE = "Salesforce: global AOV ~$158"
REFUND_UNDER_5_MAX = 0.10  # issue target: price adjustments are small, most refunds are whole items


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _values(rows: list[Row], name: str) -> list[float]:
    return [float(r[name]) for r in rows if isinstance(r.get(name), int | float)]


def _under(values: list[float], limit: float) -> float | None:
    return sum(v < limit for v in values) / len(values) if values else None


def amount_checks(sample: Sample) -> list[Check]:
    out = []
    amounts = partial(Check, "amounts")
    for kind, rows in (("", sample.rows), ("dataset ", sample.families["en_US"])):
        pay = _values(rows.get("payment", []), "amount")
        total = _values(rows.get("order", []), "total")
        refund = _values(rows.get("refund", []), "amount")
        payment, order = f"{kind}payment/en_US", f"{kind}order/en_US"
        out += [
            amounts("payment_under_5", payment, _under(pay, 5), at_most(PAYMENT_UNDER_5_MAX),
                    PAYMENT_UNDER_5_SOURCE),
            amounts("payment_p99", payment, percentile(pay, 0.99), at_most(PAYMENT_P99_MAX), "issue target"),
            amounts("order_total_median", order, percentile(total, 0.5), ORDER_MEDIAN, ORDER_SOURCE),
            amounts("order_total_p90", order, percentile(total, 0.9), INFO, "reported"),
            amounts("refund_under_5", f"{kind}refund/en_US", _under(refund, 5), at_most(REFUND_UNDER_5_MAX),
                    "issue target"),
        ]  # fmt: skip
    return out
