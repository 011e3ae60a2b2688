"""Expert plans against the deterministic planner: `python -m evals.expert [--case TEXT] [--report DIR]`.

For every case: the deterministic plan (agent.deterministic.plan_request) and the expert's plan run
with the same request (seed, count, scenarios); each is scored on context fit, text diversity, realism
and coherence (evals/expert/score.py). Linked-dataset cases (datasets/expert/families/) compare the
expert's DatasetPlan with the keyword rules' the same way (evals/expert/family_score.py). The table
is printed and written to <report>/expert.md. Exit 1 when a case's expert plan does not beat the
deterministic one, or its rows fail the validator; a case that `waits_for` a plan feature not built
yet is reported and fails only once it wins (the marker is then stale).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from agent.deterministic import plan_request
from agent.executor import prepare
from agent.plan import GenerationPlan
from evals.expert.cases import CASE_DIR, ExpertCase, load_cases
from evals.expert.family_cases import FamilyCase, load_family_cases
from evals.expert.family_score import FamilyOutcome, compare_family
from evals.expert.reach import reach
from evals.expert.score import Made, Scores, compare_realism, make_rows, plan_cost, score, shortfalls
from evals.expert.table import console, markdown
from evals.requests import CaseError, to_request
from tools.registry import Registry, default_registry

EXPERT_MD = "expert.md"
DEFAULT_REPORT_DIR = Path(__file__).parent.parent / "reports"


@dataclass
class Outcome:
    """One case: both paths' rows and scores, and why the expert plan did not win (empty: it did)."""

    case: ExpertCase
    det: Made
    expert: Made
    det_scores: Scores
    expert_scores: Scores
    reached: dict[str, float | None]
    failures: list[str]
    tokens: int = 0  # the expert plan's estimated output tokens (plan_tokens)

    @property
    def beats(self) -> bool:
        return not self.failures


def deterministic_plan(request: dict[str, object], registry: Registry) -> GenerationPlan:
    req = to_request(request)
    return plan_request(req, prepare(req, registry).schema)


def compare(case: ExpertCase, registry: Registry, expert_plan: GenerationPlan | None = None) -> Outcome:
    """The case's expert plan (or `expert_plan`, for tests) against the deterministic plan."""
    plan = expert_plan or case.plan
    det = make_rows(case.request, deterministic_plan(case.request, registry), registry)
    expert = make_rows(case.request, plan, registry)
    det_scores, expert_scores = score(case, det), score(case, expert)
    compare_realism(case, det_scores, expert_scores)
    failures = shortfalls(expert_scores, det_scores, expert)
    tokens, too_long = plan_cost(plan)
    failures += too_long
    if det.error or det.invalid:
        failures.append(f"the deterministic path failed: {det.error or det.invalid[0]}")
    return Outcome(
        case, det, expert, det_scores, expert_scores, reach(expert.plan, expert.rows), failures, tokens
    )


def run(
    cases: list[ExpertCase], registry: Registry | None = None, families: list[FamilyCase] | None = None
) -> list[Outcome | FamilyOutcome]:
    """Entity cases, then linked-dataset cases."""
    registry = registry or default_registry()
    out: list[Outcome | FamilyOutcome] = [compare(c, registry) for c in cases]
    return out + [compare_family(c, registry) for c in families or []]


def report(out: TextIO, md_path: Path | None, name_filter: str = "", folder: Path = CASE_DIR) -> int:
    """Run, print, write the markdown; 1 when a case does not beat deterministic."""
    started = time.perf_counter()
    outcomes = run(load_cases(name_filter, folder), None, load_family_cases(name_filter, folder / "families"))
    seconds = time.perf_counter() - started
    print("\nExpert plans vs deterministic (same request, seed and count):", file=out)
    print("\n".join(console(outcomes)), file=out)
    won = sum(o.beats for o in outcomes)
    print(f"\n{won} of {len(outcomes)} expert plans beat deterministic; {seconds:.1f} s", file=out)
    if md_path is not None:
        md_path.parent.mkdir(parents=True, exist_ok=True)
        md_path.write_text(markdown(outcomes), encoding="utf-8")
        print(f"expert report: {md_path}", file=out)
    waiting = [o for o in outcomes if o.case.waits_for and not o.beats]
    if waiting:
        print(
            f"\nWaiting (reported, not failing): {len(waiting)} case(s) need what the engine lacks:", file=out
        )
        print("\n".join(f"- expert/{o.case.name}: waits for {o.case.waits_for}; {'; '.join(o.failures)}"
                        for o in waiting), file=out)  # fmt: skip
    stale = [o for o in outcomes if o.case.waits_for and o.beats]
    lost = [o for o in outcomes if not o.case.waits_for and not o.beats]
    if lost or stale:
        print(f"\nFAILED: {len(lost) + len(stale)} expert case(s):", file=out)
        print("\n".join(f"- expert/{o.case.name}: {'; '.join(o.failures)}" for o in lost), file=out)
        for o in stale:
            print(f"- expert/{o.case.name}: beats deterministic now; drop its waits_for", file=out)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.expert", description=__doc__)
    p.add_argument("--case", default="", help="only cases whose name contains this text")
    p.add_argument("--report", type=Path, default=DEFAULT_REPORT_DIR, help="folder for expert.md")
    args = p.parse_args(argv)
    try:
        return report(sys.stdout, args.report / EXPERT_MD, args.case)
    except CaseError as exc:
        print(f"evals.expert: {exc}", file=sys.stdout)
        return 2
