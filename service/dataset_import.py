"""GenerateDataset over an imported SQL schema (DatasetRequest.schema_id): its tables in insertion
order, keys that resolve, cycles closed after both sides exist (tools/imports/stream.py), as the
CLI's `seed` makes them. The import's DDL is kept beside its schemas (schemas_rpc.graph_key) and
read again here, with the value sources the import chose."""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from typing import Any

from protos.testdata.v1 import test_data_pb2 as pb
from retrieval.cache import CacheError, PlanCache
from service.convert import header_text as header
from service.errors import Unavailable
from service.schemas_rpc import IMPORT_TIMEOUT_S, MAX_STATEMENTS, graph_key, schema_document
from tools.errors import InvalidRequest, LimitExceeded, SchemaNotFound
from tools.imports.ddl import from_ddl
from tools.imports.graph import insertion_order
from tools.imports.model import Imported
from tools.imports.stream import HELD_MAX, DatasetChunks, planned_counts
from tools.pools import check_locale
from tools.seeds import ENGINE_VERSION
from tools.temporal import as_of_text, parse_as_of

_FORMATS = {pb.JSON: "json", pb.JSONL: "jsonl", pb.CSV: "csv", pb.SQL: "sql"}
# Planned by the model for registry entities; an imported schema's rows come from its columns.
NOT_PLANNED = "an imported schema's dataset is made from its columns and keys; the model does not plan it yet"


@dataclass
class ImportedRun:
    seed: int
    planned: dict[str, int]
    chunks: DatasetChunks
    fallback_reason: str = ""


async def start(
    request: pb.DatasetRequest, store: PlanCache, scope: str, most_records: int, chunk_rows: int
) -> ImportedRun:
    schema_id = request.schema_id.strip()
    world = (check_locale(request.locale), parse_as_of(request.as_of))
    try:
        raw = await store.get(graph_key(scope, schema_id))
    except CacheError as exc:
        raise Unavailable(f"the schema store is unavailable: {exc}") from None
    if raw is None:
        docs_there = await _has_schemas(store, scope, schema_id)
        if docs_there:
            raise InvalidRequest(
                "schema_id", "names an import with no tables linked by keys (not SQL DDL)",
                "generate each of its schemas with GenerateData and this schema_id",
            )  # fmt: skip
        gone = "no imported schema with this id (it expires after a day, and is only the importer's)"
        raise SchemaNotFound("schema_id", gone, "import the schema again")
    graph = json.loads(raw)
    imported: Imported = await asyncio.wait_for(
        asyncio.to_thread(from_ddl, graph["source"], graph["dialect"], max_statements=MAX_STATEMENTS),
        IMPORT_TIMEOUT_S,
    )
    rows: dict[str, int] = {}
    for e in request.entities:
        name = e.entity.strip()
        if name not in imported.tables:
            tables = sorted(imported.tables)[:20]
            raise InvalidRequest(f"entities[{name}]", "names no table of this import", f"use one of {tables}")
        if e.count < 0:
            raise InvalidRequest(f"entities[{name}]", "count must not be negative", "send 0 or more")
        rows[name] = e.count
    planned = planned_counts(imported, rows)
    total = sum(planned.values())
    if total > most_records:
        over = f"{total:,} records planned ({_top(planned)}), above {most_records:,}"
        raise LimitExceeded("entities", over, "ask for fewer")
    fmt = _FORMATS.get(request.output_format)
    if fmt is None:
        raise InvalidRequest("output_format", "is not served for datasets", "use JSON, JSONL, CSV or SQL")
    if fmt != "sql":  # said before any row is made, not after the stream has begun
        for table in insertion_order(imported, []).deferred:
            if planned.get(table, 0) > HELD_MAX:
                raise InvalidRequest(
                    "entities",
                    f"{table} has a key set after every table is made, and {planned[table]:,} rows of it "
                    f"would be held until then (at most {HELD_MAX:,})",
                    "ask for SQL (its UPDATEs set the keys as they stream), or fewer rows of it",
                )
    seed = request.seed if request.HasField("seed") else secrets.randbits(63)
    chunks = DatasetChunks(
        imported, graph["dialect"], rows, fmt, seed, chunk_rows, graph.get("sources") or None,
        csv_safe=not request.HasField("csv_safe") or request.csv_safe, world=world,
    )  # fmt: skip
    asked_model = bool(request.context.strip() or request.hints) or (
        request.HasField("generation_method") and request.generation_method != pb.TRADITIONAL
    )
    return ImportedRun(seed, planned, chunks, NOT_PLANNED if asked_model else "")


async def _has_schemas(store: PlanCache, scope: str, schema_id: str) -> bool:
    try:
        await schema_document(schema_id, "", store, scope)
    except SchemaNotFound:
        return False
    except InvalidRequest:
        return True  # the import is there; "" names none of its schemas
    return True


def _top(planned: dict[str, int]) -> str:
    most = sorted(planned.items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{t}={n:,}" for t, n in most)


async def send(run: ImportedRun, request_id: str, context: Any, write: Any, drain: Any) -> None:
    """The chunks, one of look-ahead so the last says is_final; rows per table and the import's notes
    as trailers (known once the last table is made)."""
    await context.send_initial_metadata((
        ("x-request-id", request_id), ("x-seed", str(run.seed)), ("x-engine-version", ENGINE_VERSION),
        ("x-as-of", as_of_text(run.chunks.world[1])),
        ("x-generation-path", "traditional"), ("x-fallback-reason", run.fallback_reason),
        ("x-cache-hit", "false"), ("x-llm-tokens-used", "0"),
        ("x-dataset-plan", f"imported schema: {len(run.planned)} tables"),
    ))  # fmt: skip
    index, pending = 0, None
    try:
        async for chunk in drain(run.chunks, run.seed):
            if pending is not None:
                await write(context, _chunk(request_id, pending, index, False))
                index += 1
            pending = chunk
    finally:
        run.chunks.stop()  # a client gone mid-stream: the seed's thread ends at its next chunk
    if pending is not None:
        await write(context, _chunk(request_id, pending, index, True))
    counts = ",".join(f"{t}={n}" for t, n in run.chunks.made.counts.items())
    notes = "; ".join(str(n) for n in run.chunks.made.notes)
    context.set_trailing_metadata((("x-record-counts", header(counts)), ("x-import-notes", header(notes))))


def _chunk(request_id: str, chunk: tuple[str, str], index: int, final: bool) -> pb.DatasetChunk:
    table, text = chunk
    return pb.DatasetChunk(request_id=request_id, entity=table, data=text, chunk_index=index, is_final=final)
