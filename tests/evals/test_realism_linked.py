"""Realism II measures on hand-made linked families (no engine): a family that tells one story reads the
good figure on every measure, the same family with each link broken reads the bad one, and missing
fields read n/a with the reason instead of crashing."""

from __future__ import annotations

import pytest

from evals.realism.activity import activity_checks
from evals.realism.carriers import carrier_checks, carrier_key, tracking_ok
from evals.realism.ids import id_year_agrees, id_year_checks
from evals.realism.refunds import refund_checks
from evals.realism.sample import SMALL, Family, Row, Sample
from evals.realism.table import Check
from evals.realism.timeline import cart_checks, timeline_checks

HOME = {"street": "1 High St", "city": "Columbus", "state": "OH", "zip": "43215", "country": "US"}


def linked_family(bad: bool = False) -> Family:
    """Three customers. C1: a delivered order from a cart, partly refunded for transit damage; a cancelled
    order refunded in full; a returned order refunded in full. C2, C3: one delivered order each. `bad`
    breaks every link the measures read."""
    y = "2024" if bad else "2025"  # the year in the ids; rows are made in 2025
    items = [{"product_id": "PRD-1", "sku": "K-1", "quantity": 2, "price": 50.0}]
    cart_items = [{**items[0], "price": 45.0}] if bad else items
    customers = [
        {
            "customer_id": "C1",
            "lifetime_value": 1.0 if bad else 1000.0,
            "last_login": "2025-05-01T00:00:00Z" if bad else "2025-06-20T10:00:00Z",
        },
        {
            "customer_id": "C2",
            "lifetime_value": 10.0 if bad else 300.0,
            "last_login": "2025-01-01T00:00:00Z" if bad else "2025-07-01T00:00:00Z",
        },
        {
            "customer_id": "C3",
            "lifetime_value": 15.0 if bad else 100.0,
            "last_login": "2025-01-01T00:00:00Z" if bad else "2025-07-01T00:00:00Z",
        },
    ]
    order = {"currency": "USD", "shipping_address": HOME}
    orders = [
        {
            **order,
            "order_id": f"ORD-{y}-O1",
            "customer_id": "C1",
            "cart_id": f"CRT-{y}-K1",
            "items": items,
            "status": "delivered",
            "total": 100.0,
            "created_at": "2025-06-01T23:30:00Z",
            "shipped_at": "2025-06-03T15:00:00Z" if bad else "2025-06-02T15:00:00Z",
            "delivered_at": "2025-06-06T17:00:00Z" if bad else "2025-06-05T17:00:00Z",
        },
        {
            **order,
            "order_id": f"ORD-{y}-O2",
            "customer_id": "C1",
            "status": "cancelled",
            "total": 40.0,
            "created_at": "2025-06-03T18:00:00Z",
        },
        {
            **order,
            "order_id": f"ORD-{y}-O3",
            "customer_id": "C1",
            "status": "returned",
            "total": 60.0,
            "created_at": "2025-05-01T18:00:00Z",
            "shipped_at": "2025-05-03T15:00:00Z" if bad else "2025-05-02T15:00:00Z",
            "delivered_at": "2025-05-05T16:00:00Z" if bad else "2025-05-04T16:00:00Z",
        },
        {
            **order,
            "order_id": f"ORD-{y}-O4",
            "customer_id": "C2",
            "status": "delivered",
            "total": 50.0,
            "created_at": "2025-06-15T12:00:00Z",
        },
        {
            **order,
            "order_id": f"ORD-{y}-O5",
            "customer_id": "C3",
            "status": "delivered",
            "total": 20.0,
            "created_at": "2025-06-16T12:00:00Z",
        },
    ]
    payments = [
        {
            "payment_id": f"PAY-{y}-P1",
            "order_id": f"ORD-{y}-O1",
            "amount": 100.0,
            "created_at": "2025-06-01T23:31:00Z",
            "status": "refunded" if bad else "partially_refunded",
            "captured_at": "2025-06-04T00:00:00Z" if bad else "2025-06-01T23:45:00Z",
        },
        {
            "payment_id": f"PAY-{y}-P2",
            "order_id": f"ORD-{y}-O2",
            "amount": 40.0,
            "created_at": "2025-06-03T18:01:00Z",
            "status": "partially_refunded" if bad else "refunded",
            "captured_at": "2025-06-03T18:05:00Z",
        },
        {
            "payment_id": f"PAY-{y}-P3",
            "order_id": f"ORD-{y}-O3",
            "amount": 60.0,
            "created_at": "2025-05-01T18:01:00Z",
            "status": "captured" if bad else "refunded",
            "captured_at": "2025-05-04T00:00:00Z" if bad else "2025-05-01T18:10:00Z",
        },
    ]
    refunds = [
        {
            "refund_id": f"REF-{y}-R1",
            "payment_id": f"PAY-{y}-P1",
            "order_id": f"ORD-{y}-O1",
            "amount": 30.0,
            "status": "completed",
            "reason_code": "order_cancelled" if bad else "damaged_in_transit",
            "created_at": "2025-06-01T00:00:00Z" if bad else "2025-06-07T10:00:00Z",
        },
        {
            "refund_id": f"REF-{y}-R2",
            "payment_id": f"PAY-{y}-P2",
            "order_id": f"ORD-{y}-O2",
            "amount": 40.0,
            "status": "completed",
            "reason_code": "late_delivery" if bad else "order_cancelled",
            "created_at": "2025-06-03T18:00:00Z" if bad else "2025-06-04T00:00:00Z",
        },
        {
            "refund_id": f"REF-{y}-R3",
            "payment_id": f"PAY-{y}-P3",
            "order_id": f"ORD-{y}-O3",
            "amount": 60.0,
            "status": "completed",
            "reason_code": "defective",
            "created_at": "2025-05-01T00:00:00Z" if bad else "2025-05-12T00:00:00Z",
        },
        {
            "refund_id": f"REF-{y}-R9",
            "payment_id": f"PAY-{y}-P3",
            "order_id": f"ORD-{y}-O3",
            "amount": 5.0,
            "status": "failed",
            "reason_code": "defective",  # moves no money: not in the sums
            "created_at": "2025-05-01T00:00:00Z" if bad else "2025-05-12T00:00:00Z",
        },
    ]
    shipments = [
        {
            "shipment_id": f"SHP-{y}-S1",
            "order_id": f"ORD-{y}-O1",
            "status": "delivered",
            "ship_date": "2025-06-02",
            "delivery_date": "2025-06-05",
            "carrier": "FedEx" if bad else "UPS",
            "tracking_number": "1Z5R89390357567127",
        },
        {
            "shipment_id": f"SHP-{y}-S3",
            "order_id": f"ORD-{y}-O3",
            "status": "delivered",
            "ship_date": "2025-05-02",
            "delivery_date": "2025-05-04",
            "carrier": "USPS",
            "tracking_number": "9400111201080805483017" if bad else "9400111201080805483016",
        },
    ]
    return {
        "customer": customers,
        "cart": [
            {
                "cart_id": f"CRT-{y}-K1",
                "customer_id": "C1",
                "items": cart_items,
                "currency": "EUR" if bad else "USD",
                "created_at": "2025-06-02T00:00:00Z" if bad else "2025-06-01T22:00:00Z",
            }
        ],
        "order": orders,
        "payment": payments,
        "refund": refunds,
        "shipment": shipments,
        "tracking": [
            {
                "tracking_id": f"TRK-{y}-T1",
                "shipment_id": f"SHP-{y}-S1",
                "status": "delivered",
                "timestamp": "2025-06-05T17:00:00Z",
                "location": "Dallas, TX" if bad else "Columbus, OH",
            },
            {
                "tracking_id": f"TRK-{y}-T3",
                "shipment_id": f"SHP-{y}-S3",
                "status": "delivered",
                "timestamp": "2025-05-04T16:00:00Z",
                "location": "Miami, FL" if bad else "columbus, oh",
            },
            {
                "tracking_id": f"TRK-{y}-T0",
                "shipment_id": f"SHP-{y}-S3",
                "status": "in_transit",
                "timestamp": "2025-05-03T09:00:00Z",
                "location": "Chicago, IL",
            },
        ],
        "shipping": [
            {
                "shipping_id": f"SHG-{y}-G1",
                "order_id": f"ORD-{y}-O1",
                "ship_date": "2025-06-02",
                "carrier": "FedEx",
                "tracking_number": "996578788855" if bad else "986578788855",
            }
        ],
        "review": [
            {
                "review_id": f"REV-{y}-V1",
                "order_id": f"ORD-{y}-O1",
                "created_at": "2025-06-04T00:00:00Z" if bad else "2025-06-10T20:00:00Z",
            }
        ],
        "return": [
            {
                "return_id": f"RET-{y}-RT1",
                "order_id": f"ORD-{y}-O3",
                "created_at": "2025-05-04T00:00:00Z" if bad else "2025-05-10T00:00:00Z",
            }
        ],
    }


def sample(owners: Family, **rows: list[Row]) -> Sample:
    return Sample(SMALL, owners=owners, rows=dict(rows))


def values(checks: list[Check]) -> dict[str, float | None]:
    return {f"{c.metric}@{c.scope.split(' ')[0]}": c.value for c in checks}


TIMELINE_GOOD = {
    "shipped_at_is_first_ship_date": 1.0,
    "delivered_at_is_delivery_date": 1.0,
    "delivered_scan_is_delivered_at": 1.0,
    "shipping_ship_date_is_shipped_at": 1.0,
    "captured_before_shipped": 1.0,
    "reviews_before_delivery": 0.0,
    "refunds_before_capture": 0.0,
    "returns_before_delivery": 0.0,
}


def test_a_family_that_tells_one_story_agrees_on_every_timeline() -> None:
    checks = timeline_checks(sample(linked_family()))
    assert {c.metric: c.value for c in checks} == TIMELINE_GOOD
    assert all(c.verdict == "yes" for c in checks), checks


def test_a_family_with_every_link_broken_reads_the_bad_figure() -> None:
    checks = timeline_checks(sample(linked_family(bad=True)))
    assert {c.metric: c.value for c in checks} == {k: 1.0 - v for k, v in TIMELINE_GOOD.items()}
    assert all(c.verdict == "no" for c in checks)


def test_an_order_is_the_cart_it_was_checked_out_from() -> None:
    good = {c.metric: c.value for c in cart_checks(sample(linked_family()))}
    bad = {c.metric: c.value for c in cart_checks(sample(linked_family(bad=True)))}
    assert good == {
        "cart_found": 1.0,
        "cart_created_before_order": 1.0,
        "items_equal_cart": 1.0,
        "currency_equal_cart": 1.0,
    }
    assert bad == {
        "cart_found": 1.0,
        "cart_created_before_order": 0.0,
        "items_equal_cart": 0.0,
        "currency_equal_cart": 0.0,
    }


def test_payment_status_is_what_its_refunds_add_up_to() -> None:
    good = {c.metric: c.value for c in refund_checks(sample(linked_family()))}
    bad = {c.metric: c.value for c in refund_checks(sample(linked_family(bad=True)))}
    assert good == {
        "refunded_iff_full": 1.0,
        "partially_refunded_iff_less": 1.0,
        "order_cancelled_on_cancelled": 1.0,
        "shipping_reasons_on_shipped": 1.0,
    }
    assert bad == {
        "refunded_iff_full": 0.0,
        "partially_refunded_iff_less": 0.0,
        "order_cancelled_on_cancelled": 0.0,
        "shipping_reasons_on_shipped": 0.0,
    }


def test_ids_carry_the_year_their_record_was_made() -> None:
    assert id_year_agrees(
        {"order_id": "ORD-2025-AB12CD34", "created_at": "2025-01-01T00:00:00Z"}, "order_id", "created_at"
    )
    assert not id_year_agrees(
        {"order_id": "ORD-2025-AB12CD34", "created_at": "2024-12-31T23:59:59Z"}, "order_id", "created_at"
    )
    assert (
        id_year_agrees({"ticket_id": "TKT-1234567", "created_at": "2025-01-01"}, "ticket_id", "created_at")
        is None
    )
    good = values(id_year_checks(sample(linked_family())))
    bad = values(id_year_checks(sample(linked_family(bad=True))))
    for entity in ("order", "cart", "payment", "shipment", "review", "refund", "tracking"):
        assert good[f"{entity}@dataset/en_US"] == 1.0 and bad[f"{entity}@dataset/en_US"] == 0.0
    assert good["other_entities@dataset/en_US"] == 1.0  # return, shipping
    assert good["generate_data_rows@GenerateData"] is None  # no rows: n/a, not a crash


# Published example numbers (carriers' documentation and the UPU S10 standard's worked example).
@pytest.mark.parametrize(
    ("carrier", "number", "form", "digit"),
    [
        ("UPS", "1Z5R89390357567127", True, True),
        ("UPS", "1Z5R89390357567128", True, False),
        ("UPS", "986578788855", False, None),
        ("FedEx", "986578788855", True, True),  # Express, 12 digits
        ("FedEx", "996578788855", True, False),
        ("FedEx", "041441760228964", True, True),  # Ground, 15 digits
        ("FedEx", "1ZX6O94V2442174690", False, None),
        ("USPS", "9400111201080805483016", True, True),  # IMpb, 22 digits
        ("USPS", "03071790000523483741", True, True),  # 20 digits
        ("USPS", "9400111201080805483017", True, False),
        ("USPS", "1Z5R89390357567127", False, None),
        ("DHL", "3318810025", True, True),  # Express waybill
        ("DHL", "3318810010", True, False),
        ("Royal Mail", "RB123456785GB", True, True),  # UPU S10
        ("Royal Mail", "RB123456786GB", True, False),
        ("Canada Post", "0073938000549297", True, True),
        ("Pigeon Post", "12345", None, None),  # no published form here: not counted
    ],
)
def test_tracking_numbers_have_their_carriers_form(
    carrier: str, number: str, form: bool, digit: bool
) -> None:
    assert tracking_ok(carrier, number) == (form, digit)


def test_carrier_names_are_read_loosely() -> None:
    assert carrier_key("Royal Mail") == "royalmail" and carrier_key("DHL Express") == "dhl"
    assert carrier_key("FEDEX") == "fedex"


def test_tracking_formats_and_delivered_scans_on_a_family() -> None:
    good = [(c.metric, c.scope.split("/")[0], c.value) for c in carrier_checks(sample(linked_family()))]
    bad = [
        (c.metric, c.scope.split("/")[0], c.value) for c in carrier_checks(sample(linked_family(bad=True)))
    ]
    assert good == [
        ("tracking_number_format", "dataset shipment", 1.0),
        ("tracking_check_digit", "dataset shipment", 1.0),
        ("tracking_number_format", "dataset shipping", 1.0),
        ("tracking_check_digit", "dataset shipping", 1.0),
        ("tracking_number_format", "shipment+shipping", None),
        ("tracking_check_digit", "shipment+shipping", None),
        ("delivered_scan_in_destination_city", "dataset", 1.0),
    ]
    assert bad == [
        ("tracking_number_format", "dataset shipment", 0.5),
        ("tracking_check_digit", "dataset shipment", 0.0),
        ("tracking_number_format", "dataset shipping", 1.0),
        ("tracking_check_digit", "dataset shipping", 0.0),
        ("tracking_number_format", "shipment+shipping", None),
        ("tracking_check_digit", "shipment+shipping", None),
        ("delivered_scan_in_destination_city", "dataset", 0.0),
    ]


def test_customers_activity_agrees_with_their_orders() -> None:
    good = {c.metric: c.value for c in activity_checks(sample(linked_family()))}
    bad = {c.metric: c.value for c in activity_checks(sample(linked_family(bad=True)))}
    assert good == pytest.approx(
        {
            "last_login_after_last_order": 1.0,
            "ltv_covers_delivered_orders": 1.0,
            "spearman_ltv_order_sum": 1.0,
        }
    )
    assert bad == pytest.approx(
        {
            "last_login_after_last_order": 0.0,
            "ltv_covers_delivered_orders": 0.0,
            "spearman_ltv_order_sum": -1.0,
        }
    )


def test_missing_fields_read_na_with_the_reason() -> None:
    fam = linked_family()
    fam["order"] = [{k: v for k, v in o.items() if k not in ("shipped_at", "cart_id")} for o in fam["order"]]
    fam["customer"] = [{"customer_id": c["customer_id"]} for c in fam["customer"]]
    checks = [
        *timeline_checks(sample(fam)),
        *cart_checks(sample(fam)),
        *refund_checks(sample(fam)),
        *id_year_checks(sample(fam)),
        *carrier_checks(sample(fam)),
        *activity_checks(sample(fam)),
    ]
    notes = {c.metric: c.note for c in checks if c.value is None}
    assert notes["shipped_at_is_first_ship_date"] == "order rows have no shipped_at"
    assert notes["captured_before_shipped"] == "order rows have no shipped_at"
    assert notes["items_equal_cart"] == "order rows have no cart_id"
    assert notes["last_login_after_last_order"] == "customer rows have no last_login"
    assert notes["spearman_ltv_order_sum"] == "customer rows have no lifetime_value"
    empty = [
        *timeline_checks(sample({})),
        *cart_checks(sample({})),
        *refund_checks(sample({})),
        *id_year_checks(sample({})),
        *carrier_checks(sample({})),
        *activity_checks(sample({})),
    ]
    assert empty and all(c.value is None and c.note for c in empty)
