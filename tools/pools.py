"""Seeded value pools: realistic values made once per process by Faker, then sampled by the engine.

Faker's providers are slow (about 2,000 name+email+address records/s) and their output depends on the
call sequence. Drawing every value from fixed pools, built by a Faker seeded with a constant, keeps
generation fast and makes rows depend only on the request seed: same seed, same bytes, any process.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from faker import Faker
from faker.config import AVAILABLE_LOCALES

from tools.errors import InvalidRequest, close_names, quoted
from tools.world.people import email_slug
from tools.world.phones import phone_pool

POOL_SIZE = 1000
_POOL_SEED = 20250101  # a constant: pools must be identical in every process

Maker = Callable[[Faker], Any]


@cache
def _user_agents() -> tuple[str, ...]:
    # Faker's user agents are a decade old (Presto, iOS 4); real traffic today looks like these.
    lines = (Path(__file__).parent / "data" / "user_agents.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if line and not line.startswith("#"))


# A source name -> how one value is made. Each pool holds POOL_SIZE values of it.
SOURCES: dict[str, Maker] = {
    "first_name": lambda f: f.first_name(),
    "last_name": lambda f: f.last_name(),
    "full_name": lambda f: f.name(),
    "username": lambda f: f.user_name(),
    "company": lambda f: f.company(),
    "job": lambda f: f.job(),
    "phone": lambda f: f.phone_number(),
    "street_address": lambda f: f.street_address(),
    "city": lambda f: f.city(),
    "state": lambda f: _state(f),
    "zip": lambda f: f.postcode(),
    "email_domain": lambda f: f.free_email_domain(),
    "domain": lambda f: f.domain_name(),
    "url": lambda f: f.url(),
    "hostname": lambda f: f.hostname(),
    "ipv4": lambda f: f.ipv4_public(),
    "ipv6": lambda f: f.ipv6(),
    "user_agent": lambda f: f.random_element(_user_agents()),
    "word": lambda f: f.word(),
    "sentence": lambda f: f.sentence(nb_words=10),
    "paragraph": lambda f: f.paragraph(nb_sentences=4),
    "color": lambda f: f.color_name(),
    "timezone": lambda f: f.timezone(),
    "catch_phrase": lambda f: f.catch_phrase(),
}

# Whole addresses are drawn as one tuple so street, city, state and zip agree with each other.
ADDRESS_KEYS = ("street", "city", "state", "zip", "country")

CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SEK", "MXN", "BRL", "INR", "CNY")
CURRENCY_WEIGHTS = (40, 18, 10, 6, 5, 5, 3, 2, 3, 3, 3, 2)
LANGUAGES = ("en-US", "es-US", "en-GB", "fr-FR", "de-DE", "es-ES", "pt-BR", "ja-JP", "zh-CN", "it-IT")


def _state(fake: Faker) -> str:
    # Only the 50 states and DC: territories and freely associated states confuse address checks.
    if hasattr(fake, "state_abbr"):
        try:
            return str(fake.state_abbr(include_territories=False, include_freely_associated_states=False))
        except TypeError:
            return str(fake.state_abbr())
    return str(fake.administrative_unit())


def check_locale(locale: str) -> str:
    name = (locale or "en_US").replace("-", "_")
    if name not in AVAILABLE_LOCALES:
        close = close_names(name, list(AVAILABLE_LOCALES), cutoff=0.6)
        fix = f"use one of {', '.join(close)}" if close else "use a Faker locale such as en_US or de_DE"
        raise InvalidRequest("locale", f"unknown locale {quoted(locale)}", fix)
    return name


@cache
def _faker(locale: str) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(_POOL_SEED)
    return fake


def known_source(name: str) -> bool:
    return name in SOURCES or name in {
        "email", "address", "country_code", "currency_code", "language", "phone_e164"
    }  # fmt: skip


@cache
def pool(locale: str, source: str) -> tuple[Any, ...]:
    """POOL_SIZE values of `source` for `locale`, identical in every process."""
    if source == "address":
        return _address_pool(locale)
    if source == "country_code":
        return _country_pool(locale)
    if source in ("phone", "phone_e164"):
        # The world's numbering plans where it has them: one format per country, E.164 on request.
        numbers = phone_pool(locale, international=source == "phone_e164")
        if numbers is not None:
            return numbers
        if source == "phone_e164":  # Faker's numbers are national: no E.164 to give honestly
            raise InvalidRequest(
                "source", f"phone_e164 needs a locale with world data; {locale} has none",
                "use source phone (the locale's own format), or a locale such as en_US, de_DE, ja_JP",
            )  # fmt: skip
    maker = SOURCES[source]
    fake = Faker(locale)
    # A fresh instance per pool, seeded from the pool's name, so pools do not depend on build order.
    fake.seed_instance(f"{_POOL_SEED}:{source}")
    try:
        return tuple(maker(fake) for _ in range(POOL_SIZE))
    except (AttributeError, TypeError) as exc:
        raise _unsupported(locale, source, exc) from None


def _unsupported(locale: str, source: str, exc: Exception) -> InvalidRequest:
    # Some Faker locales lack a provider (addresses in he_IL, say): say so instead of failing.
    return InvalidRequest(
        "locale", f"{locale} has no {source} data ({type(exc).__name__})", "use en_US or another locale"
    )


def _address_pool(locale: str) -> tuple[tuple[str, ...], ...]:
    try:
        return _make_address_pool(locale)
    except (AttributeError, TypeError) as exc:
        raise _unsupported(locale, "address", exc) from None


def _make_address_pool(locale: str) -> tuple[tuple[str, ...], ...]:
    fake = Faker(locale)
    fake.seed_instance(f"{_POOL_SEED}:address")
    country = locale_country(locale)
    out = []
    for _ in range(POOL_SIZE):
        state = _state(fake)
        try:
            zip_code = fake.zipcode_in_state(state)
        except (AttributeError, ValueError):
            zip_code = fake.postcode()
        out.append((fake.street_address(), fake.city(), state, zip_code, country))
    return tuple(out)


def _country_pool(locale: str) -> tuple[str, ...]:
    # Real traffic is mostly domestic: 7 in 10 values are the locale's own country.
    fake = Faker(locale)
    fake.seed_instance(f"{_POOL_SEED}:country")
    home = locale_country(locale)
    return tuple(home if i % 10 < 7 else fake.country_code() for i in range(POOL_SIZE))


def locale_country(locale: str) -> str:
    return locale.split("_")[-1] if "_" in locale else "US"


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only, for e-mail local parts made from names (transliterated)."""
    return email_slug(text)
