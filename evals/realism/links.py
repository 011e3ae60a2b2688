"""Plumbing for the measures on linked rows: timestamps and dates read leniently (a field that is missing
or malformed is skipped, never a crash), rows indexed by key, and a Check that says why it reads n/a.

Entities are being changed while these measures are written, so every measure names the fields it needs
and reads n/a with the reason ("order rows have no shipped_at") when they are not there.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from evals.realism.sample import Row
from evals.realism.table import Bound, Check

DAY = 86400
HOUR = 3600
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def is_date(value: Any) -> bool:
    """A date without a time of day (`2025-03-14`)."""
    return isinstance(value, str) and bool(_DATE.match(value.strip()))


def instant(value: Any) -> int | None:
    """ISO date or datetime text -> epoch seconds UTC (a date: its first second); None otherwise."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not (_DATE.match(text) or _STAMP.match(text)):
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


def last_second(value: Any) -> int | None:
    """The last second a value covers: a date lasts its whole day, a datetime is one instant."""
    at = instant(value)
    return at + DAY - 1 if at is not None and is_date(value) else at


def day(value: Any) -> int | None:
    """Epoch day (UTC) of a date or datetime."""
    at = instant(value)
    return None if at is None else at // DAY


def text(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def index(rows: Iterable[Row], key: str) -> dict[str, Row]:
    """The first row for each value of `key` (rows without it are left out)."""
    out: dict[str, Row] = {}
    for r in rows:
        if r.get(key) is not None:
            out.setdefault(str(r[key]), r)
    return out


def groups(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        if r.get(key) is not None:
            out[str(r[key])].append(r)
    return out


def missing(entity: str, rows: list[Row], *names: str) -> str:
    """Why a measure on `rows` cannot be taken: no rows, or fields that no row has ('' when it can)."""
    if not rows:
        return f"no {entity} rows"
    absent = [n for n in names if not any(n in r for r in rows)]
    return f"{entity} rows have no {', '.join(absent)}" if absent else ""


def measure(
    prop: str,
    metric: str,
    scope: str,
    flags: Iterable[bool | None],
    bound: Bound,
    source: str,
    why: str = "",
    note: str = "",
) -> Check:
    """The share of True among the counted flags (None: not counted) as a Check. n/a says `why` (or that
    nothing could be compared); otherwise the note gives the count."""
    counted = [f for f in flags if f is not None]
    if why or not counted:
        return Check(prop, metric, scope, None, bound, source, why or "no rows to compare")
    value = sum(counted) / len(counted)
    return Check(
        prop, metric, scope, value, bound, source, "; ".join(x for x in (f"n={len(counted)}", note) if x)
    )


def na(prop: str, metric: str, scope: str, bound: Bound, source: str, why: str) -> Check:
    return Check(prop, metric, scope, None, bound, source, why)


def worst(counts: dict[str, int], top: int = 4) -> str:
    """'a 12, b 3' for the largest counts, ties by name: notes stay the same from run to run."""
    ranked = sorted(((n, k) for k, n in counts.items() if n), key=lambda x: (-x[0], x[1]))[:top]
    return ", ".join(f"{k} {n}" for n, k in ranked)
