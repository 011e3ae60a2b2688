"""The writer interface and the format table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from tools.errors import InvalidRequest
from tools.schema import EntitySchema

Rows = list[dict[str, Any]]

T = TypeVar("T")


class Writer:
    """Base writer: `chunk(rows, first)` is a self-contained piece; `document(batches)` the whole."""

    name = ""
    media_type = "text/plain"

    def __init__(self, schema: EntitySchema, columns: list[str]) -> None:
        self.schema = schema
        self.columns = columns

    def chunk(self, rows: Rows, first: bool) -> str:
        raise NotImplementedError

    # A stream chunk is built from its rows' texts, each made as its row arrives
    # (tools/formats/chunking.py): `assemble(row_texts(rows), first) == chunk(rows, first)`, and
    # `overhead` is what `assemble` adds to the texts, so a chunk's size is known before it is made.
    def row_texts(self, rows: Rows) -> list[str]:
        return [self.chunk([r], False) for r in rows]

    def assemble(self, texts: list[str], first: bool) -> str:
        return "".join(texts)

    def overhead(self, n: int, first: bool) -> int:
        return 0

    def document(self, batches: Iterable[Rows]) -> Iterator[str]:
        """The whole dataset as one text, in pieces; the default concatenates chunks."""
        first = True
        for rows in batches:
            yield self.chunk(rows, first)
            first = False
        if first:
            yield self.chunk([], True)

    def document_texts(self, batches: Iterable[list[str]]) -> Iterator[str]:
        """`document` of rows already rendered (`row_texts`, by worker processes), in batches of the
        same sizes: the same text."""
        first = True
        for texts in batches:
            yield self.assemble(texts, first)
            first = False
        if first:
            yield self.assemble([], True)


def rebatch(batches: Iterable[Iterable[T]], size: int) -> Iterator[list[T]]:
    """The same items in batches of `size` (the last one shorter), whatever sizes they came in."""
    out: list[T] = []
    for batch in batches:
        for item in batch:
            out.append(item)
            if len(out) == size:
                yield out
                out = []
    if out:
        yield out


def columns_for(schema: EntitySchema, edge_cases: bool, negative: bool) -> list[str]:
    """Top-level fields in schema order, then the metadata every row carries."""
    cols = [f.name for f in schema.fields] + ["_scenario", "_index"]
    if edge_cases:
        cols.append("_edge_case")
    if negative:
        cols.append("_violates")
    return cols


def make_writer(
    fmt: str,
    schema: EntitySchema,
    columns: list[str],
    negative: bool = False,
    foreign_keys: dict[str, tuple[str, str]] | None = None,
    csv_safe: bool = True,
) -> Writer:
    from tools.formats.csv_format import CsvWriter
    from tools.formats.json_format import JsonLinesWriter, JsonWriter
    from tools.formats.sql_format import SqlWriter

    table: dict[str, type[Writer]] = {
        "json": JsonWriter,
        "jsonl": JsonLinesWriter,
        "csv": CsvWriter,
        "sql": SqlWriter,
    }
    key = fmt.lower()
    if key not in table:
        raise InvalidRequest("output_format", f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    if key == "sql":
        return SqlWriter(schema, columns, negative=negative, foreign_keys=foreign_keys)
    if key == "csv":
        return CsvWriter(schema, columns, safe=csv_safe)
    return table[key](schema, columns)


FORMATS = ("json", "jsonl", "csv", "sql")
# gRPC clients refuse messages over 4 MiB unless told otherwise (grpcurl, most SDKs): keep chunks under.
MAX_CHUNK_BYTES = 3 * 1024 * 1024
