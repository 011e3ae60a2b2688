"""A payment's and a parcel's status on their own (GenerateData payment, shipment, shipping): the order
story they belong to (tools/world/stories.py), seen from the payment or the parcel.

A status the request wants is turned into the order state it is seen with (an `in_transit` parcel is a
`shipped` order), the story told at that, and read back; statuses the order story has no step for
(a parcel's `exception`, a payment that `failed`) are told as the nearest story and then marked, at a
time no later than `as_of`.
"""

from __future__ import annotations

from dataclasses import dataclass

from tools.chains import Retry
from tools.world.stories import DAY, HOUR, Rnd, Story, order_story
from tools.world.timeline import draw
from tools.world.wanted import told_at

# A parcel's wanted status -> the order state it is seen with.
PARCEL_ORDER = {
    "label_created": "processing",
    "in_transit": "shipped",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "exception": "delivered",
    "returned_to_sender": "delivered",
}
PARCEL_OF = {"processing": "label_created", "shipped": "in_transit", "returned": "delivered"}
# A payment's wanted status -> (the order state it is seen with, the fate that gives it).
PAYMENT_ORDER = {
    "pending": ("pending", ""),
    "authorized": ("processing", ""),
    "captured": ("delivered", "delivered"),
    "declined": ("cancelled", "declined"),
    "failed": ("cancelled", "declined"),
    "voided": ("cancelled", "cancelled"),
    "refunded": ("returned", "returned"),
    "partially_refunded": ("delivered", "partial"),
}
STALLED = ("exception", "returned_to_sender")  # a parcel stuck or sent back: no delivery


@dataclass
class ParcelStory(Story):
    mark: str = ""  # exception or returned_to_sender: what happened instead of the delivery

    @property
    def status(self) -> str:
        if self.mark:
            return self.mark
        order = super().status
        return PARCEL_OF.get(order, order if order in PARCEL_ORDER else "label_created")


@dataclass
class PaymentStory(Story):
    failed: bool = False  # a gateway error rather than the issuer's no

    @property
    def status(self) -> str:
        paid = self.payment
        return "failed" if paid == "declined" and self.failed else paid


def parcel_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> ParcelStory:
    """A parcel shipped within [lo, hi] (the ship date's range), seen at `as_of`."""
    start_lo, start_hi = lo - 3 * DAY, max(lo - 3 * DAY, min(hi, as_of) - 2 * HOUR)
    if wanted and wanted not in PARCEL_ORDER:
        raise Retry
    if wanted:
        base = told_at(
            order_story, PARCEL_ORDER[wanted], start_lo, start_hi, as_of, facts, offset, rnd, _shape(facts)
        )
    else:
        fate = "delivered" if rnd() < 0.6 else "partial" if rnd() < 0.5 else "returned"
        placed = draw(_shape(facts), start_lo, start_hi, offset, rnd)
        base = order_story(placed, as_of, facts, offset, rnd, fate)
    story = ParcelStory(base.at["shipped"], as_of, base.fate, base.service, dict(base.at), base.carrier)
    if wanted in STALLED:
        stalled = story.at["shipped"] + int(12 * HOUR + 2.5 * DAY * rnd())
        if stalled > as_of:
            raise Retry
        story.mark = wanted
        for step in ("out_for_delivery", "delivered", "return_requested", "returned", "refunded"):
            story.at.pop(step, None)
        story.at["stalled"] = stalled
    return story


def payment_story(
    lo: int, hi: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, wanted: str = ""
) -> PaymentStory:
    """A payment made at checkout within [lo, hi], seen at `as_of`."""
    if wanted and wanted not in PAYMENT_ORDER:
        raise Retry
    if wanted:
        state, fate = PAYMENT_ORDER[wanted]
        base = told_at(order_story, state, lo, hi, as_of, facts, offset, rnd, _shape(facts), fate)
    else:
        base = order_story(draw(_shape(facts), lo, hi, offset, rnd), as_of, facts, offset, rnd, "")
    story = PaymentStory(base.start, as_of, base.fate, base.service, dict(base.at), base.carrier)
    story.failed = wanted == "failed" or (not wanted and base.fate == "declined" and rnd() < 0.25)
    if wanted and story.status != wanted:
        raise Retry
    return story


def _shape(facts: dict[str, str]) -> str:
    """The shopping profile its order was placed on (with a plan's peaks: tools/world/lifecycle.py)."""
    return facts.get("shape") or "shopping"
