"""Serving one generation request: limits, prepare, plan, then the executor, off the event loop.

Generation is CPU work: it runs in worker threads a chunk at a time, so the event loop keeps serving
health checks and other clients, and a cancelled stream stops after at most one chunk.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import time
from collections.abc import AsyncGenerator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agent.dataset_planner import FamilyOutcome, plan_family
from agent.dataset_views import plan_summary
from agent.datasets import Chunk, DatasetRequest, DatasetRun
from agent.executor import Prepared, build_job, prepare, render_chunks, render_document
from agent.pipeline import Pipeline, PlanOutcome, PlanReport
from agent.prompts import client_text
from agent.request import DataRequest
from service import metrics
from service.admission import Admission
from service.errors import Unavailable
from service.logs import log
from service.memory import Trimmer
from service.settings import Settings
from service.workers import BlockPool, usable_cpus
from tools.engine import Job
from tools.errors import InvalidRequest, LimitExceeded
from tools.registry import Registry
from tools.report import Report, summary

T = TypeVar("T")
# Rows the engine hands a stream at a time: the stream holds these and one chunk's text, whatever
# chunk_size asks (50,000 rows made as one batch held ~150 MB per stream a client did not read).
STREAM_BATCH = 16
# Threads that make stream chunks. The GIL lets one run at a time anyway; more only take turns from
# the event loop and from unary calls (asyncio's default pool). In the soak, 4 gave health a p99 of
# 465-519 ms, 2 gave 348-392 ms; one stream uses one worker at a time either way.
STREAM_WORKERS = 2
WORK_WORKERS = 4  # unary documents, preparing requests and datasets


@dataclass
class Served:
    """A prepared and planned request, and what the response metadata reports."""

    request: DataRequest
    prepared: Prepared
    outcome: PlanOutcome
    started: float = field(default_factory=time.perf_counter)
    chunks: Iterator[str] | None = None
    report_json: str = ""  # GenerationMetadata.report_json: the rows' quality report in brief

    @property
    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


class Generator:
    def __init__(self, settings: Settings, registry: Registry, pipeline: Pipeline) -> None:
        self.settings = settings
        self.registry = registry
        self.pipeline = pipeline
        self.admission = Admission(
            settings.max_concurrent_streams,
            settings.max_streams_per_client,
            settings.max_concurrent_requests,
            settings.max_requests_per_client,
            settings.max_unread_bytes_per_client,
        )
        # Generation runs in pools of its own: asyncio's default pool stays free for cheap work (the
        # example store, planning), which heavy unary calls once queued for 27 s.
        self.stream_pool = ThreadPoolExecutor(STREAM_WORKERS, thread_name_prefix="stream")
        self.work_pool = ThreadPoolExecutor(WORK_WORKERS, thread_name_prefix="generate")
        workers = usable_cpus() if settings.generation_workers is None else settings.generation_workers
        self.blocks = BlockPool(workers) if workers else None
        self.trimmer = Trimmer(self.admission.idle)
        self.admission.on_idle = self.trimmer.soon
        self.trim_watch = asyncio.ensure_future(self.trimmer.watch())
        self.stopping = asyncio.Event()  # set on shutdown: open streams end with UNAVAILABLE
        self.streams = 0  # streams generating right now
        self.chunks_made = 0  # chunks generated since start (tests watch flow control with it)
        self._idle = asyncio.Event()
        self._idle.set()

    async def wait_idle(self) -> None:
        """Returns once no stream is generating (a cancelled stream has stopped)."""
        await self._idle.wait()

    def _check_text(self, sizes: dict[str, int]) -> None:
        """Everything a prompt would carry of the client's text, under one limit, before any model call
        (and whether or not a model is configured, so a request is refused the same way everywhere)."""
        limit = self.settings.max_context_chars
        total = sum(sizes.values())
        if total > limit:
            parts = ", ".join(f"{k} {v:,}" for k, v in sizes.items() if v)
            raise LimitExceeded(
                "context",
                f"the request carries {total:,} characters of text for the model ({parts}); "
                f"the limit is {limit:,} (MAX_CONTEXT_CHARS)",
                "shorten the context, hints, scenario descriptions or schema descriptions",
            )

    def _check_limits(self, request: DataRequest, unary: bool) -> None:
        s = self.settings
        self._check_text(_free_text(request.context, request.hints))
        if unary and request.count > s.max_sync_records:
            raise InvalidRequest(
                "count",
                f"{request.count:,} is above the unary limit of {s.max_sync_records:,} records",
                "use GenerateDataStream for large datasets",
            )
        if request.chunk_size < 0 or request.chunk_size > s.max_chunk_size:
            raise InvalidRequest(
                "chunk_size", f"must be between 0 and {s.max_chunk_size:,}", "send 0 for the default"
            )

    async def start(self, request: DataRequest, unary: bool, deadline_s: float | None = None) -> Served:
        self._check_limits(request, unary)
        started = time.perf_counter()
        prepared = await self._in(self.work_pool, prepare, request, self.registry)
        self._check_text(client_text(request, prepared.schema, prepared.schema_from_request))
        limit = self.settings.max_sync_records if unary else self.settings.max_stream_records
        if prepared.total > limit:
            if unary:
                raise InvalidRequest(
                    "scenarios",
                    f"the scenarios add up to {prepared.total:,} records, above the unary limit of {limit:,}",
                    "use GenerateDataStream for large datasets",
                )
            raise LimitExceeded(
                "count", f"{prepared.total:,} records is above the limit of {limit:,}", "ask for fewer"
            )
        outcome = await self.pipeline.plan(request, prepared, deadline_s)
        self._count(outcome)
        return Served(request, prepared, outcome, started)

    def _count(self, outcome: PlanReport) -> None:
        if outcome.fallback_key:
            metrics.FALLBACKS.labels(reason=outcome.fallback_key).inc()
            log.warning("fallback", reason=outcome.fallback_reason)
        if outcome.cache_error:
            metrics.FALLBACKS.labels(reason="cache_unavailable").inc()
            log.warning("served without cache", error=outcome.cache_error)
        if outcome.cache_checked:
            (metrics.CACHE_HITS if outcome.cache_hit else metrics.CACHE_MISSES).inc()
        if outcome.tokens:
            metrics.TOKENS.labels(model=self.pipeline.model_name).inc(outcome.tokens)

    async def _job(self, served: Served, batch_size: int = 1000) -> Job:
        o = served.outcome
        # Off the event loop: applying a plan to many scenarios is real work.
        job, _ = await self._in(
            self.work_pool,
            build_job,
            served.prepared,
            o.plan,
            batch_size,
            o.templates,
            o.defects,
            o.template_share,
        )
        return job

    async def document(self, served: Served) -> str:
        job = await self._job(served)
        # Room for the envelope (metadata, field tags) inside the gRPC message limit.
        limit = self.settings.max_message_bytes - 64 * 1024
        report = Report(served.prepared.schema, brief=True)
        text = await self._in(self.work_pool, render_document, served.prepared, job, limit, report)
        served.report_json = json.dumps(summary(report.result()), separators=(",", ":"))
        self._record(served)
        return text

    async def chunks(self, served: Served) -> AsyncGenerator[tuple[str, bool], None]:
        """(chunk, is_final), made only as the client takes them: a stream holds one chunk at most."""
        size = served.request.chunk_size or self.settings.default_chunk_size
        job = await self._job(served, STREAM_BATCH)
        run_blocks = self.blocks.run if self.blocks is not None else None
        chunks = render_chunks(served.prepared, job, size, run_blocks)
        async for chunk in self._drain(chunks, served.prepared.seed):
            yield chunk
        self._record(served)

    async def _in(self, pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any) -> T:
        # As asyncio.to_thread, with the context copied (the request's Cancel token goes along), but in
        # the streams' own pool: streams a client never reads would otherwise fill the default pool
        # and queue every unary call behind them.
        ctx = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, functools.partial(ctx.run, fn, *args))

    def close(self) -> None:
        self.trim_watch.cancel()
        self.stream_pool.shutdown(wait=False, cancel_futures=True)
        self.work_pool.shutdown(wait=False, cancel_futures=True)
        if self.blocks is not None:
            self.blocks.close()

    def drain(self, it: Iterator[T], seed: int) -> AsyncGenerator[T, None]:
        """A stream's chunks made by another (service/dataset_import.py), counted and stopped as ours."""
        return self._drain(it, seed)

    async def _drain(self, it: Iterator[T], seed: int) -> AsyncGenerator[T, None]:
        """Pulls a stream's chunks one at a time in a worker thread, counting open streams, and
        ends the stream with UNAVAILABLE once shutdown starts."""
        self.streams += 1
        self._idle.clear()
        try:
            while True:
                if self.stopping.is_set():
                    raise Unavailable(
                        f"the server is shutting down (seed {seed}); "
                        "retry on another replica with the same seed to get the same data"
                    )
                chunk = await self._in(self.stream_pool, next, it, None)
                if chunk is None:
                    break
                self.chunks_made += 1
                yield chunk
        finally:
            self.streams -= 1
            if not self.streams:
                self._idle.set()

    async def start_dataset(
        self, request: DatasetRequest, deadline_s: float | None = None
    ) -> tuple[DatasetRun, FamilyOutcome]:
        """A checked dataset run, shaped by its plan (the model's, or the keyword rules' with the reason)."""
        self._check_text(_free_text(request.context, request.hints))
        run = await self._in(
            self.work_pool, DatasetRun, request, self.registry, self.settings.max_stream_records
        )
        outcome = await plan_family(self.pipeline.deps.planner, request, run, deadline_s)
        self._count(outcome)
        too_big = await self._in(self.work_pool, run.size_problem, outcome.plan)
        if too_big:
            raise LimitExceeded("entities", too_big, "ask for fewer root records")
        await self._in(self.work_pool, run.use, outcome.plan)
        log.info("dataset planned", path=outcome.path, plan=plan_summary(outcome.plan))
        return run, outcome

    async def dataset_chunks(self, run: DatasetRun) -> AsyncGenerator[Chunk, None]:
        run_blocks = self.blocks.run if self.blocks is not None else None
        async for chunk in self._drain(run.chunks(run_blocks), run.seed):
            yield chunk
        for entity, n in run.counts.items():
            metrics.RECORDS.labels(domain="ecommerce", entity=entity).inc(n)

    def _record(self, served: Served) -> None:
        p = served.prepared
        # Label values come from the registry only: a client's own schema names would grow the
        # metrics without bound.
        domain, entity = ("custom", "custom") if p.schema_from_request else (p.schema.domain, p.schema.name)
        metrics.RECORDS.labels(domain=domain, entity=entity).inc(p.total)
        metrics.COHERENCE.labels(domain=domain).set(p.coherence.score)
        metrics.DURATION.labels(path=served.outcome.path).observe(served.elapsed_ms / 1000)


def _free_text(context: str, hints: list[str]) -> dict[str, int]:
    """The free text a request carries for the model, checked before anything else is read."""
    return {"context": len(context), "hints": sum(len(h) for h in hints)}
