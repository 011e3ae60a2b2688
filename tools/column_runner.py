"""One scenario's plain rows as columns (tools/columns.py), a block at a time, for the engine.

Rows that fail the block's checks are dropped and more are drawn; when too few pass, the scenario
fails with the rule they miss (tools/engine.py then has nothing to fall back on: the row maker retries
one row at a time and would do worse).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from tools.cancel import check as check_cancelled
from tools.column_values import Block, Unsupported
from tools.columns import BLOCK, VALUES_PER_BLOCK, ObjectColumns, is_code_array
from tools.compiler import item_bounds
from tools.errors import GenerationFailed, shorten
from tools.maker_kit import Env
from tools.schema import FieldSpec, FieldType
from tools.violations import Tally

# Give up once this many blocks were drawn and fewer than 1 row in MIN_PASS_SHARE passed.
GIVE_UP_BLOCKS = 16
MIN_PASS_SHARE = 100

if TYPE_CHECKING:
    from tools.engine import Job, Scenario
    from tools.runner import RowRunner


class ColumnRunner:
    """One scenario's plain rows, a block at a time; None from `for_scenario` when it needs the rows path."""

    def __init__(self, runner: RowRunner, env: Env, window: tuple[int, int], weights: list[float]) -> None:
        self.runner = runner
        spec = runner.schema.as_object()
        self.top = ObjectColumns(spec, "", env, window)
        self.block = block_rows(spec)
        self.gen = np.random.default_rng(env.rng.getrandbits(128))
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
        """`count` rows that pass every check. A row that fails is dropped and more are drawn: with a
        bound on a derived value (a cart total between 100 and 150) that is how a valid row is found,
        at a block's cost rather than a row's. Too few passing gives up with the rule they miss."""
        left, drawn, kept = count, 0, 0
        dropped: list[dict[str, Any]] = []  # a sample, to name the rule when it gives up
        while left:
            check_cancelled()  # a hopeless bound draws blocks for a while: stop once the request is gone
            # Enough rows to fill what is left at the share that passed so far.
            want = left if kept == drawn else math.ceil(left * drawn / max(1, kept) * 1.2)
            n = max(1, min(self.block, want))
            objs, bad = self.top.make(Block(self.gen, n, self._themes(n)))
            drawn += n
            good = [obj for obj, b in zip(objs, bad.tolist(), strict=True) if not b][:left]
            if len(dropped) < 32:
                dropped.extend([obj for obj, b in zip(objs, bad.tolist(), strict=True) if b][:32])
            kept += len(good)
            left -= len(good)
            yield from good
            if left and drawn >= GIVE_UP_BLOCKS * self.block and kept * MIN_PASS_SHARE < drawn:
                raise self._failure(dropped, drawn, kept)

    def _failure(self, dropped: list[dict[str, Any]], drawn: int, kept: int) -> GenerationFailed:
        tally = Tally()
        for obj in dropped:
            for v in self.runner.validate(obj):
                tally.add(v)
        where, rule, example = tally.worst()
        if example is None:
            return GenerationFailed("row", f"only {kept:,} of {drawn:,} rows drawn passed every check", "")
        return GenerationFailed(
            where,
            f"only {kept:,} of {drawn:,} rows drawn kept the {rule} rule"
            f" (for example, {shorten(f'{example.path} {example.message}')})",
            "loosen that bound, or bound the fields it is made from (a total: item prices and quantities)",
        )

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
        drawn = 4 if is_code_array(item) else 1  # candidates drawn per item

        return (lo + hi) / 2 * drawn * _values_per_row(item)
    return 1.0
