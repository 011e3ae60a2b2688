"""Countries, their regions and cities, read once from data/places/<cc>.yaml.

A region is drawn by population and a city within it by population, so addresses fall where people
live; a city's postcodes start with one of its real prefixes, so city, region and postcode agree.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PLACES_DIR = Path(__file__).parent / "data" / "places"


@dataclass(frozen=True)
class City:
    name: str
    population: int
    postcodes: tuple[str, ...]
    area_code: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    population: int
    tax: dict[str, float]
    cities: tuple[City, ...]
    city_cum: tuple[float, ...]  # cumulative city populations, for a weighted pick

    def city_at(self, u: float) -> City:
        """The city at quantile u (0 <= u < 1) of the region's city populations."""
        i = bisect.bisect_right(self.city_cum, u * self.city_cum[-1])
        return self.cities[min(i, len(self.cities) - 1)]


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    locales: tuple[str, ...]
    currency: str
    language: str
    timezones: tuple[str, ...]
    prices_include_tax: bool
    tax: dict[str, Any]
    phone: dict[str, Any]
    postcode_format: str
    address_order: str
    region_field: str  # "code" or "name": what an address's state field holds there
    locale_languages: dict[str, str]  # a locale whose people read another language (fr_CA: fr-CA)
    locale_regions: dict[str, list[str]]  # a locale whose people live in some regions (fr_CA: QC)
    regions: tuple[Region, ...]
    region_cum: tuple[float, ...]

    def region_at(self, u: float) -> Region:
        i = bisect.bisect_right(self.region_cum, u * self.region_cum[-1])
        return self.regions[min(i, len(self.regions) - 1)]

    def region_named(self, value: str) -> Region | None:
        """The region an address's state field names (its code or its name)."""
        return _region_index(self.code).get(value.strip().casefold())


def _cum(values: list[int]) -> tuple[float, ...]:
    return tuple(float(v) for v in itertools.accumulate(max(1, v) for v in values))


def _region(raw: dict[str, Any]) -> Region:
    cities = tuple(
        City(
            str(c["name"]),
            int(c.get("population") or 1),
            tuple(str(p) for p in c["postcodes"]),
            str(c.get("area_code") or ""),
        )
        for c in raw["cities"]
    )
    if not cities or any(not c.postcodes for c in cities):
        raise ValueError(f"places: region {raw.get('code')} needs cities with postcodes")
    return Region(
        str(raw["code"]),
        str(raw["name"]),
        int(raw["population"]),
        {k: float(v) for k, v in (raw.get("tax") or {}).items()},
        cities,
        _cum([c.population for c in cities]),
    )


def _country(doc: dict[str, Any]) -> Country:
    regions = tuple(_region(r) for r in doc["regions"])
    return Country(
        code=str(doc["country"]),
        name=str(doc["name"]),
        locales=tuple(str(x) for x in doc["locales"]),
        currency=str(doc["currency"]),
        language=str(doc["language"]),
        timezones=tuple(str(z) for z in doc.get("timezones") or ()),
        prices_include_tax=bool(doc["prices_include_tax"]),
        tax=dict(doc.get("tax") or {}),
        phone=dict(doc["phone"]),
        postcode_format=str(doc["postcode"]["format"]),
        address_order=str(doc["address_order"]),
        region_field=str(doc.get("region_field") or "name"),
        locale_languages={str(k): str(v) for k, v in (doc.get("locale_languages") or {}).items()},
        locale_regions={str(k): [str(r) for r in v] for k, v in (doc.get("locale_regions") or {}).items()},
        regions=regions,
        region_cum=_cum([r.population for r in regions]),
    )


@cache
def countries() -> dict[str, Country]:
    """Every country with reference data, by ISO code."""
    out = {}
    for path in sorted(PLACES_DIR.glob("*.yaml")):
        country = _country(yaml.safe_load(path.read_text(encoding="utf-8")))
        out[country.code] = country
    return out


@cache
def country_of_locale(locale: str) -> Country | None:
    """The country whose people a Faker locale makes; None where the world has no data for it (the
    row then takes Faker's own values, and the response says coherence is limited)."""
    for country in countries().values():
        if locale in country.locales:
            return _for_locale(country, locale)
    return None


def _for_locale(country: Country, locale: str) -> Country:
    """The country as a locale's people live in it: their language, their regions (by population)."""
    language = country.locale_languages.get(locale)
    codes = country.locale_regions.get(locale)
    if not language and not codes:
        return country
    regions = tuple(r for r in country.regions if r.code in codes) if codes else country.regions
    return replace(
        country,
        language=language or country.language,
        regions=regions,
        region_cum=_cum([r.population for r in regions]),
    )


@cache
def country_of_currency(currency: str) -> tuple[Country, ...]:
    """The countries that pay in `currency` (read per row by the tax chooser and check)."""
    return tuple(c for c in countries().values() if c.currency == currency)


@cache
def _region_index(code: str) -> dict[str, Region]:
    country = countries()[code]
    index = {}
    for r in country.regions:
        index[r.code.casefold()] = r
        index[r.name.casefold()] = r
    return index
