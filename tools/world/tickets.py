"""Support tickets told at `as_of`: a ticket is picked up, maybe waits on the customer, is resolved and,
four days later, closed; its status is the step `as_of` falls in, so an old ticket is closed and an
open one was opened moments ago.

Shares follow support_ticket.yaml's status weights (14% open, 16% in progress, 10% pending customer,
25% resolved, 35% closed): each status places the ticket's creation where `as_of` sees that step (as
tools/world/accounts.py does for accounts). In a linked dataset the ticket is opened within the
order's 20 days (dataset: after/max_gap), and only the statuses that fit there are drawn: a ticket
about an order of last year is closed.

Delays (calendar hours, as Zendesk's duration metrics count them; support.zendesk.com "About native
Support metrics"). Gorgias's 2025 e-commerce (Shopify/DTC) benchmarks, as quoted by ShipmentGuard's
post-purchase ticket report: a median first response of 2 hours and a median resolution of 8.3 hours.
- Resolution: log-normal by channel, kept within support_ticket.yaml's 15 minutes..7 days: phone a
  median of 3 hours, chat 4.5, social 10, e-mail and web forms 17 (90% within 4 days); over the
  channel mix a median of about 8.5 hours, 90% within 2.3 days (the channel split is an assumption:
  chat and phone settle within hours, e-mail within a day or two).
- Pick-up (open -> in progress, the first agent touch): a median of about 2 hours over the mix.
- 40% of tickets wait on the customer once (pending_customer) between pick-up and resolution
  (assumption).
- Closed 96 hours after being resolved: Zendesk's default automation "Close ticket 4 days after
  status is set to solved", run hourly.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.chains import Retry
from tools.world.fates import Spread, pick, skewed
from tools.world.stories import DAY, MINUTE, Rnd, Story, lognormal
from tools.world.timeline import HOUR, draw

SHARES = (("open", 14), ("in_progress", 16), ("pending_customer", 10), ("resolved", 25), ("closed", 35))
# Seconds from creation to resolution by channel: (fewest, median, p90, most); the rule's 15m..7d.
RESOLVE: dict[str, Spread] = {
    "chat": (15 * MINUTE, 4.5 * HOUR, 30 * HOUR, 7 * DAY),
    "phone": (15 * MINUTE, 3 * HOUR, 24 * HOUR, 7 * DAY),
    "social": (15 * MINUTE, 10 * HOUR, 3 * DAY, 7 * DAY),
    "email": (15 * MINUTE, 17 * HOUR, 4 * DAY, 7 * DAY),
    "web_form": (15 * MINUTE, 17 * HOUR, 4 * DAY, 7 * DAY),
}
PICKUP = (3 * HOUR, 12 * HOUR)  # median, p90; at most 70% of the way to the resolution
WAIT_SHARE = 0.4
CLOSE_AFTER = 96 * HOUR
# The state each step starts.
STATE = {
    "created": "open",
    "assigned": "in_progress",
    "waiting": "pending_customer",
    "replied": "in_progress",
    "resolved": "resolved",
    "closed": "closed",
}


@dataclass
class TicketStory(Story):
    @property
    def status(self) -> str:
        done = [(t, s) for s, t in self.at.items() if t <= self.as_of]
        return STATE[max(done)[1]] if done else "open"

    @property
    def updated(self) -> int:
        return max((t for t in self.at.values() if t <= self.as_of), default=self.start)

    def to_links(self) -> dict[str, object]:
        return {**{s: self.time(s) for s in self.at}, "status": self.status}


def ticket_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> TicketStory:
    """A ticket opened within [lo, hi] (`lo` itself when the request fixes it), seen at `as_of`.
    facts["method"]: its channel."""
    steps = _delays(facts.get("method", ""), rnd)
    hi = min(hi, as_of)
    if wanted:
        fate = wanted
    else:  # the statuses a ticket opened within [lo, hi] can have at as_of, by their shares
        fits = [(s, w) for s, w in SHARES if _starts(_ages(steps, s), lo, hi, as_of)]
        if not fits:
            raise Retry
        fate = pick(fits, rnd)
    if fate != "pending_customer" and rnd() >= WAIT_SHARE:
        del steps["waiting"], steps["replied"]
    pieces = _starts(_ages(steps, fate), lo, hi, as_of)
    if not pieces:
        raise Retry
    a, b = _piece(pieces, rnd)
    start = draw("support", a, b, offset, rnd)
    story = TicketStory(start, as_of, fate, "")
    story.at.update({s: start + d for s, d in steps.items()})
    if story.status != fate:  # a draw on the edge of a step
        raise Retry
    return story


def _delays(channel: str, rnd: Rnd) -> dict[str, int]:
    """Seconds from creation to each step."""
    resolved = int(skewed(RESOLVE.get(channel, RESOLVE["email"]), rnd))
    assigned = max(MINUTE, min(int(lognormal(*PICKUP, rnd)), int(resolved * 0.7)))
    waiting = assigned + int((resolved - assigned) * (0.1 + 0.4 * rnd()))
    replied = waiting + int((resolved - waiting) * (0.3 + 0.6 * rnd()))
    return {
        "created": 0,
        "assigned": assigned,
        "waiting": waiting,
        "replied": replied,
        "resolved": resolved,
        "closed": resolved + CLOSE_AFTER + int(HOUR * rnd()),
    }


def _ages(steps: dict[str, int], status: str) -> list[tuple[int, int | None]]:
    """Ages [from, to) of a ticket in `status` (to None: for ever after)."""
    order = sorted(steps.items(), key=lambda kv: kv[1])
    out: list[tuple[int, int | None]] = []
    for i, (step, at) in enumerate(order):
        if STATE[step] == status:
            nxt = order[i + 1][1] if i + 1 < len(order) else None
            if nxt is None or nxt > at:
                out.append((at, nxt))
    return out


def _starts(ages: list[tuple[int, int | None]], lo: int, hi: int, as_of: int) -> list[tuple[int, int]]:
    """Creation instants in [lo, hi] that put `as_of` inside one of the ages."""
    out = []
    for young, old in ages:
        a = lo if old is None else max(lo, as_of - old + 1)
        b = min(hi, as_of - young)
        if a <= b:
            out.append((a, b))
    return out


def _piece(pieces: list[tuple[int, int]], rnd: Rnd) -> tuple[int, int]:
    """One of the ranges, by its length."""
    u = rnd() * sum(b - a + 1 for a, b in pieces)
    for a, b in pieces:
        u -= b - a + 1
        if u < 0:
            return a, b
    return pieces[-1]
