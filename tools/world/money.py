"""The tax rate a row is charged (both makers) and whether a row's tax is one charged where it is
taxed (the validator's `tax` check). Rates and jurisdictions are in tax.py."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable
from functools import cache
from typing import Any, TypeGuard

from tools.catalogue import load_catalogue, per_catalogue
from tools.errors import InvalidRequest
from tools.schema import FieldSpec, FieldType
from tools.world.places import Country, countries, country_of_currency, country_of_locale
from tools.world.tax import (
    ADDRESS_FIELDS,
    RATE_DIGITS,
    addressed,
    jurisdiction,
    plausible,
    ranges,
    rate_for,
    within,
)

# What a tax rate is read from: the row's address, currency and lines (compiler.field_deps orders them first).
TAX_INPUTS = (*ADDRESS_FIELDS, "currency", "items")
# Whole yen: Japanese shops round tax down to the yen; everywhere else to the cent.
_MINOR_UNIT = {"JPY": 1.0}

Chooser = Callable[[dict[str, Any], float], float]


def rate_chooser(locale: str, lo: float = 0.0, hi: float = 1.0) -> Chooser | None:
    """(row so far, a uniform draw) -> the tax rate the row is charged: its address's jurisdiction, or
    without an address a region of the locale's country drawn by population, among those whose rate
    is within [lo, hi] (a request for tax-free carts gets Oregon's and Montana's). None: no world data."""
    home = country_of_locale(locale)
    if home is None:
        return None
    fitting = _fitting(home, lo, hi)

    def choose(obj: dict[str, Any], u: float) -> float:
        if not addressed(obj):
            users = country_of_currency(str(obj.get("currency") or home.currency))
            if not users or home.code in {c.code for c in users}:
                reduced = category_rate(home, obj)
                return reduced if reduced is not None and lo <= reduced <= hi else fitting(u)
            # A cart in another country's currency: taxed there (euros: a euro country by population).
            country = users[0] if len(users) == 1 else _by_population(tuple(users), u)
            region = country.region_at(u) if country.code in ("US", "CA") else None
        else:
            found, region = jurisdiction(obj, home)
            if found is None:
                return fitting(u)
            country = found
            if region is None and country.code in ("US", "CA"):
                region = country.region_at(u)
        reduced = category_rate(country, obj)
        if reduced is not None and lo <= reduced <= hi:
            return reduced
        rate = within(country, region, lo, hi)
        # None: nothing there is in bounds; the usual rate then fails the bound and the row is redrawn.
        return rate if rate is not None else rate_for(country, region)

    return choose


def category_rate(country: Country, obj: dict[str, Any]) -> float | None:
    """The reduced rate a basket carries when every line is of a category with one (a German order of
    books and food: 7%); None when any line is taxed at the standard rate, or there are no lines."""
    rates = country.tax.get("reduced_categories")
    items = obj.get("items")
    if not rates or not isinstance(items, list) or not items:
        return None
    found = {rates.get(_category(i)) for i in items}
    rate = found.pop() if len(found) == 1 else None
    # A mixed basket (or one without those categories) carries the standard rate: one rate per order.
    return float(rate) if rate is not None else None


def _category(item: Any) -> Any:
    """A line's category: its own field, else its catalogue product's (order lines carry no category)."""
    if not isinstance(item, dict):
        return None
    return item.get("category") or _product_categories().get(str(item.get("product_id")))


@per_catalogue
def _product_categories() -> dict[str, str]:
    return {p.id: p.category for t in load_catalogue() for p in t.products}


def _by_population(options: tuple[Country, ...], u: float) -> Country:
    cum = _population_cum(tuple(c.code for c in options))
    return options[min(len(options) - 1, bisect.bisect_right(cum, u * cum[-1]))]


@cache
def _population_cum(codes: tuple[str, ...]) -> list[int]:
    return list(itertools.accumulate(sum(r.population for r in countries()[c].regions) for c in codes))


def home_rates(locale: str, lo: float = 0.0, hi: float = 1.0) -> tuple[list[float], list[float]] | None:
    """(rates, cumulative weights) rate_chooser draws from for a row in the home currency without an
    address: what the column maker draws a whole block from at once. None: no world data."""
    home = country_of_locale(locale) or country_of_locale("en_US")
    if home is None:
        return None
    ok = _fitting_rates(home, lo, hi)
    if home.code not in ("US", "CA"):
        ok = ok[:1]
    return [r for r, _ in ok], list(itertools.accumulate(w for _, w in ok))


def _fitting(country: Country, lo: float, hi: float) -> Callable[[float], float]:
    """A rate of `country` within [lo, hi], drawn by population; InvalidRequest when none is."""
    ok = _fitting_rates(country, lo, hi)
    if country.code not in ("US", "CA"):
        return lambda u: ok[0][0]
    cum = list(itertools.accumulate(w for _, w in ok))
    return lambda u: ok[min(len(ok) - 1, bisect.bisect_right(cum, u * cum[-1]))][0]


def _fitting_rates(country: Country, lo: float, hi: float) -> list[tuple[float, float]]:
    if country.code in ("US", "CA"):
        rates = [(rate_for(country, r), r.population) for r in country.regions]
    else:  # the standard rate, else a reduced or zero one (goods that carry it)
        rates = [(rate_for(country, None), 1)] + [(float(r), 1) for r in country.tax.get("reduced") or []]
        rates.append((0.0, 1))
    ok = [(rate, float(weight)) for rate, weight in rates if lo - 1e-12 <= rate <= hi + 1e-12]
    if not ok:
        known = ", ".join(_pct(r) for r in sorted({r for r, _ in rates}))
        raise InvalidRequest(
            "tax_rate",
            f"no jurisdiction of {country.name} charges a rate from {_pct(lo)} to {_pct(hi)} "
            f"(rates: {known})",
            "widen the tax_rate bounds, or use a locale whose rates fit",
        )
    return ok


def tax_rate_chooser(locale: str, lo: float = 0.0, hi: float = 1.0) -> Chooser:
    """rate_chooser for the locale; a locale the world has no data for is taxed as the US is (the
    response says coherence is limited for it)."""
    choose = rate_chooser(locale, lo, hi) or rate_chooser("en_US", lo, hi)
    assert choose is not None, "the world has US data"
    return choose


def checked_rate_field(spec: FieldSpec, path: str) -> FieldSpec:
    """A `source: tax_rate` field that can hold rates: a float (0.0825), refused up front otherwise."""
    if spec.type is not FieldType.FLOAT:
        raise InvalidRequest(
            f"{path}.type", f"source tax_rate makes rates such as 0.0825, not {spec.type.value} values",
            "make the field a float (precision 4 or more), or drop the source",
        )  # fmt: skip
    return spec


def rate_bounds(spec: Any) -> tuple[float, float]:
    """A tax_rate field's bounds (FieldSpec min and max), as the chooser takes them."""
    lo = spec.min if isinstance(spec.min, int | float) else 0.0
    hi = spec.max if isinstance(spec.max, int | float) else 1.0
    return float(lo), float(hi)


def tax_problem(obj: dict[str, Any], rate_field: str) -> tuple[str, str] | None:
    """(field, message) when the row's tax rate is not one charged where it is taxed; None when it is
    (or where it cannot be told: no jurisdiction, no amounts). A row without the rate field (a real
    receipt sent to AddExamples) is judged by tax / subtotal: rounding per line and to the currency's
    unit allowed for, and a basket of several lines may mix a reduced and the standard rate."""
    stated, tax, base = obj.get(rate_field), obj.get("tax"), obj.get("subtotal")
    lines = len(obj["items"]) if isinstance(obj.get("items"), list) and obj["items"] else 1
    if _number(stated):
        rate, slack, where, mixed = float(stated), 1e-9, rate_field, False
    elif stated is None and _number(tax) and _number(base) and base > 0:
        unit = _MINOR_UNIT.get(str(obj.get("currency")), 0.01)
        rate, slack, where, mixed = tax / base, (lines * unit / 2 + unit) / base, "tax", lines > 1
    else:
        return None  # nothing to judge; a mistyped rate is reported by its own type check
    country, region = jurisdiction(obj, None)
    if country is None or _charged(rate, country, region, slack, mixed):
        return None
    currency = str(obj.get("currency"))
    has_address = addressed(obj)
    if not has_address and any(_charged(rate, c, None, slack, mixed) for c in country_of_currency(currency)):
        return None  # a cart in euros: any euro country's rate
    place = f"{region.name}, {country.name}" if region is not None else country.name
    place = place if has_address else f"{place} ({currency})"
    spans = ranges(country.code, region.code if region else "")
    known = ", ".join(_pct(lo) if lo == hi else f"{_pct(lo)} to {_pct(hi)}" for lo, hi in spans[:8])
    known += ", ..." if len(spans) > 8 else ""
    what = (
        f"a tax rate of {_pct(rate)}"
        if where == rate_field
        else f"tax of {tax} on {base} ({_pct(round(rate, 4))})"
    )
    return where, (
        f"{what} is not charged in {place} (rates there: {known}); "
        "use one of those rates or the address where the goods are taxed"
    )


def _charged(rate: float, country: Country, region: Any, slack: float, mixed: bool) -> bool:
    if plausible(rate, country, region, slack):
        return True
    if not mixed:
        return False
    spans = ranges(country.code, region.code if region else "")  # lines at different rates
    return min(lo for lo, _ in spans) - slack <= rate <= max(hi for _, hi in spans) + slack


def _pct(rate: float) -> str:
    return f"{rate * 100:.4f}".rstrip("0").rstrip(".") + "%"


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


__all__ = [
    "RATE_DIGITS",
    "TAX_INPUTS",
    "checked_rate_field",
    "rate_bounds",
    "tax_problem",
    "tax_rate_chooser",
]
