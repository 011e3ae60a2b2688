"""Locale coherence: a German shop's customers read German, their e-mail spells their names the way
German does in ASCII, their phones share one national format, and city, region and postcode agree."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, partial
from pathlib import Path
from typing import Any

import yaml
from faker.providers.person.ja_JP import Provider as JaPerson

from evals.realism.sample import LOCALES, Row, Sample
from evals.realism.table import Check, at_least, at_most, share

PLACES_DIR = Path(__file__).resolve().parents[2] / "tools" / "world" / "data" / "places"

# 76% of online shoppers prefer to buy with product information in their own language and 40% never
# buy from sites in other languages (CSA Research, "Can't Read, Won't Buy", 2020): a locale's shop
# mostly serves its own language. 0.9 is the bar.
LANGUAGE_MIN = 0.9
LANGUAGE_SOURCE = "CSA Research 2020 (76% prefer own language); issue bar"
# German names in ASCII write ä, ö, ü, ß as ae, oe, ue, ss (ICAO Doc 9303 machine-readable zone,
# DIN 5007-2); dropping the letter or the dots misspells the name.
TRANSLIT_MIN = 0.99
TRANSLIT_SOURCE = "ICAO Doc 9303 / DIN 5007-2: ä->ae, ö->oe, ü->ue, ß->ss"
ROMAJI_MIN = 0.9  # issue target: a Japanese customer's address is ASCII, usually their romanised name
ROMAJI_SOURCE = "Hepburn romanisation (Faker ja_JP pairs); issue target"
# One national written form, landlines and mobiles may differ (Australia: (02) 1234 5678, 0412 345 678):
# ITU-T E.164 national numbering plans + the "one phone format". Faker's en_US numbers show 11.
PHONE_MASKS_MAX = 2.0
PHONE_SOURCE = "ITU-T E.164 national format; issue target"
EXTENSIONS_MAX = 0.0  # consumers give personal numbers, which have no extensions: issue target
PLACES_MIN = 0.99  # the engine's reference data (tools/world/data/places): a real place agrees with it
PLACES_SOURCE = "tools/world/data/places reference data"
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
EXTENSION = re.compile(r"(x|ext\.?|#)\s*\d+\s*$", re.IGNORECASE)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]", "", plain)


def _local(email: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(email or "").split("@")[0].casefold())


def german_email_ok(row: Row) -> bool | None:
    """True when every umlaut name in the e-mail is written ae/oe/ue/ss; None when the row has no such
    name or its e-mail does not use it."""
    local, verdicts = _local(row.get("email")), []
    for part in re.split(r"[\s\-']+", f"{row.get('first_name') or ''} {row.get('last_name') or ''}"):
        if not re.search("[äöüßÄÖÜ]", part):
            continue
        if _ascii(part.translate(UMLAUTS)) in local:
            verdicts.append(True)
        elif _ascii(part) in local or _ascii(re.sub("[äöüßÄÖÜ]", "", part)) in local:
            verdicts.append(False)
    return all(verdicts) if verdicts else None


@cache
def _romaji() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for kanji, _kana, roman in JaPerson.last_name_pairs:
        out.setdefault(kanji, set()).add(roman.casefold())
    return out


def japanese_email_ok(row: Row) -> bool | None:
    names = _romaji().get(str(row.get("last_name") or ""))
    return None if not names else any(n in _local(row.get("email")) for n in names)


def _mask(phone: str) -> str:
    """The written form of a number: its separators and brackets, each run of digits as one 9. Group
    lengths vary within one national format (Japan's area codes have 1 to 4 digits: 03-1234-5678,
    045-123-4567), separators and an extension do not."""
    return re.sub(r"\d+", "9", phone.strip())


@cache
def _places() -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """country -> region (code and name, folded) -> city (folded) -> postcode prefixes."""
    out: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    for path in sorted(PLACES_DIR.glob("*.yaml")) if PLACES_DIR.is_dir() else []:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        country = out.setdefault(str(doc.get("country") or path.stem).upper(), {})
        for region in doc.get("regions") or []:
            cities = {
                str(c["name"]).casefold(): tuple(_postcode(p) for p in c.get("postcodes") or ())
                for c in region.get("cities") or []
            }
            for key in (region.get("code"), region.get("name")):
                if key:
                    country.setdefault(str(key).casefold(), {}).update(cities)
    return out


def _postcode(value: Any) -> str:
    return re.sub(r"[\s-]", "", str(value)).upper()


def _place_ok(address: Any, regions: dict[str, dict[str, tuple[str, ...]]]) -> bool | None:
    if not isinstance(address, dict):
        return None
    cities = regions.get(str(address.get("state") or "").casefold())
    prefixes = (cities or {}).get(str(address.get("city") or "").casefold())
    zip_code = _postcode(address.get("zip") or "")
    return prefixes is not None and any(zip_code.startswith(p) for p in prefixes)


def locale_checks(sample: Sample) -> list[Check]:
    out: list[Check] = []
    coherence = partial(Check, "locale_coherence")
    for loc in LOCALES:
        fam = sample.families[loc]
        customers, lang, scope = fam.get("customer", []), loc.split("_")[0], f"customer/{loc}"
        langs = [
            str(c["preferred_language"]).replace("_", "-").casefold().startswith(lang)
            if c.get("preferred_language")
            else None
            for c in customers
        ]
        phones = [str(c["phone"]) for c in customers if c.get("phone")]
        masks = float(len({_mask(p) for p in phones})) if phones else None
        extensions = share(bool(EXTENSION.search(p)) for p in phones)
        out += [
            coherence("preferred_language", scope, share(langs), at_least(LANGUAGE_MIN), LANGUAGE_SOURCE),
            coherence("phone_masks", scope, masks, at_most(PHONE_MASKS_MAX), PHONE_SOURCE),
            coherence("phone_extensions", scope, extensions, at_most(EXTENSIONS_MAX), "issue target"),
        ]
        if loc == "de_DE":
            translit = share(german_email_ok(c) for c in customers)
            out.append(
                coherence("email_transliteration", scope, translit, at_least(TRANSLIT_MIN), TRANSLIT_SOURCE)
            )
        if loc == "ja_JP":
            romaji = share(japanese_email_ok(c) for c in customers)
            out.append(coherence("email_romanised_name", scope, romaji, at_least(ROMAJI_MIN), ROMAJI_SOURCE))
        regions = _places().get(loc.split("_")[1])
        addresses = [o.get(k) for o in fam.get("order", []) for k in ("shipping_address", "billing_address")]
        agree = share(_place_ok(a, regions) for a in addresses) if regions else None
        missing = "" if regions else "no tools/world/data/places file for this country yet"
        places = at_least(PLACES_MIN)
        out.append(coherence("address_parts_agree", f"order/{loc}", agree, places, PLACES_SOURCE, missing))
    return out
