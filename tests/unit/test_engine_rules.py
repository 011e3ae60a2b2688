"""The engine keeps every rule by construction: the cart story from the issue, end to end."""

from __future__ import annotations

import re

from agent.request import DataRequest, ScenarioRequest
from tests.helpers import json_rows, rows_for
from tools.catalogue import load_catalogue
from tools.constraints import FieldConstraint
from tools.registry import default_registry
from tools.validator import validate_rows


def test_two_hundred_carts_add_up_and_keep_the_requested_price_range() -> None:
    request = DataRequest(
        entity="cart",
        count=200,
        seed=2025,
        constraints={"items[].price": FieldConstraint(min=5, max=80)},
    )
    rows = json_rows(request)
    assert len(rows) == 200
    for row in rows:
        subtotal = round(sum(i["quantity"] * i["price"] for i in row["items"]), 2)
        assert row["subtotal"] == subtotal
        assert row["tax"] == round(subtotal * row["tax_rate"], 2)
        assert row["currency"] == "USD" and row["prices_include_tax"] is False
        assert row["total"] == round(row["subtotal"] + row["tax"], 2)
        assert row["updated_at"] >= row["created_at"]
        assert all(5 <= i["price"] <= 80 for i in row["items"])
        assert re.fullmatch(
            rf"CRT-{row['created_at'][:4]}-[A-Z0-9]{{7}}", row["cart_id"]
        )  # the cart's own year
        assert re.fullmatch(r"USR-\d{7}", row["customer_id"])
    assert len({r["cart_id"] for r in rows}) == 200
    assert len({r["tax_rate"] for r in rows}) > 10  # states' rates, not one flat 8%
    assert validate_rows(default_registry().get("cart"), rows) == []


def test_cart_items_come_from_a_theme_and_its_affine_themes() -> None:
    themes = load_catalogue()
    near = {t.category: {t.category} | {a.category for a in themes if a.name in t.affinity} for t in themes}
    rows = rows_for(DataRequest(entity="cart", count=300, seed=3))
    mixed = 0
    for row in rows:
        cats = {i["category"] for i in row["items"]}
        assert any(cats <= allowed for allowed in near.values())  # never an unrelated category
        assert len({i["sku"] for i in row["items"]}) == len(row["items"])
        mixed += len(cats) > 1
    assert 0.05 < mixed / len(rows) < 0.4  # most baskets stay on one theme


def test_payment_card_digits_only_for_card_methods_and_timestamps_in_order() -> None:
    rows = rows_for(DataRequest(entity="payment", count=300, seed=11))
    for row in rows:
        has_card = row["method"] in ("credit_card", "debit_card")
        assert (row["card_last_four"] is not None) == has_card
        stamps = [row[k] for k in ("created_at", "authorized_at", "captured_at") if row[k] is not None]
        assert stamps == sorted(stamps)


def test_every_registry_entity_generates_valid_rows() -> None:
    registry = default_registry()
    assert len(registry.names("ecommerce")) == 36
    for name in registry.names():
        rows = rows_for(DataRequest(entity=name, count=60, seed=5))
        assert validate_rows(registry.get(name), rows) == [], name


def test_scenarios_get_their_counts_overrides_and_tags() -> None:
    request = DataRequest(
        entity="cart",
        count=10,
        seed=9,
        scenarios=[
            ScenarioRequest("happy_path", 7),
            ScenarioRequest("high_value", 2),
            ScenarioRequest("single_item", 1, overrides={"items": "1", "currency": "EUR"}),
        ],
    )
    rows = json_rows(request)
    assert [r["_scenario"] for r in rows] == ["happy_path"] * 7 + ["high_value"] * 2 + ["single_item"]
    assert [r["_index"] for r in rows] == list(range(10))
    single = rows[-1]
    assert len(single["items"]) == 1 and single["currency"] == "EUR"


def test_typed_override_of_an_item_field_applies_to_every_item() -> None:
    request = DataRequest(
        entity="cart",
        count=5,
        seed=1,
        scenarios=[ScenarioRequest("bulk", 5, overrides={"items[].quantity": "5"})],
    )
    rows = rows_for(request)
    assert all(i["quantity"] == 5 for r in rows for i in r["items"])


def test_custom_schema_values_look_like_their_names() -> None:
    schema = """{"name": "lead", "fields": {
        "first_name": {"type": "string"}, "last_name": {"type": "string"},
        "email": {"type": "email"}, "age": {"type": "integer", "min": 18, "max": 99},
        "score": {"type": "float", "min": 0, "max": 1}, "plan": {"type": "enum", "values": ["free", "pro"]},
        "signed_up": {"type": "date", "min": "2024-01-01", "max": "2024-12-31"}}}"""
    rows = json_rows(DataRequest(custom_schema=schema, count=50, seed=4))
    for row in rows:
        assert row["first_name"][0].isupper() and " " not in row["first_name"]
        local = row["email"].split("@")[0]
        assert row["last_name"].lower().replace("'", "").replace(" ", "")[:3] in local or "." in local
        assert 18 <= row["age"] <= 99 and 0 <= row["score"] <= 1
        assert row["plan"] in ("free", "pro")
        assert "2024-01-01" <= row["signed_up"] <= "2024-12-31"


def test_unique_integers_and_named_formats_on_string_fields() -> None:
    schema = """{"name": "x", "fields": {"n": {"type": "integer", "min": 1, "max": 40, "unique": true},
        "contact": {"type": "string"}, "ref": {"type": "string"}, "host": {"type": "string"}}}"""
    constraints = {
        "contact": FieldConstraint(format="email"),
        "ref": FieldConstraint(format="REF-{digits:5}"),
        "host": FieldConstraint(format="ipv6"),
    }
    rows = json_rows(DataRequest(custom_schema=schema, count=40, seed=8, constraints=constraints))
    assert sorted(r["n"] for r in rows) == list(range(1, 41))
    assert all(
        "@" in r["contact"] and re.fullmatch(r"REF-\d{5}", r["ref"]) and ":" in r["host"] for r in rows
    )


def test_unique_on_a_fixed_set_of_values_is_refused() -> None:
    import pytest

    from tools.errors import InvalidRequest

    schema = '{"name": "x", "fields": {"s": {"type": "enum", "values": ["a", "b"], "unique": true}}}'
    with pytest.raises(InvalidRequest, match="unique cannot hold"):
        rows_for(DataRequest(custom_schema=schema, count=3, seed=1))


def test_an_enum_of_numbers_gives_its_numbers_on_both_makers() -> None:
    # It used to fail every row: the enum's type check wanted text whatever its values were.
    schema = '{"name": "x", "fields": {"stars": {"type": "enum", "values": [1, 2, 3, 4, 5]}}}'
    for count in (10, 3000):  # the row maker's first rows, then columns
        rows = json_rows(DataRequest(custom_schema=schema, count=count, seed=2))
        assert {r["stars"] for r in rows} <= {1, 2, 3, 4, 5} and len({r["stars"] for r in rows}) > 1
    from tools.schema import EntitySchema

    numbers = EntitySchema.model_validate(
        {"name": "x", "fields": [{"name": "stars", "type": "enum", "values": [1, 2, 3, 4, 5]}]}
    )
    assert validate_rows(numbers, [{"stars": 4}]) == []
    assert validate_rows(numbers, [{"stars": "4"}]) and validate_rows(numbers, [{"stars": 9}])
