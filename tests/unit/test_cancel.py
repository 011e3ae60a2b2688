"""Work for a request that is gone stops at the next check, on every path: columns, rows, families."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator

import pytest

from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.request import DataRequest
from tools import cancel
from tools.dataset import DatasetGenerator, plan_tree
from tools.engine import generate
from tools.registry import default_registry


def _rows(request: DataRequest) -> Iterator[list[dict]]:
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema), batch_size=64)
    return generate(job)


def _made_before_stop(batches: Iterator[list]) -> int:
    """Rows made once the token is cancelled after the first batch, until the work stops."""
    token = cancel.Cancel()
    ctx = contextvars.copy_context()
    ctx.run(cancel.current.set, token)
    made = len(ctx.run(next, batches))
    token.cancel("test")
    with pytest.raises(cancel.Cancelled, match="test"):
        while True:
            made += len(ctx.run(next, batches))
    return made


@pytest.mark.parametrize(
    "request_",
    [
        DataRequest(entity="cart", count=100_000, seed=1),  # the column maker
        DataRequest(entity="cart", count=100_000, seed=1, defect_triggering=True),  # the row maker
    ],
    ids=["columns", "rows"],
)
def test_generation_stops_within_a_few_hundred_rows_of_the_cancel(request_: DataRequest) -> None:
    assert _made_before_stop(_rows(request_)) <= 64 + 1024 + 1


def test_a_family_stops_too() -> None:
    roots = plan_tree(default_registry(), {"customer": 10_000})
    assert _made_before_stop(DatasetGenerator(roots, 1).batches()) < 10_000


def test_a_deadline_cancels_by_itself() -> None:
    token = cancel.Cancel(deadline_s=0.01)
    time.sleep(0.02)
    assert token.cancelled and token.reason == "deadline passed"


def test_outside_a_request_nothing_is_checked() -> None:
    cancel.check()  # no token in this context: never raises
