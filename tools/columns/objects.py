"""Plain rows made a block at a time: each field is one numpy draw over the block (a column).

The row maker (compiler.py) pays a few Python calls per value and the validator as many again, which
caps it at a fraction of a hand-written generator's speed. Plain rows are made here instead
(columns/runner.py decides which scenarios, and keeps the rows that pass):
- leaves are drawn as columns (columns/values.py); a field with no column maker is made by its own
  row maker in its place, one row at a time;
- order rules are drawn inside their bounds, a column at a time (columns/chains.py);
- derived values are computed per object by the row maker's own functions (derive.py);
- every block goes through the validator's own checks (columns/checks.py, columns/rules.py), and
  each object comes back with whether it passed.
Same request and seed, same bytes: one numpy generator per scenario, seeded from the job's generator.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from tools import pools
from tools.catalogue import load_catalogue, per_catalogue
from tools.chains import join
from tools.columns.chains import chain_column
from tools.columns.checks import FieldCheck
from tools.columns.lifecycle import lifecycle_columns
from tools.columns.rules import RuleCheck
from tools.columns.values import Block, Catalogue, Column, Unsupported, gate_mask, leaf_column
from tools.compiler import (
    ADDRESS_PARTS,
    catalogue_walk,
    child_maker,
    field_deps,
    generation_order,
    has_unique,
    item_bounds,
    natural_stride,
)
from tools.derive import derivations
from tools.errors import InvalidRequest
from tools.maker_kit import Env, RowCtx, count_weights, source_of
from tools.rulespec import ScopeRules, scope_rules
from tools.schema import FieldSpec, FieldType
from tools.world.addresses import PERSON_FIELDS, address_chooser
from tools.world.baskets import Shelf, mix_columns, price_bounds, shelf
from tools.world.id_years import record_time, stamp, year_fields

BLOCK = 1024  # rows per block, at most (columns.runner.block_rows)
VALUES_PER_BLOCK = 131_072  # values per block, about: bounds a block's memory for wide rows


@per_catalogue
def catalogue() -> Catalogue:
    return Catalogue()


class ObjectColumns:
    """One object scope (the row, a nested object, an array's item) compiled to columns, checks and
    derives. A field with no column maker is made by its row maker, row by row, in its place."""

    def __init__(self, spec: FieldSpec, path: str, env: Env, window: tuple[int, int]) -> None:
        unique_product = any(f.unique and (source_of(f) or "").startswith("product.") for f in spec.fields)
        # A product table: every catalogue product once, then again with a round number (compiler.py),
        # on the walk the row maker shares, so its rows and ours never repeat an id.
        self.walk = catalogue_walk(env, path, spec.fields) if unique_product else None
        rules = scope_rules(spec, path)
        derived = {r.target for r in rules.derives}
        deps = field_deps(spec, rules)
        self.window, self.year = window, env.year
        self.names = [f.name for f in spec.fields]
        self.checks: list[FieldCheck] = [
            FieldCheck(f, window, env.year) for f in spec.fields if f.name in derived
        ]
        # A lifecycle's fields (an order's status and times) are one story a row: one step, placed
        # where the first of them comes (after the fields it reads).
        told = lifecycle_columns(spec, env)
        story_fields = set(told[0]) if told else set()
        self.steps = []
        for name in generation_order(spec, rules):
            if name in derived or (name in story_fields and told is None):
                continue
            if name in story_fields:
                assert told is not None
                self.steps.append((told[0][0], told[1]))
                self.checks.extend(
                    FieldCheck(f, window, env.year) for f in spec.fields if f.name in story_fields
                )
                told = None
                continue
            self.steps.append((name, self._column(spec, name, join(path, name), env, rules, deps[name])))
        self.uses_product = any((source_of(f) or "").startswith("product.") for f in spec.fields)
        bounds = price_bounds(spec.fields, path, window) if self.uses_product else None
        self.shelf = shelf(*bounds) if bounds else None
        self.address = _address_parts(spec, env) if spec.source == "address" else None
        self.build = _builder(tuple(self.names)) if self.names else None
        self.derives = derivations(spec, path)
        self.rules = RuleCheck(spec, window)
        self.when = record_time(spec) or ""  # ids carry their record's year (tools/world/id_years.py)
        self.stamped = year_fields(spec, set()) if self.when else []

    def _column(
        self, scope: FieldSpec, name: str, path: str, env: Env, rules: ScopeRules, reads: set[str]
    ) -> Column:
        spec = scope.child(name)
        assert spec is not None
        if name in rules.chain_members:
            self.checks.append(FieldCheck(spec, self.window, self.year))
            return chain_column(scope, spec, path, env, rules)  # its null-ness and gate included
        column: Column
        try:
            if spec.type is FieldType.ARRAY:
                column = ArrayColumn(spec, path, env, self.window).make  # checks its items itself
            elif spec.type is FieldType.OBJECT:
                column = NestedColumn(spec, path, env, self.window).make
            else:
                column = leaf_column(spec, path, env, catalogue())
                self.checks.append(FieldCheck(spec, self.window, self.year))
        except Unsupported:
            column = row_made(spec, path, env, reads)
            self.checks.append(FieldCheck(spec, self.window, self.year))
        gate = rules.present_if.get(name)
        null_rate = spec.null_rate if spec.is_nullable and gate is None else 0.0
        if gate is None and not null_rate:
            return column

        def gated(b: Block) -> list[Any]:
            # As compiler._field_step: the condition first, then chance; an absent field is not made,
            # so it spends no unique id and cannot fail a check.
            present = gate_mask(b, gate) if gate is not None else np.ones(b.n, dtype=bool)
            if null_rate:
                present &= ~(b.gen.random(b.n) < null_rate)
            rows = np.flatnonzero(present)
            values: list[Any] = [None] * b.n
            if len(rows):
                part = b.subset(rows, reads)
                for i, v in zip(rows.tolist(), column(part), strict=True):
                    values[i] = v
                if part.bad is not None and part.bad.any():
                    b.mark_bad(np.isin(np.arange(b.n), rows[part.bad]))
            return values

        return gated

    def make(self, b: Block) -> tuple[list[dict[str, Any]], np.ndarray]:
        """The block's objects, in schema key order, and which of them failed a check."""
        if self.walk is not None:
            assert b.slots is not None, "a block with unique values carries its slots"
            steps = [self.walk(slot) for slot in b.slots.tolist()]
            b.products = np.array([catalogue().index[p.id] for p, _ in steps], dtype=np.int64)
            b.rounds = [turn for _, turn in steps]
        elif self.uses_product and b.products is None:  # one product per object, from its theme
            on = self.shelf
            if on is None:
                b.products = catalogue().pick(b.gen, b.themes)
            else:  # a bounded price: from the products it allows (compiler.compile_object)
                local = (b.gen.random(b.n) * on.sizes[b.themes]).astype(np.int64)
                b.products = on.flat[on.offsets[b.themes] + local]
        for name, column in self.steps:
            b.cols[name] = column(b)
        for name, starts in self.stamped:
            times = b.cols[self.when]
            b.cols[name] = [stamp(v, t, starts) for v, t in zip(b.cols[name], times, strict=True)]
        if self.address is not None:
            self.address(b)
        empty = [None] * b.n
        # An object with no fields (a client's bare `{"type": "object"}`) is {} in every row.
        objs = self.build([b.cols.get(n, empty) for n in self.names]) if self.build else [{} for _ in empty]
        for derive in self.derives:
            derive.fill(objs)
            b.cols[derive.target] = [obj[derive.target] for obj in objs]
        bad = np.zeros(b.n, dtype=bool) if b.bad is None else b.bad.copy()
        for check in self.checks:
            check.mark(b.cols[check.name], bad)
        self.rules.mark(objs, b, bad)
        return objs, bad


def _address_parts(spec: FieldSpec, env: Env) -> Callable[[Block], None]:
    """An object with `source: address` (compiler._address_filler): its street, city, state, zip and
    country fields all come from one address, the person's own where the row names one."""
    parts = [(f.name, ADDRESS_PARTS[f.name]) for f in spec.fields if f.name in ADDRESS_PARTS]
    choose = address_chooser(spec.name, env.locale, env.seed_key)
    if choose is None:
        table = pools.pool(env.locale, "address")
        choose = lambda person, u: table[int(u * len(table))]  # noqa: E731

    def fill(b: Block) -> None:
        people = _people(b.parent, b.n)
        picked = [choose(p, u) for p, u in zip(people, b.gen.random(b.n).tolist(), strict=True)]
        for name, i in parts:
            b.cols[name] = [a[i] for a in picked]

    return fill


def _people(cols: dict[str, list[Any]] | None, n: int) -> list[Any]:
    for name in PERSON_FIELDS:
        if cols and name in cols:
            return cols[name]
    return [None] * n


class NestedColumn:
    """An object field made as its own block of objects, one per row."""

    def __init__(self, spec: FieldSpec, path: str, env: Env, window: tuple[int, int]) -> None:
        self.inner = ObjectColumns(spec, path, env, window)

    def make(self, b: Block) -> list[Any]:
        objs, bad = self.inner.make(Block(b.gen, b.n, b.themes, slots=b.slots, parent=b.cols))
        if bad.any():
            b.mark_bad(bad)
        return objs


def row_made(spec: FieldSpec, path: str, env: Env, reads: set[str]) -> Column:
    """A field made by its row maker (compiler.py), one row at a time, with the row's theme, product
    and the fields it reads: for the kinds columns/values.py does not draw as columns."""
    make = child_maker(spec, path, env, {})
    themes = load_catalogue()
    products = catalogue().products
    needs_product = (source_of(spec) or "").startswith("product.")

    def column(b: Block) -> list[Any]:
        if needs_product and b.products is None:
            b.products = catalogue().pick(b.gen, b.themes)
        picked = b.products.tolist() if b.products is not None else None
        inputs = [(name, b.cols[name]) for name in reads if name in b.cols]
        out = []
        rounds = b.rounds
        slots = b.slots.tolist() if b.slots is not None else [0] * b.n
        for i, t in enumerate(b.themes.tolist()):
            ctx = RowCtx(themes[t], None, slots[i])
            if picked is not None:
                ctx.product = products[picked[i]]
            if rounds is not None:
                ctx.product_round = rounds[i]  # a unique product id's suffix past the catalogue's end
            out.append(make({name: values[i] for name, values in inputs}, ctx))
        return out

    return column


@lru_cache(maxsize=512)
def _builder(names: tuple[str, ...]) -> Callable[[list[list[Any]]], list[dict[str, Any]]]:
    """columns -> objects, as generated code (like dataclasses' __init__): a dict display with the
    keys as literals builds objects 3-4x faster than dict(zip(names, values)). Keys go in through
    repr(), values by position, so a field name is never code."""
    slots = [f"_{i}" for i in range(len(names))]
    display = ", ".join(f"{name!r}: {slot}" for name, slot in zip(names, slots, strict=True))
    source = f"lambda columns: [{{{display}}} for {', '.join(slots)}, in zip(*columns)]"
    return eval(compile(source, "<columns>", "eval"), {"__builtins__": {"zip": zip}})  # type: ignore[no-any-return]


class ArrayColumn:
    """An array: item counts per row, the items made as one block and cut back into rows. Items that
    hold products get distinct catalogue products per row, and arrays of codes distinct codes, as in
    compiler._array_maker."""

    def __init__(self, spec: FieldSpec, path: str, env: Env, window: tuple[int, int]) -> None:
        item = spec.items or FieldSpec(name="items[]", type=FieldType.STRING)
        if spec.pools_by is not None:
            raise Unsupported(path)
        self.name = spec.name
        self.lo, self.hi = item_bounds(spec, path)
        self.explicit = (spec.min_items is not None, spec.max_items is not None)
        weights = count_weights(spec, self.lo, self.hi)
        self.count_cum = np.cumsum(weights) if weights else None
        item_path = self.item_path = f"{path}[]"
        self.objects = item.type is FieldType.OBJECT or bool(item.fields)
        if self.objects:
            self.items = ObjectColumns(item, item_path, env, window)
            fields = item.fields
        else:
            if item.unique and (source_of(item) or "").startswith("product."):
                raise Unsupported(item_path)  # unique products walk the catalogue per object, not per item
            self.leaf = leaf_column(item, item_path, env, catalogue())
            self.check = FieldCheck(item, window, env.year)
            fields = [item]
        self.uses_product = any((source_of(f) or "").startswith("product.") for f in fields)
        bounds = price_bounds(list(fields), item_path, window) if self.uses_product else None
        self.shelf = shelf(*bounds) if bounds else None  # as compiler._array_maker
        self.distinct = is_code_array(item)
        # Items with unique values read them at their own slots, as compiler._Slots gives them.
        self.stride = env.stride(item_path, natural_stride(spec, path)) if has_unique(item) else 0

    def make(self, b: Block) -> list[Any]:
        if self.count_cum is not None:  # compiler._array_maker's weighted count, as maker_kit.chooser
            u = b.gen.random(b.n) * self.count_cum[-1]
            picked = np.searchsorted(self.count_cum, u, side="right")
            counts = self.lo + np.minimum(picked, len(self.count_cum) - 1)
        else:
            counts = self.lo + (b.gen.random(b.n) * (self.hi - self.lo + 1)).astype(np.int64)
        drawn = counts * 4 if self.distinct else counts  # room to skip repeated codes
        parents = np.repeat(np.arange(b.n), drawn)
        inner = Block(b.gen, len(parents), b.themes[parents])
        if self.stride and b.slots is not None:
            if len(b.slots) and int(b.slots.max()) >= 2**62 // self.stride:  # int64 would wrap: ids repeat
                raise InvalidRequest(
                    self.item_path, "too many rows for unique values this deep", "ask for fewer rows"
                )
            position = np.arange(len(parents)) - np.repeat(np.cumsum(drawn) - drawn, drawn)
            inner.slots = b.slots[parents] * self.stride + position
        if self.uses_product:
            inner.products = _distinct_products(b.gen, b.themes, drawn, parents, self.shelf)
        bad = (self.explicit[0] & (counts < self.lo)) | (self.explicit[1] & (counts > self.hi))
        if self.objects:
            items, bad_items = self.items.make(inner)
            b.arrays[self.name] = (inner, parents)
            bad[parents[bad_items]] = True
        else:
            items = self.leaf(inner)
        ends = np.cumsum(drawn).tolist()
        starts = [0, *ends[:-1]]
        if self.distinct:
            rows = [
                _first_distinct(items[s:e], k, self.lo)
                for s, e, k in zip(starts, ends, counts.tolist(), strict=True)
            ]
        else:
            rows = [items[s:e] for s, e in zip(starts, ends, strict=True)]
        if not self.objects:  # the values kept, not every candidate drawn for distinct codes
            kept = [v for r in rows for v in r]
            bad_kept = np.zeros(len(kept), dtype=bool)
            self.check.mark(kept, bad_kept)
            bad[np.repeat(np.arange(b.n), [len(r) for r in rows])[bad_kept]] = True
        if bad.any():
            b.mark_bad(bad)
        return rows


def is_code_array(item: FieldSpec) -> bool:
    """Items drawn from a fixed set (risk signals, tags): each value once a row (compiler._array_maker);
    four candidates are drawn per item to find them."""
    return not item.fields and bool(item.values or item.pool)


def _first_distinct(values: list[Any], k: int, least: int) -> list[Any]:
    """The first k distinct values; short of `least`, padded with repeats as the row maker does."""
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
            if len(out) == k:
                return out
    return out + values[: max(0, least - len(out))]


def _distinct_products(
    gen: np.random.Generator,
    themes: np.ndarray,
    counts: np.ndarray,
    parents: np.ndarray,
    on: Shelf | None = None,
) -> np.ndarray:
    """Each row's products, distinct while the theme has enough (a cart lists a product once), from
    the shelf of products a bounded price allows when there is one (compiler._array_maker)."""
    cat = catalogue()
    offsets, all_sizes = (on.offsets, on.sizes) if on is not None else (cat.offsets, cat.sizes)
    sizes = all_sizes[themes]
    keys = gen.random((len(themes), int(all_sizes.max())))
    keys[np.arange(keys.shape[1]) >= sizes[:, None]] = np.inf  # past the row's theme
    k = min(int(counts.max(initial=1)), keys.shape[1])
    if k < keys.shape[1]:  # only each row's first k of its random order are read: sort just those
        part = np.argpartition(keys, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(part, np.argsort(np.take_along_axis(keys, part, 1), 1, kind="stable"), 1)
    else:
        order = np.argsort(keys, axis=1, kind="stable")
    position = np.arange(len(parents)) - np.repeat(np.cumsum(counts) - counts, counts)
    local = order[parents, np.minimum(position, order.shape[1] - 1)]
    repeat = position >= sizes[parents]  # more items than the theme has products: draw with repeats
    if repeat.any():
        local = np.where(repeat, (gen.random(len(parents)) * sizes[parents]).astype(np.int64), local)
    products = np.asarray(offsets[themes[parents]] + local, dtype=np.int64)
    blocked = on.borrowed if on is not None else None
    mixed = mix_columns(gen, themes[parents], parents, position, products, offsets, all_sizes, blocked)
    return on.flat[mixed] if on is not None else mixed
