"""Addresses that agree with themselves and belong to one person.

`address(country, key)` is a pure function of a 64-bit key: the region by population, a city of it by
population, a postcode from the city's real prefixes, a street line written as that country writes it.
Keys come from (seed, person, k) (`address_chooser`), so a customer's k-th address is the same in every
row that names the customer, and two people share one only by a 64-bit collision.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from faker import Faker

from tools.world.draws import Draws, key64
from tools.world.places import Country, country_of_locale

Address = tuple[str, str, str, str, str]  # street, city, state, zip, country (pools.ADDRESS_KEYS)

# Letters postcodes use: the UK inward code skips C I K M O V, Canada skips D F I O Q U.
_LETTERS = {"GB": "ABDEFGHJLNPQRSTUWXYZ", "CA": "ABCEGHJKLMNPRSTVWXYZ"}
_STREET_NAMES = 1000
_POOL_SEED = 20250101


@cache
def _streets(locale: str) -> tuple[str, ...]:
    fake = Faker(locale)
    fake.seed_instance(f"{_POOL_SEED}:street_name")
    make: Callable[[], str] = fake.town if locale == "ja_JP" else fake.street_name  # JP: towns, not streets
    return tuple(str(make()) for _ in range(_STREET_NAMES))


def _street_line(country: str, name: str, d: Draws) -> str:
    number = 1 + int(d.unit() ** 2 * 400)  # most houses have small numbers
    flat = d.unit()
    if country == "JP":
        return f"{name}{1 + d.below(5)}丁目{1 + d.below(30)}番{1 + d.below(20)}号"
    if country in ("DE", "NL"):
        return f"{name} {number}"
    if country == "ES":
        return f"{name}, {number}" + (f", {1 + d.below(8)}º {'ABCD'[d.below(4)]}" if flat < 0.4 else "")
    if country == "IT":
        return f"{name}, {number}"
    if country == "GB":
        return (f"Flat {1 + d.below(30)}, " if flat < 0.12 else "") + f"{number} {name}"
    if country in ("US", "CA", "AU") and flat < 0.15:
        return f"{number} {name} {'Unit' if country == 'AU' else 'Apt'} {1 + d.below(40)}"
    return f"{number} {name}"


def postcode(country: Country, prefix: str, d: Draws) -> str:
    """A full postcode from one of a city's prefixes, filled out to the country's format."""
    fmt = country.postcode_format
    letters = _LETTERS.get(country.code, "ABCDEFGHJKLMNPRSTVWXZ")
    if "{" in fmt:  # GB outward code, Canadian FSA: the prefix is the whole first part
        out, given = [prefix], ""
        fmt = fmt.split("}", 1)[1]
    else:
        out, given = [], prefix
    i = 0
    for ch in fmt:
        if ch in "#L" and i < len(given):
            out.append(given[i])
            i += 1
        elif ch == "#":
            out.append(str(d.below(10)))
        elif ch == "L":
            out.append(letters[d.below(len(letters))])
        else:
            out.append(ch)
            if i < len(given) and given[i] == ch:
                i += 1
    return "".join(out)


def address(country: Country, locale: str, key: int) -> Address:
    d = Draws(key)
    region = country.region_at(d.unit())
    city = region.city_at(d.unit())
    prefix = city.postcodes[d.below(len(city.postcodes))]
    streets = _streets(locale)
    street = _street_line(country.code, streets[d.below(len(streets))], d)
    state = region.code if country.region_field == "code" else region.name
    return street, city.name, state, postcode(country, prefix, d), country.code


def one_line(country: Country, a: Address) -> str:
    street, city, state, zip_code, _ = a
    region = country.region_named(state)
    return country.address_order.format(
        street=street,
        city=city,
        postcode=zip_code,
        region=region.name if region else state,
        region_code=region.code if region else state,
    )


# Orders ship to the billing address most of the time and to a second address (a gift, the office)
# otherwise; the target range is 70-85%.
SHIP_TO_BILLING = 0.78
PERSON_FIELDS = ("customer_id", "user_id")


def address_chooser(field: str, locale: str, seed_key: str) -> Callable[[object, float], Address] | None:
    """How an address object named `field` is chosen from (the row's person or None, a uniform draw):
    a billing address is the person's first, a shipping address usually the same, any other a fresh
    one. None where the world has no data for the locale (the Faker pool is used)."""
    country = country_of_locale(locale)
    if country is None:
        return None
    seed = seed_key.split("/", 1)[0]  # not the entity: an order and its shipment see one person
    role = "billing" if field.endswith("billing_address") else ""
    role = "shipping" if field.endswith("shipping_address") else role

    def choose(person: object, u: float) -> Address:
        if person is None or not role:
            return address(country, locale, key64(seed, "address", "anyone", int(u * 2**53)))
        k = 0 if role == "billing" or u < SHIP_TO_BILLING else 1
        return address(country, locale, key64(seed, "address", person, k))

    return choose


def person_of(row: dict[str, object] | None) -> object:
    if not row:
        return None
    for name in PERSON_FIELDS:
        value = row.get(name)
        if value is not None:
            return value
    return None
