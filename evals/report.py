"""Live reports: markdown and JSON in a dated folder, compared with the previous report there.

A regression is a score that dropped by more than the tolerance, a cost figure (tokens, requests,
dollars) that grew by more than the cost tolerance, or a check that passed before and fails now.
Timings are reported but never compared.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.records import Record, key

LOWER_IS_BETTER = {"tokens", "model_requests", "cost_usd", "near_duplicate_rate"}
# Timings vary with the network and the machine; the token split and per-row figures follow `tokens`.
NOT_COMPARED = {"plan_ms", "generate_ms", "latency_ms", "input_tokens", "output_tokens", "tokens_per_1k_rows"}
REPORT_JSON, REPORT_MD = "report.json", "report.md"


@dataclass
class Change:
    case: str
    name: str
    before: Any
    after: Any


def new_folder(report_dir: Path, now: datetime) -> Path:
    """A new folder named by the UTC time, so names sort in run order."""
    base = now.astimezone(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
    folder, n = report_dir / base, 1
    while folder.exists():
        n += 1
        folder = report_dir / f"{base}-{n:02d}"
    folder.mkdir(parents=True)
    return folder


def previous_report(report_dir: Path, before: Path, mode: str) -> tuple[str, dict[str, Any]] | None:
    """The newest report of the same mode (live, offline) that sorts before `before`, the run being
    written: a live run is compared with the last live run, never with an offline one."""
    if not report_dir.is_dir():
        return None
    for folder in sorted(report_dir.iterdir(), reverse=True):
        path = folder / REPORT_JSON
        if folder.name >= before.name or not path.is_file():
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("mode") == mode:
            return folder.name, doc
    return None


def compare(
    before: list[Record], after: list[Record], tolerance: float, cost_tolerance: float
) -> dict[str, Any]:
    old = {key(r): r for r in before}
    regressions: list[Change] = []
    improvements: list[Change] = []
    for rec in after:
        prev = old.get(key(rec))
        if prev is None:
            continue
        for name, value in rec["scores"].items():
            was = prev["scores"].get(name)
            if was is None or name in NOT_COMPARED:
                continue
            if name in LOWER_IS_BETTER:
                worse = value > was * (1 + cost_tolerance) and value - was >= 1e-9
                better = value < was * (1 - cost_tolerance)
            else:
                worse, better = was - value > tolerance, value - was > tolerance
            if worse or better:
                (regressions if worse else improvements).append(Change(key(rec), name, was, value))
        for name, check in rec["checks"].items():
            if not check["ok"] and prev["checks"].get(name, {}).get("ok"):
                regressions.append(Change(key(rec), name, "passed", f"fails: {check['reason']}"))
    return {
        "tolerance": tolerance,
        "cost_tolerance": cost_tolerance,
        "regressions": [asdict(c) for c in regressions],
        "improvements": [asdict(c) for c in improvements],
        "new_cases": sorted(set(map(key, after)) - set(old)),
        "missing_cases": sorted(set(old) - set(map(key, after))),
    }


def totals(records: list[Record]) -> dict[str, Any]:
    def total(name: str) -> float:
        return sum(r["scores"].get(name, 0.0) for r in records)

    costs = [r["scores"]["cost_usd"] for r in records if "cost_usd" in r["scores"]]
    return {
        "cases": len(records),
        "failed": sum(not r["passed"] for r in records),
        "rows": sum(r["rows"] for r in records),
        "tokens": total("tokens"),
        "input_tokens": total("input_tokens"),
        "output_tokens": total("output_tokens"),
        "cost_usd": round(sum(costs), 6) if costs else None,
    }


def write(folder: Path, doc: dict[str, Any], markdown: str) -> tuple[Path, Path]:
    js, md = folder / REPORT_JSON, folder / REPORT_MD
    js.write_text(json.dumps(doc, indent=1, sort_keys=False, default=str) + "\n", encoding="utf-8")
    md.write_text(markdown, encoding="utf-8")
    return js, md
