"""Money: the currency of the row's country and tax rates that exist there.

Each threshold has its source beside it.
"""

from __future__ import annotations

from collections import Counter
from functools import partial

from evals.realism.rates import Rates, rates_for
from evals.realism.sample import LOCALES, Row, Sample
from evals.realism.table import INFO, Check, at_least, share

CURRENCY = {
    "US": "USD",
    "GB": "GBP",
    "CA": "CAD",
    "AU": "AUD",
    "JP": "JPY",
    "CH": "CHF",
    "NZ": "NZD",
    "MX": "MXN",
    "SE": "SEK",
    "DK": "DKK",
    "NO": "NOK",
    "PL": "PLN",
}
CURRENCY |= {c: "EUR" for c in ("DE", "FR", "ES", "IT", "NL", "AT", "BE", "IE", "PT", "FI", "LU", "GR")}

# Cross-border purchases are 15-22% of e-commerce (DHL cross-border report: 15% in 2015, ~22% by
# 2020), and a shop selling abroad mostly charges the buyer's own currency at a localised checkout: a
# row in a currency not its country's should be rare. 0.95 is the bar.
CURRENCY_MIN = 0.95
CURRENCY_SOURCE = "DHL: cross-border 15-22% of e-commerce; issue bar"
# A cart's or order's tax must be a rate of its jurisdiction (evals/realism/rates.py); only rounding
# to cents may differ, so nearly every row must fit.
TAX_MIN = 0.99
TAX_SOURCE = "Tax Foundation 2025; CRA; EC VAT rates; HMRC; ATO; NTA"


def country_of(locale: str) -> str:
    return locale.split("_")[-1].upper()


def row_country(entity: str, row: Row, locale: str) -> str:
    """An order's country is where it ships; any other row takes the request locale's country."""
    address = row.get("shipping_address") if entity == "order" else None
    if isinstance(address, dict) and address.get("country"):
        return str(address["country"]).upper()
    return country_of(locale)


def currency_checks(sample: Sample) -> list[Check]:
    out = []
    for entity in ("order", "cart", "payment", "customer_preferences"):
        for loc in LOCALES:
            rows = sample.families[loc].get(entity, [])
            flags = [
                None
                if "currency" not in r or (want := CURRENCY.get(row_country(entity, r, loc))) is None
                else r["currency"] == want
                for r in rows
            ]
            check = Check("currency_country", "currency_country", f"{entity}/{loc}", share(flags),
                          at_least(CURRENCY_MIN), CURRENCY_SOURCE)  # fmt: skip
            out.append(check)
    return out


def _lines(row: Row) -> list[float]:
    """Line amounts grouped by category (one rate per kind of good), scaled to the subtotal."""
    groups: dict[str, float] = {}
    for i, item in enumerate(row.get("items") or []):
        amount = float(item.get("quantity") or 1) * float(item.get("price") or 0)
        key = str(item.get("category") or str(item.get("sku") or "").split("-")[0] or i)
        groups[key] = groups.get(key, 0.0) + amount
    subtotal, whole = float(row["subtotal"]), sum(groups.values())
    return [v * subtotal / whole for v in groups.values()] if whole > 0 else [subtotal]


def _stated_rates(row: Row) -> list[float]:
    """Rates the row states (`tax_rate` on the row or its lines), as fractions (8.25 and 0.0825 alike)."""
    lines = [i for i in row.get("items") or [] if isinstance(i, dict)]
    stated = [row.get("tax_rate"), *(i.get("tax_rate") for i in lines)]
    return [float(r) / 100 if float(r) > 1 else float(r) for r in stated if isinstance(r, int | float)]


def tax_fits(row: Row, rates: Rates) -> bool | None:
    """Whether every rate the row states is one of its jurisdiction's and its tax is what those rates
    give (per-line rates may differ; shipping may be taxed or not; prices may include tax). None when
    the row has neither a tax nor a stated rate."""
    stated = _stated_rates(row)
    if not all(rates.allows(r) for r in stated):
        return False
    if row.get("tax") is None or not row.get("subtotal"):
        return True if stated else None
    tax, subtotal = float(row["tax"]), float(row["subtotal"])
    shipping = float(row.get("shipping") or 0)
    total = row.get("total")
    inclusive = total is not None and tax > 0 and abs(float(total) - subtotal - shipping) <= 0.011
    lines = _lines(row)
    unit = 1.0 if row.get("currency") == "JPY" else 0.01  # ISO 4217 minor unit: whole yen
    tol = unit + unit / 2 * len(lines)

    def net(r: float) -> float:
        return r / (1 + r) if inclusive else r

    span = rates.span or (min(rates.discrete), max(rates.discrete))
    if rates.span is not None or len(lines) > 6:
        lo, hi = net(span[0]), net(span[1])
        return any(lo * b - tol <= tax <= hi * b + tol for b in (subtotal, subtotal + shipping))
    sums = {0.0}
    parts = [(a, rates.discrete) for a in lines] + ([(shipping, (*rates.discrete, 0.0))] if shipping else [])
    for amount, rs in parts:
        sums = {round(s + amount * net(r), 4) for s in sums for r in rs}
    return any(abs(s - tax) <= tol for s in sums)


def _jurisdiction(entity: str, row: Row, locale: str) -> Rates | None:
    address = row.get("shipping_address") if entity == "order" else None
    region = str(address.get("state") or "") if isinstance(address, dict) else ""
    return rates_for(row_country(entity, row, locale), region)


def tax_checks(sample: Sample) -> list[Check]:
    out: list[Check] = []
    seen: dict[str, Counter[float]] = {}
    plausible = partial(Check, "tax_rate_plausible")
    for entity in ("cart", "order"):
        for loc in LOCALES:
            rows = sample.families[loc].get(entity, [])
            flags = [tax_fits(r, j) if (j := _jurisdiction(entity, r, loc)) else None for r in rows]
            vague = entity == "cart" and loc in ("en_US", "en_CA")  # no address: any state's rate fits
            note = "no state or province on the row: every rate of the country counts" if vague else ""
            out.append(plausible("tax_rate_plausible", f"{entity}/{loc}", share(flags), at_least(TAX_MIN),
                                 TAX_SOURCE, note))  # fmt: skip
            rates = Counter(_effective(r) for r in rows if r.get("tax") is not None and _big(r))
            seen[loc] = seen.get(loc, Counter()) + rates
    distinct = {r for c in seen.values() for r in c}
    top = {loc: ", ".join(f"{r:g}%" for r, _ in c.most_common(3)) for loc, c in seen.items() if c}
    note = "; ".join(f"{loc} {rates}" for loc, rates in top.items())
    count = float(len(distinct)) if distinct else None
    scope, source = "cart+order/all locales", "reported: the engine's rates"
    out.append(plausible("distinct_rates", scope, count, INFO, source, f"most common by locale: {note}"))
    return out


def _big(row: Row) -> bool:
    return float(row.get("subtotal") or 0) >= 20  # smaller subtotals blur the rate with cent rounding


def _effective(row: Row) -> float:
    return round(100 * float(row["tax"]) / float(row["subtotal"]), 1)
