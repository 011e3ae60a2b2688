"""Shapes a plan gives a number's or a date's values inside its bounds: normal, or a histogram.

Drawn in the raw integer space of tools/ranged.py by inverse transform from uniforms (no rejection):
the same uniforms give the same value in the row maker and the column maker, and the bounds always
hold. A log-normal is FieldSpec.typical (tools/ranged.log_normal), not a shape.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class RawShape:
    normal: NormalDist | None = None  # of raw values
    bins: tuple[tuple[int, int], ...] = ()  # raw [lo, hi] of each bar
    cum: tuple[float, ...] = ()  # cumulative bar weights

    def raw(self, u: float, v: float, lo: int, hi: int) -> int | None:
        """A raw value in [lo, hi] from two uniforms; None when no mass lies inside the bounds."""
        if self.normal is not None:
            a, b = self.normal.cdf(lo - 0.5), self.normal.cdf(hi + 0.5)
            if b - a < 1e-9:
                return None
            p = min(max(a + u * (b - a), 1e-12), 1 - 1e-12)
            return min(hi, max(lo, round(self.normal.inv_cdf(p))))
        # Bars clipped to the bounds, weighted by the share of each bar that is left.
        clipped = []
        for (blo, bhi), w in zip(self.bins, _weights(self.cum), strict=True):
            a, b = max(blo, lo), min(bhi, hi)
            if a <= b and w > 0:
                clipped.append((a, b, w * (b - a + 1) / (bhi - blo + 1)))
        if not clipped:
            return None
        cum = list(itertools.accumulate(w for _, _, w in clipped))
        a, b, _ = clipped[min(len(clipped) - 1, bisect.bisect_right(cum, u * cum[-1]))]
        return a + min(b - a, int(v * (b - a + 1)))


def _weights(cum: tuple[float, ...]) -> list[float]:
    return [c - p for p, c in zip((0.0, *cum), cum, strict=False)]


def normal_shape(mean: float, sd: float, scale: int) -> RawShape:
    return RawShape(normal=NormalDist(mean * scale, max(sd * scale, 1e-9)))


def histogram_shape(bars: list[tuple[int, int, float]]) -> RawShape:
    ordered = tuple((min(a, b), max(a, b)) for a, b, _ in bars)
    cum = tuple(itertools.accumulate(max(0.0, w) if math.isfinite(w) else 0.0 for _, _, w in bars))
    return RawShape(bins=ordered, cum=cum)
