"""The expert contexts against a live model: the model path's rows beside the deterministic path's,
scored the offline way and judged side by side (evals/expert/judge.py). Live only; report, not gate:
one live sample per case is too noisy to fail a run on, so the table and `expert_live.md` say how
often the model path wins and what planning and judging cost (per plan, per 1,000 rows)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from pydantic_ai.models import Model

from evals.expert.cases import ExpertCase, load_cases
from evals.expert.judge import Judged, judge_side_by_side
from evals.expert.score import Made, Scores, compare_realism, score
from evals.expert.table import fmt, md_row, pair
from evals.metering import cost_usd
from evals.suite import pipeline_for
from evals.task import CaseOutput, make_task
from tools.registry import Registry, default_registry

LIVE_MD = "expert_live.md"
HEAD = ("case", "path", "context fit", "text div.", "realism", "plan tokens in/out", "plan $",
        "plan $/1k rows", "judge: winner (model/det score)", "judge tokens", "judge $")  # fmt: skip


def _made(out: CaseOutput) -> Made:
    return Made(out.outcome.plan, out.rows, out.coherence, as_of=out.prepared.as_of)


def _cost(model_name: str, out: CaseOutput) -> float | None:
    return cost_usd(model_name, out.meter) if out.meter.tokens else None


def _row(
    case: ExpertCase, model_name: str, out: CaseOutput, ms: Scores, ds: Scores, j: Judged | None
) -> tuple[str, ...]:
    cost = _cost(model_name, out)
    per_k = cost * 1000 / len(out.rows) if cost is not None and out.rows else None
    fallback = f" (fallback: {out.outcome.fallback_key})" if out.outcome.fallback_key else ""
    verdict = f"{j.winner} ({j.model_score:.2f}/{j.deterministic_score:.2f})" if j else "not judged"
    judge_tokens = f"{j.meter.input_tokens}/{j.meter.output_tokens}" if j else "-"
    return (case.name, out.outcome.path + fallback, pair(ds.fit, ms.fit),
            pair(ds.diversity, ms.diversity, 3), pair(ds.realism, ms.realism),
            f"{out.meter.input_tokens}/{out.meter.output_tokens}", fmt(cost, 4), fmt(per_k, 4), verdict,
            judge_tokens, fmt(j.cost_usd if j else None, 4))  # fmt: skip


async def live_report(
    out: TextIO,
    model: Model,
    judge: Model | None,
    md_dir: Path | None,
    name_filter: str = "",
    registry: Registry | None = None,
) -> int:
    """Every case through the model path and the deterministic path, scored and judged; 0 unless a
    case could not run (the verdicts are reported, not enforced)."""
    registry = registry or default_registry()
    on_model = make_task(pipeline_for(registry, model, model.model_name), registry)
    on_rules = make_task(pipeline_for(registry, None, ""), registry)
    rows, notes, wins, judged = [], [], 0, 0
    for case in load_cases(name_filter):
        m, d = await on_model(case.request), await on_rules(case.request)
        ms, ds = score(case, _made(m)), score(case, _made(d))
        compare_realism(case, ds, ms)
        j = await judge_side_by_side(judge, case.request, m.rows, d.rows, case.name) if judge else None
        if j is not None:
            judged += 1
            wins += j.winner == "model"
            notes.append(f"- {case.name}: {j.winner}; {j.reason}")
        rows.append(_row(case, model.model_name, m, ms, ds, j))
    widths = [max(len(r[i]) for r in [HEAD, *rows]) for i in range(len(HEAD))]
    print("\nExpert contexts, live model path vs deterministic (deterministic -> model):", file=out)
    for r in [HEAD, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip(), file=out)
    summary = (
        f"judge ({judge.model_name}): model path preferred in {wins} of {judged}" if judge else "no judge"
    )
    print(f"\n{summary}", file=out)
    if md_dir is not None:
        md_dir.mkdir(parents=True, exist_ok=True)
        table = [md_row(HEAD), md_row(("---",) * len(HEAD)), *(md_row(r) for r in rows)]
        text = [
            "# Expert contexts, live",
            "",
            f"Planner {model.model_name}; {summary}.",
            "",
            *table,
            "",
            *notes,
            "",
        ]
        (md_dir / LIVE_MD).write_text("\n".join(text), encoding="utf-8")
        print(f"expert live report: {md_dir / LIVE_MD}", file=out)
    return 0
