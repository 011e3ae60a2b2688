"""The HTTP side: health for people and probes, Prometheus metrics for scrapers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.health import HealthState
from service.metrics import REGISTRY


def build_http_app(health: HealthState, version: str, docs: bool = False) -> FastAPI:
    # The API description is off unless HTTP_DOCS is set: these endpoints answer without
    # authentication, and a map of them helps nobody but a scanner.
    app = FastAPI(
        title="Test Data Agent",
        version=version,
        openapi_url="/openapi.json" if docs else None,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )

    @app.get("/health")
    async def health_report() -> JSONResponse:
        status, components = await health.report()
        code = 503 if status == "unhealthy" else 200
        return JSONResponse(
            {"status": status, "version": version, "components": components}, status_code=code
        )

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "alive"}

    @app.get("/health/ready")
    async def ready() -> JSONResponse:
        busy = health.busy() if health.ready and not health.stopping else ""
        if busy:  # every generation slot is taken: send new work to another replica until one frees
            return JSONResponse({"status": "busy", "reason": busy}, status_code=503)
        if health.ready and not health.stopping:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "stopping" if health.stopping else "starting"}, status_code=503)

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app


class HttpServer(uvicorn.Server):
    """uvicorn without signal handlers of its own. uvicorn's replace the service's: on SIGTERM it
    closed HTTP at once, so probes got "connection refused" instead of a 503 from /health/ready, and
    the service's own handler ran only after. `serve` owns SIGTERM and closes HTTP last."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
