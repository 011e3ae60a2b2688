"""The instructions and the plan checker agree: every field action the prompt offers for a field is
accepted by the checker with a valid value, and every action it does not offer is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest

from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.plan import FieldPlan, GenerationPlan, RecordTable
from agent.plan_tools import schema_summary
from agent.plannable import DISTRIBUTION, FOLLOWS, POOL, RECORD, TIME_PATTERN
from agent.prompts import INSTRUCTIONS
from agent.request import DataRequest
from tools.engine import generate
from tools.registry import default_registry

REGISTRY = default_registry()
LINE = re.compile(r"^- (\S+): .*?(?: \[plan: ([a-z_, ]+)\])?(?: \[text may be a template; [^\]]*\])?$")
ALL = (POOL, RECORD, FOLLOWS, DISTRIBUTION, TIME_PATTERN)


def _row(entity: str) -> dict[str, Any]:
    prepared = prepare(DataRequest(entity=entity, count=1, seed=5), REGISTRY)
    job, _ = build_job(prepared, plan_request(prepared.request, prepared.schema))
    return next(iter(generate(job)))[0]


def _value(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        if part.endswith("[]"):
            value = (value.get(part[:-2]) or [None])[0]
        elif isinstance(value, dict):
            value = value.get(part)
    return value


def _plan(action: str, path: str, value: Any, row: dict[str, Any]) -> GenerationPlan | None:
    if action == POOL:
        return GenerationPlan(fields=[FieldPlan(path=path, pool=[value])])
    if action == RECORD:
        return GenerationPlan(records=[RecordTable(fields=[path], rows=[[value]])])
    if action == FOLLOWS:
        keys = [k for k, v in row.items() if isinstance(v, bool) and "." not in path and k != path]
        if not keys:
            return None
        follows = {"field": keys[0], "pools": {str(row[keys[0]]).lower(): [value]}}
        return GenerationPlan(fields=[FieldPlan.model_validate({"path": path, "follows": follows})])
    if action == DISTRIBUTION:
        bins = [{"lo": value, "hi": value, "weight": 1}]
        return GenerationPlan(
            fields=[
                FieldPlan.model_validate({"path": path, "distribution": {"kind": "histogram", "bins": bins}})
            ]
        )
    return GenerationPlan(
        fields=[FieldPlan.model_validate({"path": path, "time_pattern": {"hours": [1] * 24}})]
    )


@pytest.mark.parametrize("entity", REGISTRY.names())
def test_every_field_action_the_prompt_offers_is_accepted_and_no_other(entity: str) -> None:
    schema = REGISTRY.get(entity)
    prepared = prepare(DataRequest(entity=entity, count=3, seed=5), REGISTRY)
    row = _row(entity)
    summary = schema_summary(schema)
    offered_any = False
    for line in summary.splitlines():
        m = LINE.match(line)
        if m is None or m.group(1).endswith(":"):
            continue
        path, offered = m.group(1), set((m.group(2) or "").replace(" ", "").split(",")) - {""}
        value = _value(row, path)
        for action in ALL:
            if value is None or isinstance(value, dict | list):
                continue
            plan = _plan(action, path, value, row)
            if plan is None:
                continue
            _, problems = build_job(prepared, plan)
            refused = [p for p in problems if "refused" in p]
            if action in offered:
                offered_any = True
                assert problems == [], (
                    f"{entity}.{path}: the prompt offers {action}, the checker says {problems}"
                )
            else:
                assert refused, f"{entity}.{path}: {action} is not offered, yet the checker accepts it"
    assert offered_any or entity in ("custom",), f"{entity}: a plan can set nothing on any field"


def test_the_instructions_examples_are_what_the_checker_accepts() -> None:
    # Each example the instructions give (records, pool, follows) is offered where it names a field.
    examples = [
        ("review", RECORD, ["title", "body", "rating"]),
        ("support_ticket", RECORD, ["category", "subject", "description"]),
        ("support_ticket", FOLLOWS, ["subject"]),
        ("customer", POOL, ["first_name"]),
        ("order", POOL, ["payment_method", "status"]),
    ]
    text = " ".join(INSTRUCTIONS.split())
    assert "a review's title, body and rating" in text and "ticket subject by its category" in text
    for entity, action, paths in examples:
        summary = schema_summary(REGISTRY.get(entity))
        for path in paths:
            line = next(x for x in summary.splitlines() if x.startswith(f"- {path}: "))
            assert action in line.rsplit("[plan: ", 1)[-1], f"{entity}.{path}: {line}"
