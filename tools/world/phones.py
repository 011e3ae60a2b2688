"""Phone numbers in one format per country: the national format people write (the default) or E.164.

A number is a city's area code (cities drawn by population) or a mobile prefix, filled out to the
country's national number length; how it is grouped follows the country's own convention.
"""

from __future__ import annotations

from functools import cache

from tools.world.draws import Draws, key64
from tools.world.places import Country, country_of_locale

POOL_SIZE = 1000


def _groups(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, i = [], 0
    for n in sizes:
        if i >= len(digits):
            break
        out.append(digits[i : i + n])
        i += n
    if i < len(digits):
        out[-1] += digits[i:]
    return out


def national(country: Country, lead: str, nsn: str, mobile: bool = False) -> str:
    """The number as written at home: `lead` is the area code or mobile prefix that starts `nsn`."""
    trunk = str(country.phone.get("trunk") or "")
    rest = nsn[len(lead) :]
    code = country.code
    if code in ("US", "CA"):
        return f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}"
    if code == "FR":
        return " ".join(_groups(trunk + nsn, (2, 2, 2, 2, 2)))
    if code == "ES":
        return " ".join(_groups(nsn, (3, 2, 2, 2)))
    if code == "JP":
        return f"{trunk}{lead}-{rest[:-4]}-{rest[-4:]}"
    if mobile and code == "AU":
        return f"{trunk}{nsn[:3]} {nsn[3:6]} {nsn[6:]}"  # 0412 345 678
    if mobile and code == "GB":
        return f"{trunk}{nsn[:4]} {nsn[4:]}"  # 07700 900123
    if mobile and code == "NL":
        return f"{trunk}{nsn[:1]} {nsn[1:]}"  # 06 12345678
    if mobile and code == "IT":
        return f"{nsn[:3]} {nsn[3:6]} {nsn[6:]}"  # 347 123 4567
    if code == "AU":
        return f"({trunk}{lead}) {rest[:4]} {rest[4:]}"  # (02) 1234 5678
    return f"{trunk}{lead} {rest}"


def e164(country: Country, nsn: str) -> str:
    # Italy keeps the leading 0 of landline numbers in international form.
    keep = str(country.phone.get("trunk") or "") if country.code == "IT" and not nsn.startswith("3") else ""
    return f"+{country.phone['calling_code']}{keep}{nsn}"


def number(country: Country, d: Draws) -> tuple[str, str, bool]:
    """(lead, national significant number, whether it is a mobile) of one subscriber."""
    phone = country.phone
    length = int(phone["length"])
    mobiles = [str(m) for m in phone.get("mobile_prefixes") or []]
    if mobiles and d.unit() < float(phone.get("mobile_share", 0.0)):
        lead = mobiles[d.below(len(mobiles))]
    else:
        lead = country.region_at(d.unit()).city_at(d.unit()).area_code
    if country.code in ("US", "CA"):  # the exchange never starts with 0 or 1
        return lead, lead + str(2 + d.below(8)) + d.digits(max(0, length - len(lead) - 1)), False
    mobile = lead in mobiles
    if not mobile:
        length = _landline_length(country.code, lead, length)
    return lead, lead + d.digits(max(0, length - len(lead))), mobile


def _landline_length(code: str, area: str, length: int) -> int:
    """Where landlines are shorter than the numbering plan's longest numbers (data/places notes)."""
    if code == "JP":
        return length - 1  # 03-1234-5678: 9 digits; only mobiles (090-...) have 10
    if code == "DE" and len(area) <= 2:
        return length - 1  # Berlin 030 and München 089 numbers: 10 digits
    return length


@cache
def phone_pool(locale: str, international: bool) -> tuple[str, ...] | None:
    """POOL_SIZE numbers of the locale's country, all in one format; None where the world has no data."""
    country = country_of_locale(locale)
    if country is None:
        return None
    out = []
    for i in range(POOL_SIZE):
        lead, nsn, mobile = number(country, Draws(key64("phone", locale, i)))
        out.append(e164(country, nsn) if international else national(country, lead, nsn, mobile))
    return tuple(out)
