"""Gift cards told at `as_of`: a card that expires does so five years after its purchase, and none
has expired by `as_of` (gift_card.yaml has no expired status and bounds expires_at after as_of); a card
not yet activated (inactive) was bought lately.

- Expiry: the US Credit CARD Act of 2009 (12 CFR 1005.20) forbids gift card funds expiring within
  five years of issue; cards that expire do so five calendar years after purchase, the rest never
  (half of them: gift_card.yaml's null_rate for expires_at). A card with an expiry is therefore
  bought in the five years before `as_of`, and at least two days before it so that its expiry stays
  within the field's range (gift_card.yaml: up to 2030-12-31 at the reference, 1,826 days later; the
  bound moves with as_of by whole days).
- Shares follow gift_card.yaml's status weights (87% active, 5% inactive, 3% suspended, 5%
  cancelled); an inactive card (a physical card not activated at the register) was bought in the
  last 30 days (assumption: an activation that failed is noticed at the first use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tools.chains import Retry
from tools.world.fates import pick
from tools.world.stories import DAY, Rnd, Story
from tools.world.timeline import draw

SHARES = (("active", 87), ("inactive", 5), ("suspended", 3), ("cancelled", 5))
NEVER_EXPIRE = 0.5
YEARS = 5
LATEST = 1820 * DAY  # a card with an expiry was bought at most this long before as_of (expiry after it)
EARLIEST = 2 * DAY  # ...and at least this long before it (expiry within as_of + 1,825 days)
INACTIVE_DAYS = 30


@dataclass
class CardStory(Story):
    @property
    def status(self) -> str:
        return self.fate

    def time(self, step: str) -> int | None:
        if step == "expires":  # planned: after as_of
            return self.at.get(step)
        return super().time(step)

    @property
    def updated(self) -> int:
        return self.start

    def to_links(self) -> dict[str, object]:
        return {**self.at, "status": self.fate}


def gift_card_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> CardStory:
    """A card bought within [lo, hi] (`lo` itself when the request fixes it), seen at `as_of`."""
    fate = wanted or pick(SHARES, rnd)
    hi = min(hi, as_of)
    if fate == "inactive":
        lo = max(lo, as_of - INACTIVE_DAYS * DAY)
    expires = rnd() >= NEVER_EXPIRE
    if expires and max(lo, as_of - LATEST) <= min(hi, as_of - EARLIEST):
        lo, hi = max(lo, as_of - LATEST), min(hi, as_of - EARLIEST)
    else:
        expires = False
    if lo > hi:
        raise Retry
    start = draw("shopping", lo, hi, offset, rnd)
    story = CardStory(start, as_of, fate, "")
    story.at["purchased"] = start
    if expires:
        story.at["expires"] = _years_later(start, YEARS)
    return story


def _years_later(t: int, years: int) -> int:
    """The same instant `years` calendar years later (29 February: the 28th)."""
    d = datetime.fromtimestamp(t, UTC)
    try:
        return int(d.replace(year=d.year + years).timestamp())
    except ValueError:
        return int(d.replace(year=d.year + years, day=28).timestamp())
