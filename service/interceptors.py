"""Bearer-token auth for the TestDataService RPCs. Health and reflection stay open for probes."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from service import metrics

OPEN_PREFIXES = ("/grpc.health.v1.", "/grpc.reflection.", "/testdata.v1.TestDataService/HealthCheck")
DENIED = "missing or wrong bearer token: send the metadata 'authorization: Bearer <token>'"


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, tokens: frozenset[str]) -> None:
        self.tokens = tuple(t.encode() for t in tokens)

    def _allowed(self, metadata: Any) -> bool:
        for key, value in metadata or ():
            if key == "authorization" and isinstance(value, str) and value[:7].lower() == "bearer ":
                given = value[7:].strip().encode()
                # Compare against every token in constant time: no early exit that leaks which matched.
                return any([hmac.compare_digest(given, t) for t in self.tokens])
        return False

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = details.method
        if not self.tokens or method.startswith(OPEN_PREFIXES) or self._allowed(details.invocation_metadata):
            return await continuation(details)
        handler = await continuation(details)
        metrics.REQUESTS.labels(method=method.rsplit("/", 1)[-1], path="", status="UNAUTHENTICATED").inc()
        return _denying(handler)


def _denying(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    async def deny(request: Any, context: grpc.aio.ServicerContext) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, DENIED)

    codec = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(deny, **codec)
    return grpc.unary_unary_rpc_method_handler(deny, **codec)
