"""People: who lives where (shared addresses, ship-to-billing, addresses per customer) and whether the
loyalty tier follows what a customer has spent."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from functools import partial
from typing import Any

from evals.realism.sample import Row, Sample
from evals.realism.table import Bound, Check, at_least, at_most

# A full address (street, city, postcode) belongs to one household; two unrelated customers at one
# address should be rare. Issue target: at most 1% of addresses are shared.
SHARED_MAX = 0.01
# Most orders ship to the billing address; gifts and workplaces ship elsewhere. Issue target.
SHIP_TO_BILLING = Bound(0.70, 0.85)
ADDRESSES_PER_CUSTOMER_MAX = 2.0  # issue target: the median customer ships to one or two places
# Tiers are earned by spend (Sephora Beauty Insider: VIB from $350 a year, Rouge from $1,000), so
# a higher tier has a higher median lifetime value and tier and spend rank together.
TIERS = ("bronze", "silver", "gold", "platinum")
TIER_SOURCE = "Sephora Beauty Insider: tiers by annual spend"
SPEARMAN_MIN = 0.5


def _address(a: Any) -> tuple[str, ...] | None:
    if not isinstance(a, dict):
        return None
    parts = tuple(" ".join(str(a.get(k) or "").casefold().split()) for k in ("street", "city", "zip"))
    return parts if all(parts) else None


def ownership_checks(sample: Sample) -> list[Check]:
    orders = sample.owners.get("order", [])
    scope = f"dataset order/en_US ({len(sample.owners.get('customer', []))} customers)"
    users: dict[tuple[str, ...], set[str]] = defaultdict(set)
    shipping: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    same: list[bool] = []
    for o in orders:
        ship, bill = _address(o.get("shipping_address")), _address(o.get("billing_address"))
        for a in (ship, bill):
            if a is not None:
                users[a].add(str(o.get("customer_id")))
        if ship is not None:
            shipping[str(o.get("customer_id"))].add(ship)
        if ship is not None and bill is not None:
            same.append(ship == bill)
    shared = sum(len(u) > 1 for u in users.values()) / len(users) if users else None
    per_customer = statistics.median(len(s) for s in shipping.values()) if shipping else None
    same_share = sum(same) / len(same) if same else None
    owned = partial(Check, "address_ownership")
    return [
        owned("shared_addresses", scope, shared, at_most(SHARED_MAX), "issue target"),
        owned("ship_to_billing", scope, same_share, SHIP_TO_BILLING, "issue target"),
        owned("shipping_addresses_per_customer", scope, per_customer, at_most(ADDRESSES_PER_CUSTOMER_MAX),
              "issue target"),
    ]  # fmt: skip


def _ranks(values: list[float]) -> list[float]:
    """Ranks from 1, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3:
        return None
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else None


def loyalty_checks(sample: Sample) -> list[Check]:
    rows: list[Row] = [
        r
        for r in sample.rows.get("customer", [])
        if r.get("loyalty_tier") in TIERS and isinstance(r.get("lifetime_value"), int | float)
    ]
    scope = "customer/en_US"
    by_tier: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_tier[r["loyalty_tier"]].append(float(r["lifetime_value"]))
    medians = [statistics.median(by_tier[t]) for t in TIERS if by_tier[t]]
    steps = len(medians) - 1
    rising = float(sum(b > a for a, b in itertools.pairwise(medians))) if steps > 0 else None
    rho = spearman(
        [float(TIERS.index(r["loyalty_tier"])) for r in rows], [float(r["lifetime_value"]) for r in rows]
    )
    note = ", ".join(f"{t} {statistics.median(by_tier[t]):.0f}" for t in TIERS if by_tier[t])
    loyalty = partial(Check, "loyalty")
    return [
        loyalty("median_ltv_rises_by_tier", scope, rising, at_least(max(steps, 1)), TIER_SOURCE,
                f"tier steps where the median lifetime value rises, of {steps}; medians: {note}"),
        loyalty("spearman_tier_ltv", scope, rho, at_least(SPEARMAN_MIN), TIER_SOURCE),
    ]  # fmt: skip
