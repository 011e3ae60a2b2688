"""Tax by jurisdiction, from the rates in data/places (sources named there).

`rate_for` is what the engine charges: the US state rate plus the state's average local rate, Canadian
GST plus PST (or HST), the VAT or consumption tax's standard rate elsewhere. `plausible` is what the
validator accepts, so that real receipts pass: in the US anything from the state rate to the state
rate plus its highest local add-on; elsewhere the standard rate, a reduced rate, or zero.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from functools import cache
from typing import Any, TypeGuard

from tools.errors import InvalidRequest
from tools.world.places import Country, Region, countries, country_of_currency, country_of_locale

RATE_DIGITS = 5  # Quebec's 0.14975 needs five
ADDRESS_FIELDS = ("shipping_address", "billing_address", "address")


def rate_for(country: Country, region: Region | None) -> float:
    if country.code == "US" and region is not None:
        return round(region.tax.get("state", 0.0) + region.tax.get("local_avg", 0.0), RATE_DIGITS)
    if country.code == "CA" and region is not None:
        t = region.tax
        return round(t["hst"] if "hst" in t else t.get("gst", 0.05) + t.get("pst", 0.0), RATE_DIGITS)
    return round(float(country.tax.get("standard", 0.0)), RATE_DIGITS)


def _ranges(country: Country, region: Region | None) -> list[tuple[float, float]]:
    if country.code == "US":
        regions = [region] if region is not None else list(country.regions)
        return [
            (r.tax.get("state", 0.0), r.tax.get("state", 0.0) + r.tax.get("local_max", 0.0)) for r in regions
        ]
    rates = {rate_for(country, r) for r in ([region] if region is not None else country.regions)}
    if country.code == "CA":
        rates.add(float(country.tax.get("standard", 0.05)))  # GST alone: zero-rated PST goods
    rates.update(float(r) for r in country.tax.get("reduced") or [])
    rates.add(0.0)  # zero-rated goods and exports
    return [(r, r) for r in sorted(rates)]


@cache
def _country_ranges(code: str, region_code: str) -> tuple[tuple[float, float], ...]:
    country = countries()[code]
    region = country.region_named(region_code) if region_code else None
    return tuple(_ranges(country, region))


def plausible(rate: float, country: Country, region: Region | None, slack: float = 1e-9) -> bool:
    """Whether `rate` is one a real shop in that jurisdiction charges."""
    ranges = _country_ranges(country.code, region.code if region else "")
    return any(lo - slack <= rate <= hi + slack for lo, hi in ranges)


def jurisdiction(obj: dict[str, Any], locale_country: Country | None) -> tuple[Country | None, Region | None]:
    """Where a row is taxed: its shipping (or billing) address; without one, its currency's country
    if only one country uses it, else the request's country."""
    for name in ADDRESS_FIELDS:
        address = obj.get(name)
        if isinstance(address, dict):
            country = countries().get(str(address.get("country") or ""))
            if country is not None:
                state = address.get("state")
                return country, country.region_named(str(state)) if state else None
            return None, None
    currency = obj.get("currency")
    if isinstance(currency, str):
        using = country_of_currency(currency)
        if len(using) == 1:
            return using[0], None
        if locale_country is not None and locale_country in using:
            return locale_country, None
        return (using[0] if using else None), None
    return locale_country, None


def rate_chooser(
    locale: str, lo: float = 0.0, hi: float = 1.0
) -> Callable[[dict[str, Any], float], float] | None:
    """(row so far, a uniform draw) -> the tax rate the row is charged: its address's jurisdiction, or
    without an address a region of the locale's country drawn by population, among those whose rate
    is within [lo, hi] (a request for tax-free carts gets Oregon's and Montana's). None: no world data."""
    home = country_of_locale(locale)
    if home is None:
        return None
    fitting = _fitting(home, lo, hi)

    def choose(obj: dict[str, Any], u: float) -> float:
        if not any(isinstance(obj.get(n), dict) for n in ADDRESS_FIELDS):
            users = country_of_currency(str(obj.get("currency") or home.currency))
            if not users or home in users:
                return fitting(u)
            # A cart in another country's currency: taxed there (euros: a euro country by population).
            abroad = users[0] if len(users) == 1 else _by_population(users, u)
            return rate_for(abroad, abroad.region_at(u) if abroad.code in ("US", "CA") else None)
        country, region = jurisdiction(obj, home)
        if country is None:
            return fitting(u)
        if region is None and country.code in ("US", "CA"):
            region = country.region_at(u)
        return rate_for(country, region)

    return choose


def _by_population(options: list[Country], u: float) -> Country:
    cum = list(itertools.accumulate(sum(r.population for r in c.regions) for c in options))
    return options[min(len(options) - 1, bisect.bisect_right(cum, u * cum[-1]))]


def _fitting(country: Country, lo: float, hi: float) -> Callable[[float], float]:
    """A rate of `country` within [lo, hi], drawn by population; InvalidRequest when none is."""
    if country.code in ("US", "CA"):
        rates = [(rate_for(country, r), r.population) for r in country.regions]
    else:  # the standard rate, else a reduced one (goods that carry it)
        rates = [(rate_for(country, None), 1)] + [(float(r), 1) for r in country.tax.get("reduced") or []]
    ok = [(rate, weight) for rate, weight in rates if lo - 1e-12 <= rate <= hi + 1e-12]
    if not ok:
        known = ", ".join(sorted({_pct(r) for r, _ in rates}))
        raise InvalidRequest(
            "tax_rate",
            f"no jurisdiction of {country.name} charges a rate from {_pct(lo)} to {_pct(hi)} "
            f"(rates: {known})",
            "widen the tax_rate bounds, or use a locale whose rates fit",
        )
    if country.code not in ("US", "CA"):
        return lambda u: ok[0][0]
    cum = list(itertools.accumulate(w for _, w in ok))
    return lambda u: ok[min(len(ok) - 1, bisect.bisect_right(cum, u * cum[-1]))][0]


def tax_rate_chooser(
    locale: str, lo: float = 0.0, hi: float = 1.0
) -> Callable[[dict[str, Any], float], float]:
    """rate_chooser for the locale; a locale the world has no data for is taxed as the US is (the
    response says coherence is limited for it)."""
    choose = rate_chooser(locale, lo, hi) or rate_chooser("en_US", lo, hi)
    assert choose is not None, "the world has US data"
    return choose


# What a tax rate is read from: the row's address and currency (compiler.field_deps orders them first).
TAX_INPUTS = (*ADDRESS_FIELDS, "currency")


def tax_problem(obj: dict[str, Any], rate_field: str) -> tuple[str, str] | None:
    """(field, message) when the row's tax rate is not one charged where it is taxed; None when it is
    (or where it cannot be told: no jurisdiction, no amounts). A row without the rate field (a real
    receipt sent to AddExamples) is judged by tax / subtotal, allowing for rounding to cents."""
    stated, tax, base = obj.get(rate_field), obj.get("tax"), obj.get("subtotal")
    if _number(stated):
        rate, slack, where = float(stated), 1e-9, rate_field
    elif stated is None and _number(tax) and _number(base) and base > 0:
        rate, slack, where = tax / base, 0.005 / base + 1e-9, "tax"
    else:
        return None  # nothing to judge; a mistyped rate is reported by its own type check
    country, region = jurisdiction(obj, None)
    if country is None or plausible(rate, country, region, slack):
        return None
    addressed = any(isinstance(obj.get(n), dict) for n in ADDRESS_FIELDS)
    currency = str(obj.get("currency"))
    if not addressed and any(plausible(rate, c, None, slack) for c in country_of_currency(currency)):
        return None  # a cart in euros: any euro country's rate
    place = f"{region.name}, {country.name}" if region is not None else country.name
    place = place if addressed else f"{place} ({currency})"
    ranges = _country_ranges(country.code, region.code if region else "")
    known = ", ".join(_pct(lo) if lo == hi else f"{_pct(lo)} to {_pct(hi)}" for lo, hi in ranges)
    what = (
        f"a tax rate of {_pct(rate)}"
        if where == rate_field
        else f"tax of {tax} on {base} ({_pct(round(rate, 4))})"
    )
    return where, (
        f"{what} is not charged in {place} (rates there: {known}); "
        "use one of those rates or the address where the goods are taxed"
    )


def _pct(rate: float) -> str:
    return f"{rate * 100:.4f}".rstrip("0").rstrip(".") + "%"


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def rate_bounds(spec: Any) -> tuple[float, float]:
    """A tax_rate field's bounds (FieldSpec min and max), as the chooser takes them."""
    lo = spec.min if isinstance(spec.min, int | float) else 0.0
    hi = spec.max if isinstance(spec.max, int | float) else 1.0
    return float(lo), float(hi)
