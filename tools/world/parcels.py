"""Value sources for parcels (tools/world/carriers.py): `carrier`, `tracking_number` and `scan_location`.

- `carrier`: a carrier of the locale's country, by market share and the row's shipping service
  (`service_type`, or the order story's service in a linked dataset).
- `tracking_number`: a number in the row's carrier's published format, check digit included.
- `scan_location`: where a tracking scan happened, on one route per shipment from the shop's
  fulfilment city through the carrier's hubs to the order's shipping city; in a linked dataset the
  route is the shipment's (its carrier, the order's address), the same for all of its scans.
"""

from __future__ import annotations

import random
from typing import Any

from tools.maker_kit import Env, Maker, RowCtx
from tools.schema import FieldSpec
from tools.seeds import key_of
from tools.world.carriers import STEPS, TRACKING_FORMATS, carrier_choice, route, tracking_number
from tools.world.places import country_of_locale

SOURCES = frozenset({"carrier", "tracking_number", "scan_location"})
READS = {"tracking_number": ("carrier",), "scan_location": ("status", "carrier")}  # row fields they follow
# A shipping record's service names -> the carriers' service classes.
SERVICE_OF = {
    "economy": "economy", "standard": "standard", "expedited": "two_day", "two_day": "two_day",
    "overnight": "overnight",
}  # fmt: skip


def parcel_maker(spec: FieldSpec, env: Env) -> Maker:
    country = country_of_locale(env.locale)
    code = country.code if country is not None else "US"  # no world data: carriers as in the US
    rnd = env.rnd
    if spec.source == "carrier":
        values = list(spec.values or [])
        allowed = {str(v) for v in values}

        def make_carrier(obj: dict[str, Any], ctx: RowCtx) -> Any:
            service = _service(obj, ctx)
            for _ in range(8):  # a client's enum may allow only some carriers
                name = carrier_choice(code, service, rnd)
                if not allowed or name in allowed:
                    return name
            return values[int(rnd() * len(values))]  # none of the world's: the client's own

        return make_carrier
    if spec.source == "tracking_number":
        known = frozenset(TRACKING_FORMATS)  # the carriers with a published format

        def make_number(obj: dict[str, Any], ctx: RowCtx) -> Any:
            name = obj.get("carrier") or _story(ctx).get("carrier")
            if str(name) not in known:  # a client's carrier the world has no format for: a local one's
                name = carrier_choice(code, "standard", rnd)
            return tracking_number(str(name), rnd)

        return make_number
    return _scan_maker(code, env)


def _scan_maker(code: str, env: Env) -> Maker:
    rnd = env.rnd
    last: dict[str, dict[str, str]] = {}  # shipment -> its route by step (its scans come together)

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        links = ctx.links or {}
        step = str(links.get("_seq") or obj.get("status") or "in_transit")
        shipment = links.get("shipment") or {}
        order = links.get("order") or {}
        key = str(shipment.get("shipment_id") or "")
        if not key:  # a scan on its own: a route of its own
            return _routes(code, obj.get("carrier"), order, rnd).get(step, "")
        if key not in last:
            last.clear()
            seeded = random.Random(key_of(env.seed_key, "route", key)).random
            last[key] = _routes(code, shipment.get("carrier"), order, seeded)
        return last[key].get(step, "")

    return make


def _routes(code: str, name: Any, order: dict[str, Any], rnd: Any) -> dict[str, str]:
    if not name:
        name = carrier_choice(code, "standard", rnd)
    address = order.get("shipping_address") if isinstance(order, dict) else None
    if isinstance(address, dict) and address.get("city"):
        city, region = str(address["city"]), str(address.get("state") or "")
    else:
        city, region = _somewhere(code, rnd)
    try:
        return dict(zip(STEPS, route(str(name), code, city, region, STEPS, rnd), strict=True))
    except (ValueError, KeyError):  # a client's carrier the world does not know: its own city only
        return dict.fromkeys(STEPS, city)


def _somewhere(code: str, rnd: Any) -> tuple[str, str]:
    from tools.world.places import countries

    country = countries()[code]
    region = country.regions[int(rnd() * len(country.regions))]
    city = region.city_at(rnd())
    return city.name, region.code


def _service(obj: dict[str, Any], ctx: RowCtx) -> str:
    told = _story(ctx).get("service")
    if isinstance(told, str) and told:
        return told
    return SERVICE_OF.get(str(obj.get("service_type") or ""), "standard")


def _story(ctx: RowCtx) -> dict[str, Any]:
    stories = (ctx.links or {}).get("_stories") or {}
    return stories.get("order") or {}  # type: ignore[no-any-return]
