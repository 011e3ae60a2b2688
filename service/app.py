"""Resource wiring and the server's life: start, serve, shut down cleanly on SIGTERM or SIGINT.

Clients are built once inside `resources()` and closed in reverse order; everything below gets them
as plain objects. `start_service` is what `serve` runs and what the tests start on random ports.
"""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import grpc
import uvicorn
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection
from pydantic_ai.models import Model

from agent.model_planner import ModelPlanner, PlannerSettings
from agent.pipeline import AgentDeps, Pipeline
from agent.warmup import warm_up
from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
from retrieval.cache import MemoryCache, PlanCache, RedisCache
from retrieval.embedded_store import EmbeddedStore
from retrieval.examples import ExampleStore, RetrievalError
from service.generation import Generator
from service.health import DISABLED, OK, HealthState, Probe
from service.http import HttpServer, build_http_app
from service.http_api import add_api
from service.http_page import add_page
from service.interceptors import GuardInterceptor
from service.logs import log
from service.memory import fix_mmap_threshold
from service.servicer import TestDataServicer
from service.settings import Settings
from tools.registry import Registry, default_registry

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["TestDataService"].full_name


def app_version() -> str:
    try:
        return version("test-data-agent")
    except PackageNotFoundError:
        return "dev"


@dataclass
class Resources:
    registry: Registry
    pipeline: Pipeline
    health: HealthState
    store: ExampleStore
    schemas: PlanCache  # ImportSchema's results: Redis when REDIS_URL is set, so every replica sees them
    model: Model | None = None  # the configured Claude, for what else asks a model (column names)
    cache: PlanCache | None = None  # the plan cache, which also keeps the model's reading of names


@asynccontextmanager
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    """Every client, built once; closed in reverse order when the service stops."""
    async with AsyncExitStack() as stack:
        registry = default_registry()
        await asyncio.to_thread(warm_up, registry)
        cache: PlanCache = (
            RedisCache(settings.redis_url, settings.redis_timeout_s) if settings.redis_url else MemoryCache()
        )
        stack.push_async_callback(cache.close)
        schemas: PlanCache = (
            RedisCache(settings.redis_url, settings.redis_timeout_s)
            if settings.redis_url
            else MemoryCache(512)
        )
        stack.push_async_callback(schemas.close)
        store = await open_store(settings)
        stack.push_async_callback(store.close)
        model = build_model(settings)
        planner = (
            ModelPlanner(model, settings.anthropic_model, registry, cache, planner_settings(settings))
            if model is not None
            else None
        )
        deps = AgentDeps(registry=registry, planner=planner, store=store)
        health = HealthState(probes=probes(deps, cache))
        yield Resources(registry, Pipeline(deps), health, store, schemas, model, cache)


async def open_store(settings: Settings) -> ExampleStore:
    """Weaviate when WEAVIATE_URL is set, else the embedded BM25 store (seed examples plus EXAMPLES_DIR)."""
    if not settings.weaviate_url:
        embedded = await asyncio.to_thread(EmbeddedStore, settings.examples_dir)
        for problem in embedded.problems:  # a torn or unreadable line: skipped, set aside, start anyway
            log.warning("example file line skipped", problem=problem)
        return embedded
    from retrieval.weaviate_store import WeaviateStore  # only with WEAVIATE_URL: the client is heavy

    key = settings.weaviate_api_key.get_secret_value() if settings.weaviate_api_key else ""
    store = WeaviateStore(
        settings.weaviate_url,
        grpc_port=settings.weaviate_grpc_port,
        api_key=key,
        timeout_s=settings.weaviate_timeout_s,
    )
    try:
        await store.connect()
    except RetrievalError as exc:
        # Start anyway: the store reconnects on its next call; until then requests plan without
        # examples and health says degraded.
        log.warning("weaviate unavailable at start-up", error=str(exc))
    return store


def planner_settings(settings: Settings) -> PlannerSettings:
    return PlannerSettings(
        timeout_s=settings.model_timeout_s,
        request_limit=settings.model_request_limit,
        token_budget=settings.model_token_budget,
        max_tokens=settings.model_max_tokens,
        max_retries=settings.model_max_retries,
        auth_backoff_s=settings.model_auth_backoff_s,
        failure_ttl_s=settings.model_failure_ttl_s,
        prompt_cache=settings.model_prompt_cache,
        cache_ttl_s=settings.cache_ttl_s,
        cache_default=settings.cache_default,
    )


def build_model(settings: Settings) -> Model | None:
    if settings.anthropic_api_key is None:
        return None
    # Imported only when used: the Anthropic SDK's types cost tens of MB the offline service never needs.
    from pydantic_ai.models.anthropic import AnthropicModel
    from pydantic_ai.providers.anthropic import AnthropicProvider

    provider = AnthropicProvider(
        api_key=settings.anthropic_api_key.get_secret_value(), base_url=settings.anthropic_base_url
    )
    return AnthropicModel(settings.anthropic_model, provider=provider)


def probes(deps: AgentDeps, cache: PlanCache) -> dict[str, Probe]:
    async def engine() -> str:
        return OK if deps.registry.names() else "error: no entities loaded"

    async def cache_probe() -> str:
        return await cache.ping()

    async def examples() -> str:
        if deps.store is None:
            return DISABLED
        if deps.store_state.error:
            return f"error: {deps.store_state.error}"
        return await deps.store.ping()

    async def model() -> str:
        if deps.planner is None:
            return DISABLED
        error = deps.planner.model_state.error
        return f"error: {error}" if error else OK

    return {"engine": engine, "cache": cache_probe, "examples": examples, "model": model}


@dataclass
class RunningService:
    grpc_server: grpc.aio.Server
    http_server: uvicorn.Server
    http_task: asyncio.Task[None]
    grpc_health: health_aio.HealthServicer
    health: HealthState
    generator: Generator
    grpc_port: int
    http_port: int
    grace_s: float
    delay_s: float = 0.0

    async def stop(self, hurry: asyncio.Event | None = None) -> None:
        """NOT_SERVING first (probes stop sending traffic), then drain, then close HTTP.

        Between NOT_SERVING and the drain the service keeps serving for `delay_s` (or until `hurry`
        is set): balancers learn of the shutdown only at their next probe or endpoint update, and a
        request they route here meanwhile should be answered, not refused by a closing port."""
        self.health.stopping = True
        await self.grpc_health.enter_graceful_shutdown()
        if self.delay_s > 0:
            with suppress(TimeoutError):
                await asyncio.wait_for((hurry or asyncio.Event()).wait(), self.delay_s)
        self.generator.stopping.set()
        await self.grpc_server.stop(self.grace_s)
        self.generator.close()
        self.http_server.should_exit = True
        await self.http_task


def _grpc_server(settings: Settings) -> grpc.aio.Server:
    options = [
        ("grpc.max_send_message_length", settings.max_message_bytes),
        ("grpc.max_receive_message_length", settings.max_request_bytes),
        ("grpc.so_reuseport", 0),
    ]
    # No gRPC-wide cap on concurrent RPCs: it counted health checks with never-read streams and refused
    # them all. Generation is admitted per kind and per client instead (service/admission.py).
    return grpc.aio.server(interceptors=[GuardInterceptor(settings.tokens)], options=options)


def _bind(server: grpc.aio.Server, settings: Settings) -> int:
    address = f"{settings.host}:{settings.grpc_port}"
    if settings.tls_cert_file and settings.tls_key_file:
        creds = grpc.ssl_server_credentials(
            [(settings.tls_key_file.read_bytes(), settings.tls_cert_file.read_bytes())]
        )
        return server.add_secure_port(address, creds)
    return server.add_insecure_port(address)


async def start_service(settings: Settings, res: Resources) -> RunningService:
    fix_mmap_threshold()
    generator = Generator(settings, res.registry, res.pipeline)
    server = _grpc_server(settings)
    pb_grpc.add_TestDataServiceServicer_to_server(
        TestDataServicer(generator, res.registry, res.health, res.store, res.schemas, res.model, res.cache),
        server,
    )
    grpc_health = health_aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(grpc_health, server)
    reflection.enable_server_reflection(
        (SERVICE_NAME, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
        server,
    )
    grpc_port = _bind(server, settings)
    await server.start()

    http_app = build_http_app(res.health, app_version(), docs=settings.http_docs)
    # /api/ calls this server over a loopback channel; a TLS server's certificate need not name
    # 127.0.0.1, so with TLS the API stays off (and says so).
    add_api(http_app, grpc_port, res.registry, res.schemas, settings)
    add_page(http_app)
    config = uvicorn.Config(
        http_app,
        host=settings.host,
        port=settings.http_port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    http = HttpServer(config)  # SIGTERM is ours (serve): HTTP answers 503 until gRPC has drained
    http_task = asyncio.create_task(http.serve())
    while not http.started:
        if http_task.done():
            await http_task  # surfaces a bind error
            raise SystemExit(f"HTTP server on port {settings.http_port} did not start")
        await asyncio.sleep(0.01)
    http_port = http.servers[0].sockets[0].getsockname()[1]

    for name in ("", SERVICE_NAME):
        await grpc_health.set(name, health_pb2.HealthCheckResponse.SERVING)
    res.health.busy = generator.admission.saturated
    res.health.ready = True
    if generator.blocks is not None:
        generator.blocks.warm()  # the worker processes start now, in the background, not on a first stream
    log.info(
        "serving",
        grpc_port=grpc_port,
        http_port=http_port,
        version=app_version(),
        generation_workers=generator.blocks.workers if generator.blocks is not None else 0,
    )
    return RunningService(
        server,
        http,
        http_task,
        grpc_health,
        res.health,
        generator,
        grpc_port,
        http_port,
        settings.shutdown_grace_s,
        settings.shutdown_delay_s,
    )


async def serve(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT, then shut down in order (RunningService.stop) and return.
    These are the only signal handlers: uvicorn's are off (HttpServer), so HTTP outlives the drain."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with resources(settings) as res:
        running = await start_service(settings, res)
        # What start-up made (modules, registry, pools, clients) lives as long as the process: out of
        # the collector's sight, each collection no longer walks it. Generating 1,000 carts allocates
        # thousands of dicts and triggers collections; walking ~200k start-up objects each time cost
        # the engine 45% of its throughput (make bench, same process, with and without).
        gc.freeze()
        await stop.wait()
        hurry = asyncio.Event()  # a second SIGTERM or Ctrl+C skips the pause before the drain
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, hurry.set)
        log.info("shutting down", delay_s=settings.shutdown_delay_s, grace_s=settings.shutdown_grace_s)
        await running.stop(hurry)
    log.info("stopped")
