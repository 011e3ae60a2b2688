"""Unauthenticated health says what is wrong in one word, never where: internal hosts and ports go to the
log, once per change. The API description is served only when HTTP_DOCS asks for it."""

from __future__ import annotations

import httpx
from structlog.testing import capture_logs

from protos.testdata.v1 import test_data_pb2 as pb
from service.health import HealthState, category, constant
from tests.redis_server import free_port
from tests.service.conftest import live_service, make_settings
from tests.service.hardening import assert_still_serving


async def test_a_closed_redis_port_is_unreachable_and_the_address_is_only_logged() -> None:
    port = free_port()  # nothing listens here
    settings = make_settings(redis_url=f"redis://127.0.0.1:{port}/0", redis_timeout_s=0.2)
    with capture_logs() as logs:
        async for live in live_service(settings):
            async with httpx.AsyncClient(base_url=live.http, timeout=5.0) as client:
                reply = await client.get("/health")
                again = await client.get("/health")
            report = await live.stub.HealthCheck(pb.HealthCheckRequest())
            await assert_still_serving(live)
    assert reply.status_code == 200 and reply.json()["status"] == "degraded"
    assert reply.json()["components"]["cache"] == "unreachable"
    assert report.status == "degraded" and report.components["cache"] == "unreachable"
    for body in (reply.text, again.text, str(report)):
        assert "127.0.0.1" not in body and str(port) not in body, body
    # Three probes, one change of state: one warning, and it carries the detail for the operator.
    failing = [e for e in logs if e["event"] == "health component failing"]
    assert len(failing) == 1 and failing[0]["log_level"] == "warning", failing
    assert failing[0]["component"] == "cache" and f"127.0.0.1:{port}" in failing[0]["detail"]


async def test_a_component_that_recovers_is_logged_once_more() -> None:
    answers = iter(["error: weaviate search timed out after 2s", "ok", "ok"])

    async def flaky() -> str:
        return next(answers)

    health = HealthState(probes={"engine": constant("ok"), "examples": flaky})
    with capture_logs() as logs:
        states = [(await health.report())[1]["examples"] for _ in range(3)]
    assert states == ["timeout", "ok", "ok"]
    assert [e["event"] for e in logs] == ["health component failing", "health component recovered"]


def test_categories_of_what_the_probes_say() -> None:
    assert category("ok") == "ok" and category("disabled") == "disabled"
    refused = "error: redis ping failed: ConnectionError: Error 111 connecting to 10.0.0.5:6379. Refused."
    assert category(refused) == "unreachable"
    assert category("error: redis ping failed: TimeoutError: Timeout connecting to server") == "timeout"
    assert category("error: Error -2 connecting to redis:6379. Name or service not known.") == "unreachable"
    assert category("error: collection TestDataPattern is missing") == "error"
    assert category("error: authentication failed (401): invalid x-api-key") == "error"


async def test_the_api_description_is_off_unless_http_docs_is_set() -> None:
    for docs, code in ((False, 404), (True, 200)):
        async for live in live_service(make_settings(http_docs=docs)):
            async with httpx.AsyncClient(base_url=live.http, timeout=5.0) as client:
                for path in ("/openapi.json", "/docs", "/redoc"):
                    assert (await client.get(path)).status_code == code, (path, docs)
                assert (await client.get("/health/ready")).status_code == 200
            await assert_still_serving(live)
