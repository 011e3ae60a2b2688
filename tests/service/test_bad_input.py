"""Bad input over the wire: the right status code, a message naming the field and the fix, and the
server keeps serving. The last test checks health after all of them."""

from __future__ import annotations

import asyncio
import json

import grpc
import pytest

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")
INVALID = grpc.StatusCode.INVALID_ARGUMENT


async def _status(live: Live, request: pb.GenerateRequest) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await live.stub.GenerateData(request)
    return info.value.code(), info.value.details() or ""


def _constraint(path: str, **fields: object) -> pb.Constraints:
    return pb.Constraints(field_constraints={path: pb.FieldConstraint(**fields)})


CASES = [
    ("negative count", pb.GenerateRequest(entity="cart", count=-5), INVALID, "count"),
    (
        "parquet over an rpc",
        pb.GenerateRequest(entity="cart", output_format=pb.PARQUET),
        INVALID,
        "--format parquet",
    ),
    (
        "unary count above the limit",
        pb.GenerateRequest(entity="cart", count=10_001),
        INVALID,
        "GenerateDataStream",
    ),
    ("unknown entity", pb.GenerateRequest(entity="shoppingcart"), grpc.StatusCode.NOT_FOUND, "did you mean"),
    (
        "malformed inline_schema",
        pb.GenerateRequest(inline_schema='{"name": "x", "fields": {'),
        INVALID,
        "line 1",
    ),
    (
        "min > max",
        pb.GenerateRequest(entity="cart", constraints=_constraint("total", min=9, max=1)),
        INVALID,
        "min",
    ),
    (
        "invalid regex",
        pb.GenerateRequest(entity="customer", constraints=_constraint("email", regex="(")),
        INVALID,
        "regex",
    ),
    (
        "min_length > max_length",
        pb.GenerateRequest(entity="review", constraints=_constraint("title", min_length=10, max_length=2)),
        INVALID,
        "min_length",
    ),
    (
        "regex that cannot fit max_length",
        pb.GenerateRequest(
            entity="review", constraints=_constraint("title", regex="[a-z]{30}", max_length=10)
        ),
        INVALID,
        "max_length is 10",
    ),
    (
        "constraint on a field the entity lacks",
        pb.GenerateRequest(entity="cart", constraints=_constraint("discount", min=1)),
        INVALID,
        "has no field 'discount'",
    ),
    (
        "output_format outside the enum",
        pb.GenerateRequest(entity="cart", output_format=7),
        INVALID,
        "output_format",
    ),
    (
        "scenario counts above count",
        pb.GenerateRequest(entity="cart", count=3, scenarios=[pb.Scenario(name="a", count=5)]),
        INVALID,
        "more than count 3",
    ),
    (
        "2 MB context",
        pb.GenerateRequest(entity="cart", context="x" * 2_000_000),
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        "context",
    ),
]


@pytest.mark.parametrize(("name", "request_msg", "code", "text"), CASES, ids=[c[0] for c in CASES])
async def test_bad_request_gets_a_clear_status(
    live: Live, name: str, request_msg: pb.GenerateRequest, code: grpc.StatusCode, text: str
) -> None:
    got, details = await _status(live, request_msg)
    assert got == code, details
    assert text in details
    assert "Traceback" not in details


async def test_bad_stream_request_fails_before_the_first_chunk(live: Live) -> None:
    call = live.stub.GenerateDataStream(pb.GenerateRequest(entity="nope"))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _chunk in call:
            pass
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


async def test_parquet_is_refused_on_streams_and_datasets_naming_the_cli(live: Live) -> None:
    calls = [
        live.stub.GenerateDataStream(pb.GenerateRequest(entity="cart", count=10, output_format=pb.PARQUET)),
        live.stub.GenerateDataset(
            pb.DatasetRequest(entities=[pb.EntityCount(entity="customer", count=2)], output_format=pb.PARQUET)
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            async for _chunk in call:
                pass
        assert info.value.code() == INVALID
        assert "output_format" in (info.value.details() or "") and "--format parquet" in (
            info.value.details() or ""
        )


@pytest.mark.parametrize("request_id", ["a\nb", "abc\u00e9", "x\x01y"])
async def test_a_request_id_that_cannot_be_a_header_is_refused_on_every_rpc(
    live: Live, request_id: str
) -> None:
    """Such an id once made the stream's headers fail, and the client waited for its deadline."""
    calls = [
        lambda: live.stub.GenerateData(pb.GenerateRequest(entity="cart", count=1, request_id=request_id)),
        lambda: _drain(
            live.stub.GenerateDataStream(pb.GenerateRequest(entity="cart", request_id=request_id))
        ),
        lambda: _drain(
            live.stub.GenerateDataset(
                pb.DatasetRequest(
                    entities=[pb.EntityCount(entity="customer", count=2)], request_id=request_id
                )
            )
        ),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await asyncio.wait_for(call(), timeout=10)
        assert info.value.code() == INVALID and "request_id: must be printable ASCII" in (
            info.value.details() or ""
        )


async def _drain(call: object) -> None:
    async for _chunk in call:  # type: ignore[attr-defined]
        pass


async def test_64_concurrent_requests_all_succeed(live: Live) -> None:
    requests = [pb.GenerateRequest(entity="order", count=50, seed=i) for i in range(64)]
    responses = await asyncio.gather(*(live.stub.GenerateData(r) for r in requests))
    assert all(len(json.loads(r.data)) == 50 for r in responses)
    assert len({r.data for r in responses}) == 64


async def test_after_all_that_the_server_is_healthy(live: Live) -> None:
    report = await live.stub.HealthCheck(pb.HealthCheckRequest())
    assert report.status == "healthy"
    ok = await live.stub.GenerateData(pb.GenerateRequest(entity="cart", count=1))
    assert ok.success
