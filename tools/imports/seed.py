"""An imported schema seeded: tables in insertion order (graph.py), each table's own columns from the
engine (entities.py), foreign keys drawn from the parents' keys, keys the database numbers (identity,
serial) taken from its own sequences, deferred keys (cycles, self-references) set by UPDATE at the
end. The caller runs it in one transaction: all or nothing.
"""

from __future__ import annotations

import random
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.engine import Job, Scenario, generate
from tools.errors import DataError, InvalidRequest
from tools.imports.entities import NULL_SHARE, field_name, made_here, to_entity
from tools.imports.graph import Order, insertion_order
from tools.imports.model import ForeignKey, Imported, Note, Table
from tools.imports.targets import Target
from tools.seeds import key_of
from tools.temporal import REFERENCE_SECONDS

ROOT_ROWS = 100  # a table with no parent and no --rows
CHILDREN_PER_PARENT = 2  # a child table with no --rows: this many rows per row of its largest parent
_DB_NUMBERED = ("identity", "serial")

Key = tuple[Any, ...]


@dataclass
class Seeded:
    counts: dict[str, int] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)  # tables whose existing rows were referenced
    notes: list[Note] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


class KeyList:
    """A table's keys, column by column: whole numbers in 8-byte arrays (a list of tuples took ~110
    bytes a key, most of a seed's memory), anything else as objects."""

    def __init__(self, width: int, keys: Iterable[Key] = ()) -> None:
        self.cols: list[Any] = [array("q") for _ in range(width)]
        self.n = 0
        for k in keys:
            self.append(k)

    def append(self, key: Key) -> None:
        for i, v in enumerate(key):
            col = self.cols[i]
            if isinstance(col, array):
                if type(v) is int and -(2**63) <= v < 2**63:
                    col.append(v)
                    continue
                col = self.cols[i] = list(col)
            col.append(v)
        self.n += 1

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Key:
        return tuple(col[i] for col in self.cols)


@dataclass
class _Made:
    """What later tables and the final UPDATEs need of a table: its keys, by referenced columns."""

    keys: dict[tuple[str, ...], KeyList] = field(default_factory=dict)


def seed(
    target: Target,
    imported: Imported,
    rows: dict[str, int],
    *,
    seed_value: int = 1,
    truncate: bool = False,
    sources: dict[str, str] | None = None,
    reuse: frozenset[str] = frozenset(),
    progress: Callable[[str], None] = lambda _: None,
    locale: str = "en_US",
    as_of: int = REFERENCE_SECONDS,
) -> Seeded:
    """Every table that can be made, in order, into `target` (a database, or a script of it). Tables
    in `reuse` are not written: their existing rows' keys are read, so children point at them."""
    started = time.perf_counter()
    out = Seeded(notes=list(imported.notes))
    columns = {f"{t.name}.{c.name}" for t in imported.tables.values() for c in t.columns}
    stray = sorted(set(sources or {}) - columns)
    if stray:
        raise InvalidRequest(
            "--sources", f"names columns the schema lacks: {stray[:10]}", "key it table.column"
        )
    unknown = sorted(set(rows) - set(imported.tables))
    if unknown:
        raise InvalidRequest(
            "--rows", f"names tables the schema lacks: {unknown}", f"use {sorted(imported.tables)}"
        )
    stale = sorted(reuse - set(imported.tables))
    if stale:
        raise InvalidRequest(
            "--reuse", f"names tables the schema lacks: {stale}", f"use {sorted(imported.tables)}"
        )
    order = insertion_order(imported, out.notes)
    wanted = _referenced(imported, order)
    if truncate:
        target.truncate([t for t in order.tables if t not in reuse])
    made: dict[str, _Made] = {}
    sizes: dict[str, int] = {}  # rows each table has for its children's counts: made, or reused
    for name in order.tables:
        table = imported.tables[name]
        if name in reuse:
            try:
                made[name] = _Made(
                    {
                        cols: KeyList(len(cols), target.keys(name, list(cols)))
                        for cols in wanted.get(name, set())
                    }
                )
            except LookupError as exc:
                raise InvalidRequest("--reuse", str(exc), "seed against the database itself") from None
            sizes[name] = out.reused[name] = max((len(k) for k in made[name].keys.values()), default=0)
            progress(f"{name}: {sizes[name]:,} existing rows reused")
            continue
        n = _count(imported, order, name, rows, sizes)
        try:
            made[name], out.counts[name] = _table(
                target,
                table,
                n,
                order,
                made,
                wanted.get(name, set()),
                seed_value,
                truncate,
                out.notes,
                sources,
                (locale, as_of),
            )
        except _Refused as exc:
            out.notes.append(Note(name, str(exc), "the table is skipped"))
            continue
        sizes[name] = out.counts[name]
        progress(f"{name}: {out.counts[name]:,} rows")
    for name, fks in order.deferred.items():
        if name in made and name not in reuse:
            _set_deferred(target, imported.tables[name], fks, made, seed_value)
            progress(f"{name}: {', '.join(fk.name for fk in fks)} set")
    out.seconds = time.perf_counter() - started
    return out


class _Refused(Exception):
    pass


def planned_counts(imported: Imported, rows: dict[str, int]) -> dict[str, int]:
    """The rows each table will have at most (a table refused or a repeated key makes fewer), known
    before any is made: what a limit is checked against."""
    order = insertion_order(imported, [])
    counts: dict[str, int] = {}
    for name in order.tables:
        counts[name] = _count(imported, order, name, rows, counts)
    return counts


def _referenced(imported: Imported, order: Order) -> dict[str, set[tuple[str, ...]]]:
    """table -> the column tuples other tables (or its deferred UPDATEs) read keys by."""
    out: dict[str, set[tuple[str, ...]]] = {}
    for t in imported.tables.values():
        for fk in t.foreign_keys:
            out.setdefault(fk.table, set()).add(fk.ref_columns)
    for name in order.deferred:
        out.setdefault(name, set()).add(imported.tables[name].primary_key)
    return out


def _count(imported: Imported, order: Order, name: str, rows: dict[str, int], counts: dict[str, int]) -> int:
    """--rows, else per row of its largest parent (one where the key is one-to-one), else ROOT_ROWS.
    Deferred keys do not count: their parent is made later."""
    if name in rows:
        return rows[name]
    table, later = imported.tables[name], order.deferred.get(name, [])
    per = [
        counts.get(fk.table, 0)
        * (1 if fk.columns in (table.primary_key, *table.uniques) else CHILDREN_PER_PARENT)
        for fk in table.foreign_keys
        if fk not in later
    ]
    return max(per) if per else ROOT_ROWS


def _table(
    target: Target,
    table: Table,
    n: int,
    order: Order,
    made: dict[str, _Made],
    wanted: set[tuple[str, ...]],
    seed_value: int,
    truncated: bool,
    notes: list[Note],
    sources: dict[str, str] | None = None,
    world: tuple[str, int] = ("en_US", REFERENCE_SECONDS),  # the locale and the instant rows are seen at
) -> tuple[_Made, int]:
    deferred = order.deferred.get(table.name, [])
    fk_cols = {c for fk in table.foreign_keys for c in fk.columns}
    counted = _counted_key(table, fk_cols)
    skip = fk_cols | set(counted)
    own = made_here(table, skip)
    missing = [c.name for c in table.columns if not c.generated and c.name not in skip
               and c not in own and not c.nullable]  # fmt: skip
    if missing:
        raise _Refused(f"NOT NULL columns of unsupported types: {missing}")
    try:
        entity = to_entity(table, skip, notes, sources)
    except DataError as exc:
        raise _Refused(f"its columns cannot be generated: {exc}") from None
    numbered = [c.name for c in table.columns if c.generated in _DB_NUMBERED]
    try:
        sequences = {c: target.numbers(table.name, c, n, truncated) for c in numbered}
    except LookupError as exc:
        raise _Refused(str(exc)) from None
    for c in counted:  # no sequence to ask: on from the largest key there (Target's own count)
        sequences[c] = Target.numbers(target, table.name, c, n, truncated)
    if numbered and target.dry and target.dialect == "postgres":
        what = f"{', '.join(numbered)} numbered from the current maximum"
        notes.append(Note(table.name, what, "a dry run reserves no sequence values"))
    picks = [_Picker(fk, made, table, seed_value) for fk in table.foreign_keys if fk not in deferred]
    for p in picks:
        if not p.keys and not p.nullable:
            raise _Refused(f"its parent {p.fk.table} has no rows for {p.fk.name}")
    columns = [c.name for c in own] + numbered + counted + sorted(fk_cols)
    # Every key the table declares is held here too, whatever made its values: a repeat is dropped.
    # Keys unique by construction (a sequence's numbers, random uuids) are not remembered.
    by_construction = {c.name for c in table.columns if c.generated in _DB_NUMBERED or c.kind == "uuid"}
    by_construction |= set(counted)
    composite = [u for u in {table.primary_key, *table.uniques} if u and not set(u) & by_construction]
    # Rows already in the table (no --truncate): their unique keys are taken, so a repeat of one is
    # dropped like any other (a second seed, or children added for reused parents).
    reads = target.conn is not None and not truncated  # rows may be there already
    existing = {u: target.keys(table.name, list(u)) for u in composite} if reads else {}
    # The rows a table already has join the seed: a second seed adds other rows, not the first's again
    # (the same seed over the same database gives the same rows).
    already = target.count(table.name) if reads else 0
    result = _Made({cols: KeyList(len(cols)) for cols in wanted})
    dropped = [0]
    rnd = random.Random(key_of(seed_value, table.name, "keys"))
    names = [(c.name, field_name(c.name)) for c in own]

    ordinal = _ordinal(table, fk_cols)
    counters: dict[Key, int] = {}
    if ordinal is not None:  # a line number within its parent: on from the rows already there
        col, parent_cols, key = ordinal
        at = {c: i for i, c in enumerate(key)}
        for k in existing.get(key, []):
            parent = tuple(k[at[c]] for c in parent_cols)
            counters[parent] = max(counters.get(parent, 0), int(k[at[col]]))

    def rows() -> Iterator[list[Any]]:
        # A line-number key is unique by construction (counters go on from the rows there): not held.
        held = [u for u in composite if ordinal is None or u != ordinal[2]]
        seen: dict[tuple[str, ...], set[Key]] = {u: set(existing.get(u, ())) for u in held}
        seed_key = key_of(seed_value, table.name, already) % 2**63
        job = Job(
            schema=entity, scenarios=[Scenario("seed", n)], seed=seed_key, locale=world[0], as_of=world[1]
        )
        i = 0
        for batch in generate(job):
            for r in batch:
                row = {col: r.get(f) for col, f in names}
                for c in (*numbered, *counted):
                    row[c] = sequences[c][i]
                i += 1
                for p in picks:
                    p.fill(row, rnd)
                if any(p.exhausted for p in picks):
                    return
                if ordinal is not None:
                    col, parent_cols, _ = ordinal
                    parent = tuple(row[c] for c in parent_cols)
                    low = int(table.column(col).low or 1)
                    row[col] = counters[parent] = max(counters.get(parent, low - 1) + 1, low)
                if _duplicate(row, seen):
                    dropped[0] += 1
                    continue
                for cols in wanted:
                    result.keys[cols].append(tuple(row[c] for c in cols))
                yield [row.get(c) for c in columns]

    kinds = [table.column(c).kind for c in columns]
    written = target.write(table.name, columns, kinds, rows())
    if dropped[0]:
        notes.append(Note(table.name, f"{dropped[0]:,} rows repeated a unique key", "dropped, so fewer rows"))
    if any(p.exhausted for p in picks):
        notes.append(Note(table.name, "a one-to-one key ran out of parents", f"{written:,} rows, not {n:,}"))
    target.after_table(table.name, numbered)
    return result, written


def _counted_key(table: Table, fk_cols: set[str]) -> list[str]:
    """A one-column whole-number primary key the database does not number (`id integer PRIMARY KEY`):
    counted 1, 2, 3 ... on from the rows there, as an application numbers it. Drawn, a key of any
    width runs out of distinct values long before a table of rows does."""
    if len(table.primary_key) != 1 or table.primary_key[0] in fk_cols:
        return []
    col = table.column(table.primary_key[0])
    whole = col.kind in ("integer", "bigint", "smallint")
    return [col.name] if whole and not col.generated and col.low is None and col.high is None else []


def _ordinal(table: Table, fk_cols: set[str]) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """A key made of foreign-key columns and one whole number of its own (order_lines' (order_id,
    line_no)): the number counts 1, 2, ... within each parent, as line numbers do, rather than being
    drawn and then dropped on a repeat. (column, parent columns, the key)."""
    for key in (table.primary_key, *table.uniques):
        own = [c for c in key if c not in fk_cols]
        parents = tuple(c for c in key if c in fk_cols)
        number = table.column(own[0]) if len(own) == 1 else None
        if (
            number is not None
            and parents
            and number.kind in ("smallint", "integer", "bigint")
            and not number.generated
        ):
            return number.name, parents, key
    return None


class _Picker:
    """Values for one foreign key: a parent's key, NULL now and then where the key is nullable, each
    parent at most once where the key is also unique (one-to-one)."""

    def __init__(self, fk: ForeignKey, made: dict[str, _Made], table: Table, seed_value: int) -> None:
        self.fk = fk
        self.keys = made[fk.table].keys.get(fk.ref_columns, KeyList(0)) if fk.table in made else KeyList(0)
        self.nullable = all(table.column(c).nullable for c in fk.columns)
        self.one_each = fk.columns in table.uniques or fk.columns == table.primary_key
        self.order: array[int] | None = None
        self.next = 0
        self.exhausted = False

    def fill(self, row: dict[str, Any], rnd: random.Random) -> None:
        key: Key | None = None
        if self.keys and not (self.nullable and rnd.random() < NULL_SHARE):
            if self.one_each:
                if self.order is None:
                    order = list(range(len(self.keys)))
                    rnd.shuffle(order)
                    self.order = array("q", order)
                if self.next >= len(self.order):
                    self.exhausted = not self.nullable
                else:
                    key = self.keys[self.order[self.next]]
                    self.next += 1
            else:
                key = self.keys[int(rnd.random() * len(self.keys))]
        for i, c in enumerate(self.fk.columns):
            row[c] = None if key is None else key[i]


def _duplicate(row: dict[str, Any], seen: dict[tuple[str, ...], set[Key]]) -> bool:
    keys = {cols: tuple(row.get(c) for c in cols) for cols in seen}
    if any(None not in k and k in seen[cols] for cols, k in keys.items()):
        return True
    for cols, k in keys.items():
        seen[cols].add(k)
    return False


def _set_deferred(
    target: Target, table: Table, fks: list[ForeignKey], made: dict[str, _Made], seed_value: int
) -> None:
    """The keys left NULL at insert, set now that every table has its rows (Target.update)."""
    rnd = random.Random(key_of(seed_value, table.name, "deferred"))
    pk = list(table.primary_key)
    own_keys = made[table.name].keys[table.primary_key]
    cols = [c for fk in fks for c in fk.columns]

    def rows() -> Iterator[list[Any]]:
        for i in range(len(own_keys)):
            values: list[Any] = list(own_keys[i])
            for fk in fks:
                parents = made[fk.table].keys.get(fk.ref_columns) if fk.table in made else None
                # A self-reference takes an earlier row: no row is its own parent, no loop of two.
                choices = 0 if parents is None else (i if fk.table == table.name else len(parents))
                if parents is None or not choices or rnd.random() < NULL_SHARE:
                    values += [None] * len(fk.columns)
                else:
                    values += list(parents[int(rnd.random() * choices)])
            yield values

    target.update(table.name, pk, cols, [table.column(c).kind for c in (*pk, *cols)], rows())


__all__ = ["Seeded", "planned_counts", "seed"]
