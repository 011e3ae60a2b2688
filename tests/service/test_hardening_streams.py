"""Issue 12, findings 1-3: streams nobody reads cannot take every slot or hold memory forever, and
generation stops when its call ends. Each test ends with health answering within a second."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import httpx
import pytest
import pytest_asyncio

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live, live_service, make_settings
from tests.service.hardening import assert_still_serving, check_refusal

pytestmark = pytest.mark.asyncio(loop_scope="module")
TOKENS = ("alice-token", "bob-token", "carol-token")
EXHAUSTED = grpc.StatusCode.RESOURCE_EXHAUSTED


def _as(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def tight() -> AsyncIterator[Live]:
    settings = make_settings(
        api_tokens=",".join(TOKENS),
        max_concurrent_streams=4,
        max_streams_per_client=2,
        stream_idle_timeout_s=1.5,
        max_concurrent_requests=1,
        max_message_bytes=512 * 1024 * 1024,  # a document big enough to take many seconds to make
    )
    async for item in live_service(settings):
        yield item


async def _until(condition: Callable[[], bool | Awaitable[bool]], what: str, bound_s: float = 30) -> None:
    """Polls `condition` until it holds; fails naming `what` after `bound_s`."""
    end = time.monotonic() + bound_s
    while time.monotonic() < end:
        result = condition()
        if result if isinstance(result, bool) else await result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {bound_s} s: {what}")


def _unread(live: Live, token: str) -> grpc.aio.UnaryStreamCall:
    """A stream of a million carts in chunks of 50,000 whose client reads nothing after the headers."""
    request = pb.GenerateRequest(entity="cart", count=1_000_000, chunk_size=50_000, output_format=pb.JSONL)
    return live.stub.GenerateDataStream(request, metadata=_as(token))


async def _refused(call: grpc.aio.UnaryStreamCall) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _chunk in call:
            pass
    return info.value


async def test_stream_caps_per_client_and_server_leave_health_and_unary_calls_free(tight: Live) -> None:
    admitted = tight.service.generator.admission
    held = [_unread(tight, "alice-token"), _unread(tight, "alice-token")]
    for call in held:
        await call.initial_metadata()  # sent once the stream is admitted and planned
    third = await _refused(_unread(tight, "alice-token"))
    check_refusal(third, EXHAUSTED, "per client")
    pushback = [v for k, v in third.trailing_metadata() or () if k == "grpc-retry-pushback-ms"]
    assert pushback and int(pushback[0]) > 0  # gRPC retry policies honour it

    held += [_unread(tight, "bob-token"), _unread(tight, "bob-token")]
    for call in held[2:]:
        await call.initial_metadata()
    assert admitted.streams.total() == 4
    check_refusal(await _refused(_unread(tight, "carol-token")), EXHAUSTED, "limit of 4 streams")

    # Every stream slot is taken; unary calls are still taken, so the replica stays ready.
    async with httpx.AsyncClient(base_url=tight.http, timeout=1.0) as client:
        assert (await client.get("/health/ready")).status_code == 200
        # With the one unary slot taken too the server can take no work: readiness says so.
        slow = pb.GenerateRequest(custom_schema=WIDE, count=10_000, defect_triggering=True)
        busy_call = tight.stub.GenerateData(slow, metadata=_as("carol-token"), timeout=20)
        await _until(lambda: admitted.unary.total() == 1, "the slow unary call is admitted")
        ready = await client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["status"] == "busy"
        await assert_still_serving(tight)
        busy_call.cancel()
        await _until(lambda: admitted.unary.total() == 0, "the cancelled unary call frees its slot")
    schemas = await tight.stub.GetSchemas(pb.GetSchemasRequest(), metadata=_as("carol-token"), timeout=1)
    assert schemas.schemas
    ok = await tight.stub.GenerateData(
        pb.GenerateRequest(entity="cart", count=3), metadata=_as("carol-token")
    )
    assert ok.record_count == 3

    for call in held:
        call.cancel()
    await _until(lambda: admitted.streams.total() == 0, "the cancelled streams free their slots")
    async with httpx.AsyncClient(base_url=tight.http, timeout=1.0) as client:
        assert (await client.get("/health/ready")).status_code == 200
    await assert_still_serving(tight)


async def test_a_stream_nobody_reads_is_ended_after_the_idle_timeout(tight: Live) -> None:
    admitted = tight.service.generator.admission
    generator = tight.service.generator
    call = _unread(tight, "alice-token")
    await call.initial_metadata()
    # The client reads nothing: generation stalls, then the server gives up on the stream. What was
    # sent arrives when the client finally reads, then the status instead of the next million carts.
    made = generator.chunks_made
    await _until(lambda: generator.chunks_made > made, "the stream starts")
    await _until(lambda: generator.streams == 0, "the server stops the idle stream")
    err = await _refused(call)
    check_refusal(err, grpc.StatusCode.DEADLINE_EXCEEDED, "STREAM_IDLE_TIMEOUT_S")
    # The slot is held until the call is over (a status nobody reads must not free it early).
    await _until(lambda: admitted.streams.total() == 0, "the slot is freed once the call is over")
    await assert_still_serving(tight)


# Rows of 200 edge-case objects each, made one row at a time: 10,000 of them take about 25 seconds.
WIDE = json.dumps(
    {
        "name": "wide",
        "fields": {
            "id": {"type": "uuid"},
            "lines": {
                "type": "array",
                "min_items": 200,
                "max_items": 200,
                "items": {
                    "type": "object",
                    "fields": {
                        "sku": {"type": "string", "max_length": 12},
                        "qty": {"type": "integer", "min": 1, "max": 9},
                    },
                },
            },
        },
    }
)


async def _goes_quiet(bound_s: float) -> None:
    """The process stops using the CPU within `bound_s`, far less than the abandoned work would take:
    the worker thread stopped at its next check instead of finishing the rows nobody will read."""

    async def quiet() -> bool:
        before = time.process_time()
        await asyncio.sleep(0.25)
        return time.process_time() - before < 0.05

    await _until(quiet, "the process goes idle once the call has ended", bound_s=bound_s)


async def test_generation_stops_when_the_deadline_passes(tight: Live) -> None:
    request = pb.GenerateRequest(custom_schema=WIDE, count=10_000, defect_triggering=True, seed=5)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await tight.stub.GenerateData(request, timeout=0.5, metadata=_as("alice-token"))
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    await _goes_quiet(bound_s=3)
    await assert_still_serving(tight)


async def test_generation_stops_when_the_client_cancels_a_stream(live: Live) -> None:
    # Chunks end at 3 MiB, so even without the check the thread would stop after one chunk (~1 s).
    request = pb.GenerateRequest(custom_schema=WIDE, count=100_000, chunk_size=50_000, defect_triggering=True)
    call = live.stub.GenerateDataStream(request)
    await call.initial_metadata()
    call.cancel()
    await _until(lambda: live.service.generator.admission.streams.total() == 0, "the slot is freed")
    await _goes_quiet(bound_s=3)
    await assert_still_serving(live)
