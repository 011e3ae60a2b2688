"""Order stories: one clock from checkout to delivery, return and refund, told at an instant (`as_of`).

A story is laid out from its start with skewed delays per step, whatever `as_of` is; the state a record
shows is then the last step at or before `as_of`, so a recent order may be in flight and an old one is
final. Every record of an order's family reads the same story (tools/dataset.py), so a duplicated fact
(shipped, delivered, captured, refunded) is the same instant wherever it appears.

Shares and delays (sources in the comments; rounded):
- 5% of orders are cancelled before they ship, a quarter of those because the card was declined
  (Baymard and Stripe report 3-7% order cancellation; declines are the largest single cause).
- Processing: a median of about 22 hours from order to carrier pickup, 90% within 2.5 days (ShipBob
  and ShipMonk fulfilment benchmarks: same or next business day for most orders).
- Transit by the order's shipping service: overnight 1 day, two-day 2, standard 3-5 business days,
  economy 3-8 (UPS, FedEx, USPS Ground Advantage published service standards).
- 8% of delivered orders come back whole (NRF and Appriss Retail 2023: 17.6% of online sales are
  returned, part of them as single items) and 6% get a partial refund (a missing or damaged item, a
  price adjustment).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from tools.world.carriers import carrier_choice
from tools.world.timeline import HOUR, at_local_hour, next_delivery_day

MINUTE, DAY = 60, 86400
Rnd = Callable[[], float]

CANCELLED, RETURNED, PARTIAL = 0.05, 0.08, 0.06
DECLINED_SHARE = 0.25  # of cancellations: the card was declined
CAPTURE_HOLD = 72 * HOUR  # capture at shipment while the authorization is young enough (payment rule)
# Transit days by shipping service: (fewest, median, most), in days after pickup.
# At most a week: with a weekend skipped and a UTC date boundary the rules' 10 days still hold.
TRANSIT = {"overnight": (1, 1, 2), "two_day": (2, 2, 3), "standard": (3, 4, 7), "economy": (3, 5, 7)}
# The order's shipping charge names its service (order.yaml: 0 and 4.99 economy, 7.99 standard, ...),
# as a share of the most expensive option, so yen-scale charges read the same.
SERVICES = ((0.3, "economy"), (0.5, "standard"), (0.8, "two_day"), (math.inf, "overnight"))

ORDER_STEPS = ("pending", "confirmed", "processing", "shipped", "out_for_delivery", "delivered", "returned")
PAYMENT_OF_CANCEL = {"declined": "declined", "voided": "voided", "refunded": "refunded"}


@dataclass
class Story:
    """What happened to one order, and when (epoch seconds; steps may lie after `as_of`)."""

    start: int
    as_of: int
    # Where the story ends: delivered, partial (delivered, part refunded), returned, cancelled (by the
    # customer or the shop) or declined (the card was, and the order cancelled).
    fate: str
    service: str
    at: dict[str, int] = field(default_factory=dict)  # step -> instant
    carrier: str = ""  # who carries it (tools/world/carriers.py): every parcel record of the order says so

    def happened(self, step: str) -> bool:
        t = self.at.get(step)
        return t is not None and t <= self.as_of

    def time(self, step: str) -> int | None:
        """The step's instant when it has happened by `as_of`, else None."""
        return self.at[step] if self.happened(step) else None

    @property
    def status(self) -> str:
        """The order's status at `as_of`."""
        if self.happened("cancelled"):
            return "cancelled"
        done = [s for s in ORDER_STEPS if self.happened(s)]
        return done[-1] if done else "pending"

    @property
    def updated(self) -> int:
        """The last change to the order itself (its steps, not a payment's or a review's)."""
        steps = [self.at[s] for s in (*ORDER_STEPS, "cancelled") if self.happened(s)]
        return max(steps, default=self.start)

    @property
    def payment(self) -> str:
        """The payment's status at `as_of` (pending, authorized, captured, ..., refunded)."""
        if self.happened("declined"):
            return "declined"
        if self.happened("refunded"):
            return "refunded" if self.refund == "full" else "partially_refunded"
        if self.happened("voided"):
            return "voided"
        if self.happened("captured"):
            return "captured"
        return "authorized" if self.happened("authorized") else "pending"

    @property
    def refund(self) -> str:
        """full, partial or none: what the refund (if any) gives back."""
        if self.fate == "returned" or (self.fate == "cancelled" and "captured" in self.at):
            return "full"
        return "partial" if "refund_requested" in self.at else "none"

    def to_links(self) -> dict[str, object]:
        """What the family's records read (`story:order.<key>` paths in tools/entities): each step's
        instant once it has happened (else null), the states at `as_of`, and planned dates."""
        out: dict[str, object] = {s: self.time(s) for s in self.at}
        asked = next((s for s in ("cancelled", "return_requested", "refund_requested") if s in self.at), "")
        refunded = self.time("refunded")
        settled = refunded is not None and refunded + 7 * DAY <= self.as_of
        returned = self.at.get("return_requested")
        out.update(
            status=self.status,
            payment=self.payment,
            refund=self.refund,
            fate=self.fate,
            service=self.service,
            carrier=self.carrier,
            labelled=self.happened("label_created"),
            reviewed=self.happened("reviewable"),
            ship_planned=self.at.get("shipped"),  # a label's planned pickup may lie after as_of
            delivery_promised=self.promised,
            refund_asked=self.time(asked) if asked and refunded is not None else None,
            # Refunds settle at the card issuer within 5-10 business days (Visa, Mastercard rules).
            refund_state=None if refunded is None else "completed" if settled else "processed",
            return_state=None if returned is None else "refunded" if refunded else "received",
        )
        return out

    @property
    def promised(self) -> int | None:
        """The delivery date the shop promised at checkout: the service's usual transit after shipping."""
        shipped = self.at.get("shipped")
        return None if shipped is None else shipped + TRANSIT[self.service][1] * DAY


def service_of(shipping: object, most: float) -> str:
    """The shipping service an order's charge buys (free and cheap: economy; the dearest: overnight)."""
    if isinstance(shipping, str):  # a service named (a shipping record's service_type)
        return {"expedited": "two_day"}.get(shipping, shipping if shipping in TRANSIT else "standard")
    if not isinstance(shipping, int | float) or isinstance(shipping, bool) or most <= 0:
        return "standard"
    share = float(shipping) / most
    return next(name for top, name in SERVICES if share <= top)


def lognormal(median: float, p90: float, rnd: Rnd) -> float:
    """A skewed delay: half below `median`, 90% below `p90` (Box-Muller on two uniforms)."""
    sigma = math.log(p90 / median) / 1.2816
    z = math.sqrt(-2 * math.log(1 - rnd())) * math.cos(2 * math.pi * rnd())
    return median * math.exp(sigma * z)


def order_story(
    start: int, as_of: int, facts: dict[str, str], offset: int, rnd: Rnd, fate: str = ""
) -> Story:
    """An order placed at `start`, told whole. facts: its shipping `service`; offset: the shop's UTC
    offset (delivery hours are local)."""
    service = facts.get("service") or "standard"
    if not fate:
        fate = _fate(rnd)
    s = Story(start, as_of, fate, service)
    at = s.at
    at["pending"] = start
    if fate == "declined":
        at["declined"] = start + 2 + int(28 * rnd())
        at["cancelled"] = at["declined"] + int(60 + 540 * rnd())
        return s
    at["authorized"] = start + 2 + int(40 * rnd())
    at["confirmed"] = at["authorized"] + int(30 + 570 * rnd())
    at["processing"] = at["confirmed"] + int(10 * MINUTE + 6 * HOUR * rnd() ** 2)
    shipped = at["confirmed"] + int(max(2 * HOUR, min(6 * DAY, lognormal(22 * HOUR, 60 * HOUR, rnd))))
    shipped = max(shipped, at["processing"] + 30 * MINUTE)
    capture = shipped if shipped - at["authorized"] <= CAPTURE_HOLD else at["authorized"] + int(HOUR * rnd())
    if fate == "cancelled":  # before it ships: the hold is released, or a captured charge refunded
        at["cancelled"] = start + int(10 * MINUTE + (shipped - start) * 0.8 * rnd())
        for step in ("confirmed", "processing"):  # what the cancellation came before never happened
            if at[step] >= at["cancelled"]:
                del at[step]
        if capture < at["cancelled"]:
            at["captured"] = capture
            at["refunded"] = at["cancelled"] + int(HOUR + 2 * DAY * rnd())
        else:
            at["voided"] = at["cancelled"] + int(MINUTE + 10 * MINUTE * rnd())
        return s
    at["captured"] = capture
    s.carrier = carrier_choice(facts.get("country") or "US", service, rnd)
    at["label_created"] = max(at["processing"], shipped - int(HOUR + 7 * HOUR * rnd()))
    at["shipped"] = shipped
    fewest, median, most = TRANSIT[service]
    days = min(most, max(fewest, round(lognormal(median, median * 1.5, rnd))))
    day = next_delivery_day(shipped + days * DAY, offset, rnd)
    delivered = max(at_local_hour(day, offset, rnd), shipped + 8 * HOUR)
    while delivered // DAY <= shipped // DAY:  # the carriers' (and the entities') rule: a day or more
        delivered += DAY
    at["out_for_delivery"] = delivered - int(HOUR + 4 * HOUR * rnd())
    at["delivered"] = delivered
    if fate == "returned":  # asked for within a week, received within two weeks of delivery
        at["return_requested"] = delivered + int(DAY + 6 * DAY * rnd())
        at["returned"] = at["return_requested"] + int(2 * DAY + 4 * DAY * rnd())
        at["refunded"] = at["returned"] + int(HOUR + DAY * rnd())
    elif fate == "partial":
        at["refund_requested"] = delivered + int(HOUR + 20 * DAY * rnd() ** 2)
        at["refunded"] = at["refund_requested"] + int(HOUR + 3 * DAY * rnd())
    # Reviews come days to weeks after delivery (review-request e-mails go out after a week), in the evening.
    later = delivered + int(lognormal(6 * DAY, 25 * DAY, rnd))
    at["reviewable"] = max(delivered + HOUR, at_local_hour(later, offset, rnd, "reviews"))
    return s


def _fate(rnd: Rnd) -> str:
    u = rnd()
    if u < CANCELLED:
        return "declined" if u < CANCELLED * DECLINED_SHARE else "cancelled"
    u -= CANCELLED
    return "returned" if u < RETURNED else "partial" if u < RETURNED + PARTIAL else "delivered"


def final_age(story: Story) -> int:
    """Seconds from the start to the last step its status follows (what `as_of` must be past for the
    status to be final; a review or a refund may come later)."""
    return max(t for s, t in story.at.items() if s in (*ORDER_STEPS, "cancelled")) - story.start
