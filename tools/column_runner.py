"""One scenario's plain rows as columns (tools/columns.py), a block at a time, for the engine.

Rows that fail the block's checks are remade by the scenario's row maker (tools/runner.py); when most
rows of a block fail, the rest of the scenario is made row by row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from tools.catalogue import load_catalogue
from tools.column_values import Block, Unsupported
from tools.columns import BLOCK, VALUES_PER_BLOCK, ObjectColumns
from tools.compiler import item_bounds
from tools.maker_kit import Env
from tools.schema import FieldSpec, FieldType

if TYPE_CHECKING:
    from tools.engine import Job, Scenario
    from tools.runner import RowRunner


class ColumnRunner:
    """One scenario's plain rows, a block at a time; None from `for_scenario` when it needs the rows path."""

    def __init__(self, runner: RowRunner, env: Env, window: tuple[int, int], weights: list[float]) -> None:
        self.runner = runner
        self.top = ObjectColumns(runner.schema.as_object(), "", env, window)
        self.block = block_rows(runner.schema.as_object())
        self.gen = np.random.default_rng(env.rng.getrandbits(128))
        self.themes = load_catalogue()
        total = sum(weights)
        self.cum = np.cumsum(np.array(weights, dtype=np.float64) / total)

    @classmethod
    def for_scenario(
        cls,
        job: Job,
        scenario: Scenario,
        runner: RowRunner,
        env: Env,
        window: tuple[int, int],
        weights: list[float],
    ) -> ColumnRunner | None:
        plain = not (runner.edge_share or runner.mutations or runner.template_share or job.defects) and not (
            scenario.overrides or scenario.makers
        )
        if not plain or scenario.count <= 0:
            return None
        try:
            return cls(runner, env, window, weights)
        except Unsupported:
            return None

    def rows(self, count: int) -> Iterator[dict[str, Any]]:
        left = count
        while left:
            n = min(self.block, left)
            left -= n
            themes = self._themes(n)
            objs, bad = self.top.make(Block(self.gen, n, themes))
            remade = np.flatnonzero(bad).tolist()
            for i in remade:
                objs[i] = self.runner.row(self.themes[int(themes[i])])
            yield from objs
            if len(remade) > n // 2:
                # Constraints that most rows miss (a cap on a derived total): making the block as
                # columns first is wasted work, so the rest of the scenario is made row by row.
                while left:
                    n = min(self.block, left)
                    left -= n
                    for t in self._themes(n).tolist():
                        yield self.runner.row(self.themes[t])
                return

    def _themes(self, n: int) -> np.ndarray:
        u = self.gen.random(n)
        return np.minimum(np.searchsorted(self.cum, u, side="right"), len(self.cum) - 1)


def block_rows(spec: FieldSpec) -> int:
    """Rows per block: BLOCK, fewer when rows hold many array items, so a block holds about
    VALUES_PER_BLOCK values whatever the schema (a client's array of 1,000 objects per row)."""
    return max(1, min(BLOCK, VALUES_PER_BLOCK // max(1, round(_values_per_row(spec)))))


def _values_per_row(spec: FieldSpec) -> float:
    if spec.type is FieldType.OBJECT or spec.fields:
        return sum(_values_per_row(f) for f in spec.fields)
    if spec.type is FieldType.ARRAY:
        lo, hi = item_bounds(spec, spec.name)
        item = spec.items or FieldSpec(name="items[]", type=FieldType.STRING)
        # Arrays of codes draw four candidates per item to keep them distinct (columns.ArrayColumn).
        drawn = 4 if not item.fields and (item.values or item.pool) else 1
        return (lo + hi) / 2 * drawn * _values_per_row(item)
    return 1.0
