"""Carriers: a tracking number has its carrier's published form (and check digit, where the carrier
defines one), and a parcel's delivered scan is in the city it was addressed to.

Forms, from the carriers' and the UPU's public specifications (written here, independent of the engine):
- UPS: 1Z + 6-character shipper number + 2-character service + 7-digit package id + check digit (18);
  check: letters as (ord - 3) % 10, odd positions (0-based) doubled, mod 10.
- FedEx: Express 12 digits (weights 3,1,7 mod 11 mod 10); Ground 15 digits (odd positions x3, mod 10);
  SmartPost 20 digits; Ground "96" 22 digits.
- USPS: Intelligent Mail package barcode, 22 digits starting 9[1-5], or 20 digits (even positions x3,
  mod 10), 21 digits starting 9; UPU S10 ending US for international.
- DHL: Express waybill 10-11 digits (the number before the check digit mod 7); eCommerce GM/LX/RX... +
  10-39 digits; Paket 12 or 20 digits; piece ids JJD/JVGL + digits.
- UPU S10 (Royal Mail, La Poste, Correos, Poste Italiane, Australia Post, ...): 2 letters, 8 digits, a
  check digit (weights 8,6,4,2,3,5,9,7; 11 - sum mod 11, 10 -> 0, 11 -> 5), ISO country code.
- Canada Post 16 digits (even positions x3, mod 10) or S10 CA; Japan Post 11-12 digits or S10 JP;
  PostNL 3S + 11-13 characters or S10 NL; Colissimo digit, letter, 11 digits; DPD 14 digits;
  Yamato, Sagawa 12 digits; Deutsche Post 20 characters; OnTrac C/D + 14 digits; Amazon TBA + 12 digits.
A carrier not listed reads as not counted (named in the note).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import partial

from evals.realism.links import groups, index, measure, missing
from evals.realism.sample import Row, Sample
from evals.realism.table import Check, at_least
from evals.realism.timeline import family_scope

PROP = "carrier_formats"
SOURCE = "carriers' published formats / UPU S10"


def _digits_mod10(body: str, check: str, odd: int = 1, even: int = 1) -> bool:
    total = sum(int(c) * (even if i % 2 == 0 else odd) for i, c in enumerate(body))
    return (10 - total % 10) % 10 == int(check)


def ups_ok(n: str) -> bool:
    vals = [int(c) if c.isdigit() else (ord(c) - 3) % 10 for c in n[2:17]]
    total = sum(v * (2 if i % 2 else 1) for i, v in enumerate(vals))
    return (10 - total % 10) % 10 == int(n[17]) if n[17].isdigit() else False


def fedex12_ok(n: str) -> bool:
    return sum(int(c) * w for c, w in zip(n[:11], [3, 1, 7] * 4, strict=False)) % 11 % 10 == int(n[11])


def s10_ok(n: str) -> bool:
    total = sum(int(c) * w for c, w in zip(n[2:10], (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check) == int(n[10])


Rule = tuple[re.Pattern[str], Callable[[str], bool] | None]
S10 = r"[A-Z]{2}\d{9}"


def _rules(*pairs: tuple[str, Callable[[str], bool] | None]) -> list[Rule]:
    return [(re.compile(f"^(?:{p})$"), f) for p, f in pairs]


FORMATS: dict[str, list[Rule]] = {
    "ups": _rules((r"1Z[0-9A-Z]{16}", ups_ok)),
    "fedex": _rules(
        (r"\d{12}", fedex12_ok),
        (r"\d{15}", lambda n: _digits_mod10(n[:14], n[14], odd=3)),
        (r"\d{20}|96\d{20}", None),
    ),
    "usps": _rules(
        (r"9[1-5]\d{20}|\d{20}", lambda n: _digits_mod10(n[:-1], n[-1], even=3)),
        (r"9\d{20}", None),
        (S10 + "US", s10_ok),
    ),
    "dhl": _rules(
        (r"\d{10,11}", lambda n: int(n[:-1]) % 7 == int(n[-1])),
        (r"\d{12}|\d{20}", None),
        (r"(?:GM|LX|RX|UV|CN|SG|TH|IN|HK|MY)\d{10,39}", None),
        (r"J(?:JD|VGL)\d{9,18}", None),
    ),
    "royalmail": _rules((S10 + "GB", s10_ok)),
    "canadapost": _rules((r"\d{16}", lambda n: _digits_mod10(n[:15], n[15], even=3)), (S10 + "CA", s10_ok)),
    "japanpost": _rules((r"\d{11,12}", None), (S10 + "JP", s10_ok)),
    "australiapost": _rules((S10 + "AU", s10_ok)),
    "laposte": _rules((S10 + "FR", s10_ok), (r"\d[A-Z]\d{11}", None)),
    "colissimo": _rules((S10 + "FR", s10_ok), (r"\d[A-Z]\d{11}", None)),
    "correos": _rules((S10 + "ES", s10_ok)),
    "posteitaliane": _rules((S10 + "IT", s10_ok)),
    "postnl": _rules((r"3S[0-9A-Z]{11,13}", None), (S10 + "NL", s10_ok)),
    "deutschepost": _rules((r"\d{2}[0-9A-Z]{7}\d{4}[0-9A-Z]{7}", None), (S10 + "DE", s10_ok)),
    "dpd": _rules((r"\d{14}", None)),
    "yamato": _rules((r"\d{12}", None)),
    "sagawa": _rules((r"\d{12}", None)),
    "ontrac": _rules((r"[CD]\d{14}", None)),
    "amazon": _rules((r"TBA\d{12}", None)),
}


def carrier_key(name: object) -> str:
    key = re.sub(r"[^a-z]", "", str(name or "").casefold())
    return next((k for k in sorted(FORMATS, key=len, reverse=True) if key.startswith(k)), key)


def tracking_ok(carrier: object, number: object) -> tuple[bool | None, bool | None]:
    """(matches the carrier's form, check digit holds); None where the carrier or check is not defined."""
    rules = FORMATS.get(carrier_key(carrier))
    if rules is None or not isinstance(number, str):
        return None, None
    n = re.sub(r"\s", "", number).upper()
    for pattern, check in rules:
        if pattern.match(n):
            return True, (check(n) if check else None)
    return False, None


def _format_check(entity: str, scope: str, rows: list[Row]) -> list[Check]:
    by_carrier: dict[str, list[bool]] = defaultdict(list)
    unknown: Counter[str] = Counter()
    fmt_flags, digit_flags = [], []
    for r in rows:
        fmt, digit = tracking_ok(r.get("carrier"), r.get("tracking_number"))
        if fmt is None:
            unknown[str(r.get("carrier"))] += 1
            continue
        fmt_flags.append(fmt)
        by_carrier[str(r.get("carrier"))].append(fmt)
        digit_flags.append(digit)
    note = ", ".join(f"{c} {sum(f) / len(f):.2f}" for c, f in sorted(by_carrier.items()))
    if unknown:
        note += "; no format here for: " + ", ".join(sorted(unknown))
    why = missing(entity, rows, "carrier", "tracking_number")
    check = partial(measure, PROP, scope=scope, bound=at_least(1.0), source=SOURCE, why=why)
    return [
        check("tracking_number_format", flags=fmt_flags, note=note),
        check("tracking_check_digit", flags=digit_flags, note="right form, carrier defines a check digit"),
    ]


def city(text: object) -> str:
    return " ".join(str(text or "").split(",")[0].casefold().split())


def carrier_checks(sample: Sample) -> list[Check]:
    fam, scope = sample.owners, family_scope(sample.owners)
    customers = f"en_US ({len(fam.get('customer', []))} customers)"
    out = _format_check("shipment", f"dataset shipment/{customers}", fam.get("shipment", []))
    out += _format_check("shipping", f"dataset shipping/{customers}", fam.get("shipping", []))
    single = sample.rows.get("shipment", []) + sample.rows.get("shipping", [])
    out += _format_check("shipment", f"shipment+shipping/en_US ({len(single)})", single)
    orders, shipments = index(fam.get("order", []), "order_id"), index(fam.get("shipment", []), "shipment_id")
    tracking = fam.get("tracking", [])
    delivered = groups((t for t in tracking if t.get("status") == "delivered"), "shipment_id")

    def at_home(scan: Row) -> bool | None:
        order = orders.get(str(shipments.get(str(scan.get("shipment_id")), {}).get("order_id")))
        address = order.get("shipping_address") if order else None
        if not isinstance(address, dict) or not address.get("city") or not scan.get("location"):
            return None
        return city(scan["location"]) == city(address["city"])

    scans = [t for ts in delivered.values() for t in ts]
    why = missing("tracking", tracking, "location", "shipment_id") or ("" if scans else "no delivered scans")
    # A delivered scan is recorded where the parcel was handed over; carriers name the address's city
    # (a suburb's post town may differ now and then, hence 0.95 rather than 1).
    out.append(measure(PROP, "delivered_scan_in_destination_city", scope, map(at_home, scans), at_least(0.95),
                       "invariant: delivered at the address (0.95 for post-town names)", why))  # fmt: skip
    return out
