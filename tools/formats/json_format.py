"""JSON (an array per chunk; one array for the whole document) and JSON Lines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import orjson

from tools.formats.base import Rows, Writer


class JsonWriter(Writer):
    name = "json"
    media_type = "application/json"

    def chunk(self, rows: Rows, first: bool) -> str:
        return orjson.dumps(rows).decode()

    def row_texts(self, rows: Rows) -> list[str]:
        dumps = orjson.dumps
        return [dumps(r).decode() for r in rows]

    def assemble(self, texts: list[str], first: bool) -> str:
        return "[" + ",".join(texts) + "]"

    def overhead(self, n: int, first: bool) -> int:
        return 2 + max(0, n - 1)

    def document(self, batches: Iterable[Rows]) -> Iterator[str]:
        yield "["
        first = True
        for rows in batches:
            if not rows:
                continue
            body = orjson.dumps(rows).decode()[1:-1]
            yield body if first else "," + body
            first = False
        yield "]"

    def document_texts(self, batches: Iterable[list[str]]) -> Iterator[str]:
        yield "["
        first = True
        for texts in batches:
            if not texts:
                continue
            body = ",".join(texts)
            yield body if first else "," + body
            first = False
        yield "]"


class JsonLinesWriter(Writer):
    name = "jsonl"
    media_type = "application/x-ndjson"

    def chunk(self, rows: Rows, first: bool) -> str:
        dumps = orjson.dumps
        return "".join(dumps(r).decode() + "\n" for r in rows)
