"""A violation of a schema, a constraint or a rule, and where it sits in a row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Violation:
    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


Out = list[Violation]
# Where a value sits: "" for the row, or (parent, key) with key a field name or an item index. Paths are
# rendered only when a violation is reported, so checking a valid row builds no strings.
Where = Any
ValueCheck = Callable[[Any, Where, Out], None]


def render(where: Where) -> str:
    if not isinstance(where, tuple):
        return where
    parent, key = where
    head = render(parent)
    if isinstance(key, int):
        return f"{head}[{key}]"
    return f"{head}.{key}" if head else key


@dataclass
class Tally:
    """Violations of failed attempts counted by (field, rule): which rule rows miss most, and one
    example of it, for the error when no row could be made (runner.py, columns/runner.py)."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], Violation] = field(default_factory=dict)

    def add(self, v: Violation) -> None:
        key = (v.path.split("[")[0], v.rule)
        self.counts[key] += 1
        self.examples.setdefault(key, v)

    def count(self, where: str, rule: str) -> None:
        self.counts[(where, rule)] += 1

    def worst(self) -> tuple[str, str, Violation | None]:
        (where, rule), _ = (self.counts or Counter({("row", "order"): 1})).most_common(1)[0]
        return where, rule, self.examples.get((where, rule))
