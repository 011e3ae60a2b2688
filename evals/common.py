"""Small helpers the evaluators share."""

from __future__ import annotations

from typing import Any

from pydantic_evals.evaluators import EvaluationReason, Evaluator

from evals.task import CaseOutput, Row

Inputs = dict[str, Any]
Meta = dict[str, Any]
Base = Evaluator[Inputs, CaseOutput, Meta]
SHOWN = 3  # problems quoted per failed check: enough to act on, short enough to read


def verdict(ok: bool, problems: list[str], passed: str = "") -> EvaluationReason:
    """A pass/fail with the first few problems as the reason (what the runner prints on failure)."""
    if ok:
        return EvaluationReason(True, reason=passed or None)
    more = f" (+{len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
    return EvaluationReason(False, reason="; ".join(problems[:SHOWN]) + more)


def plain_rows(rows: list[Row]) -> list[Row]:
    """Rows that are neither edge cases nor negative: the ones a context or a plan should shape."""
    return [r for r in rows if "_edge_case" not in r and "_violates" not in r]


def broken_path(row: Row) -> str:
    """The top-level field a negative row breaks on purpose ('' for a valid row)."""
    tag = row.get("_violates")
    if not isinstance(tag, dict):
        return ""
    return str(tag.get("path", "")).split(".")[0].split("[")[0]


def share(hits: int, total: int) -> float:
    return hits / total if total else 1.0
