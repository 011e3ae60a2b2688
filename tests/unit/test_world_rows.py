"""Rows drawn from the world model agree with it for any seed and every covered locale, on both
makers; a tax_rate bound picks the jurisdictions that charge it."""

from __future__ import annotations

import re
import statistics

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.request import DataRequest, FieldConstraint, ScenarioRequest
from tests.helpers import rows_for
from tools.catalogue import load_catalogue
from tools.errors import InvalidRequest
from tools.registry import default_registry
from tools.validator import validate_rows
from tools.world.magnitudes import in_currency
from tools.world.money import tax_problem
from tools.world.people import email_slug
from tools.world.places import country_of_locale
from tools.world.prices import DIGITS
from tools.world.tax import plausible

LOCALES = ["en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "ja_JP"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _plain(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]


@SETTINGS
@given(st.sampled_from(LOCALES), st.integers(0, 2**63 - 1), st.sampled_from([20, 300]))
def test_orders_agree_with_their_country(locale: str, seed: int, count: int) -> None:
    # 20 rows come from the row maker, 300 mostly from the column maker: both must hold.
    country = country_of_locale(locale)
    assert country is not None
    rows = _plain(rows_for(DataRequest(entity="order", count=count, seed=seed, locale=locale)))
    schema = in_currency(default_registry().get("order"), country.currency, rows_are=True)  # yen: in yen
    assert validate_rows(schema, rows) == []
    digits = DIGITS.get(country.currency, 2)
    for r in rows:
        assert r["currency"] == country.currency and r["prices_include_tax"] is country.prices_include_tax
        for address in (r["shipping_address"], r["billing_address"]):
            region = country.region_named(address["state"])
            assert address["country"] == country.code and region is not None
            city = next(c for c in region.cities if c.name == address["city"])
            assert any(address["zip"].startswith(p) for p in city.postcodes)
        ship = country.region_named(r["shipping_address"]["state"])
        assert plausible(r["tax_rate"], country, ship)
        assert r["tax"] == round(r["subtotal"] * r["tax_rate"], digits)


@SETTINGS
@given(st.sampled_from(LOCALES), st.integers(0, 2**63 - 1))
def test_customers_speak_their_language_and_mail_from_their_names(locale: str, seed: int) -> None:
    country = country_of_locale(locale)
    assert country is not None
    rows = _plain(rows_for(DataRequest(entity="customer", count=60, seed=seed, locale=locale)))
    for c in rows:
        assert c["preferred_language"] == country.language
        local = c["email"].split("@")[0]
        assert local.isascii()
        assert email_slug(c["last_name"]) in local or email_slug(c["first_name"]) in local
        if c["phone"] is not None:
            assert "x" not in c["phone"]


def test_yen_rows_list_yen_price_points_in_whole_yen() -> None:
    for count in (12, 600):  # the row maker, then the column maker
        rows = rows_for(DataRequest(entity="cart", count=count, seed=6, locale="ja_JP"))
        items = [i for r in rows for i in r["items"]]
        assert all(i["price"] == int(i["price"]) and int(i["price"]) % 100 == 80 for i in items)  # ¥4,980
        assert all(r["tax"] == int(r["tax"]) and r["total"] == r["subtotal"] + r["tax"] for r in rows)
        assert 1000 < statistics.median(r["subtotal"] for r in rows) < 60000  # yen, not dollars


def test_a_tax_rate_bound_picks_the_jurisdictions_that_charge_it() -> None:
    request = DataRequest(
        entity="cart", count=200, seed=4, constraints={"tax_rate": FieldConstraint(min=0, max=0)}
    )
    rows = rows_for(request)
    assert {r["tax_rate"] for r in rows} == {0.0} and all(r["tax"] == 0 for r in rows)  # Oregon, Montana...
    with pytest.raises(InvalidRequest) as refused:
        rows_for(
            DataRequest(
                entity="cart",
                count=5,
                seed=4,
                locale="de_DE",
                constraints={"tax_rate": FieldConstraint(min=0.1, max=0.15)},
            )
        )
    assert refused.value.field == "tax_rate" and "19%" in refused.value.message


def test_a_null_rate_override_is_refused_naming_what_needs_it() -> None:
    old = ScenarioRequest(name="old", count=5, overrides={"tax_rate": "null"})
    with pytest.raises(InvalidRequest) as refused:
        rows_for(DataRequest(entity="cart", count=5, seed=1, scenarios=[old]))
    assert "overrides[tax_rate]" in refused.value.field and "computed from it" in refused.value.message


@pytest.mark.parametrize("count", [16, 1200])  # the row maker, then the column maker
def test_a_basket_of_books_or_food_carries_the_reduced_rate(count: int) -> None:
    reduced = {"Books", "Grocery & Gourmet Food"}
    category = {p.id: p.category for t in load_catalogue() for p in t.products}
    for locale, low, standard in (("de_DE", 0.07, 0.19), ("en_GB", 0.0, 0.2), ("fr_FR", 0.055, 0.2)):
        request = DataRequest(
            entity="order", count=count, seed=7, locale=locale, context="books and groceries"
        )
        rows = rows_for(request)
        for r in rows:
            lines = {category[i["product_id"]] for i in r["items"]}
            if (
                lines <= {"Books"}
                or lines <= {"Grocery & Gourmet Food"}
                or (lines <= reduced and low in (0.07, 0.0, 0.055))
            ):
                assert r["tax_rate"] == low, (locale, lines, r["tax_rate"])
            else:
                assert r["tax_rate"] == standard, (locale, lines, r["tax_rate"])
        assert {r["tax_rate"] for r in rows} == {low, standard}


def test_review_regressions_of_locale_and_imitation() -> None:
    # An enum constraint on currency keeps its mix (the locale used to pin it to its own).
    mix = {"currency": FieldConstraint(enum_values=["USD", "EUR", "GBP"])}
    rows = rows_for(DataRequest(entity="cart", count=300, seed=1, constraints=mix))
    assert {r["currency"] for r in rows} == {"USD", "EUR", "GBP"}
    assert all(tax_problem(r, "tax_rate") is None for r in rows)  # each taxed where it is paid
    # Australian mobiles are written 04xx xxx xxx, landlines (0x) xxxx xxxx.
    phones = [c["phone"] for c in rows_for(DataRequest(entity="customer", count=200, seed=2, locale="en_AU"))]
    assert all(re.fullmatch(r"04\d\d \d{3} \d{3}|\(0\d\) \d{4} \d{4}", p) for p in phones if p)
    assert any(p.startswith("04") for p in phones if p)
