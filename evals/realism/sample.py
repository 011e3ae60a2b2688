"""Rows for the realism measures, made through the service's own public paths with fixed seeds and no
model: GenerateData's (prepare -> deterministic planner -> executor, as evals/task.py and the tests
run it) and GenerateDataset's (a linked family shaped by the keyword rules, as agent/datasets.py's
`keyword_run` serves it without a model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.datasets import DatasetRequest, keyword_run
from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.request import DataRequest
from tools.engine import generate
from tools.registry import default_registry

Row = dict[str, Any]
Family = dict[str, list[Row]]

LOCALES = ("en_US", "en_GB", "en_CA", "en_AU", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "ja_JP")
SEED = 20250601  # fixed: the same rows, and so the same table, on every run


@dataclass(frozen=True)
class Sizes:
    """How many rows each measure reads: modest, so the whole evaluation stays within ~20 s on 2 cores."""

    family_customers: int = 120  # per locale: a linked family each (orders, carts, payments, ...)
    ownership_customers: int = 600  # one en_US family for shared addresses and ship-to-billing
    payments: int = 1000
    orders: int = 1000
    refunds: int = 500
    reviews: int = 2000
    tickets: int = 1000
    carts: int = 1000
    products: int = 2500
    customers: int = 1000


SMALL = Sizes(15, 40, 100, 100, 50, 200, 100, 100, 250, 100)


def entity_rows(entity: str, count: int, locale: str = "en_US", seed: int = SEED) -> list[Row]:
    """`count` rows of one entity, as GenerateData makes them on the deterministic path."""
    request = DataRequest(entity=entity, count=count, seed=seed, locale=locale)
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    return [row for batch in generate(job) for row in batch]


def family_rows(locale: str, customers: int, seed: int = SEED) -> Family:
    """A linked dataset of `customers` customers and their whole family, as GenerateDataset makes it."""
    request = DatasetRequest(entities={"customer": customers}, seed=seed, locale=locale)
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
    rows: dict[str, list[Row]] = field(default_factory=dict)  # GenerateData rows by entity (en_US)
    errors: dict[str, str] = field(default_factory=dict)  # what could not be made, and why

    @classmethod
    def make(cls, sizes: Sizes) -> Sample:
        """Each request is made on its own: one that fails is recorded (its measures read n/a) and the
        rest are still measured."""
        s = cls(sizes)
        for loc in LOCALES:
            s.families[loc] = s._family(f"dataset/{loc}", loc, sizes.family_customers, SEED)
        s.owners = s._family("dataset/en_US (ownership)", "en_US", sizes.ownership_customers, SEED + 1)
        wanted = {
            "payment": sizes.payments, "order": sizes.orders, "refund": sizes.refunds,
            "review": sizes.reviews, "support_ticket": sizes.tickets, "cart": sizes.carts,
            "product": sizes.products, "customer": sizes.customers,
        }  # fmt: skip
        for entity, n in wanted.items():
            try:
                s.rows[entity] = entity_rows(entity, n)
            except Exception as exc:  # a failure of the service's path is a finding, not a crash
                s.errors[f"{entity}/en_US"] = f"{type(exc).__name__}: {exc}"
        return s

    def _family(self, what: str, locale: str, customers: int, seed: int) -> Family:
        try:
            return family_rows(locale, customers, seed)
        except Exception as exc:  # as above
            self.errors[what] = f"{type(exc).__name__}: {exc}"
            return {}
