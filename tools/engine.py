"""The engine: (schema, scenarios, seed, ...) -> batches of validated rows, lazily.

A scenario of plain rows (no edge cases, negative rows, imitated examples, overrides or dataset
links) of at least `COLUMNS_FROM` rows is made a block at a time as numpy columns
(tools/column_runner.py, tools/columns.py). Every other scenario is made one row at a time by compiled
makers (tools/runner.py, tools/compiler.py); a small one whose rows keep missing a bound falls back to
blocks. Both hold every row to the validator's checks. Rows get their `_scenario` and `_index` and
leave in batches; nothing but the current block and batch is held. One `random.Random(seed)` (and the
numpy generators seeded from it) drives everything in a fixed order, so the same job gives the same
rows in any process, whatever the batch size.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.cancel import check as check_cancelled
from tools.catalogue import load_catalogue
from tools.column_runner import ColumnRunner
from tools.errors import GenerationFailed
from tools.imitation import Template
from tools.maker_kit import Env, Maker, chooser
from tools.runner import RowRunner
from tools.schema import EntitySchema
from tools.temporal import REFERENCE_TIME, default_window

DEFAULT_BATCH = 1000
COLUMNS_FROM = 64


@dataclass
class Scenario:
    name: str
    count: int
    overrides: dict[str, Any] = field(default_factory=dict)  # path -> typed value (or ItemCount)
    schema: EntitySchema | None = None  # a plan may tighten the schema for one scenario
    theme_weights: dict[str, float] | None = None  # catalogue themes for this scenario's products
    edge_case_share: float | None = None  # None: the job's share
    makers: dict[str, Maker] = field(default_factory=dict)  # forced per-row makers (dataset links)


@dataclass
class Job:
    schema: EntitySchema
    scenarios: list[Scenario]
    seed: int
    locale: str = "en_US"
    edge_case_share: float = 0.0  # share of rows that are edge cases
    negative: bool = False  # every row breaks exactly one rule, tagged `_violates`
    theme_weights: dict[str, float] = field(default_factory=dict)
    batch_size: int = DEFAULT_BATCH
    edge_kinds: list[str] = field(default_factory=list)  # favoured edge-case kinds; empty: all
    # Examples to imitate (share of rows that do) and defect examples replayed as edge cases.
    templates: list[Template] = field(default_factory=list)
    template_share: float = 0.0
    defects: list[Template] = field(default_factory=list)
    # Plain scenarios of at least this many rows are made a block at a time (tools/columns.py): below
    # it, compiling the columns costs more than it saves (about 1.5 ms; 50 carts is the break-even).
    # None makes every row with the row maker: the baseline the bench compares the column maker with.
    columns_from: int | None = COLUMNS_FROM

    @property
    def total(self) -> int:
        return sum(s.count for s in self.scenarios)


def generate(job: Job) -> Iterator[list[dict[str, Any]]]:
    # The entity name joins the seed so two entities made with one seed do not share id suffixes.
    rng = random.Random(f"{job.seed}/{job.schema.name}")
    window = default_window(REFERENCE_TIME)
    env = Env(rng=rng, locale=job.locale, year=REFERENCE_TIME.year, window=window)
    batch: list[dict[str, Any]] = []
    index = 0
    for scenario in job.scenarios:
        weights = theme_weights(scenario.theme_weights or job.theme_weights)
        runner = RowRunner(job, scenario, env, window)
        pick_theme = chooser(load_catalogue(), weights, rng.random)
        rows: Iterable[dict[str, Any]]
        if job.columns_from is None:
            rows = (runner.row(pick_theme()) for _ in range(scenario.count))
        elif scenario.count >= job.columns_from:
            columns = ColumnRunner.for_scenario(job, scenario, runner, env, window, weights)
            if columns is not None:
                rows = columns.rows(scenario.count)
            else:  # edge cases, negative rows, overrides, ...: one at a time
                rows = (runner.row(pick_theme()) for _ in range(scenario.count))
        else:
            try:  # a few rows: one at a time is quicker than compiling columns
                rows = [runner.row(pick_theme()) for _ in range(scenario.count)]
            except GenerationFailed:
                # A bound few rows meet (a cart total between 100 and 150): blocks find them.
                columns = ColumnRunner.for_scenario(job, scenario, runner, env, window, weights)
                if columns is None:
                    raise
                rows = columns.rows(scenario.count)
        for row in rows:
            check_cancelled()  # a gone request stops at the next row (tools/cancel.py; ~0.1 us a row)
            row["_scenario"] = scenario.name
            row["_index"] = index
            index += 1
            batch.append(row)
            if len(batch) >= job.batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


def theme_weights(weights: dict[str, float]) -> list[float]:
    """The catalogue themes' weights for a request (every theme alike when none is named)."""
    w = [max(0.0, float(weights.get(t.name, 1.0 if not weights else 0.0))) for t in load_catalogue()]
    return w if any(w) else [1.0] * len(w)


def theme_chooser(weights: dict[str, float], rng: random.Random) -> Any:
    return chooser(load_catalogue(), theme_weights(weights), rng.random)
