"""`test-data-agent generate ENTITY --format parquet --out DIR`: Parquet files and a manifest.

The job's seekable blocks (tools/seeds.py) are made ROW_GROUP_BLOCKS at a time, by whichever engine
the CLI was given (service/engines.py), each group one Arrow table (tools/formats/parquet_format.py)
and one row group. The groups are split into `--partitions` contiguous ranges, one file each:
DIR/part-00000.parquet, ... and DIR/_manifest.json (a leading _: readers of DIR as a dataset skip
it) naming every file's rows and first `_index`. The records are the same for any number of
partitions and any engine. DIR appears whole or not at all: the files are written under a
temporary name beside it and renamed at the end. A partition holds whole row groups, so a request
of fewer groups than `--partitions` gets one file per group.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from tools.errors import InvalidRequest

ROW_GROUP_BLOCKS = 16  # seekable blocks per row group: 16,384 rows, each group made alone


def write_parquet(args: argparse.Namespace, request: Any, workers: int) -> None:
    import pyarrow.parquet as pq

    from agent.deterministic import plan_request
    from agent.executor import build_job, prepare, writer_spec
    from service.engines import block_runner, in_process
    from tools.blocks import Task, tasks_for
    from tools.formats.parquet_format import arrow_schema
    from tools.registry import default_registry
    from tools.seeds import ENGINE_VERSION, block_count

    target = _target(args.out)
    request.output_format = "jsonl"  # checked as a text request; the rows become tables instead
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    spec = replace(writer_spec(prepared, job), fmt="parquet")
    schema = arrow_schema(spec.schema, spec.columns, spec.negative)
    tasks = -(-block_count([s.count for s in job.scenarios]) // ROW_GROUP_BLOCKS)
    parts = max(1, min(args.partitions, tasks or 1))
    bounds = [tasks * p // parts for p in range(parts + 1)]
    firsts: deque[int] = deque()  # each task's first `_index`, for the manifest, as tasks go out

    def noted(all_tasks: Iterator[Task]) -> Iterator[Task]:
        for task in all_tasks:
            firsts.append(task.blocks[0].index)
            yield task

    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    temp.mkdir()
    try:
        files = []
        with block_runner(args.engine, workers, args.scheduler) as run:
            results = (run or in_process)(noted(tasks_for(job, spec, prepared.schema, ROW_GROUP_BLOCKS)))
            for p in range(parts):
                name, rows, first = f"part-{p:05d}.parquet", 0, prepared.total
                with pq.ParquetWriter(temp / name, schema) as writer:
                    for n in range(bounds[p], bounds[p + 1]):
                        table = next(results).table
                        index = firsts.popleft()
                        first = index if n == bounds[p] else first
                        writer.write_table(table, row_group_size=max(1, table.num_rows))
                        rows += table.num_rows
                files.append({"file": name, "rows": rows, "first_index": first})
        manifest = {
            "entity": prepared.schema.name,
            "rows": prepared.total,
            "seed": prepared.seed,
            "engine_version": ENGINE_VERSION,
            "row_group_rows": ROW_GROUP_BLOCKS * 1024,
            "columns": {f.name: str(f.type) for f in schema},
            "files": files,
        }
        (temp / "_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        if target.exists():
            target.rmdir()  # checked empty in _target
        os.replace(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    sys.stderr.write(
        f"{prepared.total:,} rows in {parts} Parquet file(s) in {target}, seed {prepared.seed}\n"
    )


def _target(out: str | None) -> Path:
    if not out:
        raise InvalidRequest("--out", "Parquet is written to a directory", "add --out DIR")
    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidRequest("--out", f"{out} exists and is not an empty directory", "name a new directory")
    if not target.parent.is_dir():
        raise InvalidRequest("--out", f"{target.parent} is not a directory", "create it first")
    return target
