"""The product a text talks about, in the words a shopper uses: "the yoga mat", "they" for earbuds.

A catalogue name ("Non-Slip Yoga Mat 6mm") reads badly in a sentence, so each product has a kind: the
catalogue's own product type where it has one, else tools/world/data/text/_product_kinds.yaml (a
trailing * marks a plural such as "earbuds*", which then takes "they" and "are"), else the name's
last word. Its tags (_product_tags.yaml: consumable, battery, dog, ...) pick the rules written for
that kind of thing, so battery life is praised only where there is a battery.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tools.catalogue import Product, load_catalogue, per_catalogue
from tools.world.additions import PLAN_THEME
from tools.world.prices import local_price
from tools.world.text.amounts import money

if TYPE_CHECKING:
    from tools.world.text.grammar import State

KINDS_FILE = Path(__file__).parent.parent / "data" / "text" / "_product_kinds.yaml"
TAGS_FILE = KINDS_FILE.with_name("_product_tags.yaml")
_PLATFORM = re.compile(r"\b(PS5|PS4|Xbox|Switch|PC)\b")  # "Shadows of Kareth (Nintendo Switch)"


@dataclass(frozen=True)
class ProductText:
    name: str
    short: str  # the name without a trailing "(Paperback)"
    kind: str
    plural: bool
    brand: str
    category: str
    low: float
    high: float
    tags: tuple[str, ...]  # its theme first, then its tags in _product_tags.yaml order
    pet: str  # the animal it is for: "dog", "cat", "fish", else "pet"
    platform: str  # what a game or controller plays on ("PS5"), else "PC"


@cache
def _kinds() -> dict[str, str]:
    doc = yaml.safe_load(KINDS_FILE.read_text(encoding="utf-8")) or {}
    return {str(name): str(kind) for by_name in doc.values() for name, kind in by_name.items()}


def _kind_of(p: Product) -> tuple[str, bool]:
    kind = _kinds().get(p.name)
    if kind is not None:
        return kind.rstrip("*"), kind.endswith("*")
    typed = str(getattr(p, "kind", "") or "")  # a generated product's type ("Yoga Mat")
    if not typed:
        words = re.sub(r"\(.*?\)| with .*$", "", p.name).split()
        typed = next((w for w in reversed(words) if w.isalpha()), "item")
    # Ordinary words in lower case, acronyms as written: "USB-C charger", "portable SSD", "smart Wi-Fi plug".
    kind = " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in typed.split())
    return kind, kind.endswith("s") and not kind.endswith(("ss", "us", "is"))


@cache
def _tag_specs() -> tuple[tuple[str, tuple[str, ...]], ...]:
    doc = yaml.safe_load(TAGS_FILE.read_text(encoding="utf-8")) or {}
    return tuple((str(tag), tuple(str(e).lower() for e in entries)) for tag, entries in doc.items())


def tag_names() -> frozenset[str]:
    return frozenset(tag for tag, _ in _tag_specs())


def _tags_of(p: Product, kind: str) -> tuple[str, ...]:
    """The product's theme and its tags: a tag holds it when one of its entries names it (kind, name,
    `@theme`, `@tag` defined above, `*`) and none of its `!entries` does."""
    have, names = {"*", "@" + p.theme}, {kind.lower(), p.name.lower()}
    out = [p.theme]
    for tag, entries in _tag_specs():
        hits = [e for e in entries if e.lstrip("!") in have or e.lstrip("!") in names]
        if hits and not any(e.startswith("!") for e in hits):
            have.add("@" + tag)
            out.append(tag)
    return tuple(out)


def _pet(tags: tuple[str, ...]) -> str:
    dog, cat = "dog" in tags, "cat" in tags
    return "fish" if "fish" in tags else "dog" if dog and not cat else "cat" if cat and not dog else "pet"


_TEXTS: dict[str, ProductText] = {}  # by product id: hashing a whole Product costs more than a row's text


def text_of(p: Product) -> ProductText:
    # A plan's products live as long as its catalogue's caches (a few plans), not the process's.
    texts = _TEXTS if p.theme != PLAN_THEME else _plan_texts() if _in_plan() else {}
    found = texts.get(p.id)
    if found is None:
        kind, plural = _kind_of(p)
        short = re.sub(r"\s*\([^)]*\)$", "", p.name)
        tags = _tags_of(p, kind)
        platform = _PLATFORM.search(p.name)
        found = texts[p.id] = ProductText(
            p.name, short, kind, plural, p.brand, p.category, p.price_low, p.price_high,
            tags, _pet(tags), platform.group(1) if platform else "PC",
        )  # fmt: skip
    return found


@per_catalogue
def _plan_texts() -> dict[str, ProductText]:
    return {}


def _in_plan() -> bool:
    """A plan's catalogue is in force (else a plan product's text is made, not kept)."""
    return load_catalogue()[-1].name == PLAN_THEME


@per_catalogue
def _by_id() -> dict[str, Product]:
    return {p.id: p for t in load_catalogue() for p in t.products}


@per_catalogue
def _everything() -> tuple[Product, ...]:
    return tuple(_by_id().values())


def find_product(obj: dict[str, Any], ctx: Any, rnd: Callable[[], float]) -> ProductText:
    """The row's own product where it has one (a review's product_id, the product the row maker
    picked), else one its dataset family bought (an order's item), else one of the row's theme."""
    own = obj.get("product_id")
    if own is not None and str(own) in _by_id():
        return text_of(_by_id()[str(own)])
    if ctx.product is not None:
        return text_of(ctx.product)
    linked = _linked(ctx.links, rnd)
    if linked is not None:
        return text_of(linked)
    products = ctx.theme.products or _everything()
    return text_of(products[int(rnd() * len(products))])


def _linked(links: dict[str, Any] | None, rnd: Callable[[], float]) -> Product | None:
    if not links:
        return None
    item = links.get("_item")
    if isinstance(item, dict) and str(item.get("product_id")) in _by_id():
        return _by_id()[str(item["product_id"])]
    for name, row in links.items():
        items = row.get("items") if isinstance(row, dict) and not name.startswith("_") else None
        if isinstance(items, list) and items:
            pick = items[int(rnd() * len(items))]
            found = _by_id().get(str(pick.get("product_id"))) if isinstance(pick, dict) else None
            if found is not None:
                return found
    return None


def _price(st: State) -> str:
    currency = st.currency()
    return money(local_price(st.prod().low, currency), currency)  # the list price, as listed there


def _sale_price(st: State) -> str:
    """A sale price: the row's subject's "25% off" where it names one, else 10-40% off the list
    price ending in .99; always below the list price."""
    currency = st.currency()
    low = local_price(st.prod().low, currency)  # yen price points (tools/world/prices.py)
    pct = st.named_percent()
    if pct:
        return money(round(low * (100 - pct) / 100, 2), currency)
    sale = int(low * (0.6 + 0.3 * st.rnd())) + 0.99
    return money(sale if sale < low else max(0.01, low - 1), currency)


def _pick(single: str, plural: str) -> Callable[[State], str]:
    return lambda st: plural if st.prod().plural else single


_FILLERS: dict[str, Callable[[State], str]] = {
    "name": lambda st: st.prod().name,
    "short": lambda st: st.prod().short,
    "kind": lambda st: st.prod().kind,
    "brand": lambda st: st.prod().brand,
    "category": lambda st: st.prod().category,
    "it": _pick("it", "they"),
    "It": _pick("It", "They"),
    "them": _pick("it", "them"),
    "is": _pick("is", "are"),
    "was": _pick("was", "were"),
    "has": _pick("has", "have"),
    "does": _pick("does", "do"),
    "this": _pick("this", "these"),
    "This": _pick("This", "These"),
    "its": _pick("its", "their"),
    "s": _pick("s", ""),  # a verb's ending: "it feel{product.s}" -> "it feels" / "they feel"
    "pet": lambda st: st.prod().pet,
    "platform": lambda st: st.prod().platform,
    "price": _price,
    "sale_price": _sale_price,
}


def product_filler(attr: str) -> Callable[[State], str] | None:
    return _FILLERS.get(attr)
