"""Schemas that arrive with a request: a JSON Schema document, the `{"name", "fields": {...}}` shape
other agents send, or the proto field list. Each becomes an `EntitySchema` for that request only."""

from __future__ import annotations

import re
from typing import Any

from tools.client_json import MAX_DEPTH, check_no_nul, parse_json_document
from tools.derive import check_rules
from tools.errors import InvalidRequest, quoted
from tools.imports.jsonschema import openapi_schema, resolve
from tools.registry import parse_entity
from tools.schema import EntitySchema, FieldType

MAX_FIELDS = 500
MAX_RULES = 200

# JSON Schema and common aliases -> our field types.
_TYPE_ALIASES = {
    "str": "string",
    "text": "text",
    "int": "integer",
    "number": "float",
    "double": "float",
    "decimal": "money",
    "bool": "boolean",
    "timestamp": "datetime",
    "date-time": "datetime",
    "date_time": "datetime",
    "object": "object",
    "dict": "object",
    "list": "array",
    "uri": "url",
    "ipv4": "ip",
    "ip_address": "ip",
}
_FORMAT_TYPES = {
    "email": "email",
    "date": "date",
    "date-time": "datetime",
    "uuid": "uuid",
    "uri": "url",
    "url": "url",
    "ipv4": "ip",
    "ipv6": "ip",
    "phone": "phone",
}
_KEYS = {  # custom-schema keys -> FieldSpec keys
    "pattern": "regex",
    "enum": "values",
    "minimum": "min",
    "maximum": "max",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "enum_values": "values",
}


def schema_from_document(text: str, where: str, fallback_name: str) -> EntitySchema:
    doc = parse_json_document(text, where)
    check_no_nul(doc, text, where)
    if not isinstance(doc, dict):
        raise InvalidRequest(
            where, "must be a JSON object", 'send {"name": ..., "fields": {...}} or a JSON Schema'
        )
    if "openapi" in doc:  # an OpenAPI 3 document: the schema named by the request's entity
        doc = openapi_schema(doc, fallback_name, where)
    elif "fields" not in doc:  # a JSON Schema: its references and combinations, in one shape
        doc = resolve(doc, doc, where)
    if "properties" in doc:
        fields = _from_json_schema(doc, where, 0)
    elif isinstance(doc.get("fields"), dict | list):
        fields = _normalise_fields(doc["fields"], where, 0)
    else:
        raise InvalidRequest(where, "has neither 'fields' nor 'properties'", "list the fields to generate")
    # The name becomes a table name and a path root: letters, digits and underscores only.
    raw_name = str(doc.get("name") or doc.get("title") or fallback_name or "custom").strip().lower()
    name = re.sub(r"[^a-z0-9_]+", "_", raw_name).strip("_")[:64]
    rules = doc.get("rules") or []
    if isinstance(rules, list) and len(rules) > MAX_RULES:  # each rule runs for every row
        raise InvalidRequest(f"{where}.rules", f"has {len(rules):,} rules; at most {MAX_RULES}", "merge some")
    body = {
        "name": name or "custom",
        "domain": str(doc.get("domain") or "custom"),
        "description": str(doc.get("description") or ""),
        "fields": fields,
        "rules": rules,
    }
    _count_fields(fields, where)
    schema = parse_entity(body, where)
    check_rules(schema.as_object())
    return schema


def _count_fields(fields: list[dict[str, Any]], where: str) -> None:
    def count(fs: list[dict[str, Any]]) -> int:
        n = 0
        for f in fs:
            n += 1 + count(f.get("fields") or [])
            if isinstance(f.get("items"), dict):
                n += count(f["items"].get("fields") or [])
        return n

    if count(fields) > MAX_FIELDS:
        raise InvalidRequest(where, f"has more than {MAX_FIELDS} fields", "split the schema")
    if not fields:
        raise InvalidRequest(where, "has no fields", "add at least one field")


def _field_type(raw: dict[str, Any], where: str) -> str:
    t = raw.get("type", "string")
    if isinstance(t, list):  # JSON Schema ["string", "null"]
        t = next((x for x in t if x != "null"), "string")
    t = str(t).lower()
    fmt = str(raw.get("format") or "").lower()
    if t == "string" and fmt in _FORMAT_TYPES:
        return _FORMAT_TYPES[fmt]
    if t in ("string",) and raw.get("enum"):
        return "enum"
    t = _TYPE_ALIASES.get(t, t)
    if t not in {ft.value for ft in FieldType}:
        known = ", ".join(ft.value for ft in FieldType)
        raise InvalidRequest(
            where, f"unknown field type {quoted(str(raw.get('type')))}", f"use one of {known}"
        )
    return t


def _normalise_fields(fields: Any, where: str, depth: int) -> list[dict[str, Any]]:
    if depth > MAX_DEPTH:
        raise InvalidRequest(where, f"nests deeper than {MAX_DEPTH} levels", "flatten the schema")
    items = fields.items() if isinstance(fields, dict) else ((f.get("name"), f) for f in fields)
    out = []
    for name, raw in items:
        at = f"{where}.fields.{str(name)[:60]}"
        if isinstance(raw, str):
            raw = {"type": raw}
        if not isinstance(raw, dict) or not name:
            raise InvalidRequest(at, "must be an object with a type", 'send {"type": "string", ...}')
        spec: dict[str, Any] = {"name": str(name), "type": _field_type(raw, at)}
        for key, value in raw.items():
            if key in ("type", "name"):
                continue
            key = _KEYS.get(key, key)
            if key in (
                "values",
                "weights",
                "pool",
                "regex",
                "min",
                "max",
                "min_length",
                "max_length",
                "format",
                "required",
                "nullable",
                "null_rate",
                "description",
                "unique",
                "precision",
                "min_items",
                "max_items",
                "source",
                "example",
                "pool_weights",
                "ref",
                "typical",
                "typical_by",
                "count_weights",
            ):
                spec[key] = value
        if (
            spec["type"] in ("date", "datetime", "email", "uuid", "url", "ip")
            and spec.get("format") in _FORMAT_TYPES
        ):
            spec.pop("format")
        if "fields" in raw:
            spec["fields"] = _normalise_fields(raw["fields"], at, depth + 1)
        if spec["type"] == "array":
            spec["items"] = _item_spec(raw.get("items"), at, depth)
        out.append(spec)
    return out


def _item_spec(raw: Any, where: str, depth: int) -> dict[str, Any]:
    if raw is None:
        return {"name": "items[]", "type": "string"}
    if isinstance(raw, str):
        raw = {"type": raw}
    if "properties" in raw:
        return {"name": "items[]", "type": "object", "fields": _from_json_schema(raw, where, depth + 1)}
    return _normalise_fields({"items[]": raw}, where, depth + 1)[0]


def _from_json_schema(doc: dict[str, Any], where: str, depth: int) -> list[dict[str, Any]]:
    if depth > MAX_DEPTH:
        raise InvalidRequest(where, f"nests deeper than {MAX_DEPTH} levels", "flatten the schema")
    props = doc.get("properties") or {}
    if not isinstance(props, dict):
        raise InvalidRequest(f"{where}.properties", "must be an object", "map field names to their schemas")
    required = doc.get("required") or []
    if not isinstance(required, list):
        raise InvalidRequest(f"{where}.required", "must be a list of field names", 'send ["id", ...]')
    out = []
    for name, raw in props.items():
        at = f"{where}.{name[:60]}"
        raw = dict(raw) if isinstance(raw, dict) else {"type": raw}
        nested = raw.pop("properties", None)
        own_required = raw.pop("required", None)  # an object's list of required children
        raw["required"] = name in required
        if nested is not None:
            raw["type"] = "object"
            field = _normalise_fields({name: raw}, where, depth)[0]
            field["fields"] = _from_json_schema(
                {"properties": nested, "required": own_required}, at, depth + 1
            )
        else:
            field = _normalise_fields({name: raw}, where, depth)[0]
        out.append(field)
    return out
