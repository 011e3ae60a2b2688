"""One scenario's plain rows as columns (tools/columns/objects.py), a block at a time, for the engine.

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
from tools.columns.objects import BLOCK, VALUES_PER_BLOCK, ObjectColumns, is_code_array
from tools.columns.values import Block, Unsupported
from tools.compiler import item_bounds
from tools.errors import GenerationFailed, InvalidRequest, shorten
from tools.maker_kit import Env
from tools.schema import FieldSpec, FieldType
from tools.violations import Tally

# Give up once this many blocks were drawn and fewer than 1 row in MIN_PASS_SHARE passed.
GIVE_UP_BLOCKS = 16
MIN_PASS_SHARE = 100
# Rows drawn at a time at the start of a scenario's first block: a request for 100 rows does not pay
# for 1,024 (how many are drawn may depend on the block, never on the request's count).
RAMP = (64, 256)

if TYPE_CHECKING:
    from tools.engine import Job, Scenario
    from tools.runner import RowRunner


class ColumnRunner:
    """One scenario's plain rows, a block at a time; None from `compile` when a field needs the rows path."""

    def __init__(self, runner: RowRunner, env: Env, window: tuple[int, int], weights: list[float]) -> None:
        self.runner = runner
        self.env = env
        spec = runner.schema.as_object()
        self.top = ObjectColumns(spec, "", env, window)
        self.capacity = row_capacity(env)
        self.block = block_rows(spec)
        self.gen = np.random.default_rng(0)
        total = sum(weights)
        self.cum = np.cumsum(np.array(weights, dtype=np.float64) / total)

    @staticmethod
    def plain(job: Job, scenario: Scenario, runner: RowRunner) -> bool:
        """Whether a scenario's rows are plain (no edge cases, negative rows, imitated examples,
        overrides or dataset links): only those are made as columns."""
        return not (runner.edge_share or runner.mutations or runner.template_share or job.defects) and not (
            scenario.overrides or scenario.makers or scenario.records
        )

    @classmethod
    def compile(
        cls, runner: RowRunner, env: Env, window: tuple[int, int], weights: list[float]
    ) -> ColumnRunner | None:
        """The scenario's columns; None when a field needs the row maker throughout."""
        try:
            return cls(runner, env, window, weights)
        except Unsupported:
            return None

    def rows(self, first_slot: int, size: int, ramp: bool) -> Iterator[dict[str, Any]]:
        """One seekable block (tools/seeds.py): `size` rows that pass every check, holding the slots
        first_slot.. first_slot + size - 1, drawn from the generator the engine just seeded for it.

        A row that fails is dropped and more are drawn: with a bound on a derived value (a cart total
        between 100 and 150) that is how a valid row is found, at a block's cost rather than a row's.
        A dropped row's slot goes to a later row, so the block's ids stay within its own slots. How
        many rows are drawn at a time depends only on the block, never on how many rows the request
        wants from it, so the first N rows are the same for any count. With `ramp` (a scenario's
        first block) it starts small (RAMP); later blocks draw whole, since each draw costs about
        1.5 ms whatever its size. Too few passing gives up with the rule they miss."""
        self.gen = np.random.default_rng(self.env.rng.getrandbits(128))
        # Slots no kept row holds yet; none past what the tightest unique field can give a row, so
        # no row drawn here reads a value that is not there (the row maker only reads rows it keeps).
        end = min(first_slot + size, self.capacity[0])
        free = np.arange(first_slot, max(first_slot, end), dtype=np.int64)
        drawn, kept, step = 0, 0, 0
        dropped: list[dict[str, Any]] = []  # a sample, to name the rule when it gives up
        while len(free):
            check_cancelled()  # a hopeless bound draws blocks for a while: stop once the request is gone
            left = len(free)
            # Enough rows to fill what is left at the share that passed so far.
            want = left if kept == drawn else math.ceil(left * drawn / max(1, kept) * 1.2)
            n = max(1, min(self.block, want, RAMP[step] if ramp and step < len(RAMP) else want))
            step += 1
            slots = free[np.arange(n) % left]  # past `left` rows, slots repeat: a slot keeps one row
            objs, bad = self.top.make(Block(self.gen, n, self._themes(n), slots=slots))
            drawn += n
            good = np.flatnonzero(~bad)
            if n > left:
                _, first = np.unique(slots[good], return_index=True)
                good = good[np.sort(first)]
            if len(dropped) < 32:
                dropped.extend([objs[i] for i in np.flatnonzero(bad)[:32].tolist()])
            kept += len(good)
            free = np.setdiff1d(free, slots[good], assume_unique=True) if len(good) < left else free[:0]
            yield from (objs[i] for i in good.tolist())
            if len(free) and drawn >= GIVE_UP_BLOCKS * self.block and kept * MIN_PASS_SHARE < drawn:
                raise self._failure(dropped, drawn, kept)
        if kept < size:  # asked for more rows than a unique field has values (the engine stops sooner)
            _, path, space = self.capacity
            raise InvalidRequest(path, f"unique values ran out: it holds only {space:,}", "widen it")

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


def row_capacity(env: Env) -> tuple[int, str, int]:
    """(rows, field, its values) for the unique field with the fewest values per row: a field under
    arrays takes `stride` slots per row (tools/strides.py). Rows past it cannot be made."""
    best: tuple[int, str, int] = (2**62, "", 0)
    for key in sorted(env.used):  # this scenario's counters (engine._ScenarioRows resets `used`)
        space = getattr(env.unique_counters[key], "space", None)  # a template's, a range's permutation's
        if space is None:
            continue  # endless: suffix numbers, the catalogue walk
        path = key.split("|")[0]
        per_row = 1
        for i in range(len(path)):
            if path.startswith("[]", i):
                per_row *= env.strides.get(path[: i + 2], 1)
        if space // per_row < best[0]:
            best = (space // per_row, path, space)
    return best


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
