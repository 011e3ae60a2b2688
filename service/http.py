"""The HTTP side: health for people and probes, Prometheus metrics for scrapers."""

from __future__ import annotations

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.health import HealthState
from service.metrics import REGISTRY


def build_http_app(health: HealthState, version: str) -> FastAPI:
    app = FastAPI(title="Test Data Agent", version=version, docs_url=None, redoc_url=None)

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
