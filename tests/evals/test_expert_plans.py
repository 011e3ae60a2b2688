"""The expert-plan evals (evals/expert): cases load, a plan that fits its context beats the
deterministic one, the comparison can fail (deterministic against itself does not beat), the
measures count what they say, and the side-by-side judge maps its verdict back to the paths."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import yaml
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from evals.expert.cases import CASE_DIR, ExpertCase, load_cases
from evals.expert.judge import judge_side_by_side, prompt
from evals.expert.live import LIVE_MD, live_report
from evals.expert.properties import context_fit
from evals.expert.runner import compare, deterministic_plan, report
from evals.expert.text import distinct_2, text_diversity
from evals.planner import planner_model
from tools.registry import default_registry

SMALL = 60  # rows per path: enough for the shares, fast enough for every test run


def _small(name: str) -> ExpertCase:
    (case,) = [c for c in load_cases() if c.name == name]
    return dataclasses.replace(case, request={**case.request, "count": SMALL})


def test_the_cases_cover_many_entities_and_state_properties() -> None:
    cases = load_cases()
    assert len(cases) >= 12
    assert len({c.request["entity"] for c in cases}) >= 10
    assert all(c.properties and c.request.get("context") for c in cases)


def test_a_fitting_plan_beats_deterministic() -> None:
    outcome = compare(_small("newsletter_welcome_coupons"), default_registry())
    assert outcome.beats, outcome.failures
    assert outcome.expert_scores.fit > outcome.det_scores.fit
    assert not outcome.expert.invalid and not outcome.expert.error


def test_deterministic_against_itself_does_not_beat() -> None:
    registry = default_registry()
    case = _small("mothers_day_gift_cards")
    outcome = compare(case, registry, expert_plan=deterministic_plan(case.request, registry))
    assert not outcome.beats
    assert any("context fit" in f for f in outcome.failures)
    assert any("text diversity" in f for f in outcome.failures)


def _copy(tmp: Path, name: str, waits_for: str | None, drop: str = "") -> None:
    doc = yaml.safe_load((CASE_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    doc.pop("waits_for", None)
    doc["plan"].pop(drop, None)
    if waits_for is not None:
        doc["waits_for"] = waits_for
    (tmp / f"{name}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")


def test_a_losing_case_fails_the_report_unless_it_waits_for_a_feature(tmp_path: Path) -> None:
    _copy(tmp_path, "summer_swim_products", None, "products")  # without its products it cannot win
    out = io.StringIO()
    assert report(out, tmp_path / "expert.md", "", tmp_path) == 1
    assert "DOES NOT BEAT" in out.getvalue() and "FAILED: 1" in out.getvalue()
    assert "summer_swim_products" in (tmp_path / "expert.md").read_text()
    _copy(tmp_path, "summer_swim_products", "catalogue additions", "products")
    out = io.StringIO()
    assert report(out, None, "", tmp_path) == 0
    assert "waits for catalogue additions; context fit" in out.getvalue()


def test_a_winning_case_still_marked_waiting_fails_so_the_marker_goes(tmp_path: Path) -> None:
    _copy(tmp_path, "luxury_watch_customers", "something already built")
    out = io.StringIO()
    assert report(out, None, "", tmp_path) == 1
    assert "luxury_watch_customers: beats deterministic now; drop its waits_for" in out.getvalue()


def test_repeated_texts_score_lower_than_varied_ones() -> None:
    varied = ["mask fogged on day one", "fins gave me blisters", "great snorkel for the reef"]
    assert distinct_2(varied * 5) < distinct_2(varied) == 1.0
    rows = [{"body": t} for t in varied]
    assert text_diversity(rows, ["body"])[0] == 1.0
    assert text_diversity(rows, []) == (None, [])


def test_properties_measure_terms_shares_quantiles_and_dates() -> None:
    rows: list[dict[str, Any]] = [
        {"body": "Snorkels fogged", "rating": 1, "at": "2025-07-01T10:00:00Z"},
        {"body": "Love the fins", "rating": 5, "at": "2025-01-01T10:00:00Z"},
        {"body": None, "rating": 5, "at": "2025-07-02T10:00:00Z"},
    ]
    props = [
        {"terms": ["snorkel", "fin"], "fields": ["body"], "min": 1.0},  # 2 of the 2 texts
        {"covers": ["snorkel", "mask"], "fields": ["body"], "min": 2},  # only 1 seen
        {"share": "rating", "le": 2, "min": 0.3, "max": 0.4},
        {"share": "at", "month_in": [7], "min": 0.6},
        {"share": "body", "empty": True, "max": 0.5},
        {"quantile": "rating", "q": 0.5, "min": 5, "max": 5},
    ]
    fit, found = context_fit(rows, props)
    assert [m.held for m in found] == [True, False, True, True, True, True]
    assert fit == 5 / 6


def _verdict(better: str, a: float, b: float) -> FunctionModel:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        args = {"better": better, "score_a": a, "score_b": b, "reason": "A talks about snorkels."}
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, args)])

    return FunctionModel(answer, model_name="claude-opus-4-5")


async def test_the_judge_maps_labels_back_to_paths_and_counts_tokens() -> None:
    model_rows = [{"body": "Mask fogged on the reef", "_scenario": "default"}]
    det_rows = [{"body": "Nice ab roller", "_scenario": "default"}]
    request = {"entity": "review", "count": 1, "seed": 1, "context": "snorkel gear reviews"}
    for key in ("case one", "case two", "case three", "case four"):  # both label orders come up
        j = await judge_side_by_side(_verdict("A", 0.9, 0.2), request, model_rows, det_rows, key)
        assert j.winner == ("model" if j.model_was_a else "deterministic")
        assert (j.model_score, j.deterministic_score) == ((0.9, 0.2) if j.model_was_a else (0.2, 0.9))
        assert j.meter.input_tokens > 0 and j.meter.output_tokens > 0
        assert j.cost_usd is not None and j.cost_usd > 0
    tie = await judge_side_by_side(_verdict("tie", 0.5, 0.5), request, model_rows, det_rows, "x")
    assert tie.winner == "tie"


def test_the_judge_sees_the_request_but_not_the_seed() -> None:
    text = prompt({"entity": "review", "seed": 7, "context": "snorkels"}, [{"a": 1}], [{"b": 2}])
    assert "snorkels" in text and '"seed"' not in text and "Set A" in text and "Set B" in text


async def test_the_live_report_runs_offline_with_function_models(tmp_path: Path) -> None:
    """The live wiring end to end: the scripted planner stands in for Claude, a FunctionModel judges."""
    out = io.StringIO()
    judge = _verdict("B", 0.4, 0.8)
    assert await live_report(out, planner_model(), judge, tmp_path, "welcome_coupons") == 0
    text = out.getvalue()
    assert "newsletter_welcome_coupons" in text and "model path preferred in" in text
    assert "judge (claude-opus-4-5)" in (tmp_path / LIVE_MD).read_text()


async def test_the_live_report_runs_linked_dataset_contexts_too(tmp_path: Path) -> None:
    """A family context through GenerateDataset's model planner (the scripted one here) and the judge."""
    out = io.StringIO()
    judge = _verdict("A", 0.7, 0.3)
    assert await live_report(out, planner_model(), judge, tmp_path, "quiet_month_all_delivered") == 0
    text = out.getvalue()
    assert "quiet_month_all_delivered" in text and "model path preferred in" in text and "of 1" in text
    row = next(line for line in text.splitlines() if line.startswith("quiet_month_all_delivered"))
    assert "llm" in row, row  # the model path planned it (not the keyword fallback)
    assert "0.00 -> " in row  # the keyword plan's fit, beside the model's


def test_a_row_drawn_from_a_template_entry_counts_as_reached() -> None:
    from agent.plan import RecordTable
    from evals.expert.reach import _records_share

    table = RecordTable(
        fields=["subject", "description"],
        rows=[["Late parcel", "{hi}my [scooter|helmet] has sat at [an outpost|the depot] since {weekday}."]],
    )
    drawn = "Hello, my helmet has sat at an outpost since Tuesday. An extra line the grammar added."
    rows = [
        {"subject": "Late parcel", "description": drawn},
        {"subject": "Late parcel", "description": "my bike"},
    ]
    assert _records_share(rows, [table]) == 0.5


def test_text_diversity_pools_every_fields_bigrams_so_a_short_field_weighs_by_its_size() -> None:
    # Varied one-word subjects over one long text said four times: a mean of the two fields' figures
    # would be (1.0 + 0.25) / 2; pooled, the repeated description's bigrams count for what they are.
    body = "the parcel has not moved from the depot since monday and nobody answers the phone"
    rows = [{"subject": s, "description": body} for s in ("late", "lost", "stuck", "where")]
    pooled, fields = text_diversity(rows, ["subject", "description"])
    assert [f.d2 for f in fields] == [1.0, 0.25]
    assert pooled is not None and abs(pooled - (4 + 15) / (4 + 60)) < 1e-9  # 15 bigrams a description
