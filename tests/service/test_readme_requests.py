"""The README's grpcurl requests, parsed with the proto3 JSON mapping grpcurl uses and sent to a real
server: a newcomer's first requests must work as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from google.protobuf import json_format

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")
README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
CALL = re.compile(
    r"grpcurl -plaintext -d '(?P<body>.*?)'\s*\\?\s*"  # the JSON body, then the target
    r"localhost:9001 testdata\.v1\.TestDataService/(?P<rpc>\w+)",
    re.S,
)
REQUESTS = {
    "GenerateData": pb.GenerateRequest,
    "GenerateDataStream": pb.GenerateRequest,
    "GetSchemas": pb.GetSchemasRequest,
    "GenerateDataset": pb.DatasetRequest,
    "AddExamples": pb.AddExamplesRequest,
}
CALLS = [(m["rpc"], m["body"]) for m in CALL.finditer(README)]


@pytest.mark.asyncio(loop_scope="module")
async def test_the_readme_has_requests_for_every_rpc() -> None:
    assert {rpc for rpc, _ in CALLS} == set(REQUESTS)


@pytest.mark.parametrize(("rpc", "body"), CALLS, ids=[f"{i}-{rpc}" for i, (rpc, _) in enumerate(CALLS)])
async def test_readme_request_works(live: Live, rpc: str, body: str) -> None:
    message = json_format.Parse(body, REQUESTS[rpc]())
    if rpc == "GenerateDataStream":
        message.count = min(message.count, 20_000)  # the README asks for a million: the shape is the point
        chunks = [c async for c in live.stub.GenerateDataStream(message)]
        assert chunks[-1].is_final
    elif rpc == "GenerateDataset":
        message.entities[0].count = min(message.entities[0].count, 50)
        chunks = [c async for c in live.stub.GenerateDataset(message)]
        assert chunks[-1].is_final and chunks[0].entity == "customer"
    elif rpc == "AddExamples":
        response = await live.stub.AddExamples(message)
        assert response.added + len(response.rejected) == len(message.examples)
    else:
        response = await getattr(live.stub, rpc)(message)
        assert response.ByteSize() > 0
