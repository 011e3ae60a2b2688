"""What a plan may do with each field, decided in one place.

The schema summary the model reads (agent/plan_tools.schema_summary) and the plan checker
(agent/apply_plan.py) both ask `refusal`: the prompt never suggests what the checker forbids.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from tools.rulespec import scope_rules
from tools.schema import NUMERIC_TYPES, TEMPORAL_TYPES, EntitySchema, FieldSpec, FieldType

# Plan actions on one field: a value pool, a record-table column, values that follow another field,
# a distribution, a time pattern.
POOL, RECORD, FOLLOWS, DISTRIBUTION, TIME_PATTERN = (
    "pool",
    "records",
    "follows",
    "distribution",
    "time_pattern",
)
VALUE_ACTIONS = (POOL, RECORD, FOLLOWS)
_NOT_SCALAR = (FieldType.OBJECT, FieldType.ARRAY, FieldType.ADDRESS, FieldType.PATTERN)
# Values the world model makes agree with each other (an address's city, state and zip; the locale's
# currency and tax; an e-mail from the row's names; a carrier's tracking number): a plan's values
# would break that agreement.
_WORLD_SOURCES = {"street_address", "city", "state", "zip", "tax_rate", "phone", "email", "carrier"}
_WORLD_SOURCES |= {"tracking_number", "scan_location"}
_WORLD_NAMES = {"currency", "country"}
# Units on a line: the product only caps them (one of anything expensive); a plan may pool them.
QUANTITY = "product.quantity"


@dataclass
class Plannable:
    schema: EntitySchema

    @cached_property
    def derived(self) -> set[str]:
        return {r.target for r in scope_rules(self.schema.as_object(), self.schema.name).derives}

    @cached_property
    def story(self) -> dict[str, str]:
        """Fields the entity's lifecycle story writes -> the story's start field."""
        lc = self.schema.lifecycle
        return {} if lc is None else {f: lc.start for f in lc.written()}

    @property
    def status(self) -> str:
        lc = self.schema.lifecycle
        return lc.status if lc is not None else ""

    def refusal(self, action: str, path: str, spec: FieldSpec) -> str:
        """Why `action` cannot apply to the field at `path` ('' when it can), with what to do instead."""
        source = spec.source or ""
        bare = path.replace("[]", "")
        if action in VALUE_ACTIONS:
            if spec.type in _NOT_SCALAR:
                return f"{spec.type.value} fields take no values from a plan; plan their own fields"
            if source.startswith("product.") and source != QUANTITY:
                return (
                    "it comes from the line's catalogue product (id, SKU, name, price travel together); "
                    "weight `themes`, or add the context's own products with `products`"
                )
            if bare in self.derived or path in self.derived:
                return "it is computed from other fields; plan those instead"
            if spec.unique or spec.ref or spec.type is FieldType.UUID:
                return "it is an id or unique: the engine makes it"
            if source in _WORLD_SOURCES or spec.name in _WORLD_NAMES:
                return "the world model makes it agree with the row (address, locale, names); set the locale"
            if action == POOL and (spec.pools_by is not None or source.startswith("grammar.")):
                by = spec.pools_by.field if spec.pools_by is not None else "the row"
                return f"its text follows {by}: use records with those fields, or follows"
            if action == POOL and path in self.story and path != self.status:
                return "the record's story sets it at as_of; pool the status for a mix"
            if action == RECORD and "[]" in path:
                return "records fill fields of the row and its objects, not array items; use a pool"
            if action == RECORD and path in self.story:
                return (
                    "the record's story (status and its times) is told by the engine at as_of; pool the "
                    "status instead"
                )
            if action != POOL and path in self.story:
                return "the record's story sets it; use a pool of statuses for the mix"
            return ""
        if action == DISTRIBUTION:
            if spec.type not in NUMERIC_TYPES and spec.type not in TEMPORAL_TYPES:
                return "distributions need a number or a date field"
            if source.startswith("product.") or source == "tax_rate":
                return "it comes from the catalogue or the tax tables"
            if bare in self.derived or path in self.derived:
                return "it is computed from other fields; shape those instead"
            if spec.unique:
                return "it is unique: values are a permutation of its range"
            if spec.typical_by is not None:  # a lifetime value's typical range per loyalty tier
                by = spec.typical_by.field
                return f"its typical range follows {by} (one per value): pool {by} for the mix, or set bounds"
            if path in self.story:
                return f"the record's story sets it; give `{self.story[path]}` a time_pattern"
            return ""
        if action == TIME_PATTERN:
            if spec.type is not FieldType.DATETIME:
                return "time patterns need a date-time field"
            if path in self.story and self.story[path] != path:
                return f"it follows the record's story from `{self.story[path]}`: give that field the pattern"
            if bare in self.derived or path in self.derived:
                return "it is computed from other fields"
            return ""
        return f"unknown action {action}"

    def actions(self, path: str, spec: FieldSpec) -> list[str]:
        return [a for a in (*VALUE_ACTIONS, DISTRIBUTION, TIME_PATTERN) if not self.refusal(a, path, spec)]
