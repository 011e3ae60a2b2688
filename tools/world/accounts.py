"""Customer accounts told at `as_of`: the account status agrees with when the customer signed up and
last logged in (an `inactive` account has not logged in for a year, a `pending_verification` one
signed up lately and never came back, a `closed` one closed before `as_of`).

Shares follow customer.yaml's account_status weights (81% active, 10% inactive, 4% pending
verification, 2% suspended, 3% closed). Recency of the last login for active accounts: a median of a
week, 90% within two months (a storefront's monthly active share of its registered base is far below
its weekly one: Shopify and Similarweb retention reports), never past a year (the `inactive` cut-off).
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.chains import Retry
from tools.world.fates import pick
from tools.world.stories import DAY, Rnd, Story, lognormal
from tools.world.timeline import draw

YEAR = 365 * DAY
SHARES = (("active", 81), ("inactive", 10), ("pending_verification", 4), ("suspended", 2), ("closed", 3))


@dataclass
class AccountStory(Story):
    @property
    def status(self) -> str:
        return self.fate

    @property
    def updated(self) -> int:
        return max(t for t in self.at.values() if t <= self.as_of)

    def to_links(self) -> dict[str, object]:
        return {**{s: self.time(s) for s in self.at}, "status": self.fate}


def account_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> AccountStory:
    """An account registered within [lo, hi], seen at `as_of`."""
    fate = wanted or pick(SHARES, rnd)
    hi = min(hi, as_of)
    if fate == "pending_verification":  # signed up in the last month of the range, never back since
        start = draw("signups", max(lo, hi - 30 * DAY), hi, offset, rnd)
        return _told(start, as_of, fate, start, None)
    if fate == "inactive":
        latest = min(hi, as_of - YEAR - DAY)
        if latest < lo:
            raise Retry
        start = draw("signups", lo, latest, offset, rnd)
        gone = YEAR + int((min(as_of - start, 3 * YEAR) - YEAR) * rnd())
        return _told(start, as_of, fate, max(start, as_of - gone), None)
    start = draw("signups", lo, hi, offset, rnd)
    if fate == "closed":
        closed = as_of - int(min(as_of - start, YEAR) * rnd())
        login = max(start, closed - int(30 * DAY * rnd()))
        return _told(start, as_of, fate, login, closed)
    most = 180 * DAY if fate == "suspended" else YEAR - DAY
    recency = min(most, lognormal(7 * DAY, 60 * DAY, rnd))
    login = as_of - int(recency)
    if login < start:  # a new account: back some time since signing up
        login = start + int((as_of - start) * rnd())
    return _told(start, as_of, fate, login, None)


def _told(start: int, as_of: int, fate: str, login: int, closed: int | None) -> AccountStory:
    s = AccountStory(start, as_of, fate, "")
    s.at.update(registered=start, last_login=login)
    if closed is not None:
        s.at["closed"] = closed
    return s
