"""/api/ on the HTTP port, through the real server: the same service as gRPC (limits, tokens, errors
by field), a download equal to what GenerateDataStream sends, the quality report."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live, live_service, make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
TOKEN = "http-api-token-0123456789"
AUTH = {"authorization": f"Bearer {TOKEN}"}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(api_tokens=TOKEN)):
        yield item


async def test_generate_and_schemas_answer_as_grpc_does(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as http:
        got = await http.post("/api/generate", json={"entity": "cart", "count": 5, "seed": 3}, headers=AUTH)
        assert got.status_code == 200
        body = got.json()
        same = await live.stub.GenerateData(
            pb.GenerateRequest(entity="cart", count=5, seed=3),
            metadata=[("authorization", f"Bearer {TOKEN}")],
        )
        assert body["data"] == same.data and body["metadata"]["seed"] == "3"
        assert json.loads(body["metadata"]["report_json"])["rows"] == 5
        schemas = (await http.get("/api/schemas", params={"domain": "ecommerce"}, headers=AUTH)).json()
        assert len(schemas["schemas"]) == 36
        # Without the token: refused as gRPC refuses it; health stays open.
        assert (await http.get("/api/schemas")).status_code == 401
        assert (await http.get("/health/live")).status_code == 200


async def test_errors_name_the_field_with_the_grpc_status(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as http:
        bad = await http.post("/api/generate", json={"entity": "cart", "count": -1}, headers=AUTH)
        assert (
            bad.status_code == 400
            and bad.json()["code"] == "INVALID_ARGUMENT"
            and "count" in bad.json()["message"]
        )
        nope = await http.post("/api/generate", json={"entity": "spaceship"}, headers=AUTH)
        assert nope.status_code == 404 and "spaceship" in nope.json()["message"]
        garbage = await http.post("/api/generate", content=b"{not json", headers=AUTH)
        assert garbage.status_code == 400 and "not a GenerateRequest" in garbage.json()["message"]

        async def endless() -> AsyncIterator[bytes]:  # no Content-Length: read until the limit, then refused
            for _ in range(10_000):
                yield b" " * 65_536

        huge = await http.post("/api/generate", content=endless(), headers=AUTH)
        assert huge.status_code == 413 and "larger than 4,194,304 bytes" in huge.json()["message"]
        assert (await http.get("/api/schemas", headers=AUTH)).status_code == 200  # still serving


@pytest.mark.parametrize("fmt", ["CSV", "JSONL", "SQL", "JSON"])
async def test_a_download_is_the_stream_as_one_file(live: Live, fmt: str) -> None:
    request = {"entity": "cart", "count": 2500, "seed": 9, "output_format": fmt, "chunk_size": 1000}
    async with httpx.AsyncClient(base_url=live.http) as http:
        got = await http.post("/api/download", json=request, headers=AUTH)
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    same = pb.GenerateRequest(
        entity="cart", count=2500, seed=9, output_format=getattr(pb, fmt), chunk_size=1000
    )
    call = live.stub.GenerateDataStream(same, metadata=[("authorization", f"Bearer {TOKEN}")])
    chunks = [c.data async for c in call]
    if fmt == "JSON":  # chunks are arrays each: the file is one array of the same records
        assert json.loads(got.text) == [r for c in chunks for r in json.loads(c)]
    else:
        assert got.text == "".join(chunks)


async def test_the_report_covers_the_requests_rows(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http, timeout=30) as http:
        got = await http.post("/api/report", json={"entity": "cart", "count": 300, "seed": 2}, headers=AUTH)
    report = got.json()
    assert got.status_code == 200 and report["rows"] == 300 and report["rule_pass_rate"] == 1.0
    assert (
        report["fields"]["items[].quantity"]["min"] >= 1 and len(report["fields"]["total"]["histogram"]) == 10
    )
