"""An object's lifecycle fields as columns: each row's story told by the row maker's own makers
(tools/world/lifecycle.py), from the block's columns it reads; the rules check them as any column.

Stories draw from the job's generator (Env.rnd), seeded per block like the block's own numpy
generator, so a block comes out the same made alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tools.chains import Retry
from tools.columns.values import Block, Column
from tools.maker_kit import Env, RowCtx
from tools.schema import TEMPORAL_TYPES, FieldSpec
from tools.temporal import parse_datetime
from tools.world.lifecycle import lifecycle_makers


def lifecycle_columns(spec: FieldSpec, env: Env) -> tuple[list[str], Column] | None:
    """(the fields it fills, a column maker returning the first's values and setting the others in
    the block), or None when the object has no lifecycle."""
    lc = spec.lifecycle
    if lc is None:
        return None
    makers = lifecycle_makers(spec, env, {})
    names = [n for n in lc.written() if n in makers]
    reads = [r for r in lc.reads.values() if spec.child(r) is not None]
    times = [n for n in names if (f := spec.child(n)) is not None and f.type in TEMPORAL_TYPES]

    def make(b: Block) -> list[Any]:
        out: dict[str, list[Any]] = {n: [] for n in names}
        failed = []
        for i in range(b.n):
            obj = {r: b.cols[r][i] for r in reads}
            ctx = RowCtx(None)  # type: ignore[arg-type]  # stories read no catalogue theme
            try:
                for n in names:
                    out[n].append(makers[n](obj, ctx))
            except Retry:
                failed.append(i)
                for n in names:
                    out[n] += [None] * (i + 1 - len(out[n]))
        if failed:
            bad = np.zeros(b.n, dtype=bool)
            bad[failed] = True
            b.mark_bad(bad)
        for n in names[1:]:
            b.cols[n] = out[n]
        for n in times:  # what a later order-rule field reads (chains: seconds, NaN where absent)
            b.raw[n] = np.array(
                [np.nan if v is None else parse_datetime(v) for v in out[n]], dtype=np.float64
            )
        return out[names[0]]

    return names, make
