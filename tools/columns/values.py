"""Leaf columns: one field's values for a whole block of rows, drawn with numpy (see columns/objects.py).

Each mirrors a row maker (values.py, values_ranged.py, values_text.py, chains.py) for the plain
cases; a field with anything more (uniqueness by suffix, length fitting, values that follow another
field, strftime formats, ...) raises Unsupported and its schema stays on the row maker.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from tools import pools
from tools.catalogue import load_catalogue
from tools.maker_kit import Env, source_of
from tools.patterns import ALPHABETS, UniqueIds, parse_template
from tools.ranged import Ranged, typical_raw
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, FieldSpec, FieldType
from tools.values import enum_choices
from tools.values_ranged import ranged_of
from tools.world.baskets import expensive_mask
from tools.world.money import checked_rate_field, rate_bounds
from tools.world.parcels import SOURCES as PARCEL_SOURCES
from tools.world.prices import pricer
from tools.world.tax_columns import tax_rate_column
from tools.world.text.column import grammar_column
from tools.world.timeline import draw_many, utc_offset

# numpy formats years 1..9999 as four digits, like date.isoformat; outside that, rows stay row-made.
_FIRST_SECOND, _LAST_SECOND = -62135596800, 253402300799
_PRODUCT_ATTRS = ("id", "sku", "name", "category", "brand", "description")


class Unsupported(Exception):
    """This field needs the row maker (tools/compiler.py)."""


@dataclass
class Block:
    """What the columns of one object scope share while a block of n rows is made."""

    gen: np.random.Generator
    n: int
    themes: np.ndarray  # catalogue theme index per row
    products: np.ndarray | None = None  # catalogue product index per row (array items), if drawn
    rounds: list[int] | None = None  # times the catalogue walk came round, per row (unique products)
    # Each object's slot (tools/seeds.py; maker_kit.RowCtx.slot): where unique values are read.
    # Set where anything below holds unique values (columns/runner.py, columns.ArrayColumn).
    slots: np.ndarray | None = None
    raw: dict[str, np.ndarray] = field(default_factory=dict)  # order-rule members' raw values
    cols: dict[str, list[Any]] = field(default_factory=dict)  # values made so far, by field
    bad: np.ndarray | None = None  # rows that cannot hold (no room in an order rule, a bad item): dropped
    # array field -> (its items' block, each item's row): what rule checks read sums over
    arrays: dict[str, tuple[Block, np.ndarray]] = field(default_factory=dict)
    # A nested object's block: the columns of the object it sits in (an address reads the person)
    parent: dict[str, list[Any]] | None = None

    def mark_bad(self, mask: np.ndarray) -> None:
        self.bad = mask if self.bad is None else (self.bad | mask)

    def subset(self, rows: np.ndarray, reads: set[str]) -> Block:
        """The block cut to some of its rows (those a gated field is present in), with the columns
        the field reads."""
        part = Block(self.gen, len(rows), self.themes[rows])
        part.products = self.products[rows] if self.products is not None else None
        part.rounds = [self.rounds[i] for i in rows.tolist()] if self.rounds is not None else None
        part.slots = self.slots[rows] if self.slots is not None else None
        picked = rows.tolist()
        part.cols = {name: [self.cols[name][i] for i in picked] for name in reads if name in self.cols}
        return part


Column = Callable[[Block], list[Any]]


def gate_mask(b: Block, gate: tuple[str, frozenset[Any]]) -> np.ndarray:
    """Rows whose present_if condition holds. A condition field not made yet (a derived one) reads
    as None, as it does in the row maker's half-filled object."""
    when, allowed = gate
    conditions = b.cols.get(when)
    if conditions is None:
        return np.full(b.n, None in allowed, dtype=bool)
    return np.fromiter((c in allowed for c in conditions), dtype=bool, count=b.n)


class Catalogue:
    """The catalogue as flat arrays: product k of theme t is products[offsets[t] + k]."""

    def __init__(self) -> None:
        themes = load_catalogue()
        self.products = [p for t in themes for p in t.products]
        self.sizes = np.array([len(t.products) for t in themes], dtype=np.int64)
        self.offsets = np.concatenate(([0], np.cumsum(self.sizes)[:-1])).astype(np.int64)
        self.index = {p.id: i for i, p in enumerate(self.products)}
        self.attrs: dict[str, np.ndarray] = {}
        if not self.sizes.all():
            raise Unsupported("a catalogue theme without products")

    def pick(self, gen: np.random.Generator, themes: np.ndarray) -> np.ndarray:
        """One product per row from the row's theme."""
        sizes = self.sizes[themes]
        return self.offsets[themes] + (gen.random(len(themes)) * sizes).astype(np.int64)

    def attr(self, name: str) -> np.ndarray:
        """An attribute of every product (made once per process: the catalogue never changes)."""
        table = self.attrs.get(name)
        if table is None:
            table = self.attrs[name] = np.array([getattr(p, name) for p in self.products], dtype=object)
        return table


def choice_column(values: Sequence[Any], weights: Sequence[float] | None) -> Column:
    """Weighted choice, as maker_kit.chooser: the first value whose cumulative weight passes u * total."""
    table = np.empty(len(values), dtype=object)
    table[:] = list(values)
    n = len(values)
    cum = np.array(list(itertools.accumulate(float(w) for w in weights)) if weights else [])
    total = float(cum[-1]) if len(cum) else 0.0

    def make(b: Block) -> list[Any]:
        u = b.gen.random(b.n)
        if total <= 0:
            idx = (u * n).astype(np.int64)
        else:
            idx = np.minimum(np.searchsorted(cum, u * total, side="right"), n - 1)
        return table[idx].tolist()  # type: ignore[no-any-return]

    return make


def leaf_column(spec: FieldSpec, path: str, env: Env, catalogue: Catalogue) -> Column:
    """The column maker of a leaf field, in values.make_leaf's order of kinds; Unsupported for the rest."""
    source = source_of(spec) or ""
    if (grammar := grammar_column(spec, path, env, catalogue.products)) is not None:
        return grammar  # text grammars (tools/world/text): row by row, given the key field from the block
    if spec.type in (FieldType.ARRAY, FieldType.OBJECT) or spec.pools_by is not None or spec.typical_by:
        raise Unsupported(path)
    if source in PARCEL_SOURCES:  # a carrier's number follows the row's carrier: made row by row
        raise Unsupported(path)
    if spec.unique and source.startswith("product.") and spec.type not in NUMERIC_TYPES:
        return _walked_product_column(spec, path, env, catalogue)
    if spec.unique and spec.type is not FieldType.PATTERN:
        raise Unsupported(path)
    if spec.values:
        return choice_column(*enum_choices(spec))
    if source == "tax_rate":
        return tax_rate_column(env.locale, *rate_bounds(checked_rate_field(spec, path)))
    if source == "product.quantity":
        return _basket_quantity_column(spec, path, env, catalogue)
    if spec.type in NUMERIC_TYPES or spec.type in TEMPORAL_TYPES:
        return _ranged_column(spec, path, env, catalogue)
    if spec.type is FieldType.BOOLEAN:
        if spec.pool:
            return choice_column([bool(v) for v in spec.pool], spec.pool_weights)
        return lambda b: (b.gen.random(b.n) < 0.5).tolist()  # type: ignore[no-any-return]
    if spec.type in (FieldType.ADDRESS, FieldType.UUID):
        raise Unsupported(path)
    if spec.type is FieldType.PATTERN or (spec.format and "{" in spec.format):
        return _pattern_column(spec, path, env)
    if spec.regex or spec.min_length is not None or spec.max_length is not None:
        raise Unsupported(path)
    return _text_column(spec, path, env, catalogue)


def _text_column(spec: FieldSpec, path: str, env: Env, catalogue: Catalogue) -> Column:
    source = source_of(spec)
    if spec.pool:
        return choice_column(spec.pool, spec.pool_weights)
    if source and source.startswith("product."):
        attr = source[len("product.") :]
        if attr not in _PRODUCT_ATTRS:
            raise Unsupported(path)
        table = catalogue.attr(attr)
        return lambda b: table[_products(b, catalogue)].tolist()  # type: ignore[no-any-return]
    if source == "currency_code":
        return choice_column(pools.CURRENCIES, pools.CURRENCY_WEIGHTS)
    if source == "language":
        return choice_column(pools.LANGUAGES, None)
    if source == "email" or (source and not pools.known_source(source)):
        raise Unsupported(path)
    kind = source or ("ipv6" if spec.format == "ipv6" else "ipv4" if spec.type is FieldType.IP else "word")
    return choice_column(pools.pool(env.locale, kind), None)


def _walked_product_column(spec: FieldSpec, path: str, env: Env, catalogue: Catalogue) -> Column:
    """A unique product attribute (values_text._with_round): the product's own value on the walk's
    first round, then with the round appended (`PRD-123456-1`), so ids stay unique past the catalogue."""
    if spec.min_length is not None or spec.max_length is not None or spec.pool or spec.values:
        raise Unsupported(path)
    plain = _text_column(spec.model_copy(update={"unique": False}), path, env, catalogue)

    def make(b: Block) -> list[Any]:
        assert b.rounds is not None  # set by the object that walks the catalogue (columns/objects.py)
        return [f"{v}-{r}" if r else v for v, r in zip(plain(b), b.rounds, strict=True)]

    return make


def _products(b: Block, catalogue: Catalogue) -> np.ndarray:
    if b.products is None:
        b.products = catalogue.pick(b.gen, b.themes)  # an object with a product outside an array
    return b.products


def fits_int64(ranged: Ranged) -> bool:
    """Raw bounds numpy can draw in without overflow (a float with precision 10 up to 1e9 cannot)."""
    return ranged.lo >= -(2**53) and ranged.hi <= 2**53


def _basket_quantity_column(spec: FieldSpec, path: str, env: Env, catalogue: Catalogue) -> Column:
    """values._basket_quantity for every item: one unit of an expensive product."""
    base = _ranged_column(spec.model_copy(update={"source": None}), path, env, catalogue)
    ranged = ranged_of(spec, path, env)
    if not ranged.lo <= ranged.scale <= ranged.hi:
        return base
    one, expensive = ranged.out(ranged.scale), expensive_mask()

    def make(b: Block) -> list[Any]:
        values = base(b)
        flags = expensive[_products(b, catalogue)].tolist()
        return [one if e else v for v, e in zip(values, flags, strict=True)]

    return make


def _ranged_column(spec: FieldSpec, path: str, env: Env, catalogue: Catalogue) -> Column:
    ranged = ranged_of(spec, path, env)
    if spec.unique or ranged.strftime or not fits_int64(ranged):
        raise Unsupported(path)
    out = writer(ranged, path)
    if spec.pool:
        raws = [ranged.raw_of(v) for v in spec.pool]
        ok = [(r, w) for r, w in zip(raws, spec.pool_weights or [1.0] * len(raws), strict=False)]
        ok = [(r, w) for r, w in ok if ranged.lo <= r <= ranged.hi]
        if ok:
            pick = choice_column([ranged.out(r) for r, _ in ok], [w for _, w in ok])
            return pick
    if spec.source == "product.price":
        return _product_price_column(ranged, catalogue, out, spec.currency)

    if spec.time_profile and spec.type is FieldType.DATETIME and not ranged.shape:  # as ranged_maker
        kind, offset = env.shape(spec.time_profile), utc_offset(env.locale)

        def make_timed(b: Block) -> list[Any]:
            n = b.n
            return out(draw_many(kind, np.full(n, ranged.lo), np.full(n, ranged.hi), offset, b.gen))

        return make_timed

    def make(b: Block) -> list[Any]:
        n = b.n
        return out(draw(ranged, b.gen, np.full(n, ranged.lo), np.full(n, ranged.hi)))

    return make


def draw(ranged: Ranged, gen: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Ranged.draw for every row: uniform in [lo, hi], or log-uniform for amounts over decades."""
    u = gen.random(len(lo))
    raw = lo + (u * (hi - lo + 1).astype(np.float64)).astype(np.int64)
    if ranged.shape is not None:  # a plan's normal or histogram (tools/shapes.py), row by row
        shape, v = ranged.shape, gen.random(len(lo)).tolist()
        shaped = [
            shape.raw(x, y, a, b) for x, y, a, b in zip(u.tolist(), v, lo.tolist(), hi.tolist(), strict=True)
        ]
        return np.array([r if s is None else s for s, r in zip(shaped, raw.tolist(), strict=True)])
    if ranged.typical is not None:  # Ranged.draw's log-normal, row by row (NormalDist has no vector form)
        dist = ranged.typical
        made = [
            typical_raw(dist, x, max(a, 1), b) if b > 0 else None
            for x, a, b in zip(u.tolist(), lo.tolist(), hi.tolist(), strict=True)
        ]
        if all(m is not None for m in made):
            return np.array(made, dtype=np.int64)
        fallback = draw(replace(ranged, typical=None), gen, lo, hi)  # bounds deep in a tail
        return np.array([f if m is None else m for m, f in zip(made, fallback.tolist(), strict=True)])
    if ranged.log_scale:
        logged = (lo > 0) & (hi > 50 * lo)
        if logged.any():
            llo = np.log(np.where(logged, lo, 1).astype(np.float64))
            lhi = np.log((np.where(logged, hi, 1) + 1).astype(np.float64))
            spread = np.exp(llo + u * (lhi - llo)).astype(np.int64)
            raw = np.where(logged, np.minimum(hi, np.maximum(lo, spread)), raw)
    return raw


def writer(ranged: Ranged, path: str) -> Callable[[np.ndarray], list[Any]]:
    """Ranged.out for a whole column of raw values."""
    t = ranged.ftype
    if t is FieldType.INTEGER:
        return lambda raw: raw.tolist()  # type: ignore[no-any-return]
    if t is FieldType.DATETIME or t is FieldType.DATE:
        unit = 1 if t is FieldType.DATETIME else 86400
        if ranged.lo * unit < _FIRST_SECOND or ranged.hi * unit > _LAST_SECOND:
            raise Unsupported(path)
        if t is FieldType.DATE:
            return lambda raw: np.datetime_as_string(raw.astype("datetime64[D]")).tolist()  # type: ignore[no-any-return]
        return lambda raw: np.char.add(  # type: ignore[no-any-return]
            np.datetime_as_string(raw.astype("datetime64[s]"), unit="s"), "Z"
        ).tolist()
    scale = float(ranged.scale)
    return lambda raw: (raw / scale).tolist()  # type: ignore[no-any-return]


def _product_price_column(
    ranged: Ranged, catalogue: Catalogue, out: Callable[..., list[Any]], currency: str | None
) -> Column:
    """values_ranged._product_price_maker for every row: inside the product's price range, and
    mostly ending in .99 or .49."""
    scale = ranged.scale
    # np.rint rounds halves to even, as round() does: the same bounds as the row maker's.
    local = pricer(currency)  # yen price points for a yen schema (tools/world/prices.py)
    low_prices = np.array([local(float(v)) for v in catalogue.attr("price_low")], dtype=np.float64)
    high_prices = np.array([local(float(v)) for v in catalogue.attr("price_high")], dtype=np.float64)
    lows = np.maximum(ranged.lo, np.rint(low_prices * scale))
    highs = np.minimum(ranged.hi, np.rint(high_prices * scale))
    lows, highs = lows.astype(np.int64), highs.astype(np.int64)
    empty = lows > highs
    lows[empty], highs[empty] = ranged.lo, ranged.hi

    def make(b: Block) -> list[Any]:
        prods = _products(b, catalogue)
        lo, hi = lows[prods], highs[prods]
        raw = lo + (b.gen.random(b.n) * (hi - lo + 1)).astype(np.int64)
        if scale == 100:
            snap = b.gen.random(b.n) < 0.7
            ending = np.where(b.gen.random(b.n) < 0.8, 99, 49)
            snapped = raw - raw % 100 + ending
            raw = np.where(snap & (lo <= snapped) & (snapped <= hi), snapped, raw)
        return out(raw)

    return make


def _pattern_column(spec: FieldSpec, path: str, env: Env) -> Column:
    """Ids from a template (`CRT-{year}-{alnum:7}`), written as a block of ASCII bytes."""
    tpl = parse_template(spec.format or "", env.year, path)
    if not all(p.isascii() for p in tpl.parts if isinstance(p, str)):
        raise Unsupported(path)
    width = tpl.length
    if spec.unique:
        ids = env.unique_counters.get(f"{path}|{spec.format}")
        if not isinstance(ids, UniqueIds) or ids.space > 2**63:
            raise Unsupported(path)

        def make_unique(b: Block) -> list[Any]:
            assert b.slots is not None, "a block with unique values carries its slots"
            return unique_texts(ids, b.slots)

        return make_unique
    slots = [p if isinstance(p, str) else ALPHABETS[p[0]] for p in tpl.parts]
    lengths = [len(p) if isinstance(p, str) else p[1] for p in tpl.parts]

    def make(b: Block) -> list[Any]:
        chars = np.empty((b.n, width), dtype=np.uint8)
        at = 0
        for part, size, slot in zip(tpl.parts, lengths, slots, strict=True):
            codes = np.frombuffer(slot.encode("ascii"), dtype=np.uint8)
            if isinstance(part, str):
                chars[:, at : at + size] = codes
            else:
                chars[:, at : at + size] = codes[b.gen.integers(0, len(codes), size=(b.n, size))]
            at += size
        return _text(chars, width)

    return make


def unique_texts(ids: UniqueIds, slots: np.ndarray) -> list[str]:
    """The ids of a unique template at these slots, as `ids.at` writes them."""
    return _text(_unique_chars(ids, ids.many(slots)), ids.tpl.length)


def _unique_chars(ids: UniqueIds, values: np.ndarray) -> np.ndarray:
    """The characters UniqueIds.at writes for each permuted counter value, as a byte matrix."""
    n = len(values)
    chars = np.empty((n, ids.tpl.length), dtype=np.uint8)
    v = values.copy()
    at, i = 0, 0
    for seg in ids.segs:
        if isinstance(seg, str):
            chars[:, at : at + len(seg)] = np.frombuffer(seg.encode("ascii"), dtype=np.uint8)
            at += len(seg)
            continue
        alphabet, length, _ = seg
        size = np.uint64(ids.sizes[i])
        part = v % size
        v //= size
        i += 1
        codes = np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)
        k = np.uint64(len(alphabet))
        digits = np.empty((n, length), dtype=np.uint8)
        for j in range(length):  # least significant first
            digits[:, j] = codes[(part % k).astype(np.int64)]
            part //= k
        # Digits and hex are written as numbers (most significant first); other alphabets as drawn.
        numeric = alphabet in (ALPHABETS["digits"], ALPHABETS["hex"])
        chars[:, at : at + length] = digits[:, ::-1] if numeric else digits
        at += length
    return chars


def _text(chars: np.ndarray, width: int) -> list[str]:
    text = chars.tobytes().decode("ascii")
    return [text[i : i + width] for i in range(0, len(text), width)]
