"""The offline eval suite, run in-process the way `make evals` runs it: every dataset through the
deterministic path and the scripted planner, green. This is what keeps datasets and evaluators from
rotting: a dataset typo, an evaluator that raises, or a service change that breaks a threshold fails here."""

from __future__ import annotations

import io

from evals.run import main_async
from evals.suite import dataset_names


async def test_the_offline_suite_is_green() -> None:
    out = io.StringIO()
    code = await main_async([], out=out)
    text = out.getvalue()
    assert code == 0, text[-4000:]
    assert "FAILED" not in text
    summary = text[text.index("dataset ") :]
    for name in dataset_names():
        assert f"{name} " in summary and "deterministic" in summary and "scripted" in summary


async def test_a_dataset_that_does_not_exist_is_refused_with_the_list() -> None:
    out = io.StringIO()
    code = await main_async(["--dataset", "nope"], out=out)
    assert code == 2
    assert "no dataset 'nope'; there are: constraints, contexts" in out.getvalue()
