"""Deterministic evaluators: validity, rules, counts, uniqueness, coherence, edge cases, negatives.

Each returns scores (floats, compared between reports) and pass/fail checks (the runner's
thresholds); a failed check's reason names what broke, row by row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pydantic_evals.evaluators import EvaluatorContext, EvaluatorOutput

from agent.deterministic import EDGE_HINTS
from evals.common import Base, Inputs, Meta, broken_path, share, verdict
from evals.requests import expected_counts, values_at
from evals.task import CaseOutput
from tools.edge_cases import catalogue
from tools.temporal import default_window
from tools.validator import compile_validator

Ctx = EvaluatorContext[Inputs, CaseOutput, Meta]
RULES = {"derive", "order", "present_if"}  # cross-field rules; every other violation is a field's own


def _tag(tag: dict[str, Any]) -> str:
    return f"{tag.get('rule')} at {tag.get('path')}"


def _listed(found: list[Any]) -> str:
    return "; ".join(map(str, found)) or "nothing"


@dataclass(repr=False)
class Validity(Base):
    """Rows passing the validator (a negative row passes when it breaks exactly its tagged rule)."""

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        rows = ctx.output.rows
        validate = compile_validator(ctx.output.prepared.schema)
        problems: list[str] = []
        rule_bad = field_bad = 0
        for i, row in enumerate(rows):
            found = validate(row)
            tag = row.get("_violates")
            if isinstance(tag, dict):
                if [(v.rule, v.path) for v in found] != [(tag.get("rule"), tag.get("path"))]:
                    problems.append(f"row {i} is tagged {_tag(tag)} but breaks {_listed(found)}")
                continue
            if found:
                problems.append(f"row {i}: {found[0]}")
                rule_bad += any(v.rule in RULES for v in found)
                field_bad += any(v.rule not in RULES for v in found)
        n = len(rows)
        return {
            "validity": share(n - len(problems), n),
            "rule_pass_rate": share(n - rule_bad, n),
            "field_pass_rate": share(n - field_bad, n),
            "valid": verdict(not problems, problems),
        }


@dataclass(repr=False)
class RequestConstraints(Base):
    """The request's own constraints, checked on the values directly (not through the schema)."""

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        constraints = ctx.output.request.constraints
        if not constraints:
            return {}
        checked = 0
        problems: list[str] = []
        for i, row in enumerate(ctx.output.rows):
            if "_violates" in row:
                continue
            for path, c in constraints.items():
                for v in values_at(row, path):
                    if v is None:
                        continue
                    checked += 1
                    problem = _constraint_problem(v, c)
                    if problem:
                        problems.append(f"row {i} {path}={v!r}: {problem}")
        return {
            "constraint_pass_rate": share(checked - len(problems), checked),
            "constraints_hold": verdict(not problems, problems),
        }


def _constraint_problem(v: Any, c: Any) -> str:
    number = isinstance(v, int | float) and not isinstance(v, bool)
    if number and c.min is not None and v < c.min:
        return f"below min {c.min}"
    if number and c.max is not None and v > c.max:
        return f"above max {c.max}"
    if c.enum_values and str(v) not in {str(e) for e in c.enum_values}:
        return f"not one of {c.enum_values}"
    if isinstance(v, str):
        if c.regex and not re.fullmatch(c.regex, v):
            return f"does not match {c.regex!r}"
        if c.min_length is not None and len(v) < c.min_length:
            return f"shorter than {c.min_length}"
        if c.max_length is not None and len(v) > c.max_length:
            return f"longer than {c.max_length}"
    return ""


@dataclass(repr=False)
class Counts(Base):
    """Exactly the records asked for, per scenario and in total, indexed 0..n-1, in the document too."""

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        out = ctx.output
        want = expected_counts(out.request)
        got = dict(Counter(r.get("_scenario") for r in out.rows))
        indexes = [r.get("_index") for r in out.rows]
        total, want_total = len(out.rows), sum(want.values())
        in_doc = _document_records(out.document, out.prepared.output_format)
        doc_ok = in_doc is None or in_doc == want_total
        return {
            "count_exact": verdict(
                total == want_total and doc_ok,
                [f"{total} rows, {in_doc} in the document; expected {want_total}"],
            ),
            "scenario_counts_exact": verdict(got == want, [f"got {got}, expected {want}"]),
            "index_sequential": verdict(indexes == list(range(total)), ["_index is not 0..n-1 in order"]),
        }


def _document_records(document: str, fmt: str) -> int | None:
    if fmt == "json":
        return len(json.loads(document))
    if fmt == "jsonl":
        return sum(1 for line in document.splitlines() if line.strip())
    if fmt == "csv":
        return max(0, sum(1 for _ in csv.reader(io.StringIO(document))) - 1)
    return None  # SQL: rows are counted from the engine's output only


@dataclass(repr=False)
class Uniqueness(Base):
    """No two rows share the entity's id or a value of a unique field."""

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        schema = ctx.output.prepared.schema
        names = {f.name for f in schema.fields if f.unique} | (
            {schema.id_field} if schema.id_field else set()
        )
        problems = []
        for name in sorted(names):
            seen: dict[Any, int] = {}
            for i, row in enumerate(ctx.output.rows):
                v = row.get(name)
                if v is None or broken_path(row) == name:
                    continue
                key = json.dumps(v, sort_keys=True, default=str)
                if key in seen:
                    problems.append(f"{name}={v!r} in rows {seen[key]} and {i}")
                seen.setdefault(key, i)
        return {"ids_unique": verdict(not problems, problems)}


@dataclass(repr=False)
class Coherence(Base):
    """The executor's coherence meter; negative rows lower it by design, so they get no floor."""

    floor: float = 0.95

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        score = ctx.output.coherence
        if ctx.output.request.negative:
            return {"coherence": score}
        floor = float((ctx.metadata or {}).get("min_coherence", self.floor))
        return {"coherence": score, "coherent": verdict(score >= floor, [f"{score:.3f} is below {floor}"])}


@dataclass(repr=False)
class EdgeCases(Base):
    """Edge cases where the request asks for them (`defect_triggering`, an `edge_case` hint, or the
    scenarios named in `edge_scenarios` metadata): at least half those rows, of varied kinds."""

    min_share: float = 0.5
    min_kinds: int = 5

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        out = ctx.output
        meta = ctx.metadata or {}
        asked = out.request.defect_triggering or bool(
            {h.strip().lower() for h in out.request.hints} & EDGE_HINTS
        )
        scenarios = set(meta.get("edge_scenarios", []))
        if not asked and not scenarios:
            return {}
        rows = [r for r in out.rows if asked or r.get("_scenario") in scenarios]
        labels = [str(r["_edge_case"]) for r in rows if "_edge_case" in r]
        kinds = {label.split("=", 1)[-1] for label in labels}
        allowed = {c.kind for c in catalogue(out.prepared.schema, default_window())}
        want_kinds = int(meta.get("min_edge_kinds", self.min_kinds))
        edge_share = share(len(labels), len(rows))
        return {
            "edge_share": edge_share,
            "edge_kinds": len(kinds),
            "edge_kind_coverage": share(len(kinds & allowed), len(allowed)),
            "edge_share_ok": verdict(edge_share >= self.min_share, [f"{edge_share:.2f} < {self.min_share}"]),
            "edge_kinds_ok": verdict(len(kinds) >= want_kinds, [f"{len(kinds)} kinds {sorted(kinds)}"]),
        }


@dataclass(repr=False)
class NegativeRows(Base):
    """Negative requests: every row is tagged and breaks exactly its tagged rule, and nothing else."""

    def evaluate(self, ctx: Ctx) -> EvaluatorOutput:
        out = ctx.output
        if not out.request.negative:
            return {}
        validate = compile_validator(out.prepared.schema)
        problems: list[str] = []
        rules: set[str] = set()
        for i, row in enumerate(out.rows):
            tag = row.get("_violates")
            if not isinstance(tag, dict):
                problems.append(f"row {i} has no _violates tag")
                continue
            found = validate(row)
            if [(v.rule, v.path) for v in found] != [(tag.get("rule"), tag.get("path"))]:
                problems.append(f"row {i} is tagged {_tag(tag)} but breaks {_listed(found)}")
            rules.add(str(tag.get("rule")))
        return {
            "negative_rules": len(rules),
            "negative_exact": verdict(not problems, problems, f"rules broken: {sorted(rules)}"),
        }
