"""The column maker (tools/columns/objects.py): plain rows a block at a time, held to the row validator.

Its checks (columns/checks.py, columns/rules.py) may clear rows only where the row validator's own
checks would pass: the equivalence tests below feed both the same values, good and broken.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.request import DataRequest
from tests.unit.test_engine_properties import _values_at, constrained_requests
from tools.catalogue import load_catalogue
from tools.columns.checks import FieldCheck, array_proof
from tools.columns.objects import BLOCK
from tools.columns.rules import RuleCheck
from tools.columns.runner import ColumnRunner
from tools.columns.values import Block, unique_texts
from tools.constraints import apply_constraints
from tools.engine import Job, Scenario, generate
from tools.errors import GenerationFailed, InvalidRequest
from tools.patterns import Bijection, UniqueIds, parse_template
from tools.registry import default_registry
from tools.schema import EntitySchema, FieldSpec
from tools.temporal import default_window
from tools.validator import META_KEYS, compile_validator, field_check, validate_rows
from tools.violations import Out

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WINDOW = default_window()


def _rows(schema: EntitySchema, count: int, seed: int = 3, columns: bool = True, **job: Any) -> list[dict]:
    job.setdefault("columns", columns)
    made = Job(schema, [Scenario("default", count)], seed, **job)
    return [r for batch in generate(made) for r in batch]


def _used_columns(schema: EntitySchema) -> bool:
    job = Job(schema, [Scenario("default", 50)], 1)  # past the row maker's first rows (engine.HEAD_ROWS)
    seen = []
    original = ColumnRunner.compile

    def spy(*args: Any) -> ColumnRunner | None:
        runner = original(*args)
        seen.append(runner is not None)
        return runner

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ColumnRunner, "compile", spy)
        list(generate(job))
    return seen == [True]


def test_every_registry_entity_is_made_as_columns_and_passes_the_validator() -> None:
    registry = default_registry()
    row_made = []
    for name in registry.names():
        schema = registry.get(name)
        if not _used_columns(schema):
            row_made.append(name)
        rows = _rows(schema, BLOCK + 300)  # two blocks, the second partial
        assert len(rows) == BLOCK + 300
        assert validate_rows(schema, rows) == [], name
        assert [r["_index"] for r in rows] == list(range(BLOCK + 300))
    assert row_made == []


def test_rows_do_not_depend_on_the_batch_size() -> None:
    schema = default_registry().get("order")
    assert _rows(schema, 1500, batch_size=7) == _rows(schema, 1500, batch_size=1000)


def test_column_rows_keep_the_schemas_mixes_like_row_made_rows() -> None:
    schema = default_registry().get("cart")
    by_columns, by_rows = _rows(schema, 4000), _rows(schema, 4000, columns=False)
    for rows in (by_columns, by_rows):
        assert {r["currency"] for r in rows} == {"USD"}  # the locale's (tools/world/localise.py)
        quantities = Counter(i["quantity"] for r in rows for i in r["items"])
        assert 0.58 < quantities[1] / quantities.total() < 0.66  # pool weights 62/21/9/5/3
        assert all(len({i["product_id"] for i in r["items"]}) == len(r["items"]) for r in rows)
        assert 0.40 < sum(len(r["items"]) == 1 for r in rows) / len(rows) < 0.52  # count_weights: 46%
        assert all(_affine_basket(r["items"]) for r in rows)  # the row's theme and its affine ones


def _affine_basket(items: list[dict]) -> bool:
    """Some theme holds every item, with its affine themes."""
    themes = load_catalogue()
    cats = {i["category"] for i in items}
    return any(cats <= {t.category} | {a.category for a in themes if a.name in t.affinity} for t in themes)


def _capped_cart(low: float, high: float) -> EntitySchema:
    raw = default_registry().get("cart").model_dump(by_alias=True, exclude_none=True)
    for f in raw["fields"]:
        if f["name"] == "total":
            f["min"], f["max"] = low, high
    return EntitySchema.model_validate(raw)


def test_rows_that_miss_a_bound_on_a_derived_total_are_dropped_and_more_drawn() -> None:
    schema = _capped_cart(100, 150)  # most carts total more: about one in six passes
    rows = _rows(schema, 600)
    assert validate_rows(schema, rows) == []
    assert len(rows) == 600 and all(100 <= r["total"] <= 150 for r in rows)


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_a_few_rows_with_a_narrow_total_come_from_blocks_not_an_error(seed: int) -> None:
    # Row by row (60 attempts a row) some of a few carts often find no total in range; plain rows
    # are made in blocks whatever the count, which find them.
    schema = _capped_cart(100, 150)
    rows = _rows(schema, 30, seed=seed)
    assert len(rows) == 30 and validate_rows(schema, rows) == []


def test_a_bound_almost_no_row_meets_fails_naming_the_rule() -> None:
    with pytest.raises(GenerationFailed) as caught:
        _rows(_capped_cart(100, 100.5), 100)
    assert caught.value.field == "total"
    assert "rows drawn kept the max rule" in str(caught.value)


def test_unique_ids_made_in_blocks_are_the_ids_made_one_by_one() -> None:
    tpl = parse_template("CRT-{year}-{alnum:7}", 2025, "cart_id")
    ids = UniqueIds(tpl, random.Random(9), "x")
    slots = np.array([5, 0, 299, 17, 2**20], dtype=np.int64)
    assert unique_texts(ids, slots) == [ids.at(s) for s in slots.tolist()]
    assert len(set(unique_texts(ids, np.arange(5000)))) == 5000


@given(st.integers(1, 2**40), st.integers(0, 2**31))
@SETTINGS
def test_the_vectorized_bijection_is_the_scalar_one(space: int, seed: int) -> None:
    perm = Bijection(space, random.Random(seed))
    ks = np.arange(0, min(space, 200), dtype=np.uint64)
    assert perm.many(ks).tolist() == [perm(int(k)) for k in ks]


# --- the checks: whatever they clear, the row validator passes ---------------------------------


def _closure_fails(spec: FieldSpec, values: list[Any]) -> list[bool]:
    check = field_check(spec, WINDOW, 2025)
    out: list[bool] = []
    for v in values:
        found: Out = []
        check(v, "", found)
        out.append(bool(found))
    return out


def _marked(spec: FieldSpec, values: list[Any]) -> list[bool]:
    bad = np.zeros(len(values), dtype=bool)
    FieldCheck(spec, WINDOW, 2025).mark(values, bad)
    return bad.tolist()


MONEY = FieldSpec(name="price", type="money", min=0.5, max=2500)
FINE = FieldSpec(name="rate", type="float", precision=6, min=-10, max=10)  # scale 10**6
COUNT = FieldSpec(name="quantity", type="integer", min=1, max=5)
WHEN = FieldSpec(name="created_at", type="datetime", min="2024-01-01", max="2025-12-31")
ANY_TIME = FieldSpec(name="seen_at", type="datetime")
DAY = FieldSpec(name="delivery_date", type="date")
CART_ID = FieldSpec(name="cart_id", type="pattern", format="CRT-{year}-{alnum:7}")

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**60), 2**60),
    st.decimals(-3000, 3000, places=3).map(float),
    st.integers(0, 300000).map(lambda c: c / 100),
    st.booleans(),
    st.none(),
    st.just("12.5"),
)
times = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S")),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d")),
    st.text(max_size=22),
    st.just("2024-02-30T10:00:00Z"),
    st.from_regex(r"[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9]Z", fullmatch=True),
    st.from_regex(r"[0-9]{4}-[01][0-9]-[0-3][0-9]", fullmatch=True),
    st.from_regex(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", fullmatch=True),
    st.just("0000-01-01T00:00:00Z"),
    st.just("0000-12-31"),
    st.integers(),
)
ids = st.one_of(
    st.from_regex(r"CRT-20[0-9]{2}-[A-Z0-9]{7}", fullmatch=True),
    st.from_regex(r"CRT-2025-[A-Za-z0-9]{7}\n?", fullmatch=True),
    st.text(max_size=18),
)


@given(st.lists(numbers, min_size=1, max_size=40))
@SETTINGS
def test_number_checks_clear_exactly_what_the_row_validator_clears(values: list[Any]) -> None:
    for spec in (MONEY, COUNT, FINE):
        assert _marked(spec, values) == _closure_fails(spec, values)


@given(st.lists(times, min_size=1, max_size=40))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_time_checks_clear_exactly_what_the_row_validator_clears(values: list[Any]) -> None:
    for spec in (WHEN, ANY_TIME, DAY):
        assert _marked(spec, values) == _closure_fails(spec, values)


iso_times = st.from_regex(r"[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9]Z", fullmatch=True)
iso_days = st.from_regex(r"[0-9]{4}-[01][0-9]-[0-3][0-9]", fullmatch=True)


@given(st.lists(iso_times, min_size=1, max_size=40), st.lists(iso_days, min_size=1, max_size=40))
@SETTINGS
def test_columns_of_iso_texts_clear_exactly_what_the_row_validator_clears(
    times_: list[str], days: list[str]
) -> None:
    # One width per column, as the engine makes them: the array proof runs, not the per-value check.
    edge_days = ["2023-02-29", "2024-02-29", "1900-02-29", "2000-02-29", "2024-04-31", "0000-01-01"]
    edge_times = ["2024-01-01T00:00:60Z", "2024-01-01T24:00:00Z", "2023-02-29T00:00:00Z"]
    for spec, values in ((ANY_TIME, times_ + edge_times), (WHEN, times_), (DAY, days + edge_days)):
        assert _marked(spec, values) == _closure_fails(spec, values)


@given(
    st.lists(
        st.floats(-1e6, 1e6) | st.integers(-(10**6), 10**8).map(lambda c: c / 1000), min_size=1, max_size=40
    ),
    st.lists(st.integers(-10, 10**18), min_size=1, max_size=40),
    st.lists(st.from_regex(r"CRT-2025-[A-Z0-9a-z]{7}", fullmatch=True), min_size=1, max_size=40),
)
@SETTINGS
def test_uniform_columns_clear_exactly_what_the_row_validator_clears(
    floats: list[float], ints: list[int], cart_ids: list[str]
) -> None:
    # All floats, all ints, all ids of one width: the array proofs run rather than per-value checks.
    for spec in (MONEY, COUNT, FINE):
        assert _marked(spec, floats) == _closure_fails(spec, floats)
        assert _marked(spec, ints) == _closure_fails(spec, ints)
    assert _marked(CART_ID, cart_ids) == _closure_fails(CART_ID, cart_ids)


@given(st.lists(ids, min_size=1, max_size=40))
@SETTINGS
def test_id_checks_clear_exactly_what_the_row_validator_clears(values: list[Any]) -> None:
    assert _marked(CART_ID, values) == _closure_fails(CART_ID, values)


def test_uniform_columns_of_good_values_use_the_array_proofs_and_pass() -> None:
    cases = [
        (MONEY, [0.5, 2500.0, 19.99, 3.0], [False] * 4),
        (MONEY, [0.49, 2500.01, 1.005], [True] * 3),
        (WHEN, ["2024-01-01T00:00:00Z", "2023-12-31T23:59:59Z"], [False, True]),
        (CART_ID, ["CRT-2025-AB12CD3", "CRT-2025-ab12cd3"], [False, True]),
    ]
    for spec, values, verdicts in cases:
        proof = array_proof(spec, WINDOW, 2025)
        assert proof is not None and proof(values) is not None  # the array proof ran
        assert _marked(spec, values) == verdicts


# --- rule checks: derived values near half-cent ties, order ------------------------------------


def _cart_block(rows: list[dict[str, Any]]) -> tuple[Block, list[dict[str, Any]]]:
    """A block as columns/objects.py leaves it, built from finished cart rows."""
    items = [i for r in rows for i in r["items"]]
    parents = np.repeat(np.arange(len(rows)), [len(r["items"]) for r in rows])
    inner = Block(np.random.default_rng(0), len(items), np.zeros(len(items), dtype=np.int64))
    for key in ("quantity", "price"):
        inner.cols[key] = [i[key] for i in items]
    b = Block(np.random.default_rng(0), len(rows), np.zeros(len(rows), dtype=np.int64))
    objs = [{k: v for k, v in r.items() if k not in META_KEYS} for r in rows]
    for key in objs[0]:
        b.cols[key] = [o[key] for o in objs]
    b.arrays["items"] = (inner, parents)
    return b, objs


def _rule_verdicts(schema: EntitySchema, rows: list[dict[str, Any]]) -> tuple[list[bool], list[bool]]:
    b, objs = _cart_block(rows)
    bad = np.zeros(len(objs), dtype=bool)
    RuleCheck(schema.as_object(), WINDOW).mark(objs, b, bad)
    validate = compile_validator(schema, WINDOW)
    expected = [any(v.rule in ("derive", "order") for v in validate(o)) for o in objs]
    return bad.tolist(), expected


prices = st.integers(1, 250000).map(lambda c: c / 100)
halves = st.integers(1, 100000).map(lambda c: c / 100 + 0.005)  # amounts on a half-cent tie


@given(
    st.lists(st.lists(st.tuples(st.integers(1, 5), prices), min_size=1, max_size=8), min_size=1, max_size=12),
    st.lists(st.sampled_from([0, 0, 0.01, -0.01, 0.005, -0.005, 0.0049, 1e-9]), min_size=12, max_size=12),
    st.lists(st.one_of(st.none(), halves), min_size=12, max_size=12),
    st.lists(st.booleans(), min_size=12, max_size=12),
)
@SETTINGS
def test_derive_checks_clear_exactly_what_the_row_validator_clears(
    carts: list[list[tuple[int, float]]],
    nudges: list[float],
    forced: list[float | None],
    numpy_rounding: list[bool],
) -> None:
    schema = default_registry().get("cart")
    rows = []
    for k, items in enumerate(carts):
        subtotal = round(sum(q * p for q, p in items) + 0.0, 2)
        pinned = forced[k]
        if pinned is not None:
            subtotal = pinned  # subtotal on a tie: tax = round(subtotal * 0.08, 2) is near one too
        tax = round(subtotal * 0.08 + 0.0, 2)
        rows.append(
            {
                "cart_id": "CRT-2025-AAAAAAA",
                "customer_id": "USR-0000001",
                "items": [{"quantity": q, "price": p} for q, p in items],
                "subtotal": subtotal,
                "tax": tax,
                # On a tie numpy rounds some values the other way (0.015 -> 0.02, Python 0.01): a
                # total rounded numpy's way must not pass where Python's check fails it.
                "total": _round_numpy(subtotal + tax + nudges[k])
                if numpy_rounding[k]
                else round(subtotal + tax + nudges[k], 2),
                "currency": "USD",
                "created_at": "2025-01-01T00:00:00Z",
                "updated_at": f"2025-01-0{1 + k % 2}T00:00:00Z",
            }
        )
    marked, expected = _rule_verdicts(schema, rows)
    assert marked == expected


def _round_numpy(x: float) -> float:
    return float(np.rint(x * 100) / 100)


def test_order_check_marks_a_row_updated_before_it_was_created() -> None:
    schema = default_registry().get("cart")
    rows = _rows(schema, 50)
    rows[7]["updated_at"] = "2020-01-01T00:00:00Z"
    marked, expected = _rule_verdicts(schema, rows)
    assert marked == expected
    assert [i for i, m in enumerate(marked) if m] == [7]


@pytest.mark.parametrize("entity", ["order", "payment", "subscription", "gift_card"])
def test_lifecycle_timestamps_follow_their_status_when_made_as_columns(entity: str) -> None:
    schema = default_registry().get(entity)
    assert _used_columns(schema)
    rows = _rows(schema, 1500, seed=11)
    assert validate_rows(schema, rows) == []


SPLIT = EntitySchema.model_validate(
    {
        "name": "split",
        "fields": [{"name": "amount", "type": "money"}, {"name": "half", "type": "money"}],
        "rules": [{"derive": "half = amount / 2"}],
    }
)


@given(st.lists(st.tuples(st.integers(1, 10**7), st.booleans()), min_size=1, max_size=60))
@SETTINGS
def test_derive_checks_leave_half_cent_ties_to_the_row_validator(cases: list[tuple[int, bool]]) -> None:
    # An odd number of cents halved lands on a tie, where numpy and Python round apart for some
    # amounts: a half rounded numpy's way must be judged as Python's round judges it.
    objs = []
    for cents, numpy_way in cases:
        amount = cents / 100
        objs.append(
            {"amount": amount, "half": _round_numpy(amount / 2) if numpy_way else round(amount / 2, 2)}
        )
    b = Block(np.random.default_rng(0), len(objs), np.zeros(len(objs), dtype=np.int64))
    b.cols = {"amount": [o["amount"] for o in objs], "half": [o["half"] for o in objs]}
    bad = np.zeros(len(objs), dtype=bool)
    RuleCheck(SPLIT.as_object(), WINDOW).mark(objs, b, bad)
    validate = compile_validator(SPLIT, WINDOW)
    assert bad.tolist() == [bool(validate(o)) for o in objs]


def test_rows_with_long_arrays_come_in_smaller_blocks() -> None:
    from tools.columns.runner import block_rows

    wide = EntitySchema.model_validate(
        {
            "name": "wide",
            "fields": [
                {"name": "id", "type": "pattern", "format": "W-{digits:9}", "unique": True},
                {
                    "name": "lines",
                    "type": "array",
                    "min_items": 900,
                    "max_items": 1000,
                    "items": {
                        "name": "line",
                        "type": "object",
                        "fields": [{"name": "sku", "type": "string"}, {"name": "qty", "type": "integer"}],
                    },
                },
            ],
        }
    )
    assert block_rows(wide.as_object()) < 100  # about 1,900 values a row
    assert block_rows(default_registry().get("cart").as_object()) == BLOCK
    rows = _rows(wide, 150)
    assert validate_rows(wide, rows) == []
    assert all(900 <= len(r["lines"]) <= 1000 for r in rows)


# Client schemas a review found breaking the column maker; each must give valid rows on both paths.
ODD_SCHEMAS: dict[str, dict[str, Any]] = {
    "empty object": {"fields": [{"name": "id", "type": "integer"}, {"name": "meta", "type": "object"}]},
    "no fields": {"fields": []},
    "derived product of big integers": {  # up to 8.1e15: inside ±2^53, as derived values must be
        "fields": [
            {"name": "a", "type": "integer", "min": 10**7, "max": 9 * 10**7},
            {"name": "b", "type": "integer", "min": 10**7, "max": 9 * 10**7},
            {"name": "c", "type": "integer"},
        ],
        "rules": [{"derive": "c = a * b"}],
    },
    "present_if on a derived field": {
        "fields": [
            {"name": "a", "type": "integer", "min": 0, "max": 3},
            {"name": "flag", "type": "integer"},
            {"name": "note", "type": "string", "required": False},
        ],
        "rules": [{"derive": "flag = a * 2"}, {"present_if": {"field": "note", "when": "flag", "in": [2]}}],
    },
    "ordered pool past int64": {
        "fields": [
            {"name": "low", "type": "integer", "min": 0, "max": 100},
            {"name": "high", "type": "integer", "min": 0, "max": 500, "pool": [150, 10**20]},
        ],
        "rules": [{"order": ["low", "high"]}],
    },
    "unique products in an array": {
        "fields": [
            {
                "name": "ids",
                "type": "array",
                "min_items": 1,
                "max_items": 3,
                "items": {"name": "items[]", "type": "string", "source": "product.id", "unique": True},
            }
        ]
    },
    "array of arrays": {
        "fields": [
            {"name": "id", "type": "pattern", "format": "ID-{digits:2}", "unique": True},
            {
                "name": "grid",
                "type": "array",
                "items": {
                    "name": "items[]",
                    "type": "array",
                    "items": {"name": "items[]", "type": "integer", "min": 0, "max": 9},
                },
            },
        ]
    },
    "codes that must be distinct": {
        "fields": [
            {"name": "id", "type": "pattern", "format": "ID-{digits:3}", "unique": True},
            {
                "name": "tags",
                "type": "array",
                "min_items": 3,
                "max_items": 3,
                "items": {"name": "items[]", "type": "string", "values": ["a", "b", "c"]},
            },
        ]
    },
}


@pytest.mark.parametrize("case", sorted(ODD_SCHEMAS))
def test_odd_client_schemas_give_valid_rows_on_both_paths(case: str) -> None:
    schema = EntitySchema.model_validate({"name": "odd", **ODD_SCHEMAS[case]})
    assert _used_columns(schema)
    count = 100 if case == "array of arrays" else 1000  # id spaces of 100 and 1,000: no id to spare
    for columns in (True, False):
        rows = _rows(schema, count, columns=columns)
        assert len(rows) == count
        assert validate_rows(schema, rows) == [], (case, columns)


def test_a_negative_count_makes_no_rows_on_either_path() -> None:
    schema = default_registry().get("cart")
    assert _rows(schema, -3) == _rows(schema, -3, columns=False) == []


def test_checks_refuse_what_the_array_proofs_cannot_hold() -> None:
    assert _marked(MONEY, [2**62, 5]) == [True, False]  # 2**62 * 100 wraps in int64
    assert _marked(CART_ID, ["CRT-2025-ABC", "CRT-2025-DEFGHIJKLM"]) == [True, True]  # 2 x 19 characters
    counted = EntitySchema.model_validate(
        {
            "name": "counted",
            "fields": [
                {
                    "name": "items",
                    "type": "array",
                    "items": {"name": "item", "type": "object", "fields": [{"name": "x", "type": "integer"}]},
                },
                {"name": "c", "type": "integer"},
            ],
            "rules": [{"derive": "c = count(items[].x)"}],
        }
    )
    objs = [{"items": [{"x": None}, {"x": 1}], "c": 2}]  # count() skips nulls: c should be 1
    inner = Block(np.random.default_rng(0), 2, np.zeros(2, dtype=np.int64))
    inner.cols = {"x": [None, 1]}
    b = Block(np.random.default_rng(0), 1, np.zeros(1, dtype=np.int64))
    b.cols = {"items": [objs[0]["items"]], "c": [2]}
    b.arrays["items"] = (inner, np.array([0, 0]))
    bad = np.zeros(1, dtype=bool)
    RuleCheck(counted.as_object(), WINDOW).mark(objs, b, bad)
    assert bad.tolist() == [True]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(constrained_requests(), st.integers(64, 1500))
def test_column_rows_under_random_constraints_keep_them_and_every_rule(
    request: DataRequest, count: int
) -> None:
    request.defect_triggering = False  # plain rows: the column maker's
    request.count = count
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    assert job.columns
    rows = [r for batch in generate(job) for r in batch]
    schema = apply_constraints(default_registry().get(request.entity), request.constraints)
    assert len(rows) == count
    assert validate_rows(schema, rows) == []
    for path, c in request.constraints.items():
        for row in rows:
            assert all(v is None or c.min <= v <= c.max for v in _values_at(row, path))


def test_unique_product_ids_past_the_catalogue_get_their_round_when_row_made() -> None:
    # max_length sends the field to its row maker inside the column maker; it must see the walk's round.
    schema = EntitySchema.model_validate(
        {
            "name": "listing",
            "fields": [
                {
                    "name": "product_id",
                    "type": "string",
                    "source": "product.id",
                    "unique": True,
                    "max_length": 40,
                },
                {"name": "name", "type": "string", "source": "product.name"},
            ],
        }
    )
    size = sum(len(t.products) for t in load_catalogue())
    rows = _rows(schema, 2 * size + 100)  # the walk comes round twice
    assert validate_rows(schema, rows) == []
    assert any(r["product_id"].endswith("-2") for r in rows)


def test_a_unique_range_holds_a_value_per_row_null_or_not() -> None:
    # A row's unique values are read at its slot (tools/seeds.py), so a range needs a value per row
    # even where half the rows are null; short of that, both paths refuse, naming the field.
    def schema(top: int) -> EntitySchema:
        ref = {"name": "ref", "type": "integer", "min": 1, "max": top, "unique": True, "null_rate": 0.5}
        return EntitySchema.model_validate({"name": "t", "fields": [ref]})

    for columns in (True, False):
        rows = _rows(schema(1000), 1000, columns=columns)
        assert validate_rows(schema(1000), rows) == []
        assert 400 < sum(r["ref"] is not None for r in rows) < 600
        with pytest.raises(InvalidRequest) as caught:
            _rows(schema(800), 1000, columns=columns)
        assert caught.value.field == "ref" and "800" in caught.value.message


@pytest.mark.parametrize("entity", ["order", "payment", "notification", "support_ticket", "customer"])
def test_column_rows_have_the_row_makers_share_of_absent_fields(entity: str) -> None:
    # present_if gates and null rates decide which fields are absent: the same shares on both paths.
    schema = default_registry().get(entity)
    by_columns, by_rows = _rows(schema, 3000, seed=5), _rows(schema, 3000, seed=5, columns=False)
    for f in schema.fields:
        share = [sum(r[f.name] is None for r in rows) / len(rows) for rows in (by_columns, by_rows)]
        assert abs(share[0] - share[1]) < 0.05, (f.name, share)
