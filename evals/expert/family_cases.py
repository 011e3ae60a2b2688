"""Expert cases for linked datasets: a GenerateDataset request, what its family shows, the expert's plan.

They sit beside the entity cases (evals/datasets/expert/families/, one per file) and are scored the
same way (evals/expert/family_score.py) against the keyword rules, the dataset path's deterministic
planner. A property is an entity case's property (evals/expert/properties.py) with `entity:` naming
whose rows it reads, or a family measure: `family: <name>` with `min` / `max`, where the name is one
of evals/families.py `measures` (orders_per_customer, `order.status=returned`, ...) or
`<child> per <parent>` (records of one entity per record of another: `support_ticket per order`),
or shares of one measure added with ` + ` (`items.category=Toys & Games + items.category=Baby`).
Text fields are written `entity.path` (`review.body`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.dataset_plan import DatasetPlan
from evals.expert.cases import CASE_DIR, PROPERTY_KINDS, case_docs, case_fields, check_keys
from evals.requests import CaseError

FAMILY_CASE_DIR = CASE_DIR / "families"
REQUEST_KEYS = {"entities", "seed", "context", "hints", "locale", "as_of"}


@dataclass
class FamilyCase:
    name: str
    request: dict[str, Any]  # DatasetRequest fields
    properties: list[dict[str, Any]]
    text_fields: list[str]  # `entity.path`; empty: the plan writes no text this case compares
    plan: DatasetPlan
    why: str = ""
    realism_waived: dict[str, str] = field(default_factory=dict)
    waits_for: str = ""  # as for entity cases: reported while it loses, fails once it wins


def _check(doc: dict[str, Any], where: str) -> FamilyCase:
    check_keys(doc, where)
    request = dict(doc["request"])
    if set(request) - REQUEST_KEYS or not isinstance(request.get("entities"), dict):
        raise CaseError(f"{where}: request needs `entities` and takes only {sorted(REQUEST_KEYS)}")
    for i, prop in enumerate(doc["properties"]):
        kinds = sum(k in prop for k in (*PROPERTY_KINDS, "family"))
        if kinds != 1 or ("family" not in prop and "entity" not in prop):
            raise CaseError(
                f"{where}: properties[{i}] needs `family`, or `entity` and one of {PROPERTY_KINDS}"
            )
    for path in doc.get("text_fields") or []:
        if "." not in path:
            raise CaseError(f"{where}: text field {path!r} is written entity.path")
    try:
        plan = DatasetPlan.model_validate(doc["plan"])
    except ValueError as exc:
        raise CaseError(f"{where}: the plan is not a DatasetPlan: {exc}") from exc
    return FamilyCase(plan=plan, **case_fields(doc))


def load_family_cases(name_filter: str = "", folder: Path | None = None) -> list[FamilyCase]:
    folder = FAMILY_CASE_DIR if folder is None else folder
    docs = case_docs(folder)
    cases = [c for name, doc in docs if name_filter in (c := _check(doc, f"families/{name}")).name]
    if len({c.name for c in cases}) != len(cases):
        raise CaseError("two family expert cases share a name")
    return cases
