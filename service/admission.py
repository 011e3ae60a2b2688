"""How much generation work the server takes at once: streams and unary generations, per server and per
client, each counted apart, so streams nobody reads can never take the capacity of health checks, cheap
RPCs or unary calls.

gRPC's own `maximum_concurrent_rpcs` counts every RPC alike: 256 never-read streams made every other call,
health included, fail. The server therefore sets no gRPC-wide cap and admits generation work here;
health, reflection, GetSchemas and the example RPCs are never refused for capacity.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tools.errors import LimitExceeded

RETRY_AFTER_MS = 2000  # what the refusal suggests: streams end or time out within seconds


class Busy(LimitExceeded):
    """RESOURCE_EXHAUSTED with a retry hint (the `grpc-retry-pushback-ms` trailer)."""

    retry_after_ms = RETRY_AFTER_MS


@dataclass
class Admission:
    max_streams: int
    streams_per_client: int
    max_unary: int
    streams: Counter[str] = field(default_factory=Counter)
    unary: Counter[str] = field(default_factory=Counter)
    on_idle: Callable[[], None] = lambda: None  # the last generation ended (service/memory.py trims)

    @contextmanager
    def stream(self, client: str) -> Iterator[None]:
        with self._slot(self.streams, client, self.max_streams, self.streams_per_client, "streams"):
            yield

    @contextmanager
    def unary_call(self, client: str) -> Iterator[None]:
        # No per-client share: a unary call ends on its own, and test suites send dozens at once.
        with self._slot(self.unary, client, self.max_unary, self.max_unary, "generation requests"):
            yield

    @contextmanager
    def _slot(
        self, held: Counter[str], client: str, total: int, per_client: int, what: str
    ) -> Iterator[None]:
        # One event loop runs every RPC: the check and the increment cannot interleave.
        if held.total() >= total:
            raise Busy("", f"the server is serving its limit of {total} {what}", "retry in a few seconds")
        if held[client] >= per_client:
            raise Busy(
                "",
                f"this client has {per_client} {what} open, the limit per client",
                "finish or cancel one (read streams as they arrive) and retry",
            )
        held[client] += 1
        try:
            yield
        finally:
            held[client] -= 1
            if not held[client]:
                del held[client]
            if self.idle():
                self.on_idle()

    def idle(self) -> bool:
        return not self.streams and not self.unary

    def saturated(self) -> str:
        """Why the server cannot take more work right now ('' when it can): readiness reports it."""
        if self.streams.total() >= self.max_streams:
            return f"all {self.max_streams} stream slots are taken"
        if self.unary.total() >= self.max_unary:
            return f"all {self.max_unary} generation slots are taken"
        return ""


def client_key(metadata: object, peer: str, tokens: frozenset[str]) -> str:
    """Who a call counts against: its bearer token when tokens are required (hashed: never kept or
    logged as is), else its address without the port (one host's connections are one client)."""
    if tokens:
        for key, value in metadata or ():  # type: ignore[attr-defined]
            if key == "authorization" and isinstance(value, str):
                return "token:" + hashlib.sha256(value[7:].strip().encode()).hexdigest()[:16]
    host = peer.rsplit(":", 1)[0] if peer.count(":") >= 2 else peer
    return "peer:" + host[:100]
