"""JSON Schemas with $defs, allOf and nullable alternatives, and an OpenAPI document of our own, sent
as custom_schema: rows keep every constraint; what has no one shape is refused with each place named."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from agent.request import DataRequest
from tests.helpers import rows_for
from tools.errors import InvalidRequest

PERSON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "person",
    "$defs": {
        "email": {"type": "string", "format": "email"},
        "named": {"type": "object", "properties": {"first_name": {"type": "string", "maxLength": 30}},
                  "required": ["first_name"]},
        "tier": {"anyOf": [{"const": "bronze"}, {"const": "silver"}, {"const": "gold"}]},
    },
    "allOf": [{"$ref": "#/$defs/named"}],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "email": {"$ref": "#/$defs/email"},
        "age": {"type": "integer", "exclusiveMinimum": 17, "maximum": 99},
        "tier": {"$ref": "#/$defs/tier"},
        "nickname": {"oneOf": [{"type": "null"}, {"type": "string", "maxLength": 12}]},
        "manager": {"$ref": "#"},
    },
    "required": ["id", "email", "age", "tier"],
}  # fmt: skip

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "shop", "version": "1"},
    "paths": {},
    "components": {"schemas": {
        "Money": {"type": "number", "minimum": 0.5, "maximum": 900},
        "Line": {"type": "object", "required": ["sku", "qty"], "properties": {
            "sku": {"type": "string", "pattern": "^SKU-[0-9]{6}$"},
            "qty": {"type": "integer", "minimum": 1, "maximum": 5}}},
        "Order": {"type": "object", "required": ["order_id", "lines", "total", "status"], "properties": {
            "order_id": {"type": "string", "format": "uuid"},
            "status": {"type": "string", "enum": ["placed", "paid", "shipped"]},
            "total": {"$ref": "#/components/schemas/Money"},
            "note": {"type": "string", "nullable": True, "maxLength": 80},
            "lines": {"type": "array", "minItems": 1, "maxItems": 4,
                      "items": {"$ref": "#/components/schemas/Line"}}}},
    }},
}  # fmt: skip


def _rows(doc: dict[str, Any], entity: str = "", count: int = 120) -> list[dict[str, Any]]:
    return rows_for(DataRequest(entity=entity, custom_schema=json.dumps(doc), count=count, seed=4))


def test_refs_allof_and_nullable_alternatives_generate_rows_that_keep_them() -> None:
    rows = _rows(PERSON)
    assert {"id", "email", "age", "tier", "first_name", "nickname"} <= set(rows[0])
    # An optional $ref to the whole schema is followed once, then stops: a manager has no manager.
    managers = [r["manager"] for r in rows if r.get("manager")]
    assert managers and all("email" in m and "manager" not in m for m in managers)
    assert all(18 <= r["age"] <= 99 and r["tier"] in ("bronze", "silver", "gold") for r in rows)
    assert all("@" in r["email"] and len(r["first_name"]) <= 30 for r in rows)
    nicknames = [r["nickname"] for r in rows]
    assert None in nicknames and any(isinstance(n, str) and len(n) <= 12 for n in nicknames)


def test_an_openapi_document_generates_the_schema_the_entity_names() -> None:
    rows = _rows(OPENAPI, entity="Order")
    assert all(0.5 <= r["total"] <= 900 and r["status"] in ("placed", "paid", "shipped") for r in rows)
    lines = [line for r in rows for line in r["lines"]]
    assert lines and all(re.fullmatch(r"SKU-\d{6}", ln["sku"]) and 1 <= ln["qty"] <= 5 for ln in lines)
    assert any(r["note"] is None for r in rows)
    with pytest.raises(InvalidRequest, match=r"has no schema named 'Invoice'.*'Line', 'Money', 'Order'"):
        _rows(OPENAPI, entity="Invoice")


def test_what_has_no_one_shape_is_refused_with_every_place_named() -> None:
    doc = {
        "properties": {
            "pay": {"oneOf": [{"type": "object", "properties": {"card": {"type": "string"}}},
                              {"type": "object", "properties": {"iban": {"type": "string"}}}]},
            "owner": {"$ref": "https://example.com/person.json"},
            "boss": {"$ref": "#/$defs/missing"},
        }
    }  # fmt: skip
    with pytest.raises(InvalidRequest) as info:
        _rows(doc)
    message = str(info.value)
    assert "#/properties/pay/oneOf: 2 different shapes" in message
    assert "$ref 'https://example.com/person.json' is not in this document" in message
    assert "$ref '#/$defs/missing' points at nothing" in message
