"""The world model's pieces on their own: places agree, people own their addresses, numbers have one
format per country, names reach e-mails transliterated, tax follows the jurisdiction."""

from __future__ import annotations

import re

import pytest

from tools.world.addresses import SHIP_TO_BILLING, address_chooser, one_line
from tools.world.money import tax_problem, tax_rate_chooser
from tools.world.people import email_slug
from tools.world.phones import phone_pool
from tools.world.places import countries, country_of_locale
from tools.world.tax import plausible, rate_for

LOCALES = ["en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "ja_JP"]
HOME = {"en_US": "US", "en_GB": "GB", "en_CA": "CA", "en_AU": "AU", "de_DE": "DE", "fr_FR": "FR",
        "es_ES": "ES", "it_IT": "IT", "nl_NL": "NL", "ja_JP": "JP"}  # fmt: skip
POSTCODE = {
    "US": r"\d{5}", "GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}", "CA": r"[A-Z]\d[A-Z] \d[A-Z]\d",
    "AU": r"\d{4}", "DE": r"\d{5}", "FR": r"\d{5}", "ES": r"\d{5}", "IT": r"\d{5}",
    "NL": r"\d{4} [A-Z]{2}", "JP": r"\d{3}-\d{4}",
}  # fmt: skip


@pytest.mark.parametrize("locale", LOCALES)
def test_every_locale_has_a_country_whose_addresses_agree(locale: str) -> None:
    country = country_of_locale(locale)
    assert country is not None and country.code == HOME[locale]
    choose = address_chooser("address", locale, "1/user")
    assert choose is not None
    for i in range(300):
        street, city, state, zip_code, code = choose(None, i / 300)
        region = country.region_named(state)
        assert code == country.code and region is not None, (state, locale)
        assert state == (region.code if country.region_field == "code" else region.name)
        named = [c for c in region.cities if c.name == city]
        assert named, f"{city} is not a city of {region.name}"
        assert any(zip_code.startswith(p) for p in named[0].postcodes), (city, zip_code)
        assert re.fullmatch(POSTCODE[country.code], zip_code), zip_code
        assert street and city in one_line(country, (street, city, state, zip_code, code))


def test_regions_are_drawn_by_population() -> None:
    us = countries()["US"]
    choose = address_chooser("address", "en_US", "2/user")
    assert choose is not None
    states = [choose(None, i / 4000)[2] for i in range(4000)]
    total = sum(r.population for r in us.regions)
    for code in ("CA", "TX", "WY"):
        share = next(r.population for r in us.regions if r.code == code) / total
        assert abs(states.count(code) / 4000 - share) < 0.02 + share / 3


def test_a_person_owns_their_addresses() -> None:
    bill = address_chooser("billing_address", "de_DE", "3/order")
    ship = address_chooser("shipping_address", "de_DE", "3/order")
    assert bill is not None and ship is not None
    people = [f"USR-{i:07d}" for i in range(1000)]
    homes = [bill(p, 0.5) for p in people]
    assert len(set(homes)) == 1000  # nobody shares a home with a stranger
    assert all(bill(p, 0.9) == h for p, h in zip(people, homes, strict=True))  # one billing address each
    shipped = [ship(p, i / 1000) for i, p in enumerate(people)]
    same = sum(s == h for s, h in zip(shipped, homes, strict=True)) / 1000
    assert abs(same - SHIP_TO_BILLING) < 0.01
    seconds = {ship(p, 0.99) for p in people[:50]}  # a second address of their own, the same each time
    assert seconds == {ship(p, 0.95) for p in people[:50]} and not seconds & set(homes)


@pytest.mark.parametrize("locale", LOCALES)
def test_phones_have_one_format_per_country(locale: str) -> None:
    national = phone_pool(locale, international=False)
    e164 = phone_pool(locale, international=True)
    assert national is not None and e164 is not None
    code = country_of_locale(locale).phone["calling_code"]  # type: ignore[union-attr]
    assert all(re.fullmatch(rf"\+{code}\d{{6,13}}", n) for n in e164)
    assert not any("x" in n or "ext" in n for n in national)
    masks = {re.sub(r"\d", "9", n) for n in national}
    assert len(masks) <= 6, masks  # mobile and a few area-code lengths, never Faker's 22 shapes
    digits = [re.sub(r"\D", "", n) for n in national]
    assert all(e.endswith(d.lstrip("0")[-6:]) for e, d in zip(e164, digits, strict=True))


def test_names_are_transliterated_not_dropped() -> None:
    assert email_slug("Weiß") == "weiss" and email_slug("Müller") == "mueller"
    assert email_slug("Björk") == "bjoerk" and email_slug("José") == "jose"
    assert email_slug("佐藤") == "sato"  # romanised, not empty
    assert email_slug("O'Brien-Smith") == "obriensmith"


def test_tax_follows_the_jurisdiction() -> None:
    us, de, ca, jp = (countries()[c] for c in ("US", "DE", "CA", "JP"))
    texas = us.region_named("TX")
    assert texas is not None and plausible(0.0825, us, texas)  # Houston's 6.25% + 2%
    assert not plausible(0.19, us, texas)
    assert rate_for(de, None) == 0.19 and plausible(0.07, de, None) and not plausible(0.08, de, None)
    assert rate_for(jp, None) == 0.10
    ontario, quebec = ca.region_named("ON"), ca.region_named("QC")
    assert rate_for(ca, ontario) == 0.13 and rate_for(ca, quebec) == pytest.approx(0.14975)
    oregon = us.region_named("OR")
    assert rate_for(us, oregon) == 0.0
    choose = tax_rate_chooser("en_US")
    rates = {choose({}, i / 500) for i in range(500)}
    assert len(rates) > 20 and all(plausible(r, us, None) for r in rates)  # not a flat 8%


def test_a_receipt_without_a_rate_is_judged_by_its_amounts() -> None:
    real_cart = {"subtotal": 318.98, "tax": 26.32, "currency": "USD"}  # 8.25% in Texas
    assert tax_problem(real_cart, "tax_rate") is None
    german = {
        "subtotal": 100.0, "tax": 19.0, "currency": "EUR",
        "shipping_address": {"country": "DE", "state": "Bayern"},
    }  # fmt: skip
    assert tax_problem(german, "tax_rate") is None
    wrong = dict(german, tax=8.0)
    field, message = tax_problem(wrong, "tax_rate") or ("", "")
    assert field == "tax" and "8%" in message and "19%" in message


def test_an_example_with_a_list_for_its_currency_is_rejected_not_a_crash() -> None:
    from retrieval.examples import Example
    from retrieval.validate_examples import check_example
    from tools.registry import default_registry

    example = Example(domain="ecommerce", entity="cart", kind="pattern", data=[{"currency": ["JPY"]}])
    reasons = check_example(example, default_registry())
    assert reasons and all(isinstance(r, str) for r in reasons)


def test_imitating_a_receipt_keeps_its_tax_rate() -> None:
    import random

    from tools.imitation import Imitator
    from tools.registry import default_registry

    schema = default_registry().get("order")
    rate = next(f for f in schema.fields if f.name == "tax_rate")
    amount = next(f for f in default_registry().get("payment").fields if f.name == "amount")
    imitator = Imitator(schema, random.Random(1).random)
    assert {imitator._perturb(rate, 0.19) for _ in range(50)} == {0.19}  # the jurisdiction's, unchanged
    assert len({imitator._perturb(amount, 40.0) for _ in range(50)}) > 1  # other amounts still vary


def test_french_canadians_read_french_and_live_in_quebec() -> None:
    canada = country_of_locale("fr_CA")
    assert canada is not None and canada.language == "fr-CA" and [r.code for r in canada.regions] == ["QC"]
    choose = address_chooser("billing_address", "fr_CA", "4/order")
    assert choose is not None and {choose(f"USR-{i}", 0.5)[2] for i in range(50)} == {"QC"}
    assert tax_rate_chooser("fr_CA")({}, 0.3) == pytest.approx(0.14975)  # GST + QST
    assert len(country_of_locale("en_CA").regions) == 13  # en_CA keeps every province  # type: ignore[union-attr]
