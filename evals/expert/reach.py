"""Which parts of a plan reached the rows: a plan the engine accepts but ignores scores like no plan,
so the table says, per feature, the share of rows that show it."""

from __future__ import annotations

import re
from typing import Any

from agent.plan import GenerationPlan, RecordTable
from evals.common import plain_rows
from evals.requests import values_at
from tools.records import is_template
from tools.world.text.parse import parse

Row = dict[str, Any]


def _first(row: Row, path: str) -> Any:
    found = values_at(row, path)
    return found[0] if found else None


def _norm(text: str) -> str:
    """What the engine's tidying leaves alone: case, spacing, a/an, doubled stops."""
    text = re.sub(r"\ban\b", "a", " ".join(text.lower().split()))
    return re.sub(r" ([,.!?;])", r"\1", text.replace("..", "."))


def _norm_part(text: str) -> str:
    """_norm for a piece of a template, keeping the space at either end that joins it to the next."""
    inner = _norm(text)
    if not inner:
        return " " if text else ""
    return (" " if text[:1].isspace() else "") + inner + (" " if text[-1:].isspace() else "")


def _pattern(parts: list[list[Any]]) -> str:
    """A parsed template (tools/world/text/parse.py) as a regex over _norm'd text; a slot matches
    anything, since a rule's words are the grammar's."""
    alts = []
    for seq in parts:
        out = ""
        for item in seq:
            if isinstance(item, str):
                out += re.escape(_norm_part(item)).replace(r"\ ", " ?")
            elif item[0] == "slot":
                out += ".*?"
            else:
                out += f"(?:{_pattern(item[1])}){'?' if item[0] == 'opt' else ''}"
        alts.append(out)
    return "|".join(alts)


def _matcher(value: Any) -> Any:
    """value -> a test of one row's text: equal, or opening the text (the engine goes on with it);
    a template (tools/records.py) when some draw of it opens the text."""
    if not isinstance(value, str):
        return lambda got: got == str(value)
    if is_template(value):
        pattern = re.compile(f" ?(?:{_pattern(parse(value)[0])})")
        return lambda got: pattern.match(_norm(got)) is not None
    return lambda got: got == value or got.startswith(value)


def _records_share(rows: list[Row], tables: list[RecordTable]) -> float | None:
    """Share of rows whose values for a table's fields are one of its entries (every table counted)."""
    hits = total = 0
    for t in tables:
        entries = [[_matcher(v) for v in e] for e in t.rows]
        for r in rows:
            total += 1
            got = [str(_first(r, f)) for f in t.fields]
            hits += any(all(m(g) for g, m in zip(got, e, strict=True)) for e in entries)
    return hits / total if total else None


def reach(plan: GenerationPlan, rows: list[Row]) -> dict[str, float | None]:
    """Feature -> share of plain rows (or values) showing it; only features the plan uses."""
    plain = plain_rows(rows)
    out: dict[str, float | None] = {}
    pooled = [fp for fp in plan.fields if fp.pool]
    if pooled:
        vals = [
            (v, {str(p) for p in fp.pool or []})
            for fp in pooled
            for r in plain
            for v in values_at(r, fp.path)
        ]
        out["pools"] = sum(str(v) in pool for v, pool in vals) / len(vals) if vals else None
    by_scenario = {sp.name: sp.records for sp in plan.scenarios if sp.records}
    if plan.records or by_scenario:
        own = [r for r in plain if r.get("_scenario") not in by_scenario]
        shares = [(_records_share(own, plan.records), len(own))] if plan.records else []
        for name, tables in by_scenario.items():
            mine = [r for r in plain if r.get("_scenario") == name]
            shares.append((_records_share(mine, tables), len(mine)))
        counted = [(s, n) for s, n in shares if s is not None]
        n = sum(k for _, k in counted)
        out["records"] = sum(s * k for s, k in counted) / n if n else None
    segments = [*plan.segments, *(g for sp in plan.scenarios for g in sp.segments)]
    pooled_by = [[fp for fp in g.fields if fp.pool] for g in segments]
    if any(pooled_by):  # rows that are one segment's through and through (every pooled value its own)

        def fits(row: Row, fps: list[Any]) -> bool:
            return all(str(v) in {str(p) for p in fp.pool} for fp in fps for v in values_at(row, fp.path))

        covered = sum(any(fits(r, fps) for fps in pooled_by if fps) for r in plain)
        out["segments"] = covered / len(plain) if plain else None
    follows = [fp for fp in plan.fields if fp.follows]
    if follows:
        hits = total = 0
        for fp in follows:
            assert fp.follows is not None
            lists = {k.lower(): {str(v) for v in vs} for k, vs in fp.follows.pools.items()}
            parent = fp.path.rsplit(".", 1)[0] + "." if "." in fp.path else ""
            for r in plain:
                key = str(_first(r, parent + fp.follows.field)).lower()
                if key in lists:
                    total += 1
                    hits += str(_first(r, fp.path)) in lists[key]
        out["follows"] = hits / total if total else None
    if plan.products:  # product values (a product table's names, a basket's items) of the plan's own
        titles = tuple(p.name for p in plan.products)
        names = [str(v) for r in plain for path in ("name", "items[].name") for v in values_at(r, path)]
        out["products"] = sum(n.startswith(titles) for n in names) / len(names) if names else 0.0
    if plan.edge_values:
        labels = {f"{e.path}={e.label}" for e in plan.edge_values} | {e.label for e in plan.edge_values}
        edged = [r for r in rows if r.get("_edge_case")]
        out["edge_values"] = (
            sum(any(lab in str(r["_edge_case"]) for lab in labels) for r in edged) / len(edged)
            if edged
            else 0.0
        )
    return out
