"""The generation request as plain data: what service/ makes from the proto and the CLI from flags."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.constraints import FieldConstraint


@dataclass
class ScenarioRequest:
    name: str
    count: int = 0
    overrides: dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass
class DataRequest:
    entity: str = ""
    domain: str = ""
    request_id: str = ""
    count: int = 0
    output_format: str = "json"
    seed: int | None = None
    locale: str = ""
    scenarios: list[ScenarioRequest] = field(default_factory=list)
    constraints: dict[str, FieldConstraint] = field(default_factory=dict)
    context: str = ""
    hints: list[str] = field(default_factory=list)
    # Schemas sent with the request (the first one present wins, in this order).
    custom_schema: str = ""
    inline_schema: str = ""
    schema_fields: list[dict] = field(default_factory=list)  # proto Field list as FieldSpec-shaped dicts
    predefined_schema: str = ""
    defect_triggering: bool = False
    negative: bool = False
    learn_from_history: bool = False
    production_like: bool = False
    generation_method: str | None = None  # traditional | llm | rag | hybrid; None: the service decides
    use_cache: bool | None = None
    chunk_size: int = 0
    csv_safe: bool = True  # CSV text cells a spreadsheet would run as formulas get a leading quote
    as_of: str = ""  # RFC 3339 instant the rows describe; empty: tools/temporal.REFERENCE_TIME
