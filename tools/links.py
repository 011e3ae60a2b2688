"""How an entity hangs from its parent in a linked dataset (the `dataset:` section of an entity file).

Paths name ancestor rows by entity (`order.total`, `payment.captured_at`), the parent's current item
(`item.sku`, with `per_item`), or a sibling already made under the same parent (`sibling:cart.cart_id`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
    per_item: str | None = None  # one child per item of this ancestor array (`order.items`)
    sequence: Sequence | None = None
    when: dict[str, list[Any]] = Field(default_factory=dict)  # ancestor conditions for having children
    copy_: dict[str, str] = Field(default_factory=dict, alias="copy")  # child field -> path
    by: dict[str, ByMap] = Field(default_factory=dict)
    after: dict[str, str] = Field(default_factory=dict)  # child time field -> ancestor time (at or after)
    max_gap: str | None = None  # how far after, at most
    at_most: dict[str, str] = Field(default_factory=dict)  # child number field -> ancestor number

    @field_validator("count")
    @classmethod
    def _ordered(cls, v: list[int]) -> list[int]:
        if v[0] < 0 or v[0] > v[1]:
            raise ValueError("count must be [min, max] with 0 <= min <= max")
        return v

    def ancestors_named(self) -> set[str]:
        """Entities this link reads from (they must be ancestors in the dataset tree)."""
        paths = [*self.copy_.values(), *self.after.values(), *self.at_most.values(), *self.when]
        paths += [b.source for b in self.by.values()]
        if self.sequence is not None:
            paths += [self.sequence.by, *self.sequence.anchors.values()]
        if self.per_item:
            paths.append(self.per_item)
        heads = {p.removeprefix("sibling:").split(".", 1)[0] for p in paths}
        return heads - {"item"}
