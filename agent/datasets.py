"""Linked datasets end to end: the request, the family tree, its plan, and chunks per entity.

A DatasetPlan (agent/dataset_plan.py, from the model or keyword rules) changes cardinalities and
value mixes for the whole family (many split shipments, some refunds); the engine then makes every
row, parents before children, memory flat in size.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from agent.dataset_keywords import keyword_dataset_plan
from agent.dataset_plan import (
    PREVIEW_ROOTS,
    DatasetPlan,
    apply_dataset_plan,
    check_dataset_plan,
    copied,
    dataset_products,
)
from agent.dataset_views import preview
from agent.executor import checked_format, checked_seed
from tools.blocks import BlockRunner, WriterSpec, family_tasks
from tools.dataset import (
    DatasetGenerator,
    Node,
    ancestors,
    partitionable,
    plan_tree,
    sibling_refs,
    walk,
    worst_rows,
)
from tools.errors import LimitExceeded
from tools.formats import Writer
from tools.formats.chunking import ChunkAssembler
from tools.pools import check_locale
from tools.registry import Registry
from tools.temporal import parse_as_of
from tools.world.additions import Addition
from tools.world.clock import as_seen_at

PARALLEL_ROOTS = 800  # root records: a smaller family is made in-process (two tasks' worth)


@dataclass
class DatasetRequest:
    entities: dict[str, int]
    domain: str = ""
    request_id: str = ""
    seed: int | None = None
    output_format: str = "json"
    context: str = ""
    hints: list[str] = field(default_factory=list)
    generation_method: str | None = None
    locale: str = ""
    use_cache: bool | None = None  # None: the server's default
    csv_safe: bool = True
    as_of: str = ""  # RFC 3339 instant the family is seen at; empty: tools/temporal.REFERENCE_TIME


@dataclass
class Chunk:
    entity: str
    data: str


class DatasetRun:
    def __init__(self, request: DatasetRequest, registry: Registry, max_rows: int) -> None:
        fmt = checked_format(request.output_format)
        seed = checked_seed(request.seed)
        asked = sum(request.entities.values())
        if asked > max_rows:
            raise LimitExceeded(
                "entities", f"{asked:,} records asked for, above {max_rows:,}", "ask for fewer"
            )
        self.max_rows = max_rows  # the whole family counts: children and caps included
        self.format = fmt
        self.csv_safe = request.csv_safe
        self.seed = seed
        self.as_of = parse_as_of(request.as_of)
        self.roots = plan_tree(registry, request.entities, request.domain)
        for node in walk(self.roots):  # the registry's dates are relative to the reference instant
            node.schema = as_seen_at(node.schema, self.as_of)
        self.requested = frozenset(request.entities)
        self.locale = check_locale(request.locale)
        self.writers: dict[str, Writer] = {}
        self.plan: DatasetPlan | None = None
        self.products: tuple[Addition, ...] = ()  # the plan's own products, checked (use())
        self.counts: dict[str, int] = {}
        self._estimates: dict[str, int] = {}  # plan JSON -> estimated records

    def keyword_plan(self, request: DatasetRequest) -> DatasetPlan:
        return keyword_dataset_plan(self.roots, " ".join([request.context, *request.hints]))

    def use(self, plan: DatasetPlan) -> None:
        """Shape the family with a checked plan (the model's or the keyword rules'); once, before chunks."""
        assert self.plan is None, "a run is planned once"
        problems = self.problems(plan)
        if problems:  # plans are checked where they are made: this is a bug, not bad input
            raise ValueError("unchecked dataset plan: " + "; ".join(problems))
        apply_dataset_plan(self.roots, plan)
        self.plan = plan
        self.products = dataset_products(plan, self.roots)[0]
        self.specs = {n.name: self._writer_spec(n) for n in walk(self.roots)}
        self.writers = {name: spec.text_writer() for name, spec in self.specs.items()}

    def problems(self, plan: DatasetPlan) -> list[str]:
        """What is wrong with `plan` for this family and these requested entities."""
        return check_dataset_plan(plan, self.roots, self.requested)

    def estimated_rows(self, plan: DatasetPlan) -> int:
        """Records the whole family will have under `plan`, scaled from a 20-root preview; 0 when even
        the most every count allows fits the limit (the hard limit still applies while streaming)."""
        key = plan.model_dump_json()
        if key not in self._estimates:  # the cache check and the start both ask: preview once
            self._estimates[key] = self._estimate(plan)
        return self._estimates[key]

    def _estimate(self, plan: DatasetPlan) -> int:
        shaped = [copied(r, r.count) for r in self.roots]
        apply_dataset_plan(shaped, plan)
        if sum((r.count or 0) * worst_rows(r) for r in shaped) <= self.max_rows:
            return 0
        seen = preview(self.roots, plan)["records"]
        total = 0.0
        for root in self.roots:
            per_root = sum(seen.get(n.name, 0) for n in walk([root])) / PREVIEW_ROOTS
            total += per_root * (root.count or 0)
        return int(total)

    def size_problem(self, plan: DatasetPlan) -> str:
        """Why this family is too big under `plan` ('' when it fits)."""
        estimate = self.estimated_rows(plan)
        if estimate <= self.max_rows * 1.1:  # a 20-root preview is rough: refuse only the clear cases
            return ""
        roots = ", ".join(f"{r.count:,} {r.name} records" for r in self.roots if r.count)
        limit = f"{self.max_rows:,}"
        return f"about {estimate:,} records for {roots} and their families, above the limit of {limit}"

    def _writer_spec(self, node: Node) -> WriterSpec:
        # Foreign keys only where the generator guarantees the parent row: ancestors in the tree and
        # siblings it reads (an order's cart). Product ids point at the catalogue, not at a table.
        ids = {n.name: n.schema.id_field for n in walk(self.roots)}
        linked = ancestors(self.roots, node.name) | sibling_refs(node.schema)
        fks = {
            f.name: (f.ref, ids[f.ref] or "")
            for f in node.schema.fields
            if f.ref in linked and f.ref in ids and ids.get(f.ref)
        }
        columns = [f.name for f in node.schema.fields] + ["_index"]
        return WriterSpec(self.format, node.schema, columns, foreign_keys=fks, csv_safe=self.csv_safe)

    def batches(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """(entity, rows) in sending order: the rows before formatting (evals check them)."""
        assert self.plan is not None, "call use() with a plan first"
        return DatasetGenerator(
            self.roots,
            self.seed,
            self.locale,
            themes=self.plan.themes,
            as_of=self.as_of,
            peaks=self.plan.peaks,
            products=self.products,
            product_share=self.plan.product_share,
        ).batches()

    def chunks(self, run_blocks: BlockRunner | None = None) -> Iterator[Chunk]:
        """The dataset's chunks in sending order. With `run_blocks` (worker processes, Dask, Spark) and a
        family that can be split by root (tools/dataset.py `partitionable`), ranges of roots are made
        there: the same bytes."""
        started: set[str] = set()
        for entity, texts in self._texts(run_blocks):
            first = entity not in started
            started.add(entity)
            self.counts[entity] = self.counts.get(entity, 0) + len(texts)
            if sum(self.counts.values()) > self.max_rows:
                raise LimitExceeded(
                    "entities", f"the family passed {self.max_rows:,} records", "ask for fewer root records"
                )
            assembler = ChunkAssembler(self.writers[entity], max(1, len(texts)), len(texts), first=first)
            for text, _ in itertools.chain(assembler.feed(texts), assembler.finish()):
                yield Chunk(entity, text)

    def _texts(self, run_blocks: BlockRunner | None) -> Iterator[tuple[str, list[str]]]:
        assert self.plan is not None, "call use() with a plan first"
        root = self.roots[0]
        split = partitionable(self.roots) and (root.count or 0) >= PARALLEL_ROOTS
        if run_blocks is None or not split:
            for entity, rows in self.batches():
                yield entity, self.writers[entity].row_texts(rows)
            return
        tasks = family_tasks(
            self.roots,
            self.seed,
            self.locale,
            self.plan.themes or {},
            self.specs,
            self.as_of,
            self.plan.peaks,
            self.products,
            self.plan.product_share,
        )
        for result in run_blocks(tasks):
            yield from result.batches


def keyword_run(request: DatasetRequest, registry: Registry, max_rows: int) -> DatasetRun:
    """A run shaped by the keyword rules alone: the CLI in-process, tests and benchmarks."""
    run = DatasetRun(request, registry, max_rows)
    run.use(run.keyword_plan(request))
    return run
