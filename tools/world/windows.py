"""Validity windows told at `as_of`: a coupon's or a promotion's status is where `as_of` falls in its
window (scheduled before the first day, active inside it, expired or ended after the last day).

A window runs over whole UTC days: it starts at 00:00:00 of its first day and ends at 23:59:59 of
its last (coupon.yaml's example), so a date-typed window (a promotion's start_date/end_date) and a
datetime one agree. Its dates are planned: a scheduled or active window's days may lie after `as_of`.

Shares follow the entities' status weights; each status then places the window where `as_of` sees it:
- scheduled and draft windows start after `as_of`: scheduled ones a median of a week or so ahead,
  drafts (still being set up) further out;
- active and paused ones (a paused promotion is stopped inside its run) hold `as_of`;
- expired and ended ones closed before `as_of`, their first day drawn with the shopping profile
  (campaigns follow the sales calendar: Black Friday, Prime Day, December);
- disabled coupons (switched off by marketing) started before `as_of`; their planned end may lie
  either side of it.

Lengths (assumptions, no public benchmark found): coupon codes run days to months, a median of three
weeks, 90% within three months (coupon.yaml: at most 365 days). Promotions by type, as promotion.yaml
describes them: flash sales a day or two, sitewide events a week or more, clearances weeks; never
more than promotion.yaml's 45 days. Discounts (discount.yaml) a few days
to a few months, at most its 120 days; archived ones have ended.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.chains import Retry
from tools.world.fates import Spread, pick, whole_days
from tools.world.stories import DAY, Rnd, Story
from tools.world.timeline import draw

BEFORE, INSIDE, AFTER, STARTED = "before", "inside", "after", "started"


@dataclass(frozen=True)
class WindowKind:
    shares: tuple[tuple[str, float, str], ...]  # status, weight, where as_of falls
    lengths: dict[str, Spread]  # days the window covers, by the read fact (a promotion's type); "" default
    leads: dict[str, Spread]  # days from as_of's day to the first day, by a status that starts later


COUPON = WindowKind(
    shares=(
        ("active", 52, INSIDE),
        ("scheduled", 8, BEFORE),
        ("expired", 32, AFTER),
        ("disabled", 8, STARTED),
    ),
    lengths={"": (1, 21, 90, 365)},
    leads={"scheduled": (1, 7, 30, 60)},
)
PROMOTION = WindowKind(
    shares=(
        ("draft", 6, BEFORE),
        ("scheduled", 10, BEFORE),
        ("active", 24, INSIDE),
        ("paused", 4, INSIDE),
        ("ended", 56, AFTER),
    ),
    lengths={
        "": (3, 10, 30, 45),
        "sitewide_sale": (5, 10, 21, 31),
        "flash_sale": (1, 1, 2, 2),
        "clearance": (7, 21, 42, 45),
        "bundle_deal": (7, 14, 30, 45),
        "bogo": (3, 7, 14, 21),
        "free_shipping": (2, 4, 7, 7),
        "loyalty_exclusive": (2, 3, 7, 14),
        "new_customer": (14, 30, 45, 45),
    },
    leads={"scheduled": (1, 10, 35, 60), "draft": (3, 21, 60, 90)},
)
# discount.yaml's lifecycle (start_date, end_date).
DISCOUNT = WindowKind(
    shares=(
        ("active", 40, INSIDE),
        ("scheduled", 10, BEFORE),
        ("expired", 38, AFTER),
        ("paused", 5, INSIDE),
        ("archived", 7, AFTER),
    ),
    lengths={"": (1, 14, 60, 120)},
    leads={"scheduled": (1, 10, 35, 60)},
)


@dataclass
class WindowStory(Story):
    """A window: `starts` and `ends` are planned instants, shown whether or not `as_of` has reached them."""

    @property
    def status(self) -> str:
        return self.fate

    def time(self, step: str) -> int | None:
        return self.at.get(step)

    @property
    def updated(self) -> int:
        return max((t for t in self.at.values() if t <= self.as_of), default=self.start)

    def to_links(self) -> dict[str, object]:
        return {**self.at, "status": self.fate}


def coupon_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> WindowStory:
    return window_story(COUPON, lo, hi, as_of, facts, rnd, wanted)


def promotion_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> WindowStory:
    return window_story(PROMOTION, lo, hi, as_of, facts, rnd, wanted)


def discount_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> WindowStory:
    return window_story(DISCOUNT, lo, hi, as_of, facts, rnd, wanted)


def window_story(
    kind: WindowKind, lo: int, hi: int, as_of: int, facts: dict[str, str], rnd: Rnd, wanted: str
) -> WindowStory:
    """A window whose first instant lies in [lo, hi] (or after `as_of` for a status that starts later;
    exactly `lo` when the request fixes it, lo == hi), seen at `as_of`."""
    fate = wanted or pick([(s, w) for s, w, _ in kind.shares], rnd)
    phase = next((p for s, _, p in kind.shares if s == fate), STARTED)
    spread = kind.lengths.get(facts.get("method", ""), kind.lengths[""])
    fewest, most = int(spread[0]), int(spread[3])
    days = whole_days(spread, rnd)
    today = as_of // DAY
    if lo == hi:  # the start is the request's: the status and the length must fit it
        first, start = lo // DAY, lo
        if (phase == BEFORE) != (start > as_of):
            raise Retry
        if phase == INSIDE:
            days = max(days, today - first + 1)
        elif phase == AFTER:
            days = min(days, today - first)
        if not fewest <= days <= most:
            raise Retry
    else:
        lo_day, hi_day = -(-lo // DAY), min(hi, as_of) // DAY
        if phase == BEFORE:
            first = today + whole_days(kind.leads.get(fate, (1, 7, 30, 60)), rnd)
        elif phase == INSIDE:
            a, b = max(lo_day, today - days + 1), min(hi_day, today)
            if a > b:
                raise Retry
            first = a + int((b - a + 1) * rnd())
        else:
            if phase == AFTER:
                days = min(days, today - lo_day)
                if days < fewest:
                    raise Retry
            last_first = min(hi_day, today - days if phase == AFTER else today)
            if last_first < lo_day:
                raise Retry
            first = draw("shopping", lo_day * DAY, last_first * DAY, 0, rnd) // DAY
        start = first * DAY
    story = WindowStory(start, as_of, fate, "")
    story.at.update(starts=start, ends=(first + days) * DAY - 1)
    return story
