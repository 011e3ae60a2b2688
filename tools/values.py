"""Leaf value makers: one closure per field, compiled once per request, called once per row.

`make_leaf` picks the maker for a field's type and constraints; numbers and dates are in
values_ranged.py, text in values_text.py, what they share in maker_kit.py.
"""

from __future__ import annotations

from typing import Any

from tools import pools
from tools.errors import InvalidRequest
from tools.maker_kit import Env, Maker, RowCtx, chooser
from tools.patterns import UniqueIds, parse_template, random_maker
from tools.ranged import make_ranged
from tools.regexgen import regex_maker
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, FieldSpec, FieldType
from tools.values_ranged import ranged_maker
from tools.values_text import text_maker
from tools.world.addresses import address_chooser, one_line, person_of
from tools.world.baskets import EXPENSIVE
from tools.world.money import checked_rate_field, rate_bounds, tax_rate_chooser
from tools.world.parcels import SOURCES as PARCEL_SOURCES
from tools.world.parcels import parcel_maker
from tools.world.places import country_of_locale


def make_leaf(spec: FieldSpec, path: str, env: Env) -> Maker:
    rnd = env.rnd
    if spec.unique and (spec.values or spec.type in (FieldType.BOOLEAN, FieldType.ADDRESS)):
        raise InvalidRequest(
            path, f"unique cannot hold for a {spec.type.value} field with a fixed set of values",
            "drop unique, or use a pattern field such as CODE-{alnum:8}",
        )  # fmt: skip
    if spec.source in PARCEL_SOURCES:  # carriers, their tracking numbers and scans (tools/world)
        return parcel_maker(spec, env)
    if spec.values:
        pick = chooser(*enum_choices(spec), rnd)
        return lambda obj, ctx: pick()
    if spec.type is FieldType.ENUM:
        raise InvalidRequest(path, "an enum field needs values", "add enum_values (or values) to the field")
    if spec.source == "product.quantity":
        return _basket_quantity(spec, path, env)
    if spec.source == "tax_rate":
        choose = tax_rate_chooser(env.locale, *rate_bounds(checked_rate_field(spec, path)))
        return lambda obj, ctx: choose(obj, rnd())
    if spec.type in NUMERIC_TYPES or spec.type in TEMPORAL_TYPES:
        return ranged_maker(spec, path, env)
    if spec.type is FieldType.BOOLEAN:
        if spec.pool:
            pick = chooser([bool(v) for v in spec.pool], spec.pool_weights, rnd)
            return lambda obj, ctx: pick()
        return lambda obj, ctx: rnd() < 0.5
    if spec.type is FieldType.ADDRESS:
        return _address_maker(spec, env)
    if spec.type is FieldType.UUID:
        return _uuid_maker(env)
    if spec.type is FieldType.PATTERN or (spec.format and "{" in spec.format):
        return _pattern_maker(spec, path, env)
    if spec.regex:
        make = regex_maker(spec.regex, path, rnd, spec.min_length, spec.max_length)
        return lambda obj, ctx: make()
    return text_maker(spec, path, env)


def enum_choices(spec: FieldSpec) -> tuple[list[Any], list[float] | None]:
    """An enum's values and weights: a plan's pool narrows it (apply_plan kept only allowed values)."""
    values = spec.values or []
    allowed = [v for v in spec.pool or [] if v in values]
    if not allowed:
        return list(values), spec.weights
    pool = spec.pool or []
    if not spec.pool_weights or len(spec.pool_weights) != len(pool):
        return allowed, None
    return allowed, [w for v, w in zip(pool, spec.pool_weights, strict=True) if v in values]


def _address_maker(spec: FieldSpec, env: Env) -> Maker:
    rnd, keys = env.rnd, pools.ADDRESS_KEYS
    choose = address_chooser(spec.name, env.locale, env.seed_key)
    country = country_of_locale(env.locale)
    if choose is None or country is None:
        table = pools.pool(env.locale, "address")
        n = len(table)
        if spec.format == "single_line":
            return lambda obj, ctx: "{}, {}, {} {}, {}".format(*table[int(rnd() * n)])
        return lambda obj, ctx: dict(zip(keys, table[int(rnd() * n)], strict=True))
    if spec.format == "single_line":  # as the country writes an address on one line
        return lambda obj, ctx: one_line(country, choose(person_of(obj), rnd()))
    return lambda obj, ctx: dict(zip(keys, choose(person_of(obj), rnd()), strict=True))


def _basket_quantity(spec: FieldSpec, path: str, env: Env) -> Maker:
    """Units of the item's product: one of anything expensive (baskets.EXPENSIVE), else the field's
    own pool or range."""
    base = ranged_maker(spec.model_copy(update={"source": None}), path, env)
    ranged = make_ranged(spec, path, env.window)
    if not ranged.lo <= ranged.scale <= ranged.hi:  # 1 is outside the field's bounds: nothing to do
        return base

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        p = ctx.product
        return ranged.out(ranged.scale) if p is not None and p.price >= EXPENSIVE else base(obj, ctx)

    return make


def _uuid_maker(env: Env) -> Maker:
    bits = env.rng.getrandbits

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        h = f"{(bits(128) & ~(0xF << 76) | (4 << 76)) & ~(0x3 << 62) | (0x2 << 62):032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    return make


def _pattern_maker(spec: FieldSpec, path: str, env: Env) -> Maker:
    if not spec.format:
        raise InvalidRequest(
            path, "a pattern field needs a format template", 'add format such as "ID-{digits:6}"'
        )
    tpl = parse_template(spec.format, env.year, path)
    _check_fixed_length(spec, path, tpl.length)
    if spec.unique:
        # Shared by every maker of this path in the job (scenarios, edge-case variants): one counter.
        key = f"{path}|{spec.format}"
        at = env.counter(key, lambda: UniqueIds(tpl, env.keyed(key), path)).at
        return lambda obj, ctx: at(ctx.slot)
    make = random_maker(tpl, env.rnd)
    return lambda obj, ctx: make()


def _check_fixed_length(spec: FieldSpec, path: str, length: int) -> None:
    if spec.max_length is not None and length > spec.max_length:
        raise InvalidRequest(path, f"values are {length} characters but max_length is {spec.max_length}", "")
    if spec.min_length is not None and length < spec.min_length:
        raise InvalidRequest(path, f"values are {length} characters but min_length is {spec.min_length}", "")
