"""A realism measure with its threshold and source, and the table that prints them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    """lo <= value <= hi (either side open); neither side: reported, not judged."""

    lo: float | None = None
    hi: float | None = None

    def holds(self, value: float) -> bool:
        return (self.lo is None or value >= self.lo - 1e-12) and (self.hi is None or value <= self.hi + 1e-12)

    def __str__(self) -> str:
        lo, hi = self.lo, self.hi
        if lo is None and hi is None:
            return "info"
        if lo is not None and hi is not None:
            return f"== {fmt(lo)}" if lo == hi else f"{fmt(lo)}..{fmt(hi)}"
        return f">= {fmt(lo)}" if lo is not None else f"<= {fmt(hi)}"


def at_least(v: float) -> Bound:
    return Bound(lo=v)


def at_most(v: float) -> Bound:
    return Bound(hi=v)


INFO = Bound()


@dataclass(frozen=True)
class Check:
    """One measured value: `prop` is what ENFORCED names, `metric` the measure within it, `scope` the
    entity and locale it was measured on; value None means n/a (the field does not exist yet)."""

    prop: str
    metric: str
    scope: str
    value: float | None
    bound: Bound
    source: str
    note: str = ""

    @property
    def name(self) -> str:
        return self.prop if self.metric == self.prop else f"{self.prop}.{self.metric}"

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "n/a"
        if self.bound == INFO:
            return "info"
        return "yes" if self.bound.holds(self.value) else "no"


def fmt(v: float | None) -> str:
    if v is None:
        return "n/a"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.2f}" if abs(v) >= 10 else f"{v:.3f}"


def share(flags: Iterable[bool | None]) -> float | None:
    """The share of True among the flags that are not None; None when none counted."""
    counted = [f for f in flags if f is not None]
    return sum(counted) / len(counted) if counted else None


def enforced_failures(checks: list[Check], enforced: frozenset[str]) -> list[Check]:
    listed = [c for c in checks if c.prop in enforced or c.name in enforced]
    return [c for c in listed if c.verdict in ("no", "n/a")]


HEAD = ("property", "entity/locale", "measured", "threshold", "source", "pass")


def _cells(c: Check) -> tuple[str, ...]:
    return (c.name, c.scope, fmt(c.value), str(c.bound), c.source, c.verdict)


def console_table(checks: list[Check]) -> list[str]:
    rows = [HEAD, *(_cells(c) for c in checks)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEAD))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def markdown_table(checks: list[Check]) -> list[str]:
    lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in _cells(c)) + " |" for c in checks]
    notes = [f"- `{c.name}` ({c.scope}): {c.note}" for c in checks if c.note]
    return lines + (["", "Notes:", "", *notes] if notes else [])


def summary(checks: list[Check]) -> str:
    judged = {c.name for c in checks if c.verdict in ("yes", "no")}
    below = sorted({c.name for c in checks if c.verdict == "no"})
    na = sorted({c.name for c in checks if c.verdict == "n/a"} - judged)
    failed = [c.scope for c in checks if c.name == "rows.made"]
    unmade = f"; the service failed to make {', '.join(failed)} (rows.made)" if failed else ""
    return (
        f"realism: {len(judged) - len(below)} of {len(judged)} measures hold; below threshold: "
        f"{', '.join(below) or 'none'}; n/a: {', '.join(n for n in na if n != 'rows.made') or 'none'}{unmade}"
    )
