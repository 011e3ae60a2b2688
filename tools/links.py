"""How an entity hangs from its parent in a linked dataset (the `dataset:` section of an entity file).

Paths name ancestor rows by entity (`order.total`, `payment.captured_at`), the parent's current item
(`item.sku`, with `per_item`), a sibling made before under the same parent, the one of the same rank
(`sibling:cart.cart_id`: a customer's second order was checked out from their second cart), or a step
of an ancestor's story (`story:order.shipped`: tools/world/stories.py; null until it has happened), or
(in `after:`) a field of the row itself, made before (`row.created_at`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


def anchor_paths(text: str) -> list[tuple[str, str | None]]:
    """An `after:` value: alternatives separated by `|`, the first one present wins, each with its own
    optional gap (`sibling:cart.updated_at within 30m | customer.registration_date`)."""
    out: list[tuple[str, str | None]] = []
    for part in text.split("|"):
        path, _, gap = part.strip().partition(" within ")
        out.append((path.strip(), gap.strip() or None))
    return out


class Rollup(BaseModel):
    """A root's number that can be no less than what its family adds up to (a customer's lifetime
    value covers the orders of theirs the dataset holds)."""

    model_config = ConfigDict(extra="forbid")
    at_least: str  # `order.total`: the sum of that field over the root's records of that entity
    when: dict[str, list[Any]] = Field(default_factory=dict)  # only records whose fields have these values


class ByMap(BaseModel):
    """A value chosen by an ancestor's value: payment status by order status."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    source: str = Field(alias="from")
    map: dict[str, list[Any]]  # ancestor value -> choices; "*" for any other value


class Sequence(BaseModel):
    """Children that walk through states in order (tracking events, order status history)."""

    model_config = ConfigDict(extra="forbid")
    field: str  # the state field of each child
    by: str  # the ancestor field whose value picks the walk
    steps: dict[str, list[Any]]  # ancestor value -> the states in order; "*" for any other
    time: str  # the child's timestamp field: strictly increasing along the walk
    # States pinned to an ancestor's time (the `shipped` event at order.shipped_at).
    anchors: dict[str, str] = Field(default_factory=dict)
    gap: str = "18h"  # the longest step between unpinned states


class DatasetLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent: str
    count: list[int] = Field(default_factory=lambda: [1, 1], min_length=2, max_length=2)
    weights: list[float] | None = None  # one per count value, lowest first
    # The weights by an ancestor's value instead (a gold customer orders more often than a bronze one).
    weights_by: ByMap | None = None
    per_item: str | None = None  # one child per item of this ancestor array (`order.items`)
    sequence: Sequence | None = None
    when: dict[str, list[Any]] = Field(default_factory=dict)  # ancestor conditions for having children
    copy_: dict[str, str] = Field(default_factory=dict, alias="copy")  # child field -> path
    by: dict[str, ByMap] = Field(default_factory=dict)
    after: dict[str, str] = Field(default_factory=dict)  # child time field -> ancestor time (at or after)
    max_gap: str | None = None  # how far after, at most
    before: dict[str, str] = Field(default_factory=dict)  # child time field -> ancestor time (at or before)
    at_most: dict[str, str] = Field(default_factory=dict)  # child number field -> ancestor number
    # at_most fields -> a path that says whether it is the whole number ("full") or a part ("partial").
    whole: dict[str, str] = Field(default_factory=dict)

    @field_validator("count")
    @classmethod
    def _ordered(cls, v: list[int]) -> list[int]:
        if v[0] < 0 or v[0] > v[1]:
            raise ValueError("count must be [min, max] with 0 <= min <= max")
        return v

    def ancestors_named(self) -> set[str]:
        """Entities this link reads from (they must be ancestors in the dataset tree)."""
        after = [p for text in self.after.values() for p, _ in anchor_paths(text)]
        paths = [*self.copy_.values(), *after, *self.at_most.values(), *self.when]
        paths += [*self.before.values(), *self.whole.values()]
        if self.weights_by is not None:
            paths.append(self.weights_by.source)
        paths += [b.source for b in self.by.values()]
        if self.sequence is not None:
            paths += [self.sequence.by, *self.sequence.anchors.values()]
        if self.per_item:
            paths.append(self.per_item)
        heads = {p.removeprefix("sibling:").removeprefix("story:").split(".", 1)[0] for p in paths}
        return heads - {"item", "row"}
