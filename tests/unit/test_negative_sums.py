"""Negative rows break the sums a checkout must reject (subtotal, tax, total) and the order lifecycle
(shipped before created, a delivered_at where the status has none), each alone, and say what a
correct system should reject them with."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

import psycopg
import pytest

from agent.request import DataRequest
from tests.helpers import document_for, rows_for
from tools.derive import derivations
from tools.registry import default_registry
from tools.validator import compile_validator

SEEDS = (1, 2, 3)
COUNT = 400
# What each derived field's expected_error must name: the inputs of its rule.
NAMES = {
    "cart": {
        "subtotal": ["items[].quantity", "items[].price"],
        "tax": ["subtotal", "tax_rate"],
        "total": ["subtotal", "tax"],
    },
    "order": {
        "subtotal": ["items[].quantity", "items[].price"],
        "tax": ["subtotal", "tax_rate"],
        "total": ["subtotal", "tax", "shipping"],
    },
}
_rows: dict[tuple[str, int], list[dict[str, Any]]] = {}


def negative_rows(entity: str, seed: int) -> list[dict[str, Any]]:
    if (entity, seed) not in _rows:
        _rows[entity, seed] = rows_for(DataRequest(entity=entity, count=COUNT, seed=seed, negative=True))
    return _rows[entity, seed]


def _money(value: float) -> str:
    return f"{value:.2f}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("entity", ["cart", "order"])
def test_negative_rows_break_each_derived_sum_with_a_fair_share(entity: str, seed: int) -> None:
    rows = negative_rows(entity, seed)
    tagged = Counter((r["_violates"]["rule"], r["_violates"]["path"]) for r in rows)
    per_path = len(rows) / len(tagged)  # what a rule at one path gets on average
    for target in NAMES[entity]:
        assert tagged["derive", target] >= per_path / 2, (target, tagged)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("entity", ["cart", "order"])
def test_every_negative_row_breaks_exactly_its_tagged_rule(entity: str, seed: int) -> None:
    schema = default_registry().get(entity)
    validate = compile_validator(schema)
    for row in negative_rows(entity, seed):
        tag = row["_violates"]
        found = validate(row)
        assert len(found) == 1, (tag, found)
        assert (found[0].rule, found[0].path, str(found[0])) == (tag["rule"], tag["path"], tag["error"])


@pytest.mark.parametrize("entity", ["cart", "order"])
def test_every_negative_row_says_what_to_reject_it_with_naming_the_field(entity: str) -> None:
    for row in negative_rows(entity, 1):
        tag = row["_violates"]
        assert tag["expected_error"].startswith("reject: ") and tag["path"] in tag["expected_error"], tag


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("entity", ["cart", "order"])
def test_a_broken_sum_leaves_the_sums_after_it_consistent_and_says_why(entity: str, seed: int) -> None:
    schema = default_registry().get(entity)
    rules = {d.target: d for d in derivations(schema.as_object(), "")}
    for row in negative_rows(entity, seed):
        tag = row["_violates"]
        if tag["rule"] != "derive":
            continue
        target = tag["path"]
        for other, d in rules.items():  # only the tagged rule fails: every other sum holds
            if other != target:
                assert row[other] == pytest.approx(d.value(row), abs=0.001), (target, other, row)
        expected = rules[target].value(row)
        assert row[target] != pytest.approx(expected, abs=0.001)
        sentence = tag["expected_error"]
        assert sentence.startswith(f"reject: {target} {_money(row[target])} != ")
        assert sentence.endswith(f" = {_money(expected)}"), sentence
        for name in NAMES[entity][target]:
            assert name in sentence, (name, sentence)
        for name in NAMES[entity][target]:
            if "[]" not in name and name != "tax_rate":
                assert f"{name} {_money(row[name])}" in sentence, (name, sentence)


def test_a_broken_sum_comes_in_the_ways_a_checkout_gets_it_wrong() -> None:
    """A stale subtotal after a line changed, a total without its tax or shipping, a tax not charged,
    and a cent off: not one fixed nudge."""
    ways: Counter[str] = Counter()
    for entity in ("cart", "order"):
        for row in negative_rows(entity, 1) + negative_rows(entity, 2):
            tag = row["_violates"]
            if tag["rule"] != "derive":
                continue
            off = abs(row[tag["path"]] - float(tag["expected_error"].rsplit(" = ", 1)[1]))
            ways["cent" if off < 0.015 else "more"] += 1
            if tag["path"] == "tax" and row["tax"] == 0:
                ways["tax not charged"] += 1
            if tag["path"] == "total" and row["total"] == pytest.approx(
                row["subtotal"] + row.get("shipping", 0)
            ):
                ways["total without tax"] += 1
    assert all(ways[w] for w in ("cent", "more", "tax not charged", "total without tax")), ways


@pytest.mark.parametrize("seed", SEEDS)
def test_orders_break_their_lifecycle_alone(seed: int) -> None:
    rows = negative_rows("order", seed)
    by_tag: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        by_tag.setdefault((row["_violates"]["rule"], row["_violates"]["path"]), []).append(row)

    shipped_early = by_tag[("order", "shipped_at")]
    for row in shipped_early:  # ISO datetimes in one form sort as text
        assert row["shipped_at"] < row["created_at"]
        assert row["_violates"]["expected_error"] == (
            f"reject: shipped_at {row['shipped_at']} is before created_at {row['created_at']}"
        )
    assert ("order", "delivered_at") in by_tag and ("order", "updated_at") in by_tag

    delivered_rule = by_tag[("present_if", "delivered_at")]
    misplaced = [r for r in delivered_rule if r["delivered_at"] is not None]
    missing = [r for r in delivered_rule if r["delivered_at"] is None]
    assert misplaced and missing
    for row in misplaced:
        assert row["status"] not in ("delivered", "returned")
        assert f"status is {row['status']!r}" in row["_violates"]["expected_error"]
    for row in missing:
        assert row["status"] in ("delivered", "returned")
    assert ("present_if", "shipped_at") in by_tag


def test_a_delivered_at_on_a_pending_order_is_among_them() -> None:
    statuses = Counter(
        row["status"]
        for seed in SEEDS
        for row in negative_rows("order", seed)
        if row["_violates"]["path"] == "delivered_at" and row["delivered_at"] is not None
        if row["_violates"]["rule"] == "present_if"
    )
    assert statuses["pending"] and len(statuses) >= 3, statuses


def test_a_derive_rule_of_a_clients_schema_breaks_alone_too() -> None:
    """Nothing above is particular to carts: a chain of two derived fields in a client's schema."""
    schema = {
        "name": "invoice",
        "fields": {
            "qty": {"type": "integer", "min": 1, "max": 9},
            "unit": {"type": "money", "min": 1, "max": 100},
            "fee": {"type": "money", "min": 0, "max": 5, "pool": [0, 1.5, 3]},
            "net": {"type": "money", "min": 0},
            "gross": {"type": "money", "min": 0},
        },
        "rules": [{"derive": "net = qty * unit"}, {"derive": "gross = round(net + fee, 2)"}],
    }
    rows = rows_for(DataRequest(custom_schema=json.dumps(schema), count=200, seed=5, negative=True))
    derived = Counter(r["_violates"]["path"] for r in rows if r["_violates"]["rule"] == "derive")
    assert derived["net"] and derived["gross"], derived
    for row in rows:
        if row["_violates"]["rule"] == "derive" and row["_violates"]["path"] == "net":
            assert row["gross"] == pytest.approx(row["net"] + row["fee"])  # gross follows the wrong net


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_expected_error_goes_out_in_every_format_the_same_each_time(fmt: str) -> None:
    def document() -> str:
        return document_for(DataRequest(entity="order", count=60, seed=4, negative=True, output_format=fmt))

    text = document()
    assert text == document()  # same request and seed, same bytes
    if fmt == "json":
        tags = [r["_violates"] for r in json.loads(text)]
    else:
        tags = [json.loads(r["_violates"]) for r in csv.DictReader(io.StringIO(text))]
    assert len(tags) == 60
    for tag in tags:
        assert set(tag) == {"rule", "path", "error", "expected_error"}
        assert tag["expected_error"].startswith("reject: ")


def test_negative_sql_loads_into_postgresql_with_expected_errors(pg: psycopg.Connection) -> None:
    pg.execute(
        document_for(DataRequest(entity="order", count=300, seed=4, negative=True, output_format="sql"))
    )
    got = pg.execute(
        """SELECT _violates->>'rule', _violates->>'path', _violates->>'expected_error' FROM "order"
           ORDER BY _index"""
    ).fetchall()
    want = [r["_violates"] for r in negative_rows_of("order", 300, 4)]
    assert got == [(t["rule"], t["path"], t["expected_error"]) for t in want]
    assert {"derive", "order", "present_if"} <= {rule for rule, _, _ in got}


def negative_rows_of(entity: str, count: int, seed: int) -> list[dict[str, Any]]:
    return rows_for(DataRequest(entity=entity, count=count, seed=seed, negative=True))
