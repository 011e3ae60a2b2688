"""The eval runner: `python -m evals.run [--live] [--dataset NAME] [--case TEXT] [--report DIR]`.

Offline (the default, what `make evals` and the tests run): every case of every dataset through the
deterministic path and through the scripted planner (a FunctionModel, evals/planner.py), with model
requests blocked. Live (`--live`, needs ANTHROPIC_API_KEY; ANTHROPIC_MODEL picks the model): the same
datasets through the real pipeline against Claude, plus an LLM-judged realism score; the report goes
to a dated folder under --report (default evals/reports/) and is compared with the one before it.

A whole offline run (no --dataset, no --case) also prints the realism table (evals/realism) and writes
it to <--report or evals/reports>/realism.md; realism fails the run only for the properties listed in
evals/realism/policy.py's ENFORCED. It also runs the expert plans (evals/expert): a case whose expert
plan does not beat the deterministic plan fails the run (table in <report>/expert.md), unless the
case says it `waits_for` a plan feature not built yet. A whole live
run adds the expert contexts through the model, judged side by side with the deterministic path.

Exit codes: 0 all thresholds held (and, with a report, no regressions); 1 a threshold failed or a
score regressed; 2 the run could not start (no API key, a broken dataset file).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from pydantic_ai import models
from pydantic_ai.models import Model
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.providers.anthropic import AnthropicProvider

from agent.prompts import PROMPT_VERSION
from evals import markdown, report
from evals.expert.judge import judge_from_env
from evals.expert.live import live_report as expert_live_report
from evals.expert.runner import EXPERT_MD
from evals.expert.runner import report as expert_report
from evals.families import family_names, load_families, run_families
from evals.planner import planner_model
from evals.realism.runner import REALISM_MD
from evals.realism.runner import report as realism_report
from evals.records import case_records
from evals.requests import CaseError
from evals.suite import PathRun, PlanningPath, dataset_names, failures, load_dataset, pipeline_for, run_path
from evals.table import case_table, summary_table
from evals.task import CaseOutput
from tools.registry import Registry, default_registry

SCRIPTED = "scripted-planner"
DEFAULT_MODEL = "claude-sonnet-4-6"
DEFAULT_REPORT_DIR = Path(__file__).parent / "reports"
LIVE_CONCURRENCY = 4  # parallel cases against the API: fast enough, well under rate limits


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m evals.run",
        description="Run the eval datasets offline (deterministic path and scripted planner) or live "
        "against Claude (--live), and check every threshold.",
    )
    p.add_argument("--live", action="store_true", help="run against Claude (needs ANTHROPIC_API_KEY)")
    p.add_argument(
        "--dataset",
        action="append",
        help=f"dataset to run (repeatable): {', '.join([*dataset_names(), *family_names()])}",
    )
    p.add_argument("--case", default="", help="only cases whose name contains this text")
    p.add_argument("--report", type=Path, help="report folder (live default: evals/reports/)")
    p.add_argument("--tolerance", type=float, default=0.05, help="score drop that counts as a regression")
    p.add_argument("--cost-tolerance", type=float, default=0.25, help="relative growth of tokens or cost")
    return p.parse_args(argv)


async def main_async(
    argv: list[str] | None = None,
    *,
    planner: Model | None = None,
    live_model: Model | None = None,
    after: Callable[[CaseOutput], None] | None = None,
    out: TextIO | None = None,
) -> int:
    """The runner. Tests pass a planner (a broken one), a live model (over a mocked HTTP layer), or
    `after` (a task that breaks outputs on purpose)."""
    args = parse_args(argv)
    out = out or sys.stdout
    registry = default_registry()
    try:
        if args.live:
            return await _live(args, registry, live_model, after, out)
        paths = [
            PlanningPath("deterministic", pipeline_for(registry, None, "")),
            PlanningPath("scripted", pipeline_for(registry, planner or planner_model(), SCRIPTED), SCRIPTED),
        ]
        with models.override_allow_model_requests(False):  # offline never reaches a real model
            started = time.perf_counter()
            runs = await _run_all(args, registry, paths, after)
        code = _finish(args, runs, "offline", SCRIPTED, args.report, time.perf_counter() - started, out)
        if not (args.dataset or args.case):  # a whole offline run also measures realism (evals/realism)
            code = max(code, realism_report(out, (args.report or DEFAULT_REPORT_DIR) / REALISM_MD))
            # ...and the expert plans, which must beat the deterministic planner (evals/expert)
            code = max(code, expert_report(out, (args.report or DEFAULT_REPORT_DIR) / EXPERT_MD))
        return code
    except CaseError as exc:
        print(f"evals: {exc}", file=out)
        return 2


async def _live(
    args: argparse.Namespace,
    registry: Registry,
    model: Model | None,
    after: Callable[[CaseOutput], None] | None,
    out: TextIO,
) -> int:
    if model is None:
        key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
        if not key:
            print("evals: --live needs ANTHROPIC_API_KEY (it runs every case against Claude); "
                  "without it, run the offline suite: python -m evals.run", file=out)  # fmt: skip
            return 2
        name = os.environ.get("ANTHROPIC_MODEL", "").strip() or DEFAULT_MODEL
        provider = AnthropicProvider(api_key=key, base_url=os.environ.get("ANTHROPIC_BASE_URL") or None)
        model = AnthropicModel(name, provider=provider)
    path = PlanningPath(
        "live", pipeline_for(registry, model, model.model_name), model.model_name, model, LIVE_CONCURRENCY
    )
    with models.override_allow_model_requests(True):
        started = time.perf_counter()
        runs = await _run_all(args, registry, [path], after)
    code = _finish(args, runs, "live", model.model_name, args.report or DEFAULT_REPORT_DIR,
                   time.perf_counter() - started, out)  # fmt: skip
    if not (args.dataset or args.case):  # the expert contexts, model path vs deterministic, judged
        with models.override_allow_model_requests(True):
            await expert_live_report(out, model, judge_from_env(), args.report or DEFAULT_REPORT_DIR)
    return code


async def _run_all(
    args: argparse.Namespace,
    registry: Registry,
    paths: list[PlanningPath],
    after: Callable[[CaseOutput], None] | None,
) -> list[PathRun]:
    names = args.dataset or [*dataset_names(), *family_names()]
    families = [load_families(n, args.case) for n in names if n in family_names()]
    chosen = [load_dataset(n, registry, args.case) for n in names if n not in family_names()]
    if not any(ds.cases for ds in [*chosen, *families]):
        raise CaseError(f"no case name contains {args.case!r}")
    runs = []
    for ds in chosen:
        for path in paths:
            runs.append(await run_path(ds, path, registry, after))
    for fam in families:
        for path in paths:
            p = path
            report, seconds = await run_families(
                fam, p.pipeline, registry, p.name, p.model_name, p.concurrency
            )
            runs.append(PathRun(fam.name or "families", p.name, report, seconds))
    return runs


def _finish(
    args: argparse.Namespace,
    runs: list[PathRun],
    mode: str,
    model: str,
    report_dir: Path | None,
    seconds: float,
    out: TextIO,
) -> int:
    records = [r for run in runs for r in case_records(run)]
    problems = [f for run in runs for f in failures(run)]
    print("\n".join(case_table(records)), file=out)
    print(
        "\n" + "\n".join(summary_table((r.dataset, r.path, case_records(r), r.seconds) for r in runs)),
        file=out,
    )
    print(f"\n{len(records)} case runs in {seconds:.1f} s; prompt version {PROMPT_VERSION}", file=out)
    regressions: list[dict[str, object]] = []
    if report_dir is not None:
        regressions = _write_report(args, records, problems, mode, model, report_dir, seconds, out)
    if problems:
        print(f"\nFAILED: {len(problems)} check(s) below their threshold:", file=out)
        print("\n".join(f"- {p}" for p in problems), file=out)
    return 1 if problems or regressions else 0


def _write_report(
    args: argparse.Namespace,
    records: list[dict[str, object]],
    problems: list[str],
    mode: str,
    model: str,
    report_dir: Path,
    seconds: float,
    out: TextIO,
) -> list[dict[str, object]]:
    folder = report.new_folder(report_dir, datetime.now(UTC))
    doc: dict[str, object] = {
        "created": folder.name, "mode": mode, "model": model, "prompt_version": PROMPT_VERSION,
        "datasets": args.dataset or dataset_names(), "seconds": seconds, "totals": report.totals(records),
        "cases": records, "failures": problems, "comparison": None,
    }  # fmt: skip
    prev = report.previous_report(report_dir, folder, mode)
    regressions: list[dict[str, object]] = []
    if prev is not None:
        name, old = prev
        cmp = report.compare(old["cases"], records, args.tolerance, args.cost_tolerance)
        cmp["previous"] = {
            "folder": name,
            "model": old.get("model"),
            "prompt_version": old.get("prompt_version"),
        }
        doc["comparison"] = cmp
        regressions = cmp["regressions"]
    js, md = report.write(folder, doc, markdown.render(doc))
    print(f"\nreport: {md} and {js.name}", file=out)
    for r in regressions:
        print(
            f"REGRESSION {r['case']}: {r['name']} {markdown.fmt(r['before'])} -> {markdown.fmt(r['after'])}",
            file=out,
        )
    return regressions


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(main_async(argv))


if __name__ == "__main__":
    sys.exit(main())
