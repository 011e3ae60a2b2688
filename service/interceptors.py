"""What every call passes before a servicer sees it: the bearer token (health and reflection stay open
for probes), a request message that parses, and metrics labels that only ever hold known method names."""

from __future__ import annotations

import hmac
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from protos.testdata.v1 import test_data_pb2 as pb
from service import metrics

OPEN_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.", "/testdata.v1.TestDataService/HealthCheck")
DENIED = "missing or wrong bearer token: send the metadata 'authorization: Bearer <token>'"
_SERVICE = pb.DESCRIPTOR.services_by_name["TestDataService"]
KNOWN = {f"/{_SERVICE.full_name}/{m.name}": m.name for m in _SERVICE.methods}


def method_label(method: str) -> str:
    """The metrics label of a method: its name if the service has it, else `unknown`. Method names
    are client text; one series per made-up name grew /metrics to 43 MB."""
    return KNOWN.get(method, "unknown")


class GuardInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, tokens: frozenset[str]) -> None:
        self.tokens = tuple(t.encode() for t in tokens)

    def _allowed(self, metadata: Any) -> bool:
        # Exactly one authorization entry: with two, the token checked here and the one a call is
        # counted against (service/admission.py client_key) could differ, and per-client limits leak.
        given = [v for k, v in metadata or () if k == "authorization"]
        if len(given) != 1 or not isinstance(given[0], str) or given[0][:7].lower() != "bearer ":
            return False
        token = given[0][7:].strip().encode()
        # Compare against every token in constant time: no early exit that leaks which matched.
        return any([hmac.compare_digest(token, t) for t in self.tokens])

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = details.method
        handler = await continuation(details)
        if handler is None:  # no such method: gRPC answers UNIMPLEMENTED
            return handler
        guarded = self.tokens and not method.startswith(OPEN_PREFIXES)
        if guarded and not self._allowed(details.invocation_metadata):
            metrics.REQUESTS.labels(method=method_label(method), path="", status="UNAUTHENTICATED").inc()
            return _denying(handler)
        return _parsed(handler, method)


def _denying(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """Refuses without parsing the request: a 60 MB message from a caller without a token is dropped
    as bytes, never turned into objects (eight of them once cost 830 MB)."""

    async def deny(request: Any, context: grpc.aio.ServicerContext) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, DENIED)

    codec = {"request_deserializer": _ignore, "response_serializer": handler.response_serializer}
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(deny, **codec)
    return grpc.unary_unary_rpc_method_handler(deny, **codec)


def _ignore(raw: bytes) -> None:
    return None


class _Unparsed:
    """A request message that did not parse, handed to the behaviour instead of an exception (which
    gRPC would answer with UNKNOWN or INTERNAL)."""

    def __init__(self, error: Exception) -> None:
        self.error = type(error).__name__


def _parsed(handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
    """Unary-request handlers answer a message that does not parse (bad wire bytes, invalid UTF-8 in a
    string) with INVALID_ARGUMENT. Streaming-request handlers (reflection) are left as they are."""
    parse = handler.request_deserializer
    behaviour = handler.unary_unary or handler.unary_stream
    async_behaviour = inspect.iscoroutinefunction(behaviour) or inspect.isasyncgenfunction(behaviour)
    if parse is None or handler.request_streaming or not async_behaviour:
        return handler

    def safe_parse(raw: bytes) -> Any:
        try:
            return parse(raw)
        except Exception as exc:  # any parse failure is the client's bytes, not our fault
            return _Unparsed(exc)

    name = method.rsplit("/", 1)[-1][:100]
    problem = f"the request is not a valid {name} message"
    fix = "send a protobuf message of the method's request type (strings must be UTF-8)"

    async def refuse(request: _Unparsed, context: grpc.aio.ServicerContext) -> None:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"{problem} ({request.error}); {fix}")

    if handler.unary_unary is not None:
        inner = handler.unary_unary

        async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
            if isinstance(request, _Unparsed):
                return await refuse(request, context)
            return await inner(request, context)

        return handler._replace(request_deserializer=safe_parse, unary_unary=unary)
    inner_stream = handler.unary_stream
    if inspect.isasyncgenfunction(inner_stream):

        async def stream_gen(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            if isinstance(request, _Unparsed):
                await refuse(request, context)
                return
            async for item in inner_stream(request, context):
                yield item

        return handler._replace(request_deserializer=safe_parse, unary_stream=stream_gen)

    async def stream(request: Any, context: grpc.aio.ServicerContext) -> Any:
        if isinstance(request, _Unparsed):
            return await refuse(request, context)
        return await inner_stream(request, context)

    return handler._replace(request_deserializer=safe_parse, unary_stream=stream)
