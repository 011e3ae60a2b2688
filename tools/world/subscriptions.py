"""Subscribe-and-save plans told at `as_of`: deliveries fall on the plan's cadence from the day it
started, so an active plan's next delivery is the first one after `as_of` (within one cycle); a past
due plan's last renewal failed lately; a cancelled one was cancelled before `as_of`.

Shares follow subscription.yaml's status weights (66% active, 9% paused, 20% cancelled, 5% past due).
- Cancellation: a constant monthly churn of 6.8% (Recurly Research, median B2C monthly churn), kept
  within subscription.yaml's 1..300 days after the start.
- Past due: the renewal failed at most 14 days before `as_of`; Stripe's recommended retry policy is
  8 tries within 2 weeks, after which the plan is cancelled or left unpaid.
- Cadence: weekly and every two weeks by days, the monthly ones on the same day of the month.
- The next delivery is a planned date: it lies after `as_of`, and within subscription.yaml's coming
  quarter (89 days of as_of's day: its bounds move with as_of by whole days); a quarterly plan whose
  next date falls past that is drawn again.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from tools.chains import Retry
from tools.world.fates import pick
from tools.world.stories import DAY, Rnd, Story
from tools.world.timeline import draw

SHARES = (("active", 66), ("paused", 9), ("cancelled", 20), ("past_due", 5))
CYCLES = {
    "weekly": (7, 0),
    "every_2_weeks": (14, 0),
    "monthly": (0, 1),
    "every_2_months": (0, 2),
    "quarterly": (0, 3),
}
MONTH = 30.44 * DAY
CHURN = 0.068  # cancelled per month
CANCEL_SPAN = (DAY, 300 * DAY)  # subscription.yaml: order [started_at, cancelled_at], 1d..300d
DUNNING = 14 * DAY
HORIZON_DAYS = 89  # next_delivery's range: the 90 days after as_of's day, less the day's own shift


@dataclass
class PlanStory(Story):
    @property
    def status(self) -> str:
        return self.fate

    def time(self, step: str) -> int | None:
        if step == "next_delivery":  # planned: after as_of
            return self.at.get(step)
        return super().time(step)

    @property
    def updated(self) -> int:
        return max((t for t in self.at.values() if t <= self.as_of), default=self.start)

    def to_links(self) -> dict[str, object]:
        return {**{s: self.time(s) for s in self.at}, "status": self.fate}


def subscription_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> PlanStory:
    """A plan started within [lo, hi] (`lo` itself when the request fixes it), seen at `as_of`.
    facts["method"]: its frequency."""
    fate = wanted or pick(SHARES, rnd)
    freq = facts.get("method", "") if facts.get("method", "") in CYCLES else "monthly"
    hi = min(hi, as_of)
    at: dict[str, int] = {}
    if fate == "cancelled":
        span = min(CANCEL_SPAN[1], as_of - lo)
        if span < CANCEL_SPAN[0]:
            raise Retry
        rate = CHURN / MONTH
        u = rnd() * (1 - math.exp(-rate * (span - CANCEL_SPAN[0])))
        kept = CANCEL_SPAN[0] + int(-math.log(1 - u) / rate)
        start = _start(lo, min(hi, as_of - kept), offset, rnd)
        at["cancelled"] = start + kept
    elif fate == "past_due":  # the renewal at `failed` was declined and is being retried
        failed = as_of - int(DUNNING * rnd())
        earliest = _due(failed, freq, -1)
        if earliest < lo:
            raise Retry
        start = _start(lo, min(hi, earliest), offset, rnd)
        k = max(1, round((failed - start) / _length(freq)))
        start = _due(failed, freq, -k)
        if not lo <= start <= hi:
            raise Retry
        last = _due(start, freq, _after(start, freq, as_of) - 1)
        if not as_of - DUNNING < last <= as_of:
            raise Retry
        at["failed"] = last
    else:
        start = _start(lo, hi, offset, rnd)
    if fate in ("active", "past_due"):
        at["next_delivery"] = nxt = _due(start, freq, _after(start, freq, as_of))
        if nxt // DAY > as_of // DAY + HORIZON_DAYS:
            raise Retry
    story = PlanStory(start, as_of, fate, "")
    story.at.update(started=start, **at)
    return story


def _start(lo: int, hi: int, offset: int, rnd: Rnd) -> int:
    if lo > hi:
        raise Retry
    return draw("shopping", lo, hi, offset, rnd)


def _length(freq: str) -> float:
    days, months = CYCLES[freq]
    return days * DAY if days else months * MONTH


def _due(start: int, freq: str, k: int) -> int:
    """The k-th delivery after `start` (k < 0: before it): by days, or on the same day of the month
    (the 31st falls on a shorter month's last day)."""
    days, months = CYCLES[freq]
    if days:
        return start + k * days * DAY
    t = datetime.fromtimestamp(start, UTC)
    m = t.month - 1 + k * months
    year, month = t.year + m // 12, m % 12 + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return int(t.replace(year=year, month=month, day=day).timestamp())


def _after(start: int, freq: str, t: int) -> int:
    """The first k >= 1 whose delivery lies after `t`."""
    k = max(1, int((t - start) / _length(freq)))
    while _due(start, freq, k) <= t:
        k += 1
    while k > 1 and _due(start, freq, k - 1) > t:
        k -= 1
    return k
