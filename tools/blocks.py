"""The one function every way of running the engine calls: (job, blocks) -> those blocks' rows, rendered.

A worker process (service/workers.py), and later a Dask or Spark task, gets a `Task`: the job (the
plan already applied: workers never call a model), how to write rows, and a few seekable blocks
(tools/seeds.py). It returns each row's text as `Writer.row_texts` writes it and each row's coherence
score, so the caller assembles chunks and metadata exactly as it does for rows made in-process: the
bytes are the same whoever made the blocks.

A worker keeps the last few jobs compiled (`BlockMaker`), keyed by the task's job id: the blocks of one
request are compiled once per worker, not once per task.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tools.coherence import CoherenceMeter
from tools.columns.runner import block_rows
from tools.dataset import DatasetGenerator, Node, root_batch_for
from tools.engine import BlockMaker, Job
from tools.formats.base import Writer, make_writer
from tools.schema import EntitySchema
from tools.seeds import SEEK_BLOCK, BlockRef, iter_blocks
from tools.temporal import REFERENCE_SECONDS
from tools.world.additions import Addition, catalogue_for

KEEP_JOBS = 4  # compiled jobs a worker keeps (a few streams at once share the pool)
TASK_BLOCKS = 2  # blocks per task: 2,048 rows, ~40 ms of work against ~1 ms to send a job and its result
PARALLEL_FROM = 4 * SEEK_BLOCK  # rows: below this a request is made in-process (a pool costs more)
FAMILY_BATCHES = 1  # root batches per dataset task: 200 customers' families, about 10,000 records


@dataclass(frozen=True)
class WriterSpec:
    """How rows are written, as plain data a process can be sent (a Writer holds compiled functions)."""

    fmt: str
    schema: EntitySchema
    columns: list[str]
    negative: bool = False
    csv_safe: bool = True
    foreign_keys: dict[str, tuple[str, str]] | None = None  # a linked dataset's SQL REFERENCES

    def make(self) -> Writer | None:
        """The text writer; None for Parquet, whose rows become an Arrow table (`table`)."""
        if self.fmt == "parquet":
            return None
        return make_writer(
            self.fmt,
            self.schema,
            self.columns,
            negative=self.negative,
            foreign_keys=self.foreign_keys,
            csv_safe=self.csv_safe,
        )

    def text_writer(self) -> Writer:
        writer = self.make()
        if writer is None:
            raise ValueError("Parquet has no text writer: its rows go to `table`")
        return writer

    def table(self, rows: list[dict[str, Any]]) -> Any:
        from tools.formats.parquet_format import arrow_schema, loose_columns, text_columns, to_table

        schema = arrow_schema(self.schema, self.columns, self.negative)
        texts = text_columns(self.schema, self.columns, self.negative)
        return to_table(rows, schema, texts, loose_columns(self.schema, self.columns))


@dataclass(frozen=True)
class Task:
    job_id: str  # one per request: a worker compiles the job once for all of the request's tasks
    job: Job
    writer: WriterSpec
    meter_schema: EntitySchema  # what coherence is scored against (the request's schema)
    blocks: tuple[BlockRef, ...]


@dataclass(frozen=True)
class FamilyTask:
    """Roots span[0]..span[1] - 1 of a linked dataset, with all their descendants (tools/dataset.py)."""

    job_id: str
    roots: list[Node]  # the planned tree (plan applied): workers never plan
    seed: int
    locale: str
    themes: dict[str, float]
    writers: dict[str, WriterSpec]  # per entity
    span: tuple[int, int]
    as_of: int = REFERENCE_SECONDS
    peaks: dict[str, float] = field(default_factory=dict)
    products: tuple[Addition, ...] = ()  # the plan's own products and their share of product picks
    product_share: float = 1.0


@dataclass
class Rendered:
    texts: list[str] = field(default_factory=list)  # one per row, in order
    scores: list[float] = field(default_factory=list)  # each row's coherence score (tools/coherence.py)
    table: Any = None  # Parquet: the rows as one Arrow table (tools/formats/parquet_format.py), no texts
    batches: list[tuple[str, list[str]]] = field(default_factory=list)  # a FamilyTask's (entity, texts)


class _Compiled(threading.local):
    """Per thread: a compiled job holds one seeded generator that its blocks re-seed, so two threads
    (a Dask worker with several) must never share one."""

    def __init__(self) -> None:
        self.jobs: OrderedDict[str, tuple[BlockMaker, Writer | None, CoherenceMeter]] = OrderedDict()
        self.families: OrderedDict[str, tuple[DatasetGenerator, dict[str, Writer]]] = OrderedDict()


_cache = _Compiled()
T = TypeVar("T")


def _kept(cache: OrderedDict[str, T], job_id: str, make: Callable[[], T]) -> T:
    """The job's compiled makers from a worker's small cache (the last KEEP_JOBS jobs), made once."""
    if job_id in cache:
        cache.move_to_end(job_id)
        return cache[job_id]
    made = cache[job_id] = make()
    while len(cache) > KEEP_JOBS:
        cache.popitem(last=False)
    return made


def render(task: Task | FamilyTask) -> Rendered:
    """The task's blocks, in order: each row's text and coherence score (or one Arrow table); for a
    linked dataset's roots, each batch of each entity, as texts."""
    if isinstance(task, FamilyTask):
        return _render_family(task)
    maker, writer, meter = _kept(
        _cache.jobs,
        task.job_id,
        lambda: (
            BlockMaker(task.job),
            task.writer.make(),
            CoherenceMeter(task.meter_schema, catalogue_for(task.job.products)),
        ),
    )
    out = Rendered()
    kept: list[dict[str, Any]] = []
    for ref in task.blocks:
        rows = list(maker.rows(ref))
        out.scores.extend(meter.scores(rows))
        if writer is None:
            kept.extend(rows)
        else:
            out.texts.extend(writer.row_texts(rows))
    if writer is None:
        out.table = task.writer.table(kept)
    return out


# What runs tasks: a process pool (service/workers.py), or any engine that returns results in order.
BlockRunner = Callable[[Iterator[Any]], Iterator[Rendered]]  # Tasks or FamilyTasks


def tasks_for(
    job: Job, writer: WriterSpec, meter_schema: EntitySchema, per_task: int = TASK_BLOCKS
) -> Iterator[Task]:
    """A job's blocks as tasks of `per_task` blocks, in order."""
    job_id = uuid.uuid4().hex
    group: list[BlockRef] = []
    for ref in iter_blocks([s.count for s in job.scenarios]):
        group.append(ref)
        if len(group) == per_task:
            yield Task(job_id, job, writer, meter_schema, tuple(group))
            group = []
    if group:
        yield Task(job_id, job, writer, meter_schema, tuple(group))


def _render_family(task: FamilyTask) -> Rendered:
    generator, writers = _kept(
        _cache.families,
        task.job_id,
        lambda: (
            # a copy: in this process, the caller's tree stays as it was
            DatasetGenerator(
                copy.deepcopy(task.roots),
                task.seed,
                task.locale,
                themes=task.themes,
                as_of=task.as_of,
                peaks=task.peaks,
                products=task.products,
                product_share=task.product_share,
            ),
            {name: spec.text_writer() for name, spec in task.writers.items()},
        ),
    )
    out = Rendered()
    for entity, rows in generator.batches(task.span):
        writer = writers[entity]
        out.batches.append((entity, writer.row_texts(rows)))
    return out


def family_tasks(
    roots: list[Node],
    seed: int,
    locale: str,
    themes: dict[str, float],
    writers: dict[str, WriterSpec],
    as_of: int = REFERENCE_SECONDS,
    peaks: dict[str, float] | None = None,
    products: tuple[Addition, ...] = (),
    product_share: float = 1.0,
) -> Iterator[FamilyTask]:
    """A partitionable dataset's roots in tasks of FAMILY_BATCHES root batches each, in order."""
    job_id = uuid.uuid4().hex
    root = roots[0]
    step = root_batch_for(roots) * FAMILY_BATCHES
    total = root.count or 0
    for start in range(0, total, step):
        span = (start, min(total, start + step))
        yield FamilyTask(
            job_id,
            roots,
            seed,
            locale,
            themes,
            writers,
            span,
            as_of,
            dict(peaks or {}),
            products,
            product_share,
        )


def fits_tasks(job: Job) -> bool:
    """Whether a job's rows are narrow enough for tasks of whole blocks: a task holds TASK_BLOCKS blocks'
    texts at once, so rows of many values (a client's array of 1,000 objects: 77 MB a block) stay
    in-process, where a stream holds one chunk."""
    specs = [job.schema, *(s.schema for s in job.scenarios if s.schema is not None)]
    return all(block_rows(s.as_object()) >= SEEK_BLOCK for s in specs)
