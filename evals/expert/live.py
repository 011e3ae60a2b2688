"""The expert contexts against a live model: the model path's rows beside the deterministic path's,
scored the offline way and judged side by side (evals/expert/judge.py); then the linked-dataset
contexts, the model's dataset plan beside the keyword rules' (evals/expert/family_live.py). Live
only; report, not gate: one live sample per case is too noisy to fail a run on, so the table and
`expert_live.md` say how often the model path wins and what planning and judging cost (per plan, per
1,000 rows)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from pydantic_ai.models import Model

from evals.expert.cases import load_cases
from evals.expert.family_cases import load_family_cases
from evals.expert.family_live import judge_view, run_family_live
from evals.expert.judge import Judged, judge_side_by_side
from evals.expert.score import Made, Scores, compare_realism, score
from evals.expert.table import fmt, md_row, pair
from evals.metering import Meter, cost_usd
from evals.suite import pipeline_for
from evals.task import CaseOutput, make_task
from tools.registry import Registry, default_registry

LIVE_MD = "expert_live.md"
HEAD = ("case", "path", "context fit", "text div.", "realism", "plan tokens in/out", "plan $",
        "plan $/1k rows", "judge: winner (model/det score)", "judge tokens", "judge $")  # fmt: skip


def _made(out: CaseOutput) -> Made:
    return Made(out.outcome.plan, out.rows, out.coherence, as_of=out.prepared.as_of)


def _cells(
    name: str, path: str, ds: Scores, ms: Scores, meter: Meter, model_name: str, rows: int, j: Judged | None
) -> tuple[str, ...]:
    cost = cost_usd(model_name, meter) if meter.tokens else None
    per_k = cost * 1000 / rows if cost is not None and rows else None
    verdict = f"{j.winner} ({j.model_score:.2f}/{j.deterministic_score:.2f})" if j else "not judged"
    judge_tokens = f"{j.meter.input_tokens}/{j.meter.output_tokens}" if j else "-"
    return (name, path, pair(ds.fit, ms.fit), pair(ds.diversity, ms.diversity, 3),
            pair(ds.realism, ms.realism), f"{meter.input_tokens}/{meter.output_tokens}", fmt(cost, 4),
            fmt(per_k, 4), verdict, judge_tokens, fmt(j.cost_usd if j else None, 4))  # fmt: skip


def _path(path: str, fallback_key: str) -> str:
    return path + (f" (fallback: {fallback_key})" if fallback_key else "")


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
        path = _path(m.outcome.path, m.outcome.fallback_key)
        rows.append(_cells(case.name, path, ds, ms, m.meter, model.model_name, len(m.rows), j))
    for fam in load_family_cases(name_filter):
        f = await run_family_live(fam, model, registry)
        j = None
        if judge:
            a, b = judge_view(fam, f.model.rows), judge_view(fam, f.det.rows)
            j = await judge_side_by_side(judge, fam.request, a, b, fam.name, sample=max(len(a), len(b)))
            judged += 1
            wins += j.winner == "model"
            notes.append(f"- {fam.name}: {j.winner}; {j.reason}")
        path = _path(f.planned.path, f.planned.fallback_key)
        rows.append(
            _cells(
                fam.name, path, f.det_scores, f.model_scores, f.meter, model.model_name, f.model.records, j
            )
        )
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
