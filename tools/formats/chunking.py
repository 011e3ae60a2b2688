"""Stream chunks built from rows as they arrive, holding one chunk's text and a small batch of rows.

A stream's chunk may hold 50,000 rows; making them as one batch of dicts cost ~150 MB per stream, held
for as long as the client did not read. Here each row is rendered to its text as its batch arrives
(`Writer.row_texts`) and the dicts go; a chunk is assembled from the texts (`Writer.assemble`, the same
text `Writer.chunk` makes of the same rows). Sizes are exact per row, so a chunk ends at `chunk_rows`
rows or before the row that would take its UTF-8 past MAX_CHUNK_BYTES, whatever the rows' widths (a
row bigger than a chunk on its own goes alone; rows are bounded in size by tools/row_size.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tools.formats.base import MAX_CHUNK_BYTES, Writer

Rows = list[dict[str, Any]]


def utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


class ChunkAssembler:
    def __init__(
        self, writer: Writer, chunk_rows: int, total: int, limit: int = MAX_CHUNK_BYTES, first: bool = True
    ) -> None:
        self.writer = writer
        self.chunk_rows = max(1, chunk_rows)
        self.total = total  # rows the stream will hold: the chunk that reaches it is the final one
        self.limit = limit
        self.closed = 0  # rows in chunks already made
        self.texts: list[str] = []  # the open chunk's rows, rendered
        self.size = 0  # their UTF-8 bytes
        self.first = first  # nothing sent yet: CSV's header and SQL's CREATE TABLE go first

    def feed(self, texts: list[str]) -> Iterator[tuple[str, bool]]:
        """The chunks these rows (as `Writer.row_texts` wrote them) complete (often none), as
        (text, is_final)."""
        w = self.writer
        for text in texts:
            size = utf8_size(text)
            n = len(self.texts)
            if n and self.size + size + w.overhead(n + 1, self.first) > self.limit:
                yield self._close()
            self.texts.append(text)
            self.size += size
            if len(self.texts) == self.chunk_rows:
                yield self._close()

    def finish(self) -> Iterator[tuple[str, bool]]:
        """What is left; an empty stream is still one chunk (a CSV header, an empty JSON array)."""
        if self.texts or self.first:
            yield self._close()

    def _close(self) -> tuple[str, bool]:
        text = self.writer.assemble(self.texts, self.first)
        self.closed += len(self.texts)
        self.texts, self.size, self.first = [], 0, False
        return text, self.closed >= self.total


def stream_chunks(
    writer: Writer, batches: Iterable[Rows], chunk_rows: int, total: int, limit: int = MAX_CHUNK_BYTES
) -> Iterator[tuple[str, bool]]:
    """(chunk text, is_final) for `total` rows arriving in batches."""
    return stream_texts(writer, (writer.row_texts(rows) for rows in batches), chunk_rows, total, limit)


def stream_texts(
    writer: Writer, batches: Iterable[list[str]], chunk_rows: int, total: int, limit: int = MAX_CHUNK_BYTES
) -> Iterator[tuple[str, bool]]:
    """(chunk text, is_final) for `total` rows arriving as batches of their texts (rendered here or by
    worker processes). The last chunk is known by the count, not by making the next one first: a
    look-ahead would hold two chunks while the client is not reading."""
    assembler = ChunkAssembler(writer, chunk_rows, total, limit)
    final = False
    for texts in batches:
        for chunk in assembler.feed(texts):
            final = chunk[1]
            yield chunk
        del texts
    for chunk in assembler.finish():
        final = chunk[1]
        yield chunk
    if not final:  # the engine makes exactly the rows it was asked for; anything else is a bug
        raise RuntimeError(f"the stream made {assembler.closed:,} rows, not {total:,}")
