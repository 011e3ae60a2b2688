"""One clock per family, statuses told at `as_of`, and the shapes of time (tools/world/stories.py,
lifecycle.py, timeline.py), through the public paths GenerateData and GenerateDataset take."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agent.datasets import DatasetRequest, keyword_run
from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.plan import GenerationPlan
from agent.request import DataRequest, ScenarioRequest
from tools.constraints import FieldConstraint
from tools.engine import generate
from tools.errors import InvalidRequest
from tools.registry import default_registry
from tools.temporal import DAY, REFERENCE_SECONDS, parse_as_of, parse_datetime
from tools.world.stories import ORDER_STEPS, order_story
from tools.world.timeline import utc_offset

FINAL = {"delivered", "returned", "cancelled"}


def rows(entity: str, n: int, as_of: str = "", seed: int = 7, **extra: object) -> list[dict]:
    request = DataRequest(entity=entity, count=n, seed=seed, as_of=as_of, **extra)  # type: ignore[arg-type]
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    return [r for batch in generate(job) for r in batch]


def family(customers: int, seed: int, locale: str = "en_US", as_of: str = "") -> dict[str, list[dict]]:
    request = DatasetRequest(entities={"customer": customers}, seed=seed, locale=locale, as_of=as_of)
    out: dict[str, list[dict]] = {}
    for entity, batch in keyword_run(request, default_registry(), max_rows=10**6).batches():
        out.setdefault(entity, []).extend(batch)
    return out


@pytest.mark.parametrize("as_of", ["", "2024-06-30T12:00:00Z"])
def test_an_order_is_what_its_age_says_at_as_of(as_of: str) -> None:
    seen = parse_as_of(as_of)
    made = rows("order", 3000, as_of)
    assert {r["status"] for r in made} >= FINAL  # and a few in flight, at most
    for r in made:
        age = seen - parse_datetime(r["created_at"])
        assert age >= 0 and (age < 30 * DAY or r["status"] in FINAL), r
        for field in ("shipped_at", "delivered_at", "updated_at"):
            assert r[field] is None or parse_datetime(r[field]) <= seen
        assert r["order_id"][4:8] == r["created_at"][:4]  # its id carries its own year
    in_flight = sum(r["status"] not in FINAL for r in made)
    assert in_flight < 0.02 * len(made)


def test_a_wanted_status_places_the_record_when_it_would_be_in_it() -> None:
    scenarios = [
        ScenarioRequest("moving", 40, {"status": "shipped"}),
        ScenarioRequest("new", 20, {"status": "pending"}),
        ScenarioRequest("back", 40, {"status": "returned"}),
    ]
    made = rows("order", 100, scenarios=scenarios)
    for r in made:
        age = REFERENCE_SECONDS - parse_datetime(r["created_at"])
        if r["_scenario"] == "moving":
            assert r["shipped_at"] and not r["delivered_at"] and age < 15 * DAY
        elif r["_scenario"] == "new":
            assert r["shipped_at"] is None and age < DAY
        else:
            assert r["delivered_at"] and parse_datetime(r["updated_at"]) <= REFERENCE_SECONDS


def test_payments_and_parcels_on_their_own_follow_the_same_story() -> None:
    for p in rows("payment", 1500):
        if p["status"] in ("captured", "refunded", "partially_refunded"):
            assert parse_datetime(p["captured_at"]) - parse_datetime(p["authorized_at"]) <= 72 * 3600
        assert p["status"] != "authorized" or REFERENCE_SECONDS - parse_datetime(p["created_at"]) < 10 * DAY
    for s in rows("shipment", 1500):
        moving = s["status"] in ("label_created", "in_transit", "out_for_delivery")
        age = REFERENCE_SECONDS - parse_datetime(s["ship_date"])
        assert not moving or age < 15 * DAY, s
        assert (s["delivery_date"] is not None) == (s["status"] == "delivered")


def test_as_of_is_checked_and_moves_the_registry_dates() -> None:
    for bad in ("yesterday", "2026-02-30T00:00:00Z", "2026-06-30", "0100-01-01T00:00:00Z"):
        with pytest.raises(InvalidRequest) as err:
            rows("order", 1, bad)
        assert err.value.field == "as_of"
    assert parse_as_of("2026-06-30T14:00:00+02:00") == parse_datetime("2026-06-30T12:00:00Z")
    later = rows("customer", 300, "2027-12-31T23:59:59Z")
    # Registrations end two weeks before as_of (customer.yaml), moved with it by two years.
    assert max(r["registration_date"] for r in later) > "2027-01"
    assert all(r["registration_date"] <= "2027-12-18" for r in later)


def test_shoppers_shop_in_the_evening_and_in_november() -> None:
    carts = rows("cart", 20_000)
    offset = utc_offset("en_US")
    hours = Counter(((parse_datetime(c["created_at"]) + offset) // 3600) % 24 for c in carts)
    night = sum(hours[h] for h in range(1, 6))
    evening = sum(hours[h] for h in range(18, 23))
    assert evening > 3 * night
    last_year = [c for c in carts if c["created_at"].startswith("2025")]
    months = Counter(int(c["created_at"][5:7]) for c in last_year)
    assert (months[11] + months[12]) / len(last_year) > 0.18  # flat would be 2/12 = 0.167
    black_friday = sum(c["created_at"][:10] == "2025-11-28" for c in carts)
    assert black_friday > 2.5 * len(last_year) / 365


def test_a_holiday_rush_plan_amplifies_the_named_peaks() -> None:
    def rush_share(made: list[dict]) -> float:
        last_year = [r for r in made if r["created_at"].startswith("2025")]
        return sum(r["created_at"][:10] in ("2025-11-28", "2025-12-01") for r in last_year) / len(last_year)

    usual, rush = rows("cart", 20_000), rows("cart", 20_000, context="holiday rush")
    assert rush_share(rush) > 1.3 * rush_share(usual)
    request = DatasetRequest(entities={"customer": 5}, seed=1, context="black friday week")
    assert keyword_run(request, default_registry(), max_rows=10**6).plan.peaks["cyber_monday"] == 2.0  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="unknown peak 'xmas'"):
        GenerationPlan(peaks={"xmas": 2})
    with pytest.raises(ValidationError, match="from 0 to 10"):
        GenerationPlan(peaks={"black_friday": 50})


def test_an_order_story_keeps_every_carrier_and_payment_rule() -> None:
    rnd = random.Random(3).random
    for i in range(3000):
        start = REFERENCE_SECONDS - int(400 * DAY * rnd())
        story = order_story(start, REFERENCE_SECONDS, {"country": "US", "service": "standard"}, -18000, rnd)
        at = story.at
        steps = [at[s] for s in ORDER_STEPS if s in at]
        assert steps == sorted(steps), (i, at)
        if "delivered" in at:
            assert at["delivered"] // DAY > at["shipped"] // DAY  # a UTC day or more in transit
            assert at["delivered"] - at["shipped"] <= 10 * DAY
            assert at["captured"] <= at["shipped"] and at["captured"] - at["authorized"] <= 72 * 3600
        if "refunded" in at:
            assert story.refund in ("full", "partial")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    locale=st.sampled_from(["en_US", "de_DE", "ja_JP", "en_GB"]),
    as_of=st.sampled_from(["", "2024-03-01T00:00:00Z", "2026-11-27T18:00:00Z"]),
)
def test_every_family_keeps_one_clock(seed: int, locale: str, as_of: str) -> None:
    seen = parse_as_of(as_of)
    f = family(25, seed, locale, as_of)
    orders = {o["order_id"]: o for o in f["order"]}
    shipments = {s["shipment_id"]: s for s in f.get("shipment", [])}
    for s in shipments.values():
        o = orders[s["order_id"]]
        if s["status"] != "label_created":
            assert s["ship_date"] == o["shipped_at"][:10] and s["carrier"]
        assert (s["delivery_date"] or "") == (o["delivered_at"] or "")[:10]
    for t in f.get("tracking", []):
        o = orders[shipments[t["shipment_id"]]["order_id"]]
        assert parse_datetime(t["timestamp"]) <= seen
        if t["status"] == "delivered":
            assert t["timestamp"] == o["delivered_at"]
            assert t["location"].startswith(o["shipping_address"]["city"]) or locale == "ja_JP"
    payments = {p["payment_id"]: p for p in f["payment"]}
    for r in f.get("refund", []):
        p = payments[r["payment_id"]]
        assert (p["status"] == "refunded") == (abs(r["amount"] - p["amount"]) < 1e-9)
        assert r["reason_code"] != "order_cancelled" or orders[r["order_id"]]["status"] == "cancelled"
    for r in f.get("review", []):
        assert r["created_at"] >= orders[r["order_id"]]["delivered_at"]
    carts = {c["cart_id"]: c for c in f.get("cart", [])}
    for o in orders.values():
        if o["cart_id"]:
            cart = carts[o["cart_id"]]
            assert cart["created_at"] <= o["created_at"] and cart["currency"] == o["currency"]
            assert [(i["product_id"], i["price"]) for i in cart["items"]] == [
                (i["product_id"], i["price"]) for i in o["items"]
            ]
        assert parse_datetime(o["updated_at"]) <= seen
    delivered: Counter[str] = Counter()
    per_dollar = 150 if locale == "ja_JP" else 1  # lifetime value is kept in dollar magnitude
    for o in orders.values():
        if o["status"] == "delivered":
            delivered[o["customer_id"]] += o["total"] / per_dollar
    for c in f["customer"]:
        assert c["lifetime_value"] + 0.01 >= delivered[c["customer_id"]] or c["lifetime_value"] == 25000
        last = max(
            (o["created_at"] for o in orders.values() if o["customer_id"] == c["customer_id"]), default=""
        )
        assert last <= c["last_login"]


def test_what_a_story_cannot_tell_is_left_to_the_rules() -> None:
    # In flight on the van, on its own and as a parcel: the round is pinned to as_of.
    for entity in ("order", "shipment", "shipping"):
        made = rows(entity, 60, scenarios=[ScenarioRequest("van", 60, {"status": "out_for_delivery"})])
        assert {r["status"] for r in made} == {"out_for_delivery"}
    # A status no story has, or an event time the request fixes: the rows hold by the rules alone.
    for entity, status in (("order", "on_hold"), ("payment", "chargeback"), ("support_ticket", "escalated")):
        made = rows(entity, 30, constraints={"status": FieldConstraint(enum_values=[status])})
        assert {r["status"] for r in made} == {status}
    fixed = rows("order", 40, scenarios=[ScenarioRequest("s", 40, {"shipped_at": "2025-06-01T00:00:00Z"})])
    assert all(r["shipped_at"] in (None, "2025-06-01T00:00:00Z") for r in fixed)
    # Edge cases are told around: a far-past order is final, and its events follow it.
    for r in rows("order", 400, defect_triggering=True):
        if r.get("_edge_case", "").startswith("created_at"):
            assert r["status"] in FINAL or REFERENCE_SECONDS - parse_datetime(r["created_at"]) < 30 * DAY


def test_a_cancelled_story_stops_at_the_cancellation() -> None:
    rnd = random.Random(5).random
    for _ in range(2000):
        story = order_story(
            REFERENCE_SECONDS - 90 * DAY, REFERENCE_SECONDS, {"country": "US"}, 0, rnd, "cancelled"
        )
        steps = [t for s, t in story.at.items() if s in ("confirmed", "processing")]
        assert all(t < story.at["cancelled"] for t in steps) and story.status == "cancelled"


def test_ids_of_column_made_rows_carry_their_year() -> None:
    carts = rows("cart", 5000)  # the column maker past the first rows
    assert {c["cart_id"][4:8] for c in carts} == {"2024", "2025"}
    assert all(c["cart_id"][4:8] == c["created_at"][:4] for c in carts)
    assert datetime.fromtimestamp(REFERENCE_SECONDS, UTC).year == 2025
