"""Tax rates by jurisdiction, from data/places (sources named there), and where a row is taxed.

`rate_for` is what the engine charges: the US state rate plus the state's average local rate, Canadian
GST plus PST (or HST), the VAT or consumption tax's standard rate elsewhere. `ranges` is what real
shops charge there: in the US anything from the state rate to the state rate plus its highest local
add-on, or 0 for exempt goods (clothing in Pennsylvania, groceries); elsewhere the standard rate, a
reduced rate, or zero.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from tools.world.places import Country, Region, countries, country_of_currency

RATE_DIGITS = 5  # Quebec's 0.14975 needs five
ADDRESS_FIELDS = ("shipping_address", "billing_address", "address")
# An address object's parts under the names schemas use (compiler.ADDRESS_PARTS).
_STATE_KEYS = ("state", "region", "province")
_COUNTRY_KEYS = ("country", "country_code")


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
        spans = {
            (r.tax.get("state", 0.0), r.tax.get("state", 0.0) + r.tax.get("local_max", 0.0)) for r in regions
        }
        return sorted(spans | {(0.0, 0.0)})  # exempt goods
    rates = {rate_for(country, r) for r in ([region] if region is not None else country.regions)}
    if country.code == "CA":
        rates.add(float(country.tax.get("standard", 0.05)))  # GST alone: goods exempt from PST
    rates.update(float(r) for r in country.tax.get("reduced") or [])
    rates.add(0.0)  # zero-rated goods and exports
    return [(r, r) for r in sorted(rates)]


@cache
def ranges(code: str, region_code: str = "") -> tuple[tuple[float, float], ...]:
    """The rates charged in a country (and region), as (low, high) spans; a point is (r, r)."""
    country = countries()[code]
    region = country.region_named(region_code) if region_code else None
    return tuple(_ranges(country, region))


def plausible(rate: float, country: Country, region: Region | None, slack: float = 1e-9) -> bool:
    """Whether `rate` is one a real shop in that jurisdiction charges."""
    return any(
        lo - slack <= rate <= hi + slack for lo, hi in ranges(country.code, region.code if region else "")
    )


def within(country: Country, region: Region | None, lo: float, hi: float) -> float | None:
    """The rate charged there that a [lo, hi] bound allows: the usual one if it does, else the nearest
    real one inside the bound (a reduced VAT rate, the state rate alone); None when none is."""
    usual = rate_for(country, region)
    if lo <= usual <= hi:
        return usual
    for a, b in ranges(country.code, region.code if region else ""):
        if a <= hi and lo <= b:
            return round(max(a, lo), RATE_DIGITS)
    return None


def _part(address: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if address.get(key) is not None:
            return address[key]
    return None


def jurisdiction(obj: dict[str, Any], home: Country | None) -> tuple[Country | None, Region | None]:
    """Where a row is taxed: its shipping (or billing) address; without one, its currency's country
    if only one country uses it, else the request's country (`home`)."""
    for name in ADDRESS_FIELDS:
        address = obj.get(name)
        if isinstance(address, dict):
            country = countries().get(str(_part(address, _COUNTRY_KEYS) or ""))
            if country is None:
                return None, None
            state = _part(address, _STATE_KEYS)
            return country, country.region_named(str(state)) if state else None
    currency = obj.get("currency")
    if isinstance(currency, str):
        using = country_of_currency(currency)
        if len(using) == 1:
            return using[0], None
        if home is not None and home.code in {c.code for c in using}:
            return home, None
        return (using[0] if using else None), None
    return home, None


def addressed(obj: dict[str, Any]) -> bool:
    return any(isinstance(obj.get(n), dict) for n in ADDRESS_FIELDS)
