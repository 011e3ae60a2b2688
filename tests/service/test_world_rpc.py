"""The world model over the wire: real receipts pass AddExamples, wrong taxes are refused with the
rates that apply, and every locale's rows agree with themselves."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live, live_service, make_settings
from tools.world.places import country_of_locale

pytestmark = pytest.mark.asyncio(loop_scope="module")

# A receipt from a Texas shop (6.25% state + 2% city): no tax_rate field, items keyed by sku only.
TEXAS_CART = {
    "cart_id": "CRT-2025-TX82500", "customer_id": "USR-5550123",
    "items": [
        {"sku": "FIT-7Q2K9D", "name": "Adjustable Dumbbell Set", "quantity": 1, "price": 249.0,
         "category": "Sports & Fitness"},
        {"sku": "FIT-3M8XTA", "name": "Non-Slip Yoga Mat 6mm", "quantity": 2, "price": 34.99,
         "category": "Sports & Fitness"},
    ],
    "subtotal": 318.98, "tax": 26.32, "total": 345.3, "currency": "USD",
    "created_at": "2025-03-14T09:26:53Z", "updated_at": "2025-03-14T09:41:10Z",
}  # fmt: skip
# A German order: 19% VAT on the net subtotal, shipped within Bavaria.
MUNICH = {"street": "Leopoldstraße 12", "city": "München", "state": "Bayern", "zip": "80802", "country": "DE"}
GERMAN_ORDER = {
    "order_id": "ORD-2025-DE19VAT1", "customer_id": "USR-4920001",
    "items": [{"product_id": "PRD-761776", "sku": "KIT-BTJ3K4",
               "name": "5.5 Qt Enameled Cast Iron Dutch Oven", "quantity": 1, "price": 84.03}],
    "shipping_address": MUNICH, "billing_address": MUNICH,
    "payment_method": "paypal", "status": "delivered",
    "subtotal": 84.03, "tax": 15.97, "shipping": 0.0, "total": 100.0, "currency": "EUR",
    "created_at": "2025-05-02T10:11:12Z", "shipped_at": "2025-05-03T08:00:00Z",
    "delivered_at": "2025-05-05T12:30:00Z", "updated_at": "2025-05-05T12:30:00Z",
}  # fmt: skip


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings()):
        yield item


def _example(entity: str, record: dict) -> pb.Example:
    return pb.Example(entity=entity, kind="pattern", data=json.dumps([record]))


async def test_real_receipts_pass_and_a_wrong_tax_is_refused_with_the_rates_that_apply(live: Live) -> None:
    wrong = dict(GERMAN_ORDER, tax=6.72, total=90.75)  # 8% in Bavaria: a US-style rate
    yen = dict(TEXAS_CART, items=[dict(TEXAS_CART["items"][0], quantity=1, price=37980.0)])
    yen.update(subtotal=37980.0, tax=3798.0, total=41778.0, currency="JPY")  # 10%, whole yen, > 2,500
    examples = [_example("cart", TEXAS_CART), _example("order", GERMAN_ORDER), _example("cart", yen)]
    response = await live.stub.AddExamples(
        pb.AddExamplesRequest(examples=[*examples, _example("order", wrong)])
    )
    assert response.added == 3, list(response.rejected)
    (reason,) = response.rejected
    assert reason.startswith("examples[3]: data[0].tax:") and "[tax]" in reason
    assert "8%" in reason and "19%" in reason and "Bayern" in reason


@pytest.mark.parametrize("locale", ["en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "it_IT",
                                    "nl_NL", "ja_JP"])  # fmt: skip
async def test_each_locale_prices_taxes_and_ships_in_its_own_country(live: Live, locale: str) -> None:
    country = country_of_locale(locale)
    assert country is not None
    response = await live.stub.GenerateData(
        pb.GenerateRequest(domain="ecommerce", entity="order", count=40, seed=11, locale=locale)
    )
    rows = json.loads(response.data)
    assert {r["currency"] for r in rows} == {country.currency}
    assert {r["prices_include_tax"] for r in rows} == {country.prices_include_tax}
    assert {r["shipping_address"]["country"] for r in rows} == {country.code}
    for r in rows:
        assert r["tax"] == round(r["subtotal"] * r["tax_rate"], 0 if country.currency == "JPY" else 2)
        assert r["billing_address"]["country"] == country.code
    shared = sum(r["shipping_address"] == r["billing_address"] for r in rows) / len(rows)
    assert 0.55 <= shared <= 0.95  # most orders ship to the billing address (78% by design)
    customers = json.loads(
        (await live.stub.GenerateData(
            pb.GenerateRequest(domain="ecommerce", entity="customer", count=30, seed=11, locale=locale)
        )).data
    )  # fmt: skip
    assert {c["preferred_language"] for c in customers} == {country.language}
    assert all(c["email"].isascii() and c["email"].split("@")[0][:1].isalpha() for c in customers)


async def test_a_locale_without_world_data_still_works_and_says_coherence_is_limited(live: Live) -> None:
    response = await live.stub.GenerateData(
        pb.GenerateRequest(domain="ecommerce", entity="order", count=20, seed=3, locale="pt_BR")
    )
    assert response.success and len(json.loads(response.data)) == 20
    reason = response.metadata.fallback_reason
    assert "pt_BR has no world data" in reason and "de_DE" in reason
    plain = await live.stub.GenerateData(
        pb.GenerateRequest(domain="ecommerce", entity="order", count=5, seed=3, locale="de_DE")
    )
    assert "world data" not in plain.metadata.fallback_reason
