"""Realism II measures of time on hand-made rows (no engine): statuses seen at as_of, nothing after
as_of, and the shapes of time (local hours, weekdays, the holiday months, delivery days)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from evals.realism.lifecycle import future_checks, future_event_share, status_checks
from evals.realism.sample import AS_OF, SMALL, Row, Sample
from evals.realism.table import Check
from evals.realism.time_shapes import distinct_orders, holiday_lift, time_shape_checks, weekday_cv, zone_of

OHIO = {"city": "Columbus", "state": "OH", "country": "US"}


def seconds(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def by_scope(checks: list[Check], metric: str) -> dict[str, float | None]:
    return {c.scope.split(" ")[0]: c.value for c in checks if c.metric == metric}


def test_old_orders_parcels_and_tickets_are_no_longer_open_at_as_of() -> None:
    old, young = "2025-06-01T10:00:00Z", "2025-12-20T10:00:00Z"
    orders = [{"order_id": f"O{i}", "created_at": old, "status": "shipped"} for i in range(4)]
    orders += [
        {"order_id": "D", "created_at": old, "status": "delivered"},
        {"order_id": "Y", "created_at": young, "status": "pending"},  # young: not counted
    ]
    parcels = [
        {"ship_date": "2025-10-01", "status": "in_transit"},
        {"ship_date": "2025-10-01", "status": "delivered"},
        {"ship_date": "2025-12-28", "status": "in_transit"},
    ]
    tickets = [
        {"created_at": old, "status": "open"},
        {"created_at": old, "status": "closed"},
        {"created_at": young, "status": "open"},
    ]
    done = [{"order_id": "D", "created_at": old, "status": "delivered"}]
    s = Sample(
        SMALL,
        owners={"order": orders, "shipment": parcels, "shipping": parcels, "support_ticket": tickets},
        rows={"order": done, "support_ticket": tickets[1:]},
    )
    checks = status_checks(s)
    assert by_scope(checks, "orders_open_after_60d") == {"dataset/en_US": 0.8, "order/en_US": 0.0}
    assert by_scope(checks, "shipment_moving_after_30d") == {"dataset/en_US": 0.5, "shipment/en_US": None}
    assert by_scope(checks, "shipping_moving_after_30d") == {"dataset/en_US": 0.5}
    assert by_scope(checks, "tickets_open_after_30d") == {"dataset/en_US": 0.5, "support_ticket/en_US": 0.0}
    # Seen a month after the orders were placed, they may still be on their way.
    later = status_checks(Sample(SMALL, owners={"order": orders}, as_of=seconds("2025-07-01T00:00:00")))
    assert by_scope(later, "orders_open_after_60d")["dataset/en_US"] is None


COUPONS = [
    {"status": "active", "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2025-06-30T00:00:00Z"},  # over
    {"status": "active", "valid_from": "2025-12-01T00:00:00Z", "valid_until": "2026-01-31T00:00:00Z"},
    {
        "status": "scheduled",
        "valid_from": "2025-11-01T00:00:00Z",
        "valid_until": "2026-01-31T00:00:00Z",
    },  # begun
    {"status": "scheduled", "valid_from": "2026-02-01T00:00:00Z", "valid_until": "2026-03-31T00:00:00Z"},
    {
        "status": "expired",
        "valid_from": "2025-11-01T00:00:00Z",
        "valid_until": "2026-03-01T00:00:00Z",
    },  # not over
    {"status": "expired", "valid_from": "2025-01-01T00:00:00Z", "valid_until": "2025-03-01T00:00:00Z"},
    {
        "status": "disabled",
        "valid_from": "2025-01-01T00:00:00Z",
        "valid_until": "2026-03-01T00:00:00Z",
    },  # any
]


def test_a_status_is_its_window_seen_at_as_of() -> None:
    promotions = [
        {"status": "active", "start_date": "2025-12-31", "end_date": "2025-12-31"},  # a date lasts its day
        {"status": "ended", "start_date": "2025-12-01", "end_date": "2025-12-31"},
        {"status": "ended", "start_date": "2025-12-01", "end_date": "2026-01-02"},  # not over
        {"status": "draft", "start_date": "2026-01-01", "end_date": "2026-01-02"},
    ]
    gift_cards = [
        {"status": "active", "expires_at": "2025-06-01T00:00:00Z"},
        {"status": "active", "expires_at": "2027-06-01T00:00:00Z"},
        {"status": "active"},
    ]
    subscriptions = [
        {"status": "active", "next_delivery": "2025-11-01"},
        {"status": "past_due", "next_delivery": "2026-01-15"},
        {"status": "cancelled"},
    ]
    s = Sample(
        SMALL,
        discounts={"coupon": COUPONS, "promotion": promotions},
        rows={"gift_card": gift_cards, "subscription": subscriptions},
    )
    out = {(c.metric, c.scope.split(" ")[0]): c.value for c in status_checks(s)}
    assert out[("coupon_status_outside_window", "dataset/en_US")] == 0.5
    assert out[("promotion_status_outside_window", "dataset/en_US")] == pytest.approx(1 / 3)
    assert out[("gift_card_status_outside_window", "gift_card/en_US")] == pytest.approx(1 / 3)
    assert out[("subscription_status_outside_window", "subscription/en_US")] == 0.5
    assert out[("discount_status_outside_window", "dataset/en_US")] is None  # no discount rows: n/a
    # Seen in August, the coupon that began in November is rightly still scheduled.
    august = Sample(SMALL, discounts={"coupon": COUPONS[2:3]}, as_of=seconds("2025-08-01T00:00:00"))
    assert by_scope(status_checks(august), "coupon_status_outside_window")["dataset/en_US"] == 0.0


def test_nothing_has_happened_after_as_of_but_plans_may_lie_ahead() -> None:
    rows = [
        {"created_at": "2026-01-01T00:00:00Z"},  # an event after as_of
        {"ship_date": "2025-12-31", "estimated_delivery": "2026-01-05"},  # a plan may
        {"ship_date": "2026-01-01"},
        {
            "valid_until": "2027-01-01T00:00:00Z",
            "next_delivery": "2026-02-01",
            "expires_at": "2030-01-01T00:00:00Z",
        },
        {"created_at": "2025-12-31T23:59:59Z", "note": "2026-01-01 was the promised date"},  # text, not time
    ]
    flags, where = future_event_share([("shipment", rows)], AS_OF)
    assert flags == [True, False, True, False, False]
    assert where["shipment.created_at"] == 1 and where["shipment.ship_date"] == 1
    checks = future_checks(Sample(SMALL, owners={"shipment": rows[1:2]}, rows={"order": rows[:1]}))
    assert [c.value for c in checks] == [0.0, None, 1.0]


def orders_at(stamps: list[str], **fields: object) -> list[Row]:
    base = {"shipping_address": OHIO, "currency": "USD"}
    return [{**base, "order_id": f"O{i}", "created_at": t, **fields} for i, t in enumerate(stamps)]


def shapes(orders: list[Row]) -> dict[str, float | None]:
    return {c.metric: c.value for c in time_shape_checks(Sample(SMALL, owners={"order": orders}))}


def test_hours_are_read_in_the_orders_local_time() -> None:
    assert str(zone_of({"shipping_address": {"country": "US", "state": "CA"}})) == "America/Los_Angeles"
    assert str(zone_of({"currency": "JPY"})) == "Asia/Tokyo"
    assert str(zone_of({"shipping_address": {"country": "GB", "state": "North West"}})) == "Europe/London"
    assert zone_of({"shipping_address": {"country": "XX"}, "currency": "XXX"}) is None
    days = [f"2025-06-{d:02d}" for d in range(1, 29)]
    small_hours = shapes(orders_at([f"{d}T07:00:00Z" for d in days]))  # 03:00 in Ohio (EDT)
    assert small_hours["night_orders_local"] == 1.0 and small_hours["evening_orders_local"] == 0.0
    tokyo = orders_at([f"{d}T12:00:00Z" for d in days], shipping_address={"country": "JP"})  # 21:00 JST
    assert shapes(tokyo)["evening_orders_local"] == 1.0


def test_weekday_profile_less_the_noise_of_a_flat_week() -> None:
    assert weekday_cv([0] * 140) == pytest.approx((6 - 6 / 140) ** 0.5)  # every order on a Monday
    assert weekday_cv(list(range(7)) * 20) == 0.0  # perfectly flat
    assert weekday_cv([0] * 10) is None  # too few to say


def test_the_holiday_months_and_their_lift_over_the_years_trend() -> None:
    def year(per_month: list[int]) -> list[Row]:
        return orders_at([f"2025-{m:02d}-10T16:00:00Z" for m, n in enumerate(per_month, 1) for _ in range(n)])

    seasonal, flat, growing = [10] * 10 + [15, 15], [10] * 12, list(range(11, 23))
    assert holiday_lift(seasonal) == 1.5 and holiday_lift(flat) == 1.0
    assert holiday_lift(growing) == pytest.approx(1.0)  # growth alone is no holiday season
    got = {
        name: shapes(year(months))
        for name, months in (("seasonal", seasonal), ("flat", flat), ("growing", growing))
    }
    assert got["seasonal"]["nov_dec_share"] == pytest.approx(30 / 130)
    assert got["seasonal"]["nov_dec_lift_over_trend"] == 1.5
    assert got["flat"]["nov_dec_share"] == pytest.approx(20 / 120)
    assert got["growing"]["nov_dec_share"] == pytest.approx(43 / 198)  # passes 0.18..0.30 on trend alone
    assert got["growing"]["nov_dec_lift_over_trend"] == pytest.approx(1.0)  # the lift does not


def test_parcels_seldom_land_on_sunday_and_never_hours_after_shipping() -> None:
    sunday = orders_at(
        ["2025-05-30T16:00:00Z"] * 3, shipped_at="2025-06-01T10:00:00Z", delivered_at="2025-06-01T15:00:00Z"
    )  # 2025-06-01 is a Sunday; 5 hours
    monday = orders_at(
        ["2025-05-30T16:00:00Z"] * 3, shipped_at="2025-05-30T22:00:00Z", delivered_at="2025-06-02T18:00:00Z"
    )
    assert (shapes(sunday)["sunday_deliveries"], shapes(sunday)["delivered_within_6h"]) == (1.0, 1.0)
    assert (shapes(monday)["sunday_deliveries"], shapes(monday)["delivered_within_6h"]) == (0.0, 0.0)


def test_orders_repeated_across_locale_families_count_once() -> None:
    pool = orders_at(["2025-06-01T16:00:00Z", "2025-06-02T16:00:00Z"])
    same_utc = [{**o, "shipping_address": {"country": "JP"}} for o in pool]
    # 12:00 in Ohio (EDT) is 16:00Z; 12:00 in Texas (CDT) is 17:00Z: the same wall clock, another instant
    same_wall_clock = [{**o, "created_at": o["created_at"].replace("16:00", "17:00")} for o in pool]
    same_wall_clock = [{**o, "shipping_address": {"country": "US", "state": "TX"}} for o in same_wall_clock]
    other_ids = [{**o, "order_id": o["order_id"] + "X"} for o in pool]
    assert len(distinct_orders([pool, same_utc, same_wall_clock])) == 2
    assert len(distinct_orders([pool, other_ids])) == 4


def test_no_orders_reads_na_with_the_reason() -> None:
    checks = time_shape_checks(Sample(SMALL))
    assert all(c.value is None and c.note for c in checks)
    no_zone = orders_at(["2025-06-01T16:00:00Z"], shipping_address={"country": "XX"}, currency="XXX")
    assert {c.note for c in time_shape_checks(Sample(SMALL, owners={"order": no_zone}))} >= {
        "no order has a known country and time zone"
    }
