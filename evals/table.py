"""The readable table the runner prints: one line per case, a summary per dataset and path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from evals.records import Record

COLUMNS = [  # (header, score name, format)
    ("valid", "validity", "{:.2f}"),
    ("rules", "rule_pass_rate", "{:.2f}"),
    ("coher", "coherence", "{:.2f}"),
    ("distinct", "distinct_ratio", "{:.2f}"),
    ("neardup", "near_duplicate_rate", "{:.2f}"),
    ("edge", "edge_share", "{:.2f}"),
    ("kinds", "edge_kinds", "{:.0f}"),
    ("realism", "realism", "{:.2f}"),
    ("tokens", "tokens", "{:.0f}"),
    ("tok/1k", "tokens_per_1k_rows", "{:.0f}"),
    ("ms", "latency_ms", "{:.0f}"),
]


def _cell(scores: dict[str, float], name: str, fmt: str) -> str:
    return fmt.format(scores[name]) if name in scores else "-"


def _lines(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]


def case_table(records: list[Record]) -> list[str]:
    header = ["case", "path", "rows", *(h for h, _, _ in COLUMNS), "result"]
    body = [
        [r["case"], r["path"], str(r["rows"]), *(_cell(r["scores"], n, f) for _, n, f in COLUMNS),
         "ok" if r["passed"] else "FAIL"]
        for r in records
    ]  # fmt: skip
    return _lines([header, *body])


def summary_table(groups: Iterable[tuple[str, str, list[Record], float]]) -> list[str]:
    """Per dataset and path: cases, failures, lowest validity, mean coherence, tokens, runtime."""
    rows = [["dataset", "path", "cases", "failed", "min valid", "mean coher", "tokens", "seconds"]]
    for dataset, path, records, seconds in groups:
        scores: list[dict[str, Any]] = [r["scores"] for r in records]
        valid = [s["validity"] for s in scores if "validity" in s]
        coher = [s["coherence"] for s in scores if "coherence" in s]
        rows.append(
            [dataset, path, str(len(records)), str(sum(not r["passed"] for r in records)),
             f"{min(valid):.3f}" if valid else "-", f"{sum(coher) / len(coher):.3f}" if coher else "-",
             f"{sum(s.get('tokens', 0) for s in scores):.0f}", f"{seconds:.2f}"]
        )  # fmt: skip
    return _lines(rows)
