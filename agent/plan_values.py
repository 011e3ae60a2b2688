"""Checking the values a plan writes (pools, follows, records, edge values) one by one.

Each value that fails is dropped with a problem naming it, the rule it breaks and the fix; the rest of
the plan stands. Text that reads like instructions or prompt text never passes (agent/text_guard.py);
markup only in edge values, which exist to carry it.
"""

from __future__ import annotations

import random
import re
from typing import Any

from agent.plan import EdgeValue, RecordTable
from agent.plannable import RECORD, Plannable
from agent.text_guard import refusal as text_refusal
from tools.edge_cases import EdgeCase
from tools.errors import shorten
from tools.records import Records, is_template, template_compiler
from tools.schema import NUMERIC_TYPES, EntitySchema, FieldSpec, FieldType, find_field
from tools.validator import check_value
from tools.world.text.grammar import GrammarError, State
from tools.world.text.library import plan_rules
from tools.world.text.maker import grammar_of

SHOWN = 3  # failing values named per field; the rest are counted
_SYNTAX = re.compile(r"[{}\[\]|?]")  # a template's syntax, read as spaces by the guard
_DRAWS = 12  # draws of a record's template checked like values (the engine cuts a rare long one)
LABEL = re.compile(r"[a-z0-9_]{1,40}")


def value_problem(spec: FieldSpec, value: Any, path: str, markup_ok: bool = False) -> str:
    """Why `value` cannot be one of the field's values ('' when it can)."""
    if isinstance(value, str):
        guard = text_refusal(value, markup_ok=markup_ok)
        if guard:
            return guard
        if spec.type in NUMERIC_TYPES:
            return f"is text; {path} is a number"
    if spec.type is FieldType.BOOLEAN and not isinstance(value, bool):
        return f"{path} is true or false"
    found = check_value(spec, value, path)
    return found[0].message if found else ""


def entry_problem(spec: FieldSpec, value: Any, path: str) -> str:
    """value_problem for a record entry; for a text written by a grammar the entry may be a template
    in its language (tools/records.py), and then what it compiles to and a few of its draws are
    checked."""
    compiler = template_compiler(spec)
    if compiler is None or not isinstance(value, str) or not is_template(value):
        return value_problem(spec, value, path)
    # Every alternative's words, side by side: an instruction hidden in one choice of many is
    # refused though no draw below happened to pick it.
    guard = text_refusal(_SYNTAX.sub(" ", value))
    if guard:
        return guard
    name = grammar_of(spec)
    rules = " and the rules " + " ".join(f"{{{r}}}" for r in plan_rules(name)) if name else ""
    syntax = f"a template may use [a|b], [?text], {{n:2-9}}, {{money:5-40}}, {{pct:10-40}}{rules}"
    if _bare_bar(value):
        return f"has a | outside [...]: choices go inside brackets, [a|b]; {syntax}"
    try:
        node = compiler.choice(value, "the template")
    except GrammarError as exc:
        return f"{str(exc).removeprefix(compiler.name + ': ')}; {syntax}"
    draws = random.Random(value).random  # the same draws for the same entry, on every check
    for _ in range(_DRAWS):
        text = node(State(draws, {}, None, ""))
        why = value_problem(spec, text, path)
        if why:
            return f"a draw {shorten(repr(text), 60)} {why}"
    return ""


def _bare_bar(text: str) -> bool:
    """A | at bracket depth 0: the parser keeps it as text, which is never what a plan means."""
    depth = 0
    for c in text:
        depth += (c == "[") - (c == "]")
        if c == "|" and depth <= 0:
            return True
    return False


def named(path: str, bad: list[tuple[Any, str]], what: str, fix: str) -> list[str]:
    """One problem for a field's failing values: the first few named with why, the rest counted."""
    if not bad:
        return []
    shown = "; ".join(f"{shorten(repr(v), 40)}: {why}" for v, why in bad[:SHOWN])
    more = f" (and {len(bad) - SHOWN} more)" if len(bad) > SHOWN else ""
    return [f"{path}: {what} dropped: {shown}{more}; {fix}"]


def matched_weights(
    weights: list[float] | None, n: int, where: str, what: str, problems: list[str]
) -> list[float] | None:
    """The weights when there is one per value; otherwise None (drawn alike) and a problem saying so."""
    if weights is not None and len(weights) != n:
        problems.append(
            f"{where}: {len(weights)} weights for {n} {what}; give exactly {n} weights, one each "
            f"({what} drawn alike meanwhile)"
        )
        return None
    return weights


def record_tables(
    schema: EntitySchema, tables: list[RecordTable], where: str
) -> tuple[list[Records], list[str]]:
    """A plan's record tables as engine tables, each entry checked; failing entries are dropped."""
    can = Plannable(schema)
    out: list[Records] = []
    problems: list[str] = []
    taken: set[str] = set()
    for t, table in enumerate(tables):
        at = f"{where}records[{t}]"
        specs: list[FieldSpec] = []
        for path in table.fields:
            spec = find_field(schema, path)
            why = (
                f"no such field in {schema.name}"
                if spec is None
                else ("it is in another record table" if path in taken else can.refusal(RECORD, path, spec))
            )
            if why:
                problems.append(f"{at}: field {path!r} refused: {why}; the table was dropped")
                break
            assert spec is not None
            specs.append(spec)
        if len(specs) != len(table.fields) or not table.fields:
            continue
        weights = matched_weights(table.weights, len(table.rows), at, "entries", problems)
        kept: list[tuple[Any, ...]] = []
        kept_w: list[float] = []
        bad: list[tuple[Any, str]] = []
        for i, row in enumerate(table.rows):
            if len(row) != len(specs):
                bad.append((row, f"has {len(row)} values for {len(specs)} fields"))
                continue
            why = next(
                (f"({p}: {w})" for p, s, v in zip(table.fields, specs, row, strict=True)
                 if (w := entry_problem(s, v, p))),
                "",
            )  # fmt: skip
            if why:
                bad.append((row, why))
                continue
            kept.append(tuple(row))
            kept_w.append(weights[i] if weights else 1.0)
        problems += named(at, bad, "entries", "write entries that keep each field's constraints")
        if kept:
            taken.update(table.fields)
            out.append(Records(tuple(table.fields), tuple(kept), tuple(kept_w) if weights else None))
    return out, problems


def plan_edges(schema: EntitySchema, values: list[EdgeValue]) -> tuple[list[EdgeCase], list[str]]:
    """A plan's domain edge cases as engine edge cases `path=label`; markup is allowed here."""
    out: list[EdgeCase] = []
    problems: list[str] = []
    for i, ev in enumerate(values):
        at = f"edge_values[{i}] ({ev.path})"
        spec = find_field(schema, ev.path)
        if spec is None:
            problems.append(f"{at}: no such field in {schema.name}; dropped")
            continue
        if not LABEL.fullmatch(ev.label):
            problems.append(
                f"{at}: label {shorten(ev.label, 40)!r} must be snake_case (a-z, 0-9, _); dropped"
            )
            continue
        why = value_problem(spec, ev.value, ev.path, markup_ok=True)
        if why:
            problems.append(
                f"{at}: {shorten(repr(ev.value), 40)} {why}; dropped (edge values keep the constraints)"
            )
            continue
        out.append(EdgeCase(f"{ev.path}={ev.label}", ev.path, ev.value))
    return out, problems
