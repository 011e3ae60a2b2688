"""Small draws the ranged lifecycle models share (tools/world/windows.py, tickets.py, ...): a fate by
its share, and a skewed span clipped to what an entity's rules allow."""

from __future__ import annotations

from collections.abc import Sequence

from tools.world.stories import Rnd, lognormal

# (fewest, median, p90, most): a skewed span, half below the median, 90% below p90, within [fewest, most].
Spread = tuple[float, float, float, float]


def pick(shares: Sequence[tuple[str, float]], rnd: Rnd) -> str:
    """A name drawn by its weight (the entity's enum weights)."""
    u = rnd() * sum(w for _, w in shares)
    for name, w in shares:
        u -= w
        if u < 0:
            return name
    return shares[0][0]


def skewed(spread: Spread, rnd: Rnd) -> float:
    """A log-normal draw inside [fewest, most]: drawn again a few times when it falls outside (so the
    bounds do not pile up), then clipped."""
    fewest, median, p90, most = spread
    value = median
    for _ in range(4):
        value = lognormal(median, p90, rnd)
        if fewest <= value <= most:
            return value
    return min(most, max(fewest, value))


def whole_days(spread: Spread, rnd: Rnd) -> int:
    """A skewed whole number of days inside [fewest, most]."""
    return int(min(spread[3], max(spread[0], round(skewed(spread, rnd)))))
