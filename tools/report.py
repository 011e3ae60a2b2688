"""The quality report of a request's rows, computed in one place (issue 17): per field its values'
shape (numbers: min, max, mean and a 10-bar histogram; text and enums: the top values; every field:
its null share), enum values covered, rule pass rates (a negative row breaks its one rule), edge-case
kinds and scenario counts. Over the first REPORT_MAX_ROWS rows, which the report states; memory stays
bounded (numbers sampled, distinct values counted up to a cap).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tools.schema import (
    NUMERIC_TYPES,
    TEMPORAL_TYPES,
    DeriveRule,
    EntitySchema,
    FieldSpec,
    FieldType,
    OrderRule,
    PresentIfRule,
)
from tools.temporal import parse_datetime

REPORT_MAX_ROWS = 100_000
_SAMPLE = 10_000  # numbers kept per field for the histogram
_DISTINCT = 1_000  # distinct values counted per field; past it, "other"
_TOP = 10
_BARS = 10


class _Field:
    def __init__(self, spec: FieldSpec) -> None:
        self.spec, self.count, self.nulls = spec, 0, 0
        self.numbers: list[float] = []
        self.total = 0.0
        self.lo: float | None = None
        self.hi: float | None = None
        self.values: Counter[str] = Counter()
        self.other = 0
        self.hours = [0] * 24  # datetimes: when in the day and the week (a plan's time pattern shows here)
        self.weekdays = [0] * 7

    def add(self, v: Any) -> None:
        self.count += 1
        if v is None:
            self.nulls += 1
            return
        if self.spec.type in NUMERIC_TYPES and isinstance(v, int | float) and not isinstance(v, bool):
            self._number(float(v))
            return
        if self.spec.type in TEMPORAL_TYPES and isinstance(v, str) and self._instant(v):
            return
        key = str(v).lower() if isinstance(v, bool) else str(v)
        if key in self.values or len(self.values) < _DISTINCT:
            self.values[key] += 1
        else:
            self.other += 1

    def _number(self, x: float) -> None:
        self.total += x
        self.lo = x if self.lo is None else min(self.lo, x)
        self.hi = x if self.hi is None else max(self.hi, x)
        if len(self.numbers) < _SAMPLE:
            self.numbers.append(x)

    def _instant(self, text: str) -> bool:
        """A date or datetime counted as seconds since the epoch (its histogram is over time)."""
        try:
            seconds = parse_datetime(text)
        except ValueError:
            return False  # not ISO 8601: counted as a value like any text
        self._number(float(seconds))
        if self.spec.type is FieldType.DATETIME:
            self.hours[seconds // 3600 % 24] += 1  # UTC
        self.weekdays[(seconds // 86_400 + 3) % 7] += 1  # 1970-01-01 was a Thursday (Monday = 0)
        return True

    def out(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.spec.type.value, "count": self.count}
        d["null_share"] = round(self.nulls / self.count, 4) if self.count else 0.0
        if self.spec.type in TEMPORAL_TYPES and self.lo is not None and self.hi is not None:
            # Bounds as ISO 8601 (UTC) so a reader needs no epoch arithmetic; shares over all dated values.
            present = sum(self.weekdays)
            bars = _bars(self.numbers, self.lo, self.hi)
            d |= {
                "min": _iso(self.lo),
                "max": _iso(self.hi),
                "histogram": [[_iso(a), _iso(b), c] for a, b, c in bars],
            }
            d["by_weekday"] = [round(n / present, 4) for n in self.weekdays]  # Monday first
            if self.spec.type is FieldType.DATETIME:
                d["by_hour"] = [round(n / present, 4) for n in self.hours]  # UTC
        elif self.lo is not None and self.hi is not None:
            present = self.count - self.nulls
            d |= {"min": self.lo, "max": self.hi, "mean": round(self.total / present, 4)}
            d["histogram"] = _bars(self.numbers, self.lo, self.hi)
        if self.values:
            d["top"] = [[v, n] for v, n in self.values.most_common(_TOP)]
            d["distinct"] = len(self.values) + (1 if self.other else 0)
        if self.spec.values:
            seen = {str(v) for v in self.values}
            declared = [str(v) for v in self.spec.values]
            d["values_covered"] = [sum(v in seen for v in declared), len(declared)]
        return d


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bars(xs: list[float], lo: float, hi: float) -> list[list[float]]:
    """[bar start, bar end, share of the sampled values] for _BARS equal bars over [lo, hi]."""
    if not xs:
        return []
    width = (hi - lo) / _BARS or 1.0
    counts = [0] * _BARS
    for x in xs:
        counts[min(_BARS - 1, int((x - lo) / width))] += 1
    share = [round(c / len(xs), 4) for c in counts]
    return [[round(lo + i * width, 4), round(lo + (i + 1) * width, 4), share[i]] for i in range(_BARS)]


def _leaves(spec: FieldSpec, prefix: str, out: dict[str, FieldSpec]) -> None:
    path = f"{prefix}{spec.name}"
    if spec.type is FieldType.OBJECT or spec.fields:
        for f in spec.fields:
            _leaves(f, f"{path}.", out)
    elif spec.type is FieldType.ARRAY and spec.items is not None:
        if spec.items.fields:
            for f in spec.items.fields:
                _leaves(f, f"{path}[].", out)
        else:
            out[f"{path}[]"] = spec.items
    else:
        out[path] = spec


def _values(row: Any, parts: list[str]) -> list[Any]:
    if not parts:
        return [row]
    head, rest = parts[0], parts[1:]
    if not isinstance(row, dict):
        return []
    if head.endswith("[]"):
        items = row.get(head[:-2])
        return [v for item in items for v in _values(item, rest)] if isinstance(items, list) else []
    return _values(row.get(head), rest) if head in row else [None] if not rest else []


class Report:
    """The report, row by row (a writer's rows pass through `add`); `result` is the JSON-ready report."""

    def __init__(self, schema: EntitySchema, limit: int = REPORT_MAX_ROWS, brief: bool = False) -> None:
        specs: dict[str, FieldSpec] = {}
        for spec in schema.fields:
            _leaves(spec, "", specs)
        if brief:  # what `summary` reads: enum fields only (the whole report doubled a document's time)
            specs = {p: s for p, s in specs.items() if s.values}
        self.schema, self.limit, self.n = schema, limit, 0
        self.fields = {p: _Field(s) for p, s in specs.items()}
        self.split = {p: p.split(".") for p in specs}
        self.scenarios: Counter[str] = Counter()
        self.edges: Counter[str] = Counter()
        self.broken: Counter[str] = Counter()  # check kind -> rows that break it (negative rows)
        self.broken_at: Counter[tuple[str, str]] = Counter()  # (kind, path) -> rows

    def add(self, row: dict[str, Any]) -> None:
        if self.n >= self.limit:
            return
        self.n += 1
        self.scenarios[str(row.get("_scenario", ""))] += 1
        if row.get("_edge_case"):
            self.edges[str(row["_edge_case"])] += 1
        violates = row.get("_violates")
        if isinstance(violates, dict):
            kind = str(violates.get("rule", ""))
            self.broken[kind] += 1
            self.broken_at[(kind, str(violates.get("path", "")))] += 1
        for p, meter in self.fields.items():
            for v in _values(row, self.split[p]):
                meter.add(v)

    def add_batch(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row)

    def result(self) -> dict[str, Any]:
        n = self.n

        def rate(bad: int) -> float:
            return round(1 - bad / n, 4) if n else 1.0

        rules = {}
        for r in self.schema.rules:
            kind, paths = _rule_scope(r)
            bad = sum(c for (k, path), c in self.broken_at.items() if k == kind and path in paths)
            rules[r.describe()] = rate(bad)
        return {
            "rows": n,
            "row_limit": self.limit,
            "scenarios": dict(self.scenarios),
            "rule_pass_rate": rate(sum(self.broken.values())),  # rows breaking no check at all
            "rules": rules,
            "checks": {kind: rate(c) for kind, c in self.broken.most_common()},
            "edge_cases": dict(self.edges.most_common()),
            "fields": {p: meter.out() for p, meter in self.fields.items()},
        }


def quality_report(
    schema: EntitySchema, rows: Iterable[dict[str, Any]], limit: int = REPORT_MAX_ROWS
) -> dict[str, Any]:
    """The report over the first `limit` rows (JSON-ready)."""
    report = Report(schema, limit)
    for row in rows:
        if report.n >= limit:
            break
        report.add(row)
    return report.result()


def _rule_scope(rule: Any) -> tuple[str, set[str]]:
    """A schema rule's check kind (as a negative row names it) and the paths it holds."""
    if isinstance(rule, DeriveRule):
        return "derive", {rule.target}
    if isinstance(rule, OrderRule):
        return "order", set(rule.order)
    if isinstance(rule, PresentIfRule):
        return "present_if", {rule.present_if.field}
    return "", set()


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """The small form GenerationMetadata.report_json carries."""
    enums = [f["values_covered"] for f in report["fields"].values() if "values_covered" in f]
    return {
        "rows": report["rows"],
        "rule_pass_rate": report["rule_pass_rate"],
        "enum_values_covered": [sum(c for c, _ in enums), sum(t for _, t in enums)],
        "edge_case_kinds": len(report["edge_cases"]),
        "scenarios": report["scenarios"],
    }
