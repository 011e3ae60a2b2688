"""A violation of a schema, a constraint or a rule, and where it sits in a row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
