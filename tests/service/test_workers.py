"""Worker processes (service/workers.py) through a real server: the same bytes as in-process; a
cancelled stream cancels its pending blocks and the server keeps serving."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Future
from typing import Any

import pytest

from protos.testdata.v1 import test_data_pb2 as pb
from service.workers import BlockPool
from tests.service.conftest import live_service, make_settings
from tests.service.hardening import assert_still_serving

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _streamed(workers: int, requests: list[pb.GenerateRequest]) -> list[str]:
    out = []
    async for live in live_service(make_settings(generation_workers=workers)):
        for request in requests:
            out.append("".join([c.data async for c in live.stub.GenerateDataStream(request)]))
        if workers:
            assert (
                live.service.generator.blocks is not None and live.service.generator.blocks.workers == workers
            )
    return out


async def test_a_stream_made_by_workers_is_the_stream_made_in_process() -> None:
    requests = [
        pb.GenerateRequest(entity="cart", count=9000, seed=5, output_format=fmt, chunk_size=700)
        for fmt in (pb.JSON, pb.CSV, pb.SQL, pb.JSONL)
    ]
    requests.append(
        pb.GenerateRequest(entity="order", count=6000, seed=2, defect_triggering=True, output_format=pb.JSONL)
    )
    by_workers = await _streamed(2, requests)
    in_process = await _streamed(0, requests)
    assert by_workers == in_process
    assert by_workers[3].count("\n") == 9000


def _spy_on(pool: BlockPool) -> list[Future[Any]]:
    """Every future the pool hands out, in a list the test can watch."""
    submitted: list[Future[Any]] = []
    original = pool.pool.submit

    def submit(*args: Any, **kw: Any) -> Future[Any]:
        future = original(*args, **kw)
        submitted.append(future)
        return future

    pool.pool.submit = submit  # type: ignore[method-assign]
    return submitted


async def test_a_cancelled_stream_cancels_its_pending_blocks_and_the_server_keeps_serving() -> None:
    async for live in live_service(make_settings(generation_workers=2)):
        pool = live.service.generator.blocks
        assert pool is not None
        submitted = _spy_on(pool)
        call = live.stub.GenerateDataStream(
            pb.GenerateRequest(
                entity="cart", count=2_000_000, seed=1, output_format=pb.JSONL, chunk_size=1000
            )
        )
        async for _ in call:
            break
        call.cancel()
        # The handler ends after its call: its pending tasks are cancelled, then it counts itself out.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (
            all(f.done() for f in submitted) and live.service.generator.streams == 0
        ):
            await asyncio.sleep(0.05)
        assert submitted and all(f.done() for f in submitted)
        # 2,000,000 rows are 977 tasks; a stream in flight holds four of them out at once.
        assert len(submitted) < 20
        assert live.service.generator.streams == 0
        await assert_still_serving(live)
        again = live.stub.GenerateDataStream(pb.GenerateRequest(entity="cart", count=5000, seed=1))
        assert sum([c.data.count('"cart_id"') async for c in again]) == 5000


async def test_a_dataset_stream_split_by_root_on_workers_is_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from agent import datasets

    monkeypatch.setattr(datasets, "PARALLEL_ROOTS", 1)  # split even this small family (two tasks)
    request = pb.DatasetRequest(
        entities=[pb.EntityCount(entity="customer", count=450)], seed=9, output_format=pb.SQL
    )
    out = []
    for workers in (2, 0):
        async for live in live_service(make_settings(generation_workers=workers)):
            out.append([(c.entity, c.data) async for c in live.stub.GenerateDataset(request)])
    assert out[0] == out[1] and sum(e == "customer" for e, _ in out[0]) >= 1
