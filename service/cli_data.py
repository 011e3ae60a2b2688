"""The CLI's data commands: linked datasets and the embedded example store."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from tools.errors import DataError

if TYPE_CHECKING:
    from service.cli_out import Out


def _read_examples(path: str) -> list[dict]:
    """A JSON array (or one object) or JSON Lines of examples."""
    import json

    text = open(path, encoding="utf-8").read().strip()  # noqa: SIM115
    if text.startswith("["):
        return list(json.loads(text))
    if text.startswith("{") and "\n" not in text:
        return [json.loads(text)]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def examples_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pydantic import ValidationError

    from retrieval.embedded_store import EmbeddedStore
    from retrieval.examples import Example
    from retrieval.validate_examples import check_example
    from tools.registry import default_registry

    store = EmbeddedStore(Path(args.dir))
    if args.action == "search":
        hits = asyncio.run(store.search(args.target, entity=args.entity, kind=args.kind, k=args.k))
        for hit in hits:
            ex = hit.example
            print(f"{hit.score:6.2f}  {ex.id}  {ex.entity}/{ex.kind}/{ex.scenario}: {ex.description}")
        return 0
    good, problems = [], []
    for i, raw in enumerate(_read_examples(args.target)):
        try:
            example = Example.model_validate(raw)
        except ValidationError as exc:
            problems.append(f"[{i}] {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}")
            continue
        reasons = check_example(example, default_registry())
        if reasons:
            problems.append(f"[{i}] " + "; ".join(reasons))
        else:
            good.append(example)
    asyncio.run(store.add(good))
    for p in problems:
        sys.stderr.write(f"rejected {p}\n")
    print(f"added {len(good)}, rejected {len(problems)} (store: {args.dir})")
    return 0 if not problems else 1


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
        entities, seed=args.seed, output_format=args.format, context=args.context, locale=args.locale
    )
    run = keyword_run(request, default_registry(), max_rows=10**9)
    sys.stderr.write(f"plan (keyword rules): {plan_summary(run.plan or DatasetPlan())}\n")
    pieces = ((c.entity, c.data) for c in run.chunks())
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
    )
    if args.seed is not None:
        msg.seed = args.seed
    if args.no_cache:
        msg.use_cache = False
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
