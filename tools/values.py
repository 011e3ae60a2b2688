"""Leaf value makers: one closure per field, compiled once per request, called once per row.

A maker is `make(obj, ctx) -> value`: `obj` is the object being filled (for values that follow other
fields: an e-mail made from the row's names, a review title that follows its rating) and `ctx` the
row's context (its catalogue theme and the current product).
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tools import pools
from tools.catalogue import Product, Theme
from tools.errors import InvalidRequest
from tools.inference import infer_source
from tools.patterns import Bijection, parse_template, random_maker, unique_maker
from tools.ranged import Ranged, make_ranged
from tools.regexgen import regex_maker
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, FieldSpec, FieldType

Maker = Callable[[dict[str, Any], "RowCtx"], Any]
_WORD_SPLIT = re.compile(r"\s+")


class RowCtx:
    __slots__ = ("links", "product", "product_round", "queue", "theme")

    def __init__(self, theme: Theme, links: dict[str, Any] | None = None) -> None:
        self.theme = theme
        self.product: Product | None = None
        self.queue: list[Product] = []
        self.product_round = 0  # how many times a catalogue walk has come round (unique products)
        # In a linked dataset: the ancestor rows (by entity), the parent's current item, the sibling before.
        self.links = links


@dataclass
class Env:
    """What every maker of one request shares: the seeded generator, the locale and the year."""

    rng: random.Random
    locale: str = "en_US"
    year: int = 2025
    window: tuple[int, int] = (0, 0)
    unique_counters: dict[str, Any] = field(default_factory=dict)

    @property
    def rnd(self) -> Callable[[], float]:
        return self.rng.random


def chooser(
    values: Sequence[Any], weights: Sequence[float] | None, rnd: Callable[[], float]
) -> Callable[[], Any]:
    vals = tuple(values)
    n = len(vals)
    if not weights:
        return lambda: vals[int(rnd() * n)]
    cum = list(itertools.accumulate(float(w) for w in weights))
    total = cum[-1]
    if total <= 0:
        return lambda: vals[int(rnd() * n)]
    bis = bisect.bisect_right
    return lambda: vals[min(n - 1, bis(cum, rnd() * total))]


def pool_key(value: Any) -> str:
    """How a pools_by key is matched: true/false for booleans, the text of anything else."""
    if isinstance(value, bool) or str(value) in ("True", "False"):
        return str(value).lower()
    return str(value)


def source_of(spec: FieldSpec) -> str | None:
    return spec.source or infer_source(spec.name, spec.type)


def make_leaf(spec: FieldSpec, path: str, env: Env) -> Maker:
    rnd = env.rnd
    if spec.unique and (spec.values or spec.type in (FieldType.BOOLEAN, FieldType.ADDRESS)):
        raise InvalidRequest(
            path, f"unique cannot hold for a {spec.type.value} field with a fixed set of values",
            "drop unique, or use a pattern field such as CODE-{alnum:8}",
        )  # fmt: skip
    if spec.values:
        # A plan's pool narrows an enum (apply_plan kept only allowed values); else the enum's weights.
        allowed = [v for v in spec.pool or [] if v in spec.values]
        if allowed:
            weights = (
                spec.pool_weights
                if spec.pool_weights and len(spec.pool_weights) == len(spec.pool or [])
                else None
            )
            kept = (
                [w for v, w in zip(spec.pool or [], weights, strict=True) if v in spec.values]
                if weights
                else None
            )
            pick = chooser(allowed, kept, rnd)
        else:
            pick = chooser(spec.values, spec.weights, rnd)
        return lambda obj, ctx: pick()
    if spec.type is FieldType.ENUM:
        raise InvalidRequest(path, "an enum field needs values", "add enum_values (or values) to the field")
    if spec.type in NUMERIC_TYPES or spec.type in TEMPORAL_TYPES:
        return _ranged_maker(spec, path, env)
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
    return _text_maker(spec, path, env)


def _ranged_maker(spec: FieldSpec, path: str, env: Env) -> Maker:
    ranged = make_ranged(spec, path, env.window)
    rnd = env.rnd
    if spec.unique:
        return _unique_ranged(spec, ranged, path, env)
    if spec.pools_by is not None:
        return _ranged_pools_by(spec, ranged, rnd)
    if spec.pool:
        raws = [ranged.raw_of(v) for v in spec.pool]
        ok = [(r, w) for r, w in zip(raws, spec.pool_weights or [1.0] * len(raws), strict=False)]
        ok = [(r, w) for r, w in ok if ranged.lo <= r <= ranged.hi]
        if ok:
            pick = chooser([ranged.out(r) for r, _ in ok], [w for _, w in ok], rnd)
            return lambda obj, ctx: pick()
    if spec.source == "product.price":
        return _product_price_maker(ranged, rnd)
    out, draw, lo, hi = ranged.out, ranged.draw, ranged.lo, ranged.hi
    return lambda obj, ctx: out(draw(rnd, lo, hi))


def _unique_ranged(spec: FieldSpec, ranged: Ranged, path: str, env: Env) -> Maker:
    """Unique numbers or dates drawn as a permutation of the (raw) range: no repeats, no memory."""
    key = f"{path}|unique-range"
    if key not in env.unique_counters:
        space = ranged.hi - ranged.lo + 1
        perm = Bijection(space, env.rng)
        env.unique_counters[key] = (perm, iter(range(space)), space)
    perm, counter, space = env.unique_counters[key]
    lo, out = ranged.lo, ranged.out

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        k = next(counter, None)
        if k is None:
            raise InvalidRequest(
                path, f"unique values ran out: the range holds only {space}", "widen min/max"
            )
        return out(lo + perm(k))

    return make


def _ranged_pools_by(spec: FieldSpec, ranged: Ranged, rnd: Callable[[], float]) -> Maker:
    """A number that follows another field (a fraud risk score that follows the decision)."""
    assert spec.pools_by is not None
    key = spec.pools_by.field

    def fitting(values: Sequence[Any]) -> list[Any]:
        return [ranged.out(r) for r in (ranged.raw_of(v) for v in values) if ranged.lo <= r <= ranged.hi]

    pickers = {
        pool_key(k): chooser(vs, None, rnd) for k, v in spec.pools_by.pools.items() if (vs := fitting(v))
    }
    fallback_values = fitting(spec.pool or [])
    fallback = (
        chooser(
            fallback_values, spec.pool_weights if len(fallback_values) == len(spec.pool or []) else None, rnd
        )
        if fallback_values
        else None
    )
    out, draw, lo, hi = ranged.out, ranged.draw, ranged.lo, ranged.hi

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        pick = pickers.get(pool_key(obj.get(key)))
        if pick is not None:
            return pick()
        return fallback() if fallback is not None else out(draw(rnd, lo, hi))

    return make


def ranged_of(spec: FieldSpec, path: str, env: Env) -> Ranged:
    return make_ranged(spec, path, env.window)


def _product_price_maker(ranged: Ranged, rnd: Callable[[], float]) -> Maker:
    scale = ranged.scale
    bounds: dict[str, tuple[int, int]] = {}  # product id -> its raw price range inside the field's

    def product_bounds(p: Product) -> tuple[int, int]:
        lo = max(ranged.lo, round(p.price_low * scale))
        hi = min(ranged.hi, round(p.price_high * scale))
        return (lo, hi) if lo <= hi else (ranged.lo, ranged.hi)

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        p = ctx.product
        if p is None:
            lo, hi = ranged.lo, ranged.hi
        else:
            b = bounds.get(p.id)
            if b is None:
                b = bounds[p.id] = product_bounds(p)
            lo, hi = b
        raw = lo + int(rnd() * (hi - lo + 1))
        if scale == 100 and rnd() < 0.7:
            # Shelf prices end in .99 or .49 far more often than not.
            snapped = raw - raw % 100 + (99 if rnd() < 0.8 else 49)
            if lo <= snapped <= hi:
                raw = snapped
        return raw / scale

    return make


def sample(seq: Sequence[Any], n: int, rnd: Callable[[], float]) -> list[Any]:
    """n distinct items of seq (n <= len(seq)), drawn with the job's generator (partial shuffle)."""
    size = len(seq)
    order = list(range(size))
    out = []
    for i in range(n):
        j = i + int(rnd() * (size - i))
        order[i], order[j] = order[j], order[i]
        out.append(seq[order[i]])
    return out


def _address_maker(spec: FieldSpec, env: Env) -> Maker:
    table = pools.pool(env.locale, "address")
    rnd, n = env.rnd, len(table)
    keys = pools.ADDRESS_KEYS
    if spec.format == "single_line":
        return lambda obj, ctx: "{}, {}, {} {}, {}".format(*table[int(rnd() * n)])
    return lambda obj, ctx: dict(zip(keys, table[int(rnd() * n)], strict=True))


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
        if key not in env.unique_counters:
            env.unique_counters[key] = unique_maker(tpl, env.rng, path)
        make = env.unique_counters[key]
    else:
        make = random_maker(tpl, env.rnd)
    return lambda obj, ctx: make()


def _check_fixed_length(spec: FieldSpec, path: str, length: int) -> None:
    if spec.max_length is not None and length > spec.max_length:
        raise InvalidRequest(path, f"values are {length} characters but max_length is {spec.max_length}", "")
    if spec.min_length is not None and length < spec.min_length:
        raise InvalidRequest(path, f"values are {length} characters but min_length is {spec.min_length}", "")


def _text_maker(spec: FieldSpec, path: str, env: Env) -> Maker:
    rnd = env.rnd
    source = source_of(spec)
    base: Maker
    if spec.pools_by is not None:
        base = _pools_by_maker(spec, env)
    elif spec.pool:
        pick = chooser(spec.pool, spec.pool_weights, rnd)
        base = lambda obj, ctx: pick()  # noqa: E731
    elif source and source.startswith("product."):
        base = _product_maker(source[len("product.") :], path, rnd)
    elif source == "email":
        base = _email_maker(env)
    elif source == "currency_code":
        pick = chooser(pools.CURRENCIES, pools.CURRENCY_WEIGHTS, rnd)
        base = lambda obj, ctx: pick()  # noqa: E731
    elif source == "language":
        pick = chooser(pools.LANGUAGES, None, rnd)
        base = lambda obj, ctx: pick()  # noqa: E731
    elif source and pools.known_source(source):
        table = pools.pool(env.locale, source)
        n = len(table)
        base = lambda obj, ctx: table[int(rnd() * n)]  # noqa: E731
    elif source:
        raise InvalidRequest(f"{path}.source", f"unknown source {source!r}", "see tools/entities/README.md")
    elif spec.type is FieldType.IP:
        table = pools.pool(env.locale, "ipv6" if spec.format == "ipv6" else "ipv4")
        base = lambda obj, ctx: table[int(rnd() * len(table))]  # noqa: E731
    else:
        table = pools.pool(env.locale, "word")
        base = lambda obj, ctx: table[int(rnd() * len(table))]  # noqa: E731
    if spec.min_length is not None or spec.max_length is not None:
        base = _fit_length(base, spec, env, reserve=8 if spec.unique else 0)
    if spec.unique and (source or "").startswith("product."):
        # The object walks the whole catalogue before any product repeats (compiler.py); a repeat
        # gets its round number appended, so ids stay unique past the catalogue's size.
        base = _with_round(base)
    elif spec.unique:
        key = f"{path}|suffix"
        if key not in env.unique_counters:
            env.unique_counters[key] = unique_numbers(env.rng)
        base = _unique_suffix(base, env.unique_counters[key])
    return base


def _with_round(base: Maker) -> Maker:
    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        value = base(obj, ctx)
        return f"{value}-{ctx.product_round}" if ctx.product_round else value

    return make


def _pools_by_maker(spec: FieldSpec, env: Env) -> Maker:
    assert spec.pools_by is not None
    key = spec.pools_by.field
    pickers = {pool_key(k): chooser(v, None, env.rnd) for k, v in spec.pools_by.pools.items() if v}
    fallback_values = spec.pool or [v for vs in spec.pools_by.pools.values() for v in vs]
    fallback = chooser(fallback_values, None, env.rnd)

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        pick = pickers.get(pool_key(obj.get(key)))
        return pick() if pick is not None else fallback()

    return make


def _product_maker(attr: str, path: str, ctx_rnd: Callable[[], float]) -> Maker:
    if attr not in {"id", "sku", "name", "category", "brand", "description"}:
        raise InvalidRequest(f"{path}.source", f"unknown product attribute {attr!r}", "use product.name, ...")

    def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
        if ctx.product is None:
            ctx.product = ctx.theme.products[int(ctx_rnd() * len(ctx.theme.products))]
        return getattr(ctx.product, attr)

    return make


def _email_maker(env: Env) -> Maker:
    rnd = env.rnd
    firsts = pools.pool(env.locale, "first_name")
    lasts = pools.pool(env.locale, "last_name")
    domains = pools.pool(env.locale, "email_domain")
    slug = pools.ascii_slug

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        first = obj.get("first_name") or firsts[int(rnd() * len(firsts))]
        last = obj.get("last_name") or lasts[int(rnd() * len(lasts))]
        f, la = slug(str(first)) or "user", slug(str(last)) or "mail"
        style = int(rnd() * 5)
        local = (f"{f}.{la}", f"{f}{la}", f"{f[0]}{la}", f"{f}_{la}", f"{f}.{la}{int(rnd() * 90) + 10}")[
            style
        ]
        return f"{local}@{domains[int(rnd() * len(domains))]}"

    return make


def _unique_suffix(base: Maker, numbers: Any) -> Maker:
    """Unique strings without remembering earlier ones: append a number no other row gets."""

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        value = str(base(obj, ctx))
        n = next(numbers)
        if "@" in value:
            local, domain = value.split("@", 1)
            return f"{local}{n}@{domain}"
        return f"{value}{n}"

    return make


def unique_numbers(rng: random.Random) -> Any:
    """Distinct numbers: a shuffled 2-digit block, then 3-digit, and so on; digit counts never overlap."""
    width = 2
    while True:
        space = 9 * 10 ** (width - 1)
        perm = Bijection(space, rng)
        for k in range(space):
            yield 10 ** (width - 1) + perm(k)
        width += 1


def _fit_length(base: Maker, spec: FieldSpec, env: Env, reserve: int) -> Maker:
    lo = spec.min_length or 0
    hi = spec.max_length if spec.max_length is not None else max(lo, 1) * 4 + 64
    if lo > hi:
        raise InvalidRequest(
            spec.name, f"min_length {lo} is greater than max_length {hi}", "swap or widen them"
        )
    # Room for a unique suffix: the suffix must never be cut off.
    hi = max(lo, hi - reserve) if reserve and hi - reserve >= 1 else hi
    words = pools.pool(env.locale, "word")
    rnd = env.rnd

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        text = str(base(obj, ctx))
        while len(text) < lo:
            text = f"{text} {words[int(rnd() * len(words))]}"
        if len(text) > hi:
            cut = text[:hi]
            space = cut.rfind(" ")
            text = cut[:space].rstrip(" ,;") if space >= max(lo, 1) else cut
            text = text if len(text) >= lo else cut
        return text

    return make
