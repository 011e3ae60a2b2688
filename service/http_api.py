"""`/api/` on the HTTP port: JSON over the gRPC service itself, through a loopback channel, so every
request meets the same pipeline, limits, admission and token checks as a gRPC client's (the
`Authorization` header is passed on). For the playground page and for scripts without a gRPC client.

    GET  /api/schemas?domain=      GetSchemas
    POST /api/generate             GenerateData: a GenerateRequest in protobuf's JSON mapping
    POST /api/download             GenerateDataStream, streamed as one file (JSON: one array)
    POST /api/report               the quality report (tools/report.py) of the request's rows
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from google.protobuf import json_format

from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
from tools.registry import Registry
from tools.report import REPORT_MAX_ROWS, Report

_HTTP = {
    grpc.StatusCode.INVALID_ARGUMENT: 400, grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.UNAUTHENTICATED: 401, grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429, grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504, grpc.StatusCode.FAILED_PRECONDITION: 400,
}  # fmt: skip
_TYPES = {
    pb.JSON: "application/json",
    pb.JSONL: "application/x-ndjson",
    pb.CSV: "text/csv",
    pb.SQL: "application/sql",
}
_SUFFIX = {pb.JSON: "json", pb.JSONL: "jsonl", pb.CSV: "csv", pb.SQL: "sql"}
MAX_BODY = 4 * 1024 * 1024  # a request body: a custom schema fits (its own limit is 2,000,000 characters)


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message


def add_api(app: FastAPI, grpc_port: int, registry: Registry, tls: bool = False) -> None:
    channel: grpc.aio.Channel | None = None
    if tls:

        @app.api_route("/api/{path:path}", methods=["GET", "POST"])
        async def off(path: str) -> JSONResponse:
            message = "the HTTP API is off on a TLS server for now; use gRPC"
            return JSONResponse({"code": "UNIMPLEMENTED", "message": message}, status_code=501)

        return

    def stub() -> pb_grpc.TestDataServiceStub:
        nonlocal channel
        if channel is None:  # made on first use, inside the serving loop
            channel = grpc.aio.insecure_channel(f"127.0.0.1:{grpc_port}")
        return pb_grpc.TestDataServiceStub(channel)

    @app.exception_handler(_Refused)
    async def refused(_: Request, exc: _Refused) -> JSONResponse:
        return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)

    @app.get("/api/schemas")
    async def schemas(request: Request, domain: str = "") -> Any:
        got = await _call(stub().GetSchemas(pb.GetSchemasRequest(domain=domain), metadata=_auth(request)))
        return json_format.MessageToDict(got, preserving_proto_field_name=True)

    @app.post("/api/generate")
    async def generate(request: Request) -> Any:
        msg = await _message(request)
        got = await _call(stub().GenerateData(msg, metadata=_auth(request)))
        return json_format.MessageToDict(got, preserving_proto_field_name=True)

    @app.post("/api/download")
    async def download(request: Request) -> Response:
        msg = await _message(request)
        call = stub().GenerateDataStream(msg, metadata=_auth(request))
        first = await _first(call)  # an error comes back as one, before any byte of the file
        fmt = msg.output_format
        body = _joined(first, call) if fmt == pb.JSON else _plain(first, call)
        name = f"{msg.entity or 'data'}.{_SUFFIX.get(fmt, 'txt')}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return StreamingResponse(body, media_type=_TYPES.get(fmt, "text/plain"), headers=headers)

    @app.post("/api/report")
    async def report(request: Request) -> Any:
        msg = await _message(request)
        if msg.schema_id:
            raise _Refused(
                400, "INVALID_ARGUMENT", "schema_id: the report takes a registry entity or a sent schema"
            )
        msg.output_format = pb.JSONL
        msg.count = min(msg.count or 0, REPORT_MAX_ROWS) if msg.count else 0
        schema = _schema(msg, registry)
        meter = Report(schema)
        call = stub().GenerateDataStream(msg, metadata=_auth(request))
        try:
            async for chunk in call:
                for line in chunk.data.splitlines():
                    if line.strip():
                        meter.add(json.loads(line))
        except grpc.aio.AioRpcError as exc:
            raise _refusal(exc) from None
        return meter.result()


def _auth(request: Request) -> list[tuple[str, str]]:
    value = request.headers.get("authorization", "")
    return [("authorization", value)] if value else []


async def _message(request: Request) -> pb.GenerateRequest:
    # Read up to the limit and no further: a client's gigabyte never sits in memory.
    too_big = _Refused(413, "INVALID_ARGUMENT", f"the request body is larger than {MAX_BODY:,} bytes")
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise too_big
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > MAX_BODY:
            raise too_big
        parts.append(part)
    body = b"".join(parts)
    try:
        return json_format.Parse(body or b"{}", pb.GenerateRequest())
    except json_format.ParseError as exc:
        raise _Refused(
            400, "INVALID_ARGUMENT", f"the body is not a GenerateRequest: {str(exc)[:300]}"
        ) from None


async def _call(awaitable: Any) -> Any:
    try:
        return await awaitable
    except grpc.aio.AioRpcError as exc:
        raise _refusal(exc) from None


def _refusal(exc: grpc.aio.AioRpcError) -> _Refused:
    return _Refused(_HTTP.get(exc.code(), 500), exc.code().name, exc.details() or "")


async def _first(call: Any) -> pb.DataChunk | None:
    try:
        async for chunk in call:
            return chunk  # type: ignore[no-any-return]
    except grpc.aio.AioRpcError as exc:
        raise _refusal(exc) from None
    return None


async def _plain(first: pb.DataChunk | None, call: Any) -> AsyncIterator[str]:
    """The chunks as GenerateDataStream sent them: JSONL, CSV and SQL chunks join into one file."""
    if first is None:
        return
    yield first.data
    async for chunk in call:
        yield chunk.data


async def _joined(first: pb.DataChunk | None, call: Any) -> AsyncIterator[str]:
    """JSON chunks are arrays each: one array of their records."""
    yield "["
    started = False
    async for text in _plain(first, call):
        inner = text.strip()[1:-1].strip()
        if inner:
            yield ("," if started else "") + inner
            started = True
    yield "]"


def _schema(msg: pb.GenerateRequest, registry: Registry) -> Any:
    """The request's schema, read as the pipeline reads it (a registry entity or the one it sends)."""
    from agent.executor import resolve_schema
    from service.convert import to_request
    from tools.errors import DataError

    try:
        return resolve_schema(to_request(msg, ""), registry)
    except DataError as exc:
        raise _Refused(400, "INVALID_ARGUMENT", exc.message) from None
