"""Bad input fails before a row is made, with the field path and the fix, and never hangs."""

from __future__ import annotations

import pytest

from agent.request import DataRequest, ScenarioRequest
from tests.helpers import rows_for
from tools.constraints import FieldConstraint
from tools.errors import DataError, GenerationFailed, InvalidRequest, SchemaNotFound


def _fails(request: DataRequest, kind: type[DataError] = InvalidRequest) -> DataError:
    with pytest.raises(kind) as info:
        rows_for(request)
    return info.value


def test_min_above_max_names_the_field() -> None:
    err = _fails(DataRequest(entity="cart", constraints={"items[].price": FieldConstraint(min=50, max=10)}))
    assert "items[].price" in err.field and "min (50) is greater than max (10)" in err.message


def test_min_length_above_max_length() -> None:
    err = _fails(
        DataRequest(entity="review", constraints={"title": FieldConstraint(min_length=9, max_length=3)})
    )
    assert "title" in err.field and "min_length" in err.message


def test_invalid_regex() -> None:
    err = _fails(DataRequest(entity="customer", constraints={"first_name": FieldConstraint(regex="([a-z")}))
    assert "regex" in err.field and "invalid regex" in err.message


def test_regex_that_cannot_fit_max_length_is_found_up_front() -> None:
    c = FieldConstraint(regex="[A-Z]{12}", max_length=5)
    err = _fails(DataRequest(entity="customer", constraints={"first_name": c}))
    assert "needs at least 12 characters but max_length is 5" in err.message


def test_enum_values_that_do_not_fit_the_field_type() -> None:
    err = _fails(
        DataRequest(entity="cart", constraints={"items[].quantity": FieldConstraint(enum_values=["many"])})
    )
    assert "enum_values" in err.field and "'many' is not an integer value" in err.message


def test_constraint_on_a_field_the_entity_lacks_suggests_close_names() -> None:
    err = _fails(DataRequest(entity="cart", constraints={"totl": FieldConstraint(min=1)}))
    assert "has no field 'totl'" in err.message and "total" in err.fix


def test_unknown_entity_suggests_close_names() -> None:
    err = _fails(DataRequest(entity="carts"), SchemaNotFound)
    assert err.field == "entity" and "cart" in err.fix


def test_malformed_inline_schema_reports_line_and_column() -> None:
    err = _fails(DataRequest(inline_schema='{"name": "x",\n "fields": {"a": {"type": "string"},}}'))
    assert err.field == "inline_schema" and "line 2 column" in err.message


def test_unknown_field_type() -> None:
    err = _fails(DataRequest(custom_schema='{"name": "x", "fields": {"a": {"type": "colour"}}}'))
    assert "custom_schema.fields.a" in err.field and "unknown field type 'colour'" in err.message


def test_negative_count() -> None:
    err = _fails(DataRequest(entity="cart", count=-1))
    assert err.field == "count"


def test_array_min_items_above_max_items() -> None:
    schema = '{"name": "x", "fields": {"tags": {"type": "array", "min_items": 5, "max_items": 2}}}'
    err = _fails(DataRequest(custom_schema=schema))
    assert "tags" in err.field and "min_items (5) is greater than max_items (2)" in err.message


def test_override_is_typed_and_checked() -> None:
    bad_type = ScenarioRequest("s", 1, overrides={"items[].quantity": "lots"})
    err = _fails(DataRequest(entity="cart", scenarios=[bad_type]))
    assert "scenarios[0].overrides[items[].quantity]" in err.field
    out_of_range = ScenarioRequest("s", 1, overrides={"items[].quantity": "50"})
    err = _fails(DataRequest(entity="cart", scenarios=[out_of_range]))
    assert "breaks max" in err.message
    derived = ScenarioRequest("s", 1, overrides={"total": "5"})
    err = _fails(DataRequest(entity="cart", scenarios=[derived]))
    assert "computed from other fields" in err.message


def test_scenario_counts_above_count() -> None:
    request = DataRequest(
        entity="cart", count=5, scenarios=[ScenarioRequest("a", 4), ScenarioRequest("b", 3)]
    )
    err = _fails(request)
    assert err.field == "scenarios" and "add up to 7, more than count 5" in err.message


def test_unknown_locale_and_format() -> None:
    assert _fails(DataRequest(entity="cart", locale="xx_YY")).field == "locale"
    assert _fails(DataRequest(entity="cart", output_format="xml")).field == "output_format"


def test_contradictory_constraints_end_in_a_bounded_clear_error() -> None:
    constraints = {"items[].price": FieldConstraint(min=100, max=200), "total": FieldConstraint(max=50)}
    err = _fails(DataRequest(entity="cart", count=3, seed=1, constraints=constraints), GenerationFailed)
    assert err.field == "total" and "max" in err.message and "loosen" in err.fix


def test_rules_in_a_custom_schema_cannot_run_code() -> None:
    schema = (
        '{"name": "x", "fields": {"a": {"type": "integer"}, "b": {"type": "integer"}},'
        ' "rules": [{"derive": "b = __import__(\\"os\\").getpid()"}]}'
    )
    err = _fails(DataRequest(custom_schema=schema))
    assert "not allowed in a rule" in err.message


def test_sizes_that_would_exhaust_memory_are_refused() -> None:
    huge_array = '{"name": "x", "fields": {"tags": {"type": "array", "max_items": 1000000}}}'
    assert "above the limit of 1,000 items" in _fails(DataRequest(custom_schema=huge_array)).message
    plain = '{"name": "x", "fields": {"note": {"type": "string"}}}'
    long_min = {"note": FieldConstraint(min_length=10**9)}
    assert "above the limit" in _fails(DataRequest(custom_schema=plain, constraints=long_min)).message
    wide_regex = {"note": FieldConstraint(regex="a{200000}")}
    assert "does not run" in _fails(DataRequest(custom_schema=plain, constraints=wide_regex)).message


def test_a_wide_regex_repeat_still_makes_short_values() -> None:
    rows = rows_for(
        DataRequest(
            entity="review",
            count=20,
            seed=1,
            constraints={"title": FieldConstraint(regex="[a-z]{1,1000}")},
        )
    )
    assert all(1 <= len(r["title"]) <= 20 for r in rows)


def test_a_unary_document_past_the_size_limit_stops_with_advice() -> None:
    from agent.deterministic import plan_request
    from agent.executor import build_job, prepare, render_document
    from tools.errors import LimitExceeded
    from tools.registry import default_registry

    request = DataRequest(entity="user", count=5000, seed=1)
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    with pytest.raises(LimitExceeded, match="GenerateDataStream"):
        render_document(prepared, job, max_bytes=1_000_000)


def test_a_backtracking_regex_cannot_freeze_the_validator() -> None:
    schema = '{"name": "x", "fields": {"code": {"type": "string", "pattern": "([a-z]+)*[0-9]"}}}'
    rows = rows_for(DataRequest(custom_schema=schema, count=30, seed=1, negative=True))
    assert all(r["_violates"]["rule"] for r in rows)  # each mutated value was matched in linear time


def test_a_row_that_could_reach_100_mb_is_refused_up_front() -> None:
    from tools.errors import LimitExceeded

    schema = (
        '{"name": "x", "fields": {"t": {"type": "array", "max_items": 1000,'
        ' "items": {"type": "string", "max_length": 100000}}}}'
    )
    err = _fails(DataRequest(custom_schema=schema), LimitExceeded)
    assert "can reach 100,012,005 characters" in err.message


def test_an_override_cannot_repeat_a_unique_key() -> None:
    scenario = ScenarioRequest("same_id", 3, overrides={"customer_id": "USR-1234567"})
    assert "is unique" in _fails(DataRequest(entity="customer", scenarios=[scenario])).message


def test_json_schema_corners_get_clear_errors_not_crashes() -> None:
    nested = (
        '{"title": "order-v2", "required": ["addr"], "properties": {"addr": {"type": "object",'
        ' "required": ["city"], "properties": {"city": {"type": "string"}, "zip": {"type": "string"}}}}}'
    )
    rows = rows_for(DataRequest(inline_schema=nested, count=20, seed=1))
    assert all(r["addr"]["city"] for r in rows)  # a nested required list holds
    assert "nests deeper" in _fails(DataRequest(inline_schema="[" * 50000 + "]" * 50000)).message
    ref = '{"properties": {"a": {"$ref": "#/defs/x"}}}'
    assert "$ref" in _fails(DataRequest(inline_schema=ref)).message
    meta = '{"name": "x", "fields": {"_index": {"type": "integer"}}}'
    assert "row metadata" in _fails(DataRequest(custom_schema=meta)).message
    huge = '{"name": "x", "fields": {"n": {"type": "integer"}}}'
    err = _fails(DataRequest(custom_schema=huge, constraints={"n": FieldConstraint(max=1e300)}))
    assert "out of range" in err.message


def test_a_locale_without_some_data_is_refused_by_name() -> None:
    err = _fails(DataRequest(entity="order", locale="he_IL", count=2))
    assert err.field == "locale" and "he_IL has no address data" in err.message


def test_ranges_and_value_lists_that_cannot_work_say_why() -> None:
    err = _fails(
        DataRequest(entity="cart", constraints={"items[].quantity": FieldConstraint(min=1.2, max=1.8)})
    )
    assert "no integer lies between 1.2 and 1.8" in err.message
    bad_enum = '{"name": "x", "fields": {"n": {"type": "integer", "values": ["x", "y"]}}}'
    assert "are not numbers" in _fails(DataRequest(custom_schema=bad_enum)).message
    bad_weights = '{"name": "x", "fields": {"s": {"type": "enum", "values": ["a", "b"], "weights": [1]}}}'
    assert "one weight per value" in _fails(DataRequest(custom_schema=bad_weights)).message
