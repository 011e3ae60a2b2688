"""Dates and datetimes as integers (epoch days, epoch seconds) with fast, fixed-width ISO formatting.

The engine works on integers so order rules are plain comparisons; rows carry ISO strings
(`2025-03-14`, `2025-03-14T09:26:53Z`, always UTC) so JSON, CSV and SQL agree and sort correctly.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

# Rows never depend on the wall clock: the same seed gives the same bytes tomorrow. Default date
# ranges end here; a plan can move the window.
REFERENCE_TIME = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)
DEFAULT_SPAN_DAYS = 730
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


def strftime_text(seconds: int, pattern: str) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime(pattern)
