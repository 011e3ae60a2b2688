"""The service with WEAVIATE_URL set, against the protocol-level fake: examples go in over AddExamples
and come back in plans; Weaviate failing or down: still served, fallback reported, health degraded."""

from __future__ import annotations

import json

import grpc
import pytest

from agent.request import DataRequest
from protos.testdata.v1 import test_data_pb2 as pb
from tests.helpers import rows_for
from tests.retrieval.weaviate_fake import FakeWeaviate
from tests.service.conftest import live_service, make_settings


def _example() -> pb.Example:
    records = [
        {k: v for k, v in r.items() if not k.startswith("_")}
        for r in rows_for(DataRequest(entity="cart", count=2, seed=5))
    ]
    return pb.Example(
        entity="cart",
        kind="pattern",
        scenario="gamer",
        description="gamer carts with consoles",
        data=json.dumps(records),
    )


@pytest.mark.asyncio
async def test_weaviate_backed_examples_then_failure_and_outage_degrade() -> None:
    with FakeWeaviate() as fake:
        settings = make_settings(
            weaviate_url=fake.url, weaviate_grpc_port=fake.grpc_port, weaviate_timeout_s=0.5
        )
        async for live in live_service(settings):
            assert (await live.stub.AddExamples(pb.AddExamplesRequest(examples=[_example()]))).added == 1
            request = pb.GenerateRequest(
                entity="cart", count=20, seed=1, context="gamer carts", learn_from_history=True
            )
            ok = await live.stub.GenerateData(request)
            assert ok.metadata.generation_path == "rag" and ok.metadata.fallback_reason == ""
            assert fake.searches, "the plan's examples came from Weaviate"
            assert (await live.stub.HealthCheck(pb.HealthCheckRequest())).components["examples"] == "ok"

            fake.fail_grpc["Search"] = grpc.StatusCode.INTERNAL
            failing = await live.stub.GenerateData(request, timeout=10)
            assert failing.success and failing.metadata.generation_path == "traditional"
            assert "example retrieval failed" in failing.metadata.fallback_reason
            report = await live.stub.HealthCheck(pb.HealthCheckRequest())
            assert report.status == "degraded" and report.components["examples"] == "error"

            del fake.fail_grpc["Search"]
            fake.stop()
            down = await live.stub.GenerateData(request, timeout=10)
            assert down.success and "example retrieval failed" in down.metadata.fallback_reason
            assert len(json.loads(down.data)) == 20
