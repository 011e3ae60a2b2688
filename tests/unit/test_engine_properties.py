"""Property tests over every registry entity and random valid constraints.

For any entity and any constraints that fit its fields, every row passes the validator, edge-case rows
included; every negative row breaks exactly the rule it is tagged with.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.request import DataRequest
from tests.helpers import rows_for
from tools.constraints import FieldConstraint
from tools.ranged import make_ranged
from tools.registry import default_registry
from tools.rulespec import scope_rules
from tools.schema import NUMERIC_TYPES, EntitySchema, FieldSpec, FieldType, field_paths, find_field
from tools.temporal import default_window
from tools.validator import compile_validator, validate_rows

ENTITIES = default_registry().names()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _constrainable(schema: EntitySchema) -> list[tuple[str, FieldSpec]]:
    """Numeric fields that are drawn, not derived and not in an order rule: safe to narrow."""
    out = []
    for path in field_paths(schema.as_object()):
        spec = find_field(schema, path)
        if spec is None or spec.type not in NUMERIC_TYPES or spec.pools_by is not None:
            continue
        if spec.source == "tax_rate":
            continue  # follows the jurisdiction; test_world_rows.py narrows it on purpose
        parent = find_field(schema, path.rsplit(".", 1)[0].replace("[]", "")) if "." in path else None
        scope = parent.items if parent is not None and parent.type is FieldType.ARRAY else parent
        scope = scope or schema.as_object()
        rules = scope_rules(scope, scope.name)
        if spec.name in {r.target for r in rules.derives} | rules.chain_members:
            continue
        out.append((path, spec))
    return out


@st.composite
def constrained_requests(draw: Any) -> DataRequest:
    entity = draw(st.sampled_from(ENTITIES))
    schema = default_registry().get(entity)
    constraints = {}
    candidates = _constrainable(schema)
    if candidates:
        path, spec = draw(st.sampled_from(candidates))
        r = make_ranged(spec, path, default_window())
        lo = draw(st.integers(r.lo, r.hi))
        hi = draw(st.integers(lo, r.hi))
        constraints[path] = FieldConstraint(min=r.out(lo), max=r.out(hi))
    return DataRequest(
        entity=entity,
        count=draw(st.integers(1, 25)),
        seed=draw(st.integers(0, 2**63 - 1)),
        constraints=constraints,
        defect_triggering=draw(st.booleans()),
    )


@SETTINGS
@given(constrained_requests())
def test_every_row_passes_the_validator(request: DataRequest) -> None:
    from tools.constraints import apply_constraints

    schema = apply_constraints(default_registry().get(request.entity), request.constraints)
    validate = compile_validator(schema)
    rows = rows_for(request)
    assert len(rows) == request.count
    assert [v for v in validate_rows(schema, rows) if v.rule == "unique"] == []
    for row in rows:
        assert validate(row) == [], (row.get("_edge_case"), row)
        for path, c in request.constraints.items():
            assert _values_at(row, path), path
            for v in _values_at(row, path):
                assert v is None or c.min <= v <= c.max


@SETTINGS
@given(st.sampled_from(ENTITIES), st.integers(0, 2**32))
def test_edge_case_rows_keep_every_rule_and_say_what_they_exercise(entity: str, seed: int) -> None:
    schema = default_registry().get(entity)
    rows = rows_for(DataRequest(entity=entity, count=40, seed=seed, defect_triggering=True))
    validate = compile_validator(schema)
    edges = [r for r in rows if "_edge_case" in r]
    assert len(edges) >= len(rows) // 2
    assert len({r["_edge_case"] for r in edges}) >= min(10, len(edges) // 2)
    for row in rows:
        assert validate(row) == []
    assert validate_rows(schema, rows) == []  # edge cases never repeat a key


@SETTINGS
@given(st.sampled_from(ENTITIES), st.integers(0, 2**32))
def test_negative_rows_break_exactly_their_tagged_rule(entity: str, seed: int) -> None:
    schema = default_registry().get(entity)
    rows = rows_for(DataRequest(entity=entity, count=30, seed=seed, negative=True))
    validate = compile_validator(schema)
    rules = set()
    for row in rows:
        tag = row["_violates"]
        found = validate(row)
        assert len(found) == 1, (tag, found)
        assert (found[0].rule, found[0].path) == (tag["rule"], tag["path"])
        rules.add(tag["rule"])
    assert len(rules) >= min(3, len(rows))


def _values_at(row: dict[str, Any], path: str) -> list[Any]:
    values: list[Any] = [row]
    for part in path.split("."):
        nxt: list[Any] = []
        for v in values:
            if part.endswith("[]"):
                nxt.extend(v.get(part[:-2]) or [])
            elif isinstance(v, dict):
                nxt.append(v.get(part))
        values = nxt
    return values
