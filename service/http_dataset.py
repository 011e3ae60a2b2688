"""Linked datasets on the HTTP port (issue 17): GenerateDataset through the loopback channel, like the
rest of /api/ (service/http_api.py).

    POST /api/dataset?rows=       the first rows of each entity, records per entity, the foreign-key
                                  graph and each entity's quality report, from one pass over the stream
    POST /api/dataset/download    SQL: one file, in load order, streamed as made. JSON, JSONL, CSV: a
                                  zip of one file per entity; a family's entities arrive interleaved,
                                  so each is spooled to a temporary file (disk, not memory) first
"""

from __future__ import annotations

import asyncio
import functools
import json
import tempfile
import zipfile
from collections.abc import AsyncIterator, Callable
from typing import IO, Any

import grpc
from fastapi import FastAPI, Query, Request
from fastapi.responses import Response, StreamingResponse

from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
from retrieval.cache import PlanCache
from service.http_api import (
    MAX_PREVIEW,
    Refused,
    first_chunk,
    read_request,
    refusal,
    request_schema,
    scope_of,
    stream_metadata,
)
from service.schemas_rpc import MAX_STATEMENTS, graph_key
from service.settings import Settings
from tools.imports.ddl import from_ddl
from tools.registry import Registry
from tools.report import Report
from tools.schema import EntitySchema

_SUFFIX = {pb.JSON: "json", pb.JSONL: "jsonl", pb.CSV: "csv"}
MAX_SPOOL = 4 * 2**30  # bytes a zip download may spool to disk before its first byte is sent


def add_dataset_api(
    app: FastAPI,
    stub: Callable[[], pb_grpc.TestDataServiceStub],
    registry: Registry,
    schemas: PlanCache,
    settings: Settings,
) -> None:
    report_rows = settings.report_max_rows

    async def entity_schema(msg: pb.DatasetRequest, entity: str, scope: str) -> EntitySchema:
        if not msg.schema_id:
            return registry.get(entity, msg.domain)
        named = pb.GenerateRequest(schema_id=msg.schema_id, entity=entity)
        return await request_schema(named, registry, schemas, scope)  # type: ignore[no-any-return]

    async def graph(msg: pb.DatasetRequest, names: list[str], scope: str) -> list[dict[str, str]]:
        if not msg.schema_id:
            return _graph(registry, names, msg.domain)
        raw = await schemas.get(graph_key(scope, msg.schema_id))  # the stream read it a moment ago
        if raw is None:
            return []
        doc = json.loads(raw)
        read = functools.partial(from_ddl, max_statements=MAX_STATEMENTS)
        imported = await asyncio.to_thread(read, doc["source"], doc["dialect"])
        return [
            {"from": f"{t.name}.{','.join(fk.columns)}", "to": fk.table}
            for t in imported.tables.values()
            for fk in t.foreign_keys
        ]

    @app.post("/api/dataset")
    async def dataset(request: Request, rows: int = Query(10, ge=1, le=MAX_PREVIEW)) -> Any:
        msg, auth = await read_request(request, pb.DatasetRequest)
        msg.output_format = pb.JSONL
        scope = scope_of(auth, settings.tokens)
        call = stub().GenerateDataset(msg, metadata=auth)
        first: dict[str, list[Any]] = {}
        meters: dict[str, Report] = {}
        counts: dict[str, int] = {}  # counted here: the trailer is cut at 2,000 characters
        try:
            head = await call.initial_metadata()
            async for chunk in call:
                shown = first.setdefault(chunk.entity, [])
                if chunk.entity not in meters:
                    meters[chunk.entity] = Report(await entity_schema(msg, chunk.entity, scope), report_rows)
                meter = meters[chunk.entity]
                lines = [line for line in chunk.data.splitlines() if line.strip()]
                counts[chunk.entity] = counts.get(chunk.entity, 0) + len(lines)
                if len(shown) >= rows and meter.n >= report_rows:
                    continue  # counted only: parsing the rest would be minutes of CPU on a big family
                for line in lines:
                    row = json.loads(line)
                    meter.add(row)
                    if len(shown) < rows:
                        shown.append(row)
            tail = {k: v for k, v in await call.trailing_metadata() or ()}
        except grpc.aio.AioRpcError as exc:
            raise refusal(exc) from None
        empty = str(tail.get("x-empty-entities", ""))
        notes = str(tail.get("x-import-notes", ""))  # an imported schema's: what the seed left out
        return {
            "metadata": stream_metadata(head)
            | {"empty_entities": empty.split(",") if empty else [], "import_notes": notes},
            "counts": counts,
            "rows": first,
            "graph": await graph(msg, list(counts) or list(first), scope),
            "reports": {name: meter.result() for name, meter in meters.items()},
        }

    @app.post("/api/dataset/download")
    async def download(request: Request) -> Response:
        msg, auth = await read_request(request, pb.DatasetRequest)
        if msg.output_format not in (*_SUFFIX, pb.SQL):
            raise Refused(400, "INVALID_ARGUMENT", "output_format: send JSON, JSONL, CSV or SQL")
        call = stub().GenerateDataset(msg, metadata=auth)
        if msg.output_format == pb.SQL:
            first = await first_chunk(call)  # an error comes back as one, before any byte of the file
            headers = {"Content-Disposition": 'attachment; filename="dataset.sql"'}
            return StreamingResponse(_sql(first, call), media_type="application/sql", headers=headers)
        files = await _spool(call, msg.output_format)
        headers = {"Content-Disposition": 'attachment; filename="dataset.zip"'}
        body = _zip(files, _SUFFIX[msg.output_format])
        return StreamingResponse(body, media_type="application/zip", headers=headers)


def _graph(registry: Registry, names: list[str], domain: str) -> list[dict[str, str]]:
    """Foreign keys among the dataset's entities: [{from: entity.field, to: entity}]."""
    present, edges = set(names), []
    for name in names:
        for spec in registry.get(name, domain).fields:
            if spec.ref and spec.ref in present:
                edges.append({"from": f"{name}.{spec.name}", "to": spec.ref})
    return edges


async def _sql(first: pb.DatasetChunk | None, call: Any) -> AsyncIterator[str]:
    if first is not None:
        yield first.data
        async for chunk in call:
            yield chunk.data


async def _spool(call: Any, fmt: int) -> dict[str, IO[bytes]]:
    """Each entity's chunks joined into one file of its own: a CSV's header once, JSON's arrays as one.
    At most MAX_SPOOL bytes on disk: past them the stream is cancelled and the files removed."""
    files: dict[str, IO[bytes]] = {}
    headers: dict[str, str] = {}  # an entity's CSV header; a later chunk repeats it or not (imports do)
    size, done = 0, False
    try:
        async for chunk in call:
            out = files.get(chunk.entity)
            fresh = out is None
            if out is None:
                out = files[chunk.entity] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _zip)
            text = chunk.data
            if fmt == pb.CSV:
                first, _, rest = text.partition("\n")
                if fresh:
                    headers[chunk.entity] = first
                elif first == headers[chunk.entity]:
                    text = rest
            elif fmt == pb.JSON:
                inner = text.strip()[1:-1].strip()
                text = ("[" if fresh else ("," if inner and out.tell() > 1 else "")) + inner
            data = text.encode()
            size += len(data)
            if size > MAX_SPOOL:
                raise Refused(
                    413, "RESOURCE_EXHAUSTED",
                    f"entities: the zip would pass {MAX_SPOOL // 2**30} GiB; download SQL (streamed as made) "
                    "or ask for fewer root records",
                )  # fmt: skip
            out.write(data)
        done = True
    except grpc.aio.AioRpcError as exc:
        raise refusal(exc) from None
    finally:
        if not done:  # refused, failed or the client left: nothing stays on disk, nothing runs on
            call.cancel()
            for f in files.values():
                f.close()
    if fmt == pb.JSON:
        for f in files.values():
            f.write(b"]")
    return files


class _Sink:
    """What zipfile writes into; the response drains it between writes. No seek: zipfile then writes
    each entry's sizes after its data, so nothing is written twice."""

    def __init__(self) -> None:
        self.buf, self.pos = bytearray(), 0

    def write(self, data: bytes) -> int:
        self.buf += data
        self.pos += len(data)
        return len(data)

    def tell(self) -> int:
        return self.pos

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = bytes(self.buf)
        self.buf.clear()
        return out


async def _zip(files: dict[str, IO[bytes]], suffix: str) -> AsyncIterator[bytes]:
    sink = _Sink()
    try:
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as zf:  # type: ignore[call-overload]
            for name, f in files.items():
                f.seek(0)
                with zf.open(f"{name}.{suffix}", "w", force_zip64=True) as out:
                    while block := f.read(1 << 20):
                        await asyncio.to_thread(out.write, block)  # deflate off the serving loop
                        yield sink.take()
        yield sink.take()
    finally:
        for f in files.values():
            f.close()
