"""GenerationPlan: what the planner (model or deterministic) decides; the engine turns it into rows.

Field docstrings are instructions to the model that writes plans. Every field is optional: what a
plan leaves out comes from the schema and the deterministic planner. A plan never mentions a row
count, so one plan serves 10 rows or 10 million.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from tools.world.timeline import checked_peaks

Scalar = str | int | float | bool
# Named sales peaks a plan amplifies (tools/world/timeline.py): known names, multipliers 0 to 10.
Peaks = Annotated[dict[str, float], AfterValidator(checked_peaks)]


def peaks_field() -> Any:
    """The `peaks` field of GenerationPlan and DatasetPlan, described once for the model."""
    return Field(
        default_factory=dict,
        description="Named sales peaks to amplify or damp when the context is about them (a 'holiday "
        "rush': {'black_friday': 2, 'cyber_monday': 2}); 1 keeps a peak as it is, 0 flattens it. Names: "
        "thanksgiving, black_friday, black_friday_saturday, black_friday_sunday, cyber_monday, "
        "prime_day, prime_day_2. Empty: the usual year.",
    )


def products_field(rows: str) -> Any:
    """The `products` field of GenerationPlan and DatasetPlan; `rows`: what then holds them, after
    the punctuation that leads to it."""
    return Field(
        default_factory=list,
        description="Products the context calls for that the catalogue lacks (a new range, a niche shop)"
        f"{rows} then draw product_share of their products from these. Leave empty when themes fit.",
    )


def product_share_field() -> Any:
    return Field(
        1.0, gt=0, le=1, description="Share of product picks from `products` (the rest from themes)."
    )


class Bin(BaseModel):
    """One bar of a histogram: values from `lo` to `hi`, drawn `weight` times as often as a weight of 1."""

    model_config = ConfigDict(extra="forbid")
    lo: float | str = Field(description="Lowest value of the bar (a number, or an ISO date for dates).")
    hi: float | str = Field(description="Highest value of the bar.")
    weight: float = Field(1.0, ge=0, description="Relative frequency of the bar.")


class Distribution(BaseModel):
    """The shape of a number's or a date's values. Bounds still hold: draws outside are clipped."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["lognormal", "normal", "histogram"] = Field(
        description="lognormal (skewed money and durations: set p10 and p90), normal (mean and sd), "
        "histogram (bins)."
    )
    p10: float | None = Field(None, description="lognormal: the value 10% of rows fall below (> 0).")
    p90: float | None = Field(None, description="lognormal: the value 90% of rows fall below (> p10).")
    mean: float | None = Field(None, description="normal: the mean.")
    sd: float | None = Field(None, gt=0, description="normal: the standard deviation.")
    bins: list[Bin] = Field(default_factory=list, description="histogram: 1-24 bars.")


class Follows(BaseModel):
    """Values that depend on another field: a review title chosen by its rating, a ticket subject by
    its category. Rows whose key has no list keep the field's usual values."""

    model_config = ConfigDict(extra="forbid")
    field: str = Field(description="The other field's name (in the same object as this one).")
    pools: dict[str, list[Scalar]] = Field(
        description="The other field's value (as text: '5', 'true', 'billing') -> candidate values "
        "for this field, 3-15 each."
    )


class TimePattern(BaseModel):
    """Relative weights of local hours, weekdays and months; leave a list out to keep its usual shape."""

    model_config = ConfigDict(extra="forbid")
    hours: list[float] | None = Field(None, description="24 weights, local hour 0 to 23.")
    weekdays: list[float] | None = Field(None, description="7 weights, Monday to Sunday.")
    months: list[float] | None = Field(None, description="12 weights, January to December.")


class RecordTable(BaseModel):
    """Values that belong together, drawn as one: each row takes one entry of `rows` for all of
    `fields` (a review's title, body and rating; a ticket's subject and description). The engine
    makes every other field and keeps every rule. A long free text (a review body, a ticket
    description; not a title) opens with the entry's text and goes on in the row's tone, so entries
    are few and rows still differ. A text the schema summary marks as a template may hold choices
    drawn per row ([a|b], [?optional], {n:2-9}, {money:5-40}, the rules it lists); a template is
    used whole."""

    model_config = ConfigDict(extra="forbid")
    fields: list[str] = Field(description="Field paths the entries fill, e.g. ['title', 'body', 'rating'].")
    rows: list[list[Scalar]] = Field(
        description="Entries, one value per field in the order of `fields`; 6-30 varied entries."
    )
    weights: list[float] | None = Field(None, description="Relative frequency of each entry, one per row.")


class EdgeValue(BaseModel):
    """A domain edge case as a concrete value (a 0.01 refund, a 255-character street, a product name
    with an HTML tag): rows that are edge cases may take it. It must keep the field's constraints."""

    model_config = ConfigDict(extra="forbid")
    path: str = Field(description="Field path, as in the schema.")
    value: Scalar = Field(description="The value.")
    label: str = Field(
        description="Short snake_case name of the case, shown in the row's `_edge_case` as path=label."
    )


class FieldPlan(BaseModel):
    """How one field's values should look. Only set what the request's context calls for."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(
        description="Field path as in the schema: `total`, `items[].name`, `shipping_address.city`."
    )
    pool: list[Scalar] | None = Field(
        None,
        description="Realistic candidate values to draw from, written for this context (review titles, "
        "product names for a holiday sale, support-ticket subjects). 8-40 varied entries; each must "
        "satisfy the field's constraints (values that do not are dropped).",
    )
    weights: list[float] | None = Field(
        None, description="Relative frequency of each pool entry, same length as pool."
    )
    min: float | str | None = Field(
        None, description="A tighter lower bound for this context (never looser than the schema's)."
    )
    max: float | str | None = Field(
        None, description="A tighter upper bound for this context (never looser than the schema's)."
    )
    min_items: int | None = Field(None, description="Arrays: fewest items for this context.")
    max_items: int | None = Field(None, description="Arrays: most items for this context.")
    null_rate: float | None = Field(
        None, ge=0, le=1, description="Optional fields: the share of rows where it is null."
    )
    distribution: Distribution | None = Field(
        None, description="Numbers and dates: the shape of the values inside the field's bounds."
    )
    follows: Follows | None = Field(
        None, description="Values chosen by another field's value of the same object (text by rating)."
    )
    time_pattern: TimePattern | None = Field(
        None, description="Date-times: when in the day, week and year the events happen."
    )


class ProductAddition(BaseModel):
    """A product the context calls for that no catalogue theme holds (a snorkel mask for a swim range,
    a sourdough starter for a baking shop). It joins the catalogue for this plan's rows only: rows that
    hold products (product tables, carts, orders, wishlists) get it with an id, SKU and one list price
    of its own, and every rule still holds (totals, tax by its category)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The product title as a shop shows it ('Anti-Fog Snorkel Mask Adult').")
    category: str = Field(description="A store department of the catalogue, e.g. 'Sports & Fitness'.")
    brand: str = Field(description="The brand (a plausible one; not a real trademark you are unsure of).")
    description: str = Field("", description="One sentence of product copy.")
    price: float | None = Field(None, description="The one list price in USD (or give price_band).")
    price_band: list[float] | None = Field(
        None, description="[low, high] in USD for a line with attributes: its products' prices rise along it."
    )
    attributes: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Options that make a product line, one product per combination (at most 24), e.g. "
        "{'colour': ['Black', 'Coral'], 'size': ['S/M', 'L/XL']}; sizes last, small to large.",
    )
    near_theme: str = Field(
        "", description="The catalogue theme closest to it (baskets add that theme's products now and then)."
    )


class SegmentPlan(BaseModel):
    """A sub-population the context implies (bargain hunters, first-time buyers, corporate accounts):
    a share of a scenario's rows with plans of its own. Rows outside every segment follow the
    scenario's (or the plan's) own field plans."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="A short name for the segment, e.g. 'bargain_hunters'.")
    share: float = Field(
        gt=0, le=1, description="Share of the scenario's rows in this segment; all together at most 1."
    )
    intent: str = Field("", description="One sentence: who these rows are.")
    themes: dict[str, float] = Field(
        default_factory=dict, description="Catalogue theme weights for this segment's products."
    )
    fields: list[FieldPlan] = Field(
        default_factory=list, description="Field plans for this segment, on top of the scenario's."
    )
    records: list[RecordTable] = Field(
        default_factory=list, description="Record tables for this segment (replace the scenario's)."
    )


class ScenarioPlan(BaseModel):
    """The plan for one named scenario of the request."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The scenario's name exactly as in the request.")
    intent: str = Field("", description="One sentence: what rows of this scenario represent.")
    themes: dict[str, float] = Field(
        default_factory=dict,
        description="Catalogue theme weights for products in this scenario (theme name -> weight).",
    )
    fields: list[FieldPlan] = Field(
        default_factory=list, description="Field plans that apply to this scenario only."
    )
    records: list[RecordTable] = Field(
        default_factory=list, description="Record tables for this scenario only (replace the plan's own)."
    )
    edge_case_share: float | None = Field(
        None, ge=0, le=1, description="Share of this scenario's rows that are edge cases."
    )
    segments: list[SegmentPlan] = Field(
        default_factory=list, description="Sub-populations of this scenario (replace the plan's segments)."
    )


class GenerationPlan(BaseModel):
    """A plan for generating one entity's rows. Write only what the context calls for."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field("", description="One or two sentences: the dataset this plan produces and why.")
    themes: dict[str, float] = Field(
        default_factory=dict,
        description="Catalogue theme weights for every scenario (e.g. {'fitness': 3, 'electronics': 1}).",
    )
    fields: list[FieldPlan] = Field(default_factory=list, description="Field plans for every scenario.")
    records: list[RecordTable] = Field(
        default_factory=list, description="Record tables: values that belong together, for every scenario."
    )
    products: list[ProductAddition] = products_field("; rows")
    product_share: float = product_share_field()
    scenarios: list[ScenarioPlan] = Field(default_factory=list, description="Per-scenario plans, by name.")
    segments: list[SegmentPlan] = Field(
        default_factory=list,
        description="Sub-populations of every scenario without segments of its own (shares of its rows).",
    )
    edge_case_share: float = Field(
        0.0, ge=0, le=1, description="Share of rows that are edge cases (0.5+ for defect hunting)."
    )
    edge_cases: list[str] = Field(
        default_factory=list,
        description="Edge-case kinds to favour (e.g. min, max, rtl_text, sql_injection, leap_day, "
        "single_item); empty means every kind the schema allows.",
    )
    edge_values: list[EdgeValue] = Field(
        default_factory=list,
        description="Domain edge cases as concrete values; they need edge_case_share > 0 to appear.",
    )
    examples: list[str] = Field(
        default_factory=list, description="Ids of retrieved examples this plan imitates."
    )
    assumptions: list[str] = Field(
        default_factory=list, description="Assumptions made where the request was silent."
    )
    peaks: Peaks = peaks_field()

    def scenario(self, name: str) -> ScenarioPlan | None:
        for s in self.scenarios:
            if s.name == name:
                return s
        return None
