"""The product catalogue: themes of products that belong together (tools/data/catalogue.yaml).

Rows that hold products (carts, orders, wishlists) pick one theme per row and draw their products from
it, now and then from an affine theme (`affinity`, tools/world/baskets.py), so a fitness cart holds
fitness gear and perhaps a water bottle. Each theme lists a few hand-written products and a grammar
of product types (type x variant x size x colour, made by one of the type's brands) that expands into
the rest, in the same order in every process. A variant comes in the sizes and colours that make sense
for it (no 65L daypack, no 256GB kids' tablet), and may sit in a price tier of its own (a factor on the
type's band: a Mini below the plain one, a Pro above it).

Every product has one list price (`price_low == price_high == price`), inside the price band of its
type or variant; a discount is a field of its own on the row, never a second price. The price, the brand
of a product line, the id and the SKU are derived from names with a stable hash, so a product
has the same id, SKU and price in every row, request and process. Ids (`PRD-` and 6 digits) and SKUs
(theme prefix and 6 characters) are unique: a hash that lands on a taken one moves to the next free
one, hand-written products first, then generated ones in catalogue order.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar

import yaml

CATALOGUE_FILE = Path(__file__).parent / "data" / "catalogue.yaml"
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: SKUs are read by people
_IDS = 1_000_000  # PRD-000000 .. PRD-999999
_SKU_LENGTH = 6
_TIER_NUDGE = 0.04  # variants of one price tier differ by up to 4% either way
# Capitalised words that stay so inside a sentence ("8-inch Android tablet", "Earl Grey tea").
_PROPER = frozenset(
    {"Android", "Bluetooth", "Colombian", "Damascus", "Earl", "English", "German", "Grey", "Italian"}
    | {"Japanese", "Medjool", "Moroccan", "Olympic", "Tuscan"}
)
# "a 8 oz jar" -> "an 8 oz jar"; "a extra large size" -> "an extra large size"
_ARTICLE_BEFORE_PLACEHOLDER = re.compile(r"\b[Aa] \{")
_PLAN_CACHES = 8  # plans' catalogues whose derived tables (shelves, flat arrays) a process keeps
R = TypeVar("R")
T = TypeVar("T")
_AN = re.compile(r"\b([Aa]) (?=8|1[18](?!\d)|[aeiAEI]|[oO](?!ne))")


@dataclass(frozen=True)
class Product:
    id: str
    sku: str
    name: str
    category: str
    brand: str
    description: str
    price_low: float  # == price_high: the one list price (makers that draw in [low, high] get it)
    price_high: float
    theme: str
    kind: str = ""  # the product type it was made from ("Yoga Mat"); "" for a hand-written product
    band: tuple[float, float] = (0.0, 0.0)  # the realistic price band of its type (or variant), in USD
    variant: str = ""  # the grammar's variant and size it was made from ("Cork", "6mm"); "" if none
    size: str = ""

    @property
    def price(self) -> float:
        """The product's one list price in USD."""
        return self.price_low


@dataclass(frozen=True)
class Theme:
    name: str
    category: str
    keywords: tuple[str, ...]
    products: tuple[Product, ...]
    # Themes whose products share a basket with this one's (a fitness cart with a water bottle from
    # outdoor): baskets mix categories the way shoppers do, not at random.
    affinity: tuple[str, ...] = ()


@dataclass
class _Draft:
    """A product before its id and SKU are given (they need every other product's first)."""

    theme: str
    prefix: str
    category: str
    name: str
    brand: str
    description: str
    cents: int
    kind: str
    band: tuple[int, int]
    variant: str = ""
    size: str = ""
    id: str = ""
    sku: str = ""


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _fractions(text: str) -> tuple[float, float]:
    """Two stable numbers in [0, 1) for a text."""
    d = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(d[:8], "big") / 2.0**64, int.from_bytes(d[8:16], "big") / 2.0**64


def _code(n: int, length: int) -> str:
    out = []
    for _ in range(length):
        n, d = divmod(n, len(_ALNUM))
        out.append(_ALNUM[d])
    return "".join(out)


def _cents(value: Any) -> int:
    return round(float(value) * 100)


def _endings(target: float, v: float) -> list[tuple[int, int]]:
    """(step, offset) in cents of the prices a shop would ask near target, best first; v picks one."""
    if target < 10_000:  # under $100: x.99, now and then x.49
        first = [(100, 99)] if v < 0.75 else [(100, 49)]
    elif target < 100_000:  # $100 to $1,000: whole dollars ending in 9 ($149), or $149.99
        first = [(1_000, 900)] if v < 0.7 else [(1_000, 999)]
    else:  # $1,000 and up: $1,049, $1,099, ...
        first = [(5_000, 4_900), (1_000, 900)]
    return [*first, (100, 99), (100, 0), (1, 0)]


def shelf_price(low: int, high: int, t: float, v: float) -> int:
    """A list price in cents inside [low, high], near the point t (0..1) of the band on a log scale,
    ending as shop prices end. v (0..1) picks between equally good endings."""
    if low <= 0 or high < low:
        raise ValueError(f"catalogue: bad price band [{low / 100}, {high / 100}]")
    target = low * (high / low) ** min(max(t, 0.0), 1.0)
    for step, offset in _endings(target, v):
        k = round((target - offset) / step)
        inside = [c for c in ((k + d) * step + offset for d in (-1, 0, 1, 2)) if low <= c <= high]
        if inside:
            return min(inside, key=lambda c: (abs(c - target), c))
    return min(high, max(low, round(target)))  # pragma: no cover (a 1-cent step always fits)


@cache
def _soft_lower(text: str) -> str:
    """Lower-case ordinary capitalised words (`Non-Slip Cork 24-Pack` -> `non-slip cork 24-pack`),
    keeping acronyms, units and words with a single letter as written (`USB-C`, `4K`, `GaN`, `T-Shirt`)."""

    def one(word: str) -> str:
        parts = word.split("-")
        if word in _PROPER or any(len(p) == 1 and p.isalpha() for p in parts):
            return word
        plain = [
            len(p) > 1 and p[0].isupper() and p[1:].islower() and p.replace("'", "").isalpha() for p in parts
        ]
        return "-".join(p.lower() if ok else p for p, ok in zip(parts, plain, strict=True))

    return " ".join(one(w) for w in text.split(" "))


def _forms(field: str, value: str) -> dict[str, str]:
    """A template's placeholders for one part: {size} as written, {size_lc} with ordinary words in
    lower case, and {Size}, the same with its first letter upper-cased (to start a sentence)."""
    lower = _soft_lower(value)
    return {field: value, f"{field}_lc": lower, field.capitalize(): lower[:1].upper() + lower[1:]}


def _fill(template: str, values: dict[str, str]) -> str:
    """The template with its {placeholders} filled; an empty part leaves no double space."""
    out = " ".join(template.format_map(values).split())
    if " ," in out or " ." in out or ",," in out or ",." in out:  # "from Zenflow, , ." with no size
        out = re.sub(r"\s+([,.;:)])", r"\1", out)
        out = re.sub(r",+(?=[,.])", "", out)
    return out


def _sentence(template: str, values: dict[str, str]) -> str:
    """A description: the filled template as a sentence, with "an" where a filled-in word needs it
    (the template's own words are written right)."""
    out = _fill(template, values)
    if _ARTICLE_BEFORE_PLACEHOLDER.search(template):
        out = _AN.sub(r"\1n ", out)
    return out[:1].upper() + out[1:]


def _as_list(raw: Any, field: str, where: str) -> list[Any]:
    if raw is None:
        return [""]
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"catalogue {where}: {field} must be a non-empty list")
    return raw


def _band(raw: Any, where: str) -> tuple[int, int]:
    if not (isinstance(raw, list) and len(raw) == 2):
        raise ValueError(f"catalogue {where}: band must be [low, high] in USD")
    low, high = _cents(raw[0]), _cents(raw[1])
    if not 0 < low < high:
        raise ValueError(f"catalogue {where}: band {raw} must rise from above zero")
    return low, high


def _hand_written(theme: str, raw: dict[str, Any], p: dict[str, Any]) -> _Draft:
    where = f"{theme}/{p.get('name')}"
    band = _band(p.get("band"), where)
    if not isinstance(p.get("price"), int | float):
        raise ValueError(f"catalogue {where}: price must be the one list price in USD")
    cents = _cents(p["price"])
    if not band[0] <= cents <= band[1]:
        raise ValueError(f"catalogue {where}: price {p['price']} outside its band {p['band']}")
    return _Draft(
        theme,
        raw["prefix"],
        raw["category"],
        p["name"],
        str(p.get("brand", "")),
        p.get("description", ""),
        cents,
        "",
        band,
    )


_VARIANT_KEYS = frozenset({"name", "band", "factor", "sizes", "excludes"})


@dataclass(frozen=True)
class _Variant:
    """One variant of a type: its price band, its price tier (a factor on the type's band, or None)
    and the sizes and colours it comes in (indexes into the type's lists, in the type's order)."""

    name: str
    band: tuple[int, int]
    factor: float | None
    sizes: tuple[int, ...]
    colors: tuple[int, ...]


def _variant(
    raw: Any, band: tuple[int, int], sizes: list[str], colors: list[str], tiered: bool, where: str
) -> _Variant:
    """A variant as written: a plain name (every size and colour, the type's band), or
    {name, band | factor, sizes, excludes}: its own band, or the type's band times a factor (a price
    tier: a Mini below the plain one, a Pro above it); the sizes it comes in, or the sizes and colours
    it does not (no 40 Gallon Nano aquarium, no 256GB kids' tablet). In a type where some variant has a
    factor (`tiered`), a variant without a band or a factor has factor 1."""
    if not isinstance(raw, dict):
        factor = 1.0 if tiered else None
        return _Variant(str(raw), band, factor, tuple(range(len(sizes))), tuple(range(len(colors))))
    name = str(raw.get("name") or "")
    at = f"{where}/{name}"
    if not name or set(raw) - _VARIANT_KEYS:
        raise ValueError(f"catalogue {at}: a variant is {{name, band | factor, sizes, excludes}}, not {raw}")
    if "band" in raw and "factor" in raw:
        raise ValueError(f"catalogue {at}: a variant has its own band or a factor, not both")
    vband, factor = band, (1.0 if tiered else None)
    if "band" in raw:  # a band of its own: outside the type's tiers
        vband, factor = _band(raw["band"], at), None
    elif "factor" in raw:
        factor = raw["factor"]
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0.1 <= factor <= 10:
            raise ValueError(f"catalogue {at}: factor must be a number from 0.1 to 10, not {factor!r}")
        factor = float(factor)
        vband = (round(band[0] * factor), round(band[1] * factor))
    takes = [str(x) for x in _as_list(raw["sizes"], "sizes", at)] if "sizes" in raw else sizes
    excludes = {str(x) for x in raw.get("excludes") or ()}
    stray = sorted({x for x in takes if x not in sizes} | (excludes - set(sizes) - set(colors)))
    if stray:
        raise ValueError(f"catalogue {at}: {stray} are not sizes or colours of the type")
    size_at = tuple(i for i, x in enumerate(sizes) if x in takes and x not in excludes)
    color_at = tuple(i for i, x in enumerate(colors) if x not in excludes)
    if not size_at or not color_at:
        raise ValueError(f"catalogue {at}: the variant is left with no size or no colour")
    return _Variant(name, vband, factor, size_at, color_at)


def _keep_order(cents: dict[tuple[int, int], int], variants: list[_Variant], by_size: bool) -> None:
    """Raises the prices that break the order a shopper expects: a bigger size of a variant never
    costs less than a smaller one (where the size sets the price), and a variant of a higher tier (a
    bigger factor) never less than a lower tier's product of the same size. A raise goes up to a price
    already asked inside a lower or equal band, so it stays inside the raised product's band."""
    changed = True
    while changed:
        changed = False
        for (vi, rank), price in list(cents.items()):
            mine = variants[vi]
            floor = 0
            if by_size:
                floor = max((cents[vi, r] for r in mine.sizes if r < rank), default=0)
            if mine.factor is not None:
                lower = [
                    cents[wi, rank]
                    for wi, w in enumerate(variants)
                    if w.factor is not None and w.factor < mine.factor and (wi, rank) in cents
                ]
                floor = max([floor, *lower])
            if floor > price:
                cents[vi, rank] = floor
                changed = True


def _expand_type(theme: str, raw: dict[str, Any], spec: dict[str, Any]) -> list[_Draft]:
    """Every product of one type: variant x size x colour, in the order they are written, each variant
    in the sizes and colours it comes in.

    Sizes are written smallest first: a bigger size sits higher in the band (unless the type says
    `price_by_size: false`, as for clothing sizes), at the same point of the band whichever sizes a
    variant skips; colours never change the price. Variants with a price `factor` share the type's
    point for a size (nudged a little per variant), so their prices follow the factor."""
    kind = spec["type"]
    where = f"{theme}/{kind}"
    band = _band(spec.get("band"), where)
    brands = [str(b) for b in spec.get("brands") or raw.get("brands") or ()]
    if not brands:
        raise ValueError(f"catalogue {where}: no brands")
    sizes = [str(s) for s in _as_list(spec.get("sizes"), "sizes", where)]
    colors = [str(c) for c in _as_list(spec.get("colors"), "colors", where)]
    written = _as_list(spec.get("variants"), "variants", where)
    tiered = any(isinstance(v, dict) and "factor" in v for v in written)
    variants = [_variant(v, band, sizes, colors, tiered, where) for v in written]
    if len({v.name for v in variants}) < len(variants):
        raise ValueError(f"catalogue {where}: a variant is written twice")
    by_size = bool(spec.get("price_by_size", True)) and len(sizes) > 1
    name_tpl = spec.get("name", "{variant} {type} {size} {color}")
    desc_tpl = spec.get("description", "{Variant} {type_lc} from {brand}, {size}, {color_lc}.")
    # A price per variant and size (or per variant where sizes cost alike), whatever the colour.
    cents: dict[tuple[int, int], int] = {}
    nudge = math.log(1 + _TIER_NUDGE) / math.log(band[1] / band[0])  # +-4% of a price, as a point of t
    for vi, variant in enumerate(variants):
        line = f"{theme}/{kind}/{variant.name}"
        for rank in variant.sizes:
            u, v = _fractions(f"{line}/{sizes[rank]}" if by_size else line)
            nudged = 0.0
            if variant.factor is not None:  # the type's point for this size, so tiers keep their order
                nudged = (2 * u - 1) * nudge
                u, _ = _fractions(f"{where}/{sizes[rank]}" if by_size else where)
            t = (rank + 0.15 + 0.7 * u) / len(sizes) if by_size else u
            cents[vi, rank] = shelf_price(*variant.band, t + nudged, v)
    _keep_order(cents, variants, by_size)
    out = []
    base = {"brand": "", **_forms("type", kind)}
    size_forms = [_forms("size", s) for s in sizes]
    color_forms = [_forms("color", c) for c in colors]
    for vi, variant in enumerate(variants):
        brand = brands[_digest(f"{theme}/{kind}/{variant.name}") % len(brands)]  # one brand a line
        values = {**base, **_forms("variant", variant.name), "brand": brand}
        for rank in variant.sizes:
            values.update(size_forms[rank])
            for ci in variant.colors:
                values.update(color_forms[ci])
                try:
                    name, description = _fill(name_tpl, values), _sentence(desc_tpl, values)
                except (KeyError, ValueError, IndexError) as e:
                    raise ValueError(f"catalogue {where}: bad template ({e!r})") from None
                out.append(
                    _Draft(
                        theme,
                        raw["prefix"],
                        raw["category"],
                        name,
                        brand,
                        description,
                        cents[vi, rank],
                        kind,
                        variant.band,
                        variant.name,
                        sizes[rank],
                    )
                )
    return out


def _drafts(doc: dict[str, Any]) -> dict[str, list[_Draft]]:
    """Every theme's products: hand-written first, then its types expanded; a name seen before
    (a hand-written product the grammar also makes) is kept once, the first time."""
    out: dict[str, list[_Draft]] = {}
    names: set[str] = set()
    for theme, raw in doc["themes"].items():
        if not isinstance(raw.get("prefix"), str):
            raise ValueError(
                f"catalogue theme {theme}: prefix must be a quoted string (YAML reads OFF as false)"
            )
        drafts = [_hand_written(theme, raw, p) for p in raw.get("products") or ()]
        for spec in raw.get("types") or ():
            drafts += _expand_type(theme, raw, spec)
        kept = []
        for d in drafts:
            if d.name not in names:
                names.add(d.name)
                kept.append(d)
        out[theme] = kept
    return out


def _identify(drafts: dict[str, list[_Draft]]) -> None:
    """Gives every draft its product id and SKU, unique: hand-written products take theirs first (so
    they keep the ids they always had), then generated ones in catalogue order; a hash that lands on
    a taken one moves on to the next free one."""
    everything = [d for ds in drafts.values() for d in ds]
    ids: set[str] = set()
    skus: set[str] = set()
    for d in [d for d in everything if not d.kind] + [d for d in everything if d.kind]:
        d.id, d.sku, _ = product_codes(f"{d.theme}/{d.name}", d.prefix, ids, skus)


def product_codes(key: str, prefix: str, ids: set[str], skus: set[str]) -> tuple[str, str, float]:
    """(id, SKU, a stable fraction) for the product `key` names: hashed from it, moved on to the next
    free one where taken; both are added to the taken sets."""
    h = _digest(key)
    n = h % _IDS
    while f"PRD-{n:06d}" in ids:
        n = (n + 1) % _IDS
    ids.add(f"PRD-{n:06d}")
    code = h >> 20
    sku = f"{prefix}-{_code(code, _SKU_LENGTH)}"
    while sku in skus:
        code += 1
        sku = f"{prefix}-{_code(code, _SKU_LENGTH)}"
    skus.add(sku)
    return f"PRD-{n:06d}", sku, _fractions(key)[1]


def _read(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times faster when there
    doc: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return doc


# A plan's own products (tools/world/additions.py) extend the catalogue for that plan's rows only: the
# engine sets this while it makes them (tools/engine.BlockMaker), so every reader of the catalogue,
# and every cache made from it (`per_catalogue`), sees the plan's world and no other request's.
_ACTIVE: ContextVar[tuple[Theme, ...] | None] = ContextVar("catalogue", default=None)


def load_catalogue(path: Path = CATALOGUE_FILE) -> tuple[Theme, ...]:
    """The catalogue in force: a plan's extended one while its rows are made, else the file's."""
    active = _ACTIVE.get()
    return active if active is not None and path == CATALOGUE_FILE else _load(path)


@contextmanager
def catalogue_in_use(themes: tuple[Theme, ...] | None) -> Iterator[None]:
    """`themes` is the catalogue while the block runs (None: the file's)."""
    token = _ACTIVE.set(themes)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


_DONE = object()  # made_in: the items ran out


def made_in(themes: tuple[Theme, ...] | None, items: Iterator[T]) -> Iterator[T]:
    """The items, each made with `themes` as the catalogue: set around every step, not the whole
    generator, so whoever iterates it (a gRPC thread, a worker) sees a plan's catalogue only while
    that plan's rows are made."""
    if themes is None:
        yield from items
        return
    while True:
        with catalogue_in_use(themes):
            item = next(items, _DONE)
        if item is _DONE:
            return
        yield item  # type: ignore[misc]


def per_catalogue(fn: Callable[..., R]) -> Callable[..., R]:
    """functools.cache for a function of the catalogue in force: one cache per catalogue (by identity:
    hashing thousands of products per call would cost more than most of these), the file's kept for
    good and a few plans' besides."""
    caches: dict[int, tuple[tuple[Theme, ...], dict[Any, R]]] = {}

    @wraps(fn)
    def cached(*args: Any) -> R:
        themes = load_catalogue()
        held = caches.get(id(themes))
        if held is None or held[0] is not themes:
            if len(caches) > _PLAN_CACHES:
                base = caches.get(id(base_catalogue()))
                caches.clear()
                if base is not None:
                    caches[id(base[0])] = base
            held = caches[id(themes)] = (themes, {})
        memo = held[1]
        if args not in memo:
            memo[args] = fn(*args)
        return memo[args]

    cached.cache_clear = caches.clear  # type: ignore[attr-defined]
    return cached


def base_catalogue() -> tuple[Theme, ...]:
    """The file's catalogue, whatever plan's is in force."""
    return _load(CATALOGUE_FILE)


@cache
def _load(path: Path) -> tuple[Theme, ...]:
    doc = _read(path)
    drafts = _drafts(doc)
    _identify(drafts)
    themes = []
    for name, raw in doc["themes"].items():
        products = []
        for d in drafts[name]:
            price = d.cents / 100
            products.append(
                Product(
                    id=d.id,
                    sku=d.sku,
                    name=d.name,
                    category=d.category,
                    brand=d.brand,
                    description=d.description,
                    price_low=price,
                    price_high=price,
                    theme=name,
                    kind=d.kind,
                    band=(d.band[0] / 100, d.band[1] / 100),
                    variant=d.variant,
                    size=d.size,
                )
            )
        themes.append(
            Theme(
                name,
                raw["category"],
                tuple(raw.get("keywords", ())),
                tuple(products),
                tuple(str(a) for a in raw.get("affinity") or ()),
            )
        )
    return tuple(themes)


load_catalogue.cache_clear = _load.cache_clear  # type: ignore[attr-defined]  # tests re-read the file


def theme_names() -> list[str]:
    return [t.name for t in load_catalogue()]
