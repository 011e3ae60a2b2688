"""The testdata.v1 gRPC servicer: thin adapters from proto to the generator and back."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from typing import Any

import grpc
import structlog
from pydantic_ai.models import Model

from agent.dataset_planner import FamilyOutcome
from agent.dataset_views import plan_summary
from agent.datasets import Chunk, DatasetRun
from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
from retrieval.cache import MemoryCache, PlanCache
from retrieval.examples import ExampleStore
from service import dataset_import, examples_rpc, metrics, schemas_rpc
from service.admission import Busy, Slot, client_key
from service.bounds import check_message
from service.convert import MAX_HEADER_CHARS, schema_info, to_dataset_request, to_request
from service.convert import header_text as _header
from service.errors import Unavailable, status_for
from service.generation import Generator, Served
from service.health import HealthState
from service.logs import log
from tools import cancel
from tools.errors import MAX_MESSAGE_CHARS, DataError, InvalidRequest, shorten
from tools.registry import Registry
from tools.seeds import ENGINE_VERSION
from tools.temporal import as_of_text


class StreamIdle(Exception):
    """The client read nothing for STREAM_IDLE_TIMEOUT_S: the stream ends and its slot is freed."""


def request_id_of(msg_id: str, context: grpc.aio.ServicerContext) -> str:
    """The id logs and response headers carry: printable ASCII (a request with anything else is refused
    in service/convert.py, but its id still has to be loggable and sendable)."""
    if msg_id:
        return _header(msg_id)[:128]
    for key, value in context.invocation_metadata() or ():
        if key == "x-request-id" and value:
            return str(value)[:128]
    return uuid.uuid4().hex


def _metadata(served: Served) -> pb.GenerationMetadata:
    o, p = served.outcome, served.prepared
    return pb.GenerationMetadata(
        generation_path=o.path,
        llm_tokens_used=o.tokens,
        generation_time_ms=served.elapsed_ms,
        coherence_score=p.coherence.score,
        scenario_counts=p.scenario_counts,
        fallback_reason=o.fallback_reason,
        cache_hit=o.cache_hit,
        seed=p.seed,
        prompt_version=o.prompt_version,
        llm_requests=o.requests,
        engine_version=ENGINE_VERSION,
        as_of=as_of_text(p.as_of),
        examples_used=o.examples_used,
        report_json=served.report_json,
    )


class TestDataServicer(pb_grpc.TestDataServiceServicer):
    def __init__(
        self,
        generator: Generator,
        registry: Registry,
        health: HealthState,
        store: ExampleStore,
        schemas: PlanCache | None = None,
        model: Model | None = None,
        cache: PlanCache | None = None,
    ) -> None:
        self.generator = generator
        self.registry = registry
        self.health = health
        self.store = store
        self.schemas: PlanCache = schemas or MemoryCache(max_entries=512)  # ImportSchema's results
        self.model, self.cache = model, cache  # the model that reads column names no rule reads

    def _scope(self, context: grpc.aio.ServicerContext) -> str:
        """Whose imported schemas a call sees: its token's with tokens on; else anyone holding the id."""
        tokens = self.generator.settings.tokens
        return client_key(context.invocation_metadata(), context.peer(), tokens) if tokens else "open"

    async def _request(
        self, request: pb.GenerateRequest, request_id: str, context: grpc.aio.ServicerContext
    ) -> Any:
        """The DataRequest, with the imported schema that schema_id and entity name."""
        req = to_request(request, request_id)
        if request.schema_id:
            if req.custom_schema.strip() or req.inline_schema.strip() or req.schema_fields:
                raise InvalidRequest("schema_id", "comes with another schema", "send schema_id or a schema")
            req.custom_schema = await schemas_rpc.schema_document(
                request.schema_id, request.entity, self.schemas, self._scope(context)
            )
        return req

    async def _guard(
        self,
        method: str,
        request_id: str,
        context: grpc.aio.ServicerContext,
        body: Callable[[], Awaitable[Any]],
    ) -> Any:
        """Runs an RPC body: binds the request id to logs, maps errors to status codes, counts it, and
        stops the body's worker-thread work once the call ends, however it ends (tools/cancel.py)."""
        structlog.contextvars.bind_contextvars(request_id=request_id, method=method)
        started = time.perf_counter()
        status, path = "OK", ""
        token = cancel.Cancel(context.time_remaining())
        reset = cancel.current.set(token)
        try:
            result, path = await body()
            return result
        except DataError as exc:
            code = status_for(exc)
            status = code.name
            message = shorten(exc.message, MAX_MESSAGE_CHARS)
            log.info("request rejected", code=status, field=shorten(exc.field, 100), error=message)
            if isinstance(exc, Busy):
                context.set_trailing_metadata((("grpc-retry-pushback-ms", str(exc.retry_after_ms)),))
            await context.abort(code, message)
        except Unavailable as exc:
            status = grpc.StatusCode.UNAVAILABLE.name
            await context.abort(grpc.StatusCode.UNAVAILABLE, shorten(str(exc), MAX_MESSAGE_CHARS))
        except (StreamIdle, cancel.Cancelled) as exc:
            status = grpc.StatusCode.DEADLINE_EXCEEDED.name
            log.info("request ended", reason=str(exc))
            await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, str(exc))
        except grpc.aio.AbortError:
            raise
        except asyncio.CancelledError:
            status = grpc.StatusCode.CANCELLED.name  # the client went away or its deadline passed
            raise
        except Exception:
            status = grpc.StatusCode.INTERNAL.name
            log.exception("unexpected error")
            await context.abort(grpc.StatusCode.INTERNAL, f"internal error; quote request id {request_id}")
        finally:
            token.cancel("the call ended")
            cancel.current.reset(reset)
            metrics.REQUESTS.labels(method=method, path=path, status=status).inc()
            log.info(
                "request done", status=status, duration_ms=round((time.perf_counter() - started) * 1000, 2)
            )
            structlog.contextvars.clear_contextvars()

    def _admit(self, context: grpc.aio.ServicerContext, unary: bool = False) -> Slot:
        """A generation slot for this call, held until the RPC is over (delivered, failed or cancelled),
        however long after the handler returns a client takes to read its response or status."""
        client = client_key(context.invocation_metadata(), context.peer(), self.generator.settings.tokens)
        admission = self.generator.admission
        slot = admission.unary_call(client) if unary else admission.stream(client)
        context.add_done_callback(slot.release)
        return slot

    async def _write(self, context: grpc.aio.ServicerContext, message: Any) -> None:
        """One message, waiting for the client's flow-control window; a client that reads nothing for
        STREAM_IDLE_TIMEOUT_S loses the stream, so it cannot hold a slot and a chunk forever."""
        idle = self.generator.settings.stream_idle_timeout_s
        try:
            await asyncio.wait_for(context.write(message), idle)
        except TimeoutError:
            raise StreamIdle(
                f"the client read nothing for {idle:g} s (STREAM_IDLE_TIMEOUT_S); read chunks as they "
                "arrive, and ask again with the same seed for the same data"
            ) from None
        except Exception as exc:
            # A write fails only when the call is over (the client cancelled or went away while the write
            # waited); the handler is being cancelled, and the failed write must not read as INTERNAL.
            raise asyncio.CancelledError(f"write failed: {type(exc).__name__}") from None

    async def GenerateData(self, request: pb.GenerateRequest, context: grpc.aio.ServicerContext) -> Any:
        request_id = request_id_of(request.request_id, context)

        async def body() -> tuple[pb.GenerateResponse, str]:
            slot = self._admit(context, unary=True)
            req = await self._request(request, request_id, context)
            served = await self.generator.start(req, True, context.time_remaining())
            _bind(served)
            data = await self.generator.document(served)
            slot.weigh(len(data))
            response = pb.GenerateResponse(
                request_id=request_id,
                success=True,
                data=data,
                record_count=served.prepared.total,
                metadata=_metadata(served),
            )
            return response, served.outcome.path

        return await self._guard("GenerateData", request_id, context, body)

    async def GenerateDataStream(
        self, request: pb.GenerateRequest, context: grpc.aio.ServicerContext
    ) -> None:
        # A coroutine that writes (not an async generator): each awaited write waits for the client's
        # flow-control window, so a slow client slows generation instead of filling memory.
        request_id = request_id_of(request.request_id, context)

        async def body() -> tuple[None, str]:
            self._admit(context)
            req = await self._request(request, request_id, context)
            served = await self.generator.start(req, False, context.time_remaining())
            _bind(served)
            await context.send_initial_metadata(stream_metadata(request_id, served))
            # aclosing: a cancelled or failed stream closes the generator at once, so it stops.
            async with aclosing(self.generator.chunks(served)) as chunks:
                index = 0
                async for text, final in chunks:
                    message = pb.DataChunk(
                        request_id=request_id, data=text, chunk_index=index, is_final=final
                    )
                    del text
                    await self._write(context, message)
                    index += 1
            return None, served.outcome.path

        await self._guard("GenerateDataStream", request_id, context, body)

    async def GenerateDataset(self, request: pb.DatasetRequest, context: grpc.aio.ServicerContext) -> None:
        request_id = request_id_of(request.request_id, context)

        async def body() -> tuple[None, str]:
            self._admit(context)
            if request.schema_id:  # the import's own tables and keys
                settings = self.generator.settings
                imported = await dataset_import.start(
                    request, self.schemas, self._scope(context),
                    settings.max_stream_records, settings.default_chunk_size,
                )  # fmt: skip
                structlog.contextvars.bind_contextvars(seed=imported.seed, path="traditional")
                await dataset_import.send(imported, request_id, context, self._write, self.generator.drain)
                return None, "traditional"
            run, planned = await self.generator.start_dataset(
                to_dataset_request(request, request_id), context.time_remaining()
            )
            structlog.contextvars.bind_contextvars(
                entities=dict(request_entities(request)), seed=run.seed, path=planned.path
            )
            await context.send_initial_metadata(dataset_metadata(request_id, run, planned))
            index, pending = 0, None
            # One chunk of look-ahead: a family's size is known only once it is made.
            async with aclosing(self.generator.dataset_chunks(run)) as chunks:
                async for chunk in chunks:
                    if pending is not None:
                        await self._write(context, _dataset_chunk(request_id, pending, index, False))
                        index += 1
                    pending = chunk
            if pending is not None:
                await self._write(context, _dataset_chunk(request_id, pending, index, True))
            context.set_trailing_metadata(dataset_trailers(run))
            return None, planned.path

        await self._guard("GenerateDataset", request_id, context, body)

    async def GetSchemas(self, request: pb.GetSchemasRequest, context: grpc.aio.ServicerContext) -> Any:
        async def body() -> tuple[pb.GetSchemasResponse, str]:
            schemas = [schema_info(s) for s in self.registry.schemas(request.domain)]
            return pb.GetSchemasResponse(schemas=schemas), ""

        return await self._guard("GetSchemas", request_id_of("", context), context, body)

    async def AddExamples(self, request: pb.AddExamplesRequest, context: grpc.aio.ServicerContext) -> Any:
        limits = examples_rpc.ExampleLimits.of(self.generator.settings)
        return await self._guard(
            "AddExamples",
            request_id_of("", context),
            context,
            lambda: examples_rpc.add(request, self.store, self.registry, limits),
        )

    async def ListExamples(self, request: pb.ListExamplesRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._guard(
            "ListExamples",
            request_id_of("", context),
            context,
            lambda: examples_rpc.list_page(request, self.store),
        )

    async def DeleteExamples(
        self, request: pb.DeleteExamplesRequest, context: grpc.aio.ServicerContext
    ) -> Any:
        return await self._guard(
            "DeleteExamples",
            request_id_of("", context),
            context,
            lambda: examples_rpc.delete(request, self.store),
        )

    async def ImportSchema(self, request: pb.ImportSchemaRequest, context: grpc.aio.ServicerContext) -> Any:
        request_id = request_id_of(request.request_id, context)

        async def body() -> tuple[pb.ImportSchemaResponse, str]:
            check_message(request)
            self._admit(context, unary=True)  # an import parses and compiles: it takes a slot
            scope = self._scope(context)
            return await schemas_rpc.import_schema(request, self.schemas, scope, self.model, self.cache), ""

        return await self._guard("ImportSchema", request_id, context, body)

    async def DeleteSchema(self, request: pb.DeleteSchemaRequest, context: grpc.aio.ServicerContext) -> Any:
        async def body() -> tuple[pb.DeleteSchemaResponse, str]:
            check_message(request)
            return await schemas_rpc.delete_schema(request, self.schemas, self._scope(context)), ""

        return await self._guard("DeleteSchema", request_id_of("", context), context, body)

    async def HealthCheck(self, request: pb.HealthCheckRequest, context: grpc.aio.ServicerContext) -> Any:
        status, components = await self.health.report()
        return pb.HealthCheckResponse(status=status, components=components)


def request_entities(request: pb.DatasetRequest) -> list[tuple[str, int]]:
    return [(e.entity, e.count) for e in request.entities]


def stream_metadata(request_id: str, served: Served) -> tuple[tuple[str, str], ...]:
    """GenerateData's metadata as headers (a DataChunk has no room for it): a stream served by the
    fallback says so before its first row, as a unary response does."""
    o, p = served.outcome, served.prepared
    return (
        ("x-request-id", request_id),
        ("x-seed", str(p.seed)),
        ("x-engine-version", ENGINE_VERSION),
        ("x-as-of", as_of_text(p.as_of)),
        ("x-generation-path", o.path),
        ("x-fallback-reason", _header(o.fallback_reason)),
        ("x-cache-hit", "true" if o.cache_hit else "false"),
        ("x-llm-tokens-used", str(o.tokens)),
        ("x-examples-used", _header(",".join(o.examples_used))),
    )


def dataset_metadata(request_id: str, run: DatasetRun, planned: FamilyOutcome) -> tuple[tuple[str, str], ...]:
    """What the response metadata of GenerateData says, as headers: a DatasetChunk has no room for it."""
    return (
        ("x-request-id", request_id),
        ("x-seed", str(run.seed)),
        ("x-engine-version", ENGINE_VERSION),
        ("x-as-of", as_of_text(run.as_of)),
        ("x-generation-path", planned.path),
        ("x-fallback-reason", _header(planned.fallback_reason)),
        ("x-cache-hit", "true" if planned.cache_hit else "false"),
        ("x-llm-tokens-used", str(planned.tokens)),
        ("x-dataset-plan", _header(plan_summary(planned.plan))),
    )


def dataset_trailers(run: DatasetRun) -> tuple[tuple[str, str], ...]:
    """Records made per entity, known only at the end; a requested entity the family never reached
    (its plan or the cardinalities left none) is named, not silently absent."""
    counts = ""
    for entity, n in run.counts.items():  # whole entries only: a cut number would be a wrong count
        entry = f"{',' if counts else ''}{entity}={n}"
        if len(counts) + len(entry) > MAX_HEADER_CHARS:
            break
        counts += entry
    out = [("x-record-counts", counts)]
    missing = sorted(e for e in run.requested if not run.counts.get(e))
    if missing:
        log.warning("requested entities came out empty", missing=missing)
        out.append(("x-empty-entities", _header(",".join(missing))))
    return tuple(out)


def _dataset_chunk(request_id: str, chunk: Chunk, index: int, final: bool) -> pb.DatasetChunk:
    return pb.DatasetChunk(
        request_id=request_id, entity=chunk.entity, data=chunk.data, chunk_index=index, is_final=final
    )


def _bind(served: Served) -> None:
    p = served.prepared
    structlog.contextvars.bind_contextvars(
        entity=p.schema.name,
        count=p.total,
        path=served.outcome.path,
        fallback=served.outcome.fallback_reason or None,
        seed=p.seed,
    )
