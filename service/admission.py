"""How much generation work the server takes at once: streams and unary generations, per server and per
client, each counted apart, so streams nobody reads can never take the capacity of health checks, cheap
RPCs or unary calls.

gRPC's own `maximum_concurrent_rpcs` counts every RPC alike: 256 never-read streams made every other call,
health included, fail. The server therefore sets no gRPC-wide cap and admits generation work here;
health, reflection, GetSchemas and the example RPCs are never refused for capacity.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from tools.errors import LimitExceeded

RETRY_AFTER_MS = 2000  # what the refusal suggests: streams end or time out within seconds


class Busy(LimitExceeded):
    """RESOURCE_EXHAUSTED with a retry hint (the `grpc-retry-pushback-ms` trailer)."""

    retry_after_ms = RETRY_AFTER_MS


class Slot:
    """One admitted call. Released when the RPC is over (its done callback), not when the handler
    returns: a response or status a client never reads keeps its slot, so such calls stay bounded."""

    def __init__(self, admission: Admission, held: Counter[str], client: str) -> None:
        self.admission, self.held, self.client = admission, held, client
        self.bytes = 0  # a unary response built and not yet delivered
        held[client] += 1

    def weigh(self, size: int) -> None:
        self.bytes += size
        self.admission.unread[self.client] += size

    def release(self, _context: object = None) -> None:
        if self.held is None:
            return  # released already
        held, client, self.held = self.held, self.client, None  # type: ignore[assignment]
        held[client] -= 1
        if not held[client]:
            del held[client]
        unread = self.admission.unread
        unread[client] -= self.bytes
        if unread[client] <= 0:
            del unread[client]
        if self.admission.idle():
            self.admission.on_idle()


@dataclass
class Admission:
    max_streams: int
    streams_per_client: int
    max_unary: int
    unary_per_client: int
    unread_per_client: int  # bytes of unary responses a client may leave unread
    streams: Counter[str] = field(default_factory=Counter)
    unary: Counter[str] = field(default_factory=Counter)
    unread: Counter[str] = field(default_factory=Counter)
    on_idle: Callable[[], None] = lambda: None  # the last generation ended (service/memory.py trims)

    def stream(self, client: str) -> Slot:
        return self._slot(self.streams, client, self.max_streams, self.streams_per_client, "streams")

    def unary_call(self, client: str) -> Slot:
        if self.unread[client] >= self.unread_per_client:
            raise Busy(
                "",
                f"this client has {self.unread[client] / 2**20:,.0f} MiB of responses it has not read",
                "read the responses of earlier calls, then retry",
            )
        return self._slot(self.unary, client, self.max_unary, self.unary_per_client, "generation requests")

    def _slot(self, held: Counter[str], client: str, total: int, per_client: int, what: str) -> Slot:
        # One event loop runs every RPC: the check and the increment cannot interleave.
        if held.total() >= total:
            raise Busy("", f"the server is serving its limit of {total} {what}", "retry in a few seconds")
        if held[client] >= per_client:
            raise Busy(
                "",
                f"this client has {per_client} {what} open, the limit per client",
                "finish or cancel one (read streams as they arrive) and retry",
            )
        return Slot(self, held, client)

    def idle(self) -> bool:
        return not self.streams and not self.unary

    def saturated(self) -> str:
        """Why the server can take no generation at all right now ('' when it can take some): readiness
        reports it. Full stream slots alone do not count: unary calls are still served, and a few
        clients holding streams must not take every replica out of its load balancer."""
        if self.streams.total() >= self.max_streams and self.unary.total() >= self.max_unary:
            return f"all {self.max_streams} stream and {self.max_unary} generation slots are taken"
        return ""


# The HTTP port's own client, which /api/ passes on: without it every person using the page would be
# one client (127.0.0.1) and share one client's streams. Trusted from loopback only, and only with
# this process's key in front (/api/ runs in this process): another local caller cannot name itself.
HTTP_CLIENT = "x-http-client"
HTTP_CLIENT_KEY = secrets.token_hex(16)
_LOOPBACK = frozenset({"ipv4:127.0.0.1", "ipv6:[::1]"})


def client_key(metadata: object, peer: str, tokens: frozenset[str]) -> str:
    """Who a call counts against: its bearer token when tokens are required (hashed: never kept or
    logged as is), else its address without the port (one host's connections are one client)."""
    if tokens:
        for key, value in metadata or ():  # type: ignore[attr-defined]
            if key == "authorization" and isinstance(value, str):
                return "token:" + hashlib.sha256(value[7:].strip().encode()).hexdigest()[:16]
    host = peer.rsplit(":", 1)[0] if peer.count(":") >= 2 else peer
    if host in _LOOPBACK:  # /api/ calls in over loopback for its own clients (service/http_api.py)
        for key, value in metadata or ():  # type: ignore[attr-defined]
            if key == HTTP_CLIENT and isinstance(value, str) and value.startswith(HTTP_CLIENT_KEY + ":"):
                return "http:" + value[len(HTTP_CLIENT_KEY) + 1 :][:100]
    return "peer:" + host[:100]
