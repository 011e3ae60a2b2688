"""Which parts of a plan reached the rows: a plan the engine accepts but ignores scores like no plan,
so the table says, per feature, the share of rows that show it."""

from __future__ import annotations

from typing import Any

from agent.plan import GenerationPlan, RecordTable
from evals.common import plain_rows
from evals.requests import values_at

Row = dict[str, Any]


def _first(row: Row, path: str) -> Any:
    found = values_at(row, path)
    return found[0] if found else None


def _records_share(rows: list[Row], tables: list[RecordTable]) -> float | None:
    """Share of rows whose values for a table's fields are one of its entries (every table counted);
    a text the engine goes on with (tools/records.py) counts when it opens with the entry's."""
    hits = total = 0
    for t in tables:
        for r in rows:
            total += 1
            got = [str(_first(r, f)) for f in t.fields]
            hits += any(
                all(
                    g == str(v) or (isinstance(v, str) and g.startswith(v))
                    for g, v in zip(got, e, strict=True)
                )
                for e in t.rows
            )
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
    if plan.edge_values:
        labels = {f"{e.path}={e.label}" for e in plan.edge_values} | {e.label for e in plan.edge_values}
        edged = [r for r in rows if r.get("_edge_case")]
        out["edge_values"] = (
            sum(any(lab in str(r["_edge_case"]) for lab in labels) for r in edged) / len(edged)
            if edged
            else 0.0
        )
    return out
