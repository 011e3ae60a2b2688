"""Expert cases for linked datasets (evals/expert/family_*.py): they load, a dataset plan that fits its
context beats the keyword rules over a whole family, the comparison can fail (the keyword plan against
itself, a plan the dataset check refuses), and family measures count what they say."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import yaml

from agent.dataset_plan import DatasetPlan, ValueMix
from evals.expert.cases import load_cases
from evals.expert.family_cases import FAMILY_CASE_DIR, FamilyCase, load_family_cases
from evals.expert.family_score import _property, compare_family, keyword_plan
from evals.expert.runner import report
from tools.registry import default_registry

ROOTS = 40  # customers per family: a few thousand records, enough for the shares the cases state


def _small(name: str) -> FamilyCase:
    (case,) = [c for c in load_family_cases() if c.name == name]
    return dataclasses.replace(case, request={**case.request, "entities": {"customer": ROOTS}})


def test_the_cases_span_entities_and_linked_datasets() -> None:
    families = load_family_cases()
    assert len(families) >= 4
    assert len(load_cases()) + len(families) >= 12
    assert all(c.properties and c.request.get("context") for c in families)
    # Each reads the family, not just its roots: some property names another entity or the whole family.
    assert all(any("family" in p or p.get("entity") != "customer" for p in c.properties) for c in families)


def test_a_fitting_dataset_plan_beats_the_keyword_rules() -> None:
    # At the case's own size: realism measures of a 40-customer family are too few records to hold.
    (case,) = load_family_cases("quiet_month_all_delivered")
    outcome = compare_family(case, default_registry())
    assert outcome.beats, outcome.failures
    assert outcome.expert_scores.fit > outcome.det_scores.fit
    assert not outcome.expert.invalid and not outcome.expert.error
    assert outcome.expert.records > 1000 and {"order", "shipment", "payment"} <= set(outcome.expert.rows)
    # The keyword rules read "returns" in "no returns" and add some: the case exists to show it.
    assert any(o["status"] == "returned" for o in outcome.det.rows["order"])
    assert all(o["status"] == "delivered" for o in outcome.expert.rows["order"])


def test_the_keyword_plan_against_itself_does_not_beat() -> None:
    registry = default_registry()
    case = _small("smart_speaker_launch_tickets")
    outcome = compare_family(case, registry, expert_plan=keyword_plan(case.request, registry))
    assert not outcome.beats
    assert any("context fit" in f for f in outcome.failures)
    assert any("text diversity" in f for f in outcome.failures)  # the case compares ticket texts


def test_a_plans_own_texts_reach_the_familys_records_and_are_compared_at_one_size() -> None:
    outcome = compare_family(_small("smart_speaker_launch_tickets"), default_registry())
    det, expert = outcome.det_scores.fields, outcome.expert_scores.fields
    assert [f.path for f in expert] == ["support_ticket.subject", "support_ticket.description"]
    # The plan raises tickets per order several times over; the texts are compared at one size.
    assert len(outcome.expert.rows["support_ticket"]) > 2 * len(outcome.det.rows["support_ticket"])
    assert (
        [f.texts for f in expert] == [f.texts for f in det] == [len(outcome.det.rows["support_ticket"])] * 2
    )
    subjects = {t["subject"] for t in outcome.expert.rows["support_ticket"]}
    assert sum("speaker" in s.lower() for s in subjects) / len(subjects) > 0.5  # the records' words


def test_a_plan_the_dataset_check_refuses_fails_the_case() -> None:
    case = _small("quiet_month_all_delivered")
    bad = DatasetPlan(mixes=[ValueMix(entity="order", field="status", weights={"teleported": 1})])
    outcome = compare_family(case, default_registry(), expert_plan=bad)
    assert not outcome.beats
    assert any("teleported" in p for p in outcome.expert.check_problems)
    assert any("no rows" in f for f in outcome.failures)


def test_family_measures_count_what_they_say() -> None:
    rows: dict[str, list[dict[str, Any]]] = {
        "customer": [{"customer_id": "C1"}, {"customer_id": "C2"}],
        "order": [
            {"customer_id": "C1", "status": "returned", "payment_method": "gift_card", "subtotal": 10},
            {"customer_id": "C1", "status": "delivered", "payment_method": "gift_card", "subtotal": 30},
            {"customer_id": "C2", "status": "delivered", "payment_method": "paypal", "subtotal": 90},
        ],
        "support_ticket": [{"priority": "urgent"}, {"priority": "low"}],
    }
    props: list[dict[str, Any]] = [
        {"family": "support_ticket per order", "min": 0.6, "max": 0.7},  # 2 / 3
        {"family": "order.status=returned + order.status=delivered", "min": 1.0},  # every order
        {"family": "orders_per_customer", "max": 1.0},  # 1.5: does not hold
        {"family": "customer.all_orders_by=gift_card", "min": 1.0},  # C1, the one repeat customer
        {"entity": "support_ticket", "share": "priority", "in": ["urgent"], "min": 0.5, "max": 0.5},
        {
            "entity": "order",
            "where": {"path": "payment_method", "in": ["gift_card"]},
            "quantile": "subtotal",
            "q": 0.5,
            "max": 10,
        },
    ]
    found = [_property(rows, p) for p in props]
    assert [m.held for m in found] == [True, True, False, True, True, True]
    assert found[0].value == 2 / 3 and found[2].value == 1.5


def test_the_report_runs_family_cases_from_their_folder(tmp_path: Path) -> None:
    (tmp_path / "families").mkdir()
    doc = yaml.safe_load((FAMILY_CASE_DIR / "quiet_month_all_delivered.yaml").read_text(encoding="utf-8"))
    (tmp_path / "families" / "quiet.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = io.StringIO()
    assert report(out, tmp_path / "expert.md", "", tmp_path) == 0
    assert "quiet_month_all_delivered" in out.getvalue() and "customer=150 +family" in out.getvalue()
    assert "1 of 1 expert plans beat" in out.getvalue()
    doc["plan"] = {}  # the registry's defaults: returns and cancellations, many orders
    (tmp_path / "families" / "quiet.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = io.StringIO()
    assert report(out, None, "", tmp_path) == 1
    assert "DOES NOT BEAT" in out.getvalue()
