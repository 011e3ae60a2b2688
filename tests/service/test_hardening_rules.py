"""Issue 12 through a real server: rules and bounds in a request that once kept a core busy or came
back INTERNAL are INVALID_ARGUMENT with a short message, and the server keeps serving."""

from __future__ import annotations

import json

import grpc
import pytest

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live
from tests.service.hardening import assert_still_serving, check_refusal

pytestmark = pytest.mark.asyncio(loop_scope="module")
INVALID = grpc.StatusCode.INVALID_ARGUMENT


def _schema(fields: dict[str, object], rules: list[dict[str, str]] | None = None) -> str:
    return json.dumps({"name": "t", "fields": fields, "rules": rules or []})


async def _refused(live: Live, request: pb.GenerateRequest, *words: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await live.stub.GenerateData(request, timeout=60)
    details = check_refusal(info.value, INVALID, *words)
    await assert_still_serving(live)
    return details


async def test_a_2mb_derive_of_huge_literals_is_refused(live: Live) -> None:
    """Item 1: 1,020 numbers of 2,000 digits multiplied kept a core busy for minutes. Past 2 MB the
    custom schema is refused at the door (service/bounds.py); under it, by the rule's own limits."""
    for groups, words in ((34, ["custom_schema", "2,000,000"]), (25, ["t.rules[0]", "at most 2,000"])):
        expression = " * ".join(["(" + " * ".join(["9" * 2000] * 30) + ")"] * groups)
        schema = _schema({"x": "integer", "y": "integer"}, [{"derive": f"y = {expression}"}])
        assert len(schema) > 1_500_000
        await _refused(live, pb.GenerateRequest(custom_schema=schema, count=100), *words)


@pytest.mark.parametrize("count", [10, 100], ids=["row maker", "column maker"])
async def test_a_derive_overflowing_a_float_field_is_refused(live: Live, count: int) -> None:
    """Item 12: inf in a float field was INTERNAL (row maker) or a GenerationFailed not naming the rule."""
    rule = {"derive": "y = x" + " * 1000000000000000" * 21}
    schema = _schema({"x": {"type": "float", "min": 1, "max": 9}, "y": "float"}, [rule])
    request = pb.GenerateRequest(custom_schema=schema, count=count)
    await _refused(live, request, "y: the derive rule", "gives inf")


async def test_epoch_dates_past_year_9999_are_refused(live: Live) -> None:
    """Item 12: min=1e15 seconds on a datetime was INTERNAL."""
    constraints = pb.Constraints(field_constraints={"created_at": pb.FieldConstraint(min=1e15)})
    request = pb.GenerateRequest(entity="order", count=5, constraints=constraints)
    await _refused(live, request, "field_constraints[created_at].min", "years 1 to 9999")


async def test_a_subnormal_bound_is_refused(live: Live) -> None:
    """Item 17: min=5e-324 on a float field made values below min."""
    schema = _schema({"f": {"type": "float", "min": 5e-324, "max": 1}})
    await _refused(live, pb.GenerateRequest(custom_schema=schema, count=100), "f.min", "too close to 0")
    constraints = pb.Constraints(field_constraints={"price": pb.FieldConstraint(min=5e-324)})
    request = pb.GenerateRequest(entity="product", count=5, constraints=constraints)
    await _refused(live, request, "field_constraints[price].min", "too close to 0")
