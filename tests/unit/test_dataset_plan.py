"""Dataset plans: every problem is named with its fix; any valid plan keeps every foreign key and
lifecycle invariant; a plan does what it says (counts per parent, value mixes)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agent.dataset_keywords import keyword_dataset_plan
from agent.dataset_plan import (
    Cardinality,
    DatasetPlan,
    ValueMix,
    apply_dataset_plan,
    check_dataset_plan,
    fixed_count,
)
from agent.dataset_planner import dataset_plan_key
from agent.dataset_views import family_summary, plan_summary, preview
from agent.datasets import DatasetRequest, DatasetRun
from tools import dataset as dataset_module
from tools.dataset import DatasetGenerator, plan_tree, walk, worst_rows
from tools.dataset_checks import DatasetChecker
from tools.errors import GenerationFailed
from tools.registry import default_registry
from tools.validator import compile_validator

REGISTRY = default_registry()
VALIDATORS = {s.name: compile_validator(s) for s in REGISTRY.schemas()}
ORDER_STATUSES = REGISTRY.get("order").field("status").values  # type: ignore[union-attr]
# Every entity of the customer family whose count a plan may change (the registry decides which).
ADJUSTABLE = sorted(n.name for n in walk(plan_tree(REGISTRY, {"customer": 1})) if not fixed_count(n))


def _run(plan: DatasetPlan, customers: int = 60, seed: int = 1, fmt: str = "json") -> DatasetRun:
    run = DatasetRun(DatasetRequest({"customer": customers}, seed=seed, output_format=fmt), REGISTRY, 10**6)
    run.use(plan)
    return run


@pytest.mark.parametrize(
    ("plan", "says"),
    [
        (DatasetPlan(cardinalities=[Cardinality(entity="invoice", count=[1, 2])]), "not in this dataset"),
        (DatasetPlan(cardinalities=[Cardinality(entity="customer", count=[1, 2])]), "it is a root"),
        (DatasetPlan(cardinalities=[Cardinality(entity="order_item", count=[1, 2])]), "one row per item"),
        (DatasetPlan(cardinalities=[Cardinality(entity="tracking", count=[1, 2])]), "walk the states"),
        (DatasetPlan(cardinalities=[Cardinality(entity="shipment", count=[3, 1])]), "0 <= fewest <= most"),
        (DatasetPlan(cardinalities=[Cardinality(entity="shipment", count=[1, 99])]), "most <= 20"),
        (
            DatasetPlan(cardinalities=[Cardinality(entity="shipment", count=[1, 3], weights=[1, 1])]),
            "give 3 weights",
        ),
        (
            DatasetPlan(cardinalities=[Cardinality(entity="shipment", count=[1, 2], weights=[0, 0])]),
            "at least one above 0",
        ),
        (
            DatasetPlan(mixes=[ValueMix(entity="payment", field="status", weights={"refunded": 1})]),
            "it follows order.status; change that instead",
        ),
        (
            DatasetPlan(mixes=[ValueMix(entity="order", field="status", weights={"lost": 1})]),
            "unknown values ['lost']",
        ),
        (
            DatasetPlan(mixes=[ValueMix(entity="order", field="total", weights={"1": 1})]),
            "not an enum field of order; mixable fields: payment_method, status",
        ),
        (
            DatasetPlan(
                mixes=[ValueMix(entity="order", field="status", weights={"delivered": 1})] * 2,
            ),
            "appears twice",
        ),
        # One payment per order and one preference row per customer: amounts and unique keys need it.
        (DatasetPlan(cardinalities=[Cardinality(entity="payment", count=[2, 2])]), "exactly one per order"),
        (
            DatasetPlan(cardinalities=[Cardinality(entity="customer_preferences", count=[0, 2])]),
            "exactly one per customer",
        ),
        (DatasetPlan(cardinalities=[Cardinality(entity="review", count=[0, 3])]), "most <= 1"),
        (
            DatasetPlan(
                cardinalities=[
                    Cardinality(entity="order", count=[20, 20]),
                    Cardinality(entity="shipment", count=[20, 20]),
                ]
            ),
            "records per customer (the most of every count multiplied down the family), above 2,500",
        ),
    ],
)
def test_every_problem_is_named_with_its_fix(plan: DatasetPlan, says: str) -> None:
    roots = plan_tree(REGISTRY, {"customer": 10})
    problems = check_dataset_plan(plan, roots)
    assert any(says in p for p in problems), problems
    run = DatasetRun(DatasetRequest({"customer": 10}), REGISTRY, 10**6)
    with pytest.raises(ValueError, match="unchecked dataset plan"):
        run.use(plan)


@pytest.mark.parametrize(
    ("requested", "plan", "says"),
    [
        (
            {"customer": 10, "shipment": 5},
            DatasetPlan(cardinalities=[Cardinality(entity="order", count=[0, 0])]),
            "order: count 0 leaves no shipment, which the request asks for",
        ),
        (
            {"shipment": 5},
            DatasetPlan(mixes=[ValueMix(entity="order", field="status", weights={"cancelled": 1})]),
            # Shipments need a printed label: an order the story has taken to processing or beyond.
            "mixes (order.status): gives none of the values that lead to story:order.labelled in [True], "
            "so no shipment",
        ),
    ],
)
def test_a_plan_may_not_leave_out_what_the_request_asks_for(
    requested: dict[str, int], plan: DatasetPlan, says: str
) -> None:
    run = DatasetRun(DatasetRequest(requested), REGISTRY, 10**6)
    assert any(says in p for p in run.problems(plan)), run.problems(plan)
    assert check_dataset_plan(plan, run.roots) == []  # fine when nobody asked for shipments


def test_weights_must_be_finite_and_booleans_take_either_spelling() -> None:
    with pytest.raises(ValidationError):
        Cardinality(entity="shipment", count=[1, 2], weights=[1e308, float("inf")])
    with pytest.raises(ValidationError):
        ValueMix(entity="order", field="status", weights={"delivered": float("nan")})
    plan = DatasetPlan(mixes=[ValueMix(entity="loyalty_member", field="email_opt_in", weights={"true": 1})])
    run = DatasetRun(DatasetRequest({"customer": 30}, seed=2), REGISTRY, 10**6)
    assert run.problems(plan) == []
    run.use(plan)
    members = [r for e, rows in run.batches() if e == "loyalty_member" for r in rows]
    assert members and all(m["email_opt_in"] is True for m in members)


def test_a_capped_request_the_family_cannot_fill_stops_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    # The generator's own guard, under any check: sign-ups never confirmed place no orders, so no
    # refund ever comes. Without the guard this ran until the record limit, hours at the default.
    monkeypatch.setattr(dataset_module, "IDLE_ROOTS", 2_000)
    roots = plan_tree(REGISTRY, {"refund": 3})
    plan = DatasetPlan(
        mixes=[ValueMix(entity="customer", field="account_status", weights={"pending_verification": 1})]
    )
    assert "no refund, which the request asks for" in " ".join(
        check_dataset_plan(plan, roots, frozenset({"refund"}))
    )
    apply_dataset_plan(roots, plan)
    with pytest.raises(GenerationFailed, match="customer records in a row brought no more refund"):
        for _ in DatasetGenerator(roots, 1).batches():
            pass


def test_root_batches_shrink_when_families_can_be_big() -> None:
    roots = plan_tree(REGISTRY, {"customer": 10})
    assert DatasetGenerator(roots, 1).root_batch == 200  # the registry's families: unchanged
    plan = DatasetPlan(cardinalities=[Cardinality(entity="order", count=[20, 20])])
    apply_dataset_plan(roots, plan)
    assert worst_rows(roots[0]) <= 2_500 and DatasetGenerator(roots, 1).root_batch == 60_000 // worst_rows(
        roots[0]
    )


@st.composite
def plans(draw: st.DrawFn) -> DatasetPlan:
    cards = []
    for entity in draw(st.lists(st.sampled_from(ADJUSTABLE), unique=True, max_size=4)):
        link = REGISTRY.get(entity).dataset
        most = 1 if link is not None and link.count[1] == 1 else 4
        lo, hi = sorted(draw(st.tuples(st.integers(0, most), st.integers(0, most))))
        weights = draw(st.none() | st.lists(st.floats(0.1, 10), min_size=hi - lo + 1, max_size=hi - lo + 1))
        cards.append(Cardinality(entity=entity, count=[lo, hi], weights=weights))
    mixes = []
    chosen = draw(st.lists(st.sampled_from(ORDER_STATUSES), min_size=1, unique=True))
    if draw(st.booleans()):
        mixes.append(
            ValueMix(entity="order", field="status", weights={s: draw(st.floats(0.1, 5)) for s in chosen})
        )
    return DatasetPlan(cardinalities=cards, mixes=mixes)


@settings(max_examples=20, deadline=None)
@given(plans(), st.integers(0, 2**32))
def test_any_valid_plan_keeps_every_key_and_invariant(plan: DatasetPlan, seed: int) -> None:
    roots = plan_tree(REGISTRY, {"customer": 25})
    assert check_dataset_plan(plan, roots) == []
    apply_dataset_plan(roots, plan)
    checker = DatasetChecker(REGISTRY)
    problems: list[str] = []
    for entity, rows in DatasetGenerator(roots, seed).batches():
        problems += checker.add(entity, rows)
        problems += [f"{entity}: {v}" for r in rows for v in VALIDATORS[entity](r)]
    assert problems + checker.invariants() == []


def test_a_plan_does_what_it_says() -> None:
    plan = DatasetPlan(
        cardinalities=[Cardinality(entity="shipment", count=[2, 3], weights=[1, 1])],
        mixes=[ValueMix(entity="order", field="status", weights={"delivered": 3, "returned": 1})],
    )
    run = _run(plan)
    rows: dict[str, list[dict]] = {}
    for chunk in run.chunks():
        rows.setdefault(chunk.entity, []).extend(json.loads(chunk.data))
    statuses = Counter(o["status"] for o in rows["order"])
    assert set(statuses) == {"delivered", "returned"} and statuses["delivered"] > statuses["returned"]
    per_order = Counter(s["order_id"] for s in rows["shipment"])  # one payment per order
    assert set(per_order.values()) == {2, 3} and len(per_order) > len(rows["order"]) / 2
    assert len(rows["refund"]) > 0  # returned orders have refunded payments, so refunds


def test_the_summary_tells_the_model_what_follows_what_and_the_key_ignores_counts() -> None:
    roots = plan_tree(REGISTRY, {"customer": 10})
    text = family_summary(roots)
    assert "customer: root (10 requested)" in text
    assert "payment.status follows order.status" in text
    assert "mixable order.status: {'pending': 0.02" in text
    assert "refund (under payment): fixed count, there is exactly one per payment, only when" in text
    other = plan_tree(REGISTRY, {"customer": 999})
    request = DatasetRequest({"customer": 10}, context="holiday")
    assert dataset_plan_key(request, roots, "m") == dataset_plan_key(request, other, "m")
    assert dataset_plan_key(request, roots, "m") != dataset_plan_key(
        DatasetRequest({"customer": 10}, context="calm"), roots, "m"
    )


def test_preview_reports_counts_and_shares_without_touching_the_run() -> None:
    roots = plan_tree(REGISTRY, {"customer": 500})
    plan = DatasetPlan(mixes=[ValueMix(entity="order", field="status", weights={"cancelled": 1})])
    seen = preview(roots, plan)
    assert seen["records"]["customer"] == 20
    assert seen["shares"]["order.status"] == {"cancelled": 1.0}
    assert "shipment" not in seen["records"]  # a cancelled order never ships
    assert roots[0].count == 500 and roots[0].made == 0
    assert REGISTRY.get("order").field("status").weights != [0.0] * len(ORDER_STATUSES)  # type: ignore[union-attr]


def test_keyword_plan_and_its_summary() -> None:
    roots = plan_tree(REGISTRY, {"customer": 10})
    plan = keyword_dataset_plan(roots, "Holiday rush, split shipments, some refunds")
    text = plan_summary(plan)
    assert "shipment.count=1-3" in text and "order.count=1-5" in text and "order.status=delivered:" in text
    assert plan_summary(keyword_dataset_plan(roots, "")) == "registry defaults"
    assert keyword_dataset_plan(plan_tree(REGISTRY, {"product": 5}), "split shipments") == DatasetPlan()


def test_themes_shape_what_the_whole_family_buys() -> None:
    from tools.catalogue import load_catalogue

    category_of = {p.id: t.name for t in load_catalogue() for p in t.products}
    plan = DatasetPlan(themes={"fitness": 1})
    run = DatasetRun(DatasetRequest({"customer": 30}, seed=8), REGISTRY, 10**6)
    assert run.problems(plan) == []
    assert run.problems(DatasetPlan(themes={"gym": 1})) == [
        "themes: unknown themes ['gym']; themes are " + ", ".join(t.name for t in load_catalogue())
    ]
    run.use(plan)
    rows: dict[str, list[dict]] = {}
    for entity, batch in run.batches():
        rows.setdefault(entity, []).extend(batch)
    bought = [category_of[i["product_id"]] for e in ("cart", "order") for r in rows[e] for i in r["items"]]
    fitness = next(t for t in load_catalogue() if t.name == "fitness")
    assert set(bought) <= {"fitness", *fitness.affinity}  # a basket may add an affine theme's product
    assert bought.count("fitness") / len(bought) > 0.75
    assert {category_of[r["product_id"]] for r in rows["review"]} <= {"fitness", *fitness.affinity}
    assert plan_summary(plan) == "themes=fitness:100%"
