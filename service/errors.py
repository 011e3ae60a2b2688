"""Domain errors -> gRPC status codes, in one place. Messages name the field and the fix."""

from __future__ import annotations

import grpc

from tools.errors import DataError, GenerationFailed, InvalidRequest, LimitExceeded, SchemaNotFound

_CODES: list[tuple[type[DataError], grpc.StatusCode]] = [
    (SchemaNotFound, grpc.StatusCode.NOT_FOUND),
    (LimitExceeded, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (GenerationFailed, grpc.StatusCode.INVALID_ARGUMENT),
    (InvalidRequest, grpc.StatusCode.INVALID_ARGUMENT),
]


def status_for(exc: DataError) -> grpc.StatusCode:
    for kind, code in _CODES:
        if isinstance(exc, kind):
            return code
    return grpc.StatusCode.INVALID_ARGUMENT


class Unavailable(Exception):
    """No fallback exists (UNAVAILABLE); everything else degrades instead."""
