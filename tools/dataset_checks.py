"""Cross-entity checks for a linked dataset: foreign keys and lifecycle invariants.

Used by tests and evals over whole datasets (it keeps every id it has seen, so it is for checking,
not for the streaming path). Each problem names the entity, the row's id and the invariant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from tools.registry import Registry
from tools.temporal import parse_datetime

# Order status moves only forward along these edges (a cancelled order never ships).
ORDER_TRANSITIONS = {
    "pending": {"confirmed", "cancelled"},
    "confirmed": {"processing", "cancelled"},
    "processing": {"shipped", "cancelled"},
    "shipped": {"out_for_delivery", "delivered"},
    "out_for_delivery": {"delivered"},
    "delivered": {"returned"},
}

# Carrier scans: a package is labelled, picked up, moves between facilities, then is delivered.
TRACKING_TRANSITIONS = {
    "label_created": {"picked_up"},
    "picked_up": {"departed_facility", "in_transit"},
    "departed_facility": {"in_transit", "arrived_at_facility"},
    "in_transit": {"arrived_at_facility", "out_for_delivery", "exception", "in_transit"},
    "arrived_at_facility": {"out_for_delivery", "departed_facility", "in_transit"},
    "out_for_delivery": {"delivered", "delivery_attempted"},
    "delivery_attempted": {"out_for_delivery", "delivered"},
}


class DatasetChecker:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.ids: dict[str, set[Any]] = defaultdict(set)

    def add(self, entity: str, rows: Iterable[dict[str, Any]]) -> list[str]:
        """Adds a chunk; returns foreign keys that point at rows not sent yet (parents come first)."""
        schema = self.registry.get(entity)
        problems = []
        for row in rows:
            for spec in schema.fields:
                target = spec.ref
                value = row.get(spec.name)
                if not target or value is None or target not in self.rows or target == entity:
                    continue
                if value not in self.ids[target]:
                    who = f"{entity} {self._id(entity, row)}"
                    problems.append(f"{who}: {spec.name}={value} has no {target} sent before it")
            self.rows[entity].append(row)
            self.ids[entity].add(self._id(entity, row))
        return problems

    def _id(self, entity: str, row: dict[str, Any]) -> Any:
        return row.get(self.registry.get(entity).id_field or "")

    def invariants(self) -> list[str]:
        by = {e: {self._id(e, r): r for r in rows} for e, rows in self.rows.items()}
        out: list[str] = []
        out += _order_items(by)
        out += _payments(by)
        out += _refunds(self.rows.get("refund", []), by)
        out += _shipments(self.rows.get("shipment", []), by)
        out += _walk(self.rows.get("tracking", []), "shipment_id", TRACKING_TRANSITIONS, None)
        out += _walk(self.rows.get("order_status", []), "order_id", ORDER_TRANSITIONS, by.get("order"))
        out += _reviews(self.rows.get("review", []), by)
        return out


def _group(rows: list[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[r.get(key)].append(r)
    return groups


def _order_items(by: dict[str, dict[Any, dict[str, Any]]]) -> list[str]:
    out = []
    items = _group(list(by.get("order_item", {}).values()), "order_id")
    for oid, order in by.get("order", {}).items() if "order_item" in by else ():
        total = round(sum(i["total_price"] for i in items.get(oid, [])), 2)
        if total != order["subtotal"]:
            out.append(f"order {oid}: order items add up to {total}, subtotal is {order['subtotal']}")
    return out


def _payments(by: dict[str, dict[Any, dict[str, Any]]]) -> list[str]:
    out = []
    for pid, p in by.get("payment", {}).items():
        order = by.get("order", {}).get(p["order_id"])
        if order is not None and (p["amount"], p["currency"]) != (order["total"], order["currency"]):
            got, want = f"{p['amount']} {p['currency']}", f"{order['total']} {order['currency']}"
            out.append(f"payment {pid}: {got} but the order total is {want}")
    return out


def _refunds(refunds: list[dict[str, Any]], by: dict[str, dict[Any, dict[str, Any]]]) -> list[str]:
    out = []
    for pid, group in _group(refunds, "payment_id").items():
        payment = by.get("payment", {}).get(pid)
        if payment is None:
            continue
        refunded = round(sum(r["amount"] for r in group), 2)
        if refunded > payment["amount"] or payment.get("captured_at") is None:
            out.append(f"payment {pid}: refunds of {refunded} exceed the captured {payment['amount']}")
    return out


def _shipments(shipments: list[dict[str, Any]], by: dict[str, dict[Any, dict[str, Any]]]) -> list[str]:
    out = []
    paid = {p["order_id"]: p for p in by.get("payment", {}).values()}
    for s in shipments:
        order = by.get("order", {}).get(s["order_id"], {})
        if order.get("status") in ("cancelled", "pending"):
            out.append(f"shipment {s['shipment_id']}: order {s['order_id']} is {order['status']}")
        payment = paid.get(s["order_id"])
        captured = payment.get("captured_at") if payment else None
        if s.get("status") == "label_created":
            continue  # a printed label waits for pickup, when the payment is captured (stories.py)
        if captured is None or s["ship_date"] < captured[:10]:
            out.append(
                f"shipment {s['shipment_id']}: ships {s['ship_date']} before payment capture {captured}"
            )
    return out


def _walk(
    events: list[dict[str, Any]],
    key: str,
    legal: dict[str, set[str]],
    parents: dict[Any, dict[str, Any]] | None,
) -> list[str]:
    """Events of one parent: strictly increasing times, legal steps, ending at the parent's state."""
    out = []
    for pid, group in _group(events, key).items():
        times = [parse_datetime(e["timestamp"]) for e in group]
        if times != sorted(times) or len(set(times)) != len(times):
            out.append(f"{key}={pid}: events are not in strictly increasing time")
        states = [e["status"] for e in group]
        for a, b in pairwise(states):
            if b not in legal.get(a, set()):
                out.append(f"{key}={pid}: illegal step {a} -> {b}")
        final = parents.get(pid, {}).get("status") if parents is not None else states[-1]
        if final != states[-1]:
            out.append(f"{key}={pid}: history ends at {states[-1]}, the parent is {final}")
    return out


def _reviews(reviews: list[dict[str, Any]], by: dict[str, dict[Any, dict[str, Any]]]) -> list[str]:
    out = []
    for r in reviews:
        order = by.get("order", {}).get(r.get("order_id"))
        delivered = order.get("delivered_at") if order else None
        if order is not None and (delivered is None or r["created_at"] < delivered):
            out.append(f"review {r['review_id']}: written {r['created_at']} before delivery {delivered}")
    return out
