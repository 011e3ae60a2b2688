"""Compiles an object spec and its rules into one row maker: rules hold by construction.

Fields are made in dependency order (a present_if field after its condition, an order rule's fields
in chain order, an e-mail after the names, a pooled text after the field its pool follows) and
written into a dict pre-filled in schema order, so key order never depends on generation order.
Derived fields are computed last, in the order their rules are listed.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

from tools.catalogue import load_catalogue
from tools.chains import chain_bounds, join
from tools.derive import compile_derives
from tools.errors import MAX_ITEMS, InvalidRequest
from tools.maker_kit import Env, Maker, RowCtx, chooser, count_weights, pool_key, sample, source_of
from tools.patterns import Bijection
from tools.rulespec import ScopeRules, scope_rules
from tools.schema import FieldSpec, FieldType
from tools.values import make_leaf
from tools.world.additions import PLAN_THEME
from tools.world.addresses import PERSON_FIELDS, address_chooser, person_of
from tools.world.baskets import basket, price_bounds, shelf
from tools.world.id_years import record_time, stamp, year_fields
from tools.world.money import TAX_INPUTS
from tools.world.parcels import READS as PARCEL_READS
from tools.world.text.library import grammar_names, load_grammar
from tools.world.text.maker import grammar_of

Step = Callable[[dict[str, Any], dict[str, float], RowCtx], None]


class ItemCount:
    """A forced item count for an array (edge cases: a single item, the maximum)."""

    def __init__(self, count: int) -> None:
        self.count = count


Forced = dict[str, "Maker | ItemCount"]


def constant(value: Any) -> Maker:
    if isinstance(value, dict | list):
        return lambda obj, ctx: copy.deepcopy(value)
    return lambda obj, ctx: value


def compile_object(spec: FieldSpec, path: str, env: Env, forced: Forced) -> Maker:
    rules = scope_rules(spec, path)
    names = tuple(f.name for f in spec.fields)
    # (name, maker, None) for plain fields, (name, None, step) for gated, nullable or ordered ones: the
    # plain case, most fields, then costs one call per row instead of two.
    steps = [_field_step(spec, n, join(path, n), env, forced, rules) for n in generation_order(spec, rules)]
    derives = compile_derives(spec, path)
    uses_product = any((source_of(f) or "").startswith("product.") for f in spec.fields)
    bounds = price_bounds(spec.fields, path, env.window) if uses_product else None
    on = shelf(*bounds) if bounds else None  # a bounded price chooses products, never inflates one
    unique_product = any(f.unique and (source_of(f) or "").startswith("product.") for f in spec.fields)
    walk = catalogue_walk(env, path, spec.fields) if unique_product else None
    products = load_catalogue()
    rnd = env.rnd
    fill_address = _address_filler(spec, env) if spec.source == "address" else None
    # Ids carry their record's year (tools/world/id_years.py); ids a link or the request fixes stay.
    when = record_time(spec) or ""
    stamped = year_fields(spec, {n for n in names if join(path, n) in forced}) if when else []

    def make(parent: dict[str, Any], ctx: RowCtx) -> dict[str, Any]:
        if walk is not None:
            ctx.product, ctx.product_round = walk(ctx.slot)
        elif uses_product:
            if ctx.queue:
                ctx.product = ctx.queue.pop()
            else:
                theme_products = _on_shelf(ctx.theme, on) if ctx.theme.products else products[0].products
                ctx.product = theme_products[int(rnd() * len(theme_products))]
        obj = dict.fromkeys(names)
        raw: dict[str, float] = {}
        for name, plain, step in steps:
            if step is None:
                obj[name] = plain(obj, ctx)  # type: ignore[misc]  # plain is set when step is None
            else:
                step(obj, raw, ctx)
        if fill_address is not None:
            fill_address(obj, parent)
        for name, starts in stamped:
            obj[name] = stamp(obj[name], obj[when], starts)
        for target, fn in derives:
            obj[target] = fn(obj)
        return obj

    return make


ADDRESS_PARTS = {
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


def _address_filler(spec: FieldSpec, env: Env) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    """An object with `source: address`: street, city, state, zip and country from one address, the
    person's own where the row names one (tools/world/addresses.py)."""
    from tools.pools import pool

    rnd = env.rnd
    keys = [(f.name, ADDRESS_PARTS[f.name]) for f in spec.fields if f.name in ADDRESS_PARTS]
    choose = address_chooser(spec.name, env.locale, env.seed_key)
    if choose is None:
        table = pool(env.locale, "address")
        choose = lambda person, u: table[int(u * len(table))]  # noqa: E731

    def fill(obj: dict[str, Any], parent: dict[str, Any]) -> None:
        address = choose(person_of(parent), rnd())
        for name, i in keys:
            obj[name] = address[i]

    return fill


def _on_shelf(theme: Any, on: Any) -> Any:
    """The theme's products, or those of them a bounded price allows (tools/world/baskets.Shelf)."""
    if on is None:
        return theme.products
    themes = load_catalogue()
    return on.by_theme[themes.index(theme)] if theme in themes else theme.products


def catalogue_walk(env: Env, path: str, fields: list[FieldSpec]) -> Callable[[int], tuple[Any, int]]:
    """slot -> (product, round): every catalogue product once (every one whose price is within the
    object's price bounds), in a seeded order, then again (round 1, 2, ...): a product table with unique
    ids. Shared by every maker of this path in the job."""
    bounds = price_bounds(fields, path, env.window)
    key = f"{path}|catalogue-walk" + (f"|{bounds[0]}|{bounds[1]}" if bounds else "")

    def walk() -> Callable[[int], tuple[Any, int]]:
        everything = [p for theme in load_catalogue() for p in theme.products]
        if bounds:
            everything = [everything[g] for g in sorted(set(shelf(*bounds).flat.tolist()))]
        own = [p for p in everything if p.theme == PLAN_THEME]
        share = env.product_share
        if share is None or not own or len(own) == len(everything):
            # No plan products, or nothing else on the shelf (a price range only they fit): one walk.
            return _walk(everything, env.keyed(key))
        rest = _walk([p for p in everything if p.theme != PLAN_THEME], env.keyed(key))
        mine = _walk(own, env.keyed(f"{key}|{PLAN_THEME}"))
        s: float = share

        def at(slot: int) -> tuple[Any, int]:
            # Slot k is the plan's when floor((k+1)s) passes floor(ks): `share` of any stretch of slots,
            # and the count of either kind before a slot is known without walking to it (seekable).
            # Each of the plan's products is listed once; then the catalogue's fill the table, so a
            # product table never lists one product (one SKU) twice while the catalogue has more.
            before = math.floor(slot * s)
            if before < len(own) and math.floor((slot + 1) * s) > before:
                return mine(before)
            return rest(slot - min(before, len(own)))

        return at

    return env.counter(key, walk)  # type: ignore[no-any-return]


def _walk(products: list[Any], gen: Any) -> Callable[[int], tuple[Any, int]]:
    """slot -> (product, round): each of `products` once in a seeded order, then again."""
    perm = Bijection(len(products), gen)

    def at(slot: int) -> tuple[Any, int]:
        turn, i = divmod(slot, len(products))
        return products[perm(i)], turn

    return at


def field_deps(spec: FieldSpec, rules: ScopeRules) -> dict[str, set[str]]:
    """The fields each field's maker reads from the object being filled."""
    deps: dict[str, set[str]] = {f.name: set() for f in spec.fields}
    for name, (when, _) in rules.present_if.items():
        deps[name].add(when)
    for name, preds in rules.chain_preds.items():
        deps[name].update(preds)
    for f in spec.fields:
        if f.pools_by is not None and f.pools_by.field in deps:
            deps[f.name].add(f.pools_by.field)
        if f.typical_by is not None and f.typical_by.field in deps and f.typical_by.field != f.name:
            deps[f.name].add(f.typical_by.field)
        if source_of(f) == "email":
            deps[f.name].update(n for n in ("first_name", "last_name") if n in deps)
        grammar = grammar_of(f)
        if grammar is not None and grammar in grammar_names():  # the field a text follows (its rating)
            deps[f.name].update(k for k in load_grammar(grammar).keys if k in deps and k != f.name)
        if f.source in PARCEL_READS:  # a tracking number follows its carrier, a scan its status
            deps[f.name].update(n for n in PARCEL_READS[f.source] if n in deps and n != f.name)
        if f.source == "tax_rate":  # the jurisdiction it is charged in
            deps[f.name].update(n for n in TAX_INPUTS if n in deps and n != f.name)
        if f.type is FieldType.ADDRESS or f.source == "address":  # the person whose address it is
            deps[f.name].update(n for n in PERSON_FIELDS if n in deps and n != f.name)
    if spec.lifecycle is not None:  # its story follows these facts (the shipping service)
        for name in spec.lifecycle.written():
            if name in deps:
                deps[name].update(r for r in spec.lifecycle.reads.values() if r in deps and r != name)
    return deps


def generation_order(spec: FieldSpec, rules: ScopeRules) -> list[str]:
    deps = field_deps(spec, rules)
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
    make = child_maker(spec, path, env, forced)
    rnd = env.rnd
    gate = rules.present_if.get(name)
    # A present_if field's null-ness is the rule's to decide, never chance's.
    null_rate = spec.null_rate if spec.is_nullable and gate is None else 0.0
    chain = chain_bounds(scope, spec, path, env, rules) if name in rules.chain_members else None
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


def child_maker(spec: FieldSpec, path: str, env: Env, forced: Forced) -> Maker:
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
        make_item = child_maker(item_spec, item_path, env, forced)
    uses_product = any((source_of(f) or "").startswith("product.") for f in (item_spec.fields or [item_spec]))
    bounds = price_bounds(item_spec.fields or [item_spec], item_path, env.window) if uses_product else None
    on = shelf(*bounds) if bounds else None
    rnd = env.rnd
    by = spec.pools_by
    # Arrays of codes (risk signals, tags) hold each value once, as real ones do.
    distinct = not item_spec.fields and bool(item_spec.values or item_spec.pool) and count is None
    slots = None
    if has_unique(item_spec):
        # Items with unique values read them at their own slots (maker_kit.RowCtx.slot).
        slots = _Slots(env.stride(item_path, natural_stride(spec, path)), item_path)
        make_item = slots.item(make_item)
    if by is not None:
        pools = {pool_key(k): list(v) for k, v in by.pools.items()}

        def make_by(obj: dict[str, Any], ctx: RowCtx) -> list[Any]:
            pool = pools.get(pool_key(obj.get(by.field)))
            if pool is None:
                return make(obj, ctx)
            n = min(len(pool), lo + int(rnd() * (hi - lo + 1)))
            return sample(pool, n, rnd)

    weights = count_weights(spec, lo, hi)
    pick_count = chooser(range(lo, hi + 1), weights, rnd) if weights else None

    def make(obj: dict[str, Any], ctx: RowCtx) -> list[Any]:
        n = pick_count() if pick_count is not None else lo + int(rnd() * (hi - lo + 1))
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
            ctx.queue = basket(ctx.theme, n, rnd, on)  # mostly the row's theme, now and then an affine one
        if uses_product and not item_spec.fields:
            return [_with_product(ctx, make_item, obj) for _ in range(n)]
        return [make_item(obj, ctx) for _ in range(n)]

    made = make_by if by is not None and count is None else make
    return slots.array(made) if slots is not None else made


class _Slots:
    """Item j of an array whose object sits at slot s gets slot s * stride + j (maker_kit.RowCtx.slot)."""

    def __init__(self, stride: int, item_path: str) -> None:
        self.stride, self.item_path = stride, item_path
        self.parent = self.j = 0

    def array(self, make: Maker) -> Maker:
        def made(obj: dict[str, Any], ctx: RowCtx) -> Any:
            self.parent, self.j = ctx.slot, 0
            return make(obj, ctx)

        return made

    def item(self, make_item: Maker) -> Maker:
        def made(obj: dict[str, Any], ctx: RowCtx) -> Any:
            parent, j = self.parent, self.j
            if j >= self.stride:
                raise InvalidRequest(
                    self.item_path,
                    f"more than {self.stride} items with unique values in one row",
                    "send fewer items",
                )
            self.j = j + 1
            ctx.slot = parent * self.stride + j
            try:
                return make_item(obj, ctx)
            finally:
                ctx.slot = parent

        return made


def has_unique(spec: FieldSpec) -> bool:
    """Whether anything under this spec holds unique values (they need slots)."""
    if spec.unique:
        return True
    return any(has_unique(f) for f in spec.fields) or (spec.items is not None and has_unique(spec.items))


def _with_product(ctx: RowCtx, make_item: Maker, obj: dict[str, Any]) -> Any:
    ctx.product = ctx.queue.pop()  # an array of bare product values (the ids of clicked products)
    return make_item(obj, ctx)


def item_bounds(spec: FieldSpec, path: str) -> tuple[int, int]:
    lo = spec.min_items if spec.min_items is not None else (1 if spec.required else 0)
    hi = spec.max_items if spec.max_items is not None else max(lo, 1) + 4
    if lo > hi:
        raise InvalidRequest(path, f"min_items ({lo}) is greater than max_items ({hi})", "swap or widen them")
    if hi > MAX_ITEMS:
        raise InvalidRequest(
            path, f"max_items {hi:,} is above the limit of {MAX_ITEMS:,} items", "ask for fewer"
        )
    return lo, hi


def natural_stride(spec: FieldSpec, path: str) -> int:
    """An array's stride from its own bounds: its most items; arrays of codes draw up to five
    candidates per item to find distinct ones (compiler._array_maker)."""
    _, hi = item_bounds(spec, path)
    item = spec.items
    distinct = item is not None and not item.fields and bool(item.values or item.pool)
    return max(1, 5 * hi if distinct else hi)
