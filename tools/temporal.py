"""Dates and datetimes as integers (epoch days, epoch seconds) with fast, fixed-width ISO formatting.

The engine works on integers so order rules are plain comparisons; rows carry ISO strings
(`2025-03-14`, `2025-03-14T09:26:53Z`, always UTC) so JSON, CSV and SQL agree and sort correctly.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from tools.errors import InvalidRequest

# Rows never depend on the wall clock: the same seed gives the same bytes tomorrow. Default date
# ranges end here; a plan can move the window.
REFERENCE_TIME = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
REFERENCE_SECONDS = int(REFERENCE_TIME.timestamp())
DEFAULT_SPAN_DAYS = 730
# as_of must leave the two-year window and the registry's date bounds (born 1940) inside years 1-9999.
AS_OF_RANGE = ("1971-01-01T00:00:00Z", "9000-12-31T23:59:59Z")
EPOCH_DATE = date(1970, 1, 1)
DAY = 86400

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": DAY, "w": 7 * DAY}


def parse_duration(text: str) -> int:
    """`45m` -> 2700 seconds."""
    m = _DURATION.match(text or "") if len(text or "") <= 32 else None  # no 4,000-digit counts
    if not m:
        raise ValueError(f"duration {text[:40]!r} must look like 30s, 45m, 2h, 3d or 1w")
    return int(m.group(1)) * _UNIT[m.group(2)]


@lru_cache(maxsize=65536)
def day_text(days: int) -> str:
    return (EPOCH_DATE + timedelta(days=days)).isoformat()


def datetime_text(seconds: int) -> str:
    days, rest = divmod(seconds, DAY)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{day_text(days)}T{h:02d}:{m:02d}:{s:02d}Z"


def parse_datetime(value: object) -> int:
    """ISO date or datetime text (or epoch seconds) -> epoch seconds, UTC. Raises ValueError."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip()
    if len(text) == 10:
        return parse_date(text) * DAY
    dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())


def parse_date(value: object) -> int:
    """ISO date text (or epoch seconds) -> epoch days. Raises ValueError."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) // DAY
    text = str(value).strip()
    if len(text) > 10:
        return parse_datetime(text) // DAY
    return (date.fromisoformat(text) - EPOCH_DATE).days


def default_window(reference: datetime = REFERENCE_TIME) -> tuple[int, int]:
    """Epoch seconds of the default datetime range: the two years before the reference time."""
    end = int(reference.timestamp())
    return end - DEFAULT_SPAN_DAYS * DAY, end


def window_at(as_of: int) -> tuple[int, int]:
    """The default datetime range of rows seen at `as_of` (epoch seconds): the two years before it."""
    return as_of - DEFAULT_SPAN_DAYS * DAY, as_of


def strftime_text(seconds: int, pattern: str) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime(pattern)


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")


def parse_as_of(text: str, field: str = "as_of") -> int:
    """A request's `as_of` (RFC 3339, any offset) -> epoch seconds UTC; empty -> the fixed reference.
    Raises InvalidRequest naming the field."""
    text = (text or "").strip()
    if not text:
        return REFERENCE_SECONDS
    fix = "send RFC 3339 such as 2026-06-30T12:00:00Z, or leave it empty for 2025-12-31T23:59:59Z"
    if len(text) > 40 or not _RFC3339.match(text):
        raise InvalidRequest(field, f"{text[:40]!r} is not an RFC 3339 instant", fix)
    try:
        seconds = parse_datetime(text)
    except (ValueError, OverflowError) as exc:
        raise InvalidRequest(field, f"{text!r} is not a real instant ({exc})", fix) from None
    lo, hi = (parse_datetime(t) for t in AS_OF_RANGE)
    if not lo <= seconds <= hi:
        raise InvalidRequest(field, f"{text!r} is outside {AS_OF_RANGE[0]}..{AS_OF_RANGE[1]}", fix)
    return seconds


def as_of_text(seconds: int) -> str:
    return datetime_text(seconds)


def year_of(seconds: int) -> int:
    return int(day_text(seconds // DAY)[:4])
