"""GenerationPlan: what the planner (model or deterministic) decides; the engine turns it into rows.

Field docstrings are instructions to the model that writes plans. Every field is optional: what a
plan leaves out comes from the schema and the deterministic planner. A plan never mentions a row
count, so one plan serves 10 rows or 10 million.
"""

from __future__ import annotations

from typing import Annotated, Any

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
    edge_case_share: float | None = Field(
        None, ge=0, le=1, description="Share of this scenario's rows that are edge cases."
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
    scenarios: list[ScenarioPlan] = Field(default_factory=list, description="Per-scenario plans, by name.")
    edge_case_share: float = Field(
        0.0, ge=0, le=1, description="Share of rows that are edge cases (0.5+ for defect hunting)."
    )
    edge_cases: list[str] = Field(
        default_factory=list,
        description="Edge-case kinds to favour (e.g. min, max, rtl_text, sql_injection, leap_day, "
        "single_item); empty means every kind the schema allows.",
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
