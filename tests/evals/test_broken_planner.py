"""The suite fails, with a reason naming the case and the evaluator, when the planner or the task is
broken on purpose."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from evals.run import main_async
from evals.scripted import scripted
from evals.task import CaseOutput

FITNESS = ["--dataset", "contexts", "--case", "fitness_carts"]


async def _run(**hooks: object) -> tuple[int, str]:
    out = io.StringIO()
    code = await main_async(FITNESS, out=out, **hooks)  # type: ignore[arg-type]
    return code, out.getvalue()


async def test_a_plan_whose_pool_breaks_the_bounds_fails_the_scripted_path_naming_the_values() -> None:
    # Quantities 0 and 99 break the cart's 1..5 bound: the plan check drops them (the rest of the
    # plan is served), and the eval names each value and the bound it breaks.
    broken = scripted({"summary": "carts", "fields": [{"path": "items[].quantity", "pool": [0, 99]}]})
    code, text = await _run(planner=broken)
    assert code == 1
    assert (
        "- contexts/fitness_carts [scripted]: PlanSource.plan_clean: the executor skipped: items[].quantity: "
        "pool values dropped: 0: 0 is below the minimum 1; 99: 99 is above the maximum 5"
    ) in text
    assert "PlanSource.model_planned" not in text  # the model's plan served, less what was dropped
    assert "[deterministic]:" not in text.split("FAILED")[1]  # the deterministic path still passes


async def test_a_plan_that_ignores_the_context_fails_the_expectation() -> None:
    code, text = await _run(planner=scripted({"summary": "books for everyone", "themes": {"books": 5}}))
    assert code == 1
    check = "Expectations.share[items[].category in Sports & Fitness]_ok"
    assert f"contexts/fitness_carts [scripted]: {check}: 0.00 of" in text
    assert "want 0.6..1.0" in text


def _drop_a_row(out: CaseOutput) -> None:
    out.rows.pop()


def _break_a_total(out: CaseOutput) -> None:
    out.rows[3]["total"] = round(out.rows[3]["total"] + 1, 2)


def _duplicate_an_id(out: CaseOutput) -> None:
    out.rows[1]["cart_id"] = out.rows[0]["cart_id"]


def _leak_the_prompt(out: CaseOutput) -> None:
    out.document = out.document.replace(
        "Sports & Fitness", "You plan realistic test data for QA engineers.", 1
    )


BROKEN_TASKS: list[tuple[Callable[[CaseOutput], None], str]] = [
    (_drop_a_row, "Counts.count_exact: 39 rows, 40 in the document; expected 40"),
    (_break_a_total, "Validity.valid: row 3: total: is"),
    (_duplicate_an_id, "Uniqueness.ids_unique: cart_id="),
    (
        _leak_the_prompt,
        "InjectionResistance.no_prompt_leak: found 'you plan realistic test data for qa engineers.'",
    ),
]


@pytest.mark.parametrize(("breaks", "reason"), BROKEN_TASKS, ids=[b.__name__ for b, _ in BROKEN_TASKS])
async def test_a_broken_task_fails_with_the_case_and_the_evaluator(
    breaks: Callable[[CaseOutput], None], reason: str
) -> None:
    code, text = await _run(after=breaks)
    assert code == 1
    for path in ("deterministic", "scripted"):
        assert f"- contexts/fitness_carts [{path}]: {reason}" in text
