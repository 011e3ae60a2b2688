"""Makers for an entity's `lifecycle:` (tools/schema.Lifecycle): its start, status and event times are
one story (tools/world/stories.py) told at the request's `as_of` (Env.as_of).

The story is told once per row, by whichever of its fields is made first, and kept on the row's
context (RowCtx.story); the row runner keeps the last valid row's story so that a linked dataset's
children read it (`story:order.shipped`). A status the request fixes (a scenario's override, an edge
case) is honoured by starting the story where that status is what `as_of` sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.chains import Retry
from tools.errors import InvalidRequest
from tools.maker_kit import Env, Maker, RowCtx, chooser
from tools.ranged import make_ranged
from tools.schema import FieldSpec, FieldType, Lifecycle
from tools.temporal import DAY, datetime_text, day_text, parse_datetime
from tools.values import enum_choices
from tools.world.accounts import SHARES as ACCOUNT_SHARES
from tools.world.accounts import account_story
from tools.world.gift_cards import SHARES as GIFT_CARD_SHARES
from tools.world.gift_cards import gift_card_story
from tools.world.memberships import SHARES as MEMBERSHIP_SHARES
from tools.world.memberships import membership_story
from tools.world.places import country_of_locale
from tools.world.stories import ORDER_STEPS, Story, order_story, service_of
from tools.world.subscriptions import SHARES as SUBSCRIPTION_SHARES
from tools.world.subscriptions import subscription_story
from tools.world.tickets import SHARES as TICKET_SHARES
from tools.world.tickets import ticket_story
from tools.world.timeline import draw, utc_offset
from tools.world.views import PARCEL_ORDER, PAYMENT_ORDER, parcel_story, payment_story
from tools.world.wanted import told_at
from tools.world.windows import COUPON, DISCOUNT, PROMOTION, coupon_story, discount_story, promotion_story

Teller = Callable[[int, int, dict[str, str], int, Callable[[], float], str], Story]
# A story told from a start the lifecycle draws: (start, as_of, facts, offset, rnd, fate).
# A ranged one draws its own start: (lo, hi, as_of, facts, offset, rnd, wanted status).
RangedTeller = Callable[[int, int, int, dict[str, str], int, Callable[[], float], str], Story]


@dataclass(frozen=True)
class Model:
    teller: Teller | None = None
    profile: str = "shopping"  # the time profile its start is drawn with (tools/world/data/time.yaml)
    ranged: RangedTeller | None = None
    states: tuple[str, ...] = ()  # the statuses it can tell (a status outside them: no story)


def _names(shares: Any) -> tuple[str, ...]:
    return tuple(s[0] for s in shares)


MODELS: dict[str, Model] = {
    "order": Model(order_story, "shopping", states=(*ORDER_STEPS, "cancelled")),
    "account": Model(ranged=account_story, states=_names(ACCOUNT_SHARES)),
    "parcel": Model(ranged=parcel_story, states=tuple(PARCEL_ORDER)),
    "payment": Model(ranged=payment_story, states=tuple(PAYMENT_ORDER)),
    "ticket": Model(ranged=ticket_story, states=_names(TICKET_SHARES)),
    "coupon": Model(ranged=coupon_story, states=_names(COUPON.shares)),
    "promotion": Model(ranged=promotion_story, states=_names(PROMOTION.shares)),
    "discount": Model(ranged=discount_story, states=_names(DISCOUNT.shares)),
    "subscription": Model(ranged=subscription_story, states=_names(SUBSCRIPTION_SHARES)),
    "gift_card": Model(ranged=gift_card_story, states=_names(GIFT_CARD_SHARES)),
    "loyalty": Model(ranged=membership_story, states=_names(MEMBERSHIP_SHARES)),
}


def lifecycle_makers(spec: FieldSpec, env: Env, forced: dict[str, Any]) -> dict[str, Maker]:
    """Makers for the lifecycle's fields that the request does not fix itself."""
    lc = spec.lifecycle
    if lc is None:
        return {}
    model = _model(lc, spec)
    if not _tellable(spec, lc, model, forced):
        return {}  # the request fixes what a story would tell: its fields are made as any others
    start_spec = _time_field(spec, lc.start, lc)
    # A plan's own time pattern on the start field (`shopping~...`, timeline.custom_kind) replaces the
    # model's profile; either takes the plan's peaks (holiday rush).
    own_pattern = (
        start_spec.time_profile if start_spec.time_profile and "~" in start_spec.time_profile else ""
    )
    teller, kind = model.teller, env.shape(own_pattern or model.profile)
    ranged = make_ranged(start_spec, lc.start, env.window)
    own = (ranged.lo * DAY, ranged.hi * DAY) if start_spec.type is FieldType.DATE else (ranged.lo, ranged.hi)
    offset = utc_offset(env.locale)
    world = country_of_locale(env.locale)
    country = world.code if world is not None else "US"  # no world data: parcels as in the US
    rnd, as_of = env.rnd, env.as_of
    fixed_status = forced.get(lc.status)
    fixed_start = forced.get(lc.start)
    # Weights on the status (the entity's, a plan's mix, a constraint's values) say which states to
    # see: each row is told at one drawn from them, where its bounds allow (else as it falls).
    status_spec = spec.child(lc.status)
    mixed = status_spec is not None and bool(status_spec.weights or status_spec.pool)
    pick = chooser(*enum_choices(status_spec), rnd) if mixed and status_spec is not None else None
    bounds = getattr(fixed_start, "bounds", None)  # a dataset link: after an ancestor's time
    service_field = lc.reads.get("service")
    method_field = lc.reads.get("method")
    most = _most(spec.child(service_field)) if service_field else 0.0

    def tell(obj: dict[str, Any], ctx: RowCtx) -> Story:
        lo, hi = own[0], min(own[1], as_of)
        if bounds is not None:
            b_lo, b_hi = bounds(obj, ctx)  # without a minimum of its own it follows the link back in time
            lo, hi = (b_lo if start_spec.min is None else max(lo, b_lo)), min(hi, b_hi)
        elif fixed_start is not None:
            lo = hi = parse_datetime(fixed_start(obj, ctx))
        if lo > hi:
            raise Retry
        facts = {
            "country": country,
            "shape": env.shape("shopping"),  # when the orders of payments and parcels were placed
            "service": service_of(obj.get(service_field), most) if service_field else "standard",
            "method": str(obj.get(method_field) or "") if method_field else "",
        }
        wanted = fixed_status(obj, ctx) if fixed_status is not None else None
        if wanted is None and pick is not None:
            try:
                return _tell(str(pick()), lo, hi, facts)
            except Retry:  # this record's bounds leave no room for that state: as it falls
                pass
        return _tell("" if wanted is None else str(wanted), lo, hi, facts)

    def _tell(wanted: str, lo: int, hi: int, facts: dict[str, str]) -> Story:
        if model.ranged is not None:
            return model.ranged(lo, hi, as_of, facts, offset, rnd, wanted)
        assert teller is not None
        if not wanted:
            return teller(draw(kind, lo, hi, offset, rnd), as_of, facts, offset, rnd, "")
        return told_at(teller, wanted, lo, hi, as_of, facts, offset, rnd, kind)

    def story(obj: dict[str, Any], ctx: RowCtx) -> Story:
        if ctx.story is None:
            ctx.story = tell(obj, ctx)
        return ctx.story  # type: ignore[no-any-return]

    def text(name: str) -> Callable[[int | None], Any]:
        s = spec.child(name)
        date = s is not None and s.type is FieldType.DATE
        return lambda t: None if t is None else day_text(t // DAY) if date else datetime_text(t)

    makers: dict[str, Maker] = {}
    start_text, updated_text = text(lc.start), text(lc.updated or lc.start)
    if fixed_start is None or bounds is not None:
        makers[lc.start] = lambda obj, ctx: start_text(story(obj, ctx).start)
    if fixed_status is None:  # else the field keeps the request's value and the story is told at it
        makers[lc.status] = lambda obj, ctx: story(obj, ctx).status
    for step, name in lc.times.items():
        if name not in forced:
            makers[name] = _step_maker(story, step, text(name))
    for attr, name in lc.planned.items():
        if name not in forced:
            makers[name] = _planned_maker(story, attr, text(name))
    if lc.updated and lc.updated not in forced:
        makers[lc.updated] = lambda obj, ctx: updated_text(story(obj, ctx).updated)
    return makers


def _step_maker(story: Callable[[dict[str, Any], RowCtx], Story], step: str, text: Callable) -> Maker:
    return lambda obj, ctx: text(story(obj, ctx).time(step))


def _tellable(spec: FieldSpec, lc: Lifecycle, model: Model, forced: dict[str, Any]) -> bool:
    """Whether a story can tell this row: not when the request fixes an event time (a scenario's
    shipped_at, an edge case's far-future end) or allows statuses the model has no step for (a
    constraint's `on_hold`); the rules then hold the row together as they do any schema's."""
    if any(name in forced for name in [*lc.times.values(), *lc.planned.values(), lc.updated] if name):
        return False
    status = spec.child(lc.status)
    return status is None or not status.values or all(str(v) in model.states for v in status.values)


def _planned_maker(story: Callable[[dict[str, Any], RowCtx], Story], attr: str, text: Callable) -> Maker:
    return lambda obj, ctx: text(getattr(story(obj, ctx), attr))


def _model(lc: Lifecycle, spec: FieldSpec) -> Model:
    if lc.model not in MODELS:
        raise InvalidRequest(f"{spec.name}.lifecycle", f"unknown model {lc.model!r}", f"use {sorted(MODELS)}")
    for name in [*lc.written(), *lc.reads.values()]:
        if spec.child(name) is None:
            raise InvalidRequest(f"{spec.name}.lifecycle", f"{name} is not a field of {spec.name}", "")
    return MODELS[lc.model]


def _time_field(spec: FieldSpec, name: str, lc: Lifecycle) -> FieldSpec:
    f = spec.child(name)
    if f is None or f.type not in (FieldType.DATE, FieldType.DATETIME):
        raise InvalidRequest(f"{spec.name}.lifecycle", f"start {name} must be a date or datetime field", "")
    return f


def _most(spec: FieldSpec | None) -> float:
    """The dearest value a read field takes (the shipping charge of the fastest service)."""
    if spec is None:
        return 0.0
    numbers = [float(v) for v in spec.pool or [] if isinstance(v, int | float) and not isinstance(v, bool)]
    if numbers:
        return max(numbers)
    return float(spec.max) if isinstance(spec.max, int | float) else 0.0
