"""Parcel carriers per country: who delivers an order, the tracking number on its label, and the places
its scans come from (data/carriers.yaml, with its sources named there).

`carrier_choice` weighs a country's carriers by market share and by the delivery promise (economy goes
by post, overnight by the express integrators); `tracking_number` writes the carrier's real layout with
its check digit (tools/world/tracking_numbers.py); `route` places each tracking state: the shop's
fulfilment city, the carrier's sort hubs, the destination region's main city, the customer's own city.
Randomness always comes from the caller's `rnd`, so a row stays a function of its seed.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tools.world import tracking_numbers as tn
from tools.world.places import countries as places

DATA = Path(__file__).parent / "data" / "carriers.yaml"
SERVICES = ("economy", "standard", "two_day", "overnight")
STEPS = (
    "label_created", "picked_up", "departed_facility", "arrived_at_facility", "in_transit",
    "out_for_delivery", "delivery_attempted", "delivered", "exception",
)  # fmt: skip
_CITY_COMMA_REGION = frozenset({"US", "CA", "AU"})  # these write a place "City, ST" (region code)

Rnd = Callable[[], float]
Place = tuple[str, str]  # (city, region code)


@dataclass(frozen=True)
class Carrier:
    name: str
    kind: str  # postal | parcel | express: what a delivery promise reweights
    formats: tuple[tn.Format, ...]
    evidence: tuple[str, ...]  # per format: check | layout | assumed (see the data file's header)
    sources: tuple[str, ...]  # per format: where the layout and check digit are documented
    names: dict[str, str]  # what a country's shoppers call it, where not `name` (JP: ヤマト運輸)


@dataclass(frozen=True)
class Weighted:
    places: tuple[Place, ...]
    cum: tuple[float, ...]  # cumulative weights, for one draw per pick

    def draw(self, rnd: Rnd) -> Place:
        i = bisect.bisect_right(self.cum, rnd() * self.cum[-1])
        return self.places[min(i, len(self.places) - 1)]


@dataclass(frozen=True)
class CountryCarriers:
    shares: dict[str, float]  # carrier -> share of parcels, summing to 1
    hubs: dict[str, Weighted]  # carrier (or "any", the country's stand-in) -> its sort hubs
    fulfilment: Weighted  # where the country's shops ship from


@dataclass(frozen=True)
class _Data:
    services: dict[str, dict[str, float]]
    carriers: dict[str, Carrier]
    countries: dict[str, CountryCarriers]
    aliases: dict[str, str]  # casefolded name or local name -> carrier key


def _weighted(rows: list[list[Any]]) -> Weighted:
    for row in rows:
        if not (isinstance(row[0], str) and isinstance(row[1], str)):  # YAML reads a bare ON as True
            raise ValueError(f"carriers.yaml: {row} needs a city and a quoted region code")
    weights = itertools.accumulate(float(r[2]) if len(r) > 2 else 1.0 for r in rows)
    return Weighted(tuple((str(r[0]), str(r[1])) for r in rows), tuple(weights))


def _carrier(name: str, raw: dict[str, Any]) -> Carrier:
    formats = raw["formats"]
    return Carrier(
        name=name,
        kind=str(raw["kind"]),
        formats=tuple(tn.parse(f) for f in formats),
        evidence=tuple(str(f["evidence"]) for f in formats),
        sources=tuple(str(f["source"]) for f in formats),
        names={str(k): str(v) for k, v in (raw.get("names") or {}).items()},
    )


@cache
def _data() -> _Data:
    doc = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    known = {str(n): _carrier(str(n), raw) for n, raw in doc["carriers"].items()}
    out: dict[str, CountryCarriers] = {}
    for code, raw in doc["countries"].items():
        total = sum(float(v) for v in raw["carriers"].values())
        shares = {str(n): float(v) / total for n, v in raw["carriers"].items()}
        if unknown := set(shares) - set(known):
            raise ValueError(f"carriers.yaml: {code} names carriers without formats: {sorted(unknown)}")
        hubs = {str(n): _weighted(rows) for n, rows in raw["hubs"].items()}
        if "any" not in hubs or set(hubs) - set(known) - {"any"}:  # a typo would fall back silently
            raise ValueError(f"carriers.yaml: {code} hubs need an `any` list and known carriers only")
        out[str(code)] = CountryCarriers(shares, hubs, _weighted(raw["fulfilment"]))
    aliases = {n.casefold(): n for n in known}
    aliases |= {local.casefold(): n for n, c in known.items() for local in c.names.values()}
    services = {str(s): {str(k): float(v) for k, v in f.items()} for s, f in doc["services"].items()}
    return _Data(services, known, out, aliases)


def carrier(name: str) -> Carrier:
    """A carrier by its name (or a local name: ヤマト運輸), with its formats and their sources."""
    data = _data()
    key = data.aliases.get(name.strip().casefold())
    if key is None:
        raise ValueError(f"unknown carrier {name!r}; known: {sorted(data.carriers)}")
    return data.carriers[key]


def country_carriers(country_code: str) -> CountryCarriers:
    found = _data().countries.get(country_code.strip().upper())
    if found is None:
        raise ValueError(f"no carrier data for country {country_code!r}; have {sorted(_data().countries)}")
    return found


def carrier_shares(country_code: str) -> dict[str, float]:
    """The country's carriers and their share of parcels (summing to 1)."""
    return dict(country_carriers(country_code).shares)


def display_name(name: str, country_code: str) -> str:
    """The carrier as the country's shoppers see it written (ヤマト運輸 in Japan, else its name)."""
    found = carrier(name)
    return found.names.get(country_code.strip().upper(), found.name)


def carrier_choice(country_code: str, service: str, rnd: Rnd) -> str:
    """A carrier for one parcel: by market share, reweighted by what the service promises."""
    data = _data()
    factors = data.services.get(service)
    if factors is None:
        raise ValueError(f"unknown service {service!r}; one of {SERVICES}")
    shares = country_carriers(country_code).shares
    names = list(shares)
    cum = list(itertools.accumulate(shares[n] * factors[data.carriers[n].kind] for n in names))
    i = bisect.bisect_right(cum, rnd() * cum[-1])
    return names[min(i, len(names) - 1)]


def tracking_number(name: str, rnd: Rnd) -> str:
    """A tracking number in the carrier's published layout, with its check digit where one is defined."""
    formats = carrier(name).formats
    if len(formats) == 1:
        return tn.make(formats[0], rnd)
    cum = list(itertools.accumulate(f.weight for f in formats))
    i = bisect.bisect_right(cum, rnd() * cum[-1])
    return tn.make(formats[min(i, len(formats) - 1)], rnd)


def tracking_matches(name: str, text: str) -> bool:
    """`text` (spaces and dashes ignored) is in one of the carrier's layouts, check digit right."""
    return any(tn.matches(f, text) for f in carrier(name).formats)


class _Formats(Mapping[str, str]):
    """carrier -> a regular expression for its numbers (Python syntax, to match a whole number after
    spaces are dropped). Check digits are not in the expression: tracking_matches verifies them."""

    def __getitem__(self, name: str) -> str:
        texts = [f.text for f in carrier(name).formats]
        return texts[0] if len(texts) == 1 else "|".join(f"(?:{t})" for t in texts)

    def __iter__(self) -> Iterator[str]:
        return iter(_data().carriers)

    def __len__(self) -> int:
        return len(_data().carriers)


TRACKING_FORMATS: Mapping[str, str] = _Formats()  # read from the data on first use, not at import


def location(country_code: str, city: str, region_code: str) -> str:
    """A place as the country writes it on a tracking page: "Louisville, KY", "東京都大田区", "Leipzig"."""
    code = country_code.strip().upper()
    if code in _CITY_COMMA_REGION:
        return f"{city}, {region_code}"
    if code == "JP":  # Japanese addresses lead with the prefecture, as in places' address order
        region = places()[code].region_named(region_code)
        return (region.name if region else "") + city
    return city


def _main_city(country_code: str, region_code: str) -> Place | None:
    country = places().get(country_code)
    region = country.region_named(region_code) if country else None
    if region is None:
        return None
    return max(region.cities, key=lambda c: c.population).name, region.code


def route(
    name: str,
    country_code: str,
    destination_city: str,
    destination_region_code: str,
    steps: Sequence[str],
    rnd: Rnd,
) -> list[str]:
    """Where each tracking step was scanned, in order: label_created and picked_up at a fulfilment city,
    departed_facility at the carrier's origin sort hub, in_transit at one of its hubs,
    arrived_at_facility in the destination region's largest city, out_for_delivery, delivery_attempted
    and delivered in the destination city, exception wherever the parcel last was."""
    code = country_code.strip().upper()
    country = country_carriers(code)
    key = carrier(name).name
    hubs = country.hubs.get(key) or country.hubs["any"]
    origin = country.fulfilment.draw(rnd)
    # The carrier's depot nearest the warehouse: one of its hubs in the warehouse's region, else the
    # town's own depot (the data has no coordinates, so "same region" stands in for "near").
    sort_hub = next((h for h in hubs.places if h[1] == origin[1]), origin)
    destination = (destination_city, destination_region_code)
    facility = _main_city(code, destination_region_code) or destination
    out: list[str] = []
    last = origin  # the last facility the parcel was at, where an exception is scanned
    for step in steps:
        if step in ("label_created", "picked_up"):
            at = last = origin
        elif step == "departed_facility":
            at = last = sort_hub
        elif step == "in_transit":
            at = last = hubs.draw(rnd)
        elif step == "arrived_at_facility":
            at = last = facility
        elif step in ("out_for_delivery", "delivery_attempted", "delivered"):
            at, last = destination, facility  # the van went out from the destination facility
        elif step == "exception":
            at = last
        else:
            raise ValueError(f"unknown tracking step {step!r}; one of {STEPS}")
        out.append(location(code, *at))
    return out
