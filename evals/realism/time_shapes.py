"""Shapes of time: people shop in their evening, not in the small hours of their night; some weekdays
sell more than others; November and December sell more than two average months; parcels seldom land on a
Sunday and never within hours of leaving the warehouse.

Hours and weekdays are local: the order's country (shipping_address.country, else its currency) and its
main time zone; US, Canadian and Australian orders by their state or province code. Measured on every
family's orders (Sample.families, Sample.owners) and GenerateData orders (Sample.timed) together. The
locale families share one seed, so an order that repeats one already counted (the same id at the same
instant, UTC or local) is counted once: the sampling noise is that of the distinct orders.
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from functools import cache, partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evals.realism.links import HOUR, instant, measure, missing
from evals.realism.sample import Row, Sample
from evals.realism.table import Bound, Check, at_least, at_most

PROP = "time_shapes"
COUNTRY_ZONE = {
    "US": "America/Chicago", "CA": "America/Toronto", "GB": "Europe/London", "IE": "Europe/Dublin",
    "AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "DE": "Europe/Berlin", "AT": "Europe/Vienna",
    "CH": "Europe/Zurich", "FR": "Europe/Paris", "BE": "Europe/Brussels", "NL": "Europe/Amsterdam",
    "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "IT": "Europe/Rome", "JP": "Asia/Tokyo",
    "MX": "America/Mexico_City", "BR": "America/Sao_Paulo", "IN": "Asia/Kolkata", "CN": "Asia/Shanghai",
}  # fmt: skip
CURRENCY_COUNTRY = {"USD": "US", "CAD": "CA", "GBP": "GB", "AUD": "AU", "JPY": "JP", "EUR": "DE", "NZD": "NZ"}
REGION_ZONES = {
    "US": {"America/New_York": "CT DC DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV",
           "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
           "America/Denver": "CO ID MT NM UT WY", "America/Phoenix": "AZ",
           "America/Los_Angeles": "CA NV OR WA", "America/Anchorage": "AK", "Pacific/Honolulu": "HI"},
    "CA": {"America/Toronto": "ON QC", "America/Vancouver": "BC YT", "America/Edmonton": "AB NT NU",
           "America/Winnipeg": "MB", "America/Regina": "SK", "America/Halifax": "NS NB PE",
           "America/St_Johns": "NL"},
    "AU": {"Australia/Sydney": "NSW VIC ACT TAS", "Australia/Brisbane": "QLD", "Australia/Adelaide": "SA",
           "Australia/Perth": "WA", "Australia/Darwin": "NT"},
}  # fmt: skip
_BY_REGION = {
    (c, code): z for c, zones in REGION_ZONES.items() for z, codes in zones.items() for code in codes.split()
}

# Oberlo "What time do people shop online" (US hourly online-shopping index, 100 = average hour): 12 am
# 104 falling to 22 at 5 am; 4 pm 142, 8 pm 132, 9 pm 134, 10 pm 133. As shares of the day (index/2400,
# 1-4 am and 5-7 pm interpolated): 00:00-05:59 ~ 0.16 at most, 18:00-22:59 ~ 0.28. Flat: 0.25 and 0.21.
NIGHT = Bound(0.03, 0.16)
EVENING = Bound(0.25, 0.40)
HOURS_SOURCE = "Oberlo US hourly online-shopping index"
# Weekday shares of online shopping, Doofinder: Mon 16.1% ... Sat 12.0% (CV ~0.09); Oberlo weekday index
# Sat 118 ... Wed 89 (CV ~0.09). Floor at about half, after removing the sampling noise of a flat week.
WEEKDAY_CV_MIN = 0.05
WEEKDAY_SOURCE = "Doofinder / Oberlo weekday shares: CV ~0.09"
# NRF Winter Holiday FAQs: November and December averaged about 19% of annual retail sales over five
# years (up to ~30% for hobby, toy and game stores); two flat months are 16.7%.
HOLIDAY = Bound(0.18, 0.30)
HOLIDAY_SOURCE = "NRF: Nov-Dec ~19% of annual retail sales"
# The share alone rises with any growth through the year (a family's orders follow its sign-ups), so the
# lift is also read against the year's own trend: Nov+Dec over a straight line fitted to Jan-Oct. NRF's
# 19% against 81% for ten months is 9.5/8.1 = 1.17 a month; the floor is about half that lift.
LIFT_MIN = 1.08
LIFT_SOURCE = "NRF 19% over 2 months vs 81% over 10: lift 1.17"
# USPS delivers on Sundays only Priority Mail Express and Amazon parcels; UPS Ground delivers Monday-
# Saturday; FedEx Home Delivery covers Sundays in much of the US: well below a flat 1/7 (0.143).
SUNDAY_MAX = 0.07
SUNDAY_SOURCE = "USPS/UPS Sunday service is limited; flat 1/7"
# No service level offered (shipping.service_type: standard, economy, expedited, two_day, overnight) is
# same-day: overnight means next day, so delivery within 6 hours of shipping is (nearly) never.
FAST_HOURS, FAST_MAX = 6, 0.01


@cache
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(order: Row) -> ZoneInfo | None:
    found = order.get("shipping_address")
    address: dict[str, object] = found if isinstance(found, dict) else {}
    country = str(address.get("country") or CURRENCY_COUNTRY.get(str(order.get("currency")), "")).upper()
    name = _BY_REGION.get((country, str(address.get("state") or "").upper())) or COUNTRY_ZONE.get(country)
    return _zone(name) if name else None


def local(order: Row, field: str) -> datetime | None:
    at, zone = instant(order.get(field)), zone_of(order)
    return None if at is None or zone is None else datetime.fromtimestamp(at, UTC).astimezone(zone)


def weekday_cv(weekdays: list[int]) -> float | None:
    """Coefficient of variation of the 7 weekday counts, less what a flat week shows by chance: for n
    orders spread evenly, E[CV^2] = 6/n (a chi-square with 6 degrees of freedom over n)."""
    n = len(weekdays)
    if n < 70:
        return None
    counts = [weekdays.count(d) for d in range(7)]
    cv2 = statistics.pvariance(counts) / statistics.fmean(counts) ** 2
    return max(0.0, cv2 - 6 / n) ** 0.5


def distinct_orders(pools: list[list[Row]]) -> list[tuple[Row, datetime]]:
    """(order, local created_at) for each order not already seen under the same id at the same instant."""
    seen: set[tuple[str, str]] = set()
    out = []
    for order in (o for pool in pools for o in pool):
        at = local(order, "created_at")
        if at is None:
            continue
        keys = {(str(order.get("order_id")), str(order.get("created_at"))),
                (str(order.get("order_id")), at.replace(tzinfo=None).isoformat())}  # fmt: skip
        if not keys & seen:
            out.append((order, at))
        seen |= keys
    return out


def holiday_lift(months: list[int]) -> float | None:
    """(Nov + Dec) over what a least-squares line through Jan-Oct predicts for them; months[0] is Jan."""
    xs, ys = range(1, 11), months[:10]
    if len(months) != 12 or sum(ys) < 50:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
    predicted = 2 * my + slope * (11 - mx + 12 - mx)
    return (months[10] + months[11]) / predicted if predicted > 0 else None


def time_shape_checks(sample: Sample) -> list[Check]:
    pools = [*(fam.get("order", []) for fam in sample.families.values()), sample.owners.get("order", []),
             sample.timed]  # fmt: skip
    orders = [o for pool in pools for o in pool]
    kept = distinct_orders(pools)
    placed = [t for _, t in kept]
    scope = f"orders: {len(sample.families) + 1} families + GenerateData ({len(kept)} distinct)"
    why = missing("order", orders, "created_at")
    if orders and not placed and not why:
        why = "no order has a known country and time zone"
    year = datetime.fromtimestamp(sample.as_of + 1, UTC).year - 1  # the last full calendar year
    in_year = [t for t in placed if t.year == year]
    counts = [sum(t.month == m for t in in_year) for m in range(1, 13)]
    months, lift = " ".join(map(str, counts)), holiday_lift(counts)
    arrived = [t for t in (local(o, "delivered_at") for o, _ in kept) if t is not None]
    gaps = [(instant(o.get("delivered_at")), instant(o.get("shipped_at"))) for o, _ in kept]
    check = partial(measure, PROP, scope=scope)
    cv = weekday_cv([t.weekday() for t in placed])
    return [
        check("night_orders_local", flags=(t.hour < 6 for t in placed), bound=NIGHT, source=HOURS_SOURCE,
              why=why, note="00:00-05:59 local"),
        check("evening_orders_local", flags=(18 <= t.hour < 23 for t in placed), bound=EVENING,
              source=HOURS_SOURCE, why=why, note="18:00-22:59 local"),
        Check(PROP, "weekday_cv", scope, cv, at_least(WEEKDAY_CV_MIN), WEEKDAY_SOURCE,
              why or ("" if cv is not None else "fewer than 70 orders") or "noise-corrected, local weekday"),
        check("nov_dec_share", flags=(t.month >= 11 for t in in_year), bound=HOLIDAY, source=HOLIDAY_SOURCE,
              why=why or ("" if in_year else f"no order placed in {year}"),
              note=f"orders placed in {year}, by month: {months}"),
        Check(PROP, "nov_dec_lift_over_trend", scope, lift, at_least(LIFT_MIN), LIFT_SOURCE,
              why or ("Jan-Oct line" if lift is not None else f"too few orders placed in {year}")),
        check("sunday_deliveries", flags=(t.weekday() == 6 for t in arrived), bound=at_most(SUNDAY_MAX),
              source=SUNDAY_SOURCE, why=missing("order", orders, "delivered_at"), note="local delivered_at"),
        check("delivered_within_6h", flags=(d - s < FAST_HOURS * HOUR for d, s in gaps if d is not None
              and s is not None), bound=at_most(FAST_MAX), source="invariant: no same-day service level",
              why=missing("order", orders, "shipped_at", "delivered_at")),
    ]  # fmt: skip
