"""The CLI's data commands: linked datasets and the embedded example store."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, TextIO

from tools.errors import DataError


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


def dataset_command(args: argparse.Namespace, out: TextIO) -> None:
    """`dataset customer=100 --format sql`: the whole family, parents first, one document per format."""
    from agent.datasets import DatasetRequest, DatasetRun
    from tools.registry import default_registry

    entities = {}
    for spec in args.entities:
        name, _, count = spec.partition("=")
        if count and not count.isdigit():
            raise DataError(f"entities[{name}]", f"count {count!r} is not a number", "write customer=100")
        entities[name.strip().lower()] = int(count or 0)
    request = DatasetRequest(entities, seed=args.seed, output_format=args.format, context=args.context)
    run = DatasetRun(request, default_registry(), max_rows=10**9)
    chunks = (c.data for c in run.chunks())
    if args.format == "json":
        # JSON: one object per document, entity -> array, so a whole dataset stays one JSON value.
        _dataset_json(run, out)
    else:
        for piece in chunks:
            out.write(piece)
    counts = ", ".join(f"{e}={n:,}" for e, n in run.counts.items())
    sys.stderr.write(f"{counts}; seed {run.seed}\n")


def _dataset_json(run: Any, out: TextIO) -> None:
    import orjson

    parts: dict[str, list[str]] = {}
    for chunk in run.chunks():
        inner = chunk.data.strip()[1:-1]
        if inner:
            parts.setdefault(chunk.entity, []).append(inner)
    out.write("{" + ",".join(f"{orjson.dumps(e).decode()}:[{','.join(p)}]" for e, p in parts.items()) + "}")
