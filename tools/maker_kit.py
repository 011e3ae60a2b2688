"""What every value maker shares: the row context, the job's generator, weighted choice."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tools.catalogue import Product, Theme
from tools.inference import infer_source
from tools.schema import FieldSpec
from tools.seeds import keyed_rng
from tools.temporal import REFERENCE_SECONDS
from tools.world.timeline import shaped

# A maker is `make(obj, ctx) -> value`: `obj` is the object being filled (for values that follow
# other fields: an e-mail made from the row's names, a review title that follows its rating) and
# `ctx` the row's context (its catalogue theme, the current product, its links in a dataset).
Maker = Callable[[dict[str, Any], "RowCtx"], Any]


class RowCtx:
    __slots__ = ("links", "picks", "product", "product_round", "queue", "slot", "story", "theme")

    def __init__(self, theme: Theme, links: dict[str, Any] | None = None, slot: int = 0) -> None:
        self.theme = theme
        # The object's place in the job (tools/seeds.py): a row's slot, an array item's slot * the
        # array's stride + its position. Unique values are read at it, so a row's ids depend on where
        # it is, not on the rows made before it.
        self.slot = slot
        self.product: Product | None = None
        self.queue: list[Product] = []
        self.product_round = 0  # how many times a catalogue walk has come round (unique products)
        # In a linked dataset: the ancestor rows (by entity), the parent's current item, the sibling before.
        self.links = links
        self.story: Any = None  # the row's lifecycle story (tools/world/lifecycle.py), told once
        self.picks: dict[int, int] | None = None  # record-table entries drawn for the row (tools/records.py)


@dataclass
class Env:
    """What every maker of one request shares: the seeded generator, the locale and the year."""

    rng: random.Random
    locale: str = "en_US"
    year: int = 2025
    window: tuple[int, int] = (0, 0)
    as_of: int = REFERENCE_SECONDS  # epoch seconds the rows are seen at: no event after it
    peaks: tuple[tuple[str, float], ...] = ()  # a plan's multipliers of named peaks (holiday rush)
    unique_counters: dict[str, Any] = field(default_factory=dict)
    seed_key: str = ""  # "seed/entity": what keyed generators (unique counters) are seeded from
    strides: dict[str, int] = field(default_factory=dict)  # array item path -> slots per parent
    used: set[str] = field(default_factory=set)  # counters the scenario being compiled reads
    product_share: float | None = None  # a plan's own products' share of product picks (None: it has none)

    def counter(self, key: str, make: Callable[[], Any]) -> Any:
        """The job's unique-value counter for `key` (made on first use; its permutation is keyed by
        `key` alone, so it is the same whichever scenario or process makes it first)."""
        self.used.add(key)
        if key not in self.unique_counters:
            self.unique_counters[key] = make()
        return self.unique_counters[key]

    def shape(self, kind: str) -> str:
        """A time profile's key with the plan's peaks (tools/world/timeline.shaped)."""
        return shaped(kind, self.peaks)

    @property
    def rnd(self) -> Callable[[], float]:
        return self.rng.random

    def keyed(self, name: str) -> random.Random:
        """A generator of its own for `name` (a unique counter's permutation): the same in every block
        and process, whatever the rows before it drew."""
        return keyed_rng(self.seed_key, name)

    def stride(self, item_path: str, most: int) -> int:
        """Slots per parent object for an array's items: the job's precomputed figure (the most items any
        scenario can put there, tools/strides.py), else `most`, fixed at first use."""
        return self.strides.setdefault(item_path, max(1, most))


def chooser(
    values: Sequence[Any], weights: Sequence[float] | None, rnd: Callable[[], float]
) -> Callable[[], Any]:
    vals = tuple(values)
    n = len(vals)
    if not weights:
        return lambda: vals[int(rnd() * n)]
    cum = list(itertools.accumulate(float(w) for w in weights))
    total = cum[-1]
    if total <= 0:
        return lambda: vals[int(rnd() * n)]
    bis = bisect.bisect_right
    return lambda: vals[min(n - 1, bis(cum, rnd() * total))]


def pool_key(value: Any) -> str:
    """How a pools_by key is matched: true/false for booleans, the text of anything else."""
    if isinstance(value, bool) or str(value) in ("True", "False"):
        return str(value).lower()
    return str(value)


def source_of(spec: FieldSpec) -> str | None:
    return spec.source or infer_source(spec.name, spec.type, spec.description)


def sample(seq: Sequence[Any], n: int, rnd: Callable[[], float]) -> list[Any]:
    """n distinct items of seq (n <= len(seq)), drawn with the job's generator (partial shuffle)."""
    size = len(seq)
    moved: dict[int, int] = {}  # the swaps of a partial shuffle of range(size), made lazily
    out = []
    for i in range(n):
        j = i + int(rnd() * (size - i))
        at_j = moved.get(j, j)
        moved[j] = moved.get(i, i)
        out.append(seq[at_j])
    return out


def count_weights(spec: FieldSpec, lo: int, hi: int) -> list[float] | None:
    """An array's weights for item counts lo..hi (FieldSpec.count_weights), or None for uniform."""
    w = spec.count_weights
    if not w:
        return None
    out = [max(0.0, float(w[k])) if k < len(w) else 0.0 for k in range(lo, hi + 1)]
    return out if any(out) else None
