"""Shapes of time: when in the day, week and year things happen (data/time.yaml, with its sources).

An instant is drawn as a local day (month x weekday x named peaks such as Black Friday), then a local
hour from the kind's profile, then shifted to UTC by the country's offset, so a shop in Tokyo sells in
Tokyo's evening. Day weights are cumulated once per kind over 1970-2099; outside those years, and for
spans under two days, the draw is uniform.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from tools.temporal import DAY, EPOCH_DATE
from tools.world.places import country_of_locale

TIME_FILE = Path(__file__).parent / "data" / "time.yaml"
FIRST_YEAR, LAST_YEAR = 1970, 2099
HOUR = 3600


@cache
def _doc() -> dict[str, Any]:
    return yaml.safe_load(TIME_FILE.read_text())  # type: ignore[no-any-return]


def kinds() -> tuple[str, ...]:
    return tuple(_doc()["kinds"])


def peak_names() -> tuple[str, ...]:
    return tuple(p["name"] for p in _doc()["peaks"])


def shaped(kind: str, peaks: tuple[tuple[str, float], ...]) -> str:
    """`kind` with a plan's peak multipliers (`shopping|black_friday=2,cyber_monday=2`): the key its
    profile is built and cached under. No multipliers: the kind itself, the same bytes as before."""
    if not peaks:
        return kind
    return kind + "|" + ",".join(f"{name}={factor:g}" for name, factor in sorted(peaks))


@dataclass(frozen=True)
class Profile:
    kind: str
    hour_cum: tuple[float, ...]  # cumulative local-hour weights
    day_cum: list[float]  # day_cum[i]: total weight of the days before day FIRST + i


def custom_kind(
    base: str, hours: list[float] | None, weekdays: list[float] | None, months: list[float] | None
) -> str:
    """A plan's own pattern as a profile key (`shopping~1,1,...~~`: base kind, then hours, weekdays and
    months, an empty list keeping the base's). The key carries the whole pattern, so a worker process
    builds the same profile from it."""
    parts = [",".join(f"{w:g}" for w in ws) if ws else "" for ws in (hours, weekdays, months)]
    return "~".join([base, *parts])


def _custom(kind: str) -> tuple[str, dict[str, list[float]]]:
    base, *parts = kind.split("~")
    names = ("hours", "weekdays", "months")
    return base, {n: [float(x) for x in p.split(",")] for n, p in zip(names, parts, strict=False) if p}


@cache
def profile(kind: str) -> Profile:
    doc = _doc()
    base, _, boosts = kind.partition("|")
    base, own = _custom(base)
    spec = {**(doc["kinds"][base] if base else {"hours": [1.0] * 24, "weekdays": [1.0] * 7}), **own}
    weekdays = [float(w) for w in spec["weekdays"]]
    months = [float(m) for m in doc["months"]] if spec.get("seasonal") else [1.0] * 12
    months = own.get("months", months)
    boost = {n: float(f) for n, _, f in (b.partition("=") for b in boosts.split(",") if b)}
    peaks = _peak_days(doc["peaks"], boost) if spec.get("seasonal") else {}
    cum = [0.0]
    total = 0.0
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            days = calendar.monthrange(year, month)[1]
            per_day = months[month - 1] / days
            first = calendar.weekday(year, month, 1)
            start = _day_number(year, month, 1)
            for d in range(days):
                total += per_day * weekdays[(first + d) % 7] * peaks.get(start + d, 1.0)
                cum.append(total)
    return Profile(kind, tuple(itertools.accumulate(float(h) for h in spec["hours"])), cum)


def _day_number(year: int, month: int, day: int) -> int:
    return (datetime(year, month, day, tzinfo=UTC).date() - EPOCH_DATE).days


def _peak_days(peaks: list[dict[str, Any]], boost: dict[str, float]) -> dict[int, float]:
    """Epoch day -> how many usual days' orders it sees; a plan's multiplier scales the peak's lift
    (a factor 3.2 day doubled is 1 + 2 x 2.2: a holiday rush)."""
    out: dict[int, float] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for p in peaks:
            factor = float(p["factor"])
            factor = max(0.0, 1 + (factor - 1) * boost.get(p["name"], 1.0))
            out[rule_day(p["rule"], year) + int(p["offset"])] = factor
    return out


def rule_day(rule: str, year: int) -> int:
    """The epoch day a named peak's rule falls on in `year` (thanksgiving: US Thanksgiving, the fourth
    Thursday of November; prime_day: the second Tuesday of July, where Amazon has held it since 2023)."""
    if rule == "thanksgiving":
        first = calendar.weekday(year, 11, 1)
        return _day_number(year, 11, 1 + (3 - first) % 7 + 21)
    if rule == "prime_day":
        first = calendar.weekday(year, 7, 1)
        return _day_number(year, 7, 1 + (1 - first) % 7 + 7)
    raise ValueError(f"unknown peak rule {rule!r}")


@cache
def utc_offset(locale: str) -> int:
    """Seconds local standard time is ahead of UTC in the locale's country (its first, most populous
    zone; daylight saving is left out: an hour's shift in summer does not move the profile's shape)."""
    country = country_of_locale(locale)
    if country is None or not country.timezones:
        return 0
    try:
        zone = ZoneInfo(country.timezones[0])
    except ZoneInfoNotFoundError:
        return 0
    offset = datetime(2025, 1, 15, 12, tzinfo=zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


_FIRST_DAY = _day_number(FIRST_YEAR, 1, 1)


def draw(kind: str, lo: int, hi: int, offset: int, rnd: Callable[[], float]) -> int:
    """An instant in [lo, hi] (epoch seconds UTC) following `kind`'s day and hour profile."""
    if hi - lo < 2 * DAY:
        return lo + int((hi - lo) * rnd())
    p = profile(kind)
    d0, d1 = (lo + offset) // DAY - _FIRST_DAY, (hi + offset) // DAY - _FIRST_DAY
    if d0 < 0 or d1 + 1 >= len(p.day_cum):
        return lo + int((hi - lo) * rnd())
    c0, c1 = p.day_cum[d0], p.day_cum[d1 + 1]
    hours = p.hour_cum
    for _ in range(4):  # a draw on a partial first or last day can fall outside: draw again
        day = bisect.bisect_right(p.day_cum, c0 + (c1 - c0) * rnd()) - 1 + _FIRST_DAY
        hour = bisect.bisect_right(hours, rnd() * hours[-1])
        t = day * DAY + min(hour, 23) * HOUR + int(rnd() * HOUR) - offset
        if lo <= t <= hi:
            return t
    return lo + int((hi - lo) * rnd())


def at_local_hour(t: int, offset: int, rnd: Callable[[], float], kind: str = "") -> int:
    """The same local day as `t`, at an hour drawn from `kind`'s profile (default: delivery hours)."""
    cum = profile(kind).hour_cum if kind else _delivery_hours()
    hour = bisect.bisect_right(cum, rnd() * cum[-1])
    day = (t + offset) // DAY
    return day * DAY + min(hour, 23) * HOUR + int(rnd() * HOUR) - offset


def next_delivery_day(t: int, offset: int, rnd: Callable[[], float]) -> int:
    """`t`, or the following days, until one a carrier delivers on (most parcels skip Sundays)."""
    share = _doc()["delivery_weekdays"]
    for _ in range(7):
        weekday = ((t + offset) // DAY + 3) % 7  # 1970-01-01 was a Thursday (Monday = 0)
        if rnd() < share[weekday]:
            return t
        t += DAY
    return t


@cache
def _delivery_hours() -> tuple[float, ...]:
    return tuple(itertools.accumulate(float(h) for h in _doc()["delivery_hours"]))


@cache
def _arrays(kind: str) -> tuple[Any, Any]:
    import numpy as np

    p = profile(kind)
    return np.asarray(p.day_cum), np.asarray(p.hour_cum)


def draw_many(kind: str, lo: Any, hi: Any, offset: int, gen: Any) -> Any:
    """`draw` for a block of rows (numpy int64 bounds and generator): the column maker's form."""
    import numpy as np

    cum, hours = _arrays(kind)
    n = len(lo)
    d0 = (lo + offset) // DAY - _FIRST_DAY
    d1 = (hi + offset) // DAY - _FIRST_DAY
    ok = (hi - lo >= 2 * DAY) & (d0 >= 0) & (d1 + 1 < len(cum))
    a, b = np.clip(d0, 0, len(cum) - 1), np.clip(d1 + 1, 0, len(cum) - 1)
    u = cum[a] + (cum[b] - cum[a]) * gen.random(n)
    day = np.searchsorted(cum, u, side="right") - 1 + _FIRST_DAY
    hour = np.minimum(np.searchsorted(hours, gen.random(n) * hours[-1], side="right"), 23)
    t = day * DAY + hour * HOUR + (gen.random(n) * HOUR).astype(np.int64) - offset
    uniform = lo + (gen.random(n) * (hi - lo + 1)).astype(np.int64)
    return np.where(ok & (t >= lo) & (t <= hi), t, uniform)


MOST_PEAK = 10.0  # a plan may multiply a peak's lift by at most this much


def checked_peaks(peaks: dict[str, float]) -> dict[str, float]:
    """A plan's peak multipliers: known names, each from 0 to MOST_PEAK (ValueError naming the fix)."""
    known = peak_names()
    for name, factor in peaks.items():
        if name not in known:
            raise ValueError(f"unknown peak {name!r}: use one of {', '.join(known)}")
        if not 0 <= factor <= MOST_PEAK:  # NaN fails too
            raise ValueError(f"peak {name!r} multiplier {factor} must be from 0 to {MOST_PEAK:g}")
    return peaks
