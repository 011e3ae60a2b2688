"""GenerateDataStream: chunks that parse alone, the final flag, chunk_size, cancel, deadline, slow clients."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3

import grpc
import pytest

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _chunks(live: Live, **fields: object) -> list[pb.DataChunk]:
    return [c async for c in live.stub.GenerateDataStream(pb.GenerateRequest(**fields))]


async def test_json_chunks_parse_alone_and_the_last_is_final(live: Live) -> None:
    chunks = await _chunks(live, entity="cart", count=2500, seed=3, chunk_size=1000)
    assert [c.chunk_index for c in chunks] == [0, 1, 2]
    assert [c.is_final for c in chunks] == [False, False, True]
    sizes = [len(json.loads(c.data)) for c in chunks]
    assert sizes == [1000, 1000, 500]
    unary = await live.stub.GenerateData(pb.GenerateRequest(entity="cart", count=2500, seed=3))
    assert [r for c in chunks for r in json.loads(c.data)] == json.loads(unary.data)


async def test_csv_header_only_in_chunk_zero_and_sql_statements_whole(live: Live) -> None:
    chunks = await _chunks(live, entity="refund", count=25, seed=1, chunk_size=10, output_format=pb.CSV)
    assert chunks[0].data.startswith("refund_id,")
    assert not any(c.data.startswith("refund_id,") for c in chunks[1:])
    assert sum(len(list(csv.reader(io.StringIO(c.data)))) for c in chunks) == 26
    sql = await _chunks(live, entity="refund", count=25, seed=1, chunk_size=10, output_format=pb.SQL)
    db = sqlite3.connect(":memory:")
    for c in sql:
        db.executescript(c.data)
    assert db.execute('SELECT count(*) FROM "refund"').fetchone() == (25,)


async def test_empty_dataset_still_sends_one_final_chunk(live: Live) -> None:
    chunks = await _chunks(live, entity="cart", count=1, seed=1, chunk_size=5)
    assert len(chunks) == 1 and chunks[0].is_final and len(json.loads(chunks[0].data)) == 1


async def test_cancel_after_two_chunks_stops_generation_and_the_server_keeps_serving(live: Live) -> None:
    call = live.stub.GenerateDataStream(pb.GenerateRequest(entity="cart", count=2_000_000, chunk_size=1000))
    received = 0
    async for _chunk in call:
        received += 1
        if received == 2:
            call.cancel()
            break
    await asyncio.wait_for(live.service.generator.wait_idle(), timeout=30)
    assert live.service.generator.streams == 0
    ok = await live.stub.GenerateData(pb.GenerateRequest(entity="cart", count=5))
    assert ok.record_count == 5


async def test_deadline_ends_the_stream_and_generation(live: Live) -> None:
    call = live.stub.GenerateDataStream(pb.GenerateRequest(entity="order", count=2_000_000), timeout=0.5)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _chunk in call:
            pass
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    await asyncio.wait_for(live.service.generator.wait_idle(), timeout=30)


async def test_a_slow_client_holds_generation_back(live: Live) -> None:
    call = live.stub.GenerateDataStream(pb.GenerateRequest(entity="cart", count=2_000_000, chunk_size=1000))
    iterator = call.__aiter__()
    for _ in range(2):
        await iterator.__anext__()
    start = live.service.generator.chunks_made
    # The client stops reading. Generation may run ahead by what the HTTP/2 windows and socket buffers
    # hold (a few MB, each chunk is about 0.6 MB), then must wait: watch the counter until it stops
    # moving, then check it stopped near the client, not 2,000 chunks later.
    last, still = -1, 0
    while still < 20:
        await asyncio.sleep(0.05)
        now = live.service.generator.chunks_made
        still, last = (still + 1, now) if now == last else (0, now)
    assert last - start <= 20
    call.cancel()
    await asyncio.wait_for(live.service.generator.wait_idle(), timeout=30)
