"""Rows that imitate stored examples without copying them, as forced values for the compiler.

`vary` (patterns, production samples): the example's categorical values (statuses, names, texts,
booleans) are kept, its numbers are perturbed and its items recombined for every row; ids,
references, timestamps and derived fields are made fresh, so order and conditional rules hold by
construction and no row is a copy. `replay` (defects): the example's values are kept as they are
(the nasty value is the point), with fresh ids. The validator still checks every row.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.compiler import constant
from tools.derive import compile_derives
from tools.maker_kit import Maker, RowCtx
from tools.ranged import make_ranged, precision_of
from tools.rulespec import scope_rules
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType
from tools.temporal import default_window

PERTURB = 0.15  # numbers move by up to 15% either way


@dataclass(frozen=True)
class Template:
    example_id: str
    record: dict[str, Any]
    weight: float = 1.0


class Imitator:
    def __init__(self, schema: EntitySchema, rnd: Callable[[], float]) -> None:
        self.schema = schema
        self.rnd = rnd
        self.derived = {r.target for r in scope_rules(schema.as_object(), schema.name).derives}
        self.window = default_window()

    def vary(self, template: Template) -> dict[str, Maker]:
        forced: dict[str, Maker] = {}
        for spec in self.schema.fields:
            value = template.record.get(spec.name)
            if value is None or not self._copyable(spec) or spec.type in TEMPORAL_TYPES:
                continue
            if spec.type is FieldType.ARRAY and isinstance(value, list) and value:
                # Items come from this example only: mixing examples mixes themes (a yoga mat in a
                # kitchen cart).
                forced[spec.name] = self._recombiner(spec, value, len(value))
            else:
                forced[spec.name] = self._perturber(spec, value)
        return forced

    def replay(self, template: Template) -> dict[str, Maker]:
        return {
            spec.name: constant(template.record[spec.name])
            for spec in self.schema.fields
            if spec.name in template.record and self._copyable(spec)
        }

    def _copyable(self, spec: FieldSpec) -> bool:
        """Ids, references and derived fields are the row's own; the rest may come from an example."""
        if (spec.source or "").startswith("product."):
            return True  # a product's id, SKU and name travel together
        if spec.name in self.derived or spec.unique or spec.ref or spec.type is FieldType.UUID:
            return False
        return not (spec.type is FieldType.PATTERN and spec.name.endswith("_id"))

    def _perturber(self, spec: FieldSpec, value: Any) -> Maker:
        def make(obj: dict[str, Any], ctx: RowCtx) -> Any:
            return self._perturb(spec, copy.deepcopy(value))

        return make

    def _recombiner(self, spec: FieldSpec, pool: list[Any], size: int) -> Maker:
        lo = spec.min_items if spec.min_items is not None else 1
        hi = spec.max_items if spec.max_items is not None else max(size, 1) + 2
        rnd = self.rnd

        item = spec.items
        # Items with their own rules (line_total = quantity * unit_price) are derived again.
        derives = compile_derives(item, f"{spec.name}[]") if item is not None and item.rules else []

        def make(obj: dict[str, Any], ctx: RowCtx) -> list[Any]:
            n = min(hi, max(lo, size + int(rnd() * 3) - 1))
            picked = [copy.deepcopy(pool[int(rnd() * len(pool))]) for _ in range(n)]
            if item is None:
                return picked
            out = [self._perturb(item, v) for v in picked]
            for v in out:
                for target, fn in derives if isinstance(v, dict) else ():
                    v[target] = fn(v)
            return out

        return make

    def _perturb(self, spec: FieldSpec, value: Any) -> Any:
        if spec.type is FieldType.OBJECT and isinstance(value, dict):
            for sub in spec.fields:
                if sub.name in value:
                    value[sub.name] = self._perturb(sub, value[sub.name])
            return value
        if spec.type not in NUMERIC_TYPES or isinstance(value, bool) or not isinstance(value, int | float):
            return value
        if spec.values or spec.pool or spec.source == "tax_rate":
            # Typical values stay typical (a quantity of 1 stays 1); a tax rate is its jurisdiction's.
            return value
        r = make_ranged(spec, spec.name, self.window)
        moved = value * (1 + PERTURB * (2 * self.rnd() - 1))
        raw = min(max(round(moved * r.scale), r.lo), r.hi)
        return int(raw) if spec.type is FieldType.INTEGER else round(raw / r.scale, precision_of(spec))
