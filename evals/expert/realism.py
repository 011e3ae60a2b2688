"""The realism evaluator (evals/realism) on one case's rows.

The evaluator measures a fixed sample; here its measures read the case's rows instead, as the
GenerateData rows of the case's entity (and as that locale's family for the per-locale measures).
Measures of other entities, of linked families and those that only report (no threshold) do not
apply. The score is the share of applicable measures within their thresholds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evals.realism.activity import activity_checks
from evals.realism.amounts import amount_checks
from evals.realism.carriers import carrier_checks
from evals.realism.goods import basket_checks, catalogue_checks, text_checks
from evals.realism.ids import id_year_checks
from evals.realism.lifecycle import future_checks, status_checks
from evals.realism.locales import locale_checks
from evals.realism.money import currency_checks, tax_checks
from evals.realism.people import loyalty_checks, ownership_checks
from evals.realism.refunds import refund_checks
from evals.realism.sample import LOCALES, SMALL, Sample
from evals.realism.table import INFO, Check
from evals.realism.time_shapes import time_shape_checks
from evals.realism.timeline import cart_checks, timeline_checks

MEASURES: list[Callable[[Sample], list[Check]]] = [
    currency_checks, tax_checks, ownership_checks, amount_checks, text_checks, catalogue_checks,
    basket_checks, loyalty_checks, locale_checks, timeline_checks, cart_checks, status_checks,
    future_checks, refund_checks, time_shape_checks, id_year_checks, carrier_checks, activity_checks,
]  # fmt: skip


def realism_checks(entity: str, locale: str, rows: list[dict[str, Any]], as_of: int) -> list[Check]:
    """The measures that apply to these rows, each with its value and threshold."""
    families: dict[str, dict[str, list[dict[str, Any]]]] = {loc: {} for loc in LOCALES}
    families[locale] = {entity: rows}
    sample = Sample(SMALL, families=families, rows={entity: rows}, as_of=as_of)
    if entity == "order":
        sample.timed = rows
    found: list[Check] = []
    for measure in MEASURES:
        try:
            checks = measure(sample)
        except Exception:  # a measure written for whole families may not read one entity: n/a here
            continue
        found += [
            c
            for c in checks
            if c.scope.split(" ")[0] in (f"{entity}/{locale}", f"{entity}/en_US")
            and c.value is not None
            and c.bound != INFO
        ]
    return found


def realism_pair(a: list[Check], b: list[Check], waived: dict[str, str]) -> tuple[float | None, float | None]:
    """Each side's share of measures within their thresholds, over the measures that apply to both
    (a path whose rows all lie within 60 days has no 'open after 60 days' measure: comparing it with
    one that has would compare different tests). Waived measures are left out; None: none applies."""

    def kept(c: Check) -> bool:
        return c.name not in waived and c.prop not in waived

    common = {c.name for c in a if kept(c)} & {c.name for c in b if kept(c)}
    if not common:
        return None, None

    def held(side: list[Check]) -> float:
        return sum(c.verdict == "yes" for c in side if c.name in common) / len(common)

    return held(a), held(b)
