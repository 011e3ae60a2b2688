"""Roots that add up their families (EntitySchema.rollup): a customer's lifetime value is at least
the total of their delivered orders in the dataset.

The dataset generator makes a batch of roots' families before it sends the roots (tools/dataset.py),
so each root can be raised to its family's sum; its derived fields (loyalty points) follow, and a
root the raise would make invalid (past a maximum) keeps its value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from tools.derive import compile_derives
from tools.ranged import make_ranged, precision_of
from tools.schema import EntitySchema
from tools.temporal import window_at
from tools.validator import compile_validator
from tools.world.localise import localise
from tools.world.prices import SCALE

Rows = list[dict[str, Any]]


class RollUp:
    """One root entity's rollups, compiled once per dataset."""

    def __init__(
        self, root: EntitySchema, children: dict[str, EntitySchema], as_of: int, locale: str
    ) -> None:
        # As the rows were made: in the locale's currency (a yen world's lifetime value is in yen, as its
        # orders' totals are).
        root = localise(root, locale)
        self.root = root
        self.id_field = root.id_field or ""
        self.derives = compile_derives(root.as_object(), "")
        self.validate = compile_validator(root, window_at(as_of))
        self.sums: list[tuple[str, str, str, str, dict[str, set[str]], float, int]] = []
        for name, rule in root.rollup.items():
            entity, _, field = rule.at_least.partition(".")
            child = children.get(entity)
            spec = root.field(name)
            ref = next((f.name for f in child.fields if f.ref == root.name), None) if child else None
            if spec is None or ref is None:
                continue  # that entity is not in this dataset: nothing to add up
            wanted = {k: {str(v) for v in vals} for k, vals in rule.when.items()}
            top = make_ranged(spec, name, window_at(as_of))
            self.sums.append((name, entity, field, ref, wanted, top.hi / top.scale, precision_of(spec)))

    def apply(self, roots: Rows, family: list[tuple[str, Rows]]) -> None:
        if not self.sums or not self.id_field:
            return
        by_id = {row.get(self.id_field): row for row in roots}
        for name, entity, field, ref, wanted, most, digits in self.sums:
            totals: dict[Any, float] = defaultdict(float)
            for kind, rows in family:
                if kind != entity:
                    continue
                for row in rows:
                    if all(str(row.get(k)) in vals for k, vals in wanted.items()):
                        value = row.get(field)
                        if isinstance(value, int | float) and not isinstance(value, bool):
                            totals[row.get(ref)] += self._in_root_scale(value, row.get("currency"), name)
            for key, total in totals.items():
                root = by_id.get(key)
                if root is not None:
                    self._raise(root, name, min(round(total, digits), most))

    def _in_root_scale(self, value: float, currency: Any, name: str) -> float:
        """A child's amount in the magnitude the root's field is in (a yen order's total in a lifetime
        value kept in dollar magnitude: tools/world/magnitudes.py)."""
        spec = self.root.field(name)
        mine = SCALE.get(str(spec.currency)) if spec is not None and spec.currency else None
        theirs = SCALE.get(str(currency)) if currency else None
        return value / (theirs or 1.0) * (mine or 1.0)

    def _raise(self, row: dict[str, Any], name: str, floor: float) -> None:
        value = row.get(name)
        if not isinstance(value, int | float) or value >= floor:
            return
        before = dict(row)
        row[name] = floor
        for target, fn in self.derives:
            row[target] = fn(row)
        if self.validate({k: v for k, v in row.items() if not k.startswith("_")}):
            row.clear()
            row.update(before)


def roll_up_for(
    roots: list[Any], as_of: int, locale: str
) -> Callable[[str, Rows, list[tuple[str, Rows]]], None]:
    """apply(root entity, its rows, the batch's (entity, rows)) for a dataset's root nodes."""
    from tools.dataset import walk

    compiled = {
        r.name: RollUp(r.schema, {n.name: n.schema for n in walk([r])}, as_of, locale)
        for r in roots
        if r.schema.rollup
    }

    def apply(name: str, rows: Rows, family: list[tuple[str, Rows]]) -> None:
        if name in compiled:
            compiled[name].apply(rows, family)

    return apply
