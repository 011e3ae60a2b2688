"""Expert cases as data: the request, the properties fitting rows have, and the expert's plan."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from agent.plan import GenerationPlan
from evals.requests import CaseError, to_request

CASE_DIR = Path(__file__).parent.parent / "datasets" / "expert"
CASE_KEYS = {"name", "why", "request", "properties", "text_fields", "plan", "realism_waived", "waits_for"}
PROPERTY_KINDS = ("terms", "covers", "share", "quantile")


@dataclass
class ExpertCase:
    name: str
    request: dict[str, Any]  # DataRequest fields, as evals/datasets/*.yaml write `inputs`
    properties: list[dict[str, Any]]  # what fitting rows show (evals/expert/properties.py)
    text_fields: list[str]  # paths whose text diversity is compared; empty: the entity has none to write
    plan: GenerationPlan  # the expert's plan
    why: str = ""  # one line: what the context asks for
    # Realism measures the context overrides on purpose (a fraud wave has many tiny payments), with why.
    realism_waived: dict[str, str] = field(default_factory=dict)
    # What the engine lacks for this plan to win (a plan feature not built yet): the case is run and
    # reported, and does not fail the run while it loses; once it wins, the marker must go.
    waits_for: str = ""


def check_keys(doc: dict[str, Any], where: str) -> None:
    """The keys every expert case file has (entity or linked dataset), and no others."""
    unknown = sorted(set(doc) - CASE_KEYS)
    if unknown:
        raise CaseError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(CASE_KEYS)}")
    for key in ("name", "request", "properties", "plan"):
        if key not in doc:
            raise CaseError(f"{where}: missing {key!r}")


def case_docs(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, mapping) for every case file in `folder`, one case per file, in name order."""
    for path in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict):
            raise CaseError(f"{path.name}: expected one case (a mapping)")
        yield path.name, doc


def _check(doc: dict[str, Any], where: str) -> ExpertCase:
    check_keys(doc, where)
    to_request(doc["request"])  # a typo in the request fails here, not mid-run
    for i, prop in enumerate(doc["properties"]):
        if sum(k in prop for k in PROPERTY_KINDS) != 1:
            raise CaseError(f"{where}: properties[{i}] needs exactly one of {PROPERTY_KINDS}")
    try:
        plan = GenerationPlan.model_validate(doc["plan"])
    except ValueError as exc:
        raise CaseError(f"{where}: the plan is not a GenerationPlan: {exc}") from exc
    return ExpertCase(plan=plan, **case_fields(doc))


def case_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """A checked case file's fields but its plan, as both kinds of case keep them."""
    return {
        "name": str(doc["name"]),
        "request": dict(doc["request"]),
        "properties": list(doc["properties"]),
        "text_fields": list(doc.get("text_fields") or []),
        "why": str(doc.get("why", "")),
        "realism_waived": dict(doc.get("realism_waived") or {}),
        "waits_for": str(doc.get("waits_for") or ""),
    }


def load_cases(name_filter: str = "", folder: Path = CASE_DIR) -> list[ExpertCase]:
    """Every case file in `folder` (one case per file), sorted by name; `name_filter` keeps the cases
    whose name contains it."""
    cases = [c for name, doc in case_docs(folder) if name_filter in (c := _check(doc, name)).name]
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise CaseError("two expert cases share a name")
    return cases
