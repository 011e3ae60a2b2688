"""Linked datasets end to end: the request, a plan from its context, and chunks per entity.

A dataset plan changes cardinalities and state weights for the whole family (many split shipments,
some refunds); the engine then makes every row, parents before children, memory flat in size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from agent.executor import checked_format, checked_seed
from tools.dataset import DatasetGenerator, Node, ancestors, plan_tree, sibling_refs, walk
from tools.errors import LimitExceeded
from tools.formats import Writer, fitted_chunks, make_writer
from tools.pools import check_locale
from tools.registry import Registry
from tools.schema import EntitySchema


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


@dataclass
class Chunk:
    entity: str
    data: str


# Context words -> changes to the family's shape: (entity, what, value).
CONTEXT_RULES: list[tuple[str, str, str, list[float]]] = [
    (r"split shipments?|multiple shipments|several packages", "shipment", "count", [1, 3]),
    (r"split shipments?|multiple shipments|several packages", "shipment", "weights", [30, 50, 20]),
    (r"holiday|black friday|cyber monday|rush|peak season", "order", "weights", [10, 20, 25, 25, 20]),
]
STATUS_RULES: list[tuple[str, dict[str, float]]] = [
    (r"refunds?|chargebacks?", {"returned": 12, "cancelled": 8}),
    (r"returns?|exchanges?", {"returned": 15}),
    (r"cancel", {"cancelled": 15}),
]


def shaped(schema: EntitySchema, context: str) -> EntitySchema:
    """The entity's schema with the context's changes (cardinalities, order-status mix) applied."""
    text = context.lower()
    out = schema
    for pattern, entity, what, value in CONTEXT_RULES:
        if entity == schema.name and out.dataset is not None and re.search(pattern, text):
            link = out.dataset.model_copy(
                update={what: [int(v) for v in value] if what == "count" else value}
            )
            out = out.model_copy(update={"dataset": link})
    if schema.name == "order":
        for pattern, extra in STATUS_RULES:
            if re.search(pattern, text):
                out = _more_statuses(out, extra)
    return out


def _more_statuses(schema: EntitySchema, extra: dict[str, float]) -> EntitySchema:
    schema = schema.model_copy(deep=True)
    status = schema.field("status")
    if status is not None and status.values and status.weights:
        total = sum(status.weights)
        status.weights = [
            w + total * extra.get(v, 0) / 100 for v, w in zip(status.values, status.weights, strict=True)
        ]
    return schema


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
        self.seed = seed
        self.roots = plan_tree(registry, request.entities, request.domain)
        for node in walk(self.roots):
            node.schema = shaped(node.schema, " ".join([request.context, *request.hints]))
        self.locale = check_locale(request.locale)
        self.writers = {n.name: self._writer(n) for n in walk(self.roots)}
        self.counts: dict[str, int] = {}

    def _writer(self, node: Node) -> Writer:
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
        return make_writer(self.format, node.schema, columns, foreign_keys=fks)

    def chunks(self) -> Iterator[Chunk]:
        started: set[str] = set()
        generator = DatasetGenerator(self.roots, self.seed, self.locale)
        for entity, rows in generator.batches():
            first = entity not in started
            started.add(entity)
            self.counts[entity] = self.counts.get(entity, 0) + len(rows)
            if sum(self.counts.values()) > self.max_rows:
                raise LimitExceeded(
                    "entities", f"the family passed {self.max_rows:,} records", "ask for fewer root records"
                )
            for text in fitted_chunks(self.writers[entity], rows, first):
                yield Chunk(entity, text)
