"""The linked-dataset evals can fail: a planner that ignores what the context says is caught."""

from __future__ import annotations

import io

from evals.run import main_async
from evals.scripted import scripted


async def test_a_planner_that_always_adds_returns_fails_the_quiet_month_and_the_cancellation_wave() -> None:
    returns = {"mixes": [{"entity": "order", "field": "status", "weights": {"returned": 1, "delivered": 1}}]}
    out = io.StringIO()
    code = await main_async(["--dataset", "families"], planner=scripted(returns), out=out)
    text = out.getvalue()
    assert code == 1
    assert (
        "families/quiet_month_no_returns [scripted]: FamilyChecks.expectations: order.status=returned" in text
    )
    assert "families/cancellation_wave [scripted]: FamilyChecks.expectations: order.status=cancelled" in text
    assert "[deterministic]" not in text.split("FAILED")[1]  # the keyword path is untouched


async def test_a_planner_that_fails_is_reported_as_a_fallback() -> None:
    out = io.StringIO()
    bad = {"cardinalities": [{"entity": "ghost", "count": [1, 1]}]}
    code = await main_async(["--dataset", "families", "--case", "holiday"], planner=scripted(bad), out=out)
    assert code == 1
    assert "FamilyChecks.plan_source: path traditional: invalid plan after retries" in out.getvalue()
