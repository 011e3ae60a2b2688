"""Health: each component says ok, disabled or its error; the service is healthy, degraded or unhealthy.

Both health surfaces read this one state: the contract's HealthCheck RPC, the standard
grpc.health.v1 service (SERVING once started, NOT_SERVING while shutting down) and HTTP /health.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

OK, DISABLED = "ok", "disabled"
Probe = Callable[[], Awaitable[str]]


@dataclass
class HealthState:
    probes: dict[str, Probe] = field(default_factory=dict)
    ready: bool = False
    stopping: bool = False
    busy: Callable[[], str] = lambda: ""  # why the server takes no more work right now ('' if it does)

    async def report(self) -> tuple[str, dict[str, str]]:
        components: dict[str, str] = {}
        for name, probe in self.probes.items():
            try:
                components[name] = await probe()
            except Exception as exc:  # a probe that fails is that component's error, not ours
                components[name] = f"error: {type(exc).__name__}: {exc}"[:200]
        return overall(components), components


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
