"""Stream chunks built from batches of any size, holding at most one chunk's text and a few hundred rows.

A stream's chunk may hold 50,000 rows; making them as one batch of dicts costs ~150 MB per stream, held
for as long as the client does not read. Here rows arrive in small batches and are rendered into the
chunk a piece at a time, so a stream holds one batch, one piece's rows and one chunk's text.

A piece is PIECE_ROWS rows, fewer when rows are wide (about PIECE_BYTES of text, judged by the first
row), so the rows held before rendering stay small whatever the schema. With full pieces the text is the
same as `Writer.chunk` of the chunk's rows: pieces start at multiples of PIECE_ROWS from the chunk's
start, as SQL's INSERTs of ROWS_PER_INSERT rows do. A chunk ends at `chunk_rows` rows, or before the
piece that would take its UTF-8 past MAX_CHUNK_BYTES; a single piece too big on its own is split in
halves down to one row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tools.formats.base import MAX_CHUNK_BYTES, Writer
from tools.formats.sql_format import ROWS_PER_INSERT

PIECE_ROWS = ROWS_PER_INSERT
PIECE_BYTES = 1024 * 1024
Rows = list[dict[str, Any]]


def _utf8_size(text: str) -> int:
    # A character is at most 4 bytes: most texts are clearly under the limit without encoding them.
    return len(text) if text.isascii() else len(text.encode())


class ChunkAssembler:
    def __init__(self, writer: Writer, chunk_rows: int, total: int, limit: int = MAX_CHUNK_BYTES) -> None:
        self.writer = writer
        self.total = total  # rows the stream will hold: the chunk that reaches it is the final one
        self.closed = 0  # rows in chunks already made
        self.chunk_rows = max(1, chunk_rows)
        self.limit = limit
        self.parts: list[str] = []  # the open chunk's pieces
        self.size = len(writer.opening) + len(writer.closing)
        self.rows_in_chunk = 0  # rendered into `parts`
        self.buffer: Rows = []  # rows not yet rendered (fewer than a piece)
        self.first = True  # nothing sent yet: CSV's header and SQL's CREATE TABLE go first
        self.piece_rows = 0  # set from the first row

    def _size_pieces(self, row: dict[str, Any]) -> None:
        one = _utf8_size(self.writer.piece([row], False, True))
        self.piece_rows = max(1, min(PIECE_ROWS, PIECE_BYTES // max(1, one)))

    def feed(self, rows: Rows) -> Iterator[tuple[str, bool]]:
        """The chunks these rows complete (often none)."""
        if rows and not self.piece_rows:
            self._size_pieces(rows[0])
        i = 0
        while i < len(rows):
            room = min(self.chunk_rows - self.rows_in_chunk, self.piece_rows) - len(self.buffer)
            self.buffer.extend(rows[i : i + room])
            i += room
            full_piece = len(self.buffer) == self.piece_rows
            if full_piece or self.rows_in_chunk + len(self.buffer) == self.chunk_rows:
                yield from self._render(self.buffer)
                self.buffer = []
            if self.rows_in_chunk == self.chunk_rows:
                yield self._close()

    def finish(self) -> Iterator[tuple[str, bool]]:
        """What is left; an empty stream is still one chunk (a CSV header, an empty JSON array)."""
        if self.buffer:
            yield from self._render(self.buffer)
            self.buffer = []
        if self.parts or self.first:
            yield self._close()

    def _render(self, rows: Rows) -> Iterator[tuple[str, bool]]:
        text = self.writer.piece(rows, self.first, not self.parts)
        size = _utf8_size(text)
        if self.size + size <= self.limit:
            self._add(text, size, len(rows))
            return
        if self.parts:  # the open chunk is full: send it, then try the piece in a fresh one
            yield self._close()
            yield from self._render(rows)
            return
        if len(rows) == 1:  # one row bigger than a chunk: it goes alone (rows are bounded in size)
            self._add(text, size, 1)
            return
        del text
        half = len(rows) // 2
        yield from self._render(rows[:half])
        yield from self._render(rows[half:])

    def _add(self, text: str, size: int, n: int) -> None:
        self.parts.append(text)
        self.size += size
        self.rows_in_chunk += n
        self.first = False

    def _close(self) -> tuple[str, bool]:
        w = self.writer
        if not self.parts:  # the empty stream
            self.first = False
            return w.chunk([], True), True
        text = w.opening + "".join(self.parts) + w.closing
        self.closed += self.rows_in_chunk
        self.parts = []
        self.size = len(w.opening) + len(w.closing)
        self.rows_in_chunk = 0
        return text, self.closed >= self.total


def stream_chunks(
    writer: Writer, batches: Iterable[Rows], chunk_rows: int, total: int
) -> Iterator[tuple[str, bool]]:
    """(chunk text, is_final) for `total` rows arriving in batches. The last chunk is known by the count,
    not by making the next one first: a look-ahead would hold two chunks while the client is not reading."""
    assembler = ChunkAssembler(writer, chunk_rows, total)
    final = False
    for rows in batches:
        for chunk in assembler.feed(rows):
            final = chunk[1]
            yield chunk
        del rows
    for chunk in assembler.finish():
        final = chunk[1]
        yield chunk
    if not final:  # the engine makes exactly the rows it was asked for; anything else is a bug
        raise RuntimeError(f"the stream made {assembler.closed:,} rows, not {total:,}")
