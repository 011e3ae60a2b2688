"""Checking examples against their entity's schema: good ones are stored, bad ones come back with reasons."""

from __future__ import annotations

from retrieval.examples import Example
from tools.errors import DataError
from tools.registry import Registry
from tools.validator import compile_validator
from tools.world.magnitudes import in_currency
from tools.world.prices import SCALE

MAX_RECORDS = 200


def check_example(example: Example, registry: Registry) -> list[str]:
    """Every reason the example cannot be stored (empty: it is fine)."""
    try:
        schema = registry.get(example.entity, example.domain)
    except DataError as exc:
        return [exc.message]
    if len(example.data) > MAX_RECORDS:
        return [f"data has {len(example.data)} records; at most {MAX_RECORDS} per example"]
    validate = compile_validator(schema)
    reasons = []
    for i, record in enumerate(example.data):
        body = {k: v for k, v in record.items() if not k.startswith("_")}
        check = validate
        currency = body.get("currency")
        if (
            isinstance(currency, str) and currency in SCALE
        ):  # a yen receipt: its amounts in yen (tools/world/magnitudes.py)
            check = compile_validator(in_currency(schema, currency, rows_are=True))
        for v in check(body)[:3]:
            reasons.append(f"data[{i}].{v.path}: {v.message} [{v.rule}]")
    return reasons[:10]
