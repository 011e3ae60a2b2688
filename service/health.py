"""Health: each component says ok, disabled or a short category; the service is healthy, degraded or
unhealthy.

Both health surfaces read this one state: the contract's HealthCheck RPC, the standard
grpc.health.v1 service (SERVING once started, NOT_SERVING while shutting down) and HTTP /health.
Health answers without authentication, so what it says is only a category ("unreachable", "timeout",
"error"): a probe's detail names internal hosts and ports ("connecting to 10.0.3.7:6379") and goes to
the log instead, once each time a component's state changes, so a scraper polling every second does not
flood the log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from service.logs import log

OK, DISABLED = "ok", "disabled"
UNREACHABLE, TIMEOUT, ERROR = "unreachable", "timeout", "error"
Probe = Callable[[], Awaitable[str]]

# Words in a probe's detail that say which category it is (checked in this order: a connect timeout
# is a timeout). They come from redis-py, httpx, grpc and OSError messages.
_TIMEOUT_WORDS = ("timed out", "timeout", "deadline exceeded")
_UNREACHABLE_WORDS = (
    "connect",
    "refused",
    "unreachable",
    "unavailable",
    "no route",
    "not known",
    "name resolution",
    "nodename",
    "reset by peer",
    "broken pipe",
)


@dataclass
class HealthState:
    probes: dict[str, Probe] = field(default_factory=dict)
    ready: bool = False
    stopping: bool = False
    busy: Callable[[], str] = lambda: ""  # why the server takes no more work right now ('' if it does)
    # The last category each component reported: the detail is logged only when it changes.
    _seen: dict[str, str] = field(default_factory=dict, repr=False)

    async def report(self) -> tuple[str, dict[str, str]]:
        components: dict[str, str] = {}
        for name, probe in self.probes.items():
            try:
                detail = await probe()
            except Exception as exc:  # a probe that fails is that component's error, not ours
                detail = f"error: {type(exc).__name__}: {exc}"
            components[name] = self._public(name, detail)
        return overall(components), components

    def _public(self, name: str, detail: str) -> str:
        state = category(detail)
        before = self._seen.get(name, OK)
        self._seen[name] = state
        if state != before:
            if state in (OK, DISABLED):
                log.info("health component recovered", component=name, state=state, was=before)
            else:
                log.warning("health component failing", component=name, state=state, detail=detail[:300])
        return state


def category(detail: str) -> str:
    """What the public sees of a probe's answer: ok, disabled, or one of three words."""
    if detail in (OK, DISABLED):
        return detail
    text = detail.lower()
    if any(word in text for word in _TIMEOUT_WORDS):
        return TIMEOUT
    if any(word in text for word in _UNREACHABLE_WORDS):
        return UNREACHABLE
    return ERROR


def overall(components: dict[str, str]) -> str:
    if components.get("engine", OK) != OK:
        return "unhealthy"
    if any(v not in (OK, DISABLED) for v in components.values()):
        return "degraded"
    return "healthy"


def constant(value: str) -> Probe:
    async def probe() -> str:
        return value

    return probe
