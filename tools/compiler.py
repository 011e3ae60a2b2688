"""Compiles an object spec and its rules into one row maker: rules hold by construction.

Fields are made in dependency order (a present_if field after its condition, an order rule's fields
in chain order, an e-mail after the names, a pooled text after the field its pool follows) and
written into a dict pre-filled in schema order, so key order never depends on generation order.
Derived fields are computed last, in the order their rules are listed.
"""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Callable
from typing import Any

from tools.catalogue import load_catalogue
from tools.errors import InvalidRequest
from tools.expressions import compile_expression
from tools.patterns import Bijection
from tools.ranged import precision_of
from tools.rulespec import ScopeRules, scope_rules
from tools.schema import FieldSpec, FieldType
from tools.values import Env, Maker, RowCtx, chooser, make_leaf, pool_key, ranged_of, sample, source_of

Step = Callable[[dict[str, Any], dict[str, float], RowCtx], None]


class Retry(Exception):
    """This row cannot satisfy its rules with the values drawn so far; draw the row again."""


class ItemCount:
    """A forced item count for an array (edge cases: a single item, the maximum)."""

    def __init__(self, count: int) -> None:
        self.count = count


Forced = dict[str, "Maker | ItemCount"]


def constant(value: Any) -> Maker:
    if isinstance(value, dict | list):
        return lambda obj, ctx: copy.deepcopy(value)
    return lambda obj, ctx: value


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def compile_object(spec: FieldSpec, path: str, env: Env, forced: Forced) -> Maker:
    rules = scope_rules(spec, path)
    names = tuple(f.name for f in spec.fields)
    # (name, maker, None) for plain fields, (name, None, step) for gated, nullable or ordered ones: the
    # plain case, most fields, then costs one call per row instead of two.
    steps = [_field_step(spec, n, join(path, n), env, forced, rules) for n in _generation_order(spec, rules)]
    derives = compile_derives(spec, path)
    uses_product = any((source_of(f) or "").startswith("product.") for f in spec.fields)
    unique_product = any(f.unique and (source_of(f) or "").startswith("product.") for f in spec.fields)
    walk = _catalogue_walk(env, path) if unique_product else None
    products = load_catalogue()
    rnd = env.rnd
    fill_address = _address_filler(spec, env) if spec.source == "address" else None

    def make(parent: dict[str, Any], ctx: RowCtx) -> dict[str, Any]:
        if walk is not None:
            ctx.product, ctx.product_round = walk()
        elif uses_product:
            if ctx.queue:
                ctx.product = ctx.queue.pop()
            else:
                theme_products = ctx.theme.products if ctx.theme.products else products[0].products
                ctx.product = theme_products[int(rnd() * len(theme_products))]
        obj = dict.fromkeys(names)
        raw: dict[str, float] = {}
        for name, plain, step in steps:
            if step is None:
                obj[name] = plain(obj, ctx)  # type: ignore[misc]  # plain is set when step is None
            else:
                step(obj, raw, ctx)
        if fill_address is not None:
            fill_address(obj)
        for target, fn in derives:
            obj[target] = fn(obj)
        return obj

    return make


_ADDRESS_PARTS = {
    "street": 0,
    "street_address": 0,
    "address_line1": 0,
    "line1": 0,
    "city": 1,
    "state": 2,
    "region": 2,
    "province": 2,
    "zip": 3,
    "zip_code": 3,
    "postal_code": 3,
    "postcode": 3,
    "country": 4,
    "country_code": 4,
}


def _address_filler(spec: FieldSpec, env: Env) -> Callable[[dict[str, Any]], None]:
    """An object with `source: address`: street, city, state, zip and country from one address."""
    from tools.pools import pool

    table = pool(env.locale, "address")
    rnd = env.rnd
    keys = [(f.name, _ADDRESS_PARTS[f.name]) for f in spec.fields if f.name in _ADDRESS_PARTS]

    def fill(obj: dict[str, Any]) -> None:
        address = table[int(rnd() * len(table))]
        for name, i in keys:
            obj[name] = address[i]

    return fill


def _catalogue_walk(env: Env, path: str) -> Callable[[], tuple[Any, int]]:
    """Every catalogue product once, in a seeded order, then again (round 1, 2, ...): a product table
    with unique ids. Shared by every maker of this path in the job."""
    key = f"{path}|catalogue-walk"
    if key not in env.unique_counters:
        everything = [p for theme in load_catalogue() for p in theme.products]
        perm = Bijection(len(everything), env.rng)
        counter = iter(range(10**12))

        def step() -> tuple[Any, int]:
            k = next(counter)
            turn, i = divmod(k, len(everything))
            return everything[perm(i)], turn

        env.unique_counters[key] = step
    return env.unique_counters[key]  # type: ignore[no-any-return]


def _generation_order(spec: FieldSpec, rules: ScopeRules) -> list[str]:
    deps: dict[str, set[str]] = {f.name: set() for f in spec.fields}
    for name, (when, _) in rules.present_if.items():
        deps[name].add(when)
    for name, preds in rules.chain_preds.items():
        deps[name].update(preds)
    for f in spec.fields:
        if f.pools_by is not None and f.pools_by.field in deps:
            deps[f.name].add(f.pools_by.field)
        if source_of(f) == "email":
            deps[f.name].update(n for n in ("first_name", "last_name") if n in deps)
    derived = {r.target for r in rules.derives}
    order: list[str] = []
    done: set[str] = set()
    pending = [f.name for f in spec.fields if f.name not in derived]
    while pending:
        ready = [n for n in pending if deps[n] <= done | derived]
        if not ready:
            raise InvalidRequest(
                spec.name, f"rules form a cycle among {', '.join(pending)}", "remove one rule"
            )
        for n in ready:
            order.append(n)
            done.add(n)
        pending = [n for n in pending if n not in done]
    return order


def _field_step(
    scope: FieldSpec, name: str, path: str, env: Env, forced: Forced, rules: ScopeRules
) -> tuple[str, Maker | None, Step | None]:
    spec = scope.child(name)
    assert spec is not None
    make = _child_maker(spec, path, env, forced)
    rnd = env.rnd
    gate = rules.present_if.get(name)
    # A present_if field's null-ness is the rule's to decide, never chance's.
    null_rate = spec.null_rate if spec.is_nullable and gate is None else 0.0
    chain = _chain_bounds(scope, spec, path, env, rules) if name in rules.chain_members else None
    is_forced = path in forced
    forced_make = make if is_forced else None
    if gate is None and not null_rate and chain is None:
        return name, make, None

    def step(obj: dict[str, Any], raw: dict[str, float], ctx: RowCtx) -> None:
        if gate is not None and obj[gate[0]] not in gate[1]:
            return  # stays None: the condition does not hold
        if null_rate and not is_forced and rnd() < null_rate:
            return
        if chain is not None:
            chain(obj, raw, ctx, forced_make)
        else:
            obj[name] = make(obj, ctx)

    return name, None, step


def _child_maker(spec: FieldSpec, path: str, env: Env, forced: Forced) -> Maker:
    hit = forced.get(path)
    if hit is not None and not isinstance(hit, ItemCount):
        return hit
    if spec.type is FieldType.ARRAY:
        return _array_maker(spec, path, env, forced, hit)
    if spec.type is FieldType.OBJECT:
        return compile_object(spec, path, env, forced)
    return make_leaf(spec, path, env)


def _array_maker(spec: FieldSpec, path: str, env: Env, forced: Forced, count: ItemCount | None) -> Maker:
    lo, hi = item_bounds(spec, path)
    if count is not None:
        lo = hi = count.count
    item_spec = spec.items or FieldSpec(name="items[]", type=FieldType.STRING)
    item_path = f"{path}[]"
    if item_spec.type is FieldType.OBJECT or item_spec.fields:
        make_item = compile_object(item_spec, item_path, env, forced)
    else:
        make_item = _child_maker(item_spec, item_path, env, forced)
    uses_product = any((source_of(f) or "").startswith("product.") for f in (item_spec.fields or [item_spec]))
    rnd = env.rnd
    by = spec.pools_by
    # Arrays of codes (risk signals, tags) hold each value once, as real ones do.
    distinct = not item_spec.fields and bool(item_spec.values or item_spec.pool) and count is None
    if by is not None:
        pools = {pool_key(k): list(v) for k, v in by.pools.items()}

        def make_by(obj: dict[str, Any], ctx: RowCtx) -> list[Any]:
            pool = pools.get(pool_key(obj.get(by.field)))
            if pool is None:
                return make(obj, ctx)
            n = min(len(pool), lo + int(rnd() * (hi - lo + 1)))
            return sample(pool, n, rnd)

    def make(obj: dict[str, Any], ctx: RowCtx) -> list[Any]:
        n = lo + int(rnd() * (hi - lo + 1))
        if distinct:
            out: list[Any] = []
            for _ in range(4 * n):
                v = make_item(obj, ctx)
                if v not in out:
                    out.append(v)
                    if len(out) == n:
                        break
            return out if len(out) >= lo else out + [make_item(obj, ctx) for _ in range(lo - len(out))]
        if uses_product:
            # Distinct products from the row's theme: a cart does not list the same product twice.
            prods = ctx.theme.products
            ctx.queue = (
                sample(prods, n, rnd)
                if n <= len(prods)
                else [prods[int(rnd() * len(prods))] for _ in range(n)]
            )
        if uses_product and not item_spec.fields:
            return [_with_product(ctx, make_item, obj) for _ in range(n)]
        return [make_item(obj, ctx) for _ in range(n)]

    return make_by if by is not None and count is None else make


def _with_product(ctx: RowCtx, make_item: Maker, obj: dict[str, Any]) -> Any:
    ctx.product = ctx.queue.pop()  # an array of bare product values (the ids of clicked products)
    return make_item(obj, ctx)


def item_bounds(spec: FieldSpec, path: str) -> tuple[int, int]:
    lo = spec.min_items if spec.min_items is not None else (1 if spec.required else 0)
    hi = spec.max_items if spec.max_items is not None else max(lo, 1) + 4
    if lo > hi:
        raise InvalidRequest(path, f"min_items ({lo}) is greater than max_items ({hi})", "swap or widen them")
    return lo, hi


def _chain_bounds(
    scope: FieldSpec, spec: FieldSpec, path: str, env: Env, rules: ScopeRules
) -> Callable[..., None]:
    """A field in an order rule: drawn no lower than what precedes it, leaving room for what follows."""
    name = spec.name
    ranged = ranged_of(spec, path, env)
    unit = _chain_unit(spec)  # raw -> comparable value (seconds for times, the value for numbers)
    preds = tuple(rules.chain_preds.get(name, ()))
    gap = rules.gap_before.get(name)
    min_gap = rules.min_gap_before.get(name, 0)
    pooled = _pool_raws(spec, ranged)
    ceilings = []
    for succ in rules.chain_succs.get(name, ()):
        other = scope.child(succ)
        assert other is not None
        sibling = join(path[: -len(name)].rstrip("."), succ)
        ceilings.append(ranged_of(other, sibling, env).hi * _chain_unit(other))
    ceiling = min(ceilings, default=None)
    # Without an explicit max a later field may follow an early one past the default window.
    open_top = spec.max is None
    rnd = env.rnd

    def run(obj: dict[str, Any], raw: dict[str, float], ctx: RowCtx, make: Maker | None) -> None:
        prev = max((raw[p] for p in preds if p in raw), default=None)
        if make is not None:
            value = make(obj, ctx)
            obj[name] = value
            with contextlib.suppress(ValueError, TypeError):
                raw[name] = ranged.raw_of(value) * unit
            return
        lo, hi = ranged.lo, ranged.hi
        if ceiling is not None:
            hi = min(hi, math.floor(ceiling / unit))
        if prev is not None:
            lo = max(lo, math.ceil((prev + min_gap) / unit - 1e-9))
            if open_top and lo > hi:
                hi = lo + (math.floor(gap / unit) if gap else ranged.hi - ranged.lo)
            if gap is not None:
                top = min(hi, math.floor((prev + gap) / unit))
                if top >= lo:
                    # Short steps are more common than long ones (most carts change within hours).
                    v = lo + int((top - lo) * rnd() ** 2 + 0.5)
                    raw[name] = v * unit
                    obj[name] = ranged.out(v)
                    return
        if lo > hi:
            raise Retry
        fitting = [p for p in pooled if lo <= p[0] <= hi] if pooled else None
        if fitting:
            v = chooser([p[0] for p in fitting], [p[1] for p in fitting], rnd)()
        else:
            v = ranged.draw(rnd, lo, hi)
        raw[name] = v * unit
        obj[name] = ranged.out(v)

    return run


def _pool_raws(spec: FieldSpec, ranged: Any) -> list[tuple[int, float]]:
    """A chained field's typical values (gift card denominations) as (raw, weight)."""
    if not spec.pool:
        return []
    weights = spec.pool_weights or [1.0] * len(spec.pool)
    return [(ranged.raw_of(v), float(w)) for v, w in zip(spec.pool, weights, strict=False)]


def _chain_unit(spec: FieldSpec) -> float:
    if spec.type is FieldType.DATE:
        return 86400.0
    if spec.type in (FieldType.MONEY, FieldType.FLOAT):
        return 1.0 / 10 ** precision_of(spec)
    return 1.0


def compile_derives(spec: FieldSpec, path: str) -> list[tuple[str, Callable[[dict[str, Any]], Any]]]:
    """The object's derive rules as (target, fn(obj) -> value), in the order they are listed."""
    return [_derive_step(spec, path, r) for r in scope_rules(spec, path).derives]


def _derive_step(spec: FieldSpec, path: str, rule: Any) -> tuple[str, Callable[[dict[str, Any]], Any]]:
    target = rule.target
    field = spec.child(target)
    origin = join(path, target)
    if field is None:
        raise InvalidRequest(
            origin, "a derive rule names a field the object lacks", "add the field or fix the rule"
        )
    expr = compile_expression(rule.expression, origin)
    missing = [n for n in expr.names if spec.child(n) is None]
    if missing:
        raise InvalidRequest(
            origin, f"the rule reads unknown fields {', '.join(sorted(missing))}", "fix the rule"
        )
    fn = expr.fn
    if field.type is FieldType.INTEGER:
        return target, lambda obj: _safe(fn, obj, lambda v: round(v))
    digits = precision_of(field)
    return target, lambda obj: _safe(fn, obj, lambda v: round(v + 0.0, digits))


def _safe(fn: Callable[[dict], Any], obj: dict[str, Any], conv: Callable[[Any], Any]) -> Any:
    try:
        value = fn(obj)
    except (TypeError, KeyError, ZeroDivisionError):
        return None
    return None if value is None else conv(value)
