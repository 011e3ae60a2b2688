"""`/api/` on the HTTP port: JSON over the gRPC service itself, through a loopback channel, so every
request meets the same pipeline, limits, admission and token checks as a gRPC client's (the
`Authorization` header is passed on). For the playground page and for scripts without a gRPC client.

    GET  /api/schemas?domain=      GetSchemas
    POST /api/generate             GenerateData: a GenerateRequest in protobuf's JSON mapping
    POST /api/preview?rows=        GenerateDataStream's first rows (as records and as the format's text)
                                   and its metadata; the stream is cancelled after them
    POST /api/download             GenerateDataStream, streamed as one file (JSON: one array)
    POST /api/report               the quality report (tools/report.py) of the request's rows
    POST /api/dataset[/download]   GenerateDataset (service/http_dataset.py)

A download may also come as a form post (`request` = the JSON, `token` = the API token): a browser
saves a form's response to disk as it streams, which a script's fetch cannot do with a header.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, TypeVar
from urllib.parse import parse_qs

import grpc
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from google.protobuf import json_format
from google.protobuf.message import Message

from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
from retrieval.cache import PlanCache
from service.admission import HTTP_CLIENT, HTTP_CLIENT_KEY, client_key
from service.settings import Settings
from tools.registry import Registry
from tools.report import Report

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
MAX_PREVIEW = 1_000  # rows a preview shows at most
M = TypeVar("M", bound=Message)


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message


def add_api(app: FastAPI, grpc_port: int, registry: Registry, schemas: PlanCache, settings: Settings) -> None:
    """`schemas` is the servicer's store of imported schemas: the report reads the one a request names."""
    from service.http_dataset import add_dataset_api

    channel: grpc.aio.Channel | None = None
    report_rows, tokens = settings.report_max_rows, settings.tokens
    if settings.tls_cert_file is not None:

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

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # A query parameter out of range (?rows=): said the way every other refusal is.
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        message = f"{where}: {first.get('msg', 'invalid')}"
        return JSONResponse({"code": "INVALID_ARGUMENT", "message": message}, status_code=400)

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)

    add_dataset_api(app, stub, registry, schemas, settings)

    @app.get("/api/info")
    async def info() -> dict[str, Any]:
        """What the page needs before its first request: whether to ask for a token, where gRPC is
        (for the grpcurl command it shows), the report's row limit."""
        return {
            "grpc_port": grpc_port,
            "tokens_required": bool(tokens),
            "report_max_rows": report_rows,
            "max_sync_records": settings.max_sync_records,
        }

    @app.get("/api/schemas")
    async def list_schemas(request: Request, domain: str = "") -> Any:
        auth = [("authorization", request.headers.get("authorization", "")), *_client(request)]
        asked = stub().GetSchemas(pb.GetSchemasRequest(domain=domain), metadata=auth)
        got = await call_rpc(asked)
        return json_format.MessageToDict(got, preserving_proto_field_name=True)

    async def unary(request: Request, kind: type[M], method: str) -> Any:
        """A unary method of the service, its request and answer in protobuf's JSON mapping."""
        msg, auth = await read_request(request, kind)
        got = await call_rpc(getattr(stub(), method)(msg, metadata=auth))
        return json_format.MessageToDict(got, preserving_proto_field_name=True)

    @app.post("/api/generate")
    async def generate(request: Request) -> Any:
        return await unary(request, pb.GenerateRequest, "GenerateData")

    @app.post("/api/preview")
    async def preview(request: Request, rows: int = Query(100, ge=1, le=MAX_PREVIEW)) -> Any:
        msg, auth = await read_request(request, pb.GenerateRequest)
        records = pb.GenerateRequest()
        records.CopyFrom(msg)
        records.output_format, records.chunk_size = pb.JSONL, rows
        call = stub().GenerateDataStream(records, metadata=auth)
        try:
            head = await call.initial_metadata()
            lines: list[str] = []
            async for chunk in call:
                lines += [line for line in chunk.data.splitlines() if line.strip()]
                if len(lines) >= rows:
                    break
        except grpc.aio.AioRpcError as exc:
            raise refusal(exc) from None
        finally:
            call.cancel()  # the rest of the request is never made
        meta = stream_metadata(head)
        if msg.output_format != pb.JSONL:  # the same first rows as the chosen format writes them
            msg.chunk_size = rows
            seed = meta["seed"]
            if not msg.HasField("seed") and seed.isdigit():
                msg.seed = int(seed)  # the seed the first call drew: the same rows, not another draw
            shown = stub().GenerateDataStream(msg, metadata=auth)
            text = (await first_chunk(shown) or pb.DataChunk()).data
            shown.cancel()
        else:
            text = "\n".join(lines[:rows]) + "\n" if lines else ""
        return {
            "rows": [json.loads(line) for line in lines[:rows]],
            "text": text,
            "metadata": meta,
        }

    @app.post("/api/download")
    async def download(request: Request) -> Response:
        msg, auth = await read_request(request, pb.GenerateRequest)
        call = stub().GenerateDataStream(msg, metadata=auth)
        first = await first_chunk(call)  # an error comes back as one, before any byte of the file
        fmt = msg.output_format
        body = _joined(first, call) if fmt == pb.JSON else _plain(first, call)
        name = f"{msg.entity or 'data'}.{_SUFFIX.get(fmt, 'txt')}"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return StreamingResponse(body, media_type=_TYPES.get(fmt, "text/plain"), headers=headers)

    @app.post("/api/import")
    async def import_schema(request: Request) -> Any:
        return await unary(request, pb.ImportSchemaRequest, "ImportSchema")

    @app.post("/api/report")
    async def report(request: Request) -> Any:
        msg, auth = await read_request(request, pb.GenerateRequest)
        # The request as sent (a smaller count would change its scenarios' shares), read up to the
        # limit; the rest is never made.
        msg.output_format = pb.JSONL
        call = stub().GenerateDataStream(msg, metadata=auth)
        try:
            first = await first_chunk(call)  # the token and the request pass the service's checks first
            meter = Report(await request_schema(msg, registry, schemas, scope_of(auth, tokens)), report_rows)
            async for text in _plain(first, call):
                for line in text.splitlines():
                    if line.strip():
                        meter.add(json.loads(line))
                if meter.n >= report_rows:
                    break
        except grpc.aio.AioRpcError as exc:
            raise refusal(exc) from None
        finally:
            call.cancel()
        return meter.result()


def stream_metadata(head: Any) -> dict[str, Any]:
    """A stream's initial metadata, named as GenerationMetadata names it."""
    got = {k: v for k, v in head or () if isinstance(v, str)}
    used = got.get("x-examples-used", "")
    return {
        "generation_path": got.get("x-generation-path", ""),
        "fallback_reason": got.get("x-fallback-reason", ""),
        "cache_hit": got.get("x-cache-hit") == "true",
        "llm_tokens_used": int(got.get("x-llm-tokens-used") or 0),
        "seed": got.get("x-seed", ""),
        "as_of": got.get("x-as-of", ""),
        "engine_version": got.get("x-engine-version", ""),
        "examples_used": used.split(",") if used else [],
        "request_id": got.get("x-request-id", ""),
        **({"dataset_plan": got["x-dataset-plan"]} if "x-dataset-plan" in got else {}),
    }


async def read_request(request: Request, kind: type[M]) -> tuple[M, list[tuple[str, str]]]:
    """The body as a `kind` message in protobuf's JSON mapping, and the authorization to pass on: the
    header, or a form post's `token` field."""
    body = await _body(request)
    token = request.headers.get("authorization", "")
    # `curl -d '{...}'` says form-urlencoded too: a form is a body with a `request` field.
    form = (
        parse_qs(body.decode("utf-8", "replace"))
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        else {}
    )
    if "request" in form:
        body = form["request"][0].encode()
        if form.get("token", [""])[0]:
            token = f"Bearer {form['token'][0]}"
    try:
        msg = json_format.Parse(body or b"{}", kind())
    except (json_format.ParseError, ValueError) as exc:  # ValueError: bytes that are not UTF-8
        raise Refused(
            400, "INVALID_ARGUMENT", f"the body is not a {kind.__name__}: {str(exc)[:300]}"
        ) from None
    return msg, ([("authorization", token)] if token else []) + _client(request)


def _client(request: Request) -> list[tuple[str, str]]:
    """Who asks, for the service's per-client limits (service/admission.py reads it from loopback)."""
    return [(HTTP_CLIENT, f"{HTTP_CLIENT_KEY}:{request.client.host}")] if request.client else []


async def _body(request: Request) -> bytes:
    # Read up to the limit and no further: a client's gigabyte never sits in memory.
    too_big = Refused(413, "INVALID_ARGUMENT", f"the request body is larger than {MAX_BODY:,} bytes")
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        raise too_big
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > MAX_BODY:
            raise too_big
        parts.append(part)
    return b"".join(parts)


async def call_rpc(awaitable: Any) -> Any:
    try:
        return await awaitable
    except grpc.aio.AioRpcError as exc:
        raise refusal(exc) from None


def refusal(exc: grpc.aio.AioRpcError) -> Refused:
    return Refused(_HTTP.get(exc.code(), 500), exc.code().name, exc.details() or "")


async def first_chunk(call: Any) -> Any:
    """The stream's first chunk, or its error as a refusal before any byte of a response is sent."""
    try:
        async for chunk in call:
            return chunk  # type: ignore[no-any-return]
    except grpc.aio.AioRpcError as exc:
        raise refusal(exc) from None
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


def scope_of(auth: list[tuple[str, str]], tokens: frozenset[str]) -> str:
    """Whose imported schemas a call sees, as the servicer says (its token's, else anyone's by id)."""
    return client_key(auth, "", tokens) if tokens else "open"


async def request_schema(msg: pb.GenerateRequest, registry: Registry, schemas: PlanCache, scope: str) -> Any:
    """The request's schema, read as the pipeline reads it: a registry entity, the one it sends, or the
    imported one its schema_id names."""
    from agent.executor import resolve_schema
    from service.convert import to_request
    from service.errors import Unavailable, status_for
    from service.schemas_rpc import schema_document
    from tools.errors import DataError

    try:
        if msg.schema_id:
            doc = await schema_document(msg.schema_id, msg.entity, schemas, scope)
            msg = pb.GenerateRequest(custom_schema=doc)
        return resolve_schema(to_request(msg, ""), registry)
    except DataError as exc:
        code = status_for(exc)
        raise Refused(_HTTP.get(code, 400), code.name, exc.message) from None
    except Unavailable as exc:
        raise Refused(503, "UNAVAILABLE", str(exc)) from None
