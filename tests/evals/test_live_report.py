"""The live path against a mocked Anthropic HTTP layer (no network): it refuses without a key, writes a
markdown and a JSON report into a dated folder, and a second run marks an injected regression."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from agent.prompts import PROMPT_VERSION
from evals.families import load_families
from evals.run import main_async
from tests.evals.fake_claude import MODEL, FakeClaude

LIVE = ["--live", "--dataset", "contexts"]
CASES = 8  # cases in evals/datasets/contexts.yaml


async def _live(fake: FakeClaude, report_dir: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = await main_async([*LIVE, "--report", str(report_dir)], live_model=fake.model(), out=out)
    return code, out.getvalue()


def _report(folder: Path) -> tuple[dict, str]:
    doc = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return doc, (folder / "report.md").read_text(encoding="utf-8")


async def test_live_refuses_clearly_without_an_api_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    out = io.StringIO()
    code = await main_async(["--live", "--report", str(tmp_path)], out=out)
    assert code == 2
    assert "--live needs ANTHROPIC_API_KEY" in out.getvalue()
    assert list(tmp_path.iterdir()) == []


async def test_a_live_report_then_a_comparison_that_marks_a_regression(tmp_path: Path) -> None:
    good = FakeClaude(judge_score=0.9, tokens=(1500, 250))
    code, text = await _live(good, tmp_path)
    assert code == 0, text[-3000:]
    assert good.calls == {"plan": CASES, "judge": CASES}
    [first] = sorted(tmp_path.iterdir())
    doc, md = _report(first)
    assert (doc["mode"], doc["model"], doc["prompt_version"]) == ("live", MODEL, PROMPT_VERSION)
    assert doc["comparison"] is None and doc["failures"] == []
    assert doc["totals"]["tokens"] == CASES * 1750
    assert doc["totals"]["cost_usd"] == pytest.approx(CASES * (1500 * 3 + 250 * 15) / 1e6)
    fitness = next(c for c in doc["cases"] if c["case"] == "fitness_carts")
    assert fitness["passed"] and fitness["path"] == "live" and fitness["rows"] == 40
    assert fitness["scores"]["validity"] == 1.0 and fitness["scores"]["realism"] == 0.9
    assert fitness["checks"]["PlanSource.model_planned"] == {"ok": True, "reason": ""}
    assert f"model: `{MODEL}`; prompt version: `{PROMPT_VERSION}`" in md
    assert "No earlier report of this mode in this folder" in md
    assert "| contexts/fitness_carts | live | 40 |" in md

    # The injected regression: the judge likes the rows less and planning costs twice the tokens.
    worse = FakeClaude(judge_score=0.4, tokens=(3000, 500))
    code, text = await _live(worse, tmp_path)
    assert code == 1
    first_again, second = sorted(tmp_path.iterdir())
    assert first_again == first and second.name.startswith(first.name[:10])
    doc, md = _report(second)
    cmp = doc["comparison"]
    assert cmp["previous"] == {"folder": first.name, "model": MODEL, "prompt_version": PROMPT_VERSION}
    marked = {(r["case"], r["name"]) for r in cmp["regressions"]}
    assert marked == {
        (f"contexts/{c['case']} [live]", n) for c in doc["cases"] for n in ("realism", "tokens", "cost_usd")
    }
    assert {"case": "contexts/fitness_carts [live]", "name": "realism", "before": 0.9, "after": 0.4} in cmp[
        "regressions"
    ]
    assert "| **REGRESSION** | contexts/fitness_carts [live] | realism | 0.9 | 0.4 |" in md
    assert "REGRESSION contexts/fitness_carts [live]: realism 0.9 -> 0.4" in text
    assert doc["failures"] == []  # a regression, not a broken threshold


async def test_live_families_through_the_real_sdk(tmp_path: Path) -> None:
    """The linked-dataset evals in live mode: the dataset planner over the real Anthropic SDK."""
    fake = FakeClaude()
    out = io.StringIO()
    code = await main_async(
        ["--live", "--dataset", "families", "--report", str(tmp_path)], live_model=fake.model(), out=out
    )
    text = out.getvalue()
    assert code == 0, text[-3000:]
    cases = len(load_families("families").cases)
    assert cases >= 7 and fake.calls["dataset"] == cases  # one plan per case
    assert "families" in text and "live" in text
