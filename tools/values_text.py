"""Makers for text: pools and sources, values that follow another field, catalogue products,
e-mails made from the row's names, unique suffixes and length fitting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools import pools
from tools.errors import MAX_STRING_LENGTH, InvalidRequest
from tools.maker_kit import Env, Maker, RowCtx, chooser, pool_key, source_of
from tools.patterns import Bijection
from tools.schema import FieldSpec, FieldType
from tools.world.text import grammar_maker, grammar_of


def text_maker(spec: FieldSpec, path: str, env: Env) -> Maker:
    rnd = env.rnd
    source = source_of(spec)
    base: Maker
    if (grammar := grammar_of(spec)) is not None:  # `source: grammar.<name>` (tools/world/text)
        base = grammar_maker(grammar, spec, path, env)
    elif spec.pools_by is not None:
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
    if grammar is not None and (spec.min_length is not None or spec.max_length is not None):
        base = _fit_grammar_length(base, spec, reserve=8 if spec.unique else 0)
    elif spec.min_length is not None or spec.max_length is not None:
        base = _fit_length(base, spec, env, reserve=8 if spec.unique else 0)
    if spec.unique and (source or "").startswith("product."):
        # The object walks the whole catalogue before any product repeats (compiler.py); a repeat
        # gets its round number appended, so ids stay unique past the catalogue's size.
        base = _with_round(base)
    elif spec.unique:
        key = f"{path}|suffix"
        base = _unique_suffix(base, env.counter(key, lambda: UniqueNumbers(env, key)))
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


def _unique_suffix(base: Maker, numbers: UniqueNumbers) -> Maker:
    """Unique strings without remembering earlier ones: append the number of the row's slot."""

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        value = str(base(obj, ctx))
        n = numbers.at(ctx.slot)
        if "@" in value:
            local, domain = value.split("@", 1)
            return f"{local}{n}@{domain}"
        return f"{value}{n}"

    return make


class UniqueNumbers:
    """slot -> a distinct number: slots 0..89 a shuffled 2-digit block, then 3-digit, and so on; digit
    counts never overlap. Each width's shuffle is keyed by the width, so any slot is read alone."""

    def __init__(self, env: Env, key: str) -> None:
        self.env, self.key = env, key
        self.perms: dict[int, Bijection] = {}

    def at(self, slot: int) -> int:
        width, k = 2, slot
        while k >= 9 * 10 ** (width - 1):
            k -= 9 * 10 ** (width - 1)
            width += 1
        perm = self.perms.get(width)
        if perm is None:
            perm = self.perms[width] = Bijection(9 * 10 ** (width - 1), self.env.keyed(f"{self.key}|{width}"))
        return 10 ** (width - 1) + perm(k)


def _length_bounds(spec: FieldSpec, default_hi: int | None) -> tuple[int, int | None]:
    """A text field's (min_length, max_length), refused when they cannot hold."""
    lo = spec.min_length or 0
    if lo > MAX_STRING_LENGTH:
        raise InvalidRequest(
            spec.name,
            f"min_length {lo:,} is above the limit of {MAX_STRING_LENGTH:,} characters",
            "ask for less",
        )
    hi = spec.max_length if spec.max_length is not None else default_hi
    if hi is not None and lo > hi:
        raise InvalidRequest(
            spec.name, f"min_length {lo} is greater than max_length {hi}", "swap or widen them"
        )
    return lo, hi


def _fit_length(base: Maker, spec: FieldSpec, env: Env, reserve: int) -> Maker:
    lo, most = _length_bounds(spec, max(spec.min_length or 0, 1) * 4 + 64)
    assert most is not None  # a default was given
    hi = most
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


def _fit_grammar_length(base: Maker, spec: FieldSpec, reserve: int) -> Maker:
    """A grammar text's length: the grammar maker pads it to min_length with sentences of its own
    voice, so only a real max_length cuts it, and at the last sentence end (else word end) that keeps
    min_length; no cap is invented when only min_length is set."""
    lo, hi = _length_bounds(spec, None)
    if hi is None:
        return base
    hi = max(lo, hi - reserve) if reserve and hi - reserve >= 1 else hi  # room for a unique suffix

    def make(obj: dict[str, Any], ctx: RowCtx) -> str:
        text = str(base(obj, ctx))
        return text if len(text) <= hi else cut_text(text, lo, hi)

    return make


def cut_text(text: str, lo: int, hi: int) -> str:
    """`text` cut to at most `hi` characters at a sentence end, else a word end, keeping `lo`."""
    cut = text[: hi + 1]  # a sentence may end exactly at hi (its stop is the last kept character)
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if end + 1 >= max(lo, 1):
        return cut[: end + 1]
    space = cut.rfind(" ", 0, hi + 1)
    word = cut[:space].rstrip(" ,;:-") if space > 0 else ""
    return word if len(word) >= lo and word else text[:hi]
