"""Stream chunks built a piece at a time: the same text as a chunk made at once, the final flag from the
count, the byte limit, and a bound on the rows held whatever chunk_size asks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.deterministic import plan_request
from agent.executor import build_job, prepare, writer_for
from agent.request import DataRequest
from tools.engine import generate
from tools.formats.chunking import ChunkAssembler, stream_chunks
from tools.registry import default_registry


def _rows_and_writer(fmt: str, count: int, entity: str = "order") -> tuple[list[dict[str, Any]], Any]:
    request = DataRequest(entity=entity, count=count, seed=4, output_format=fmt)
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    rows = [r for batch in generate(job) for r in batch]
    return rows, writer_for(prepared, job)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "sql"])
@pytest.mark.parametrize("chunk_rows", [1, 7, 500, 750, 1000])
def test_chunks_built_from_small_batches_equal_chunks_made_at_once(fmt: str, chunk_rows: int) -> None:
    rows, writer = _rows_and_writer(fmt, 1600)
    batches = [rows[i : i + 37] for i in range(0, len(rows), 37)]  # batch edges fall anywhere
    got = list(stream_chunks(writer, batches, chunk_rows, len(rows)))
    want = [writer.chunk(rows[i : i + chunk_rows], i == 0) for i in range(0, len(rows), chunk_rows)]
    assert [text for text, _ in got] == want
    assert [final for _, final in got] == [False] * (len(want) - 1) + [True]


def test_an_empty_stream_is_one_final_chunk() -> None:
    _, writer = _rows_and_writer("csv", 1)
    assert list(stream_chunks(writer, [], 10, 0)) == [(writer.chunk([], True), True)]


def test_a_stream_that_makes_fewer_rows_than_promised_fails_loudly() -> None:
    rows, writer = _rows_and_writer("json", 10)
    with pytest.raises(RuntimeError, match="made 10 rows, not 11"):
        list(stream_chunks(writer, [rows], 100, 11))


def test_chunks_end_before_the_byte_limit_and_keep_every_row_in_order() -> None:
    rows, writer = _rows_and_writer("json", 3000, "user")
    assembler = ChunkAssembler(writer, 3000, len(rows), limit=200_000)
    chunks = [c for c in assembler.feed(writer.row_texts(rows))] + list(assembler.finish())
    assert len(chunks) > 5 and all(len(text.encode()) <= 200_000 for text, _ in chunks)
    assert [r["_index"] for text, _ in chunks for r in json.loads(text)] == list(range(3000))
    assert [final for _, final in chunks].count(True) == 1 and chunks[-1][1]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "sql"])
def test_rows_of_any_width_keep_every_chunk_under_the_limit(fmt: str) -> None:
    # One narrow row, then rows of ~90 KB: sizes are measured per row, not guessed from the first.
    narrow, writer = _rows_and_writer(fmt, 1, "review")
    wide = [{**narrow[0], "body": "w" * 90_000, "_index": i} for i in range(1, 60)]
    chunks = list(stream_chunks(writer, [narrow, wide[:7], wide[7:]], 50_000, 60, limit=300_000))
    assert len(chunks) > 10
    assert all(len(text.encode()) <= 300_000 for text, _ in chunks)
    assert [final for _, final in chunks] == [False] * (len(chunks) - 1) + [True]
