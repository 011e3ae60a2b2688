"""Segments (agent/segments.py): a plan's sub-populations, each a share of a scenario's rows with field
plans of its own; rows keep the request's scenario name; a plan without segments is unchanged."""

from __future__ import annotations

from agent.executor import prepare
from agent.plan import GenerationPlan
from agent.plan_tools import check_plan
from agent.request import DataRequest, ScenarioRequest
from agent.segments import split_count
from tests.helpers import planned_rows
from tools.registry import default_registry

REGISTRY = default_registry()
BIG_BASKETS = {"name": "big_baskets", "share": 0.25, "intent": "stocking up",
               "fields": [{"path": "items", "min_items": 4, "max_items": 6}]}  # fmt: skip


def test_a_count_splits_by_share_and_adds_up() -> None:
    assert split_count(200, [0.75, 0.25]) == [150, 50]
    assert split_count(7, [0.5, 0.3, 0.2]) == [4, 2, 1] and sum(split_count(7, [0.5, 0.3, 0.2])) == 7
    assert split_count(0, [0.4, 0.6]) == [0, 0]


def test_a_segment_gets_its_share_with_its_own_field_plans() -> None:
    cart = DataRequest(entity="cart", count=200, seed=5)
    rows, problems = planned_rows(cart, {"segments": [BIG_BASKETS]})
    assert problems == [] and len(rows) == 200
    assert {r["_scenario"] for r in rows} == {"default"}  # the request's name, not the segment's
    assert all(len(r["items"]) >= 4 for r in rows[150:])  # the segment: the last quarter
    assert sum(len(r["items"]) >= 4 for r in rows[:150]) < 75  # the ordinary rows keep their shape
    plain, _ = planned_rows(DataRequest(entity="cart", count=150, seed=5), {})
    assert rows[:150] == plain  # the ordinary rows are the plan-less request's own


def test_a_scenarios_segments_replace_the_plans_and_problems_are_named() -> None:
    request = DataRequest(
        entity="cart", count=100, seed=2,
        scenarios=[ScenarioRequest(name="a", count=60), ScenarioRequest(name="b", count=40)],
    )  # fmt: skip
    plan = {
        "segments": [BIG_BASKETS],
        "scenarios": [{"name": "b", "segments": [{"name": "tiny", "share": 0.5,
                                                  "fields": [{"path": "items", "max_items": 1}]}]}],
    }  # fmt: skip
    rows, _ = planned_rows(request, plan)
    a, b = [r for r in rows if r["_scenario"] == "a"], [r for r in rows if r["_scenario"] == "b"]
    assert len(a) == 60 and len(b) == 40
    assert all(len(r["items"]) >= 4 for r in a[45:]) and all(len(r["items"]) == 1 for r in b[20:])

    too_much = {"segments": [{**BIG_BASKETS, "share": 0.7}, {"name": "x", "share": 0.6}]}
    rows, problems = planned_rows(DataRequest(entity="cart", count=50, seed=2), too_much)
    assert "segments: shares add up to 1.30, more than 1; segments ignored" in "\n".join(problems)
    assert len(rows) == 50
    bad_field = {"segments": [{"name": "odd", "share": 0.2, "fields": [{"path": "wings", "pool": [2]}]}]}
    checked = check_plan(prepare(DataRequest(entity="cart", count=20, seed=1), REGISTRY),
                         GenerationPlan.model_validate(bad_field))  # fmt: skip
    assert any(p.startswith("segment odd: wings: no such field") for p in checked.problems), checked.problems
