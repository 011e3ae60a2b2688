"""`test-data-agent generate` in this process: on worker processes when the request is large."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from service.cli_out import Out
from tools.errors import InvalidRequest
from tools.report import Report

PROGRESS_FROM = 50_000  # rows; smaller runs finish before a progress line would help


def progress(total: int, done: int, out: TextIO) -> None:
    if total >= PROGRESS_FROM:
        out.write(f"\r{done:,} / {total:,} rows ({done * 100 // max(total, 1)}%)")
        out.flush()


def workers_for(args: argparse.Namespace) -> int:
    if args.workers is not None:
        return int(args.workers)
    from service.settings import Settings
    from service.workers import usable_cpus

    configured = Settings().generation_workers
    return usable_cpus() if configured is None else configured


def generate_parquet(args: argparse.Namespace, request: Any) -> None:
    from service.cli_parquet import write_parquet

    if args.server:
        raise InvalidRequest("--format", "Parquet is written here, not by a server", "drop --server")
    write_parquet(args, request, workers_for(args))


def generate_local(args: argparse.Namespace, request: Any, out: Out) -> None:
    """Writes the document for `request`. From tools.blocks.PARALLEL_FROM rows with worker processes
    (service/workers.py), or at any size on Dask or Spark (service/engines.py), the blocks are made
    there: the same bytes, on every core."""
    from agent.deterministic import plan_request
    from agent.executor import build_job, prepare, writer_for, writer_spec
    from service.engines import block_runner
    from tools.blocks import PARALLEL_FROM, fits_tasks, tasks_for
    from tools.engine import generate
    from tools.formats.base import rebatch
    from tools.registry import default_registry

    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    writer = writer_for(prepared, job)
    done = 0
    report = Report(prepared.schema) if getattr(args, "report", None) else None

    def counted(batches: Iterable[list[Any]]) -> Iterator[list[Any]]:
        nonlocal done
        for batch in batches:
            if report is not None:
                report.add_batch(batch)
            yield batch
            done += len(batch)
            progress(prepared.total, done, sys.stderr)

    # Wide rows stay here on local workers (tools.blocks.fits_tasks); a cluster was asked for by name.
    elsewhere = args.engine != "local" or (prepared.total >= PARALLEL_FROM and fits_tasks(job))
    with block_runner(args.engine, workers_for(args) if elsewhere else 0, args.scheduler) as run:
        if run is not None:
            rendered = run(tasks_for(job, writer_spec(prepared, job), prepared.schema))
            texts = rebatch((r.texts for r in rendered), job.batch_size)
            for piece in writer.document_texts(counted(texts)):
                out.write(piece)
        else:
            for piece in writer.document(counted(generate(job))):
                out.write(piece)
    if prepared.total >= PROGRESS_FROM:
        sys.stderr.write("\n")
    sys.stderr.write(f"{prepared.total:,} rows, seed {prepared.seed}\n")
    if report is not None:
        if report.n == 0:  # the rows were made elsewhere (workers, a cluster): the same rows again here
            for batch in generate(job):
                report.add_batch(batch)
                if report.n >= report.limit:
                    break
        _write_report(args.report, report.result())


def _write_report(path: str, result: dict[str, Any]) -> None:
    import json
    from pathlib import Path

    try:
        Path(path).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidRequest(
            "--report", f"cannot write {path}: {exc.strerror}", "give a writable path"
        ) from None
    sys.stderr.write(f"report: {path} ({result['rows']:,} rows, limit {result['row_limit']:,})\n")
