"""Issue 12, the engine's share of names: SQL identifiers PostgreSQL would cut, NUL characters no
database loads, and close-name suggestions over a client's megabytes of name."""

from __future__ import annotations

import difflib
import json
from typing import Any

import pytest

from agent.executor import prepare
from agent.request import DataRequest, ScenarioRequest
from tests.helpers import rows_for
from tools.constraints import FieldConstraint
from tools.errors import DataError, InvalidRequest, SchemaNotFound
from tools.formats.sql_format import MAX_IDENT_BYTES, check_sql_names
from tools.pools import check_locale
from tools.registry import default_registry
from tools.schema import EntitySchema

MAX_MESSAGE = 600
HUGE = "q" * 8_000_000  # an 8 MB name pushed the close-match search to 2.2 GB


def _refusal(request: DataRequest, kind: type[DataError] = InvalidRequest) -> str:
    with pytest.raises(kind) as info:
        prepare(request, default_registry())  # every refusal here comes before any row
    assert len(info.value.message) <= MAX_MESSAGE, info.value.message[:200]
    return info.value.message


# 5. SQL identifiers PostgreSQL would cut to 63 bytes, and NUL characters.


def test_long_column_names_sharing_a_prefix_are_refused_for_sql_only() -> None:
    prefix = "customer_lifetime_value_in_the_reporting_currency_after_discounts"  # 65 bytes
    doc = json.dumps({"name": "t", "fields": {prefix + "_a": "float", prefix + "_b": "float"}})
    message = _refusal(DataRequest(custom_schema=doc, count=3, output_format="sql"))
    assert f"fields.{prefix}_a" in message and "67 bytes" in message and "json, jsonl or csv" in message
    for fmt in ("json", "csv"):
        prepare(DataRequest(custom_schema=doc, count=3, output_format=fmt), default_registry())


def test_a_long_table_name_is_refused_for_sql() -> None:
    doc = json.dumps({"name": "n" * 64, "fields": {"a": "integer"}})
    assert "name: the table name is 64 bytes long" in _refusal(
        DataRequest(custom_schema=doc, output_format="sql")
    )
    check_sql_names("sql", EntitySchema(name="n" * 63, fields=[]))
    with pytest.raises(InvalidRequest, match="66 bytes"):
        check_sql_names("sql", EntitySchema(name="é" * 33, fields=[]))  # bytes, not characters


def test_every_registry_name_fits_a_postgresql_identifier() -> None:
    for schema in default_registry().schemas():
        check_sql_names("sql", schema)
        assert all(len(f.name.encode()) <= MAX_IDENT_BYTES for f in schema.fields)


NUL_SCHEMAS = {
    "enum value": ({"status": {"type": "enum", "values": ["open", "clo\x00sed"]}}, "fields.status.values[1]"),
    "description": ({"a": {"type": "string", "description": "x\x00"}}, "fields.a.description"),
    "field name": ({"a\x00b": "string"}, "fields.a\\x00b (its name)"),
    "default-like example": ({"a": {"type": "string", "example": "\x00"}}, "fields.a.example"),
}


@pytest.mark.parametrize("case", sorted(NUL_SCHEMAS))
@pytest.mark.parametrize("slot", ["custom_schema", "inline_schema"])
def test_nul_anywhere_in_a_schema_is_refused(case: str, slot: str) -> None:
    fields, words = NUL_SCHEMAS[case]
    request = DataRequest(**{slot: json.dumps({"name": "t", "fields": fields})})
    message = _refusal(request)
    assert message.startswith(slot) and words in message and "NUL" in message


def test_nul_in_a_proto_field_list_is_refused() -> None:
    fields = [{"name": "a", "type": "string", "description": "bad\x00"}]
    assert "NUL" in _refusal(DataRequest(entity="t", schema_fields=fields))


@pytest.mark.parametrize(
    ("constraint", "key"),
    [
        (FieldConstraint(enum_values=["ok", "b\x00d"]), "enum_values"),
        (FieldConstraint(regex="a\x00b"), "regex"),
    ],
)
def test_nul_in_constraints_is_refused(constraint: FieldConstraint, key: str) -> None:
    request = DataRequest(entity="customer", constraints={"first_name": constraint})
    assert f"field_constraints[first_name].{key}: holds a NUL" in _refusal(request)


@pytest.mark.parametrize("regex", [r"a\x00b", r"[\x00-\x1f]{3}", r"(a|\x00)+"])
def test_a_regex_that_can_make_nul_is_refused(regex: str) -> None:
    """Written as an escape, \x00 is no NUL in the request, but every value made from it held one."""
    request = DataRequest(entity="customer", constraints={"first_name": FieldConstraint(regex=regex)})
    assert "can make a NUL character" in _refusal(request)
    doc = json.dumps({"name": "t", "fields": {"code": {"type": "string", "pattern": regex}}})
    with pytest.raises(InvalidRequest, match="can make a NUL character"):
        rows_for(DataRequest(custom_schema=doc, count=3))


# 6. Close-name suggestions only for short names; a client's name quoted at most ~100 characters.


@pytest.fixture
def no_long_search(monkeypatch: pytest.MonkeyPatch) -> None:
    real = difflib.get_close_matches

    def guarded(word: str, *args: Any, **kwargs: Any) -> list[str]:
        assert len(word) <= 64, "a close-match search ran over a long name"
        return real(word, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", guarded)


@pytest.mark.usefixtures("no_long_search")
def test_a_huge_unknown_constraint_path_gets_a_short_refusal_and_no_search() -> None:
    message = _refusal(DataRequest(entity="cart", constraints={HUGE: FieldConstraint(min=1)}))
    assert "has no field 'qqqq" in message and "8,000,000 characters" in message
    dotted = _refusal(DataRequest(entity="cart", constraints={"a." * 4_000_000: FieldConstraint(min=1)}))
    assert "has no field 'a.a.a." in dotted  # without splitting it into 4 million parts
    short = _refusal(DataRequest(entity="cart", constraints={"totl": FieldConstraint(min=1)}))
    assert "did you mean total" in short


@pytest.mark.usefixtures("no_long_search")
def test_a_huge_unknown_entity_gets_a_short_refusal_and_no_search() -> None:
    assert "unknown entity 'qqq" in _refusal(DataRequest(entity=HUGE), SchemaNotFound)
    assert "did you mean cart" in _refusal(DataRequest(entity="crat"), SchemaNotFound)


@pytest.mark.usefixtures("no_long_search")
def test_huge_locales_and_override_keys_get_short_refusals() -> None:
    with pytest.raises(InvalidRequest) as info:
        check_locale(HUGE)
    assert len(info.value.message) <= MAX_MESSAGE
    assert "en_GB" in str(_locale_refusal("en_GBB"))
    scenario = ScenarioRequest("a", 2, {HUGE: "1"})
    assert "has no field" in _refusal(DataRequest(entity="cart", count=2, scenarios=[scenario]))
    value = ScenarioRequest("a", 2, {"currency": "€" * 100_000})
    assert len(_refusal(DataRequest(entity="cart", count=2, scenarios=[value]))) <= MAX_MESSAGE


def _locale_refusal(locale: str) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        check_locale(locale)
    return info.value


def test_a_huge_field_name_in_a_schema_is_refused_and_quoted_short() -> None:
    for name in ["a" * 129, "a b" * 100_000]:
        doc = json.dumps({"name": "t", "fields": {name: "string"}})
        message = _refusal(DataRequest(custom_schema=doc))
        assert f"field name {name[:60]!r}... ({len(name):,} characters)" in message
