"""The schema model: what an entity's rows look like and the rules that tie their fields together.

Entities come from the registry's data files, from a request's proto field list, or from a JSON schema
document a client sends; all three end up as an `EntitySchema`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tools.errors import quoted
from tools.links import DatasetLink, Rollup


class FieldType(StrEnum):
    # The contract's 13 types, in its enum order.
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"
    UUID = "uuid"
    ENUM = "enum"
    OBJECT = "object"
    ARRAY = "array"
    # Richer types the registry and custom schemas use.
    MONEY = "money"
    TEXT = "text"
    URL = "url"
    IP = "ip"
    COUNTRY = "country"
    CURRENCY = "currency"
    PATTERN = "pattern"


NUMERIC_TYPES = frozenset({FieldType.INTEGER, FieldType.FLOAT, FieldType.MONEY})
TEMPORAL_TYPES = frozenset({FieldType.DATE, FieldType.DATETIME})
STRING_TYPES = frozenset(
    {
        FieldType.STRING,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.UUID,
        FieldType.TEXT,
        FieldType.URL,
        FieldType.IP,
        FieldType.COUNTRY,
        FieldType.CURRENCY,
        FieldType.PATTERN,
    }
)

_NAME = re.compile(r"^[A-Za-z0-9_]+$")
MAX_NAME = 128


class PoolsBy(BaseModel):
    """Value pools chosen by another field's value (review text by rating, ticket subject by category)."""

    model_config = ConfigDict(extra="forbid")
    field: str
    pools: dict[str, list[Any]]


class TypicalBy(BaseModel):
    """Typical ranges chosen by another field's value (a customer's lifetime value by loyalty tier)."""

    model_config = ConfigDict(extra="forbid")
    field: str
    ranges: dict[str, list[float]]  # value of `field` -> [p10, p90], as FieldSpec.typical

    @model_validator(mode="after")
    def _check_ranges(self) -> TypicalBy:
        for key, pair in self.ranges.items():
            if len(pair) != 2 or not 0 < pair[0] < pair[1]:
                raise ValueError(
                    f"typical_by range {key!r} is [p10, p90]: two positive numbers, the first smaller"
                )
        return self


class Distribution(BaseModel):
    """The shape of a number's or a date's values inside its bounds (tools/shapes.py): `normal` with
    mean and sd, or `histogram` with bars [lo, hi, weight] (ISO dates for dates)."""

    model_config = ConfigDict(extra="forbid")
    kind: str
    mean: float | None = None
    sd: float | None = None
    bins: list[tuple[float | str, float | str, float]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Distribution:
        if self.kind == "normal":
            if self.mean is None or self.sd is None or not self.sd > 0:
                raise ValueError("a normal distribution needs a mean and an sd above 0")
        elif self.kind == "histogram":
            if not 1 <= len(self.bins) <= 64 or not any(w > 0 for _, _, w in self.bins):
                raise ValueError("a histogram needs 1 to 64 bars [lo, hi, weight], one weight above 0")
        else:
            raise ValueError(f"distribution kind {self.kind!r}: use normal or histogram")
        return self


class Lifecycle(BaseModel):
    """A record that lives through states (an order placed, shipped, delivered): its status and event
    times are one story told at the request's `as_of` (tools/world/lifecycle.py)."""

    model_config = ConfigDict(extra="forbid")

    model: str  # a story model of tools/world/lifecycle.py MODELS
    start: str  # the time field the story starts at (drawn with the model's time profile)
    status: str  # the status field: the story's state at as_of
    times: dict[str, str] = Field(default_factory=dict)  # story event -> time field (null until then)
    updated: str | None = None  # the time of the last event at as_of
    # Planned dates the story promises (its attribute -> field), set whether or not as_of has passed them.
    planned: dict[str, str] = Field(default_factory=dict)
    # Facts the story follows -> the fields they are read from ({service: shipping, method: payment_method}).
    reads: dict[str, str] = Field(default_factory=dict)

    def written(self) -> list[str]:
        updated = [self.updated] if self.updated else []
        return [self.start, self.status, *self.times.values(), *self.planned.values(), *updated]


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    type: FieldType
    description: str = ""
    required: bool = True
    nullable: bool = False
    null_rate: float = Field(0.0, ge=0.0, le=1.0)
    # Realistic value source (see tools/pools.py SOURCES), for example first_name or product_name.
    source: str | None = None
    # Numbers: bounds. Dates: ISO strings (or epoch seconds).
    min: float | str | None = None
    max: float | str | None = None
    # Allowed values (an enum) with optional weights; the validator enforces them.
    values: list[Any] | None = None
    weights: list[float] | None = None
    # Candidate values (not a restriction): authored pools the generator samples from.
    pool: list[Any] | None = None
    pool_weights: list[float] | None = None
    pools_by: PoolsBy | None = None
    regex: str | None = None
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=0)
    # A named format (email, uuid, url, ipv4, ...), a strftime pattern for dates, or an id template
    # such as "CRT-{year}-{alnum:7}" for pattern fields.
    format: str | None = None
    precision: int | None = Field(None, ge=0, le=10)
    # Numbers: [p10, p90] of a log-normal the values follow inside min..max (amounts people spend:
    # most payments tens to hundreds, a few thousands). Without it money is log-uniform, numbers uniform.
    typical: list[float] | None = None
    typical_by: TypicalBy | None = None
    # Numbers and dates: a plan's shape of the values (normal, histogram), in place of the above.
    distribution: Distribution | None = None
    # Money: the ISO 4217 currency its bounds are in, set for a locale whose currency has other
    # magnitudes (tools/world/magnitudes.py); catalogue prices are then listed in it.
    currency: str | None = None
    unique: bool = False
    # Objects (and array items that are objects).
    fields: list[FieldSpec] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    # Arrays.
    items: FieldSpec | None = None
    min_items: int | None = Field(None, ge=0)
    max_items: int | None = Field(None, ge=0)
    # Arrays: weight of each item count, count_weights[k] for k items (counts past the list: 0); without
    # it, or when no count within min_items..max_items has weight, counts are uniform.
    count_weights: list[float] | None = None
    # The entity an id field refers to (`order_id` in a payment is an order's id).
    ref: str | None = None
    example: Any = None
    # Datetimes: when in the day, week and year they fall (tools/world/data/time.yaml kinds: shopping,
    # reviews, support, activity, signups); without it, uniform.
    time_profile: str | None = None
    # Objects: a story its status and event times follow (set from EntitySchema.lifecycle).
    lifecycle: Lifecycle | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> FieldSpec:
        if len(self.name) > MAX_NAME:  # every message and row key repeats it
            raise ValueError(f"field name {quoted(self.name)} is longer than {MAX_NAME} characters")
        if not _NAME.match(self.name) and self.name != "items[]":
            raise ValueError(f"field name {quoted(self.name)} must be letters, digits and underscores")
        if self.name.startswith("_"):
            raise ValueError(
                f"field name {quoted(self.name)}: names starting with _ are kept for row metadata"
            )
        if self.type is FieldType.ARRAY and self.items is None:
            self.items = FieldSpec(name="items[]", type=FieldType.STRING)
        if self.null_rate > 0:
            self.nullable = True
        typical = self.typical
        if typical is not None and (len(typical) != 2 or not 0 < typical[0] < typical[1]):
            raise ValueError("typical is [p10, p90]: two positive numbers, the first smaller")
        if (typical is not None or self.typical_by is not None) and self.type not in NUMERIC_TYPES:
            raise ValueError(f"typical and typical_by are for number fields, not {self.type.value}")
        weights = self.count_weights
        if weights is not None and self.type is not FieldType.ARRAY:
            raise ValueError("count_weights is for arrays: the weights of their item counts")
        if weights is not None and not all(0 <= w <= 1e9 for w in weights):  # NaN fails too
            raise ValueError("count_weights are weights from 0 to 1e9 (count_weights[k] for k items)")
        _check_weights(self.values, self.weights, "weights")
        _check_weights(self.pool, self.pool_weights, "pool_weights")
        if self.values and self.type in NUMERIC_TYPES:
            bad = [v for v in self.values if isinstance(v, bool) or not isinstance(v, int | float)]
            if bad:
                raise ValueError(f"values {bad[:3]} are not numbers, as a {self.type.value} field needs")
        if (
            self.values
            and self.type is FieldType.BOOLEAN
            and any(not isinstance(v, bool) for v in self.values)
        ):
            raise ValueError("values of a boolean field must be true or false")
        return self

    @property
    def is_nullable(self) -> bool:
        return self.nullable or not self.required

    def child(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


def _check_weights(values: list[Any] | None, weights: list[float] | None, name: str) -> None:
    if weights is None:
        return
    if values is None or len(weights) != len(values):
        raise ValueError(f"{name} needs one weight per value ({len(weights)} for {len(values or [])})")
    if any(w < 0 for w in weights) or not any(w > 0 for w in weights):
        raise ValueError(f"{name} must be zero or more, and not all zero")


class DeriveRule(BaseModel):
    """`target = expression`; expressions use fields of the same object, `arr[].f` inside sum/min/max,
    numbers, + - * / and round, sum, min, max, abs, count."""

    model_config = ConfigDict(extra="forbid")
    derive: str

    @property
    def target(self) -> str:
        return self.derive.split("=", 1)[0].strip()

    @property
    def expression(self) -> str:
        return self.derive.split("=", 1)[1].strip() if "=" in self.derive else ""

    def describe(self) -> str:
        return f"derive {self.target}"


class OrderRule(BaseModel):
    """The listed fields never decrease, in list order (fields that are null are skipped).
    `min_gap` and `max_gap` bound each step for dates (durations such as 45m, 2h, 30d); the engine
    keeps to them, the validator checks only the order."""

    model_config = ConfigDict(extra="forbid")
    order: list[str] = Field(min_length=2)
    max_gap: str | None = None
    min_gap: str | None = None

    def describe(self) -> str:
        return "order " + " <= ".join(self.order)


class PresentIf(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    field: str
    when: str
    in_: list[Any] = Field(alias="in")


class PresentIfRule(BaseModel):
    """`field` holds a value exactly when `when` is one of `in`; otherwise it is null."""

    model_config = ConfigDict(extra="forbid")
    present_if: PresentIf

    def describe(self) -> str:
        p = self.present_if
        return f"{p.field} present only if {p.when} in {p.in_}"


Rule = DeriveRule | OrderRule | PresentIfRule


class EntitySchema(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    domain: str = "custom"
    description: str = ""
    id_field: str | None = None
    fields: list[FieldSpec]
    rules: list[Rule] = Field(default_factory=list)
    # What realistic rows must show beyond the rules (for the coherence score), e.g. "items_theme_affinity".
    checks: list[str] = Field(default_factory=list)
    example: dict[str, Any] | None = None
    # Where this entity hangs in a linked dataset (parent, cardinality, what it takes from ancestors).
    dataset: DatasetLink | None = None
    lifecycle: Lifecycle | None = None
    # A root's fields no less than sums over its family in a linked dataset (tools/rollups.py).
    rollup: dict[str, Rollup] = Field(default_factory=dict)

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def as_object(self) -> FieldSpec:
        """The entity as one object field: the engine and validator walk both the same way."""
        return FieldSpec(
            name=self.name,
            type=FieldType.OBJECT,
            fields=self.fields,
            rules=self.rules,
            lifecycle=self.lifecycle,
        )


FieldSpec.model_rebuild()


def find_field(schema: EntitySchema, path: str) -> FieldSpec | None:
    """Resolve `a.b`, `items[].price` or `items.price` to its FieldSpec."""
    if len(path) > 16 * MAX_NAME:  # deeper than any schema nests: no field (and no 4-million-part split)
        return None
    spec: FieldSpec | None = schema.as_object()
    for part in path.replace("[]", "").split("."):
        if spec is None:
            return None
        if spec.type is FieldType.ARRAY and spec.items is not None:
            spec = spec.items
        spec = spec.child(part) if spec.type is FieldType.OBJECT or spec.fields else None
    return spec


def field_paths(spec: FieldSpec, prefix: str = "") -> list[str]:
    """Every addressable path under an object spec, in schema order (`items[].price` style)."""
    out: list[str] = []
    for f in spec.fields:
        path = f"{prefix}{f.name}"
        out.append(path)
        if f.type is FieldType.ARRAY and f.items is not None and f.items.fields:
            out.extend(field_paths(f.items, path + "[]."))
        elif f.fields:
            out.extend(field_paths(f, path + "."))
    return out
