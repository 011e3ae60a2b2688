"""The engine: (schema, scenarios, seed, ...) -> batches of validated rows, lazily.

A scenario of plain rows (no edge cases, negative rows, imitated examples, overrides or dataset
links) is made as numpy columns (tools/columns/runner.py, tools/columns/objects.py); every other scenario one
row at a time by compiled makers (tools/runner.py, tools/compiler.py). Both hold every row to the
validator's checks. Rows get their `_scenario` and `_index` and leave in batches; nothing but the
current block and batch is held.

Rows are made in seekable blocks of SEEK_BLOCK rows per scenario, each from a generator seeded by
(seed, entity, scenario, block) and with its unique values read at its own slots (tools/seeds.py):
the same job gives the same rows in any process, whatever the batch size, a block made alone equals
that block in the whole output, and a scenario's first N rows are the same for any count >= N.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.cancel import check as check_cancelled
from tools.catalogue import load_catalogue, made_in
from tools.columns.runner import ColumnRunner
from tools.compiler import ItemCount
from tools.edge_cases import EdgeCase
from tools.errors import GenerationFailed
from tools.imitation import Template
from tools.maker_kit import Env, Maker, chooser
from tools.records import Records
from tools.runner import RowRunner
from tools.schema import EntitySchema
from tools.seeds import SEEK_BLOCK, BlockRef, iter_blocks, key_of
from tools.strides import job_strides
from tools.temporal import REFERENCE_SECONDS, window_at, year_of
from tools.world.additions import PLAN_THEME, Addition, catalogue_for

DEFAULT_BATCH = 1000
HEAD_ROWS = 16  # rows of a plain scenario's first block made by the row maker (_ScenarioRows)


@dataclass
class Scenario:
    name: str
    count: int
    overrides: dict[str, Any] = field(default_factory=dict)  # path -> typed value (or ItemCount)
    schema: EntitySchema | None = None  # a plan may tighten the schema for one scenario
    theme_weights: dict[str, float] | None = None  # catalogue themes for this scenario's products
    edge_case_share: float | None = None  # None: the job's share
    makers: dict[str, Maker] = field(default_factory=dict)  # forced per-row makers (dataset links)
    records: list[Records] = field(default_factory=list)  # a plan's record tables (tools/records.py)


@dataclass
class Job:
    schema: EntitySchema
    scenarios: list[Scenario]
    seed: int
    locale: str = "en_US"
    as_of: int = REFERENCE_SECONDS  # epoch seconds the rows are seen at (tools/world/clock.py)
    peaks: tuple[tuple[str, float], ...] = ()  # a plan's multipliers of named peaks (world/timeline.py)
    edge_case_share: float = 0.0  # share of rows that are edge cases
    negative: bool = False  # every row breaks exactly one rule, tagged `_violates`
    theme_weights: dict[str, float] = field(default_factory=dict)
    batch_size: int = DEFAULT_BATCH
    edge_kinds: list[str] = field(default_factory=list)  # favoured edge-case kinds; empty: all
    # Examples to imitate (share of rows that do) and defect examples replayed as edge cases.
    templates: list[Template] = field(default_factory=list)
    template_share: float = 0.0
    defects: list[Template] = field(default_factory=list)
    # A plan's own edge cases as concrete values (label `path=name`), offered before the catalogue's.
    plan_edges: list[EdgeCase] = field(default_factory=list)
    # A plan's own products (tools/world/additions.py) and the share of product picks they take.
    products: tuple[Addition, ...] = ()
    product_share: float = 1.0
    # Plain scenarios are made a block at a time as columns (tools/columns/objects.py). False makes every row
    # with the row maker: the baseline the bench compares the column maker with.
    columns: bool = True

    @property
    def total(self) -> int:
        return sum(s.count for s in self.scenarios)


def generate(job: Job, blocks: Iterable[BlockRef] | None = None) -> Iterator[list[dict[str, Any]]]:
    """The job's rows in batches; with `blocks` (from `job_blocks`), only those blocks' rows, the same
    as they are in the whole job's output (tools/seeds.py)."""
    maker = BlockMaker(job)
    batch: list[dict[str, Any]] = []
    for ref in iter_blocks([s.count for s in job.scenarios]) if blocks is None else blocks:
        for row in maker.rows(ref):
            batch.append(row)
            if len(batch) >= job.batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


class BlockMaker:
    """A job's makers, compiled once per scenario, and the rows of any of its blocks, in any order: a
    worker process keeps one per job and makes whichever blocks it is sent (tools/blocks.py)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.key = f"{job.seed}/{job.schema.name}"  # the entity joins the seed: two entities share no ids
        self.window = window_at(job.as_of)
        self.env = Env(
            rng=random.Random(0),
            locale=job.locale,
            year=year_of(job.as_of),
            as_of=job.as_of,
            peaks=job.peaks,
            window=self.window,
            seed_key=self.key,
            strides=job_strides(
                [job.schema.as_object(), *(s.schema.as_object() for s in job.scenarios if s.schema)],
                [
                    (p, v.count)
                    for s in job.scenarios
                    for p, v in s.overrides.items()
                    if isinstance(v, ItemCount)
                ],
            ),
        )
        self.current: tuple[int, _ScenarioRows] | None = None
        self.catalogue = catalogue_for(job.products)
        if self.catalogue is not None:
            self.env.product_share = job.product_share

    def rows(self, ref: BlockRef) -> Iterator[dict[str, Any]]:
        """Block `ref`'s rows, each with its `_scenario` and `_index`."""
        return made_in(self.catalogue, self._rows(ref))

    def _rows(self, ref: BlockRef) -> Iterator[dict[str, Any]]:
        env, scenario = self.env, self.job.scenarios[ref.scenario]
        if self.current is None or self.current[0] != ref.scenario:
            # Compiling may draw (none does today): from a generator of the scenario's own.
            env.rng.seed(key_of(self.key, ref.scenario, scenario.name, "compile"))
            self.current = (ref.scenario, _ScenarioRows(self.job, scenario, env, self.window))
        env.rng.seed(key_of(self.key, ref.scenario, scenario.name, ref.k))
        for j, row in enumerate(self.current[1].rows(ref)):
            check_cancelled()  # a gone request stops at the next row (tools/cancel.py; ~0.1 us a row)
            row["_scenario"] = scenario.name
            row["_index"] = ref.index + j
            yield row


class _ScenarioRows:
    """One scenario's makers, compiled once, and the rows of any of its blocks.

    Plain rows are made as columns whatever the count, so that a larger count extends a smaller one;
    the first HEAD_ROWS of the first block by the row maker, which costs less than compiling columns
    for a request of a few rows. Where the row maker misses a bound (row j of them), rows j onwards
    come from columns: rows 0..j-1 were the same either way, so the count still changes nothing."""

    def __init__(self, job: Job, scenario: Scenario, env: Env, window: tuple[int, int]) -> None:
        self.job, self.scenario, self.env, self.window = job, scenario, env, window
        env.used = set()  # the counters this scenario's makers read (columns.runner.row_capacity)
        self.weights = theme_weights(scenario.theme_weights or job.theme_weights, job.product_share)
        self.runner = RowRunner(job, scenario, env, window)
        self.pick_theme = chooser(load_catalogue(), self.weights, env.rnd)
        self.plain = job.columns and ColumnRunner.plain(job, scenario, self.runner)

    def rows(self, ref: BlockRef) -> Iterator[dict[str, Any]]:
        self.runner.start_block(ref.first)
        if not self.plain:
            return self._by_rows(ref.slot, ref.rows)
        if ref.k == 0:
            return itertools.islice(self._head_then_columns(ref.slot), ref.rows)
        return itertools.islice(self._columns_or_rows(ref.slot, SEEK_BLOCK, False), ref.rows)

    def _head_then_columns(self, slot: int) -> Iterator[dict[str, Any]]:
        j = 0
        try:
            for j in range(HEAD_ROWS):
                yield self.runner.row(self.pick_theme(), None, slot + j)
            j = HEAD_ROWS
        except GenerationFailed:
            pass  # row j missed a bound few rows meet (a cart total between 100 and 150): blocks find them
        yield from self._columns_or_rows(slot + j, SEEK_BLOCK - j, True)

    @functools.cached_property
    def columns(self) -> ColumnRunner | None:
        """Compiled on first use: a request of a few rows never needs it."""
        return ColumnRunner.compile(self.runner, self.env, self.window, self.weights)

    def _by_rows(self, slot: int, rows: int) -> Iterator[dict[str, Any]]:
        row, pick = self.runner.row, self.pick_theme
        return (row(pick(), None, slot + j) for j in range(rows))

    def _columns_or_rows(self, slot: int, size: int, ramp: bool) -> Iterator[dict[str, Any]]:
        """A generator: nothing is compiled until its first row is asked for."""
        columns = self.columns
        if columns is None:  # a field the columns cannot make: the row maker, slot by slot
            yield from self._by_rows(slot, size)
        else:
            yield from columns.rows(slot, size, ramp)


def theme_weights(weights: dict[str, float], product_share: float = 1.0) -> list[float]:
    """The catalogue themes' weights for a request (every theme alike when none is named). With a
    plan's products in force (the `plan` theme, last), they take `product_share` of the picks and the
    named themes the rest."""
    themes = load_catalogue()
    own = themes[-1].name == PLAN_THEME
    base = themes[:-1] if own else themes
    w = [max(0.0, float(weights.get(t.name, 1.0 if not weights else 0.0))) for t in base]
    w = w if any(w) else [1.0] * len(w)
    if not own:
        return w
    if product_share >= 1:
        return [0.0] * len(w) + [1.0]
    return [*w, sum(w) * product_share / (1 - product_share)]


def theme_chooser(weights: dict[str, float], rng: random.Random, product_share: float = 1.0) -> Any:
    return chooser(load_catalogue(), theme_weights(weights, product_share), rng.random)
