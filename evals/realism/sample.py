"""Rows for the realism measures, made through the service's own public paths with fixed seeds and no
model: GenerateData's (prepare -> deterministic planner -> executor, as evals/task.py and the tests
run it) and GenerateDataset's (a linked family shaped by the keyword rules, as agent/datasets.py's
`keyword_run` serves it without a model)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from agent.datasets import DatasetRequest, keyword_run
from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.request import DataRequest
from tools.engine import generate
from tools.registry import default_registry
from tools.temporal import REFERENCE_TIME

Row = dict[str, Any]
Family = dict[str, list[Row]]

LOCALES = ("en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "ja_JP")
SEED = 20250601  # fixed: the same rows, and so the same table, on every run
# The instant the rows are seen at (epoch seconds): the service's fixed reference until requests carry
# their own `as_of`; a request that has the field is sent this instant, so rows and measures agree.
AS_OF = int(REFERENCE_TIME.timestamp())


@dataclass(frozen=True)
class Sizes:
    """How many rows each measure reads: modest, so the whole evaluation stays within ~40 s on 2 cores."""

    family_customers: int = 120  # per locale: a linked family each (orders, carts, payments, ...)
    # One en_US family for shared addresses and ship-to-billing, and the linked measures (timelines,
    # cart-order identity, statuses at as_of, refunds, id years, carriers, customer activity).
    ownership_customers: int = 600
    payments: int = 1000
    orders: int = 1000
    refunds: int = 500
    reviews: int = 2000
    tickets: int = 1000
    carts: int = 1000
    products: int = 2500
    customers: int = 1000
    discounts: int = 300  # a discount family (coupons, promotions) for status-vs-window measures
    windows: int = 500  # GenerateData coupons, promotions, gift cards, subscriptions: each
    shipments: int = 500  # GenerateData shipments and shipping records: each
    time_orders: int = 4000  # GenerateData orders (own seed) for hour, weekday and month shapes


SMALL = Sizes(
    15, 40, 100, 100, 50, 200, 100, 100, 250, 100, discounts=30, windows=50, shipments=50, time_orders=100
)


def _as_of_kwargs(request_type: type, as_of: int) -> dict[str, str]:
    """`as_of` for a request type that has the field (RFC 3339, UTC); nothing for one that has not yet."""
    if "as_of" not in {f.name for f in fields(request_type)}:
        return {}
    return {"as_of": datetime.fromtimestamp(as_of, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def entity_rows(
    entity: str, count: int, locale: str = "en_US", seed: int = SEED, as_of: int = AS_OF
) -> list[Row]:
    """`count` rows of one entity, as GenerateData makes them on the deterministic path."""
    at = _as_of_kwargs(DataRequest, as_of)
    request = DataRequest(entity=entity, count=count, seed=seed, locale=locale, **at)  # type: ignore[arg-type]
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    return [row for batch in generate(job) for row in batch]


def family_rows(
    locale: str, customers: int, seed: int = SEED, root: str = "customer", as_of: int = AS_OF
) -> Family:
    """A linked dataset of `customers` roots (customers unless `root` says otherwise) and their whole
    family, as GenerateDataset makes it."""
    at = _as_of_kwargs(DatasetRequest, as_of)
    request = DatasetRequest(entities={root: customers}, seed=seed, locale=locale, **at)  # type: ignore[arg-type]
    run = keyword_run(request, default_registry(), max_rows=10**7)
    out: Family = {}
    for entity, batch in run.batches():
        out.setdefault(entity, []).extend(batch)
    return out


@dataclass
class Sample:
    """Every row the measures read, made once per evaluation."""

    sizes: Sizes
    families: dict[str, Family] = field(default_factory=dict)  # by locale
    owners: Family = field(default_factory=dict)  # the larger en_US family
    discounts: Family = field(default_factory=dict)  # an en_US discount family (coupons, promotions)
    rows: dict[str, list[Row]] = field(default_factory=dict)  # GenerateData rows by entity (en_US)
    timed: list[Row] = field(default_factory=list)  # GenerateData orders for the shapes of time
    errors: dict[str, str] = field(default_factory=dict)  # what could not be made, and why
    as_of: int = AS_OF  # epoch seconds the rows are seen at

    @classmethod
    def make(cls, sizes: Sizes) -> Sample:
        """Each request is made on its own: one that fails is recorded (its measures read n/a) and the
        rest are still measured."""
        s = cls(sizes)
        for loc in LOCALES:
            s.families[loc] = s._family(f"dataset/{loc}", loc, sizes.family_customers, SEED)
        s.owners = s._family("dataset/en_US (ownership)", "en_US", sizes.ownership_customers, SEED + 1)
        s.discounts = s._family("dataset/en_US (discounts)", "en_US", sizes.discounts, SEED + 2, "discount")
        wanted = {
            "payment": sizes.payments, "order": sizes.orders, "refund": sizes.refunds,
            "review": sizes.reviews, "support_ticket": sizes.tickets, "cart": sizes.carts,
            "product": sizes.products, "customer": sizes.customers,
            "coupon": sizes.windows, "promotion": sizes.windows, "gift_card": sizes.windows,
            "subscription": sizes.windows, "shipment": sizes.shipments, "shipping": sizes.shipments,
        }  # fmt: skip
        for entity, n in wanted.items():
            try:
                s.rows[entity] = entity_rows(entity, n, as_of=s.as_of)
            except Exception as exc:  # a failure of the service's path is a finding, not a crash
                s.errors[f"{entity}/en_US"] = f"{type(exc).__name__}: {exc}"
        try:
            s.timed = entity_rows("order", sizes.time_orders, seed=SEED + 3, as_of=s.as_of)
        except Exception as exc:  # as above
            s.errors["order/en_US (time shapes)"] = f"{type(exc).__name__}: {exc}"
        return s

    def _family(self, what: str, locale: str, customers: int, seed: int, root: str = "customer") -> Family:
        try:
            return family_rows(locale, customers, seed, root, self.as_of)
        except Exception as exc:  # as above
            self.errors[what] = f"{type(exc).__name__}: {exc}"
            return {}
