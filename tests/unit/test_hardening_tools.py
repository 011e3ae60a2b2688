"""Issue 12, the engine's share: rules, bounds and names a client sends cannot keep a core busy, end in
an INTERNAL error, or come back whole in a message. Each test is a request that failed before."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.request import DataRequest
from tools.constraints import FieldConstraint
from tools.engine import generate
from tools.errors import DataError, GenerationFailed, InvalidRequest
from tools.registry import default_registry
from tools.validator import compile_validator

MAX_MESSAGE = 600  # a refusal quotes at most ~100 characters of the request; the rest is ours
BOTH = pytest.mark.parametrize("columns", [False, True], ids=["row maker", "column maker"])


def _doc(fields: dict[str, Any], rules: list[dict[str, Any]] | None = None) -> str:
    return json.dumps({"name": "t", "fields": fields, "rules": rules or []})


def _rows(request: DataRequest, columns: bool = True) -> list[dict[str, Any]]:
    """Rows of a request; 100 plain rows go through the column maker unless `columns` is off."""
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    job.columns = columns
    return [r for batch in generate(job) for r in batch]


def _refused(request: DataRequest, kind: type[DataError] = InvalidRequest, columns: bool = True) -> str:
    with pytest.raises(kind) as info:
        _rows(request, columns)
    message = info.value.message
    assert len(message) <= MAX_MESSAGE, message[:200]
    return message


def _derive(expression: str, x: dict[str, Any] | None = None, y: str = "float") -> DataRequest:
    fields = {"x": x or {"type": "float", "min": 1, "max": 10}, "y": {"type": y}}
    return DataRequest(custom_schema=_doc(fields, [{"derive": f"y = {expression}"}]), count=100, seed=3)


# 1. Unbounded arithmetic in derive rules: bounded when the rule is compiled.


def test_a_2mb_derive_of_huge_literals_is_refused_naming_the_rule() -> None:
    # About 2 MB: 1,020 numbers of 2,000 digits multiplied, in groups that Python's parser takes. Before,
    # each row multiplied them out, for minutes.
    expression = " * ".join(["(" + " * ".join(["9" * 2000] * 30) + ")"] * 34)
    message = _refused(_derive(expression))
    assert "t.rules[0]" in message and "2,000" in message


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("x" + " + x" * 4999, "characters long"),  # 5,000 terms: a RecursionError before
        ("+".join(["(" + "+".join(["x"] * 25) + ")"] * 10), "more than 200 terms"),  # 36 levels deep
        ("x" + "+x" * 990, "nests deeper than 50"),  # under 2,000 characters, 991 terms
        ("-" * 60 + "x", "nests deeper than 50"),
        ("x * 10000000000000000", "the number '10000000000000000'"),
        ("x * 1e300", "out of range"),
        ("x * 0.0000000000000000000000001", "out of range"),  # 27 characters for one number
        ("round(x, -999999999)", "from -15 to 15"),  # round(5, -10**9) builds 10**(10**9)
        ("round(x, x)", "from -15 to 15"),
        ("*".join(["(" + "*".join(["x"] * 13) + ")"] * 5), "could have 4,160 bits"),  # 65 fields
        ("sum(items[].q * count(items[].q))", "inside another"),  # quadratic in the items
        ("max(items[].q, 1)", "read outside sum(), count(), min() or max()"),  # a NameError before
    ],
)
def test_oversized_derive_rules_are_refused_when_compiled(expression: str, words: str) -> None:
    fields = {
        "x": {"type": "integer", "min": 1, "max": 10},
        "items": {"type": "array", "items": {"type": "object", "fields": {"q": "integer"}}},
        "y": {"type": "float"},
    }
    request = DataRequest(custom_schema=_doc(fields, [{"derive": f"y = {expression}"}]), count=1)
    with pytest.raises(InvalidRequest) as info:
        prepare(request, default_registry())  # refused with the schema, before any planning or row
    assert words in info.value.message
    assert ("y:" in info.value.message) or ("t.rules[0]" in info.value.message)
    assert len(info.value.message) <= MAX_MESSAGE


def test_rules_within_the_bounds_still_compile_and_hold() -> None:
    request = _derive("round(x * 1000000000000000 / 3 + x * x * x, -2) + round(x, 2)")
    rows = _rows(request)
    x = [r["x"] for r in rows]
    assert [r["y"] for r in rows] == [round(round(v * 1e15 / 3 + v * v * v, -2) + round(v, 2), 2) for v in x]


@BOTH
def test_a_whole_number_past_int64_read_by_a_rule_stops_it_naming_the_rule(columns: bool) -> None:
    request = _derive("x * 2", {"type": "integer", "values": [10**30]}, y="integer")
    assert "y: the derive rule 'x * 2'" in _refused(request, GenerationFailed, columns)


def test_other_rule_text_is_bounded_too() -> None:
    fields = {"a": {"type": "datetime"}, "b": {"type": "datetime"}}
    for gap, words in [("9" * 30 + "d", "longer than years 1 to 9999"), ("9" * 5000 + "d", "must look like")]:
        request = DataRequest(custom_schema=_doc(fields, [{"order": ["a", "b"], "min_gap": gap}]), count=3)
        assert words in _refused(request)
    many = [{"derive": "c = 1"}] * 201  # each rule runs for every row: 100,000 of them were accepted
    for rules, words in [
        (many, "has 201 rules; at most 200"),
        ([{"order": ["a", "b"] * 5000}], "lists a field twice"),  # quadratic: seconds per 10,000
        ([{"derive": "c = 1"}, {"derive": "c = 2"}], "c is derived by an earlier rule too"),
    ]:
        request = DataRequest(custom_schema=_doc({**fields, "c": "integer"}, rules), count=3)
        assert words in _refused(request)
    long_target = "z" * 1000 + " = 1"
    request = DataRequest(custom_schema=_doc(fields, [{"derive": long_target}]), count=3)
    assert "names unknown field" in _refused(request)


# 2. A derived value that overflows its field: refused naming the rule, on both makers.

INF = "x" + " * 1000000000000000" * 21  # past a float's range for any x of 1 or more
OVERFLOWS = {
    "float past inf": (INF, "float", "inf"),
    "integer from inf": (INF, "integer", "inf"),
    "integer past 2^53": ("x * 1000000000000000 * 1000", "integer", "gives "),
    "whole number too large for a float": (" * ".join(["round(x)"] * 41) + " / 3", "float", "be computed"),
    "round() of NaN": (f"round({INF} - {INF})", "float", "cannot convert float NaN to integer"),
}


@BOTH
@pytest.mark.parametrize("case", sorted(OVERFLOWS))
def test_a_derive_overflowing_its_field_is_refused_naming_the_rule(case: str, columns: bool) -> None:
    expression, kind, words = OVERFLOWS[case]
    x = {"type": "integer", "min": 9 * 10**15, "max": 9 * 10**15} if "too large" in case else None
    message = _refused(_derive(expression, x, y=kind), GenerationFailed, columns)
    assert message.startswith("y: the derive rule") and words in message
    assert "within ±9,007,199,254,740,991" in message


@BOTH
def test_a_value_that_overflows_in_a_derive_is_refused_naming_the_rule(columns: bool) -> None:
    request = _derive("x * 10", {"type": "float", "values": [1e308]})
    assert "y: the derive rule 'x * 10' gives inf" in _refused(request, GenerationFailed, columns)


@pytest.mark.parametrize("number", ["NaN", "1e400", "-Infinity"])
def test_numbers_that_are_not_finite_are_refused_in_a_schema(number: str) -> None:
    doc = _doc({"x": {"type": "float", "pool": ["HERE", 1.0]}}).replace('"HERE"', number)
    with pytest.raises(InvalidRequest, match=f"custom_schema: holds {number}, which is not a finite number"):
        prepare(DataRequest(custom_schema=doc), default_registry())


def test_the_validator_reports_an_overflowing_derive_instead_of_raising() -> None:
    validate = compile_validator(default_registry().get("cart"))
    row = _rows(DataRequest(entity="cart", count=1, seed=5))[0]
    row["items"][0]["quantity"] = 10**400  # as a client's example could hold: times a price, an OverflowError
    assert any(v.rule == "derive" for v in validate({k: v for k, v in row.items() if k[0] != "_"}))


# 3. Dates as epoch numbers outside years 1-9999.


@pytest.mark.parametrize(("key", "value"), [("min", 1e15), ("max", -1e15), ("min", math.nan)])
def test_epoch_constraints_outside_the_calendar_are_refused(key: str, value: float) -> None:
    constraint = FieldConstraint(**{key: value})
    request = DataRequest(entity="order", count=3, constraints={"created_at": constraint})
    with pytest.raises(InvalidRequest) as info:
        prepare(request, default_registry())  # up front, before any row
    assert f"constraints.field_constraints[created_at].{key}" in info.value.message
    assert "years 1 to 9999" in info.value.message and "253,402,300,799" in info.value.message


def test_an_epoch_bound_past_an_iso_bound_is_refused() -> None:
    """next_delivery's max is '2026-03-31': a float() of it was a ValueError (INTERNAL)."""
    request = DataRequest(entity="subscription", constraints={"next_delivery": FieldConstraint(min=1e11)})
    with pytest.raises(InvalidRequest, match=r"min \(100000000000.0\) is after max \(2026-03-31\)"):
        prepare(request, default_registry())


@BOTH
@pytest.mark.parametrize("kind", ["date", "datetime"])
def test_custom_schema_epoch_bounds_outside_the_calendar_are_refused(kind: str, columns: bool) -> None:
    request = DataRequest(custom_schema=_doc({"d": {"type": kind, "min": 0, "max": 1e15}}), count=100)
    assert "d.max" in _refused(request, columns=columns)


@BOTH
def test_bounds_at_the_calendar_ends_keep_their_default_span_inside_it(columns: bool) -> None:
    late = DataRequest(custom_schema=_doc({"d": {"type": "datetime", "min": "9999-06-01"}}), count=100)
    early = DataRequest(custom_schema=_doc({"d": {"type": "date", "max": "0001-03-01"}}), count=100)
    assert all("9999-06-01" <= r["d"] <= "9999-12-31T23:59:59Z" for r in _rows(late, columns))
    assert all("0001-01-01" <= r["d"] <= "0001-03-01" for r in _rows(early, columns))


# 4. Bounds a float or an integer cannot hold.


@BOTH
@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"type": "float", "min": 5e-324, "max": 1}, "too close to 0"),
        ({"type": "float", "min": -1, "max": -5e-324}, "too close to 0"),
        ({"type": "float", "min": 1e-12, "max": 1}, "within a rounding error"),
        ({"type": "float", "precision": 10, "min": 0, "max": 1e9}, "past ±900,719.9254740991"),
        ({"type": "float", "min": 0, "max": 1e15}, "lower precision"),
        ({"type": "integer", "min": 0, "max": 1e19}, "±9,007,199,254,740,991"),
        (
            {"type": "integer", "min": 9_007_199_254_740_000},
            "past ±9,007,199,254,740,991, where values with whole numbers",
        ),
        ({"type": "integer", "min": 0.0000000001, "max": 5}, "round it to whole numbers"),
    ],
)
def test_bounds_the_field_cannot_hold_are_refused(spec: dict[str, Any], words: str, columns: bool) -> None:
    message = _refused(DataRequest(custom_schema=_doc({"f": spec}), count=100), columns=columns)
    assert message.startswith("f.") and words in message


def test_a_subnormal_constraint_is_refused_up_front() -> None:
    request = DataRequest(entity="product", constraints={"price": FieldConstraint(min=5e-324)})
    with pytest.raises(InvalidRequest, match=r"field_constraints\[price\]\.min: 5e-324 is too close to 0"):
        prepare(request, default_registry())


@BOTH
def test_bounds_with_more_decimals_than_the_field_still_hold(columns: bool) -> None:
    request = DataRequest(custom_schema=_doc({"f": {"type": "float", "min": 0.001, "max": 0.5}}), count=100)
    rows = _rows(request, columns)
    assert all(0.001 <= r["f"] <= 0.5 for r in rows)
