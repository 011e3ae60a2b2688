"""Stories told at a wanted status (a scenario's `shipped` order, a plan's mix of states), and which
order statuses each story key comes with (what the dataset planner checks a plan's mix against).

A final status starts the story early enough to be over by `as_of`; an in-flight one starts it so
that `as_of` falls inside the wanted step. The story is told twice from the same uniforms: once to
learn its delays, once from the start that puts `as_of` where it must be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools.chains import Retry
from tools.world.stories import (
    CANCELLED,
    DAY,
    DECLINED_SHARE,
    ORDER_STEPS,
    PARTIAL,
    RETURNED,
    Rnd,
    Story,
    final_age,
)
from tools.world.timeline import draw

FINAL = frozenset({"delivered", "returned", "cancelled"})
REPLAYS = 48  # uniforms a story may draw: told twice from the same ones when a status is wanted


def fate_for(wanted: str, rnd: Rnd) -> str:
    """The fate a story seen at `wanted` ends in, in the natural shares among those that pass by it."""
    if wanted == "cancelled":
        return "declined" if rnd() < DECLINED_SHARE else "cancelled"
    if wanted == "returned":
        return "returned"
    return "partial" if rnd() < PARTIAL / (1 - CANCELLED - RETURNED) else "delivered"


def told_at(
    teller: Callable[..., Story],
    wanted: str,
    lo: int,
    hi: int,
    as_of: int,
    facts: dict[str, str],
    offset: int,
    rnd: Any,
    kind: str,
    fate: str = "",
) -> Story:
    """A story whose status at `as_of` is `wanted`: final statuses start early enough to be over,
    others start so that `as_of` falls inside the wanted step (told twice from the same uniforms)."""
    fate = fate or fate_for(wanted, rnd)
    draws = [rnd() for _ in range(REPLAYS)]
    first = teller(lo, as_of, facts, offset, iter(draws).__next__, fate)
    if wanted in FINAL:
        latest = min(hi, as_of - final_age(first) - 1)
        if latest < lo:
            raise Retry
        start = draw(kind, lo, latest, offset, rnd)
    elif wanted == "pending":
        start = max(lo, as_of - int((first.at.get("authorized", lo + 30) - lo) * rnd()))
    else:
        step_at = first.at.get(wanted)
        if step_at is None:
            raise Retry
        after = [t for t in first.at.values() if t > step_at]
        span = (min(after) if after else step_at + DAY) - step_at
        start = as_of - (step_at - lo) - int(span * rnd())
    if not lo <= start <= hi:
        raise Retry
    story = teller(start, as_of, facts, offset, iter(draws).__next__, fate)
    if story.status != wanted and wanted == "out_for_delivery":
        _on_the_van(story, as_of)
    if story.status != wanted:
        raise Retry
    return story


# What follows the van's round, in order: moved past as_of when a story is pinned to the round.
_AFTER_ROUND = ("delivered", "refund_requested", "return_requested", "returned", "refunded", "reviewable")


def _on_the_van(story: Story, as_of: int) -> None:
    """An order out for delivery at as_of: delivery days and hours snap to the carrier's local day, so
    a start shifted to put as_of in a round of a few hours misses it; the round is moved to as_of
    instead (loaded two hours before, or at pickup if later), and what follows to after it."""
    at = story.at
    shipped = at.get("shipped")
    if shipped is None or shipped + 60 > as_of or "out_for_delivery" not in at:
        return
    at["out_for_delivery"] = max(shipped + 60, as_of - 2 * 3600)
    later = as_of + 3600
    for step in _AFTER_ROUND:
        if step in at:
            at[step] = max(at[step], later)
            later = at[step] + 60


_ANY = frozenset(ORDER_STEPS) | {"cancelled"}
_IN_FLIGHT = ("pending", "confirmed", "processing")
# Which order statuses each value of a story's key is seen with (the dataset planner checks that a
# plan's status mix leaves room for what the request asks for: refunds need returned or cancelled ones).
LEADS: dict[str, dict[str, tuple[str, ...]]] = {
    "payment": {
        "pending": ("pending",),
        "authorized": _IN_FLIGHT,
        # A cancellation after capture shows `captured` until its refund has gone through.
        "captured": (
            "confirmed",
            "processing",
            "shipped",
            "out_for_delivery",
            "delivered",
            "returned",
            "cancelled",
        ),
        "declined": ("pending", "cancelled"),
        "voided": ("cancelled",),
        "refunded": ("cancelled", "returned"),
        "partially_refunded": ("delivered",),
    },
    "labelled": {
        "true": ("processing", "shipped", "out_for_delivery", "delivered", "returned"),
        "false": (*_IN_FLIGHT, "cancelled"),
    },
    "reviewed": {"true": ("delivered", "returned"), "false": tuple(_ANY)},
    "fate": {
        "cancelled": (*_IN_FLIGHT, "cancelled"),
        "declined": ("pending", "cancelled"),
        "returned": tuple(_ANY - {"cancelled"}),
        "delivered": tuple(_ANY - {"cancelled", "returned"}),
        "partial": tuple(_ANY - {"cancelled", "returned"}),
    },
    "refund": {"full": ("cancelled", "returned"), "partial": ("delivered",), "none": tuple(_ANY)},
}


def leads_to(key: str, values: set[str]) -> set[str]:
    """The order statuses a story's `key` can show one of `values` with (every status when unknown)."""
    table = LEADS.get(key)
    if table is None:
        return set(_ANY)
    return {s for v in values for s in table.get(str(v).lower(), ())}
