"""What every hardening test asserts after its attack: the refusal is small and the server still answers.

Issue 12's acceptance: each finding gets a test through a real server and channel that checks the status
code, the size of the message the client got back, and that `/health/live` and `grpc.health.v1` answer
within a second afterwards.
"""

from __future__ import annotations

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.service.conftest import Live

MAX_DETAILS = 1024  # a refusal quotes at most ~100 characters of what the client sent


def check_refusal(err: grpc.aio.AioRpcError, code: grpc.StatusCode, *words: str) -> str:
    """The status code is `code`, the message is short and names what it should."""
    details = err.details() or ""
    assert err.code() == code, (err.code(), details[:300])
    assert len(details.encode()) <= MAX_DETAILS, len(details)
    for word in words:
        assert word in details, (word, details)
    return details


async def assert_still_serving(live: Live) -> None:
    """Liveness over HTTP and the standard gRPC health check both answer within one second."""
    async with httpx.AsyncClient(base_url=live.http, timeout=1.0) as client:
        reply = await client.get("/health/live")
        assert reply.status_code == 200
    health = health_pb2_grpc.HealthStub(live.channel)
    answer = await health.Check(health_pb2.HealthCheckRequest(), timeout=1.0)
    assert answer.status == health_pb2.HealthCheckResponse.SERVING
