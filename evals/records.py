"""Eval results as plain records: what the table prints, the JSON report stores and comparisons read."""

from __future__ import annotations

from typing import Any

from evals.suite import PathRun

Record = dict[str, Any]


def case_records(run: PathRun) -> list[Record]:
    """One record per case: its scores, its checks (ok and reason) and whether it passed."""
    out: list[Record] = []
    for case in run.report.cases:
        checks = {
            f"{r.source.name}.{name}": {"ok": bool(r.value), "reason": r.reason or ""}
            for name, r in case.assertions.items()
        }
        for ef in case.evaluator_failures:
            checks[f"{ef.source.name}.raised"] = {"ok": False, "reason": ef.error_message}
        scores = {name: float(r.value) for name, r in case.scores.items()}
        reasons = {name: r.reason for name, r in case.scores.items() if r.reason}
        out.append(
            {
                "dataset": run.dataset,
                "path": run.path,
                "case": case.name,
                "rows": len(case.output.rows),
                "scores": scores,
                "score_reasons": reasons,
                "checks": checks,
                "passed": all(c["ok"] for c in checks.values()),
            }
        )
    for f in run.report.failures:
        error = {"ok": False, "reason": f.error_message}
        out.append(
            {"dataset": run.dataset, "path": run.path, "case": f.name, "rows": 0, "scores": {},
             "score_reasons": {}, "checks": {"task.ran": error}, "passed": False}
        )  # fmt: skip
    return out


def key(record: Record) -> str:
    return f"{record['dataset']}/{record['case']} [{record['path']}]"
