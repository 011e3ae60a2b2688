"""Context fit: the share of a case's stated properties that its rows show.

A property is one mapping with exactly one of these keys (and `scenario: name` to look at one
scenario's rows only, or `where: {path: ..., <condition as for share>}` to look at the rows whose
value there meets it: what one sub-population of the rows looks like):

- `terms: [words]`, `fields: [paths]`, `min` (`max`): the share of rows whose text in those fields
  holds at least one of the words (a word matches where a word starts: `fin` matches `fins`); rows with
  no text there are not counted.
- `covers: [words]`, `fields`, `min`: how many of the words appear at least once in all the rows.
- `share: path`, a condition, `min` (`max`): the share of the path's values meeting the condition:
  `in: [values]`, `ge`, `le` (numbers, or ISO dates as text), `month_in` / `weekday_in` (0 = Monday)
  / `hour_in` (UTC) for dates, `empty: true` (counts rows where the path is null or missing).
- `quantile: path`, `q` (0.5 is the median), `min`, `max`: the q-quantile of the path's numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from evals.requests import values_at

Row = dict[str, Any]


@dataclass(frozen=True)
class Measured:
    name: str
    value: float | None  # None: nothing to measure (no rows, no values)
    held: bool


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            d = date.fromisoformat(value)
        except ValueError:
            return None
        return datetime(d.year, d.month, d.day)


def _same(v: Any, x: Any) -> bool:
    numbers = isinstance(v, int | float) and isinstance(x, int | float) and not isinstance(v, bool)
    return float(v) == float(x) if numbers else str(v) == str(x)


def _order(lo: Any, hi: Any) -> bool:
    """lo <= hi for two numbers, or two ISO dates as text (they sort as they read)."""
    if isinstance(lo, str) and isinstance(hi, str):
        return lo <= hi
    numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lo, hi))
    return numbers and lo <= hi


def _meets(v: Any, p: dict[str, Any]) -> bool:
    if "in" in p and not any(_same(v, x) for x in p["in"]):
        return False
    if "ge" in p and not _order(p["ge"], v):
        return False
    if "le" in p and not _order(v, p["le"]):
        return False
    for key, part in (("month_in", "month"), ("hour_in", "hour")):
        if key in p and ((t := _when(v)) is None or getattr(t, part) not in p[key]):
            return False
    return not ("weekday_in" in p and ((t := _when(v)) is None or t.weekday() not in p["weekday_in"]))


def _text(row: Row, fields: list[str]) -> str:
    return " ".join(str(v) for f in fields for v in values_at(row, f) if v not in (None, "")).casefold()


def _has(text: str, word: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(word.casefold())}", text) is not None


def _within(v: float | None, p: dict[str, Any]) -> bool:
    return v is not None and p.get("min", -math.inf) <= v <= p.get("max", math.inf)


def measure(rows: list[Row], p: dict[str, Any]) -> Measured:
    where = ""
    if "scenario" in p:
        rows = [r for r in rows if r.get("_scenario") == p["scenario"]]
        where = f"[{p['scenario']}] "
    if "where" in p:
        cond = p["where"]
        rows = [r for r in rows if any(_meets(v, cond) for v in values_at(r, cond["path"]) if v is not None)]
        where += f"[{cond['path']} { ({k: v for k, v in cond.items() if k != 'path'}) }] "
    value: float | None
    if "terms" in p:
        texts = [t for r in rows if (t := _text(r, p["fields"]))]
        hits = sum(any(_has(t, w) for w in p["terms"]) for t in texts)
        value = hits / len(texts) if texts else None
        name = f"terms in {'+'.join(p['fields'])}"
    elif "covers" in p:
        text = " ".join(_text(r, p["fields"]) for r in rows)
        value = float(sum(_has(text, w) for w in p["covers"])) if rows else None
        name = f"covers {len(p['covers'])} words in {'+'.join(p['fields'])}"
    elif "share" in p:
        if p.get("empty"):
            vals: list[Any] = [None if not (v := values_at(r, p["share"])) else v[0] for r in rows]
            value = sum(v is None for v in vals) / len(vals) if vals else None
        else:
            vals = [v for r in rows for v in values_at(r, p["share"]) if v is not None]
            value = sum(_meets(v, p) for v in vals) / len(vals) if vals else None
        cond = {k: v for k, v in p.items() if k not in ("share", "min", "max", "scenario", "what", "where")}
        name = f"share {p['share']} {cond}"
    else:
        nums = sorted(
            float(v) for r in rows for v in values_at(r, p["quantile"]) if isinstance(v, int | float)
        )
        q = float(p.get("q", 0.5))
        value = nums[max(0, math.ceil(q * len(nums)) - 1)] if nums else None
        name = f"q{q:g} {p['quantile']}"
    bounds = f" in {p.get('min', '')}..{p.get('max', '')}"
    return Measured(where + str(p.get("what") or name) + bounds, value, _within(value, p))


def context_fit(rows: list[Row], props: list[dict[str, Any]]) -> tuple[float, list[Measured]]:
    """The share of the properties that hold, and each one measured."""
    found = [measure(rows, p) for p in props]
    return (sum(m.held for m in found) / len(found) if found else 0.0), found
