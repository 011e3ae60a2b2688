"""Eval cases as users send them: plain dicts in the dataset files, turned into `DataRequest`s.

The expected counts are worked out here from the README's count rule, independently of
tools/scenarios.py, so an eval catches a change in the service's arithmetic.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from agent.request import DataRequest, ScenarioRequest
from tools.constraints import FieldConstraint

DEFAULT_COUNT = 10
REQUEST_KEYS = {f.name for f in fields(DataRequest)}
SCENARIO_KEYS = {f.name for f in fields(ScenarioRequest)}
CONSTRAINT_KEYS = {f.name for f in fields(FieldConstraint)}


class CaseError(ValueError):
    """A dataset case that does not describe a request; the message names the key and the fix."""


def _check_keys(given: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise CaseError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def to_request(inputs: dict[str, Any]) -> DataRequest:
    """The request a user would send, from a case's `inputs` mapping."""
    _check_keys(inputs, REQUEST_KEYS, "inputs")
    data = dict(inputs)
    scenarios = []
    for i, s in enumerate(data.pop("scenarios", None) or []):
        _check_keys(s, SCENARIO_KEYS, f"inputs.scenarios[{i}]")
        overrides = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in (s.get("overrides") or {}).items()
        }
        scenarios.append(ScenarioRequest(**{**s, "overrides": overrides}))
    constraints = {}
    for path, c in (data.pop("constraints", None) or {}).items():
        _check_keys(c, CONSTRAINT_KEYS, f"inputs.constraints[{path}]")
        # The proto's min and max are doubles: send floats, as every real client does.
        bounds = {k: float(c[k]) for k in ("min", "max") if c.get(k) is not None}
        constraints[path] = FieldConstraint(**{**c, **bounds})
    for key in ("custom_schema", "inline_schema"):
        if isinstance(data.get(key), dict):
            data[key] = json.dumps(data[key])  # datasets may write schemas as YAML mappings
    return DataRequest(**data, scenarios=scenarios, constraints=constraints)


def scenario_names(request: DataRequest) -> list[str]:
    if not request.scenarios:
        return ["default"]
    return [s.name.strip() or f"scenario_{i + 1}" for i, s in enumerate(request.scenarios)]


def expected_counts(request: DataRequest) -> dict[str, int]:
    """Rows per scenario by the README's rule (the request is assumed valid)."""
    if not request.scenarios:
        return {"default": request.count or DEFAULT_COUNT}
    names = scenario_names(request)
    asked = [s.count for s in request.scenarios]
    if request.count == 0:
        return {n: c or DEFAULT_COUNT for n, c in zip(names, asked, strict=True)}
    open_slots = [i for i, c in enumerate(asked) if c == 0]
    out = list(asked)
    if open_slots:
        share, odd = divmod(request.count - sum(asked), len(open_slots))
        for k, i in enumerate(open_slots):
            out[i] = share + (1 if k < odd else 0)
    return dict(zip(names, out, strict=True))


def values_at(value: Any, path: str) -> list[Any]:
    """Every value at a schema path (`total`, `items[].price`, `shipping_address.city`) in a row."""
    out = [value]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part.removesuffix("[]")
        nxt: list[Any] = []
        for v in out:
            if not isinstance(v, dict) or key not in v:
                continue
            got = v[key]
            if many:
                nxt.extend(got if isinstance(got, list) else [])
            else:
                nxt.append(got)
        out = nxt
    return out
