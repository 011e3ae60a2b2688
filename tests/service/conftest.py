"""A real server on random ports, started in the test's event loop, and real channels to it."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import pytest_asyncio

from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
from service.app import RunningService, resources, start_service
from service.settings import Settings


@dataclass
class Live:
    service: RunningService
    channel: grpc.aio.Channel
    stub: pb_grpc.TestDataServiceStub

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.service.http_port}"


def make_settings(**overrides: object) -> Settings:
    base: dict[str, object] = {
        "grpc_port": 0,
        "http_port": 0,
        "host": "127.0.0.1",
        "shutdown_grace_s": 2.0,
        "shutdown_delay_s": 0.0,  # no balancer to wait for
        "examples_dir": tempfile.mkdtemp(prefix="examples-"),
        # In-process unless a test asks for worker processes (tests/service/test_workers.py): each
        # server would otherwise spawn its own, about a second of CPU apiece.
        "generation_workers": 0,
    }
    base.update(overrides)
    return Settings(_env_file=None, **base)  # type: ignore[call-arg]


async def live_service(settings: Settings) -> AsyncIterator[Live]:
    async with resources(settings) as res:
        service = await start_service(settings, res)
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}")
        try:
            yield Live(service, channel, pb_grpc.TestDataServiceStub(channel))
        finally:
            await channel.close()
            await service.stop()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(max_sync_records=10_000)):
        yield item
