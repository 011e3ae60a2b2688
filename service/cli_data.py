"""The CLI's data commands: linked datasets (the example store's commands are in cli_examples.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from tools.errors import DataError

if TYPE_CHECKING:
    from service.cli_out import Out


def dataset_command(args: argparse.Namespace, out: Out) -> None:
    """`dataset customer=100 --format sql`: the whole family, parents first, one document per format.
    In this process the keyword rules read the context; with --server the service's agent plans."""
    entities = {}
    for spec in args.entities:
        name, _, count = spec.partition("=")
        if count and not count.isdigit():
            raise DataError(
                f"entities[{name}]",
                f"count {count!r} is not a whole number of 0 or more",
                "write customer=100",
            )
        entities[name.strip().lower()] = int(count or 0)
    if args.server:
        _dataset_remote(args, entities, out)
        return
    if args.method or args.no_cache or args.token:
        raise DataError(
            "--server", "--method, --no-cache and --token need a server", "add --server HOST:PORT"
        )
    from agent.dataset_plan import DatasetPlan
    from agent.dataset_views import plan_summary
    from agent.datasets import DatasetRequest, keyword_run
    from tools.registry import default_registry

    request = DatasetRequest(
        entities,
        seed=args.seed,
        output_format=args.format,
        context=args.context,
        locale=args.locale,
        csv_safe=not args.no_csv_safe,
        as_of=args.as_of,
    )
    run = keyword_run(request, default_registry(), max_rows=10**9)
    sys.stderr.write(f"plan (keyword rules): {plan_summary(run.plan or DatasetPlan())}\n")
    from service.cli_local import workers_for
    from service.engines import block_runner

    with block_runner(args.engine, workers_for(args), args.scheduler) as run_blocks:
        pieces = ((c.entity, c.data) for c in run.chunks(run_blocks))
        _write_dataset(pieces, args.format, out)
    counts = ", ".join(f"{e}={n:,}" for e, n in run.counts.items())
    sys.stderr.write(f"{counts}; seed {run.seed}\n")


def _dataset_remote(args: argparse.Namespace, entities: dict[str, int], out: Out) -> None:
    from collections import Counter

    from protos.testdata.v1 import test_data_pb2 as pb
    from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
    from service.cli import _channel

    msg = pb.DatasetRequest(
        entities=[pb.EntityCount(entity=e, count=n) for e, n in entities.items()],
        output_format={"json": pb.JSON, "jsonl": pb.JSONL, "csv": pb.CSV, "sql": pb.SQL}[args.format],
        context=args.context,
        locale=args.locale,
        as_of=args.as_of,
    )
    if args.seed is not None:
        msg.seed = args.seed
    if args.no_cache:
        msg.use_cache = False
    if args.no_csv_safe:
        msg.csv_safe = False
    if args.method:
        msg.generation_method = pb.GenerationMethod.Value(args.method.upper())
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    counts: Counter[str] = Counter()
    with _channel(args) as channel:
        call = pb_grpc.TestDataServiceStub(channel).GenerateDataset(msg, metadata=metadata)
        head = dict(call.initial_metadata())  # empty when the call failed: iterating raises the error
        if "x-generation-path" in head:
            sys.stderr.write(f"plan ({head['x-generation-path']}): {head.get('x-dataset-plan', '')}\n")
        if head.get("x-fallback-reason"):
            sys.stderr.write(f"fallback: {head['x-fallback-reason']}\n")

        def pieces() -> Iterator[tuple[str, str]]:
            for chunk in call:
                counts[chunk.entity] += 1
                yield chunk.entity, chunk.data

        _write_dataset(pieces(), args.format, out)
        tail = dict(call.trailing_metadata() or ())
    made = tail.get("x-record-counts", "").replace(",", ", ") or f"{sum(counts.values())} chunks"
    sys.stderr.write(f"{made}; seed {head.get('x-seed', '?')}\n")
    if tail.get("x-empty-entities"):
        sys.stderr.write(f"warning: none made of {tail['x-empty-entities']}\n")


def _write_dataset(pieces: Iterable[tuple[str, str]], fmt: str, out: Out) -> None:
    if fmt == "json":
        # JSON: one object per document, entity -> array, so a whole dataset stays one JSON value.
        _dataset_json(pieces, out)
    else:
        for _, data in pieces:
            out.write(data)


def _dataset_json(pieces: Iterable[tuple[str, str]], out: Out) -> None:
    import orjson

    parts: dict[str, list[str]] = {}
    for entity, data in pieces:
        inner = data.strip()[1:-1]
        if inner:
            parts.setdefault(entity, []).append(inner)
    out.write("{" + ",".join(f"{orjson.dumps(e).decode()}:[{','.join(p)}]" for e, p in parts.items()) + "}")
