"""What goes into a basket: mostly the row's theme, now and then an affine theme's product (a yoga mat
and a water bottle), one unit of anything expensive.

Both makers call these: the row maker a basket at a time, the column maker a block of items at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tools.catalogue import Product, Theme, load_catalogue, per_catalogue
from tools.maker_kit import sample
from tools.ranged import make_ranged
from tools.schema import FieldSpec
from tools.world.prices import pricer

# Each item after the first comes from an affine theme this often. No public figure gives a cross-
# category share per basket; a quarter keeps most baskets on one theme (as the evals' context cases
# expect) while two-thirds of three-item baskets mix categories.
MIX = 0.25
# Units of a product at or above this price: one. Nobody buys three treadmills in one order line.
EXPENSIVE = 200.0


@per_catalogue
def affine() -> tuple[tuple[int, ...], ...]:
    """Theme index -> the indexes of its affine themes (catalogue.yaml `affinity`)."""
    themes = load_catalogue()
    index = {t.name: i for i, t in enumerate(themes)}
    unknown = sorted({a for t in themes for a in t.affinity if a not in index})
    if unknown:
        raise ValueError(f"catalogue affinity names unknown themes: {', '.join(unknown)}")
    return tuple(tuple(index[a] for a in t.affinity) for t in themes)


def basket(theme: Theme, n: int, rnd: Callable[[], float], on: Shelf | None = None) -> list[Product]:
    """n products for one row: distinct ones of its theme, some swapped for an affine theme's; from
    the shelf of products whose price is in bounds when there is one."""
    themes = load_catalogue()
    index = themes.index(theme) if theme in themes else -1
    prods = on.by_theme[index] if on is not None and index >= 0 else theme.products
    picked = sample(prods, n, rnd) if n <= len(prods) else [prods[int(rnd() * len(prods))] for _ in range(n)]
    near = affine()[index] if index >= 0 else ()
    if not near:
        return picked
    start = rnd()  # one offset per basket: two moved items of one affine theme are never the same product
    for j in range(1, n):
        if rnd() < MIX:
            a = near[int(rnd() * len(near))]
            other = on.by_theme[a] if on is not None else themes[a].products
            candidate = other[(int(start * len(other)) + j) % len(other)]
            if candidate not in picked:  # a borrowed shelf may hold it already: a basket lists it once
                picked[j] = candidate
    return picked


def mix_columns(
    gen: np.random.Generator, item_themes: np.ndarray, parents: np.ndarray, position: np.ndarray,
    products: np.ndarray, offsets: np.ndarray, sizes: np.ndarray, blocked: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """basket() for a block of items: items after a row's first move to an affine theme's product;
    never from or to a theme whose shelf is `blocked` (borrowed: its products may be in the basket)."""
    near = affine()
    width = max(1, max(len(a) for a in near))
    table = np.array([list(a) + [0] * (width - len(a)) for a in near], dtype=np.int64)
    counts = np.array([len(a) for a in near], dtype=np.int64)
    start = gen.random(int(parents.max(initial=-1)) + 1)[parents]  # one offset per row, as basket()
    u = gen.random((2, len(products)))
    move = (position > 0) & (u[0] < MIX) & (counts[item_themes] > 0)
    if not move.any():
        return products
    pick = np.minimum((u[1] * counts[item_themes]).astype(np.int64), np.maximum(counts[item_themes] - 1, 0))
    other = table[item_themes, pick]
    if blocked is not None:
        move &= ~blocked[item_themes] & ~blocked[other]
    size = sizes[other]
    chosen = offsets[other] + ((start * size).astype(np.int64) + position) % size
    return np.where(move, chosen, products)


@per_catalogue
def expensive_mask() -> np.ndarray:
    """Per catalogue product (flat, theme by theme): at or above EXPENSIVE."""
    return np.array([p.price >= EXPENSIVE for t in load_catalogue() for p in t.products], dtype=bool)


@dataclass(frozen=True)
class Shelf:
    """The products rows may hold when their price field is bounded (a high-value cart's items at
    $100 or more): the expensive products are chosen, a cheap one's price is never inflated. A theme
    with none in bounds borrows its affine themes' (else any theme's) products that are."""

    by_theme: tuple[tuple[Product, ...], ...]
    flat: np.ndarray  # shelf position -> catalogue product index (columns.Catalogue order)
    offsets: np.ndarray  # per theme: where its products start on the shelf
    sizes: np.ndarray  # per theme: how many
    borrowed: np.ndarray  # per theme: its shelf holds other themes' products (it has none in bounds)


@per_catalogue
def shelf(lo: float, hi: float, currency: str | None = None) -> Shelf:
    """The shelf for list prices in [lo, hi] (in `currency`'s price points: prices.py), in catalogue
    order, so the same in every process."""
    themes = load_catalogue()
    start = np.cumsum([0] + [len(t.products) for t in themes])
    local = pricer(currency)
    fits = [
        [start[i] + k for k, p in enumerate(t.products) if lo <= local(p.price) <= hi]
        for i, t in enumerate(themes)
    ]
    borrowed = np.array([not f for f in fits], dtype=bool)
    anything = [g for f in fits for g in f]
    if not anything:  # no product's price is in bounds: the price maker draws in them, as before
        fits = [list(range(start[i], start[i + 1])) for i in range(len(themes))]
    else:
        near = affine()
        fits = [f or [g for a in near[i] for g in fits[a]] or anything for i, f in enumerate(fits)]
    products = [p for t in themes for p in t.products]
    flat = np.array([g for f in fits for g in f], dtype=np.int64)
    sizes = np.array([len(f) for f in fits], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    borrowed &= bool(anything)
    return Shelf(tuple(tuple(products[g] for g in f) for f in fits), flat, offsets, sizes, borrowed)


def price_bounds(
    fields: list[FieldSpec], path: str, window: tuple[int, int]
) -> tuple[float, float, str | None] | None:
    """The bounds (and currency) of the `product.price` field among `fields`, or None when they
    exclude no product (the whole catalogue fits): what `shelf` takes."""
    for f in fields:
        if f.source == "product.price":
            ranged = make_ranged(f, f"{path}.{f.name}", window)
            lo, hi = ranged.lo / ranged.scale, ranged.hi / ranged.scale
            cheapest, dearest = _price_range(f.currency)
            return None if lo <= cheapest and dearest <= hi else (lo, hi, f.currency)
    return None


@per_catalogue
def _price_range(currency: str | None) -> tuple[float, float]:
    """The catalogue's lowest and highest list price in `currency` (read at every compile)."""
    local = pricer(currency)
    prices = [local(p.price) for t in load_catalogue() for p in t.products]
    return min(prices), max(prices)
