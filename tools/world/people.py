"""People's names as they appear in e-mail addresses: transliterated, never with letters dropped.

German umlauts and ß are written out (Weiß -> weiss, Müller -> mueller), as German mail providers and
passports do; other accents lose their mark (José -> jose); Japanese names are romanised (Hepburn, as
Faker's own ja_JP name pairs give them).
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

from faker import Faker

# Letters NFKD cannot split into a base letter and a mark.
_SPELLED = str.maketrans(
    {
        "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
        "æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "œ": "oe", "Œ": "Oe", "å": "aa", "Å": "Aa",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i",
    }
)  # fmt: skip


@cache
def _romaji() -> dict[str, str]:
    """Japanese given and family names -> their Hepburn romanisation (Faker's ja_JP pairs)."""
    person = Faker("ja_JP").provider("faker.providers.person")
    pairs = list(person.first_name_pairs) + list(person.last_name_pairs.keys())  # type: ignore[attr-defined]
    return {kanji: roman for kanji, _kana, roman in pairs}


@lru_cache(maxsize=8192)  # names come from pools of a thousand: most calls are repeats
def email_slug(name: str) -> str:
    """Lower-case ASCII letters and digits of a name, for the local part of an e-mail address."""
    roman = _romaji().get(name)
    if roman is not None:
        name = roman
    folded = unicodedata.normalize("NFKD", name.translate(_SPELLED)).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())
