"""Loyalty memberships told at `as_of` with the account model (tools/world/accounts.py): enrolment is
the sign-up, the last points activity the last login. An inactive member has had no points activity
for twelve months (loyalty_member.yaml), an active one lately, a cancelled one left the programme
before `as_of` (an account closed).

Shares follow loyalty_member.yaml's status weights (86% active, 10% inactive, 1% suspended, 3%
cancelled), not the customer's account shares.

The tier lapses on the membership's next anniversary after `as_of` unless the member re-qualifies
(a twelve-month tier year counted from enrolment; a planned date, within loyalty_member.yaml's
range, which runs 18 months past as_of and moves with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tools.world.accounts import account_story
from tools.world.fates import pick
from tools.world.stories import Rnd, Story

SHARES = (("active", 86), ("inactive", 10), ("suspended", 1), ("cancelled", 3))
ACCOUNT_OF = {"cancelled": "closed"}  # the account fate that tells a membership's status
STEP_OF = {"registered": "enrolled", "last_login": "last_activity", "closed": "cancelled"}


@dataclass
class MemberStory(Story):
    @property
    def status(self) -> str:
        return self.fate

    def time(self, step: str) -> int | None:
        if step == "tier_expiry":  # planned: after as_of
            return self.at.get(step)
        return super().time(step)

    @property
    def updated(self) -> int:
        return max(t for t in self.at.values() if t <= self.as_of)

    def to_links(self) -> dict[str, object]:
        return {**{s: self.time(s) for s in self.at}, "status": self.fate}


def membership_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> MemberStory:
    """A membership enrolled within [lo, hi], seen at `as_of`."""
    fate = wanted or pick(SHARES, rnd)
    account = account_story(lo, hi, as_of, facts, offset, rnd, ACCOUNT_OF.get(fate, fate))
    story = MemberStory(account.start, as_of, fate, "")
    story.at.update({STEP_OF[s]: t for s, t in account.at.items()})
    story.at["tier_expiry"] = _anniversary_after(story.start, as_of)
    return story


def _anniversary_after(start: int, t: int) -> int:
    """The first anniversary of `start` after `t` (29 February: the 28th in other years)."""
    d = datetime.fromtimestamp(start, UTC)
    year = max(d.year + 1, datetime.fromtimestamp(t, UTC).year)
    while True:
        try:
            at = int(d.replace(year=year).timestamp())
        except ValueError:
            at = int(d.replace(year=year, day=28).timestamp())
        if at > t:
            return at
        year += 1
